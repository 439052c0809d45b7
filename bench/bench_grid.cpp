// bench_grid: the performance issue's workload grid, 'same' mode, zero boundary, in one run:
//   fftconv           one-shot fftconv::convolve, automatic method (what a user calls; "method"
//                     says which it chose);
//   fftconv_direct, fftconv_fft, fftconv_overlap_save
//                     one-shot, each method forced (direct only up to 2e10 multiply-adds);
//   fftconv_filter    Filter<T>::apply, fft method (kernel spectrum and plans cached);
//   fftw_naive_floor  FFTW alone with a cached kernel spectrum at the next 7-smooth size of
//                     n + k - 1 per axis, no pruning (r2c + multiply + c2r: bench/fftw_floor.hpp),
//                     planned with the same effort as fftconv (single-threaded).
// One JSON line per measurement on stdout in bench/peers.py's format (compare_peers.py reads
// both), a table with the ratios on stderr. Image U[0,1), kernel N(0,1)/k,
// median of up to 15 calls after a warm-up.
//
//   bench_grid [--only 1024x1024:31,...] [--dtypes float32,float64] [--threads N]
//              [--planning estimate|measure] [--budget SECONDS]
#include <algorithm>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <functional>
#include <optional>
#include <random>
#include <string>
#include <vector>

#include "fftconv/fftconv.hpp"
#include "fftw_floor.hpp"
#include "timing.hpp"

namespace {

struct Workload {
  std::size_t n, k;
};

// The grid of the performance issue.
const std::vector<Workload> grid = {{1024, 3},   {1024, 7},   {1024, 15},  {1024, 31}, {1024, 63},
                                    {1024, 127}, {1024, 255}, {2048, 5},   {2048, 31}, {2048, 127},
                                    {2048, 511}, {4096, 9},   {4096, 129}, {4096, 513}};

std::size_t next_smooth7(std::size_t n) {
  for (;; ++n) {
    std::size_t m = n;
    for (const std::size_t p : {std::size_t{2}, std::size_t{3}, std::size_t{5}, std::size_t{7}})
      while (m % p == 0)
        m /= p;
    if (m == 1) return n;
  }
}

// Forced direct runs only up to this many multiply-adds (about a second in double).
constexpr double direct_taps_limit = 2e10;

void emit(const char* peer, const char* dtype, const Workload& w, int threads,
          const fftconv::Shape& padded, const bench::Timing& t, const char* method = "") {
  std::printf(
      "{\"kind\": \"timing\", \"peer\": \"%s\", \"dtype\": \"%s\", \"rows\": %zu, "
      "\"cols\": %zu, \"k\": %zu, \"threads\": %d, \"padded\": \"%s\", \"method\": \"%s\", "
      "\"best_s\": %.6g, \"median_s\": %.6g, \"repeats\": %d}\n",
      peer, dtype, w.n, w.n, w.k, threads, fftconv::to_string(padded).c_str(), method, t.best,
      t.median, t.repeats);
  std::fflush(stdout);
}

template <class T>
void run(const Workload& w, int threads, fftconv::Planning planning, double budget) {
  const char* dtype = sizeof(T) == 4 ? "float32" : "float64";
  std::mt19937_64 rng(11);
  std::uniform_real_distribution<double> u(0, 1);
  std::normal_distribution<double> g(0, 1.0 / static_cast<double>(w.k));
  const fftconv::Shape image_shape{w.n, w.n}, kernel_shape{w.k, w.k};
  std::vector<T> image(w.n * w.n), out(w.n * w.n), kernel(w.k * w.k);
  for (T& v : image)
    v = static_cast<T>(u(rng));
  for (T& v : kernel)
    v = static_cast<T>(g(rng));
  fftconv::Options o;
  o.threads = threads;
  o.planning = planning;
  const fftconv::ConstView<T> in(image.data(), image_shape), ker(kernel.data(), kernel_shape);
  const fftconv::View<T> dst(out.data(), image_shape);
  const fftconv::Method chosen = fftconv::chosen_method(ker, image_shape, o);
  // The one-shot automatic call and each method forced, timed side by side (interleaved), for
  // the chooser's regret (direct only where it can finish).
  const auto call = [&](fftconv::Method m) {
    return std::function<void()>([&, m] {
      fftconv::Options f = o;
      f.method = m;
      fftconv::convolve(in, ker, dst, f);
    });
  };
  const double taps = static_cast<double>(w.n * w.n) * static_cast<double>(w.k * w.k);
  const bool with_direct = taps <= direct_taps_limit;
  std::vector<std::function<void()>> calls = {call(fftconv::Method::automatic),
                                              call(fftconv::Method::fft),
                                              call(fftconv::Method::overlap_save)};
  if (with_direct) calls.push_back(call(fftconv::Method::direct));
  const std::vector<bench::Timing> timed = bench::time_interleaved(calls, budget);
  const bench::Timing oneshot = timed[0], fft = timed[1], overlap = timed[2];
  const bench::Timing direct = with_direct ? timed[3] : bench::Timing{};
  o.method = fftconv::Method::fft;
  const fftconv::Filter<T> filter(ker, image_shape, fftconv::Operation::convolve, o);
  const bench::Timing apply = bench::time_it([&] { filter.apply(in, dst); }, budget);
  const fftconv::Shape padded = fftconv::fft_shape(image_shape, kernel_shape, o);
  const std::size_t naive = next_smooth7(w.n + w.k - 1);
  const bench::Timing floor = bench::fftw_floor<T>({naive, naive}, planning, budget);
  emit("fftconv", dtype, w, threads, padded, oneshot, fftconv::to_string(chosen));
  if (direct.repeats) emit("fftconv_direct", dtype, w, threads, padded, direct);
  emit("fftconv_fft", dtype, w, threads, padded, fft);
  emit("fftconv_overlap_save", dtype, w, threads, padded, overlap);
  emit("fftconv_filter", dtype, w, threads, padded, apply);
  emit("fftw_naive_floor", dtype, w, threads, {naive, naive}, floor);
  double fastest = std::min(fft.median, overlap.median);
  if (direct.repeats) fastest = std::min(fastest, direct.median);
  std::fprintf(stderr,
               "%-7s %4zux%-4zu k=%-4zu padded %-10s one-shot %8.2f ms (%s; forced: direct %8.2f "
               "fft %8.2f overlap-save %8.2f; regret %.2f)  apply %8.2f ms  naive floor (%zu) "
               "%8.2f ms  apply/floor %.2f\n",
               dtype, w.n, w.n, w.k, fftconv::to_string(padded).c_str(), oneshot.median * 1e3,
               fftconv::to_string(chosen), direct.repeats ? direct.median * 1e3 : NAN,
               fft.median * 1e3, overlap.median * 1e3, oneshot.median / fastest, apply.median * 1e3,
               naive, floor.median * 1e3, apply.median / floor.median);
}

}  // namespace

