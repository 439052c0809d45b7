// The names of the public enumerations (fftconv/names.hpp): one table per enum, the only place
// an enumerator's name is written. to_string, names, try_parse and parse read the tables; the
// C API, the fftconv program, the tests and the benchmarks go through those.
#include "fftconv/names.hpp"

#include <iterator>
#include <string>

#include "core/enumerators.hpp"
#include "fftconv/accuracy.hpp"
#include "fftconv/deconvolve.hpp"
#include "fftconv/error.hpp"
#include "fftconv/filter.hpp"
#include "fftconv/options.hpp"

namespace fftconv {

namespace {

// Table<E>: E's name for messages and its enumerators with their names, in declaration order.
template <class E>
struct Table;

template <>
struct Table<Mode> {
  static constexpr const char* type = "Mode";
  static constexpr EnumName<Mode> names[] = {
      {Mode::full, "full"}, {Mode::same, "same"}, {Mode::valid, "valid"}};
};
template <>
struct Table<Method> {
  static constexpr const char* type = "Method";
  static constexpr EnumName<Method> names[] = {{Method::automatic, "automatic"},
                                               {Method::direct, "direct"},
                                               {Method::fft, "fft"},
                                               {Method::separable, "separable"},
                                               {Method::overlap_save, "overlap_save"}};
};
template <>
struct Table<Boundary> {
  static constexpr const char* type = "Boundary";
  static constexpr EnumName<Boundary> names[] = {
      {Boundary::zero, "zero"},       {Boundary::constant, "constant"},
      {Boundary::reflect, "reflect"}, {Boundary::mirror, "mirror"},
      {Boundary::nearest, "nearest"}, {Boundary::wrap, "wrap"}};
};
template <>
struct Table<Planning> {
  static constexpr const char* type = "Planning";
  static constexpr EnumName<Planning> names[] = {{Planning::estimate, "estimate"},
                                                 {Planning::measure, "measure"},
                                                 {Planning::patient, "patient"}};
};
template <>
struct Table<Precision> {
  static constexpr const char* type = "Precision";
  static constexpr EnumName<Precision> names[] = {
      {Precision::native, "native"}, {Precision::double_precision, "double_precision"}};
};
template <>
struct Table<NanPolicy> {
  static constexpr const char* type = "NanPolicy";
  static constexpr EnumName<NanPolicy> names[] = {{NanPolicy::propagate, "propagate"},
                                                  {NanPolicy::interpolate, "interpolate"},
                                                  {NanPolicy::fill, "fill"}};
};
template <>
struct Table<Operation> {
  static constexpr const char* type = "Operation";
  static constexpr EnumName<Operation> names[] = {{Operation::convolve, "convolve"},
                                                  {Operation::correlate, "correlate"}};
};
template <>
struct Table<Guarantee> {
  static constexpr const char* type = "Guarantee";
  static constexpr EnumName<Guarantee> names[] = {{Guarantee::worst_case, "worst_case"},
                                                  {Guarantee::probabilistic, "probabilistic"}};
};
template <>
struct Table<ErrorCode> {
  static constexpr const char* type = "ErrorCode";
  static constexpr EnumName<ErrorCode> names[] = {{ErrorCode::invalid_argument, "invalid_argument"},
                                                  {ErrorCode::out_of_memory, "out_of_memory"},
                                                  {ErrorCode::internal, "internal"}};
};
template <>
struct Table<DeconvolutionEdges> {
  static constexpr const char* type = "DeconvolutionEdges";
  static constexpr EnumName<DeconvolutionEdges> names[] = {
      {DeconvolutionEdges::zero, "zero"},
      {DeconvolutionEdges::periodic, "periodic"},
      {DeconvolutionEdges::extended, "extended"}};
};
template <>
struct Table<Acceleration> {
  static constexpr const char* type = "Acceleration";
  static constexpr EnumName<Acceleration> names[] = {{Acceleration::none, "none"},
                                                     {Acceleration::biggs_andrews, "biggs_andrews"}};
};
template <>
struct Table<Regularizer> {
  static constexpr const char* type = "Regularizer";
  static constexpr EnumName<Regularizer> names[] = {{Regularizer::laplacian, "laplacian"},
                                                    {Regularizer::identity, "identity"}};
};

}  // namespace

template <class E>
EnumNames<E> names() noexcept {
  return EnumNames<E>(std::begin(Table<E>::names), std::end(Table<E>::names));
}

template <class E>
std::optional<E> try_parse(std::string_view text) noexcept {
  for (const EnumName<E>& n : Table<E>::names)
    if (text == n.name) return n.value;
  return std::nullopt;
}

template <class E>
E parse(std::string_view text) {
  if (const std::optional<E> value = try_parse<E>(text)) return *value;
  std::string list;
  for (const EnumName<E>& n : Table<E>::names)
    list += (list.empty() ? "" : ", ") + std::string(n.name);
  throw Error(ErrorCode::invalid_argument, "unknown fftconv::" + std::string(Table<E>::type) +
                                               " name \"" + std::string(text) +
                                               "\" (the names are " + list + ")");
}

// For each named enum: to_string, and the templates of names.hpp (exported: the header declares
// them FFTCONV_API).
#define FFTCONV_NAMED_ENUM(E)                                                         \
  template FFTCONV_API EnumNames<E> names<E>() noexcept;                              \
  template FFTCONV_API std::optional<E> try_parse<E>(std::string_view text) noexcept; \
  template FFTCONV_API E parse<E>(std::string_view text);                             \
  const char* to_string(E value) noexcept {                                           \
    const char* name = detail::enumerator_name(value);                                \
    return name ? name : "unknown";                                                   \
  }
FFTCONV_NAMED_ENUM(Mode)
FFTCONV_NAMED_ENUM(Method)
FFTCONV_NAMED_ENUM(Boundary)
FFTCONV_NAMED_ENUM(Planning)
FFTCONV_NAMED_ENUM(Precision)
FFTCONV_NAMED_ENUM(NanPolicy)
FFTCONV_NAMED_ENUM(Operation)
FFTCONV_NAMED_ENUM(Guarantee)
FFTCONV_NAMED_ENUM(ErrorCode)
FFTCONV_NAMED_ENUM(DeconvolutionEdges)
FFTCONV_NAMED_ENUM(Acceleration)
FFTCONV_NAMED_ENUM(Regularizer)
#undef FFTCONV_NAMED_ENUM

}  // namespace fftconv
