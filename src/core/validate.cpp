#include "core/validate.hpp"

#include <algorithm>
#include <array>
#include <cmath>
#include <complex>
#include <cstdlib>
#include <limits>
#include <utility>
#include <vector>

#include "util/check.hpp"
#include "util/parallel.hpp"

namespace fftconv::detail {

bool overlaps_itself(const Shape& shape, const Strides& strides) {
  // (|stride|, extent) of the axes with extent > 1, sorted; a fixed array: no allocation here.
  std::array<std::pair<std::size_t, std::size_t>, max_rank> axes{};
  std::size_t count = 0;
  for (int a = 0; a < shape.rank(); ++a)
    if (shape[a] > 1) axes[count++] = {static_cast<std::size_t>(std::llabs(strides[a])), shape[a]};
  for (std::size_t i = 1; i < count; ++i)  // insertion sort of at most max_rank entries
    for (std::size_t j = i; j > 0 && axes[j] < axes[j - 1]; --j)
      std::swap(axes[j], axes[j - 1]);
  std::size_t span = 0;  // largest offset reachable with the axes so far
  for (std::size_t i = 0; i < count; ++i) {
    const auto [stride, extent] = axes[i];
    if (stride <= span) return true;
    // span + (extent - 1) * stride, saturating: a span beyond size_t cannot be stepped past.
    std::size_t reach = 0;
    if (__builtin_mul_overflow(extent - 1, stride, &reach) ||
        __builtin_add_overflow(span, reach, &span))
      span = static_cast<std::size_t>(-1);
  }
  return false;
}

int resolved_threads(int threads, const char* what) {
  FFTCONV_CHECK(threads >= 0, invalid_argument, what, ": options.threads is ", threads,
                "; use 1 (the default) for one thread, 0 for all hardware threads");
  return usable_threads(threads);
}

template <class T>
double rounded_fill_value(double fill_value, bool used, const char* what) {
  FFTCONV_CHECK(!std::isnan(fill_value), invalid_argument, what, ": options.fill_value is NaN");
  if (!used) return 0;
  // The fill value in the data's precision, as every path uses it (float data: rounded to float
  // once, here, so the widened double core, the reference and error_bound agree with the float
  // paths).
  // (Infinities are kept; a finite value that would round to infinity in T is refused.)
  const double largest = static_cast<double>(std::numeric_limits<T>::max());
  const double half_ulp =
      (largest - static_cast<double>(std::nextafter(std::numeric_limits<T>::max(), T(0)))) / 2;
  FFTCONV_CHECK(std::isinf(fill_value) || std::fabs(fill_value) < largest + half_ulp,
                invalid_argument, what, ": options.fill_value ", fill_value,
                " is outside the range of the data's type (largest ", largest, ")");
  return static_cast<double>(static_cast<T>(fill_value));  // (in range: checked above)
}

template double rounded_fill_value<float>(double, bool, const char*);
template double rounded_fill_value<double>(double, bool, const char*);

namespace {

// A view's strides must name every axis of its shape (a Strides list of another length would
// leave axes with stride 0 and read the wrong elements).
template <class T>
void check_strides(const View<T>& v, const char* view_name, const char* what) {
  FFTCONV_CHECK(v.strides().rank() == v.rank(), invalid_argument, what, ": ", view_name, " has ",
                v.strides().rank(), " strides for rank ", v.rank(), " (shape ",
                to_string(v.shape()), ")");
}

std::string strides_string(const Strides& s) {
  std::string r;
  for (int i = 0; i < s.rank(); ++i)
    r += (i ? "," : "") + std::to_string(s[i]);
  return r;
}

}  // namespace

template <class T>
Call validate_call_setup(const ConstView<T>& kernel, const Shape& image_shape,
                         const Options& options, bool correlate, const char* what) {
  const Mode mode = options.mode;
  FFTCONV_CHECK(is_enumerator(mode), invalid_argument, what, ": options.mode has unknown value ",
                static_cast<int>(mode));
  const Batch batch =
      make_batch(image_shape, kernel.shape(), options.axes, mode, what, options.origin);
  Problem p = make_problem(batch.frame_image(), batch.frame_kernel(), mode, correlate, what,
                           batch.frame_origin());
  check_strides(kernel, "kernel", what);
  FFTCONV_CHECK(kernel.data() != nullptr, invalid_argument, what, ": kernel data is null (shape ",
                to_string(kernel.shape()), ")");
  const Method method = options.method;
  FFTCONV_CHECK(is_enumerator(method), invalid_argument, what,
                ": options.method has unknown value ", static_cast<int>(method));
  const Boundary boundary = options.boundary;
  FFTCONV_CHECK(is_enumerator(boundary), invalid_argument, what,
                ": options.boundary has unknown value ", static_cast<int>(boundary));
  const Planning planning = options.planning;
  FFTCONV_CHECK(is_enumerator(planning), invalid_argument, what,
                ": options.planning has unknown value ", static_cast<int>(planning));
  FFTCONV_CHECK(is_enumerator(options.compute_precision), invalid_argument, what,
                ": options.compute_precision has unknown value ",
                static_cast<int>(options.compute_precision));
  const int threads = resolved_threads(options.threads, what);
  p.boundary = boundary;
  const NanPolicy nan_policy = options.nan_policy;
  FFTCONV_CHECK(is_enumerator(nan_policy), invalid_argument, what,
                ": options.nan_policy has unknown value ", static_cast<int>(nan_policy));
  FFTCONV_CHECK(std::isfinite(options.min_weight) && options.min_weight >= 0, invalid_argument,
                what, ": options.min_weight is ", options.min_weight,
                "; it must be finite and >= 0 (a fraction of the kernel's sum)");
  const bool fill_used = boundary == Boundary::constant || nan_policy == NanPolicy::fill;
  const double rounded_fill = rounded_fill_value<T>(options.fill_value, fill_used, what);
  p.fill_value = boundary == Boundary::constant ? rounded_fill : 0;  // zero means 0
  // (interpolate divides by conv(M, k) along every convolved axis: not a sum of slab terms)
  FFTCONV_CHECK(batch.outer.empty() || nan_policy != NanPolicy::interpolate, invalid_argument, what,
                ": options.nan_policy = interpolate convolves along at most ", core_rank,
                " axes; this call convolves along ", batch.outer.rank() + batch.convolved.rank(),
                " (list at most ", core_rank, " in options.axes, or use propagate or fill)");
  p.nan_policy = nan_policy;
  p.nan_fill = nan_policy == NanPolicy::fill ? rounded_fill : 0;
  p.min_weight = options.min_weight;
  p.preserve_nan = options.preserve_nan;
  p.planning = planning;
  p.threads = threads;
  p.method = method;
  p.compute_precision = options.compute_precision;
  p.normalize_kernel = options.normalize_kernel;
  p.nonnegative = options.nonnegative;
  p.max_memory_bytes = options.max_memory_bytes;
  return Call{batch, p};
}

template <class T>
Problem validate_setup(const ConstView<T>& kernel, const Shape& image_shape, const Options& options,
                       bool correlate, const char* what) {
  const Call call = validate_call_setup(kernel, image_shape, options, correlate, what);
  FFTCONV_CHECK(call.batch.batched.empty(), invalid_argument, what, ": options.axes leaves axis ",
                call.batch.batched.empty() ? 0 : call.batch.batched[0], " of the rank-",
                call.batch.rank,
                " image unconvolved; this function convolves along every axis (no batch axes)");
  return call.frame;
}

namespace {

template <class T>
void check_image(const Shape& expected, const ConstView<T>& image, const char* what) {
  FFTCONV_CHECK(image.shape() == expected, invalid_argument, what, ": image has shape ",
                to_string(image.shape()), ", expected ", to_string(expected));
  check_strides(image, "image", what);
  FFTCONV_CHECK(image.data() != nullptr, invalid_argument, what, ": image data is null (shape ",
                to_string(image.shape()), ")");
}

// An output written element by element must not have two elements at one address.
template <class T>
void check_not_overlapping(const View<T>& out, const char* name, const char* what) {
  FFTCONV_CHECK(!overlaps_itself(out.shape(), out.strides()), invalid_argument, what, ": ", name,
                " strides (", strides_string(out.strides()), ") make elements of its shape ",
                to_string(out.shape()), " share memory");
}

template <class T>
void check_output(const Shape& expected, const Shape& image, const Shape& kernel,
                  const View<T>& out, const char* name, const char* what) {
  check_strides(out, name, what);
  FFTCONV_CHECK(out.shape() == expected, invalid_argument, what, ": ", name, " has shape ",
                to_string(out.shape()), ", expected ", to_string(expected), " for image ",
                to_string(image), " and kernel ", to_string(kernel));
  if (element_count(expected) == 0) return;  // valid mode, kernel longer than the image
  FFTCONV_CHECK(out.data() != nullptr, invalid_argument, what, ": ", name, " data is null (shape ",
                to_string(out.shape()), ")");
  check_not_overlapping(out, name, what);
}

}  // namespace

template <class T>
void validate_image(const Problem& p, const ConstView<T>& image, const char* what) {
  check_image(p.image_shape(), image, what);
}

template <class T>
void validate_image(const Batch& b, const ConstView<T>& image, const char* what) {
  check_image(b.image, image, what);
}

template <class T>
void validate_output(const Problem& p, const View<T>& out, const char* name, const char* what) {
  (void)p.output_count();  // (fftconv::Error if the element count overflows)
  check_output(p.output_shape(), p.image_shape(), p.kernel_shape(), out, name, what);
}

template <class M>
void validate_companion(const ConstView<M>& v, const Shape& shape, const char* name,
                        const char* owner, const char* what) {
  FFTCONV_CHECK(v.shape() == shape, invalid_argument, what, ": ", name, " has shape ",
                to_string(v.shape()), ", expected the ", owner, "'s ", to_string(shape));
  check_strides(v, name, what);
  FFTCONV_CHECK(v.data() != nullptr, invalid_argument, what, ": ", name, " data is null");
}

template <class T>
void validate_same_shape(const ConstView<T>& image, const View<T>& out, const char* what) {
  check_image(image.shape(), image, what);
  validate_companion(ConstView<T>(out), image.shape(), "out", "image", what);
  check_not_overlapping(out, "out", what);
}

template <class T>
void validate_apply(const Batch& b, const ConstView<T>& image, const View<T>& out,
                    const char* what) {
  check_image(b.image, image, what);
  check_output(b.output, b.image, b.kernel, out, "out", what);
}

template Problem validate_setup<float>(const ConstView<float>&, const Shape&, const Options&, bool,
                                       const char*);
template Problem validate_setup<double>(const ConstView<double>&, const Shape&, const Options&,
                                        bool, const char*);
template Call validate_call_setup<float>(const ConstView<float>&, const Shape&, const Options&,
                                         bool, const char*);
template Call validate_call_setup<double>(const ConstView<double>&, const Shape&, const Options&,
                                          bool, const char*);
template void validate_image<float>(const Problem&, const ConstView<float>&, const char*);
template void validate_image<double>(const Problem&, const ConstView<double>&, const char*);
template void validate_image<float>(const Batch&, const ConstView<float>&, const char*);
template void validate_image<double>(const Batch&, const ConstView<double>&, const char*);
template void validate_output<float>(const Problem&, const View<float>&, const char*, const char*);
template void validate_output<double>(const Problem&, const View<double>&, const char*,
                                      const char*);
template void validate_companion<bool>(const ConstView<bool>&, const Shape&, const char*,
                                       const char*, const char*);
template void validate_companion<unsigned char>(const ConstView<unsigned char>&, const Shape&,
                                                const char*, const char*, const char*);
template void validate_companion<float>(const ConstView<float>&, const Shape&, const char*,
                                        const char*, const char*);
template void validate_companion<double>(const ConstView<double>&, const Shape&, const char*,
                                         const char*, const char*);
template void validate_companion<std::complex<float>>(const ConstView<std::complex<float>>&,
                                                      const Shape&, const char*, const char*,
                                                      const char*);
template void validate_companion<std::complex<double>>(const ConstView<std::complex<double>>&,
                                                       const Shape&, const char*, const char*,
                                                       const char*);
template void validate_same_shape<float>(const ConstView<float>&, const View<float>&, const char*);
template void validate_same_shape<double>(const ConstView<double>&, const View<double>&,
                                          const char*);
template void validate_apply<float>(const Batch&, const ConstView<float>&, const View<float>&,
                                    const char*);
template void validate_apply<double>(const Batch&, const ConstView<double>&, const View<double>&,
                                     const char*);

}  // namespace fftconv::detail
