// The C API against the C++ entry points it wraps: the same refusals with the same messages,
// decided before anything of the declared sizes is allocated (issue 17: the masked and matching
// calls copied their masks first, so a huge declared shape ran out of memory instead of being
// refused for its real fault).
#include <doctest/doctest.h>

#include <cstddef>
#include <functional>
#include <string>
#include <vector>

#include "fftconv/fftconv.h"
#include "fftconv/fftconv.hpp"

namespace {

// 2^50 elements: any copy of an image of this shape fails, so a refusal that names the bad
// argument proves nothing of that size was allocated first. The data are 9 values, never read.
const std::size_t huge[2] = {std::size_t{1} << 25, std::size_t{1} << 25};
const fftconv::Shape huge_shape{std::size_t{1} << 25, std::size_t{1} << 25};
const std::size_t k3[2] = {3, 3};
const fftconv::Shape k3_shape{3, 3};

/// Buffers of 9 values, never read: each call is refused first.
struct Buffers {
  double data[9] = {}, out[9] = {};
  float fdata[9] = {}, fout[9] = {};
  unsigned char mask[9] = {};
  bool bools[9] = {};
};

/// Options with an unknown method (99), in C and in C++.
struct UnknownMethod {
  fftconv_options c;
  fftconv::Options cpp;
  UnknownMethod() {
    fftconv_options_default(&c);
    c.method = 99;
    cpp.method = static_cast<fftconv::Method>(99);
  }
};

/// The fftconv::Error that `call` throws (an empty message if none).
template <class Call>
fftconv::Error cpp_refusal(Call call) {
  try {
    call();
  } catch (const fftconv::Error& e) {
    return e;
  }
  return fftconv::Error(fftconv::ErrorCode::internal, "");
}

/// A call of the C API, named for the report; it returns the C status.
struct CCall {
  std::string name;
  std::function<int()> run;
};

/// Every call returns `status`, and fftconv_last_error() is then the C++ refusal's message.
void check_refused_as_in_cpp(const std::vector<CCall>& calls, int status,
                             const std::string& expected) {
  for (const CCall& call : calls) {
    CAPTURE(call.name);
    CHECK(call.run() == status);
    CHECK(std::string(fftconv_last_error()) == expected);
  }
}

}  // namespace

TEST_CASE("C API convolve_masked: an unknown option refused as in C++, before the mask is copied") {
  Buffers b;
  const UnknownMethod o;
  const std::string expected =
      cpp_refusal([&] {
        fftconv::convolve_masked(fftconv::ConstView<double>(b.data, huge_shape),
                                 fftconv::ConstView<bool>(b.bools, huge_shape),
                                 fftconv::ConstView<double>(b.data, k3_shape),
                                 fftconv::View<double>(b.out, huge_shape), fftconv::View<double>(),
                                 o.cpp);
      }).what();
  CHECK(expected == "fftconv::convolve_masked: options.method has unknown value 99");
  check_refused_as_in_cpp({{"f64 with a mask",
                            [&] {
                              return fftconv_convolve_masked_f64(2, huge, b.data, b.mask, k3,
                                                                 b.data, b.out, nullptr, &o.c);
                            }},
                           {"f64 without a mask",
                            [&] {
                              return fftconv_convolve_masked_f64(2, huge, b.data, nullptr, k3,
                                                                 b.data, b.out, nullptr, &o.c);
                            }},
                           {"f32 with a mask",
                            [&] {
                              return fftconv_convolve_masked_f32(2, huge, b.fdata, b.mask, k3,
                                                                 b.fdata, b.fout, nullptr, &o.c);
                            }}},
                          FFTCONV_INVALID_ARGUMENT, expected);
}

TEST_CASE("C API match_template: an unknown option refused as in C++, before the mask is copied") {
  Buffers b;
  const UnknownMethod o;
  // (A template of the huge shape too: its mask is what the C API copied.)
  const std::string expected =
      cpp_refusal([&] {
        fftconv::match_template(fftconv::ConstView<double>(b.data, huge_shape),
                                fftconv::ConstView<double>(b.data, huge_shape),
                                fftconv::ConstView<bool>(b.bools, huge_shape),
                                fftconv::View<double>(b.out, {1, 1}), o.cpp);
      }).what();
  CHECK(expected == "fftconv::match_template: options.method has unknown value 99");
  check_refused_as_in_cpp(
      {{"f64",
        [&] {
          return fftconv_match_template_f64(2, huge, b.data, huge, b.data, b.mask, b.out, &o.c);
        }},
       {"f32",
        [&] {
          return fftconv_match_template_f32(2, huge, b.fdata, huge, b.fdata, b.mask, b.fout, &o.c);
        }}},
      FFTCONV_INVALID_ARGUMENT, expected);
}

