#include "core/complex_pipeline.hpp"

#include <array>
#include <optional>
#include <type_traits>
#include <vector>

#include "core/choose.hpp"
#include "stages/widening.hpp"
#include "util/check.hpp"
#include "util/checked_math.hpp"
#include "util/copy.hpp"

namespace fftconv::detail {

namespace {

// out = wx x + wy y (y may be null), rounded to T once; x and y dense in out's shape, C order.
template <class T, class C>
void combine(const View<T>& out, const C* x, C wx, const C* y, C wy) {
  const int last = out.rank() - 1;
  const std::size_t width = out.extent(last);
  const std::ptrdiff_t step = out.stride(last);
  for_each_row<1>(out.shape(), {&out.strides()},
                  [&](const std::array<std::ptrdiff_t, 1>& at, std::size_t row) {
                    T* o = out.data() + at[0];
                    const C* xr = x + row * width;
                    const C* yr = y ? y + row * width : nullptr;
                    for (std::size_t i = 0; i < width; ++i)
                      o[static_cast<std::ptrdiff_t>(i) * step] =
                          static_cast<T>(yr ? wx * xr[i] + wy * yr[i] : wx * xr[i]);
                  });
}

// Dense C-order copies of the parts present, converted to C and kept in `copies`: views of
// them in `shape` (float data computed in double, or an image read while the output is written).
template <class C, class T>
Parts<const C> dense_parts(const Parts<const T>& parts, const Shape& shape,
                           std::array<std::vector<C>, 2>& copies) {
  copies[0] = dense_converted<C>(parts.re);
  if (parts.is_complex) copies[1] = dense_converted<C>(parts.im);
  return {ConstView<C>(copies[0].data(), shape), ConstView<C>(copies[1].data(), shape),
          parts.is_complex};
}

}  // namespace

void check_complex_options(const Problem& p, const char* what) {
  FFTCONV_CHECK(!p.nonnegative, invalid_argument, what,
                ": options.nonnegative is for real data (complex numbers have no sign)");
  FFTCONV_CHECK(!p.normalize_kernel, invalid_argument, what,
                ": options.normalize_kernel is for real kernels (divide a complex kernel by its "
                "sum yourself)");
  FFTCONV_CHECK(p.nan_policy == NanPolicy::propagate, invalid_argument, what,
                ": options.nan_policy must be propagate for complex data, got ",
                to_string(p.nan_policy));
}

namespace {

// What an application allocates besides the pipelines: the two output-sized term buffers in the
// arithmetic's type (`terms`: the four-term form, or the spectral form's double outputs of float
// data computed in double), and (`copies`: widened, or the image sharing memory with the output)
// copies of the image's parts in it.
std::size_t apply_bytes(const Batch& b, bool image_complex, bool copies, bool terms,
                        std::size_t element) {
  const char* what = "complex data's buffers";
  std::size_t values = terms ? checked_mul(element_count(b.output), 2, what) : 0;
  if (copies)
    values =
        checked_add(values, checked_mul(element_count(b.image), image_complex ? 2 : 1, what), what);
  return checked_mul(values, element, what);
}

// What a pipeline's construction allocates besides the pipelines: widened, the kernel's double
// copies while it is prepared.
std::size_t kernel_copy_bytes(const Batch& b, bool widened) {
  return widened
             ? checked_mul(element_count(b.kernel), 2 * sizeof(double), "complex data's buffers")
             : 0;
}

}  // namespace

Call spectral_call(const Call& call, bool image_complex, bool kernel_complex, bool widened) {
  Call s = call;
  s.frame.image_parts = image_complex ? 2 : 1;
  s.frame.kernel_parts = kernel_complex ? 2 : 1;
  s.frame.single_use = false;
  s.frame.compute_precision = Precision::native;
  if (s.frame.max_memory_bytes != static_cast<std::size_t>(-1)) {
    // Besides the spectral pipeline: widened, the double outputs and image copies of an
    // application (the largest, for the call's own batch) and the kernel's copies; otherwise
    // nothing (an image sharing memory with the output is copied at application, checked then).
    const std::size_t besides =
        widened ? checked_add(apply_bytes(call.batch, image_complex, true, true, sizeof(double)),
                              kernel_copy_bytes(call.batch, true), "complex data's buffers")
                : 0;
    s.frame.max_memory_bytes =
        besides <= s.frame.max_memory_bytes ? s.frame.max_memory_bytes - besides : 0;
  }
  return s;
}

namespace {

// The four-term form's call (Terms): the arithmetic's type native; a pipeline applied to both
// image parts keeps its kernel's spectrum instead of redoing it; options.max_memory_bytes less
// the buffers of an application (widened: with the image copies) and, widened, the kernel's
// double copies while it is prepared (`base`), shared equally by the `pipelines` real pipelines,
// so that together they stay within it. nullopt if the buffers alone exceed the limit. `element`:
// the size of the arithmetic's type.
std::optional<Call> four_term_call(const Call& call, bool image_complex, bool kernel_complex,
                                   bool widened, std::size_t element, std::size_t& base,
                                   std::size_t& pipelines) {
  const Problem& p = call.frame;
  base = checked_add(apply_bytes(call.batch, image_complex, widened, true, element),
                     kernel_copy_bytes(call.batch, widened), "complex data's buffers");
  const bool zero_fill = imaginary_extended_apart(p, image_complex);
  pipelines = (kernel_complex ? 2 : 1) * (zero_fill ? 2 : 1);
  if (base > p.max_memory_bytes) return std::nullopt;
  Call shared = call;
  shared.frame.compute_precision = Precision::native;
  if (image_complex && !zero_fill) shared.frame.single_use = false;
  if (p.max_memory_bytes != static_cast<std::size_t>(-1))
    shared.frame.max_memory_bytes = (p.max_memory_bytes - base) / pipelines;
  return shared;
}

// Whether the four-term form's pipelines fit their share of options.max_memory_bytes (planned,
// not prepared): `shared` its call (four_term_call), the kernel in the arithmetic's type C.
template <class C>
bool four_term_fits(const Call& shared, const Parts<const C>& kernel) {
  try {
    plan_frames(shared, kernel.re);
    if (kernel.is_complex) plan_frames(shared, kernel.im);
  } catch (const Error& e) {
    if (e.code() != ErrorCode::out_of_memory) throw;
    return false;
  }
  return true;
}

// The spectral form's FFT method (ComplexForm::spectral), the kernel in the arithmetic's type C;
// four_term_fits() answers whether the four-term form fits (asked only when automatic plans a
// spatial method).
template <class C, class FourTermFits>
std::optional<Method> spectral_method(const Call& call, const Parts<const C>& kernel,
                                      bool image_complex, bool widened,
                                      FourTermFits&& four_term_fits) {
  const Method requested = call.frame.method;
  if (!call.batch.outer.empty() || requested == Method::direct || requested == Method::separable)
    return std::nullopt;
  const Call s = spectral_call(call, image_complex, kernel.is_complex, widened);
  const Problem p = frame_problem(s);
  const ConstView<C> first = frame_view(at_rank(kernel.re, call.batch.rank), call.batch, 0);
  // The spectral form with method m (automatic: as planned for the first kernel frame), if that
  // is an FFT method and every kernel frame's plan with it, and the frames run at once, fit the
  // memory limit (plan_frames): the method and its estimated cost.
  const auto planned = [&](Method m) -> std::optional<std::pair<Method, double>> {
    Problem q = p;
    q.method = m;
    try {
      const Plan<C> plan = make_plan(q, first);
      const Method chosen = plan.choice.method;
      if (chosen != Method::fft && chosen != Method::overlap_save) return std::nullopt;
      Call every_frame = s;
      every_frame.frame.method = chosen;
      plan_frames(every_frame, kernel.re);
      const MethodCosts costs = estimate_costs(q, plan.kernel.taps(), sizeof(C));
      return std::pair{chosen, chosen == Method::fft ? costs.fft_ns : costs.overlap_save_ns};
    } catch (const Error& e) {
      if (e.code() != ErrorCode::out_of_memory) throw;
    }
    return std::nullopt;
  };
  if (const auto chosen = planned(requested)) return chosen->first;
  // Automatic chose a spatial method (or none fits): the spatial methods run as the four-term
  // form, with its term buffers; if that does not fit the memory limit, the cheaper FFT method
  // that fits in the spectral form runs instead.
  if (requested != Method::automatic || four_term_fits()) return std::nullopt;
  const auto fft = planned(Method::fft), tiles = planned(Method::overlap_save);
  if (fft && tiles) return fft->second <= tiles->second ? fft->first : tiles->first;
  if (fft) return fft->first;
  if (tiles) return tiles->first;
  return std::nullopt;
}

// complex_form with the kernel in the arithmetic's type C.
template <class C>
ComplexForm complex_form_in(const Call& call, const Parts<const C>& kernel, bool image_complex,
                            bool widened, bool check_fits) {
  ComplexForm form;
  form.four_term = four_term_call(call, image_complex, kernel.is_complex, widened, sizeof(C),
                                  form.base, form.pipelines);
  // Whether the four-term form fits, planned at most once (a tap sum counts its own memory as
  // it is made).
  std::optional<bool> four_term_fit;
  const auto four_term_fits_once = [&] {
    if (!four_term_fit)
      four_term_fit =
          form.four_term && (!call.batch.outer.empty() || four_term_fits(*form.four_term, kernel));
    return *four_term_fit;
  };
  form.spectral = spectral_method(call, kernel, image_complex, widened, four_term_fits_once);
  form.fits = form.spectral || !check_fits || four_term_fits_once();
  return form;
}

}  // namespace

template <class T>
ComplexForm complex_form(const Call& call, const Parts<const T>& kernel, bool image_complex,
                         bool check_fits) {
  if (!widens<T>(call.frame))
    return complex_form_in(call, kernel, image_complex, false, check_fits);
  // (planned in the precision the pipelines run in: float computed in double on double copies)
  std::array<std::vector<double>, 2> copies;
  return complex_form_in(call, dense_parts<double>(kernel, kernel.re.shape(), copies),
                         image_complex, true, check_fits);
}

// The pipelines in the arithmetic's type C: the spectral form's one, or the four-term form's
// real pipelines and the terms they combine.
template <class T>
template <class C>
struct ComplexPipeline<T>::Terms {
  int sign;  ///< 1 for convolution, -1 for correlation (the kernel conjugated)
  /// The spectral form (an FFT method): the output's parts straight from one pipeline.
  std::optional<BatchedPipeline<C>> spectral;
  std::optional<BatchedPipeline<C>> re_kernel, im_kernel;  ///< applied to the real part
  /// Applied to the imaginary part when it is extended differently (constant boundary, non-zero
  /// fill value: the imaginary part of v + 0i is 0); otherwise the two above serve both parts.
  std::optional<BatchedPipeline<C>> re_kernel_zero, im_kernel_zero;

