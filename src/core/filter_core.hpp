#pragma once
// What a call does once its arguments are valid: the method chosen and the kernel prepared for it
// (spectrum and plans, or direct taps), then any number of const applications. Filter<T> is this
// plus validation; convolve/correlate build one per call. Options::compute_precision (float data
// computed by a double core), Options::nonnegative (clamping) and missing pixels (NanPolicy, masks:
// missing_pixels.hpp) are applied here, so every entry point has them.
#include <memory>
#include <variant>

#include "core/choose.hpp"
#include "core/problem.hpp"
#include "direct/direct_path.hpp"
#include "fft/fft_kernel.hpp"
#include "fft/overlap_save.hpp"
#include "fftconv/options.hpp"
#include "stages/kernel_normalization.hpp"
#include "stages/missing_pixels.hpp"

namespace fftconv::detail {

/// The method FilterCore uses for problem p and the bytes it needs: options.method, or for
/// automatic the faster that fits the memory limit (select_method), for the precision the
/// arithmetic runs in and with the missing-pixel buffers (and double copies) counted (p.nan_policy;
/// `masked`: applications with a mask and weights). Throws fftconv::Error if none fits. kernel is
/// canonical rank 3.
template <class T>
MethodChoice method_for(const Problem& p, const ConstView<T>& kernel, const Options& options,
                        bool masked = false);

/// What the cost model needs of a canonical rank-3 kernel (choose.hpp): its non-zero taps and,
/// when `requested` is automatic or separable, its separable factors in the precision the
/// arithmetic runs in (`widened`: double for float data).
template <class T>
KernelTaps kernel_taps(const ConstView<T>& kernel, bool widened, Method requested);

/// Whether float data is computed in double (compute_precision on float data).
template <class T>
constexpr bool widens(const Options& options) {
  return std::is_same_v<T, float> && options.compute_precision == Precision::double_precision;
}

/// Bytes a widened call allocates besides the double core's own: double copies of the image,
/// the kernel (while the core is made) and the output (and the weights, if `masked`).
std::size_t widening_bytes(const Problem& p, bool masked);

template <class T>
class FilterCore {
 public:
  /// kernel is a canonical rank-3 view, normalized here with options.normalize_kernel. The
  /// method is method_for(p, that kernel, options, masked). masked: applications will pass a
  /// mask and want weights (convolve_masked). Throws fftconv::Error for NanPolicy::interpolate
  /// with a kernel whose sum is not positive.
  FilterCore(const Problem& p, const ConstView<T>& kernel, const Options& options,
             bool masked = false);
  ~FilterCore();
  FilterCore(FilterCore&&) noexcept;
  /// Canonical rank-3 views of the problem's image and output shapes, already validated.
  void apply(const ConstView<T>& image, const View<T>& out) const {
    apply(image, nullptr, out, View<T>());
  }
  /// The same with a mask (null, or one flag per image pixel in C order, non-zero = masked) and
  /// the weights conv(M, k) written to `weight` unless it is empty (see missing_pixels.hpp).
  void apply(const ConstView<T>& image, const unsigned char* masked, const View<T>& out,
             const View<T>& weight) const;
  Method method() const { return choice_.method; }
  const Problem& problem() const { return p_; }

 private:
  /// float data computed by a double core (compute_precision = double_precision).
  struct Widened;
  using Prepared =
      std::variant<DirectKernel<T>, FftKernel<T>, OverlapSaveKernel<T>, std::unique_ptr<Widened>>;
  static Prepared prepare(const Problem& p, const ConstView<T>& kernel, const Options& options,
                          Method method, bool masked);

  FilterCore(const Problem& p, const EffectiveKernel<T>& kernel, const Options& options,
             bool masked);
  /// apply, with allocation failures not yet named (apply names them).
  void apply_unnamed(const ConstView<T>& image, const unsigned char* masked, const View<T>& out,
                     const View<T>& weight) const;
  /// The prepared direct or fft method on one image (not Widened).
  void run(const ConstView<T>& image, const View<T>& out, T fill) const;

  Problem p_;
  MethodChoice choice_;
  bool nonnegative_;
  KernelSum kernel_sum_;
  Prepared kernel_;
};

extern template class FilterCore<float>;
extern template class FilterCore<double>;

}  // namespace fftconv::detail
