#pragma once
// Options::normalize_kernel: the kernel divided by its sum, in one place for every entry point
// (the plan's kernel, the reference).
#include <cmath>
#include <vector>

#include "fftconv/view.hpp"
#include "util/copy.hpp"

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

/// The caller's kernel (canonical rank 3) divided by its sum `raw` (kernel_sum(kernel3)), dense
/// in C order and rounded to T. A sum that is not finite (the first NaN or infinity is named),
/// zero or within the rounding of summing the kernel in T (|sum| <= K u sum |k|, K values) is
/// refused with fftconv::Error(invalid_argument).
template <class T>
std::vector<T> normalized_kernel(const ConstView<T>& kernel3, const KernelSum& raw);

/// The kernel an operation runs: `kernel` (any rank: a frame convolved along more than 3 axes is
/// normalized as a whole) itself, or with `normalize` its normalized copy, dense in C order and
/// kept in `storage` (the view points into it). The stage runs on the values as one rank-3 row,
/// in C order: the same sum and quotients as on the kernel's own shape.
template <class T>
ConstView<T> effective_kernel(const ConstView<T>& kernel, bool normalize, std::vector<T>& storage) {
  if (!normalize) return kernel;
  const std::vector<T> values = dense_copy(kernel);
  const ConstView<T> row(values.data(), Shape{1, 1, values.size()});
  storage = normalized_kernel(row, kernel_sum(row));
  return ConstView<T>(storage.data(), kernel.shape());
}

}  // namespace fftconv::detail
