#pragma once
// The total-variation term of Richardson-Lucy-TV (Dey et al. 2006): the divisor
// 1 - lambda div(grad f / |grad f|) of the update at one pixel, with forward differences
// (0 across the domain's far border: zero flux), the unit gradient 0 where grad f is 0, and the
// divergence as backward differences (the negative adjoint of the forward ones; the unit
// gradient before the first pixel is 0). |div| <= 2 ndim, so lambda < 1 / (2 ndim) keeps the
// divisor positive.
#include <array>
#include <cmath>
#include <cstddef>

#include "deconvolution/blur_operator.hpp"

namespace fftconv::detail {

/// Component `axis` of grad f / |grad f| at pixel x of the grid g (f dense, C order).
template <class T>
double unit_gradient(const T* f, const Grid& g, const std::array<std::size_t, 3>& x, int axis) {
  std::array<double, 3> d{};
  double norm2 = 0;
  const std::size_t at = (x[0] * g.n[1] + x[1]) * g.n[2] + x[2];
  for (int a = 0; a < 3; ++a) {
    if (x[std::size_t(a)] + 1 < g.n[std::size_t(a)])
      d[std::size_t(a)] = static_cast<double>(f[at + g.stride(a)]) - static_cast<double>(f[at]);
    norm2 += d[std::size_t(a)] * d[std::size_t(a)];
  }
  return norm2 > 0 ? d[std::size_t(axis)] / std::sqrt(norm2) : 0.0;
}

/// 1 - lambda div(grad f / |grad f|) at pixel x.
template <class T>
double tv_divisor(const T* f, const Grid& g, const std::array<std::size_t, 3>& x, double lambda) {
  double div = 0;
  for (int a = 0; a < 3; ++a) {
    if (g.n[std::size_t(a)] == 1) continue;
    div += unit_gradient(f, g, x, a);
    if (x[std::size_t(a)] > 0) {
      std::array<std::size_t, 3> before = x;
      --before[std::size_t(a)];
      div -= unit_gradient(f, g, before, a);
    }
  }
  return 1 - lambda * div;
}

}  // namespace fftconv::detail
