#pragma once
// The built-in transfer functions of fftconv/frequency.hpp as functions of the frequency vector
// (cycles per sample, fftfreq's convention).
#include <cmath>
#include <complex>

namespace fftconv::detail {

/// |f|^2.
inline double squared_norm(const double* f, int rank) {
  double sum = 0;
  for (int a = 0; a < rank; ++a)
    sum += f[a] * f[a];
  return sum;
}

/// scikit-image 0.19.3's Butterworth low-pass at |f|^2 = `squared_frequency`:
/// 1 / (1 + (|f|^2 / c^2)^order) = 1 / (1 + (|f| / c)^(2 order)); order 0 gives 1/2 (0^0 = 1).
inline double butterworth_lowpass(double squared_frequency, double cutoff, double order) {
  return 1 / (1 + std::pow(squared_frequency / (cutoff * cutoff), order));
}

/// exp(-|f|^2 / (2 sigma^2)).
inline double gaussian_lowpass(double squared_frequency, double sigma) {
  return std::exp(-squared_frequency / (2 * sigma * sigma));
}

/// exp(-2 pi i f . shift), the phase f . shift reduced to [-1/2, 1/2] cycles (term by term,
/// then the sum) before it is multiplied by 2 pi, so that large shifts lose no more accuracy
/// than the products f_a shift_a carry.
inline std::complex<double> shift_factor(const double* f, const double* shift, int rank) {
  double cycles = 0;
  for (int a = 0; a < rank; ++a) {
    const double term = f[a] * shift[a];
    cycles += term - std::round(term);
  }
  const double two_pi = 6.283185307179586476925286766559;
  return std::polar(1.0, -two_pi * (cycles - std::round(cycles)));
}

}  // namespace fftconv::detail
