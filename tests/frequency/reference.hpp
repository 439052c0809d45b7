#pragma once
// The independent reference for the frequency filters, written from numpy's definitions without
// library code: the transform grid (the image extended by the boundary rule with
// support/reference.hpp's extended_index), a naive N-D DFT in long double, the product with the
// transfer function on the full grid, the naive inverse and its real part,
//     out = window( Re( ifftn( H * fftn(grid) ) ) ),
// numpy.fft.ifftn(H * numpy.fft.fftn(grid)).real. O(N^2) for a grid of N points: small sizes.
#include <algorithm>
#include <cmath>
#include <complex>
#include <cstddef>
#include <functional>
#include <limits>
#include <string>
#include <vector>

#include "fftconv/frequency.hpp"
#include "support/reference.hpp"
#include "support/test_data.hpp"

namespace testing {

using cld = std::complex<long double>;

inline const long double pi_l = 3.141592653589793238462643383279502884L;

/// numpy.fft.fftfreq(n)[k]: [0, 1, ..., ceil(n/2) - 1, -floor(n/2), ..., -1] / n.
inline long double fftfreq_l(std::size_t k, std::size_t n) {
  const auto half = static_cast<long long>((n + 1) / 2);  // ceil(n / 2) non-negative frequencies
  const auto kk = static_cast<long long>(k);
  return static_cast<long double>(kk < half ? kk : kk - static_cast<long long>(n)) /
         static_cast<long double>(n);
}

/// FrequencyOptions with the given boundary rule, padding and fill value.
inline fftconv::FrequencyOptions frequency_options(fftconv::Boundary boundary, std::size_t padding,
                                                   double fill = 0) {
  fftconv::FrequencyOptions o;
  o.boundary = boundary;
  o.padding = padding;
  o.fill_value = fill;
  return o;
}

/// "5x7 reflect padding 3": a case's image shape and options, for CAPTURE.
inline std::string case_name(const fftconv::Shape& shape, const fftconv::FrequencyOptions& o) {
  return fftconv::to_string(shape) + " " + fftconv::to_string(o.boundary) + " padding " +
         std::to_string(o.padding);
}

/// A grid and its spectrum, for one image and one set of options.
struct GridSpectrum {
  fftconv::Shape image;    ///< the image's shape
  fftconv::Shape lengths;  ///< L (from fftconv::frequency_grid_shape, tested on its own)
  std::size_t padding = 0;
  std::vector<cld> spectrum;  ///< fftn(grid), C order over L
  long double grid_max = 0;   ///< max |grid value|
  std::size_t size() const { return spectrum.size(); }
};

/// Naive DFT over the grid `lengths` (C order), sign -1 forward, +1 inverse (unnormalized).
inline std::vector<cld> naive_dft(const std::vector<cld>& x, const fftconv::Shape& lengths,
                                  int sign) {
  const int rank = lengths.rank();
  // Twiddles per axis: exp(sign 2 pi i m / L) for m < L (index products reduced modulo L).
  std::vector<std::vector<cld>> w(static_cast<std::size_t>(rank));
  for (int a = 0; a < rank; ++a)
    for (std::size_t m = 0; m < lengths[a]; ++m)
      w[static_cast<std::size_t>(a)].push_back(std::polar(
          1.0L,
          sign * 2 * pi_l * static_cast<long double>(m) / static_cast<long double>(lengths[a])));
  std::vector<cld> y(x.size());
  for (std::size_t k = 0; k < x.size(); ++k) {
    const Index kk = unravel(k, lengths);
    cld sum = 0;
    for (std::size_t n = 0; n < x.size(); ++n) {
      const Index nn = unravel(n, lengths);
      cld term = x[n];
      for (int a = 0; a < rank; ++a) {
        const auto A = static_cast<std::size_t>(a);
        term *= w[A][(kk[A] * nn[A]) % lengths[a]];
      }
      sum += term;
    }
    y[k] = sum;
  }
  return y;
}

/// The grid of `options` for `image`: position t reads the extended image at t - padding per
/// axis (the fill value for zero and constant outside), and its spectrum.
template <class T>
GridSpectrum grid_spectrum(const Array<T>& image, const fftconv::FrequencyOptions& options) {
  GridSpectrum g;
  g.image = image.shape;
  g.lengths = fftconv::frequency_grid_shape(image.shape, options);
  g.padding = options.padding;
  const long double fill = options.boundary == fftconv::Boundary::constant
                               ? static_cast<long double>(static_cast<T>(options.fill_value))
                               : 0;
  std::vector<cld> x(fftconv::element_count(g.lengths));
  for (std::size_t l = 0; l < x.size(); ++l) {
    const Index t = unravel(l, g.lengths);
    Index source{};
    bool inside = true;
    for (int a = 0; a < image.shape.rank(); ++a) {
      const auto A = static_cast<std::size_t>(a);
      const long long e = extended_index(
          options.boundary, static_cast<long long>(t[A]) - static_cast<long long>(g.padding),
          static_cast<long long>(image.shape[a]));
      inside = inside && e >= 0;
      source[A] = e < 0 ? 0 : static_cast<std::size_t>(e);
    }
    x[l] = inside ? static_cast<long double>(image.values[image.index(source)]) : fill;
    g.grid_max = std::max(g.grid_max, std::abs(x[l]));
  }
  g.spectrum = naive_dft(x, g.lengths, -1);
  return g;
}

/// A transfer function on the full grid: H(bin, frequency vector) at every bin.
using ReferenceTransfer = std::function<cld(const Index& bin, const long double* frequency)>;

inline std::vector<cld> full_transfer(const fftconv::Shape& lengths, const ReferenceTransfer& h) {
  std::vector<cld> values(fftconv::element_count(lengths));
  for (std::size_t l = 0; l < values.size(); ++l) {
    const Index k = unravel(l, lengths);
    long double f[fftconv::max_rank] = {};
    for (int a = 0; a < lengths.rank(); ++a)
      f[a] = fftfreq_l(k[static_cast<std::size_t>(a)], lengths[a]);
    values[l] = h(k, f);
  }
  return values;
}

/// window(Re(ifftn(H * fftn(grid)))) for H on the full grid; h_max receives max |H|.
inline Array<long double> filter_reference(const GridSpectrum& g, const std::vector<cld>& h,
                                           long double* h_max) {
  std::vector<cld> product(g.size());
  *h_max = 0;
  for (std::size_t l = 0; l < g.size(); ++l) {
    product[l] = g.spectrum[l] * h[l];
    *h_max = std::max(*h_max, std::abs(h[l]));
  }
  const std::vector<cld> grid = naive_dft(product, g.lengths, +1);
  Array<long double> out(g.image);
  for (std::size_t l = 0; l < out.size(); ++l) {
    Index t = unravel(l, g.image);
    for (int a = 0; a < g.image.rank(); ++a)
      t[static_cast<std::size_t>(a)] += g.padding;
    std::size_t at = 0;
    for (int a = 0; a < g.lengths.rank(); ++a)
      at = at * g.lengths[a] + t[static_cast<std::size_t>(a)];
    out.values[l] = grid[at].real() / static_cast<long double>(g.size());
  }
  return out;
}

/// Tolerance of a filtered result against the reference, as an absolute error:
///   tol = 16 * eps(T) * log2(2 N) * H_max * G
/// N = the grid's size, H_max = max |H| over its bins, G = max |grid value|.
/// Why: each of FFTW's two transforms carries an rms error of about eps * log2(N) relative to
/// the l2 norm of what it transforms; the forward spectrum's norm is sqrt(N) ||grid||_2, the
/// product's at most H_max times that, and one output's share of the inverse's error (after the
/// 1 / N) is about eps log2(N) H_max ||grid||_2 / sqrt(N) <= eps log2(N) H_max G. 16 covers the
/// two transforms, the product's rounding, the final rounding to T and the spread of the
/// maximum over the outputs.
template <class T>
long double frequency_tolerance(const GridSpectrum& g, long double h_max) {
  return 16 * static_cast<long double>(std::numeric_limits<T>::epsilon()) *
         std::log2(2.0L * static_cast<long double>(g.size())) * h_max * g.grid_max;
}

}  // namespace testing
