#pragma once
// Everything a call needs to know of its kernel, worked out once when the plan is made: the
// kernel it runs (normalized if asked), its non-zero values, its sum and that sum's rounding,
// and its separable factors. The paths, the stages and error_bound read these; none of them
// looks at the kernel again for them.
#include <cstddef>
#include <optional>
#include <vector>

#include "core/choose.hpp"
#include "core/problem.hpp"
#include "direct/separable.hpp"
#include "fftconv/view.hpp"
#include "stages/kernel_normalization.hpp"
#include "stages/widening.hpp"

namespace fftconv::detail {

template <class T>
class KernelInfo {
 public:
  /// Analyses kernel3 (canonical rank 3, of p's kernel shape) for problem p: normalized when
  /// p.normalize_kernel (fftconv::Error if its sum cannot be divided by), separable factors
  /// looked for when p.method is automatic or separable (in the precision the arithmetic runs
  /// in: double when widens<T>(p)). The caller's kernel must outlive this when it is not
  /// normalized (values() then views it).
  KernelInfo(const Problem& p, const ConstView<T>& kernel3);
  KernelInfo(KernelInfo&&) noexcept = default;  // (values_ views normalized_'s buffer, which moves)
  KernelInfo(const KernelInfo&) = delete;
  KernelInfo& operator=(const KernelInfo&) = delete;

  /// The kernel every path runs: the caller's, or normalized.
  const ConstView<T>& values() const { return values_; }
  /// Its sum (of values(), after any normalization).
  const KernelSum& sum() const { return sum_; }
  /// Its values that are not zero.
  std::size_t nonzero() const { return nonzero_; }
  /// The depth of the direct path's summation (direct/error_model.hpp): the most non-zero values
  /// in a kernel row (along the last axis) plus the number of rows with any.
  std::size_t direct_depth() const { return direct_depth_; }
  /// Its separable factors in precision C (T, or double when widened), or null when it is not
  /// separable or they were not looked for (a method other than automatic or separable).
  template <class C>
  const SeparableFactors<C>* factors() const;
  /// What the cost model needs (choose.hpp).
  KernelTaps taps() const;
  /// Forgets values() once the path holds the kernel in its own form: a Filter keeps no view of
  /// the caller's memory, nor a normalized copy it no longer reads.
  void drop_values() {
    normalized_ = std::vector<T>();
    values_ = ConstView<T>();
  }

 private:
  std::vector<T> normalized_;
  ConstView<T> values_;
  KernelSum sum_;
  std::size_t nonzero_ = 0;
  std::size_t direct_depth_ = 0;
  std::optional<SeparableFactors<T>> factors_;            ///< computed in T
  std::optional<SeparableFactors<double>> wide_factors_;  ///< float data computed in double
};

template <class T>
template <class C>
const SeparableFactors<C>* KernelInfo<T>::factors() const {
  if constexpr (std::is_same_v<C, T>) {
    return factors_ ? &*factors_ : nullptr;
  } else {
    static_assert(std::is_same_v<C, double>, "factors are kept in T or in double");
    return wide_factors_ ? &*wide_factors_ : nullptr;
  }
}

extern template class KernelInfo<float>;
extern template class KernelInfo<double>;

}  // namespace fftconv::detail
