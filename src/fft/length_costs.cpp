#include "fft/length_costs.hpp"

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
#include "fft/length_costs.inc"
};

/// The table's first entry at or above n (the table lists every friendly length in order, so
/// its length is next_fast_size(n)), or null beyond the table.
const LengthCost* first_at_least(std::size_t n) {
  const LengthCost* it = std::lower_bound(
      std::begin(table), std::end(table), n,
      [](const LengthCost& e, std::size_t v) { return static_cast<std::size_t>(e.n) < v; });
  return it != std::end(table) ? it : nullptr;
}

/// A candidate length with its times: float plus double, so one choice serves both precisions.
/// An axis of length 1 has no column transform.
struct Candidate {
  std::size_t n;
  double row_ns, column_ns;
};

/// The candidate lengths of one axis: the table's lengths (every friendly length, in order) from
/// next_fast_size(min) up to 1.25 min, at most 32; none if that first length is beyond the
/// table. Each length is looked up once here, not once per combination.
std::vector<Candidate> candidates(std::size_t min) {
  std::vector<Candidate> c;
  const LengthCost* e = first_at_least(min);
  if (e == nullptr) return c;
  const double limit = 1.25 * static_cast<double>(min);
  do {
    c.push_back(
        {e->n, static_cast<double>(e->float_row) + static_cast<double>(e->double_row),
         e->n <= 1 ? 0.0
                   : static_cast<double>(e->float_column) + static_cast<double>(e->double_column)});
    ++e;
  } while (min > 1 && e != std::end(table) && static_cast<double>(e->n) <= limit && c.size() < 32);
  return c;
}

}  // namespace

std::size_t next_friendly_length(std::size_t n) {
  const LengthCost* e = first_at_least(n);
  return e != nullptr ? e->n : next_fast_size(n);
}

std::array<std::size_t, 3> cheapest_lengths(const std::array<std::size_t, 3>& min,
                                            const std::array<double, 3>& rows) {
  std::array<std::vector<Candidate>, 3> options;
  for (std::size_t a = 0; a < 3; ++a)
    options[a] = candidates(min[a]);
  // Beyond the table on any axis the model has no numbers: the smallest friendly lengths.
  for (std::size_t a = 0; a < 3; ++a)
    if (options[a].empty())
      return {next_fast_size(min[0]), next_fast_size(min[1]), next_fast_size(min[2])};
  std::array<std::size_t, 3> best{options[0][0].n, options[1][0].n, options[2][0].n};
  double best_cost = std::numeric_limits<double>::infinity();
  for (const Candidate& c0 : options[0])
    for (const Candidate& c1 : options[1])
      for (const Candidate& c2 : options[2]) {
        const double columns = static_cast<double>(c2.n / 2 + 1);
        const double cost =
            rows[0] * rows[1] * c2.row_ns +
            columns * (rows[0] * c1.column_ns + static_cast<double>(c1.n) * c0.column_ns);
        if (cost < best_cost) {
          best_cost = cost;
          best = {c0.n, c1.n, c2.n};
        }
      }
  return best;
}

}  // namespace fftconv::detail
