// The C API over the C++ core: argument checks for what C can get wrong (NULL pointers, ranks),
// conversion to views and Options, and every exception turned into a status plus a thread-local
// message. No exception crosses this boundary.
#include "fftconv/fftconv.h"

#include <algorithm>
#include <climits>
#include <complex>
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstring>
#include <iterator>
#include <memory>
#include <new>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

#include "api/c_api_support.hpp"
#include "core/enumerators.hpp"
#include "fftconv/deconvolve.hpp"
#include "fftconv/filter.hpp"
#include "fftconv/masked.hpp"
#include "fftconv/match.hpp"
#include "fftconv/names.hpp"
#include "science/byte_masks.hpp"
#include "util/check.hpp"
#include "util/checked_math.hpp"

using fftconv::detail::c_api::check_pointer;
using fftconv::detail::c_api::cpp;
using fftconv::detail::c_api::cpp_t;
using fftconv::detail::c_api::guarded;
using fftconv::detail::c_api::init_struct;
using fftconv::detail::c_api::read_flag;
using fftconv::detail::c_api::read_struct;
using fftconv::detail::c_api::set_error;
using fftconv::detail::c_api::to_shape;

namespace fftconv::detail::c_api {
char* last_error_buffer() noexcept {
  static thread_local char buffer[last_error_size] = "";
  return buffer;
}
}  // namespace fftconv::detail::c_api

struct fftconv_filter {
  std::variant<fftconv::Filter<float>, fftconv::Filter<double>,
               fftconv::Filter<std::complex<float>>, fftconv::Filter<std::complex<double>>>
      filter;
};

