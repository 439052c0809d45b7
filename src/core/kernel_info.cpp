#include "core/kernel_info.hpp"

#include <algorithm>

#include "util/copy.hpp"

namespace fftconv::detail {

namespace {

/// Non-zero values, in all and per kernel row.
struct RowTaps {
  std::size_t nonzero = 0, most_in_a_row = 0, rows = 0;
};

template <class T>
RowTaps row_taps(const ConstView<T>& kernel3) {
  RowTaps r;
  for (std::size_t i0 = 0; i0 < kernel3.extent(0); ++i0)
    for (std::size_t i1 = 0; i1 < kernel3.extent(1); ++i1) {
      const T* row = row_start(kernel3, i0, i1);
      std::size_t taps = 0;
      for (std::size_t i2 = 0; i2 < kernel3.extent(2); ++i2)
        taps += row[static_cast<std::ptrdiff_t>(i2) * kernel3.stride(2)] != T(0);
      r.nonzero += taps;
      r.most_in_a_row = std::max(r.most_in_a_row, taps);
      r.rows += taps > 0;
    }
  return r;
}

}  // namespace

template <class T>
KernelInfo<T>::KernelInfo(const Problem& p, const ConstView<T>& kernel3)
    : values_(effective_kernel(kernel3, p.normalize_kernel, normalized_)) {
  sum_ = kernel_sum(values_);
  const RowTaps taps = row_taps(values_);
  nonzero_ = taps.nonzero;
  direct_depth_ = taps.most_in_a_row + taps.rows;
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
