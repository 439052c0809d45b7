#include "direct/error_model.hpp"

#include <algorithm>
#include <cmath>
#include <limits>

#include "util/copy.hpp"
#include "util/rounding_error.hpp"

namespace fftconv::detail {

double direct_factor(double outputs, double depth, double u, Guarantee guarantee) {
  if (guarantee == Guarantee::worst_case) return gamma(depth, u);
  const double l = lambda(depth * outputs);
  return std::expm1(l * std::sqrt(depth) * u + depth * u * u / (1 - u));
}

double direct_underflow(double taps, double tiny) {
  return (taps + 1) * tiny;
}

template <class C>
SeparablePasses separable_passes(const SeparableFactors<C>& f, std::size_t width) {
  SeparablePasses s;
  s.depth =
      static_cast<double>(f.most_row_taps() + f.column_taps() + 1 + separable_tolerance_units);
  std::vector<long double> columns(f.terms[0].column.size(), 0.0L), rows(width, 0.0L);
  for (const auto& term : f.terms) {
    long double l1 = 0;
    for (std::size_t c = 0; c < width; ++c) {
      rows[c] += std::fabs(static_cast<long double>(term.row[c]));
      l1 += std::fabs(static_cast<long double>(term.row[c]));
    }
    s.row_l1 = std::max(s.row_l1, static_cast<double>(l1 * (1 + 1e-15L)));  // (rounded up)
    long double column_l1 = 0;
    for (std::size_t r = 0; r < columns.size(); ++r) {
      columns[r] += std::fabs(static_cast<long double>(term.column[r]));
      column_l1 += std::fabs(static_cast<long double>(term.column[r]));
    }
    s.underflow_taps +=
        static_cast<double>(static_cast<long double>(term.row_taps) * column_l1 * (1 + 1e-15L));
  }
  s.underflow_taps += static_cast<double>(f.column_taps());
  // (long double sums and products: within 2^-60 relative, well inside the rounding up)
  s.magnitudes.reserve(columns.size() * width);
  for (long double column : columns)
    for (long double row : rows)
      s.magnitudes.push_back(std::nextafter(static_cast<double>(column * row * (1 + 1e-15L)),
                                            std::numeric_limits<double>::infinity()));
  s.magnitudes_depth = static_cast<double>(width + columns.size());
  return s;
}

template SeparablePasses separable_passes<float>(const SeparableFactors<float>&, std::size_t);
template SeparablePasses separable_passes<double>(const SeparableFactors<double>&, std::size_t);

}  // namespace fftconv::detail
