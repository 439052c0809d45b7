#pragma once
// Floating-point helpers shared by the accuracy code (error_bound, the reference, kernel
// normalization): the unit roundoff and Neumaier's compensated sum.
#include <cmath>
#include <limits>
#include <type_traits>

namespace fftconv::detail {

/// u: the largest relative error of one rounding to nearest in T (2^-24 float, 2^-53 double).
template <class T>
constexpr double unit_roundoff = std::numeric_limits<T>::epsilon() / 2;

/// x rounded to T (float or double), overflowing to +-inf as IEEE rounding does (a plain
/// conversion of a double beyond the float range is undefined behaviour in C++).
template <class T>
T rounded_to(double x) {
  if constexpr (std::is_same_v<T, float>) {
    constexpr double limit = static_cast<double>(std::numeric_limits<float>::max()) +
                             0x1p103;  // FLT_MAX + half an ulp: from here on, rounding gives inf
    if (x >= limit) return std::numeric_limits<float>::infinity();
    if (x <= -limit) return -std::numeric_limits<float>::infinity();
    return static_cast<float>(x);
  } else {
    return x;
  }
}

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
