#pragma once
// The terms of rounding-error analysis the paths' error models share (direct/error_model.hpp,
// fft/error_model.hpp) and error_bound composes them with.
#include <cmath>
#include <limits>

namespace fftconv::detail {

/// gamma(n) = n u / (1 - n u) (Higham, Accuracy and Stability, 3.1): the relative error of n
/// roundings in turn; +inf when n u reaches 1.
inline double gamma(double n, double u) {
  return n * u < 1 ? n * u / (1 - n * u) : std::numeric_limits<double>::infinity();
}

/// The probability that a probabilistic bound fails (under its model) on one call.
constexpr double failure_probability = 1e-9;

/// lambda with 2 exp(-lambda^2 / 2) = failure_probability / events: Hoeffding's inequality for
/// one sum of independent rounding errors, union over `events` sums.
inline double lambda(double events) {
  return std::sqrt(2 * std::log(2 * events / failure_probability));
}

}  // namespace fftconv::detail