namespace {

// The sizes of every released layout of fftconv_options, oldest first (fftconv.h): 0.3's, the
// first with struct_size (up to nonnegative), 0.4's (axes_mask), 0.5's (origin). A release that
// appends fields adds its sizeof here.
constexpr std::size_t options_sizes[] = {offsetof(fftconv_options, axes_mask),
                                         offsetof(fftconv_options, origin),
                                         sizeof(fftconv_options)};
static_assert(sizeof(fftconv_options::origin) / sizeof(ptrdiff_t) == fftconv::max_rank);

// This library's fftconv_options with the C++ Options defaults (struct_size its own).
fftconv_options default_options() {
  const fftconv::Options d;
  fftconv_options c;
  c.struct_size = sizeof c;
  c.mode = static_cast<int>(d.mode);
  c.boundary = static_cast<int>(d.boundary);
  c.fill_value = d.fill_value;
  c.method = static_cast<int>(d.method);
  c.threads = d.threads;
  c.planning = static_cast<int>(d.planning);
  c.nan_policy = static_cast<int>(d.nan_policy);
  c.min_weight = d.min_weight;
  c.preserve_nan = d.preserve_nan;
  c.normalize_kernel = d.normalize_kernel;
  c.min_overlap = d.min_overlap;
  c.max_memory_bytes = d.max_memory_bytes;
  c.compute_precision = static_cast<int>(d.compute_precision);
  c.nonnegative = d.nonnegative;
  c.axes_mask = 0;  // every axis, as an empty d.axes
  for (ptrdiff_t& o : c.origin)
    o = 0;  // no shift, as an empty d.origin
  return c;
}

// The caller's options in this library's layout (c_api_support.hpp's read_struct).
fftconv_options read_options(const fftconv_options* options, const char* what) {
  return read_struct(options, default_options(), options_sizes, "fftconv_options", what);
}

std::string hex(unsigned value) {
  char text[2 * sizeof value + 1];
  std::snprintf(text, sizeof text, "%x", value);
  return text;
}

// Enum values are passed through unchecked: the C++ validation refuses unknown ones by name.
// `rank`: the arrays' (origin's entries beyond it must be 0).
fftconv::Options to_options(const fftconv_options* options, int rank, const char* what) {
  const fftconv_options c = read_options(options, what);
  fftconv::Options o;
  o.mode = static_cast<fftconv::Mode>(c.mode);
  o.boundary = static_cast<fftconv::Boundary>(c.boundary);
  o.fill_value = c.fill_value;
  o.method = static_cast<fftconv::Method>(c.method);
  o.threads = c.threads;
  o.planning = static_cast<fftconv::Planning>(c.planning);
  o.nan_policy = static_cast<fftconv::NanPolicy>(c.nan_policy);
  o.min_weight = c.min_weight;
  o.preserve_nan = read_flag(c.preserve_nan, what, "options.preserve_nan");
  o.normalize_kernel = read_flag(c.normalize_kernel, what, "options.normalize_kernel");
  o.min_overlap = c.min_overlap;
  o.max_memory_bytes = c.max_memory_bytes;
  o.compute_precision = static_cast<fftconv::Precision>(c.compute_precision);
  o.nonnegative = read_flag(c.nonnegative, what, "options.nonnegative");
  for (int axis = 0; axis < static_cast<int>(sizeof c.axes_mask * CHAR_BIT); ++axis) {
    if (!(c.axes_mask >> axis & 1u)) continue;
    FFTCONV_CHECK(axis < fftconv::max_rank, invalid_argument, what, ": options.axes_mask 0x",
                  hex(c.axes_mask), " has bit ", axis, " set; axes are 0 to ",
                  fftconv::max_rank - 1);
    o.axes.push_back(axis);
  }
  bool shifted = false;
  for (int axis = 0; axis < fftconv::max_rank; ++axis) {
    const ptrdiff_t shift = c.origin[axis];
    FFTCONV_CHECK(shift == 0 || axis < rank, invalid_argument, what, ": options.origin[", axis,
                  "] is ", shift, " for rank-", rank,
                  " arrays (entries from the rank on must be 0)");
    shifted = shifted || shift != 0;
  }
  for (int axis = 0; shifted && axis < rank; ++axis)
    o.origin.push_back(c.origin[axis]);
  return o;
}

// The enum fields of fftconv_options, each with its enum's names (fftconv/names.hpp) over ints.
struct EnumField {
  const char* field;
  const char* (*name)(int value);       // nullptr for a value outside the enum
  int (*value)(std::string_view name);  // fftconv::parse: throws for an unknown name
  std::string (*values)();              // "0 full, 1 same, 2 valid", for messages
};

template <class E>
const char* enum_name(int value) {
  return fftconv::detail::enumerator_name(static_cast<E>(value));
}
template <class E>
int enum_value(std::string_view name) {
  return static_cast<int>(fftconv::parse<E>(name));
}
template <class E>
std::string enum_values() {
  std::string list;
  for (const auto& n : fftconv::names<E>())
    list += (list.empty() ? "" : ", ") + std::to_string(static_cast<int>(n.value)) + " " + n.name;
  return list;
}
template <class E>
constexpr EnumField enum_field(const char* field) {
  return {field, enum_name<E>, enum_value<E>, enum_values<E>};
}

constexpr EnumField enum_fields[] = {enum_field<fftconv::Mode>("mode"),
                                     enum_field<fftconv::Boundary>("boundary"),
                                     enum_field<fftconv::Method>("method"),
                                     enum_field<fftconv::Planning>("planning"),
                                     enum_field<fftconv::NanPolicy>("nan_policy"),
                                     enum_field<fftconv::Precision>("compute_precision"),
                                     enum_field<fftconv::DeconvolutionEdges>("edges"),
                                     enum_field<fftconv::Acceleration>("acceleration"),
                                     enum_field<fftconv::Regularizer>("regularizer")};

const EnumField& find_enum_field(const char* field, const char* what) {
  check_pointer(field, what, "field");
  std::string known;
  for (const EnumField& f : enum_fields) {
    if (std::strcmp(f.field, field) == 0) return f;
    known += (known.empty() ? "" : ", ") + std::string(f.field);
  }
  fftconv::detail::fail(
      fftconv::ErrorCode::invalid_argument, what, ": field \"", field,
      "\" is not an enum field of fftconv_options or fftconv_deconvolution_options (", known, ")");
}

/// What every array call checks first: the shapes, the input pointers and the options, and the
/// output shape (for `mode`, or the options' mode) whose pointer must be non-NULL when it has
/// elements.
struct Call {
  fftconv::Shape image, kernel, out;
  fftconv::Options options;
};
template <class I, class K>
Call checked_call(int rank, const size_t* image_shape, const I* image, const size_t* kernel_shape,
                  const K* kernel, const char* kernel_name, const void* out, const char* out_name,
                  const fftconv_options* options, const char* what,
                  const fftconv::Mode* mode = nullptr) {
  Call c;
  c.image = to_shape(rank, image_shape, what, "image_shape");
  c.kernel = to_shape(rank, kernel_shape, what, (std::string(kernel_name) + "_shape").c_str());
  check_pointer(image, what, "image");
  check_pointer(kernel, what, kernel_name);
  c.options = to_options(options, rank, what);
  fftconv::Options shape_options = c.options;
  if (mode) shape_options.mode = *mode;
  c.out = fftconv::output_shape(c.image, c.kernel, shape_options);
  if (fftconv::element_count(c.out) > 0) check_pointer(out, what, out_name);
  return c;
}

// The masks go to the C++ computation as the caller's bytes: it validates every argument, in the
// C++ entry points' order, and checks the memory limit before it copies anything.
template <class T>
int masked(int rank, const size_t* image_shape, const T* image, const unsigned char* mask,
           const size_t* kernel_shape, const T* kernel, T* values, T* weight,
           const fftconv_options* options, const char* what) {
  return guarded([&] {
    const Call c = checked_call(rank, image_shape, image, kernel_shape, kernel, "kernel", values,
                                "values", options, what);
    const fftconv::ConstView<unsigned char> m(mask, c.image);
    fftconv::detail::convolve_masked_bytes(
        fftconv::ConstView<T>(image, c.image), mask ? &m : nullptr,
        fftconv::ConstView<T>(kernel, c.kernel), fftconv::View<T>(values, c.out),
        weight ? fftconv::View<T>(weight, c.out) : fftconv::View<T>(), c.options);
  });
}

template <class T>
int match(int rank, const size_t* image_shape, const T* image, const size_t* templ_shape,
          const T* templ, const unsigned char* templ_mask, T* score, const fftconv_options* options,
          const char* what) {
  return guarded([&] {
    const fftconv::Mode valid = fftconv::Mode::valid;
    const Call c = checked_call(rank, image_shape, image, templ_shape, templ, "templ", score,
                                "score", options, what, &valid);
    const fftconv::ConstView<unsigned char> m(templ_mask, c.kernel);
    fftconv::detail::match_template_bytes(
        fftconv::ConstView<T>(image, c.image), fftconv::ConstView<T>(templ, c.kernel),
        templ_mask ? &m : nullptr, fftconv::View<T>(score, c.out), c.options);
  });
}

template <class I, class K, class O>
int run(bool correlate, int rank, const size_t* image_shape, const I* image,
        const size_t* kernel_shape, const K* kernel, O* out, const fftconv_options* options,
        const char* what) {
  return guarded([&] {
    const Call c = checked_call(rank, image_shape, image, kernel_shape, kernel, "kernel", out,
                                "out", options, what);
    const fftconv::ConstView<cpp_t<I>> iv(cpp(image), c.image);
    const fftconv::ConstView<cpp_t<K>> kv(cpp(kernel), c.kernel);
    const fftconv::View<cpp_t<O>> ov(cpp(out), c.out);
    if (correlate)
      fftconv::correlate(iv, kv, ov, c.options);
    else
      fftconv::convolve(iv, kv, ov, c.options);
  });
}

template <class C>
int create(fftconv_filter** filter, int rank, const size_t* image_shape, const size_t* kernel_shape,
           const C* kernel, int correlate, const fftconv_options* options, const char* what) {
  using T = cpp_t<C>;
  return guarded([&] {
    check_pointer(filter, what, "filter");
    const fftconv::Shape is = to_shape(rank, image_shape, what, "image_shape");
    const fftconv::Shape ks = to_shape(rank, kernel_shape, what, "kernel_shape");
    check_pointer(kernel, what, "kernel");
    FFTCONV_CHECK(correlate == 0 || correlate == 1, invalid_argument, what,
                  ": correlate must be 0 or 1, got ", correlate);
    auto made = std::make_unique<fftconv_filter>(fftconv_filter{
        fftconv::Filter<T>(fftconv::ConstView<T>(cpp(kernel), ks), is,
                           correlate ? fftconv::Operation::correlate : fftconv::Operation::convolve,
                           to_options(options, rank, what))});
    *filter = made.release();
  });
}

// What a filter handle holds, as its functions' suffix names it.
const char* data_name(const fftconv_filter& filter) {
  constexpr const char* names[] = {"float (_f32)", "double (_f64)", "complex float (_c64)",
                                   "complex double (_c128)"};
  return names[filter.filter.index()];
}

template <class C>
int apply(const fftconv_filter* filter, const C* image, C* out, const char* what) {
  using T = cpp_t<C>;
  return guarded([&] {
    check_pointer(filter, what, "filter");
    const auto* f = std::get_if<fftconv::Filter<T>>(&filter->filter);
    FFTCONV_CHECK(f != nullptr, invalid_argument, what, ": the filter was created for ",
                  data_name(*filter), " data");
    check_pointer(image, what, "image");
    if (fftconv::element_count(f->output_shape()) > 0) check_pointer(out, what, "out");
    f->apply(fftconv::ConstView<T>(cpp(image), f->image_shape()),
             fftconv::View<T>(cpp(out), f->output_shape()));
  });
}

}  // namespace

