#pragma once
// A synthetic star field, the built-in data of the examples: sky background plus stars with a
// power-law flux distribution (many faint, few bright), each a small Gaussian (the seeing),
// plus Gaussian read noise. Deterministic for a given spec.
#include <Eigen/Core>
#include <algorithm>
#include <cmath>
#include <cstdint>
#include <random>
#include <vector>

namespace starfield {

using Image = Eigen::Matrix<double, Eigen::Dynamic, Eigen::Dynamic, Eigen::RowMajor>;

struct Star {
  double y, x, flux;
};

struct Spec {
  Eigen::Index size = 2048;  ///< the image is size x size
  int stars = 3000;
  double sky = 100, noise = 5;            ///< background level and its standard deviation
  double min_flux = 1e2, max_flux = 1e6;  ///< total flux of the faintest / brightest star
  double seeing = 1.2;                    ///< the stars' Gaussian sigma in pixels
  std::uint64_t seed = 20261121;
};

inline Image make(const Spec& spec, std::vector<Star>& catalogue) {
  const Eigen::Index n = spec.size;
  std::mt19937_64 rng(spec.seed);
  std::uniform_real_distribution<double> pos(0, static_cast<double>(n));
  std::uniform_real_distribution<double> u(0, 1);
  std::normal_distribution<double> noise(0, spec.noise);
  Image img(n, n);
  for (Eigen::Index y = 0; y < n; ++y)
    for (Eigen::Index x = 0; x < n; ++x)
      img(y, x) = spec.sky + noise(rng);
  const double s = spec.seeing, reach = std::ceil(5 * s);
  for (int i = 0; i < spec.stars; ++i) {
    // Flux min * (max/min)^(u^3): log-uniform in u^3, so faint stars dominate.
    const Star star{pos(rng), pos(rng),
                    spec.min_flux * std::pow(spec.max_flux / spec.min_flux, std::pow(u(rng), 3))};
    catalogue.push_back(star);
    const auto cy = static_cast<Eigen::Index>(star.y), cx = static_cast<Eigen::Index>(star.x);
    const auto r = static_cast<Eigen::Index>(reach);
    const double norm = star.flux / (2 * M_PI * s * s);
    for (Eigen::Index y = std::max<Eigen::Index>(cy - r, 0); y <= std::min(cy + r, n - 1); ++y)
      for (Eigen::Index x = std::max<Eigen::Index>(cx - r, 0); x <= std::min(cx + r, n - 1); ++x) {
        const double dy = static_cast<double>(y) + 0.5 - star.y;
        const double dx = static_cast<double>(x) + 0.5 - star.x;
        img(y, x) += norm * std::exp(-(dy * dy + dx * dx) / (2 * s * s));
      }
  }
  return img;
}

}  // namespace starfield
