// bench_large: issue 22's in-memory workloads, each under max_memory_bytes = 4 GiB:
//
//   16384 x 16384 float32 with a 1025 x 1025 kernel, and 512^3 float32 with a 65^3 kernel
//   (mode same, zero boundary, random non-separable kernels)
//
// timed beside the FFTW floor for that work: the whole problem's transform with a cached kernel
// spectrum (an r2c, the product, a c2r at next_fast_size(n + k - 1) per axis, FFTW_ESTIMATE, one
// thread: bench/fftw_floor.hpp), which itself needs two such buffers, more than the 4 GiB the
// library is given for the larger workload. Prints the method the library chose under the limit,
// the medians (and bests) of interleaved rounds, the ratio call / floor, and the process's peak
// resident memory after each workload (getrusage; it includes the image, the output and the
// floor's buffers, listed beside it).
//
//   build/bench/bench_large [--only 2d,3d] [--threads N] [--budget S]
#include <sys/resource.h>

#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <random>
#include <string>
#include <vector>

#include "fftconv/fftconv.hpp"
#include "fftw_floor.hpp"
#include "timing.hpp"

namespace {

double peak_gib() {
  rusage u{};
  getrusage(RUSAGE_SELF, &u);
  return static_cast<double>(u.ru_maxrss) / (1024.0 * 1024.0);  // (Linux: kilobytes)
}

std::vector<float> random_values(std::size_t count, unsigned seed) {
  std::mt19937 rng(seed);
  std::uniform_real_distribution<float> u(0.0f, 1.0f);
  std::vector<float> v(count);
  for (float& x : v)
    x = u(rng);
  return v;
}

void workload(const fftconv::Shape& image_shape, const fftconv::Shape& kernel_shape, int threads,
              double budget) {
  constexpr std::size_t limit = std::size_t{4} << 30;
  const std::vector<float> image = random_values(fftconv::element_count(image_shape), 1);
  const std::vector<float> kernel = random_values(fftconv::element_count(kernel_shape), 2);
  std::vector<float> out(image.size());
  const fftconv::ConstView<float> image_view(image.data(), image_shape);
  const fftconv::ConstView<float> kernel_view(kernel.data(), kernel_shape);
  const fftconv::View<float> out_view(out.data(), image_shape);

  fftconv::Options o;
  o.mode = fftconv::Mode::same;
  o.max_memory_bytes = limit;
  const fftconv::Method chosen = fftconv::chosen_method(kernel_view, image_shape, o);
  fftconv::Options o2 = o;
  o2.threads = threads;
  fftconv::Shape floor_shape = image_shape;
  for (int a = 0; a < image_shape.rank(); ++a)
    floor_shape[a] = fftconv::next_fast_size(image_shape[a] + kernel_shape[a] - 1);

  std::printf("\n### %s float32, %s kernel, same, zero boundary, max_memory_bytes 4 GiB\n\n",
              fftconv::to_string(image_shape).c_str(), fftconv::to_string(kernel_shape).c_str());
  std::printf(
      "Method chosen under the limit: %s. Floor: r2c + product + c2r at %s "
      "(next_fast_size(n + k - 1)), FFTW_ESTIMATE, 1 thread.\n\n",
      fftconv::to_string(chosen), fftconv::to_string(floor_shape).c_str());
  std::fflush(stdout);

  using bench::Timing;
  std::vector<std::function<void()>> calls = {
      [&] { fftconv::convolve(image_view, kernel_view, out_view, o); },
      [&] { fftconv::convolve(image_view, kernel_view, out_view, o2); },
  };
  // The floor's own buffers and plans, made once and kept across the rounds (as the kernel's
  // spectrum would be), so the rounds time only the transforms and the product.
  const auto floor = bench::floor_buffers<float>(floor_shape, fftconv::Planning::estimate);
  calls.push_back([&] { bench::convolution_floor(*floor); });
  const std::vector<Timing> t = bench::time_interleaved(calls, budget);
  const double floor_s = t[2].median;
  std::printf("| contender | median, s | best, s | / floor |\n|---|---|---|---|\n");
  std::printf("| fftconv::convolve, 1 thread | %.2f | %.2f | %.2f |\n", t[0].median, t[0].best,
              t[0].median / floor_s);
  std::printf("| fftconv::convolve, %d threads | %.2f | %.2f | %.2f |\n", threads, t[1].median,
              t[1].best, t[1].median / floor_s);
  std::printf("| floor (r2c + product + c2r at %s) | %.2f | %.2f | 1.00 |\n\n",
              fftconv::to_string(floor_shape).c_str(), floor_s, t[2].best);
  const double gib = 1024.0 * 1024.0 * 1024.0;
  std::printf(
      "Rounds: %d. Peak resident memory of the process so far: %.2f GiB (image %.2f + "
      "output %.2f + the floor's two buffers %.2f GiB beside the library's working "
      "memory, limited to 4 GiB).\n",
      t[0].repeats, peak_gib(), static_cast<double>(image.size() * 4) / gib,
      static_cast<double>(out.size() * 4) / gib,
      static_cast<double>(2 * floor->reals * sizeof(float)) / gib);
  std::fflush(stdout);
}

}  // namespace

int main(int argc, char** argv) {
  std::string only = "2d,3d";
  int threads = 2;
  double budget = 60;
  for (int i = 1; i < argc; ++i) {
    const std::string a = argv[i];
    if (a == "--only" && i + 1 < argc) {
      only = argv[++i];
    } else if (a == "--threads" && i + 1 < argc) {
      threads = std::atoi(argv[++i]);
    } else if (a == "--budget" && i + 1 < argc) {
      budget = std::atof(argv[++i]);
    } else {
      std::fprintf(stderr, "usage: bench_large [--only 2d,3d] [--threads N] [--budget S]\n");
      return 2;
    }
  }
  std::printf("## fftconv in memory under max_memory_bytes = 4 GiB (issue 22, section 1)\n");
  if (only.find("2d") != std::string::npos)
    workload(fftconv::Shape{16384, 16384}, fftconv::Shape{1025, 1025}, threads, budget);
  if (only.find("3d") != std::string::npos)
    workload(fftconv::Shape{512, 512, 512}, fftconv::Shape{65, 65, 65}, threads, budget);
  return 0;
}
