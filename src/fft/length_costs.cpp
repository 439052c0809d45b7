#include "length_costs.hpp"

#include <algorithm>
#include <cstdint>
#include <iterator>
#include <limits>
#include <vector>

#include "fftconv/shape.hpp"

namespace fftconv::detail {

namespace {

struct LengthCost {
  std::uint32_t n;
  float float_row, float_column, double_row, double_column;  ///< nanoseconds
};

constexpr LengthCost table[] = {
#include "length_costs.inc"
};

/// The table's entry for n, or null beyond it.
const LengthCost* entry(std::size_t n) {
  const LengthCost* it = std::lower_bound(
      std::begin(table), std::end(table), n,
      [](const LengthCost& e, std::size_t v) { return static_cast<std::size_t>(e.n) < v; });
  return it != std::end(table) && it->n == n ? it : nullptr;
}

/// The candidate lengths of one axis: the friendly lengths from next_fast_size(min) up to
/// 1.25 min (at most 32), or next_fast_size(min) alone beyond the table.
std::vector<std::size_t> candidates(std::size_t min) {
  std::vector<std::size_t> c{next_fast_size(min)};
  if (min <= 1 || !entry(c.front())) return c;
  const double limit = 1.25 * static_cast<double>(min);
  for (std::size_t n = next_fast_size(c.back() + 1);
       static_cast<double>(n) <= limit && c.size() < 32 && entry(n); n = next_fast_size(n + 1))
    c.push_back(n);
  return c;
}

// One length's times: float and double together, so one choice serves both precisions.
double row_ns(std::size_t n) {
  const LengthCost& e = *entry(n);
  return static_cast<double>(e.float_row) + static_cast<double>(e.double_row);
}
double column_ns(std::size_t n) {
  if (n <= 1) return 0;
  const LengthCost& e = *entry(n);
  return static_cast<double>(e.float_column) + static_cast<double>(e.double_column);
}

}  // namespace

std::array<std::size_t, 3> cheapest_lengths(const std::array<std::size_t, 3>& min,
                                            const std::array<double, 3>& rows) {
  std::array<std::vector<std::size_t>, 3> options;
  for (std::size_t a = 0; a < 3; ++a)
    options[a] = candidates(min[a]);
  std::array<std::size_t, 3> best{options[0][0], options[1][0], options[2][0]};
  // Beyond the table on any axis the model has no numbers: the smallest friendly lengths.
  for (std::size_t a = 0; a < 3; ++a)
    if (!entry(best[a])) return best;
  double best_cost = std::numeric_limits<double>::infinity();
  for (std::size_t p0 : options[0])
    for (std::size_t p1 : options[1])
      for (std::size_t p2 : options[2]) {
        const double columns = static_cast<double>(p2 / 2 + 1);
        const double cost =
            rows[0] * rows[1] * row_ns(p2) +
            columns * (rows[0] * column_ns(p1) + static_cast<double>(p1) * column_ns(p0));
        if (cost < best_cost) {
          best_cost = cost;
          best = {p0, p1, p2};
        }
      }
  return best;
}

}  // namespace fftconv::detail
