// bench_batches: the complex, stack and volume-series workloads of issue 19, fftconv's side. One
// JSON line per measurement on stdout (median and best of repeated calls), a table on stderr;
// bench/batches.py times scipy.signal.fftconvolve on the same shapes in the same run and prints
// the ratios against the targets.
//
//   stack:    1000 frames of 256 x 256 float32, one 15 x 15 kernel, axes {1, 2}, 1 and 2 threads
//             (and the loop over frames with a Filter made for one frame, 1 thread)
//   complex:  complex128 1024 x 1024 with a 63 x 63 complex kernel; beside it, at the padded
//             shape of the whole image (fft_shape), the FFTW floors of complex data through
//             complex transforms (c2c forward, product, c2c inverse) and through the real
//             transforms of its two parts (fftconv's spectral form: twice r2c, product, c2r)
//   mixed:    a real 1024 x 1024 image with a 63 x 63 complex kernel, and the same image
//             promoted to complex128 (what the mixed path saves)
//   volumes:  (16, 64, 64, 64) float32 with a 9^3 kernel along the last three axes, and with a
//             5 x 9 x 9 x 9 kernel along all four (the tap sum: 5 taps x 16 positions of 3-D
//             convolutions)
// `same` mode, zero boundary, Method::automatic, FFTW_ESTIMATE.
//
//   bench_batches [--budget SECONDS] [--only stack|complex|mixed|volumes]
#include <complex>
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

template <class T>
std::vector<T> random_values(std::size_t count, std::mt19937_64& rng) {
  std::normal_distribution<double> d(0, 1);
  std::vector<T> v(count);
  for (T& x : v) {
    if constexpr (std::is_same_v<T, std::complex<double>>)
      x = T(d(rng), d(rng));
    else
      x = static_cast<T>(d(rng));
  }
  return v;
}

void report(const char* workload, const char* variant, int threads, const bench::Timing& t,
            const std::string& method) {
  std::printf(
      "{\"kind\": \"batches\", \"workload\": \"%s\", \"impl\": \"fftconv\", \"variant\": \"%s\", "
      "\"threads\": %d, \"median_s\": %.6g, \"best_s\": %.6g, \"repeats\": %d, \"method\": "
      "\"%s\"}\n",
      workload, variant, threads, t.median, t.best, t.repeats, method.c_str());
  std::fflush(stdout);
  std::fprintf(stderr, "%-8s %-22s threads %d  median %9.2f ms  best %9.2f ms  (%d runs, %s)\n",
               workload, variant, threads, t.median * 1e3, t.best * 1e3, t.repeats, method.c_str());
}

void stack(double budget) {
  std::mt19937_64 rng(1);
  const fftconv::Shape shape{1000, 256, 256}, kshape{15, 15};
  const std::vector<float> image = random_values<float>(fftconv::element_count(shape), rng);
  const std::vector<float> kernel = random_values<float>(225, rng);
  std::vector<float> out(image.size());
  const fftconv::ConstView<float> in(image.data(), shape), k(kernel.data(), kshape);
  const fftconv::View<float> dst(out.data(), shape);
  for (int threads : {1, 2}) {
    fftconv::Options o;
    o.axes = {1, 2};
    o.threads = threads;
    const fftconv::Method method =
        fftconv::chosen_method(fftconv::ConstView<float>(kernel.data(), {1, 15, 15}), shape, o);
    report("stack", "convolve axes {1,2}", threads,
           bench::time_it([&] { fftconv::convolve(in, k, dst, o); }, budget),
           fftconv::to_string(method));
  }
  const fftconv::Filter<float> frame(k, {256, 256}, fftconv::Operation::convolve);
  report("stack", "Filter per frame", 1,
         bench::time_it(
             [&] {
               for (std::size_t f = 0; f < 1000; ++f)
                 frame.apply(fftconv::ConstView<float>(image.data() + f * 65536, {256, 256}),
                             fftconv::View<float>(out.data() + f * 65536, {256, 256}));
             },
             budget),
         fftconv::to_string(frame.method()));
}

