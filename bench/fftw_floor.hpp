#pragma once
// The FFTW floor: what any FFT convolution with a cached kernel spectrum must at least do at a
// given padded shape: an in-place r2c of the (zeroed) image buffer, the pointwise product with a
// cached spectrum, an in-place c2r. Calls FFTW directly (this header includes fftw3.h): the floor
// must not depend on fftconv's own wrappers, since it is what they are measured against.
#include <fftw3.h>

#include <cstring>
#include <random>
#include <vector>

#include "fftconv/options.hpp"
#include "fftconv/shape.hpp"
#include "timing.hpp"

namespace bench {

template <class T>
struct Fftw;
template <>
struct Fftw<double> {
  using plan = fftw_plan;
  using cpx = fftw_complex;
  static constexpr auto r2c = fftw_plan_dft_r2c;
  static constexpr auto c2r = fftw_plan_dft_c2r;
  static constexpr auto many_dft = fftw_plan_many_dft;
  static constexpr auto exec_dft = fftw_execute_dft;
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
  static constexpr auto r2c = fftwf_plan_dft_r2c;
  static constexpr auto c2r = fftwf_plan_dft_c2r;
  static constexpr auto many_dft = fftwf_plan_many_dft;
  static constexpr auto exec_dft = fftwf_execute_dft;
  static constexpr auto exec_r2c = fftwf_execute_dft_r2c;
  static constexpr auto exec_c2r = fftwf_execute_dft_c2r;
  static constexpr auto destroy = fftwf_destroy_plan;
  static void* alloc(std::size_t b) { return fftwf_malloc(b); }
  static void free(void* p) { fftwf_free(p); }
};

inline unsigned fftw_flags(fftconv::Planning p) {
  return p == fftconv::Planning::measure   ? FFTW_MEASURE
         : p == fftconv::Planning::patient ? FFTW_PATIENT
                                           : FFTW_ESTIMATE;
}

/// The floor at `padded` (rank 1..3), planned with `effort`, single thread.
template <class T>
Timing fftw_floor(const fftconv::Shape& padded, fftconv::Planning effort, double budget) {
  using F = Fftw<T>;
  std::vector<int> n;
  for (std::size_t e : padded)
    n.push_back(static_cast<int>(e));
  const std::size_t half = padded[padded.rank() - 1] / 2 + 1;
  std::size_t reals = 2 * half;
  for (int a = 0; a + 1 < padded.rank(); ++a)
    reals *= padded[a];
  T* x = static_cast<T*>(F::alloc(reals * sizeof(T)));
  T* g = static_cast<T*>(F::alloc(reals * sizeof(T)));
  auto* xc = reinterpret_cast<typename F::cpx*>(x);
  const unsigned flags = fftw_flags(effort);
  typename F::plan fwd = F::r2c(padded.rank(), n.data(), x, xc, flags);
  typename F::plan inv = F::c2r(padded.rank(), n.data(), xc, x, flags);
  std::mt19937_64 rng(1);
  std::uniform_real_distribution<double> u(0, 1);
  for (std::size_t i = 0; i < reals; ++i)
    g[i] = static_cast<T>(u(rng));
  const std::size_t count = reals / 2;
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

}  // namespace bench