  /// call: the spectral form's (spectral_call, its method set) if `spectral_form`, else the
  /// four-term form's (four_term_call).
  Terms(Call call, const Parts<const C>& kernel, bool image_complex, bool spectral_form)
      : sign(call.frame.correlate ? -1 : 1) {
    if (spectral_form) {
      spectral.emplace(call, kernel.re, kernel.is_complex ? kernel.im : ConstView<C>());
      return;
    }
    const bool zero_fill = imaginary_extended_apart(call.frame, image_complex);
    re_kernel.emplace(call, kernel.re);
    if (kernel.is_complex) im_kernel.emplace(call, kernel.im);
    if (zero_fill) {
      call.frame.fill_value = 0;
      re_kernel_zero.emplace(call, kernel.re);
      if (kernel.is_complex) im_kernel_zero.emplace(call, kernel.im);
    }
  }

  /// The working memory its pipelines counted.
  std::size_t bytes() const {
    std::size_t total = 0;
    for (const auto* pipeline :
         {&spectral, &re_kernel, &im_kernel, &re_kernel_zero, &im_kernel_zero})
      if (*pipeline) total += (*pipeline)->bytes();
    return total;
  }

  const BatchedPipeline<C>& for_imaginary(const std::optional<BatchedPipeline<C>>& own,
                                          const std::optional<BatchedPipeline<C>>& zero) const {
    return zero ? *zero : *own;
  }

