#include "choose.hpp"

#include <cmath>

#include "fft_path.hpp"

namespace fftconv::detail {

namespace {
// Per-operation costs in nanoseconds, single thread, fitted to bench/bench_paths on the
// development machine (see README, "Choosing a method", for the run and the fit).
struct CostModel {
  double direct_ns_per_tap;      // one multiply-add of the direct path, per output value
  double fft_ns_per_point_log2;  // per transform point and log2(points), all three transforms
  double fft_ns_per_point;       // per transform point: zeroing, copies, product, crop
};
constexpr CostModel float_model{0.10, 0.25, 2.0};
constexpr CostModel double_model{0.20, 0.35, 3.0};
}  // namespace

MethodCosts estimate_costs(const Problem& p, std::size_t nonzero_taps, std::size_t element_bytes) {
  const CostModel& m = element_bytes == sizeof(float) ? float_model : double_model;
  double outputs = 1, points = 1;
  const auto lengths = transform_lengths(p);
  for (std::size_t a = 0; a < 3; ++a) {
    outputs *= static_cast<double>(p.axes[a].out);
    points *= static_cast<double>(lengths[a]);
  }
  MethodCosts c;
  c.direct_ns = outputs * static_cast<double>(nonzero_taps) * m.direct_ns_per_tap;
  c.fft_ns = points * (m.fft_ns_per_point_log2 * std::log2(points + 1) + m.fft_ns_per_point);
  return c;
}

Method choose_method(const Problem& p, std::size_t nonzero_taps, std::size_t element_bytes) {
  const MethodCosts c = estimate_costs(p, nonzero_taps, element_bytes);
  return c.direct_ns <= c.fft_ns ? Method::direct : Method::fft;
}

}  // namespace fftconv::detail
