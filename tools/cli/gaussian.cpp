#include "gaussian.hpp"

#include <cmath>

namespace fftconv::cli {

std::size_t gaussian_radius(double sigma, double truncate) {
  return static_cast<std::size_t>(truncate * sigma + 0.5);
}

std::vector<double> gaussian_1d(double sigma, std::size_t size) {
  std::vector<double> taps(size, 0.0);
  const double centre = static_cast<double>(size - 1) / 2;
  if (sigma == 0) {
    taps[(size - 1) / 2] = 1;
    return taps;
  }
  double sum = 0;
  for (std::size_t i = 0; i < size; ++i) {
    const double x = static_cast<double>(i) - centre;
    taps[i] = std::exp(-x * x / (2 * sigma * sigma));
    sum += taps[i];
  }
  for (double& t : taps)
    t /= sum;
  return taps;
}

std::vector<double> gaussian_kernel(const std::vector<double>& sigma,
                                    const std::vector<std::size_t>& sizes, Shape& shape) {
  shape = Shape{};
  std::vector<double> kernel{1.0};
  for (std::size_t axis = 0; axis < sigma.size(); ++axis) {
    const std::vector<double> taps = gaussian_1d(sigma[axis], sizes[axis]);
    std::vector<double> next;
    next.reserve(kernel.size() * taps.size());
    for (double k : kernel)
      for (double t : taps)
        next.push_back(k * t);
    kernel = std::move(next);
    shape.push_back(sizes[axis]);
  }
  return kernel;
}

}  // namespace fftconv::cli
