// The names API (fftconv/names.hpp): every enumerator's name round-trips through to_string and
// parse, names<E>() lists the enum in declaration order, unknown text is refused naming it and
// the accepted names, and a value outside an enum is "unknown". The C API's name functions are
// tested in test_c_api.cpp.
#include <doctest/doctest.h>

#include <set>
#include <string>

#include "fftconv/fftconv.hpp"

using namespace fftconv;

TEST_CASE_TEMPLATE("names: every enumerator round-trips through to_string and parse", E, Mode,
                   Method, Boundary, Planning, Precision, NanPolicy, Operation, Guarantee,
                   ErrorCode) {
  std::set<std::string> seen;
  int index = 0;
  REQUIRE(names<E>().size() > 1);
  for (const auto& entry : names<E>()) {  // (no structured binding: CAPTURE is a lambda)
    const E value = entry.value;
    const char* name = entry.name;
    CAPTURE(std::string(name));
    CHECK(static_cast<int>(value) == index++);  // declaration order, the C API's numbering
    CHECK(std::string(to_string(value)) == name);
    CHECK(parse<E>(name) == value);
    CHECK(try_parse<E>(name) == value);
    CHECK(seen.insert(name).second);  // distinct
  }
  CHECK(std::string(to_string(static_cast<E>(99))) == "unknown");
  CHECK(std::string(to_string(static_cast<E>(-1))) == "unknown");
}

TEST_CASE("names: the names are the enumerators' spellings") {
  CHECK(std::string(to_string(Mode::same)) == "same");
  CHECK(std::string(to_string(Method::overlap_save)) == "overlap_save");
  CHECK(std::string(to_string(Boundary::nearest)) == "nearest");
  CHECK(std::string(to_string(Planning::patient)) == "patient");
  CHECK(std::string(to_string(Precision::double_precision)) == "double_precision");
  CHECK(std::string(to_string(NanPolicy::interpolate)) == "interpolate");
  CHECK(std::string(to_string(Operation::correlate)) == "correlate");
  CHECK(std::string(to_string(Guarantee::worst_case)) == "worst_case");
  CHECK(std::string(to_string(ErrorCode::out_of_memory)) == "out_of_memory");
  CHECK(names<Boundary>().size() == 6);
  CHECK(names<Method>().begin()->value == Method::automatic);
}

TEST_CASE("names: unknown text is refused, naming it and the accepted names") {
  // Exact names only: no other case, no padding, no prefix, no number.
  for (const char* text : {"sam", "Same", "SAME", " same", "same ", "", "s", "samee", "1"}) {
    CAPTURE(std::string(text));
    CHECK_FALSE(try_parse<Mode>(text).has_value());
    try {
      (void)parse<Mode>(text);
      FAIL("parse accepted an unknown name");
    } catch (const Error& e) {
      CHECK(e.code() == ErrorCode::invalid_argument);
      CHECK(std::string(e.what()) == "unknown fftconv::Mode name \"" + std::string(text) +
                                         "\" (the names are full, same, valid)");
    }
  }
  CHECK_THROWS_WITH_AS(
      parse<Method>("auto"),
      "unknown fftconv::Method name \"auto\" (the names are automatic, direct, fft, separable, "
      "overlap_save)",
      Error);
  CHECK_THROWS_WITH_AS(parse<Precision>("double"),
                       "unknown fftconv::Precision name \"double\" (the names are native, "
                       "double_precision)",
                       Error);
  // A name of another enum is not one of this one's.
  CHECK_THROWS_AS(parse<Boundary>("same"), Error);
  CHECK_FALSE(try_parse<Operation>("fft").has_value());
  // The text is a view: not NUL-terminated, and an embedded NUL is part of it.
  const char buffer[] = "samex";
  CHECK(parse<Mode>(std::string_view(buffer, 4)) == Mode::same);
  CHECK_FALSE(try_parse<Mode>(std::string_view("same\0", 5)).has_value());
}

TEST_CASE("to_string names each method as the enumeration writes it") {
  CHECK(std::string(to_string(Method::automatic)) == "automatic");
  CHECK(std::string(to_string(Method::direct)) == "direct");
  CHECK(std::string(to_string(Method::fft)) == "fft");
  CHECK(std::string(to_string(Method::separable)) == "separable");
  CHECK(std::string(to_string(Method::overlap_save)) == "overlap_save");
  CHECK(std::string(to_string(static_cast<Method>(99))) == "unknown");
}
