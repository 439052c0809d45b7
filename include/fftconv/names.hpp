#pragma once
// The names of fftconv's enumerations: each enumerator's name is its spelling in the enum
// ("same", "overlap_save", "double_precision"), written once in the library
// (src/core/names.cpp) and read by to_string, parse, the C API (fftconv_option_name,
// fftconv_option_value) and the fftconv program.
//
//   fftconv::Options o;
//   o.boundary = fftconv::parse<fftconv::Boundary>("reflect");   // throws on an unknown name
//   std::puts(fftconv::to_string(o.method));                      // "automatic"
//   for (auto [value, name] : fftconv::names<fftconv::Mode>()) ...  // full, same, valid
//
// E below is one of the enums declared here; any other type has no names (a link error).
#include <cstddef>
#include <optional>
#include <string_view>

#include "fftconv/export.hpp"

namespace fftconv {

// The enums, defined and documented where they are used (options.hpp: Mode, Method, Boundary,
// Planning, Precision, NanPolicy; filter.hpp: Operation; accuracy.hpp: Guarantee; error.hpp:
// ErrorCode; deconvolve.hpp: DeconvolutionEdges, Acceleration, Regularizer). Declared here too so that this header stands on its own.
enum class Mode;
enum class Method;
enum class Boundary;
enum class Planning;
enum class Precision;
enum class NanPolicy;
enum class Operation;
enum class Guarantee;
enum class ErrorCode;
enum class DeconvolutionEdges;
enum class Acceleration;
enum class Regularizer;

/// The enumerator's name, a static string; "unknown" for a value outside the enumeration (never
/// null). The Method names are also what the fftconv program's --method takes.
FFTCONV_API const char* to_string(Mode value) noexcept;
FFTCONV_API const char* to_string(Method value) noexcept;
FFTCONV_API const char* to_string(Boundary value) noexcept;
FFTCONV_API const char* to_string(Planning value) noexcept;
FFTCONV_API const char* to_string(Precision value) noexcept;
FFTCONV_API const char* to_string(NanPolicy value) noexcept;
FFTCONV_API const char* to_string(Operation value) noexcept;
FFTCONV_API const char* to_string(Guarantee value) noexcept;
FFTCONV_API const char* to_string(ErrorCode value) noexcept;
FFTCONV_API const char* to_string(DeconvolutionEdges value) noexcept;
FFTCONV_API const char* to_string(Acceleration value) noexcept;
FFTCONV_API const char* to_string(Regularizer value) noexcept;

/// One enumerator and its name.
template <class E>
struct EnumName {
  E value;
  const char* name;
};

/// Every enumerator of E with its name, in declaration order: a range over a static table.
template <class E>
class EnumNames {
 public:
  constexpr EnumNames(const EnumName<E>* first, const EnumName<E>* last) noexcept
      : first_(first), last_(last) {}
  constexpr const EnumName<E>* begin() const noexcept { return first_; }
  constexpr const EnumName<E>* end() const noexcept { return last_; }
  constexpr std::size_t size() const noexcept { return static_cast<std::size_t>(last_ - first_); }

 private:
  const EnumName<E>* first_;
  const EnumName<E>* last_;
};

/// E's enumerators and names: `for (auto [value, name] : fftconv::names<fftconv::Method>())`.
template <class E>
FFTCONV_API EnumNames<E> names() noexcept;

/// The enumerator of E named `text` (exactly: case and spelling as to_string gives them), or
/// nullopt when no enumerator has that name.
template <class E>
FFTCONV_API std::optional<E> try_parse(std::string_view text) noexcept;

/// The enumerator of E named `text` (as try_parse); any other text is refused with
/// fftconv::Error (invalid_argument) whose message quotes the text and lists E's names:
/// `unknown fftconv::Mode name "sam" (the names are full, same, valid)`.
template <class E>
FFTCONV_API E parse(std::string_view text);

}  // namespace fftconv
