#include "kernel_normalization.hpp"

#include <cmath>
#include <limits>

#include "check.hpp"
#include "copy.hpp"
#include "rounding.hpp"

namespace fftconv::detail {

template <class T>
EffectiveKernel<T>::EffectiveKernel(const ConstView<T>& kernel3, const Options& options)
    : view_(kernel3) {
  if (!options.normalize_kernel) return;
  normalized_ = dense_values<T>(kernel3, [](T x) { return x; });
  // The compensated sum in double, and the sum of |values| for the tolerance.
  CompensatedSum compensated;
  double abs_sum = 0;
  for (T x : normalized_) {
    compensated.add(static_cast<double>(x));
    abs_sum += std::fabs(static_cast<double>(x));
  }
  const double sum = compensated.value();
  const double tolerance = static_cast<double>(normalized_.size()) * unit_roundoff<T> * abs_sum;
  FFTCONV_CHECK(std::isfinite(sum) && std::fabs(sum) > tolerance, invalid_argument,
                "options.normalize_kernel: the kernel sums to ", sum,
                ", which is zero within the rounding of its sum (|sum| <= ", tolerance,
                "): it cannot be normalized");
  for (T& x : normalized_)
    x = static_cast<T>(static_cast<double>(x) / sum);
  view_ = ConstView<T>(normalized_.data(), kernel3.shape());
}

template class EffectiveKernel<float>;
template class EffectiveKernel<double>;

}  // namespace fftconv::detail
