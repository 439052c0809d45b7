#pragma once
// Timing for the benchmarks: one warm-up call, then clamp(budget / warm-up, 3, 15) timed calls;
// best and median wall time. Same method as ../shared/peers (peers.py, fftw_bound.c).
#include <algorithm>
#include <chrono>
#include <functional>
#include <vector>

namespace bench {

struct Timing {
  double best = 0, median = 0;
  int repeats = 0;  ///< 0: not measured
};

inline Timing time_it(const std::function<void()>& f, double budget) {
  using clock = std::chrono::steady_clock;
  auto t0 = clock::now();
  f();
  const double warm = std::chrono::duration<double>(clock::now() - t0).count();
  const int repeats = std::clamp(static_cast<int>(budget / std::max(warm, 1e-9)), 3, 15);
  std::vector<double> t;
  for (int r = 0; r < repeats; ++r) {
    t0 = clock::now();
    f();
    t.push_back(std::chrono::duration<double>(clock::now() - t0).count());
  }
  std::sort(t.begin(), t.end());
  return {t.front(), t[t.size() / 2], repeats};
}

}  // namespace bench
