// bench_filter: Filter<T>::apply (kernel spectrum cached, plans made in the constructor) against
// the FFTW floor at the same padded shape with the same planning effort, in the same run, single
// thread, `same` mode, zero boundary:
//   2-D: 2048 x 2048 image, 127 x 127 kernel;  3-D: 256^3 volume, 31^3 kernel.
// The goal (issue 4): apply within 1.15x of the floor. apply also copies the image into its
// buffer, crops the result out and allocates that buffer (one fftw_malloc per call); the floor
// does none of that. One JSON line per measurement on stdout, a table on stderr.
//
//   bench_filter [--budget SECONDS] [--only 2d|3d] [--double]
#include <cstdio>
#include <random>
#include <string>
#include <vector>

#include "fftconv/fftconv.hpp"
#include "fftw_floor.hpp"
#include "timing.hpp"

namespace {

template <class T>
void run(const fftconv::Shape& image_shape, const fftconv::Shape& kernel_shape,
         fftconv::Planning effort, double budget) {
  std::mt19937_64 rng(7);
  std::uniform_real_distribution<double> u(0, 1);
  std::normal_distribution<double> g(0, 1.0 / static_cast<double>(kernel_shape[0]));
  std::vector<T> image(fftconv::element_count(image_shape)), out(image.size());
  std::vector<T> kernel(fftconv::element_count(kernel_shape));
  for (T& v : image)
    v = static_cast<T>(u(rng));
  for (T& v : kernel)
    v = static_cast<T>(g(rng));
  fftconv::Options o;
  o.method = fftconv::Method::fft;
  o.planning = effort;
  const fftconv::Filter<T> filter(fftconv::ConstView<T>(kernel.data(), kernel_shape), image_shape,
                                  fftconv::Operation::convolve, o);
  const fftconv::Shape padded = fftconv::fft_shape(image_shape, kernel_shape, o);
  const fftconv::ConstView<T> in(image.data(), image_shape);
  const fftconv::View<T> dst(out.data(), image_shape);
  const bench::Timing apply = bench::time_it([&] { filter.apply(in, dst); }, budget);
  const bench::Timing floor = bench::fftw_floor<T>(padded, effort, budget);
  const char* dtype = sizeof(T) == 4 ? "float32" : "float64";
  const char* effort_name = fftconv::to_string(effort);
  for (const auto& [what, t] :
       {std::pair<const char*, bench::Timing>{"filter_apply", apply}, {"fftw_floor", floor}})
    std::printf(
        "{\"kind\": \"timing\", \"bench\": \"filter\", \"method\": \"%s\", \"dtype\": \"%s\", "
        "\"image\": \"%s\", \"kernel\": \"%s\", \"padded\": \"%s\", \"planning\": \"%s\", "
        "\"threads\": 1, \"best_s\": %.6g, \"median_s\": %.6g, \"repeats\": %d}\n",
        what, dtype, fftconv::to_string(image_shape).c_str(),
        fftconv::to_string(kernel_shape).c_str(), fftconv::to_string(padded).c_str(), effort_name,
        t.best, t.median, t.repeats);
  std::fprintf(stderr,
               "%-7s image %-14s kernel %-10s padded %-14s %-8s apply %8.2f ms  floor %8.2f ms"
               "  apply/floor %.3f (best-of %.3f)\n",
               dtype, fftconv::to_string(image_shape).c_str(),
               fftconv::to_string(kernel_shape).c_str(), fftconv::to_string(padded).c_str(),
               effort_name, apply.median * 1e3, floor.median * 1e3, apply.median / floor.median,
               apply.best / floor.best);
}

}  // namespace

int main(int argc, char** argv) {
  double budget = 2.0;
  std::string only;
  bool use_double = false;
  for (int i = 1; i < argc; ++i) {
    const std::string a = argv[i];
    if (a == "--budget" && i + 1 < argc)
      budget = std::atof(argv[++i]);
    else if (a == "--only" && i + 1 < argc)
      only = argv[++i];
    else if (a == "--double")
      use_double = true;
    else {
      std::fprintf(stderr, "usage: bench_filter [--budget S] [--only 2d|3d] [--double]\n");
      return 2;
    }
  }
  for (fftconv::Planning effort : {fftconv::Planning::estimate, fftconv::Planning::measure}) {
    if (only != "3d") {
      if (use_double)
        run<double>({2048, 2048}, {127, 127}, effort, budget);
      else
        run<float>({2048, 2048}, {127, 127}, effort, budget);
    }
    if (only != "2d") {
      if (use_double)
        run<double>({256, 256, 256}, {31, 31, 31}, effort, budget);
      else
        run<float>({256, 256, 256}, {31, 31, 31}, effort, budget);
    }
  }
  return 0;
}
