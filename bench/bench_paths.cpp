// bench_paths: times fftconv's direct and FFT paths (one-shot convolve, method forced, and the
// automatic choice) over kernel sizes on square images, float and double, single thread, `same`
// mode, and in the same run the raw FFTW floor at the same padded size: in-place r2c of the
// image + multiply by a cached kernel spectrum + in-place c2r, planned with FFTW_ESTIMATE (the
// effort fftconv uses today) and with FFTW_MEASURE. One JSON line per measurement on stdout, a
// table on stderr.
//
// The floor talks to FFTW directly (this file includes fftw3.h): it must not depend on
// fftconv's own wrappers, since it is what they are measured against.
//
//   bench_paths [--sizes 1024,2048] [--kernels 3,5,...] [--budget SECONDS] [--direct-limit S]
#include <fftw3.h>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <cstring>
#include <functional>
#include <random>
#include <string>
#include <vector>

#include "fftconv/fftconv.hpp"

namespace {

struct Timing {
  double best = 0, median = 0;
  int repeats = 0;
};

// One warm-up call, then clamp(budget / warm-up, 3, 15) timed calls; best and median.
Timing time_it(const std::function<void()>& f, double budget) {
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

template <class T>
struct Fftw;
template <>
struct Fftw<double> {
  using plan = fftw_plan;
  using cpx = fftw_complex;
  static constexpr auto r2c = fftw_plan_dft_r2c_2d;
  static constexpr auto c2r = fftw_plan_dft_c2r_2d;
  static constexpr auto exec_r2c = fftw_execute_dft_r2c;
  static constexpr auto exec_c2r = fftw_execute_dft_c2r;
  static constexpr auto destroy = fftw_destroy_plan;
  static void* alloc(std::size_t b) { return fftw_malloc(b); }
  static void free(void* p) { fftw_free(p); }
};
template <>
struct Fftw<float> {
  using plan = fftwf_plan;
  using cpx = fftwf_complex;
  static constexpr auto r2c = fftwf_plan_dft_r2c_2d;
  static constexpr auto c2r = fftwf_plan_dft_c2r_2d;
  static constexpr auto exec_r2c = fftwf_execute_dft_r2c;
  static constexpr auto exec_c2r = fftwf_execute_dft_c2r;
  static constexpr auto destroy = fftwf_destroy_plan;
  static void* alloc(std::size_t b) { return fftwf_malloc(b); }
  static void free(void* p) { fftwf_free(p); }
};

// The FFTW floor at padded size P0 x P1: r2c + multiply by a cached spectrum + c2r, in place.
template <class T>
Timing fftw_floor(int P0, int P1, unsigned flags, double budget) {
  using F = Fftw<T>;
  const std::size_t half = static_cast<std::size_t>(P1) / 2 + 1;
  const std::size_t reals = static_cast<std::size_t>(P0) * 2 * half;
  T* x = static_cast<T*>(F::alloc(reals * sizeof(T)));
  T* g = static_cast<T*>(F::alloc(reals * sizeof(T)));
  auto* xc = reinterpret_cast<typename F::cpx*>(x);
  typename F::plan fwd = F::r2c(P0, P1, x, xc, flags);
  typename F::plan inv = F::c2r(P0, P1, xc, x, flags);
  std::mt19937_64 rng(1);
  std::uniform_real_distribution<double> u(0, 1);
  for (std::size_t i = 0; i < reals; ++i)
    g[i] = static_cast<T>(u(rng));
  const std::size_t count = static_cast<std::size_t>(P0) * half;
  const Timing t = time_it(
      [&] {
        std::memset(x, 0, reals * sizeof(T));  // keeps values bounded across repeats
        F::exec_r2c(fwd, x, xc);
        for (std::size_t i = 0; i < count; ++i) {
          const T a = x[2 * i], b = x[2 * i + 1], c = g[2 * i], d = g[2 * i + 1];
          x[2 * i] = a * c - b * d;
          x[2 * i + 1] = a * d + b * c;
        }
        F::exec_c2r(inv, xc, x);
      },
      budget);
  F::destroy(fwd);
  F::destroy(inv);
  F::free(x);
  F::free(g);
  return t;
}

std::vector<std::size_t> parse_list(const char* s) {
  std::vector<std::size_t> v;
  for (const char* p = s; *p;) {
    v.push_back(std::strtoul(p, const_cast<char**>(&p), 10));
    if (*p == ',') ++p;
  }
  return v;
}

void emit(const char* method, const char* dtype, std::size_t n, std::size_t k,
          const fftconv::Shape& padded, const Timing& t) {
  std::printf(
      "{\"kind\": \"timing\", \"bench\": \"paths\", \"method\": \"%s\", \"dtype\": \"%s\", "
      "\"rows\": %zu, \"cols\": %zu, \"k\": %zu, \"threads\": 1, \"padded\": [%zu, %zu], "
      "\"best_s\": %.6g, \"median_s\": %.6g, \"repeats\": %d}\n",
      method, dtype, n, n, k, padded[0], padded[1], t.best, t.median, t.repeats);
  std::fflush(stdout);
}

template <class T>
void run(const std::vector<std::size_t>& sizes, const std::vector<std::size_t>& kernels,
         double budget, double direct_limit) {
  const char* dtype = sizeof(T) == 4 ? "float32" : "float64";
  for (std::size_t n : sizes) {
    std::mt19937_64 rng(n);
    std::uniform_real_distribution<double> u(0, 1);
    std::vector<T> image(n * n), out(n * n);
    for (T& v : image)
      v = static_cast<T>(u(rng));
    double direct_ns_per_tap = 0;  // measured on the first kernel, predicts the others
    for (std::size_t k : kernels) {
      std::normal_distribution<double> g(0, 1.0 / static_cast<double>(k));
      std::vector<T> kernel(k * k);
      for (T& v : kernel)
        v = static_cast<T>(g(rng));
      const fftconv::ConstView<T> iv(image.data(), {n, n}), kv(kernel.data(), {k, k});
      const fftconv::View<T> ov(out.data(), {n, n});
      const fftconv::Shape padded = fftconv::fft_shape({n, n}, {k, k}, fftconv::Mode::same);
      auto timed = [&](fftconv::Method m) {
        fftconv::Options o;
        o.method = m;
        return time_it([&] { fftconv::convolve(iv, kv, ov, o); }, budget);
      };
      const Timing fft = timed(fftconv::Method::fft);
      emit("fft", dtype, n, k, padded, fft);
      const Timing automatic = timed(fftconv::Method::automatic);
      emit("automatic", dtype, n, k, padded, automatic);
      const double taps = static_cast<double>(n * n) * static_cast<double>(k * k);
      Timing direct;
      if (direct_ns_per_tap == 0 || direct_ns_per_tap * taps * 1e-9 < direct_limit) {
        direct = timed(fftconv::Method::direct);
        direct_ns_per_tap = direct.median / taps * 1e9;
        emit("direct", dtype, n, k, padded, direct);
      }
      const int P0 = static_cast<int>(padded[0]), P1 = static_cast<int>(padded[1]);
      const Timing floor_est = fftw_floor<T>(P0, P1, FFTW_ESTIMATE, budget);
      emit("fftw_floor_estimate", dtype, n, k, padded, floor_est);
      const Timing floor_meas = fftw_floor<T>(P0, P1, FFTW_MEASURE, budget);
      emit("fftw_floor_measure", dtype, n, k, padded, floor_meas);
      auto ms = [](const Timing& t) { return t.repeats ? t.median * 1e3 : NAN; };
      std::fprintf(stderr,
                   "%-7s %5zu %4zu  P=%5zu  direct %9.2f  fft %8.2f  auto %8.2f  floor(est) %8.2f"
                   "  floor(meas) %8.2f  fft/floor(est) %.2f  direct ns/tap %.3f\n",
                   dtype, n, k, padded[0], ms(direct), ms(fft), ms(automatic), ms(floor_est),
                   ms(floor_meas), fft.median / floor_est.median,
                   direct.repeats ? direct.median / taps * 1e9 : NAN);
    }
  }
}

}  // namespace

int main(int argc, char** argv) {
  std::vector<std::size_t> sizes{1024, 2048};
  std::vector<std::size_t> kernels{3, 5, 7, 9, 11, 15, 21, 31, 63, 127, 255};
  double budget = 1.0, direct_limit = 3.0;
  bool run_float = true, run_double = true;
  for (int i = 1; i < argc; ++i) {
    const std::string a = argv[i];
    if (a == "--sizes" && i + 1 < argc)
      sizes = parse_list(argv[++i]);
    else if (a == "--kernels" && i + 1 < argc)
      kernels = parse_list(argv[++i]);
    else if (a == "--budget" && i + 1 < argc)
      budget = std::atof(argv[++i]);
    else if (a == "--direct-limit" && i + 1 < argc)
      direct_limit = std::atof(argv[++i]);
    else if (a == "--float-only")
      run_double = false;
    else if (a == "--double-only")
      run_float = false;
    else {
      std::fprintf(stderr,
                   "usage: bench_paths [--sizes 1024,2048] [--kernels 3,5,...] [--budget S]"
                   " [--direct-limit S] [--float-only|--double-only]\n");
      return 2;
    }
  }
  std::fprintf(
      stderr,
      "median ms, 1 thread, same mode; floor = r2c + multiply + c2r at fftconv's padded size\n");
  if (run_float) run<float>(sizes, kernels, budget, direct_limit);
  if (run_double) run<double>(sizes, kernels, budget, direct_limit);
  return 0;
}
