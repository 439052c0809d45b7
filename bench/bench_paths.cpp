// bench_paths: times fftconv's methods (one-shot convolve, each method forced: direct, fft,
// overlap_save, and separable with --gaussian or --dog; and the automatic choice, recorded as
// "automatic:<method it chose>") over kernel sizes on square images, float and double, single
// thread, `same` mode, and in the same run the raw FFTW floor at the same padded size: in-place r2c
// of the image + multiply by a cached kernel spectrum + in-place c2r, planned with FFTW_ESTIMATE
// (the effort fftconv uses today) and with FFTW_MEASURE. One JSON line per measurement on stdout, a
// table on stderr.
//
// The floor (fftw_floor.hpp) talks to FFTW directly.
//
//   bench_paths [--sizes 1024,2048] [--kernels 3,5,...] [--budget SECONDS] [--direct-limit S]
//               [--float-only|--double-only] [--gaussian|--dog]
// Kernels are N(0, 1/k) values, or with --gaussian the separable outer product of a sampled
// Gaussian (sigma = k / 6), or with --dog a difference of Gaussians (sigma k / 6 and k / 4, each
// normalized; two terms) evaluated value by value.
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
#include "fftw_floor.hpp"
#include "timing.hpp"

namespace {

using bench::time_it;
using bench::Timing;

std::vector<std::size_t> parse_list(const char* s) {
  std::vector<std::size_t> v;
  for (const char* p = s; *p;) {
    v.push_back(std::strtoul(p, const_cast<char**>(&p), 10));
    if (*p == ',') ++p;
  }
  return v;
}

const char* kernel_kind = "normal";  // or "gaussian" (--gaussian), "dog" (--dog)

void emit(const char* method, const char* dtype, std::size_t n, std::size_t k,
          const fftconv::Shape& padded, const Timing& t) {
  std::printf(
      "{\"kind\": \"timing\", \"bench\": \"paths\", \"method\": \"%s\", \"dtype\": \"%s\", "
      "\"rows\": %zu, \"cols\": %zu, \"k\": %zu, \"kernel\": \"%s\", \"threads\": 1, "
      "\"padded\": [%zu, %zu], \"best_s\": %.6g, \"median_s\": %.6g, \"repeats\": %d}\n",
      method, dtype, n, n, k, kernel_kind, padded[0], padded[1], t.best, t.median, t.repeats);
  std::fflush(stdout);
}

template <class T>
void run(const std::vector<std::size_t>& sizes, const std::vector<std::size_t>& kernels,
         double budget, double direct_limit) {
  const bool gaussian = std::strcmp(kernel_kind, "gaussian") == 0;
  const bool dog = std::strcmp(kernel_kind, "dog") == 0;
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
      if (gaussian) {  // separable: the rounded outer product of a sampled Gaussian, sigma k / 6
        std::vector<double> profile(k);
        for (std::size_t i = 0; i < k; ++i) {
          const double x = (static_cast<double>(i) - static_cast<double>(k - 1) / 2) /
                           (static_cast<double>(k) / 6);
          profile[i] = std::exp(-x * x / 2);
        }
        for (std::size_t i = 0; i < k * k; ++i)
          kernel[i] = static_cast<T>(profile[i / k] * profile[i % k]);
      } else if (dog) {  // two terms: a band-pass filter
        const double c = static_cast<double>(k - 1) / 2, s1 = static_cast<double>(k) / 6,
                     s2 = static_cast<double>(k) / 4;
        for (std::size_t i = 0; i < k * k; ++i) {
          const double x = static_cast<double>(i / k) - c, y = static_cast<double>(i % k) - c;
          const double r2 = x * x + y * y;
          kernel[i] = static_cast<T>(std::exp(-r2 / (2 * s1 * s1)) / (s1 * s1) -
                                     std::exp(-r2 / (2 * s2 * s2)) / (s2 * s2));
        }
      } else {
        for (T& v : kernel)
          v = static_cast<T>(g(rng));
      }
      const fftconv::ConstView<T> iv(image.data(), {n, n}), kv(kernel.data(), {k, k});
      const fftconv::View<T> ov(out.data(), {n, n});
      const fftconv::Shape padded = fftconv::fft_shape({n, n}, {k, k}, fftconv::Mode::same);
      auto timed = [&](fftconv::Method m) {
        fftconv::Options o;
        o.method = m;
        return time_it([&] { fftconv::convolve(iv, kv, ov, o); }, budget);
      };
      const Timing fft = timed(fftconv::Method::fft);
      emit(fftconv::to_string(fftconv::Method::fft), dtype, n, k, padded, fft);
      const Timing overlap = timed(fftconv::Method::overlap_save);
      emit(fftconv::to_string(fftconv::Method::overlap_save), dtype, n, k, padded, overlap);
      Timing separable;
      if (gaussian || dog) {
        separable = timed(fftconv::Method::separable);
        emit(fftconv::to_string(fftconv::Method::separable), dtype, n, k, padded, separable);
      }
      const Timing automatic = timed(fftconv::Method::automatic);
      const fftconv::Method chosen = fftconv::chosen_method(kv, {n, n});
      emit((std::string(fftconv::to_string(fftconv::Method::automatic)) + ":" +
            std::string(fftconv::to_string(chosen)))
               .c_str(),
           dtype, n, k, padded, automatic);
      const double taps = static_cast<double>(n * n) * static_cast<double>(k * k);
      Timing direct;
      if (direct_ns_per_tap == 0 || direct_ns_per_tap * taps * 1e-9 < direct_limit) {
        direct = timed(fftconv::Method::direct);
        direct_ns_per_tap = direct.median / taps * 1e9;
        emit(fftconv::to_string(fftconv::Method::direct), dtype, n, k, padded, direct);
      }
      const Timing floor_est = bench::fftw_floor<T>(padded, fftconv::Planning::estimate, budget);
      emit("fftw_floor_estimate", dtype, n, k, padded, floor_est);
      const Timing floor_meas = bench::fftw_floor<T>(padded, fftconv::Planning::measure, budget);
      emit("fftw_floor_measure", dtype, n, k, padded, floor_meas);
      auto ms = [](const Timing& t) { return t.repeats ? t.median * 1e3 : NAN; };
      std::fprintf(stderr,
                   "%-7s %5zu %4zu  P=%5zu  direct %9.2f  fft %8.2f  overlap-save %8.2f  separable "
                   "%8.2f  auto %8.2f  floor(est) %8.2f  floor(meas) %8.2f  fft/floor(est) %.2f  "
                   "direct ns/tap %.3f\n",
                   dtype, n, k, padded[0], ms(direct), ms(fft), ms(overlap), ms(separable),
                   ms(automatic), ms(floor_est), ms(floor_meas), fft.median / floor_est.median,
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
    else if (a == "--gaussian")
      kernel_kind = "gaussian";
    else if (a == "--dog")
      kernel_kind = "dog";
    else {
      std::fprintf(stderr,
                   "usage: bench_paths [--sizes 1024,2048] [--kernels 3,5,...] [--budget S]"
                   " [--direct-limit S] [--float-only|--double-only] [--gaussian|--dog]\n");
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