TEST_CASE("C API convolve_masked: the memory limit refused as in C++, before the mask is copied") {
  // 2^40 pixels: the sizes are computable, nothing of them can be allocated.
  const std::size_t large[2] = {std::size_t{1} << 20, std::size_t{1} << 20};
  const fftconv::Shape large_shape{std::size_t{1} << 20, std::size_t{1} << 20};
  Buffers b;
  fftconv_options o;
  fftconv_options_default(&o);
  o.max_memory_bytes = std::size_t{1} << 20;
  o.nan_policy = FFTCONV_NAN_INTERPOLATE;
  fftconv::Options cpp;
  cpp.max_memory_bytes = o.max_memory_bytes;
  cpp.nan_policy = fftconv::NanPolicy::interpolate;
  const fftconv::Error refusal = cpp_refusal([&] {
    fftconv::convolve_masked(fftconv::ConstView<double>(b.data, large_shape),
                             fftconv::ConstView<bool>(b.bools, large_shape),
                             fftconv::ConstView<double>(b.data, k3_shape),
                             fftconv::View<double>(b.out, large_shape), fftconv::View<double>(),
                             cpp);
  });
  CHECK(refusal.code() == fftconv::ErrorCode::out_of_memory);
  const std::string expected = refusal.what();
  CHECK(expected.find("options.max_memory_bytes = 1048576") != std::string::npos);
  check_refused_as_in_cpp({{"with a mask",
                            [&] {
                              return fftconv_convolve_masked_f64(2, large, b.data, b.mask, k3,
                                                                 b.data, b.out, nullptr, &o);
                            }},
                           {"without a mask",
                            [&] {
                              return fftconv_convolve_masked_f64(2, large, b.data, nullptr, k3,
                                                                 b.data, b.out, nullptr, &o);
                            }}},
                          FFTCONV_OUT_OF_MEMORY, expected);
}

TEST_CASE("C API filter_method: the method the filter runs, as the C values") {
  const std::size_t shape[2] = {64, 64}, kshape[2] = {5, 5};
  double kernel[25] = {};
  kernel[12] = 1;
  for (int method : {FFTCONV_METHOD_DIRECT, FFTCONV_METHOD_FFT, FFTCONV_METHOD_OVERLAP_SAVE,
                     FFTCONV_METHOD_AUTOMATIC}) {
    CAPTURE(method);
    fftconv_options o;
    fftconv_options_default(&o);
    o.method = method;
    fftconv_filter* filter = nullptr;
    REQUIRE(fftconv_filter_create_f64(&filter, 2, shape, kshape, kernel, 0, &o) == FFTCONV_OK);
    const fftconv::Filter<double> cpp(
        fftconv::ConstView<double>(kernel, {5, 5}), {64, 64}, fftconv::Operation::convolve,
        fftconv::Options{fftconv::Mode::same, static_cast<fftconv::Method>(method)});
    CHECK(fftconv_filter_method(filter) == static_cast<int>(cpp.method()));
    if (method != FFTCONV_METHOD_AUTOMATIC) CHECK(fftconv_filter_method(filter) == method);
    fftconv_filter_destroy(filter);
  }
}

