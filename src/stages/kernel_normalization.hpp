#pragma once
// Options::normalize_kernel: the kernel divided by its sum, in one place for every entry point
// (the methods, the reference, error_bound).
#include <cmath>
#include <vector>

#include "fftconv/options.hpp"
#include "fftconv/view.hpp"

namespace fftconv::detail {

/// A kernel's sum, computed with compensation in double, and what rounding makes of it: the sum
/// is indistinguishable from zero when |sum| <= tolerance = K u sum |k| (K values, u of T).
struct KernelSum {
  double sum = 0;
  double tolerance = 0;
  bool nonnegative = true;  ///< no negative value
  double abs_sum = 0;       ///< sum |k|
  double norm2 = 0;         ///< sqrt(sum k^2)
  std::size_t count = 0;    ///< number of values
  bool distinct_from_zero() const { return std::isfinite(sum) && std::fabs(sum) > tolerance; }
};
template <class T>
KernelSum kernel_sum(const ConstView<T>& kernel3);

/// The kernel an operation uses: the caller's (canonical rank-3) kernel itself, or with
/// options.normalize_kernel a dense copy divided by its sum and rounded to T. The sum is
/// computed with compensation; a sum that is zero or within the rounding of summing the kernel
/// in T (|sum| <= K u sum |k|, K values) is refused with fftconv::Error(invalid_argument).
template <class T>
class EffectiveKernel {
 public:
  EffectiveKernel(const ConstView<T>& kernel3, const Options& options);
  EffectiveKernel(const EffectiveKernel&) = delete;
  EffectiveKernel& operator=(const EffectiveKernel&) = delete;
  const ConstView<T>& view() const { return view_; }

 private:
  std::vector<T> normalized_;
  ConstView<T> view_;
};

extern template class EffectiveKernel<float>;
extern template class EffectiveKernel<double>;

}  // namespace fftconv::detail
