// calibrate_lengths: what one row and one column of each FFT-friendly transform length cost on
// this machine, in the FFT path's own steps (src/fft/fft_kernel.cpp), and writes the table fftconv
// picks its padded lengths from (src/fft/length_costs.inc):
//   row:    a real-to-complex and a complex-to-real 1-D transform of one row, out of place
//           between a real row and the rows of a wide array (whole cache lines apart),
//           FFTW_ESTIMATE plans (fftconv's default);
//   column: one column of the outer pass: a block of block_width columns (src/fft/
//           block_width.hpp) copied from a wide array into scratch, forward complex transform,
//           product with a cached spectrum, inverse, copied back.
// Nanoseconds per row and per column, float and double, the fastest of 5 runs of a batch of
// about 2^18 points, for every length 2^a 3^b 5^c 7^d (times at most one 11 or 13) up to --max.
//
//   build/bench/calibrate_lengths [--max N] > src/fft/length_costs.inc
//
// A few minutes for --max 32768 on the 2-core development VM. Run it on an idle machine.
#include <fftw3.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <ctime>
#include <vector>

#include "../src/fft/block_width.hpp"
#include "fftconv/shape.hpp"
#include "../bench/fftw_floor.hpp"

namespace {

// The fastest of 5 runs after a warm-up: a shared VM's noise only ever adds time (the median of 3
// still left single entries up to 1.9x off between two runs).
template <class F>
double fastest_seconds(F f) {
  f();  // warm-up
  double best = 0;
  for (int r = 0; r < 5; ++r) {
    const auto a = std::chrono::steady_clock::now();
    f();
    const double t = std::chrono::duration<double>(std::chrono::steady_clock::now() - a).count();
    best = r == 0 ? t : std::min(best, t);
  }
  return best;
}

template <class T>
struct Costs {
  double row_ns = 0, column_ns = 0;
};

template <class T>
Costs<T> measure(int n) {
  using F = bench::Fftw<T>;
  using cpx = typename F::cpx;
  Costs<T> c;
  const std::size_t len = static_cast<std::size_t>(n);
  constexpr std::size_t batch_points = std::size_t{1} << 18;
  // Rows: out of place between one real row and the rows of x, whole cache lines apart.
  {
    const std::size_t line = 64 / sizeof(T);
    const std::size_t pitch = (2 * (len / 2 + 1) + line - 1) / line * line;
    const std::size_t rows = std::max<std::size_t>(1, batch_points / len);
    T* x = static_cast<T*>(F::alloc(rows * pitch * sizeof(T)));
    T* real = static_cast<T*>(F::alloc(pitch * sizeof(T)));
    T* back = static_cast<T*>(F::alloc(pitch * sizeof(T)));  // (the inverse's output: the
                                                             // input stays finite)
    for (std::size_t i = 0; i < rows * pitch; ++i)
      x[i] = T(0.5);
    auto* xc = reinterpret_cast<cpx*>(x);
    typename F::plan fwd = F::r2c(1, &n, real, xc, FFTW_ESTIMATE);
    typename F::plan inv = F::c2r(1, &n, xc, back, FFTW_ESTIMATE);
    for (std::size_t i = 0; i < pitch; ++i)
      real[i] = T(0.5);
    const double s = fastest_seconds([&] {
      for (std::size_t r = 0; r < rows; ++r) {
        F::exec_r2c(fwd, real, reinterpret_cast<cpx*>(x + r * pitch));
        F::exec_c2r(inv, reinterpret_cast<cpx*>(x + r * pitch), back);
      }
    });
    c.row_ns = s / static_cast<double>(rows) * 1e9;
    F::destroy(fwd);
    F::destroy(inv);
    F::free(back);
    F::free(real);
    F::free(x);
  }
  // Columns: blocks of B from an array of `wide` columns.
  {
    const std::size_t B = fftconv::detail::block_width(len, sizeof(T));
    const std::size_t wide = std::max<std::size_t>(B, batch_points / len / B * B);
    T* a = static_cast<T*>(F::alloc(2 * len * wide * sizeof(T)));
    T* s = static_cast<T*>(F::alloc(2 * len * B * sizeof(T)));
    T* g = static_cast<T*>(F::alloc(2 * len * wide * sizeof(T)));
    for (std::size_t i = 0; i < 2 * len * wide; ++i) {
      a[i] = T(0.5);
      g[i] = T(1) / T(len);
    }
    const int b = static_cast<int>(B);
    auto* sc = reinterpret_cast<cpx*>(s);
    // (the block's columns one after the other, as fft::column_plan and load_block lay them)
    typename F::plan fwd =
        F::many_dft(1, &n, b, sc, nullptr, 1, n, sc, nullptr, 1, n, FFTW_FORWARD, FFTW_ESTIMATE);
    typename F::plan inv =
        F::many_dft(1, &n, b, sc, nullptr, 1, n, sc, nullptr, 1, n, FFTW_BACKWARD, FFTW_ESTIMATE);
    const double t = fastest_seconds([&] {
      for (std::size_t col = 0; col < wide; col += B) {
        for (std::size_t r = 0; r < len; ++r) {
          const T* from = a + 2 * (r * wide + col);
          for (std::size_t k = 0; k < B; ++k) {
            s[2 * (k * len + r)] = from[2 * k];
            s[2 * (k * len + r) + 1] = from[2 * k + 1];
          }
        }
        F::exec_dft(fwd, sc, sc);
        const T* gb = g + 2 * col * len;
        for (std::size_t i = 0; i < len * B; ++i) {
          const T re = s[2 * i], im = s[2 * i + 1];
          s[2 * i] = re * gb[2 * i] - im * gb[2 * i + 1];
          s[2 * i + 1] = im * gb[2 * i] + re * gb[2 * i + 1];
        }
        F::exec_dft(inv, sc, sc);
        for (std::size_t r = 0; r < len; ++r) {
          T* to = a + 2 * (r * wide + col);
          for (std::size_t k = 0; k < B; ++k) {
            to[2 * k] = s[2 * (k * len + r)];
            to[2 * k + 1] = s[2 * (k * len + r) + 1];
          }
        }
      }
    });
    c.column_ns = t / static_cast<double>(wide) * 1e9;
    F::destroy(fwd);
    F::destroy(inv);
    F::free(a);
    F::free(s);
    F::free(g);
  }
  return c;
}

}  // namespace

