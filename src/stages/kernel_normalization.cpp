#include "stages/kernel_normalization.hpp"

#include <cmath>
#include <limits>

#include "util/check.hpp"
#include "util/copy.hpp"
#include "util/rounding.hpp"

namespace fftconv::detail {

template <class T>
KernelSum kernel_sum(const ConstView<T>& kernel3) {
  // The compensated sum in double, and the sum of |values| for the tolerance.
  CompensatedSum compensated;
  double abs_sum = 0, squares = 0;
  std::size_t count = 0;
  KernelSum result;
  for_each_element(kernel3, [&](T x) {
    compensated.add(static_cast<double>(x));
    abs_sum += std::fabs(static_cast<double>(x));
    squares += static_cast<double>(x) * static_cast<double>(x);
    if (x < T(0)) result.nonnegative = false;
    ++count;
  });
  result.sum = compensated.value();
  result.tolerance = static_cast<double>(count) * unit_roundoff<T> * abs_sum;
  result.abs_sum = abs_sum;
  result.norm2 = std::sqrt(squares);
  result.count = count;
  return result;
}

template <class T>
std::vector<T> normalized_kernel(const ConstView<T>& kernel3, const KernelSum& s) {
  if (!std::isfinite(s.sum)) {  // a NaN or an infinity among the values: name the first
    std::size_t index = 0;
    for_each_element(kernel3, [&](T x) {
      if (!std::isfinite(x))
        fail(ErrorCode::invalid_argument, "options.normalize_kernel: the kernel holds ",
             std::isnan(x) ? "NaN"
             : x > 0       ? "inf"
                           : "-inf",
             " (element ", index, " in C order); it cannot be normalized");
      ++index;
    });
    fail(ErrorCode::invalid_argument, "options.normalize_kernel: the kernel's sum overflows ",
         "double; it cannot be normalized");
  }
  FFTCONV_CHECK(s.distinct_from_zero(), invalid_argument,
                "options.normalize_kernel: the kernel sums to ", s.sum,
                ", which is zero within the rounding of its sum (|sum| <= ", s.tolerance,
                "): it cannot be normalized");
  std::vector<T> normalized = dense_values<T>(kernel3, [](T x) { return x; });
  for (T& x : normalized)
    x = static_cast<T>(static_cast<double>(x) / s.sum);
  return normalized;
}

template KernelSum kernel_sum(const ConstView<float>&);
template KernelSum kernel_sum(const ConstView<double>&);
template std::vector<float> normalized_kernel(const ConstView<float>&, const KernelSum&);
template std::vector<double> normalized_kernel(const ConstView<double>&, const KernelSum&);

}  // namespace fftconv::detail
