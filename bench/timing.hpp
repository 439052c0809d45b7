#pragma once
// Timing for the benchmarks: one warm-up call, then clamp(budget / warm-up, 3, 15) timed calls;
// best and median wall time. Same method as bench/peers.py (scipy and OpenCV).
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

/// Several calls timed side by side: one warm-up of each, then rounds that call each once (the
/// first of a round rotating), clamp(budget per call / its warm-up, 3, 15) rounds by the slowest.
/// Drift in the machine's speed (a shared VM) then reaches every call alike, instead of whichever
/// happened to be timed during a slow spell.
inline std::vector<Timing> time_interleaved(const std::vector<std::function<void()>>& fs,
                                            double budget) {
  using clock = std::chrono::steady_clock;
  double slowest = 0;
  for (const auto& f : fs) {
    const auto t0 = clock::now();
    f();
    slowest = std::max(slowest, std::chrono::duration<double>(clock::now() - t0).count());
  }
  const int rounds = std::clamp(static_cast<int>(budget / std::max(slowest, 1e-9)), 3, 15);
  std::vector<std::vector<double>> t(fs.size());
  for (int r = 0; r < rounds; ++r)
    for (std::size_t i = 0; i < fs.size(); ++i) {
      const std::size_t which = (i + static_cast<std::size_t>(r)) % fs.size();
      const auto t0 = clock::now();
      fs[which]();
      t[which].push_back(std::chrono::duration<double>(clock::now() - t0).count());
    }
  std::vector<Timing> out;
  for (auto& v : t) {
    std::sort(v.begin(), v.end());
    out.push_back({v.front(), v[v.size() / 2], rounds});
  }
  return out;
}

}  // namespace bench