TEST_CASE("C API option names: the C++ names of every enum field's values, both ways") {
  struct Known {
    const char* field;
    int value;
    const char* name;
  };
  // The FFTCONV_ constants against the names: one per field, and every field's last value.
  for (const Known& k :
       {Known{"mode", FFTCONV_MODE_VALID, "valid"},
        Known{"boundary", FFTCONV_BOUNDARY_REFLECT, "reflect"},
        Known{"boundary", FFTCONV_BOUNDARY_WRAP, "wrap"},
        Known{"method", FFTCONV_METHOD_OVERLAP_SAVE, "overlap_save"},
        Known{"planning", FFTCONV_PLANNING_PATIENT, "patient"},
        Known{"nan_policy", FFTCONV_NAN_INTERPOLATE, "interpolate"},
        Known{"nan_policy", FFTCONV_NAN_FILL, "fill"},
        Known{"compute_precision", FFTCONV_PRECISION_DOUBLE, "double_precision"}}) {
    CAPTURE(k.name);
    const char* name = nullptr;
    CHECK(fftconv_option_name(k.field, k.value, &name) == FFTCONV_OK);
    CHECK(std::string(name) == k.name);
    CHECK(std::string(fftconv_last_error()).empty());
    int value = -1;
    CHECK(fftconv_option_value(k.field, k.name, &value) == FFTCONV_OK);
    CHECK(value == k.value);
  }
  // Every value of every field round-trips, and is the C++ enumerator's.
  const auto round_trip = [](const char* field, auto cpp_names) {
    for (const auto& entry : cpp_names) {  // (no structured binding: CAPTURE is a lambda)
      const auto e = entry.value;
      const char* n = entry.name;
      CAPTURE(n);
      const char* name = nullptr;
      REQUIRE(fftconv_option_name(field, static_cast<int>(e), &name) == FFTCONV_OK);
      CHECK(std::string(name) == n);
      int value = -1;
      REQUIRE(fftconv_option_value(field, name, &value) == FFTCONV_OK);
      CHECK(value == static_cast<int>(e));
    }
  };
  round_trip("mode", fftconv::names<fftconv::Mode>());
  round_trip("boundary", fftconv::names<fftconv::Boundary>());
  round_trip("method", fftconv::names<fftconv::Method>());
  round_trip("planning", fftconv::names<fftconv::Planning>());
  round_trip("nan_policy", fftconv::names<fftconv::NanPolicy>());
  round_trip("compute_precision", fftconv::names<fftconv::Precision>());
}

TEST_CASE("C API option names: unknown fields, values and names refused with a message") {
  const char* name = "untouched";
  int value = -7;
  CHECK(fftconv_option_value("mode", "sam", &value) == FFTCONV_INVALID_ARGUMENT);
  CHECK(std::string(fftconv_last_error()) ==
        "fftconv_option_value: options.mode: unknown fftconv::Mode name \"sam\" (the names are "
        "full, same, valid)");
  CHECK(fftconv_option_value("method", "FFT", &value) == FFTCONV_INVALID_ARGUMENT);
  CHECK(std::string(fftconv_last_error()).find("\"FFT\"") != std::string::npos);
  CHECK(value == -7);
  CHECK(fftconv_option_name("boundary", 6, &name) == FFTCONV_INVALID_ARGUMENT);
  CHECK(std::string(fftconv_last_error()) ==
        "fftconv_option_name: 6 is not an options.boundary value (0 zero, 1 constant, 2 reflect, "
        "3 mirror, 4 nearest, 5 wrap)");
  CHECK(fftconv_option_name("mode", -1, &name) == FFTCONV_INVALID_ARGUMENT);
  CHECK(std::string(name) == "untouched");
  CHECK(fftconv_option_name("threads", 0, &name) == FFTCONV_INVALID_ARGUMENT);
  CHECK(std::string(fftconv_last_error()) ==
        "fftconv_option_name: field \"threads\" is not an enum field of fftconv_options or "
        "fftconv_deconvolution_options (mode, boundary, method, planning, nan_policy, "
        "compute_precision, edges, acceleration, regularizer)");
  CHECK(fftconv_option_value("Mode", "same", &value) == FFTCONV_INVALID_ARGUMENT);
  CHECK(fftconv_option_value(nullptr, "same", &value) == FFTCONV_INVALID_ARGUMENT);
  CHECK(std::string(fftconv_last_error()) == "fftconv_option_value: field is NULL");
  CHECK(fftconv_option_value("mode", nullptr, &value) == FFTCONV_INVALID_ARGUMENT);
  CHECK(std::string(fftconv_last_error()) == "fftconv_option_value: name is NULL");
  CHECK(fftconv_option_value("mode", "same", nullptr) == FFTCONV_INVALID_ARGUMENT);
  CHECK(std::string(fftconv_last_error()) == "fftconv_option_value: value is NULL");
  CHECK(fftconv_option_name("mode", 0, nullptr) == FFTCONV_INVALID_ARGUMENT);
  CHECK(std::string(fftconv_last_error()) == "fftconv_option_name: name is NULL");
}
