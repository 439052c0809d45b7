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

// Whether the four-term form's pipelines fit options.max_memory_bytes (planned, not prepared):
// kernel in the arithmetic's type C.
template <class C>
bool four_term_fits(const Call& call, const Parts<const C>& kernel, bool image_complex,
                    bool widened) {
  std::size_t base = 0, pipelines = 0;
  const std::optional<Call> shared =
      four_term_call(call, image_complex, kernel.is_complex, widened, sizeof(C), base, pipelines);
  if (!shared) return false;
  try {
    plan_frames(*shared, kernel.re);
    if (kernel.is_complex) plan_frames(*shared, kernel.im);
  } catch (const Error& e) {
    if (e.code() != ErrorCode::out_of_memory) throw;
    return false;
  }
  return true;
}

// The spectral form's FFT method (spectral_method in complex_form), the kernel in the
// arithmetic's type C.
template <class C>
std::optional<Method> spectral_method(const Call& call, const Parts<const C>& kernel,
                                      bool image_complex, bool widened) {
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
  if (requested != Method::automatic || four_term_fits(call, kernel, image_complex, widened))
    return std::nullopt;
  const auto fft = planned(Method::fft), tiles = planned(Method::overlap_save);
  if (fft && tiles) return fft->second <= tiles->second ? fft->first : tiles->first;
  if (fft) return fft->first;
  if (tiles) return tiles->first;
  return std::nullopt;
}

// complex_form with the kernel in the arithmetic's type C.
template <class C>
ComplexForm complex_form_in(const Call& call, const Parts<const C>& kernel, bool image_complex,
                            bool widened) {
  ComplexForm form;
  form.spectral = spectral_method(call, kernel, image_complex, widened);
  if (form.spectral) return form;
  std::size_t base = 0, pipelines = 0;
  const std::optional<Call> shared =
      four_term_call(call, image_complex, kernel.is_complex, widened, sizeof(C), base, pipelines);
  form.term_limit = shared ? shared->frame.max_memory_bytes : 0;
  // (a tap sum counts its own memory as it is made)
  form.fits =
      shared && (!call.batch.outer.empty() || four_term_fits(call, kernel, image_complex, widened));
  return form;
}

}  // namespace

template <class T>
ComplexForm complex_form(const Call& call, const Parts<const T>& kernel, bool image_complex) {
  if (!widens<T>(call.frame)) return complex_form_in(call, kernel, image_complex, false);
  // (planned in the precision the pipelines run in: float computed in double on double copies)
  const std::vector<double> re = dense_converted<double>(kernel.re);
  const std::vector<double> im =
      kernel.is_complex ? dense_converted<double>(kernel.im) : std::vector<double>();
  const Shape& shape = kernel.re.shape();
  return complex_form_in(
      call,
      Parts<const double>{ConstView<double>(re.data(), shape), ConstView<double>(im.data(), shape),
                          kernel.is_complex},
      image_complex, true);
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
  const Problem& p = call.frame;
  const bool widened =
      std::is_same_v<T, float> && p.compute_precision == Precision::double_precision;
  const std::size_t element = widened ? sizeof(double) : sizeof(T);
  limit_ = p.max_memory_bytes;
  const std::optional<Method> spectral = complex_form(call, kernel, image_complex).spectral;
  if (spectral) {
    spectral_form_ = true;
    Call s = spectral_call(call, image_complex, kernel.is_complex, widened);
    s.frame.method = *spectral;
    try {
      make_terms(s, kernel, image_complex, widened, true);
    } catch (const Error& e) {  // (planned on the first kernel frame; the others may not fit)
      if (e.code() != ErrorCode::out_of_memory) throw;
      fail(ErrorCode::out_of_memory, e.what(), " (complex data on the ", to_string(*spectral),
           " method: the parts' two spectra and work arrays per kernel frame)");
    }
    return;
  }
  std::size_t base = 0, pipelines = 0;
  const std::optional<Call> shared =
      four_term_call(call, image_complex, kernel.is_complex, widened, element, base, pipelines);
  FFTCONV_CHECK(shared.has_value(), out_of_memory, "complex data needs ", base,
                " bytes for the terms of its real and imaginary parts, more than "
                "options.max_memory_bytes = ",
                p.max_memory_bytes);
  try {
    make_terms(*shared, kernel, image_complex, widened, false);
  } catch (const Error& e) {
    if (e.code() != ErrorCode::out_of_memory) throw;
    fail(ErrorCode::out_of_memory, e.what(),
         " (complex data: of options.max_memory_bytes = ", p.max_memory_bytes, ", ", base,
         " bytes go to the terms' buffers and the rest is shared by ", pipelines,
         " real pipelines)");
  }
}

template <class T>
void ComplexPipeline<T>::make_terms(const Call& call, const Parts<const T>& kernel,
                                    bool image_complex, bool widened, bool spectral_form) {
  if (widened) {
    const std::vector<double> re = dense_converted<double>(kernel.re);
    const std::vector<double> im =
        kernel.is_complex ? dense_converted<double>(kernel.im) : std::vector<double>();
    const Shape& shape = kernel.re.shape();
    widened_ = std::make_unique<const Terms<double>>(
        call,
        Parts<const double>{ConstView<double>(re.data(), shape),
                            ConstView<double>(im.data(), shape), kernel.is_complex},
        image_complex, spectral_form);
    pipeline_bytes_ = widened_->bytes();
  } else {
    native_ = std::make_unique<const Terms<T>>(call, kernel, image_complex, spectral_form);
    pipeline_bytes_ = native_->bytes();
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
    const std::vector<double> re = dense_converted<double>(image.re);
    const std::vector<double> im =
        image.is_complex ? dense_converted<double>(image.im) : std::vector<double>();
    widened_->apply(b,
                    Parts<const double>{ConstView<double>(re.data(), b.image),
                                        ConstView<double>(im.data(), b.image), image.is_complex},
                    out);
    return;
  }
  if (!shared) {
    native_->apply(b, image, out);
    return;
  }
  const std::vector<T> re = dense_copy(image.re);
  const std::vector<T> im = image.is_complex ? dense_copy(image.im) : std::vector<T>();
  native_->apply(b,
                 Parts<const T>{ConstView<T>(re.data(), b.image), ConstView<T>(im.data(), b.image),
                                image.is_complex},
                 out);
}

template <class T>
Method ComplexPipeline<T>::method() const {
  return native_ ? native_->first().method() : widened_->first().method();
}

template ComplexForm complex_form(const Call&, const Parts<const float>&, bool);
template ComplexForm complex_form(const Call&, const Parts<const double>&, bool);
template class ComplexPipeline<float>;
template class ComplexPipeline<double>;

}  // namespace fftconv::detail