extern "C" {

int fftconv_options_init(fftconv_options* options, size_t struct_size) {
  const char* what = "fftconv_options_init";
  return guarded([&] {
    init_struct(options, struct_size, default_options(), options_sizes, "fftconv_options", what);
  });
}

// (The name in parentheses: fftconv.h also defines it as a macro over fftconv_options_init.)
int(fftconv_options_default)(fftconv_options* options) {
  return fftconv_options_init(options, sizeof(fftconv_options));
}

const char* fftconv_last_error(void) {
  return fftconv::detail::c_api::last_error_buffer();
}

int fftconv_option_name(const char* field, int value, const char** name) {
  const char* what = "fftconv_option_name";
  return guarded([&] {
    const EnumField& f = find_enum_field(field, what);
    check_pointer(name, what, "name");
    const char* found = f.name(value);
    FFTCONV_CHECK(found != nullptr, invalid_argument, what, ": ", value, " is not an options.",
                  f.field, " value (", f.values(), ")");
    *name = found;
  });
}

int fftconv_option_value(const char* field, const char* name, int* value) {
  const char* what = "fftconv_option_value";
  return guarded([&] {
    const EnumField& f = find_enum_field(field, what);
    check_pointer(name, what, "name");
    check_pointer(value, what, "value");
    try {
      *value = f.value(name);
    } catch (const fftconv::Error& e) {
      throw fftconv::Error(e.code(), std::string(what) + ": options." + f.field + ": " + e.what());
    }
  });
}

int fftconv_output_shape(int rank, const size_t* image_shape, const size_t* kernel_shape, int mode,
                         size_t* out_shape) {
  const char* what = "fftconv_output_shape";
  return guarded([&] {
    const fftconv::Shape is = to_shape(rank, image_shape, what, "image_shape");
    const fftconv::Shape ks = to_shape(rank, kernel_shape, what, "kernel_shape");
    check_pointer(out_shape, what, "out_shape");
    const fftconv::Shape os = fftconv::output_shape(is, ks, static_cast<fftconv::Mode>(mode));
    for (int i = 0; i < rank; ++i)
      out_shape[i] = os[i];
  });
}

int fftconv_convolve_f64(int rank, const size_t* image_shape, const double* image,
                         const size_t* kernel_shape, const double* kernel, double* out,
                         const fftconv_options* options) {
  return run(false, rank, image_shape, image, kernel_shape, kernel, out, options,
             "fftconv_convolve_f64");
}
int fftconv_correlate_f64(int rank, const size_t* image_shape, const double* image,
                          const size_t* kernel_shape, const double* kernel, double* out,
                          const fftconv_options* options) {
  return run(true, rank, image_shape, image, kernel_shape, kernel, out, options,
             "fftconv_correlate_f64");
}
int fftconv_convolve_f32(int rank, const size_t* image_shape, const float* image,
                         const size_t* kernel_shape, const float* kernel, float* out,
                         const fftconv_options* options) {
  return run(false, rank, image_shape, image, kernel_shape, kernel, out, options,
             "fftconv_convolve_f32");
}
int fftconv_correlate_f32(int rank, const size_t* image_shape, const float* image,
                          const size_t* kernel_shape, const float* kernel, float* out,
                          const fftconv_options* options) {
  return run(true, rank, image_shape, image, kernel_shape, kernel, out, options,
             "fftconv_correlate_f32");
}

int fftconv_convolve_c64(int rank, const size_t* image_shape, const fftconv_c64* image,
                         const size_t* kernel_shape, const fftconv_c64* kernel, fftconv_c64* out,
                         const fftconv_options* options) {
  return run(false, rank, image_shape, image, kernel_shape, kernel, out, options,
             "fftconv_convolve_c64");
}
int fftconv_convolve_c128(int rank, const size_t* image_shape, const fftconv_c128* image,
                          const size_t* kernel_shape, const fftconv_c128* kernel, fftconv_c128* out,
                          const fftconv_options* options) {
  return run(false, rank, image_shape, image, kernel_shape, kernel, out, options,
             "fftconv_convolve_c128");
}
int fftconv_convolve_f32_c64(int rank, const size_t* image_shape, const float* image,
                             const size_t* kernel_shape, const fftconv_c64* kernel,
                             fftconv_c64* out, const fftconv_options* options) {
  return run(false, rank, image_shape, image, kernel_shape, kernel, out, options,
             "fftconv_convolve_f32_c64");
}
int fftconv_convolve_c64_f32(int rank, const size_t* image_shape, const fftconv_c64* image,
                             const size_t* kernel_shape, const float* kernel, fftconv_c64* out,
                             const fftconv_options* options) {
  return run(false, rank, image_shape, image, kernel_shape, kernel, out, options,
             "fftconv_convolve_c64_f32");
}
int fftconv_convolve_f64_c128(int rank, const size_t* image_shape, const double* image,
                              const size_t* kernel_shape, const fftconv_c128* kernel,
                              fftconv_c128* out, const fftconv_options* options) {
  return run(false, rank, image_shape, image, kernel_shape, kernel, out, options,
             "fftconv_convolve_f64_c128");
}
int fftconv_convolve_c128_f64(int rank, const size_t* image_shape, const fftconv_c128* image,
                              const size_t* kernel_shape, const double* kernel, fftconv_c128* out,
                              const fftconv_options* options) {
  return run(false, rank, image_shape, image, kernel_shape, kernel, out, options,
             "fftconv_convolve_c128_f64");
}
int fftconv_correlate_c64(int rank, const size_t* image_shape, const fftconv_c64* image,
                          const size_t* kernel_shape, const fftconv_c64* kernel, fftconv_c64* out,
                          const fftconv_options* options) {
  return run(true, rank, image_shape, image, kernel_shape, kernel, out, options,
             "fftconv_correlate_c64");
}
int fftconv_correlate_c128(int rank, const size_t* image_shape, const fftconv_c128* image,
                           const size_t* kernel_shape, const fftconv_c128* kernel,
                           fftconv_c128* out, const fftconv_options* options) {
  return run(true, rank, image_shape, image, kernel_shape, kernel, out, options,
             "fftconv_correlate_c128");
}
int fftconv_correlate_f32_c64(int rank, const size_t* image_shape, const float* image,
                              const size_t* kernel_shape, const fftconv_c64* kernel,
                              fftconv_c64* out, const fftconv_options* options) {
  return run(true, rank, image_shape, image, kernel_shape, kernel, out, options,
             "fftconv_correlate_f32_c64");
}
int fftconv_correlate_c64_f32(int rank, const size_t* image_shape, const fftconv_c64* image,
                              const size_t* kernel_shape, const float* kernel, fftconv_c64* out,
                              const fftconv_options* options) {
  return run(true, rank, image_shape, image, kernel_shape, kernel, out, options,
             "fftconv_correlate_c64_f32");
}
int fftconv_correlate_f64_c128(int rank, const size_t* image_shape, const double* image,
                               const size_t* kernel_shape, const fftconv_c128* kernel,
                               fftconv_c128* out, const fftconv_options* options) {
  return run(true, rank, image_shape, image, kernel_shape, kernel, out, options,
             "fftconv_correlate_f64_c128");
}
int fftconv_correlate_c128_f64(int rank, const size_t* image_shape, const fftconv_c128* image,
                               const size_t* kernel_shape, const double* kernel, fftconv_c128* out,
                               const fftconv_options* options) {
  return run(true, rank, image_shape, image, kernel_shape, kernel, out, options,
             "fftconv_correlate_c128_f64");
}
int fftconv_filter_create_c64(fftconv_filter** filter, int rank, const size_t* image_shape,
                              const size_t* kernel_shape, const fftconv_c64* kernel, int correlate,
                              const fftconv_options* options) {
  return create(filter, rank, image_shape, kernel_shape, kernel, correlate, options,
                "fftconv_filter_create_c64");
}
int fftconv_filter_apply_c64(const fftconv_filter* filter, const fftconv_c64* image,
                             fftconv_c64* out) {
  return apply(filter, image, out, "fftconv_filter_apply_c64");
}
int fftconv_filter_create_c128(fftconv_filter** filter, int rank, const size_t* image_shape,
                               const size_t* kernel_shape, const fftconv_c128* kernel,
                               int correlate, const fftconv_options* options) {
  return create(filter, rank, image_shape, kernel_shape, kernel, correlate, options,
                "fftconv_filter_create_c128");
}
int fftconv_filter_apply_c128(const fftconv_filter* filter, const fftconv_c128* image,
                              fftconv_c128* out) {
  return apply(filter, image, out, "fftconv_filter_apply_c128");
}

int fftconv_filter_create_f64(fftconv_filter** filter, int rank, const size_t* image_shape,
                              const size_t* kernel_shape, const double* kernel, int correlate,
                              const fftconv_options* options) {
  return create(filter, rank, image_shape, kernel_shape, kernel, correlate, options,
                "fftconv_filter_create_f64");
}
int fftconv_filter_create_f32(fftconv_filter** filter, int rank, const size_t* image_shape,
                              const size_t* kernel_shape, const float* kernel, int correlate,
                              const fftconv_options* options) {
  return create(filter, rank, image_shape, kernel_shape, kernel, correlate, options,
                "fftconv_filter_create_f32");
}
int fftconv_filter_apply_f64(const fftconv_filter* filter, const double* image, double* out) {
  return apply(filter, image, out, "fftconv_filter_apply_f64");
}
int fftconv_filter_apply_f32(const fftconv_filter* filter, const float* image, float* out) {
  return apply(filter, image, out, "fftconv_filter_apply_f32");
}
int fftconv_filter_method(const fftconv_filter* filter) {
  int method = -1;
  guarded([&] {
    check_pointer(filter, "fftconv_filter_method", "filter");
    method = static_cast<int>(std::visit([](const auto& f) { return f.method(); }, filter->filter));
  });
  return method;
}
void fftconv_filter_destroy(fftconv_filter* filter) {
  delete filter;
}

int fftconv_convolve_masked_f64(int rank, const size_t* image_shape, const double* image,
                                const unsigned char* mask, const size_t* kernel_shape,
                                const double* kernel, double* values, double* weight,
                                const fftconv_options* options) {
  return masked(rank, image_shape, image, mask, kernel_shape, kernel, values, weight, options,
                "fftconv_convolve_masked_f64");
}
int fftconv_convolve_masked_f32(int rank, const size_t* image_shape, const float* image,
                                const unsigned char* mask, const size_t* kernel_shape,
                                const float* kernel, float* values, float* weight,
                                const fftconv_options* options) {
  return masked(rank, image_shape, image, mask, kernel_shape, kernel, values, weight, options,
                "fftconv_convolve_masked_f32");
}
int fftconv_match_template_f64(int rank, const size_t* image_shape, const double* image,
                               const size_t* templ_shape, const double* templ,
                               const unsigned char* templ_mask, double* score,
                               const fftconv_options* options) {
  return match(rank, image_shape, image, templ_shape, templ, templ_mask, score, options,
               "fftconv_match_template_f64");
}
int fftconv_match_template_f32(int rank, const size_t* image_shape, const float* image,
                               const size_t* templ_shape, const float* templ,
                               const unsigned char* templ_mask, float* score,
                               const fftconv_options* options) {
  return match(rank, image_shape, image, templ_shape, templ, templ_mask, score, options,
               "fftconv_match_template_f32");
}
int fftconv_find_peaks_f64(int rank, const size_t* shape, const double* score, double threshold,
                           size_t min_distance, size_t max_peaks, double* positions, double* values,
                           size_t* count) {
  const char* what = "fftconv_find_peaks_f64";
  return guarded([&] {
    const fftconv::Shape s = to_shape(rank, shape, what, "shape");
    check_pointer(count, what, "count");
    if (fftconv::element_count(s) > 0) check_pointer(score, what, "score");
    if (max_peaks > 0) {
      check_pointer(positions, what, "positions");
      check_pointer(values, what, "values");
    }
    const std::vector<fftconv::Peak> peaks =
        fftconv::find_peaks(fftconv::ConstView<double>(score, s), threshold, min_distance);
    const std::size_t n = std::min(max_peaks, peaks.size());
    for (std::size_t i = 0; i < n; ++i) {
      for (int a = 0; a < rank; ++a)
        positions[i * static_cast<std::size_t>(rank) + static_cast<std::size_t>(a)] =
            peaks[i].position[static_cast<std::size_t>(a)];
      values[i] = peaks[i].value;
    }
    *count = n;
  });
}

}  // extern "C"
