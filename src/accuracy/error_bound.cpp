// error_bound: an a-priori bound on the error of the method the options select.
//
// Each path's error model lives beside the path: direct/error_model.hpp (the direct path and the
// separable passes), fft/error_model.hpp (the FFT path and overlap-save). This file composes
// them: it reads the plan's analysis of the kernel (core/kernel_info.hpp) and its method, computes
// the data's norms and S, picks the method's model and adds the terms every method shares (a folded
// kernel's sums, the rounding to float of a widened call, underflow, overflow).
#include <algorithm>
#include <array>
#include <cmath>
#include <limits>
#include <optional>
#include <type_traits>
#include <vector>

#include "core/batched_pipeline.hpp"
#include "core/complex_pipeline.hpp"
#include "core/kernel_info.hpp"
#include "core/plan.hpp"
#include "core/tap_sum.hpp"
#include "core/validate.hpp"
#include "direct/direct_path.hpp"
#include "direct/error_model.hpp"
#include "direct/separable.hpp"
#include "fft/error_model.hpp"
#include "fftconv/accuracy.hpp"
#include "stages/kernel_normalization.hpp"
#include "util/check.hpp"
#include "util/copy.hpp"
#include "util/rounding.hpp"
#include "util/rounding_error.hpp"

namespace fftconv {

namespace {

constexpr const char* bound_name = "fftconv::error_bound";

using detail::gamma;
using detail::Norms;
using detail::unit_roundoff;

template <class T>
bool all_finite(const ConstView<T>& v3) {
  bool finite = true;
  detail::for_each_element(v3, [&](T x) { finite = finite && std::isfinite(x); });
  return finite;
}

/// |v| as a dense double array of v's (canonical rank-3) shape.
/// The separable passes' model for the plan's factors (the separable method was chosen, so the
/// plan looked for them and found them).
template <class C>
detail::SeparablePasses separable_passes_of(const detail::SeparableFactors<C>* factors,
                                            std::size_t width) {
  FFTCONV_CHECK(factors != nullptr, internal, "the separable method without factors");
  return detail::separable_passes(*factors, width);
}

template <class T>
std::vector<double> abs_dense(const ConstView<T>& v3) {
  return detail::dense_values<double>(v3, [](T x) { return std::fabs(static_cast<double>(x)); });
}

/// S = max over outputs of sum |terms|, rounded up: computed in double by the library on |image|
/// and `kernel` (the kernel's |values|, dense; separable: K'), with |ext(I)| = ext(|I|) and
/// |fill|, plus that computation's own error bound (`depth`: the direct depth of `kernel`).
template <class T>
double abs_sum_max(const detail::Problem& p, const ConstView<T>& image3,
                   const std::vector<double>& kernel, double depth, const Options& options,
                   const Norms& norms, double folded) {
  std::vector<double> image = abs_dense(image3);
  std::vector<double> out(p.output_count());
  Shape in_shape, k_shape, out_shape;
  for (const detail::Axis& a : p.axes) {
    in_shape.push_back(a.n);
    k_shape.push_back(a.k);
    out_shape.push_back(a.out);
  }
  Options o;
  o.mode = options.mode;
  o.boundary = options.boundary;
  o.fill_value = std::fabs(p.fill_value);
  o.threads = p.threads;
  if (o.mode == Mode::same)  // the window as the call has it (Options::origin, canonical rank)
    for (const detail::Axis& a : p.axes)
      o.origin.push_back(static_cast<std::ptrdiff_t>(a.start) -
                         static_cast<std::ptrdiff_t>((a.k - 1) / 2));
  const ConstView<double> iv(image.data(), in_shape), kv(kernel.data(), k_shape);
  // direct or the whole-problem fft, whose errors the return value covers (norms: the fft
  // buffer's, or the extended image's, which is at least as large)
  const Method chosen = fftconv::chosen_method(kv, in_shape, o);
  o.method = chosen == Method::fft || chosen == Method::overlap_save ? Method::fft : Method::direct;
  const View<double> ov(out.data(), out_shape);
  if (p.correlate)
    fftconv::correlate(iv, kv, ov, o);
  else
    fftconv::convolve(iv, kv, ov, o);
  double s = 0;
  for (double v : out) {
    if (!std::isfinite(v)) return std::numeric_limits<double>::infinity();  // S overflowed
    s = std::max(s, v);
  }
  // Whichever method computed S, its error is within these (direct: relative; fft: absolute).
  const double u = unit_roundoff<double>;
  return s * (1 + gamma(depth, u) + gamma(folded - 1, u)) + detail::fft_bound(p, norms, u);
}

/// Rounding in the subnormal range errs by up to half the smallest subnormal, whatever the
/// size of the value: an absolute term, negligible unless the data are tiny (the path's model
/// counts how many: direct_underflow, fft_underflow).
template <class C>
double underflow_term(const detail::Problem& p, bool spatial, const Norms& n, double taps) {
  const double tiny = std::numeric_limits<C>::denorm_min();
  return spatial ? detail::direct_underflow(taps, tiny) : detail::fft_underflow(p, n, tiny);
}

/// Whether the computation in C may overflow (spectra reach ||a||_1 ||b||_1; direct sums S):
/// then no finite bound holds.
template <class C>
bool may_overflow(bool spatial, const Norms& n, double s) {
  const double headroom = static_cast<double>(std::numeric_limits<C>::max()) / 16;
  if (spatial) return !(s < headroom);
  return !(n.a1 < headroom && n.b1 < headroom && n.a1 * n.b1 < headroom);
}

// The bound for one frame of the call: problem p, canonical rank-3 views of its image and kernel.
template <class T>
// `outputs`: every output of the call (all frames and parts), which the probabilistic bound's
// union covers.
double frame_bound(const detail::Problem& p, const ConstView<T>& image3,
                   const ConstView<T>& kernel_frame3, const Options& options, Guarantee guarantee,
                   double outputs) {
  double result = 0;
  // The kernel as the plan analyses it, then (data permitting) the method the plan chooses.
  const detail::KernelInfo<T> kernel_info(p, kernel_frame3);
  const ConstView<T> kernel3 = kernel_info.values();
  if (!all_finite(image3) || !all_finite(kernel3) || !std::isfinite(p.fill_value)) {
    return std::numeric_limits<double>::infinity();
  }
  const bool widened = detail::widens<T>(p);
  const Method method = detail::choose_method(p, kernel_info).method;
  const double u = widened ? unit_roundoff<double> : unit_roundoff<T>;
  const bool spatial = method == Method::direct || method == Method::separable;
  const bool tiled = method == Method::overlap_save;
  const detail::Problem fp = detail::transformed_problem(p, tiled);
  Norms norms;
  detail::region_norms(detail::transformed_image_maps(p, tiled), p.fill_value, image3, norms);
  const std::vector<double> abs_kernel = abs_dense(kernel3);
  const double folded =
      detail::kernel_norms(fp, ConstView<double>(abs_kernel.data(), kernel3.shape()), norms);
  if (!spatial && guarantee == Guarantee::probabilistic)
    norms.b_hat = std::min(norms.b1, detail::kernel_spectrum_max(fp, kernel3));
  const std::size_t width = kernel3.extent(2);
  const detail::SeparablePasses passes =
      method != Method::separable
          ? detail::SeparablePasses{}
          : (widened ? separable_passes_of(kernel_info.template factors<double>(), width)
                     : separable_passes_of(kernel_info.template factors<T>(), width));
  const double depth =
      method == Method::separable ? passes.depth : static_cast<double>(kernel_info.direct_depth());
  const bool folds = !spatial && folded > 1;
  const double s =
      spatial || widened || folds
          ? abs_sum_max(p, image3, passes.magnitudes.empty() ? abs_kernel : passes.magnitudes,
                        passes.magnitudes.empty() ? static_cast<double>(kernel_info.direct_depth())
                                                  : passes.magnitudes_depth,
                        options, norms, folded)
          : 0;
  // (A probabilistic bound is never worse than the worst case: the smaller one holds.)
  if (spatial)
    result = std::min(detail::direct_factor(outputs, depth, u, Guarantee::worst_case),
                      detail::direct_factor(outputs, depth, u, guarantee)) *
             s;
  else
    result = guarantee == Guarantee::worst_case
                 ? detail::fft_bound(fp, norms, u)
                 : std::min(detail::fft_bound(fp, norms, u),
                            detail::fft_probable(fp, norms, u, outputs));
  // Folding a long kernel sums up to `folded` values per bin: gamma(folded - 1) of their
  // |sum|, which reaches the output through at most S.
  if (folds) result += gamma(folded - 1, u) * s;
  if (widened)  // the final rounding to float, relative or (underflow) absolute
    result += unit_roundoff<float> * s +
              static_cast<double>(std::numeric_limits<float>::denorm_min()) / 2;
  const double taps = method == Method::separable ? passes.underflow_taps
                                                  : static_cast<double>(kernel_info.nonzero());
  result += widened ? underflow_term<double>(fp, spatial, norms, taps)
                    : underflow_term<T>(fp, spatial, norms, taps);
  // (the separable first pass: sums up to sum |row factor| max |value|)
  const double first_pass = passes.row_l1 * norms.a_max;
  if (widened ? may_overflow<double>(spatial, norms, std::max(s, first_pass))
              : may_overflow<T>(spatial, norms, std::max(s, first_pass)))
    result = std::numeric_limits<double>::infinity();
  // Float data computed in double: the result itself (|result| <= S) must fit in float.
  if (widened && !(s * (1 + 2 * unit_roundoff<float>) <
                   static_cast<double>(std::numeric_limits<float>::max())))
    result = std::numeric_limits<double>::infinity();
  return result;
}

/// A bound on one part of a complex result, and on that part's magnitude: the sum of its terms'
/// bounds, plus the rounding of adding two terms.
struct PartBound {
  double error = 0, magnitude = 0;
  int terms = 0;
  void add(double term_error, double term_magnitude) {
    error += term_error;
    magnitude += term_magnitude;
    ++terms;
  }
  double total(double u) const { return terms > 1 ? error + u * magnitude : error; }
};

/// Complex data (core/complex_pipeline.hpp): the parts of image (images[1] present if
/// image_complex) and kernel (kernels[1] if kernel_complex), canonical rank 3, in the
/// arithmetic's type C. Each term R(image part, kernel part) errs by at most its real bound and
/// is at most max |extended image part| sum |kernel part| plus that in magnitude; two terms are
/// added with one rounding. `to_float`: the parts are then rounded to float once. `spectral`:
/// the FFT method of the spectral form (fft/fft_kernel.hpp), whose terms are summed before one
/// inverse transform per part: each term's bound is then its method's with the parts, whose
/// product rounding counts that sum (fft/error_model.hpp), and the spatial sum's rounding stays
/// counted (an upper bound).
template <class C>
double complex_terms_bound(const detail::Problem& p, const std::array<ConstView<C>, 2>& images,
                           bool image_complex, const std::array<ConstView<C>, 2>& kernels,
                           bool kernel_complex, const Options& options, Guarantee guarantee,
                           bool to_float, double outputs, std::optional<Method> spectral) {
  // The problems the pipelines run (core/complex_pipeline.cpp, Terms): a pipeline that serves
  // both image parts keeps its kernel's spectrum (single_use false), which the memory-limited
  // method choice sees.
  const bool zero_fill = detail::imaginary_extended_apart(p, image_complex);
  const auto term = [&](PartBound& part, std::size_t i, std::size_t k) {
    detail::Problem pi = p;
    if (image_complex && !zero_fill) pi.single_use = false;
    if (spectral) {
      pi.image_parts = image_complex ? 2 : 1;
      pi.kernel_parts = kernel_complex ? 2 : 1;
      pi.single_use = false;
      pi.method = *spectral;
    }
    if (i == 1) pi.fill_value = 0;  // the imaginary part of the fill value v + 0i
    const double e = frame_bound(pi, images[i], kernels[k], options, guarantee, outputs);
    double image_max = pi.extends_image() ? std::fabs(pi.fill_value) : 0;
    detail::for_each_element(images[i], [&](C x) {
      image_max = std::max(image_max, std::fabs(static_cast<double>(x)));
    });
    double l1 = 0;
    detail::for_each_element(kernels[k], [&](C x) { l1 += std::fabs(static_cast<double>(x)); });
    const double taps = static_cast<double>(kernels[k].size());
    part.add(e, image_max * l1 * (1 + gamma(taps + 1, unit_roundoff<double>)) + e);
  };
  PartBound re, im;
  term(re, 0, 0);
  if (image_complex && kernel_complex) term(re, 1, 1);
  if (kernel_complex) term(im, 0, 1);
  if (image_complex) term(im, 1, 0);
  double result = 0;
  for (const PartBound& part : {re, im}) {
    double b = part.total(unit_roundoff<C>);
    if (to_float) {
      if (!(part.magnitude < static_cast<double>(std::numeric_limits<float>::max())))
        return std::numeric_limits<double>::infinity();
      b += unit_roundoff<float> * part.magnitude +
           static_cast<double>(std::numeric_limits<float>::denorm_min()) / 2;
    }
    result = std::max(result, b);
  }
  return result;
}

/// One frame of complex data: in T, or for float computed in double on double copies of the
/// frame's parts (what the pipeline runs).
template <class T>
double complex_frame_bound(const detail::Problem& p, const std::array<ConstView<T>, 2>& images,
                           bool image_complex, const std::array<ConstView<T>, 2>& kernels,
                           bool kernel_complex, const Options& options, Guarantee guarantee,
                           double outputs, std::optional<Method> spectral) {
  if (!detail::widens<T>(p))
    return complex_terms_bound<T>(p, images, image_complex, kernels, kernel_complex, options,
                                  guarantee, false, outputs, spectral);
  detail::Problem wide = p;
  wide.compute_precision = Precision::native;
  std::array<std::vector<double>, 4> copies;
  std::array<ConstView<double>, 2> wide_images, wide_kernels;
  for (std::size_t i = 0; i < 2; ++i) {
    if (i == 0 || image_complex) {
      copies[i] = detail::dense_converted<double>(images[i]);
      wide_images[i] = ConstView<double>(copies[i].data(), images[i].shape());
    }
    if (i == 0 || kernel_complex) {
      copies[2 + i] = detail::dense_converted<double>(kernels[i]);
      wide_kernels[i] = ConstView<double>(copies[2 + i].data(), kernels[i].shape());
    }
  }
  return complex_terms_bound<double>(wide, wide_images, image_complex, wide_kernels, kernel_complex,
                                     options, guarantee, true, outputs, spectral);
}

template <class T>
using Parts3 = std::array<ConstView<T>, 2>;

/// max |x| over the parts present (image: [1] if complex), and sum |x| over them.
template <class T>
void part_norms(const Parts3<T>& v, bool complex, double& max_abs, double& l1) {
  for (std::size_t i = 0; i < (complex ? 2u : 1u); ++i)
    detail::for_each_element(v[i], [&](T x) {
      max_abs = std::max(max_abs, std::fabs(static_cast<double>(x)));
      l1 += std::fabs(static_cast<double>(x));
    });
}

/// A frame convolved along more than 3 axes (core/tap_sum.hpp): the sum over outer taps g of
/// problems along the last three axes, each on some image slab (or the fill value's). Term g errs
/// by at most the largest of its slab bounds over the image slabs it may read (slab_bound) and is
/// at most max |slab| sum |kernel slab| plus that; the terms are summed in double, and float data
/// rounded once more.
template <class T, class SlabBound>
double tap_sum_bound(const detail::Batch& b, const detail::Problem& p, const Parts3<T>& images,
                     bool image_complex, const Parts3<T>& kernels, bool kernel_complex,
                     bool normalize, const SlabBound& slab_bound) {
  // (a normalized kernel: as the tap sum runs it, the whole frame divided by its sum; real only)
  std::vector<T> normalized;
  const Parts3<T> k{detail::effective_kernel(kernels[0], normalize, normalized), kernels[1]};
  std::size_t image_slabs = 1;
  for (int i = 0; i < b.outer.rank(); ++i)
    image_slabs *= b.outer_axes[static_cast<std::size_t>(i)].n;
  const auto image_slab = [&](std::size_t s) {
    const detail::OuterIndex at = detail::outer_index(s, b, detail::OuterLengths::image);
    return Parts3<T>{detail::slab_view(images[0], at), detail::slab_view(images[1], at)};
  };
  const double u = unit_roundoff<double>;
  const bool filled = p.boundary == Boundary::constant && p.fill_value != 0;
  // max |value| of the extended image: every slab (and the fill value) whatever the tap
  double image_max = filled ? std::fabs(p.fill_value) : 0, image_l1 = 0;
  for (std::size_t s = 0; s < image_slabs; ++s)
    part_norms(image_slab(s), image_complex, image_max, image_l1);
  double error = 0, magnitude = 0;
  for (std::size_t tap = 0; tap < b.outer_taps; ++tap) {
    const detail::OuterIndex g = detail::outer_index(tap, b, detail::OuterLengths::kernel);
    const Parts3<T> ks{detail::slab_view(k[0], g), detail::slab_view(k[1], g)};
    double k_max = 0, l1 = 0;
    part_norms(ks, kernel_complex, k_max, l1);
    double worst = 0;
    for (std::size_t s = 0; s < image_slabs; ++s)
      worst = std::max(worst, slab_bound(image_slab(s), ks));
    if (filled)  // fill * sum(kernel slab): a compensated sum, then one product
      worst = std::max(worst, gamma(2, u) * std::fabs(p.fill_value) * l1);
    const double taps = static_cast<double>(ks[0].size());
    error += worst;
    magnitude += image_max * l1 * (1 + gamma(taps + 1, u)) + worst;
  }
  double result = error + gamma(static_cast<double>(b.outer_taps) - 1, u) * magnitude;
  if constexpr (std::is_same_v<T, float>) {  // the sum rounded to float
    if (!(magnitude < static_cast<double>(std::numeric_limits<float>::max())))
      return std::numeric_limits<double>::infinity();
    result += unit_roundoff<float> * magnitude +
              static_cast<double>(std::numeric_limits<float>::denorm_min()) / 2;
  }
  return result;
}

template <class T>
double bound(const detail::Parts<const T>& image, const detail::Parts<const T>& kernel,
             const Options& options, Operation operation, Guarantee guarantee) {
  FFTCONV_CHECK(detail::is_enumerator(operation), invalid_argument, bound_name,
                ": operation has unknown value ", static_cast<int>(operation));
  FFTCONV_CHECK(detail::is_enumerator(guarantee), invalid_argument, bound_name,
                ": guarantee has unknown value ", static_cast<int>(guarantee));
  detail::Call call = detail::validate_call_setup(kernel.re, image.re.shape(), options,
                                                  operation == Operation::correlate, bound_name);
  call.frame.single_use = true;  // the bound is for the one-shot call, and its method choice
  const detail::Batch& b = call.batch;
  detail::validate_image(b, image.re, bound_name);
  FFTCONV_CHECK(call.frame.nan_policy == NanPolicy::propagate, invalid_argument, bound_name,
                ": options.nan_policy must be propagate (bounds are for the plain operation)");
  const bool complex = image.is_complex || kernel.is_complex;
  if (complex) detail::check_complex_options(call.frame, bound_name);
  if (element_count(b.output) == 0) return 0;
  // The largest of the frames' bounds: each output element belongs to one frame.
  double result = 0;
  detail::with_call_errors(bound_name, [&] {
    const detail::Problem p = detail::frame_problem(call);
    // The probabilistic bound's union covers every output of every real operation of the call:
    // all frames, and for complex data up to four real operations (two per part).
    const double outputs = static_cast<double>(element_count(b.output)) * (complex ? 4 : 1);
    const ConstView<T> kr = detail::at_rank(kernel.re, b.rank);
    const ConstView<T> ki = kernel.is_complex ? detail::at_rank(kernel.im, b.rank) : kr;
    // Complex data: the form the pipeline runs (core/complex_pipeline.hpp), refused as the
    // pipeline would be; the four-term form's real pipelines each choose their method within
    // their share of the memory limit.
    const detail::ComplexForm form =
        complex ? detail::complex_form(call, kernel, image.is_complex, true)
                : detail::ComplexForm{};
    FFTCONV_CHECK(form.fits, out_of_memory,
                  "complex data fits neither as one spectral pipeline nor as four real ones "
                  "within options.max_memory_bytes = ",
                  call.frame.max_memory_bytes);
    detail::Problem terms = p;
    if (complex && !form.spectral && form.four_term)
      terms.max_memory_bytes = form.four_term->frame.max_memory_bytes;
    // The bound of one problem along the frame's last (at most 3) axes: canonical rank-3 views.
    const auto slab_bound = [&](const Parts3<T>& images, const Parts3<T>& kernels) {
      return complex ? complex_frame_bound<T>(terms, images, image.is_complex, kernels,
                                              kernel.is_complex, options, guarantee, outputs,
                                              form.spectral)
                     : frame_bound(p, images[0], kernels[0], options, guarantee, outputs);
    };
    for (std::size_t f = 0; f < b.frames; ++f) {
      const ConstView<T> image_re = detail::frame_view(image.re, b, f);
      const Parts3<T> images{image_re,
                             image.is_complex ? detail::frame_view(image.im, b, f) : image_re};
      const Parts3<T> kernels{detail::frame_view(kr, b, f), detail::frame_view(ki, b, f)};
      const double frame =
          b.outer.empty()
              ? slab_bound(images, kernels)
              : tap_sum_bound<T>(b, p, images, image.is_complex, kernels, kernel.is_complex,
                                 call.frame.normalize_kernel, slab_bound);
      result = std::max(result, frame);
    }
  });
  return result;
}

}  // namespace

#define FFTCONV_BOUND_ENTRY(IMAGE, KERNEL)                                                     \
  double error_bound(ConstView<IMAGE> image, ConstView<KERNEL> kernel, const Options& options, \
                     Operation operation, Guarantee guarantee) {                               \
    return bound(detail::parts(image), detail::parts(kernel), options, operation, guarantee);  \
  }
FFTCONV_BOUND_ENTRY(float, float)
FFTCONV_BOUND_ENTRY(double, double)
FFTCONV_BOUND_ENTRY(std::complex<float>, std::complex<float>)
FFTCONV_BOUND_ENTRY(float, std::complex<float>)
FFTCONV_BOUND_ENTRY(std::complex<float>, float)
FFTCONV_BOUND_ENTRY(std::complex<double>, std::complex<double>)
FFTCONV_BOUND_ENTRY(double, std::complex<double>)
FFTCONV_BOUND_ENTRY(std::complex<double>, double)
#undef FFTCONV_BOUND_ENTRY

}  // namespace fftconv
