#include "kernel_normalization.hpp"

#include <cmath>
#include <limits>

#include "check.hpp"
#include "copy.hpp"

namespace fftconv::detail {

template <class T>
EffectiveKernel<T>::EffectiveKernel(const ConstView<T>& kernel3, const Options& options)
    : view_(kernel3) {
  if (!options.normalize_kernel) return;
  normalized_ = dense_values<T>(kernel3, [](T x) { return x; });
  // Neumaier's compensated sum in double, and the sum of |values| for the tolerance.
  double sum = 0, compensation = 0, abs_sum = 0;
  for (T x : normalized_) {
    const auto v = static_cast<double>(x);
    const double t = sum + v;
    compensation += std::fabs(sum) >= std::fabs(v) ? (sum - t) + v : (v - t) + sum;
    sum = t;
    abs_sum += std::fabs(v);
  }
  sum += compensation;
  const double tolerance =
      static_cast<double>(normalized_.size()) * (std::numeric_limits<T>::epsilon() / 2) * abs_sum;
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