  const BatchedPipeline<C>& first() const { return spectral ? *spectral : *re_kernel; }

  // image: parts in C (dense copies or the caller's views, sharing no memory with out); out: the
  // caller's parts.
  void apply(const Batch& b, const Parts<const C>& image, const Parts<T>& out) const {
    if (spectral) {
      if constexpr (std::is_same_v<C, T>) {
        spectral->apply(b, image, out);
      } else {  // double outputs, rounded to T once
        const std::size_t count = element_count(b.output);
        std::vector<C> x(count), y(count);
        spectral->apply(b, image,
                        Parts<C>{View<C>(x.data(), b.output), View<C>(y.data(), b.output), true});
        combine(out.re, x.data(), C(1), static_cast<const C*>(nullptr), C(0));
        combine(out.im, y.data(), C(1), static_cast<const C*>(nullptr), C(0));
      }
      return;
    }
    const std::size_t count = element_count(b.output);
    std::vector<C> x(count), y(count);
    const View<C> xv(x.data(), b.output), yv(y.data(), b.output);
    const C s = static_cast<C>(sign);
    // Real part: R(a, c) - s R(b, d).
    re_kernel->apply(b, image.re, xv);
    const bool both = image.is_complex && im_kernel;
    if (both) for_imaginary(im_kernel, im_kernel_zero).apply(b, image.im, yv);
    combine(out.re, x.data(), C(1), both ? y.data() : nullptr, -s);
    // Imaginary part: s R(a, d) + R(b, c).
    if (im_kernel) im_kernel->apply(b, image.re, xv);
    if (image.is_complex) for_imaginary(re_kernel, re_kernel_zero).apply(b, image.im, yv);
    if (im_kernel)
      combine(out.im, x.data(), s, image.is_complex ? y.data() : nullptr, C(1));
    else
      combine(out.im, y.data(), C(1), static_cast<const C*>(nullptr), C(0));
  }
};

template <class T>
ComplexPipeline<T>::ComplexPipeline(const Call& call, const Parts<const T>& kernel,
                                    bool image_complex) {
  limit_ = call.frame.max_memory_bytes;
  if (!widens<T>(call.frame)) {
    make_terms(call, kernel, image_complex, false);
    return;
  }
  // Float data computed in double: the pipelines are made from double copies of the kernel's
  // parts, made once for the choice of form and the pipelines alike.
  std::array<std::vector<double>, 2> copies;
  make_terms(call, dense_parts<double>(kernel, kernel.re.shape(), copies), image_complex, true);
}

template <class T>
template <class C>
void ComplexPipeline<T>::make_terms(const Call& call, const Parts<const C>& kernel,
                                    bool image_complex, bool widened) {
  const Problem& p = call.frame;
  const ComplexForm form = complex_form_in(call, kernel, image_complex, widened, false);
  // The terms in the arithmetic's type C: T, or double for float data computed in double.
  const auto make = [&](const Call& form_call, bool spectral_form) {
    auto terms = std::make_unique<const Terms<C>>(form_call, kernel, image_complex, spectral_form);
    pipeline_bytes_ = terms->bytes();
    if constexpr (std::is_same_v<C, T>)
      native_ = std::move(terms);
    else
      widened_ = std::move(terms);
  };
  if (const std::optional<Method>& spectral = form.spectral) {
    spectral_form_ = true;
    Call s = spectral_call(call, image_complex, kernel.is_complex, widened);
    s.frame.method = *spectral;
    try {
      make(s, true);
    } catch (const Error& e) {  // (named: the real pipeline's message does not say complex)
      if (e.code() != ErrorCode::out_of_memory) throw;
      fail(ErrorCode::out_of_memory, e.what(), " (complex data on the ", to_string(*spectral),
           " method: the parts' two spectra and work arrays per kernel frame)");
    }
    return;
  }
  // The four-term form (its pipelines' fit is checked as they are made, with their messages).
  FFTCONV_CHECK(form.four_term.has_value(), out_of_memory, "complex data needs ", form.base,
                " bytes for the terms of its real and imaginary parts, more than "
                "options.max_memory_bytes = ",
                p.max_memory_bytes);
  try {
    make(*form.four_term, false);
  } catch (const Error& e) {
    if (e.code() != ErrorCode::out_of_memory) throw;
    fail(ErrorCode::out_of_memory, e.what(),
         " (complex data: of options.max_memory_bytes = ", p.max_memory_bytes, ", ", form.base,
         " bytes go to the terms' buffers and the rest is shared by ", form.pipelines,
         " real pipelines)");
  }
}

template <class T>
ComplexPipeline<T>::~ComplexPipeline() = default;
template <class T>
ComplexPipeline<T>::ComplexPipeline(ComplexPipeline&&) noexcept = default;

template <class T>
void ComplexPipeline<T>::apply(const Batch& b, const Parts<const T>& image,
                               const Parts<T>& out) const {
  // The output is written part by part while both image parts are still read: an image sharing
  // memory with it is read from a copy (widened: always, in double).
  const bool shared = parts_share_memory(image, out);
  const std::size_t element = widened_ ? sizeof(double) : sizeof(T);
  const bool terms = !spectral_form_ || widened_;
  const std::size_t needed = apply_bytes(b, image.is_complex, widened_ || shared, terms, element);
  FFTCONV_CHECK(needed <= limit_ - pipeline_bytes_, out_of_memory, "complex data needs ", needed,
                " bytes for ", terms ? "the terms of its parts" : "a copy of the image",
                terms && (widened_ || shared) ? " and image copies" : "", ", beyond the ",
                limit_ - pipeline_bytes_, " bytes options.max_memory_bytes = ", limit_, " leaves");
  if (widened_) {
    std::array<std::vector<double>, 2> copies;
    widened_->apply(b, dense_parts<double>(image, b.image, copies), out);
    return;
  }
  if (!shared) {
    native_->apply(b, image, out);
    return;
  }
  std::array<std::vector<T>, 2> copies;
  native_->apply(b, dense_parts<T>(image, b.image, copies), out);
}

template <class T>
Method ComplexPipeline<T>::method() const {
  return native_ ? native_->first().method() : widened_->first().method();
}

template ComplexForm complex_form(const Call&, const Parts<const float>&, bool, bool);
template ComplexForm complex_form(const Call&, const Parts<const double>&, bool, bool);
template class ComplexPipeline<float>;
template class ComplexPipeline<double>;

}  // namespace fftconv::detail
