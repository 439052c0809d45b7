#pragma once
// Complex data on the real pipelines. With image a + ib, kernel c + id and R the real operation
// (convolution; or correlation, which conjugates the kernel: sign s = -1, else s = 1):
//   out = [R(a, c) - s R(b, d)] + i [s R(a, d) + R(b, c)]
// leaving out the terms of a part that is absent (a real image has no b, a real kernel no d).
// Each R is a real BatchedPipeline, so every method, mode, boundary rule (the fill value v is
// v + 0i: the imaginary part is extended with 0), batch axis and thread count works as for real
// data; the parts are strided views into the caller's interleaved memory (std::complex<T> is an
// array of two T). The terms are combined in the arithmetic's precision and rounded to T once:
// float data with compute_precision = double_precision runs on double copies of its parts.
//
// When an FFT method runs (fft or overlap_save, chosen with the transforms of the parts counted:
// choose.cpp), the terms are not four pipelines but one, in the spectral form of
// fft/fft_kernel.hpp: the parts' spectra are combined before the inverse transforms, so that
// complex x complex costs two forward and two inverse real transforms (one complex transform
// each way) instead of four and four, and the kernel's two spectra are made once.
#include <complex>
#include <memory>
#include <optional>

#include "core/batched_pipeline.hpp"
#include "core/parts.hpp"
#include "util/copy.hpp"

namespace fftconv::detail {

/// Whether a complex image's imaginary part needs pipelines of its own: a constant boundary with a
/// non-zero fill value v extends the image with v + 0i, the imaginary part with 0. Otherwise one
/// pipeline per kernel part serves both image parts (and, applied twice, keeps its spectrum).
inline bool imaginary_extended_apart(const Problem& p, bool image_complex) {
  return image_complex && p.boundary == Boundary::constant && p.fill_value != 0;
}

/// Refuses what complex data cannot do: options.nonnegative (no order on complex numbers),
/// normalize_kernel (each part would be divided by its own sum) and a nan_policy other than
/// propagate.
void check_complex_options(const Problem& p, const char* what);

/// The call complex data's spectral form runs: the parts set (Problem::image_parts,
/// kernel_parts), the kernel's spectra stored (not single_use), options.max_memory_bytes less
/// what ComplexPipeline allocates besides it (float computed in double: the double copies and
/// outputs; compute_precision is then native, in double).
Call spectral_call(const Call& call, bool image_complex, bool kernel_complex, bool widened);

/// How ComplexPipeline runs `call` (validated) on `kernel` (the caller's views, of the call's
/// kernel shape), decided once for the constructor and error_bound alike.
struct ComplexForm {
  /// The spectral form's FFT method, which every frame then runs: the method requested, or for
  /// automatic the one planned for the first kernel frame, when it is fft or overlap_save and
  /// every kernel frame's plan and the frames run at once fit the memory limit; also, when
  /// automatic plans a spatial method but the four-term form does not fit, the cheaper FFT
  /// method that does. nullopt: the four real terms run (a spatial method, a tap sum, or no
  /// spectral plan fits), each choosing its method.
  std::optional<Method> spectral;
  /// The four-term form's call (four_term_call: each real pipeline's share of
  /// options.max_memory_bytes, `base` bytes going to the term buffers, shared by `pipelines`
  /// pipelines), or nullopt if the buffers alone exceed the limit.
  std::optional<Call> four_term;
  std::size_t base = 0, pipelines = 0;
  /// Whether the chosen form fits the memory limit (planned, not prepared; a tap sum counts its
  /// own as it is made), with `check_fits` (error_bound, which refuses what the pipeline
  /// refuses); without it true (the pipeline's construction checks as it makes them). The
  /// four-term form's pipelines are planned at most once either way.
  bool fits = true;
};
template <class T>
ComplexForm complex_form(const Call& call, const Parts<const T>& kernel, bool image_complex,
                         bool check_fits);

template <class T>
class ComplexPipeline {
 public:
  /// Prepares a real pipeline per part of the kernel (and, for a constant boundary with a
  /// non-zero fill value, one more per part for the image's imaginary part, extended with 0).
  /// options.max_memory_bytes bounds them all: what the term buffers leave of it is shared
  /// equally by the real pipelines; an application checks its buffers against what is left.
  ComplexPipeline(const Call& call, const Parts<const T>& kernel, bool image_complex);
  ~ComplexPipeline();
  ComplexPipeline(ComplexPipeline&&) noexcept;

  /// out = the operation on `image` (validated views of b's shapes, b the call's batch or
  /// stacked from it); out has both parts.
  void apply(const Batch& b, const Parts<const T>& image, const Parts<T>& out) const;

  Method method() const;

 private:
  template <class C>
  struct Terms;
  /// Chooses the form (complex_form) and makes its pipelines from the kernel in the
  /// arithmetic's type C (T, or double copies for float computed in double).
  template <class C>
  void make_terms(const Call& call, const Parts<const C>& kernel, bool image_complex, bool widened);
  std::unique_ptr<const Terms<T>> native_;
  std::unique_ptr<const Terms<double>> widened_;  ///< float data computed in double
  std::size_t limit_ = 0;                         ///< options.max_memory_bytes
  std::size_t pipeline_bytes_ = 0;                ///< what the real pipelines counted
  bool spectral_form_ = false;                    ///< one spectral pipeline (an FFT method)
};

extern template ComplexForm complex_form(const Call&, const Parts<const float>&, bool, bool);
extern template ComplexForm complex_form(const Call&, const Parts<const double>&, bool, bool);
extern template class ComplexPipeline<float>;
extern template class ComplexPipeline<double>;

}  // namespace fftconv::detail