int main(int argc, char** argv) {
  std::vector<Workload> workloads = grid;
  std::string dtypes = "float32,float64";
  int threads = 1;
  fftconv::Planning planning = fftconv::Planning::estimate;
  double budget = 1.0;
  for (int i = 1; i + 1 < argc; i += 2) {
    const std::string a = argv[i], v = argv[i + 1];
    if (a == "--only") {
      workloads.clear();
      for (std::size_t at = 0; at < v.size();) {
        std::size_t n = 0, k = 0;
        if (std::sscanf(v.c_str() + at, "%zux%*u:%zu", &n, &k) != 2) break;
        workloads.push_back({n, k});
        at = v.find(',', at);
        if (at == std::string::npos) break;
        ++at;
      }
    } else if (a == "--dtypes") {
      dtypes = v;
    } else if (a == "--threads") {
      threads = std::atoi(v.c_str());
    } else if (a == "--planning") {
      const std::optional<fftconv::Planning> p = fftconv::try_parse<fftconv::Planning>(v);
      if (!p) {
        std::fprintf(stderr, "unknown --planning %s\n", v.c_str());
        return 2;
      }
      planning = *p;
    } else if (a == "--budget") {
      budget = std::atof(v.c_str());
    } else {
      std::fprintf(stderr, "unknown option %s\n", a.c_str());
      return 2;
    }
  }
  for (const Workload& w : workloads) {
    if (dtypes.find("float32") != std::string::npos) run<float>(w, threads, planning, budget);
    if (dtypes.find("float64") != std::string::npos) run<double>(w, threads, planning, budget);
  }
  return 0;
}
