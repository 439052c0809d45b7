#pragma once
// The `blur` subcommand's kernel: a sampled Gaussian per axis, normalized to sum 1 per axis
// (as scipy.ndimage.gaussian_filter), the axes multiplied together.
#include <cstddef>
#include <vector>

#include "fftconv/shape.hpp"

namespace fftconv::cli {

/// Radius of the 1-D kernel for `sigma` when no size is given: scipy.ndimage's
/// int(truncate * sigma + 0.5) (truncate 4 by default there and in `fftconv blur`).
std::size_t gaussian_radius(double sigma, double truncate);

/// The 1-D kernel of odd length `size`: exp(-x^2 / (2 sigma^2)), x = -(size-1)/2 ..
/// (size-1)/2, divided by its sum. sigma 0 gives the unit impulse.
std::vector<double> gaussian_1d(double sigma, std::size_t size);

/// The kernel for an image of rank sigma.size(): the outer product of gaussian_1d per axis.
/// `sizes` has one odd length per axis. Sets `shape`.
std::vector<double> gaussian_kernel(const std::vector<double>& sigma,
                                    const std::vector<std::size_t>& sizes, Shape& shape);

}  // namespace fftconv::cli