int main(int argc, char** argv) {
  std::size_t max = 32768;
  for (int i = 1; i + 1 < argc; i += 2)
    if (std::strcmp(argv[i], "--max") == 0) max = std::strtoul(argv[i + 1], nullptr, 10);
  const std::time_t now = std::time(nullptr);
  char date[32];
  std::strftime(date, sizeof date, "%Y-%m-%d", std::gmtime(&now));
  std::printf(
      "// Generated by bench/calibrate_lengths (%s, %s): do not edit; regenerate with\n"
      "//   build/bench/calibrate_lengths --max %zu > src/fft/length_costs.inc\n"
      "// on an idle machine. {n, float row, float column, double row, double column}:\n"
      "// nanoseconds per row (r2c + c2r) and per column (outer pass: forward, product,\n"
      "// inverse) of length n in the FFT path's steps, FFTW_ESTIMATE plans.\n",
      date, fftwf_version, max);
  for (std::size_t n = 1; n <= max; n = fftconv::next_fast_size(n + 1)) {
    const int len = static_cast<int>(n);
    const Costs<float> f = measure<float>(len);
    const Costs<double> d = measure<double>(len);
    std::printf("{%zu, %.1ff, %.1ff, %.1ff, %.1ff},\n", n, f.row_ns, f.column_ns, d.row_ns,
                d.column_ns);
    std::fflush(stdout);
  }
  return 0;
}
