#include "choose.hpp"

#include <cmath>
#include <string>

#include "check.hpp"
#include "direct/direct_path.hpp"
#include "fft_path.hpp"

namespace fftconv::detail {

namespace {
// Cost model in nanoseconds, single thread:
//   direct = outputs * (per_output + per_tap * non-zero taps)
//   fft    = points * per_point_log2 * log2(points)     (points = fft_shape element count)
// Fitted by bench/fit_chooser.py to bench/bench_paths (1024^2 and 2048^2, k = 3..255, same mode)
// on the development machine, 2026-11-21: the model picks the faster measured method on every
// one of those workloads (crossover: float k 15..21, double k 11..15).
struct CostModel {
  double direct_ns_per_output;
  double direct_ns_per_tap;
  double fft_ns_per_point_log2;
};
constexpr CostModel float_model{0.643, 0.0620, 0.976};
constexpr CostModel double_model{1.840, 0.1264, 1.024};
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
  c.direct_ns =
      outputs * (m.direct_ns_per_output + static_cast<double>(nonzero_taps) * m.direct_ns_per_tap);
  c.fft_ns = points * m.fft_ns_per_point_log2 * std::log2(points + 1);
  return c;
}

Method choose_method(const Problem& p, std::size_t nonzero_taps, std::size_t element_bytes) {
  const MethodCosts c = estimate_costs(p, nonzero_taps, element_bytes);
  return c.direct_ns <= c.fft_ns ? Method::direct : Method::fft;
}

Method select_method(const Problem& p, Method requested, std::size_t nonzero_taps,
                     std::size_t element_bytes, std::size_t memory_limit) {
  const auto needed = [&](Method m) {
    return m == Method::direct ? direct_working_bytes(p, element_bytes)
                               : fft_working_bytes(p, element_bytes);
  };
  if (requested != Method::automatic) {
    const std::size_t bytes = needed(requested);
    FFTCONV_CHECK(bytes <= memory_limit, out_of_memory, "the ",
                  requested == Method::direct ? "direct" : "fft", " method needs ", bytes,
                  " bytes of working memory, more than options.max_memory_bytes = ", memory_limit);
    return requested;
  }
  // For automatic, a method whose sizes are impossible (overflow, a transform length beyond
  // FFTW's int) simply does not fit; only if neither is possible is that an error.
  std::size_t direct_bytes = 0, fft_bytes = 0;
  bool direct_possible = true, fft_possible = true;
  try {
    direct_bytes = needed(Method::direct);
  } catch (const Error&) {
    direct_possible = false;
  }
  try {
    fft_bytes = needed(Method::fft);
  } catch (const Error&) {
    fft_possible = false;
  }
  if (!direct_possible && !fft_possible) needed(Method::fft);  // throws, naming the size
  const bool direct_fits = direct_possible && direct_bytes <= memory_limit;
  const bool fft_fits = fft_possible && fft_bytes <= memory_limit;
  if (!direct_fits && !fft_fits) {
    const auto need = [](bool possible, std::size_t bytes) {
      return possible ? std::to_string(bytes) + " bytes" : std::string("an impossible size");
    };
    fail(ErrorCode::out_of_memory, "the direct method needs ", need(direct_possible, direct_bytes),
         " of working memory and the fft method ", need(fft_possible, fft_bytes),
         ", more than options.max_memory_bytes = ", memory_limit);
  }
  if (!fft_fits) return Method::direct;
  if (!direct_fits) return Method::fft;
  return choose_method(p, nonzero_taps, element_bytes);
}

}  // namespace fftconv::detail
