#include "core/kernel_info.hpp"

#include "util/copy.hpp"

namespace fftconv::detail {

namespace {

template <class T>
std::size_t count_nonzero(const ConstView<T>& kernel3) {
  std::size_t count = 0;
  for_each_element(kernel3, [&](T x) { count += x != T(0); });
  return count;
}

}  // namespace

template <class T>
KernelInfo<T>::KernelInfo(const Problem& p, const ConstView<T>& kernel3)
    : values_(effective_kernel(kernel3, p.normalize_kernel, normalized_)) {
  sum_ = kernel_sum(values_);
  nonzero_ = count_nonzero(values_);
  // Separability matters only to the methods that ask about it, and to the precision the
  // passes would compute in.
  if (p.method != Method::automatic && p.method != Method::separable) return;
  if (widens<T>(p))
    wide_factors_ = separable_factors<double>(values_);
  else
    factors_ = separable_factors<T>(values_);
}

template <class T>
KernelTaps KernelInfo<T>::taps() const {
  KernelTaps taps;
  taps.nonzero = nonzero_;
  const auto read = [&](const auto* f) {
    if (!f) return;
    taps.terms = f->rank();
    taps.row = f->row_taps();
    taps.column = f->column_taps();
  };
  read(factors_ ? &*factors_ : nullptr);
  read(wide_factors_ ? &*wide_factors_ : nullptr);
  return taps;
}

template class KernelInfo<float>;
template class KernelInfo<double>;

}  // namespace fftconv::detail
