#pragma once
// An independent reference for the iterative deconvolutions: the textbook iterations written
// directly from their definitions (fftconv/deconvolve.hpp) with long double direct sums over
// explicit index arithmetic, rank 3 (lower ranks with leading 1s), no FFT and nothing shared with
// the library.
#include <algorithm>
#include <array>
#include <cmath>
#include <vector>

#include "fftconv/deconvolve.hpp"

namespace deconvolution_reference {

/// The test image of docs/deconvolution-semantics.md, whose scikit-image results it records:
/// (arange(48).reshape(6, 8) * 7 % 11) / 10, sum 24.
inline std::vector<double> skimage_test_image() {
  std::vector<double> v(48);
  for (int i = 0; i < 48; ++i)
    v[static_cast<std::size_t>(i)] = (i * 7 % 11) / 10.0;
  return v;
}

using L = long double;
using Dims3 = std::array<long, 3>;

struct Grid3 {
  Dims3 n{1, 1, 1};
  long size() const { return n[0] * n[1] * n[2]; }
  long at(long a, long b, long c) const { return (a * n[1] + b) * n[2] + c; }
};

inline Grid3 grid3(const fftconv::Shape& s) {
  Grid3 g;
  for (int a = 0; a < s.rank(); ++a)
    g.n[static_cast<std::size_t>(3 - s.rank() + a)] = static_cast<long>(s[a]);
  return g;
}

/// The problem: data on the image grid, PSF, edges; the domain and the image's offset in it.
struct Model {
  Grid3 image, psf, domain;
  Dims3 offset{0, 0, 0};
  fftconv::DeconvolutionEdges edges;
  bool skimage_back = false;
  std::vector<L> h;

  Model(const fftconv::Shape& image_shape, const std::vector<double>& psf_values,
        const fftconv::Shape& psf_shape, fftconv::DeconvolutionEdges e, bool skimage)
      : image(grid3(image_shape)),
        psf(grid3(psf_shape)),
        domain(image),
        edges(e),
        skimage_back(skimage),
        h(psf_values.begin(), psf_values.end()) {
    if (e == fftconv::DeconvolutionEdges::extended)
      for (std::size_t a = 0; a < 3; ++a) {
        domain.n[a] = image.n[a] + psf.n[a] - 1;
        offset[a] = psf.n[a] / 2;
      }
  }

  // Domain index of position p along axis a, or -1 if outside (zero) / wrapped (periodic).
  long wrap(long p, std::size_t a) const {
    if (edges == fftconv::DeconvolutionEdges::periodic)
      return ((p % domain.n[a]) + domain.n[a]) % domain.n[a];
    return p >= 0 && p < domain.n[a] ? p : -1;
  }

  /// (H f)[i] = sum_m h[m] f[i + offset + (k-1)/2 - m]
  std::vector<L> blur(const std::vector<L>& f) const {
    std::vector<L> out(static_cast<std::size_t>(image.size()), 0);
    for (long i0 = 0; i0 < image.n[0]; ++i0)
      for (long i1 = 0; i1 < image.n[1]; ++i1)
        for (long i2 = 0; i2 < image.n[2]; ++i2) {
          L s = 0;
          for (long m0 = 0; m0 < psf.n[0]; ++m0)
            for (long m1 = 0; m1 < psf.n[1]; ++m1)
              for (long m2 = 0; m2 < psf.n[2]; ++m2) {
                const long e0 = wrap(i0 + offset[0] + (psf.n[0] - 1) / 2 - m0, 0);
                const long e1 = wrap(i1 + offset[1] + (psf.n[1] - 1) / 2 - m1, 1);
                const long e2 = wrap(i2 + offset[2] + (psf.n[2] - 1) / 2 - m2, 2);
                if (e0 < 0 || e1 < 0 || e2 < 0) continue;
                s += h[static_cast<std::size_t>(psf.at(m0, m1, m2))] *
                     f[static_cast<std::size_t>(domain.at(e0, e1, e2))];
              }
          out[static_cast<std::size_t>(image.at(i0, i1, i2))] = s;
        }
    return out;
  }

  /// The adjoint of blur (or scikit-image's back-projection: the centre at k/2, not (k-1)/2).
  std::vector<L> back(const std::vector<L>& r) const {
    std::vector<L> out(static_cast<std::size_t>(domain.size()), 0);
    for (long i0 = 0; i0 < image.n[0]; ++i0)
      for (long i1 = 0; i1 < image.n[1]; ++i1)
        for (long i2 = 0; i2 < image.n[2]; ++i2)
          for (long m0 = 0; m0 < psf.n[0]; ++m0)
            for (long m1 = 0; m1 < psf.n[1]; ++m1)
              for (long m2 = 0; m2 < psf.n[2]; ++m2) {
                const Dims3 c = skimage_back ? Dims3{psf.n[0] / 2, psf.n[1] / 2, psf.n[2] / 2}
                                             : Dims3{(psf.n[0] - 1) / 2, (psf.n[1] - 1) / 2,
                                                     (psf.n[2] - 1) / 2};
                // skimage: B r[e] = sum_m h[m] r[e + m - k/2]; the adjoint: e = i + off + c - m
                const long e0 = wrap(i0 + offset[0] + c[0] - m0, 0);
                const long e1 = wrap(i1 + offset[1] + c[1] - m1, 1);
                const long e2 = wrap(i2 + offset[2] + c[2] - m2, 2);
                if (e0 < 0 || e1 < 0 || e2 < 0) continue;
                out[static_cast<std::size_t>(domain.at(e0, e1, e2))] +=
                    h[static_cast<std::size_t>(psf.at(m0, m1, m2))] *
                    r[static_cast<std::size_t>(image.at(i0, i1, i2))];
              }
    return out;
  }

