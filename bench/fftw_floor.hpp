#pragma once
// The FFTW floor: what any FFT convolution with a cached kernel spectrum must at least do at a
// given padded shape: an in-place r2c of the (zeroed) image buffer, the pointwise product with a
// cached spectrum, an in-place c2r. Calls FFTW directly (this header includes fftw3.h): the floor
// must not depend on fftconv's own wrappers, since it is what they are measured against.
#include <fftw3.h>

#include <cstring>
#include <memory>
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

/// A floor's buffers: x, transformed in place, and g, a cached spectrum of random values, `reals`
/// each (FFTW's allocator), and the two plans over x, destroyed with them.
template <class T>
struct FloorBuffers {
  using F = Fftw<T>;
  explicit FloorBuffers(std::size_t count_of_reals)
      : reals(count_of_reals),
        x(static_cast<T*>(F::alloc(reals * sizeof(T)))),
        g(static_cast<T*>(F::alloc(reals * sizeof(T)))) {
    std::mt19937_64 rng(1);
    std::uniform_real_distribution<double> u(0, 1);
    for (std::size_t i = 0; i < reals; ++i)
      g[i] = static_cast<T>(u(rng));
  }
  ~FloorBuffers() {
    F::destroy(forward);
    F::destroy(inverse);
    F::free(x);
    F::free(g);
  }
  FloorBuffers(const FloorBuffers&) = delete;
  FloorBuffers& operator=(const FloorBuffers&) = delete;

  typename F::cpx* spectrum() const { return reinterpret_cast<typename F::cpx*>(x); }
  void clear() const { std::memset(x, 0, reals * sizeof(T)); }  // keeps values bounded
  /// x *= g, interleaved complex.
  void multiply() const {
    for (std::size_t i = 0; i < reals / 2; ++i) {
      const T a = x[2 * i], b = x[2 * i + 1], c = g[2 * i], d = g[2 * i + 1];
      x[2 * i] = a * c - b * d;
      x[2 * i + 1] = a * d + b * c;
    }
  }

  std::size_t reals;
  T* x;
  T* g;
  typename F::plan forward = nullptr, inverse = nullptr;
};

inline std::vector<int> fftw_lengths(const fftconv::Shape& padded) {
  std::vector<int> n;
  for (std::size_t e : padded)
    n.push_back(static_cast<int>(e));
  return n;
}

/// Reals of an in-place r2c buffer at `padded`: the last axis as n / 2 + 1 complex values.
inline std::size_t half_spectrum_reals(const fftconv::Shape& padded) {
  std::size_t reals = 2 * (padded[padded.rank() - 1] / 2 + 1);
  for (int a = 0; a + 1 < padded.rank(); ++a)
    reals *= padded[a];
  return reals;
}

/// FloorBuffers at `padded` (rank 1..3) with in-place r2c/c2r plans made with `effort`, single
/// thread (FFTW's default, which fftconv restores after planning on threads).
template <class T>
std::unique_ptr<FloorBuffers<T>> floor_buffers(const fftconv::Shape& padded,
                                               fftconv::Planning effort) {
  using F = Fftw<T>;
  auto b = std::make_unique<FloorBuffers<T>>(half_spectrum_reals(padded));
  const std::vector<int> n = fftw_lengths(padded);
  b->forward = F::r2c(padded.rank(), n.data(), b->x, b->spectrum(), fftw_flags(effort));
  b->inverse = F::c2r(padded.rank(), n.data(), b->spectrum(), b->x, fftw_flags(effort));
  return b;
}

/// One convolution's floor on `b`: zero, r2c, product with the cached spectrum, c2r.
template <class T>
void convolution_floor(const FloorBuffers<T>& b) {
  using F = Fftw<T>;
  b.clear();
  F::exec_r2c(b.forward, b.x, b.spectrum());
  b.multiply();
  F::exec_c2r(b.inverse, b.spectrum(), b.x);
}

/// The floor at `padded` (rank 1..3), planned with `effort`, single thread. `parts`: real
/// transforms per call (2: the real and imaginary parts of complex data, each transformed forward,
/// multiplied and transformed back, the floor of fftconv's spectral form for complex data).
template <class T>
Timing fftw_floor(const fftconv::Shape& padded, fftconv::Planning effort, double budget,
                  int parts = 1) {
  const auto b = floor_buffers<T>(padded, effort);
  return time_it(
      [&] {
        for (int part = 0; part < parts; ++part)
          convolution_floor(*b);
      },
      budget);
}

/// The complex-to-complex floor at `padded`: an in-place forward c2c of a complex buffer, the
/// product with a cached complex spectrum, an in-place inverse c2c (what a convolution of complex
/// data through complex transforms must at least do), planned with `effort`, single thread.
template <class T>
Timing fftw_c2c_floor(const fftconv::Shape& padded, fftconv::Planning effort, double budget) {
  using F = Fftw<T>;
  const std::vector<int> n = fftw_lengths(padded);
  FloorBuffers<T> b(2 * fftconv::element_count(padded));
  for (int sign : {FFTW_FORWARD, FFTW_BACKWARD})
    (sign == FFTW_FORWARD ? b.forward : b.inverse) =
        F::many_dft(padded.rank(), n.data(), 1, b.spectrum(), nullptr, 1, 0, b.spectrum(), nullptr,
                    1, 0, sign, fftw_flags(effort));
  return time_it(
      [&] {
        b.clear();
        F::exec_dft(b.forward, b.spectrum(), b.spectrum());
        b.multiply();
        F::exec_dft(b.inverse, b.spectrum(), b.spectrum());
      },
      budget);
}

}  // namespace bench
