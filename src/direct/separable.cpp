#include "separable.hpp"

#include <cmath>
#include <limits>

#include "../check.hpp"
#include "../copy.hpp"

namespace fftconv::detail {

template <class C, class T>
std::optional<SeparableFactors<C>> separable_factors(const ConstView<T>& kernel3) {
  const std::size_t k1 = kernel3.extent(1), width = kernel3.extent(2);
  const std::size_t rows = kernel3.extent(0) * k1;
  if (rows < 2 || width < 2) return std::nullopt;
  // Read in place (no copy: the kernel may be a huge stride-0 view), values exact in long double.
  const auto at = [&](std::size_t r, std::size_t c) {
    return static_cast<long double>(
        row_start(kernel3, r / k1, r % k1)[static_cast<std::ptrdiff_t>(c) * kernel3.stride(2)]);
  };
  std::size_t pr = 0, pc = 0;
  long double peak = 0;
  for (std::size_t r = 0; r < rows; ++r)
    for (std::size_t c = 0; c < width; ++c)
      if (std::fabs(at(r, c)) > std::fabs(peak)) {
        peak = at(r, c);
        pr = r;
        pc = c;
      }
  if (!(peak != 0) || !std::isfinite(static_cast<double>(peak))) return std::nullopt;

  // column = the pivot's column, row = the pivot's row divided by the pivot, then balanced by a
  // power of two near sqrt|pivot| (exact), so neither pass's sums grow past the kernel's scale
  // times the data's (a row factor of 1 under a tiny normalized kernel would let the first pass
  // overflow where the result does not); both rounded to C.
  const long double balance = std::ldexp(1.0L, std::ilogb(std::fabs(peak)) / 2);
  SeparableFactors<C> f;
  f.column.resize(rows);
  f.row.resize(width);
  for (std::size_t r = 0; r < rows; ++r) {
    f.column[r] = static_cast<C>(at(r, pc) / balance);
    f.column_taps += f.column[r] != C(0);
  }
  for (std::size_t c = 0; c < width; ++c) {
    f.row[c] = static_cast<C>(at(pr, c) / peak * balance);
    f.row_taps += f.row[c] != C(0);
  }
  // The test: every value within U u of its product (in long double: the product of two floats
  // is exact, of two doubles within 2^-64 relative, far below u).
  const long double tolerance =
      separable_tolerance_units * static_cast<long double>(std::numeric_limits<C>::epsilon()) / 2;
  for (std::size_t r = 0; r < rows; ++r)
    for (std::size_t c = 0; c < width; ++c) {
      const long double v = at(r, c);
      const long double product =
          static_cast<long double>(f.column[r]) * static_cast<long double>(f.row[c]);
      if (!(std::fabs(v - product) <= tolerance * std::fabs(v))) return std::nullopt;
    }
  return f;
}

void fail_not_separable(const Shape& kernel_shape) {
  fail(ErrorCode::invalid_argument, "options.method = separable: the kernel (shape ",
       to_string(kernel_shape),
       ") is not separable (each value the product of a row factor and a column factor, to ",
       separable_tolerance_units, " units of rounding)");
}

template std::optional<SeparableFactors<float>> separable_factors<float>(const ConstView<float>&);
template std::optional<SeparableFactors<double>> separable_factors<double>(const ConstView<float>&);
template std::optional<SeparableFactors<double>> separable_factors<double>(
    const ConstView<double>&);

}  // namespace fftconv::detail