  L psf_sum() const {
    L s = 0;
    for (const L v : h)
      s += v;
    return s;
  }

  /// The image part of a domain array.
  std::vector<L> crop(const std::vector<L>& f) const {
    std::vector<L> out(static_cast<std::size_t>(image.size()));
    for (long i0 = 0; i0 < image.n[0]; ++i0)
      for (long i1 = 0; i1 < image.n[1]; ++i1)
        for (long i2 = 0; i2 < image.n[2]; ++i2)
          out[static_cast<std::size_t>(image.at(i0, i1, i2))] = f[static_cast<std::size_t>(
              domain.at(i0 + offset[0], i1 + offset[1], i2 + offset[2]))];
    return out;
  }
};

/// Richardson-Lucy from the 0.5 start: f <- f / w B(M g / (H f + 1e-12)) with
/// w = B(M) / sum(h) for extended, 1 - B(bad) / sum(h) otherwise (1 without a mask).
inline std::vector<L> richardson_lucy(const Model& m, const std::vector<double>& g,
                                      const std::vector<bool>& bad, int iterations,
                                      double filter_epsilon = 0) {
  const bool extended = m.edges == fftconv::DeconvolutionEdges::extended;
  const std::size_t S = static_cast<std::size_t>(m.image.size());
  std::vector<L> w(static_cast<std::size_t>(m.domain.size()), 1);
  if (extended || !bad.empty()) {
    std::vector<L> ind(S);
    for (std::size_t i = 0; i < S; ++i) {
      const bool b = !bad.empty() && bad[i];
      ind[i] = extended ? (b ? 0 : 1) : (b ? 1 : 0);
    }
    const std::vector<L> bi = m.back(ind);
    L most = 0;
    for (std::size_t i = 0; i < w.size(); ++i) {
      w[i] = extended ? bi[i] / m.psf_sum() : 1 - bi[i] / m.psf_sum();
      most = std::max(most, w[i]);
    }
    for (L& v : w)
      if (!(v > 1e-6L * most)) v = 0;
  }
  std::vector<L> f(w.size(), 0.5L);
  for (std::size_t i = 0; i < f.size(); ++i)
    if (w[i] == 0) f[i] = 0;
  for (int k = 0; k < iterations; ++k) {
    std::vector<L> r = m.blur(f);
    for (std::size_t i = 0; i < S; ++i) {
      const L c = r[i] + 1e-12L;
      r[i] = (!bad.empty() && bad[i]) || (filter_epsilon != 0 && c < filter_epsilon) ? 0 : g[i] / c;
    }
    const std::vector<L> b = m.back(r);
    for (std::size_t i = 0; i < f.size(); ++i)
      f[i] = w[i] > 0 ? f[i] * b[i] / w[i] : 0;
  }
  return m.crop(f);
}

/// Projected Landweber from the data: f <- max(0, f + alpha / s^2 B(M (g - H f))).
inline std::vector<L> landweber(const Model& m, const std::vector<double>& g, int iterations,
                                double alpha, bool positivity) {
  const std::size_t S = static_cast<std::size_t>(m.image.size());
  std::vector<L> f(static_cast<std::size_t>(m.domain.size()));
  for (long e0 = 0; e0 < m.domain.n[0]; ++e0)
    for (long e1 = 0; e1 < m.domain.n[1]; ++e1)
      for (long e2 = 0; e2 < m.domain.n[2]; ++e2) {
        const auto clamp = [&](long e, std::size_t a) {
          return std::clamp(e - m.offset[a], 0L, m.image.n[a] - 1);
        };
        f[static_cast<std::size_t>(m.domain.at(e0, e1, e2))] =
            g[static_cast<std::size_t>(m.image.at(clamp(e0, 0), clamp(e1, 1), clamp(e2, 2)))];
      }
  const L step = alpha / (m.psf_sum() * m.psf_sum());
  for (int k = 0; k < iterations; ++k) {
    std::vector<L> r = m.blur(f);
    for (std::size_t i = 0; i < S; ++i)
      r[i] = g[i] - r[i];
    const std::vector<L> b = m.back(r);
    for (std::size_t i = 0; i < f.size(); ++i) {
      f[i] += step * b[i];
      if (positivity) f[i] = std::max(f[i], L(0));
    }
  }
  return m.crop(f);
}

}  // namespace deconvolution_reference