template <class I>
void complex_case(const char* workload, const char* variant, double budget) {
  using C = std::complex<double>;
  std::mt19937_64 rng(2);
  const fftconv::Shape shape{1024, 1024}, kshape{63, 63};
  std::vector<I> image(fftconv::element_count(shape));
  {
    const std::vector<double> real = random_values<double>(image.size(), rng);
    for (std::size_t i = 0; i < image.size(); ++i)
      image[i] = static_cast<I>(real[i]);  // (promoted: the same real values as complex)
  }
  const std::vector<C> kernel = random_values<C>(63 * 63, rng);
  std::vector<C> out(image.size());
  const fftconv::Options o;
  report(workload, variant, 1,
         bench::time_it(
             [&] {
               fftconv::convolve(fftconv::ConstView<I>(image.data(), shape),
                                 fftconv::ConstView<C>(kernel.data(), kshape),
                                 fftconv::View<C>(out.data(), shape), o);
             },
             budget),
         fftconv::to_string(fftconv::chosen_method(
             fftconv::ConstView<double>(reinterpret_cast<const double*>(kernel.data()), kshape,
                                        {126, 2}),
             shape, o)));
}

void volumes(double budget) {
  std::mt19937_64 rng(3);
  const fftconv::Shape shape{16, 64, 64, 64}, kshape{9, 9, 9};
  const std::vector<float> image = random_values<float>(fftconv::element_count(shape), rng);
  const std::vector<float> kernel = random_values<float>(729, rng);
  std::vector<float> out(image.size());
  fftconv::Options o;
  o.axes = {1, 2, 3};
  report("volumes", "convolve axes {1,2,3}", 1,
         bench::time_it(
             [&] {
               fftconv::convolve(fftconv::ConstView<float>(image.data(), shape),
                                 fftconv::ConstView<float>(kernel.data(), kshape),
                                 fftconv::View<float>(out.data(), shape), o);
             },
             budget),
         fftconv::to_string(fftconv::chosen_method(
             fftconv::ConstView<float>(kernel.data(), {1, 9, 9, 9}), shape, o)));
  const fftconv::Shape k4{5, 9, 9, 9};
  const std::vector<float> kernel4 = random_values<float>(fftconv::element_count(k4), rng);
  const fftconv::Options every_axis;
  report("volumes", "convolve every axis 5x9x9x9", 1,
         bench::time_it(
             [&] {
               fftconv::convolve(fftconv::ConstView<float>(image.data(), shape),
                                 fftconv::ConstView<float>(kernel4.data(), k4),
                                 fftconv::View<float>(out.data(), shape), every_axis);
             },
             budget),
         fftconv::to_string(fftconv::chosen_method(fftconv::ConstView<float>(kernel4.data(), k4),
                                                   shape, every_axis)));
}

}  // namespace

int main(int argc, char** argv) {
  double budget = 10;
  std::string only;
  for (int i = 1; i < argc; ++i) {
    if (std::strcmp(argv[i], "--budget") == 0 && i + 1 < argc)
      budget = std::stod(argv[++i]);
    else if (std::strcmp(argv[i], "--only") == 0 && i + 1 < argc)
      only = argv[++i];
    else {
      std::fprintf(stderr, "usage: bench_batches [--budget SECONDS] [--only WORKLOAD]\n");
      return 2;
    }
  }
  const auto wanted = [&](const char* w) { return only.empty() || only == w; };
  if (wanted("stack")) stack(budget);
  if (wanted("complex")) {
    complex_case<std::complex<double>>("complex", "complex128 x complex128", budget);
    const fftconv::Shape padded = fftconv::fft_shape({1024, 1024}, {63, 63}, fftconv::Mode::same);
    report("complex", "fftw floor c2c", 1,
           bench::fftw_c2c_floor<double>(padded, fftconv::Planning::estimate, budget),
           fftconv::to_string(padded));
    report("complex", "fftw floor 2 x r2c+c2r", 1,
           bench::fftw_floor<double>(padded, fftconv::Planning::estimate, budget, 2),
           fftconv::to_string(padded));
  }
  if (wanted("mixed")) {
    complex_case<double>("mixed", "float64 x complex128", budget);
    complex_case<std::complex<double>>("mixed", "promoted complex128", budget);
  }
  if (wanted("volumes")) volumes(budget);
  return 0;
}
