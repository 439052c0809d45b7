#pragma once
// Floating-point helpers shared by the accuracy code (error_bound, the reference, kernel
// normalization): the unit roundoff and Neumaier's compensated sum.
#include <cmath>
#include <limits>

namespace fftconv::detail {

/// u: the largest relative error of one rounding to nearest in T (2^-24 float, 2^-53 double).
template <class T>
constexpr double unit_roundoff = std::numeric_limits<T>::epsilon() / 2;

/// Neumaier's compensated sum (improved Kahan-Babuska): the rounding error of every addition is
/// kept in `compensation`, so sum + compensation is as accurate as a sum in about twice the
/// precision, whatever the order and magnitudes of the terms.
struct CompensatedSum {
  double sum = 0, compensation = 0;
  void add(double v) {
    const double t = sum + v;
    compensation += std::fabs(sum) >= std::fabs(v) ? (sum - t) + v : (v - t) + sum;
    sum = t;
  }
  double value() const { return sum + compensation; }
};

}  // namespace fftconv::detail
