// peak_memory: one one-shot convolve of an n x n float image with a k x k kernel, for measuring
// the process's peak resident memory from outside:
//
//   /usr/bin/time -v build/bench/peak_memory 4096 513 automatic   (Maximum resident set size)
//
// Prints the method automatic chose, the padded shape, the bytes of the image, the output and
// one padded spectrum (P0 x (P1/2 + 1) complex float), and the process's own peak (getrusage)
// before and after the call, so the call's share can be read off.
#include <sys/resource.h>

#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <optional>
#include <random>
#include <string>
#include <vector>

#include "fftconv/fftconv.hpp"

namespace {
double peak_mib() {
  rusage u{};
  getrusage(RUSAGE_SELF, &u);
  return static_cast<double>(u.ru_maxrss) / 1024;  // (Linux: kilobytes)
}
}  // namespace

int main(int argc, char** argv) {
  const std::optional<fftconv::Method> method =
      argc == 4 ? fftconv::try_parse<fftconv::Method>(argv[3]) : std::nullopt;
  if (!method) {
    std::fprintf(stderr, "usage: peak_memory N K automatic|direct|fft|overlap_save\n");
    return 2;
  }
  const std::size_t n = std::strtoul(argv[1], nullptr, 10), k = std::strtoul(argv[2], nullptr, 10);
  fftconv::Options o;
  o.method = *method;
  std::vector<float> image(n * n), out(n * n), kernel(k * k);
  std::mt19937 rng(1);
  std::uniform_real_distribution<float> u(0, 1);
  for (float& v : image)
    v = u(rng);
  for (float& v : kernel)
    v = u(rng) / static_cast<float>(k * k);
  std::fill(out.begin(), out.end(), 0.0f);  // (touched: counted before the call)
  const fftconv::ConstView<float> iv(image.data(), {n, n}), kv(kernel.data(), {k, k});
  const fftconv::Shape padded = fftconv::fft_shape({n, n}, {k, k}, o);
  const double before = peak_mib();
  fftconv::convolve(iv, kv, fftconv::View<float>(out.data(), {n, n}), o);
  const double after = peak_mib();
  const double mib = 1024.0 * 1024.0;
  const fftconv::Method chosen = fftconv::chosen_method(kv, {n, n}, o);
  std::printf(
      "method %s, padded %s: image %.1f MiB, output %.1f MiB, one padded spectrum %.1f MiB; "
      "peak RSS before the call %.1f MiB, after %.1f MiB (the call: +%.1f MiB)\n",
      fftconv::to_string(chosen), fftconv::to_string(padded).c_str(),
      static_cast<double>(n * n * sizeof(float)) / mib,
      static_cast<double>(n * n * sizeof(float)) / mib,
      static_cast<double>(padded[0] * (padded[1] / 2 + 1) * 8) / mib, before, after,
      after - before);
  return 0;
}
