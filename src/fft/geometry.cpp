#include "fft/geometry.hpp"

#include "fft/length_costs.hpp"
#include "stages/boundary_extension.hpp"

namespace fftconv::detail {

FftScheme fft_scheme(const Problem& p) {
  if (!p.extends_image()) return FftScheme::zero_padded;
  bool same = true;
  for (const Axis& a : p.axes)
    same = same && a.out == a.n && a.start == (a.k - 1) / 2;
  // Circular at exactly n only where n is itself a fast size: FFTW's prime-size algorithms at,
  // say, n = 999983 are several times slower than the extended scheme at a padded fast size.
  bool fast = true;
  for (const Axis& a : p.axes)
    fast = fast && next_fast_size(a.n) == a.n;
  return p.boundary == Boundary::wrap && same && fast ? FftScheme::circular : FftScheme::extended;
}

std::size_t image_rows(const Problem& p, std::size_t axis) {
  const Axis& ax = p.axes[axis];
  return fft_scheme(p) == FftScheme::extended ? ax.out + ax.k - 1 : ax.n;
}

std::array<std::size_t, 3> transform_lengths(const Problem& p) {
  const FftScheme scheme = fft_scheme(p);
  if (scheme == FftScheme::circular)  // exactly the period: no padding beyond the image
    return {p.axes[0].n, p.axes[1].n, p.axes[2].n};
  // Any length at or above the minimum is exact (the wrap-around misses the window): the
  // cheapest by the calibrated model, given how many rows of each axis hold input (the image, or
  // the extended image a valid problem runs on) and how many the output reads.
  std::array<std::size_t, 3> min{};
  std::array<double, 3> rows{};
  for (std::size_t a = 0; a < 3; ++a) {
    const Axis& ax = p.axes[a];
    min[a] = scheme == FftScheme::extended ? ax.out + ax.k - 1
                                           : p.min_transform_length(static_cast<int>(a));
    rows[a] = (static_cast<double>(image_rows(p, a)) + static_cast<double>(ax.out)) / 2;
  }
  return cheapest_lengths(min, rows);
}

FftGeometry fft_geometry(const Problem& p) {
  FftGeometry g;
  g.lengths = transform_lengths(p);
  const FftScheme scheme = fft_scheme(p);
  for (std::size_t a = 0; a < 3; ++a) {
    const Axis& ax = p.axes[a];
    const std::size_t P = g.lengths[a];
    const std::size_t k_mod = (ax.k - 1) % P;  // k may exceed P (circular scheme)
    if (scheme == FftScheme::extended) {
      // Buffer position t is extended position t + start - (k - 1); the problem is then valid
      // on it: window start k - 1 for convolution, lag 0 for correlation.
      g.image_maps[a] = boundary_map(
          p.boundary, static_cast<std::ptrdiff_t>(ax.start) - static_cast<std::ptrdiff_t>(ax.k - 1),
          ax.out + ax.k - 1, ax.n);
      g.shifts[a] = p.correlate ? 0 : k_mod;
    } else {
      // The image itself at the origin. Convolution: output j is full index j + start;
      // correlation (conjugate spectrum): the circular result is indexed by lag, full index i
      // is lag i - (k - 1).
      g.image_maps[a] = boundary_map(Boundary::zero, 0, ax.n, ax.n);
      g.shifts[a] = p.correlate ? (ax.start % P + P - k_mod) % P : ax.start % P;
    }
  }
  return g;
}

}  // namespace fftconv::detail
