#pragma once
// The missing-pixel tests' reference: NanPolicy (interpolate, fill, propagate with a mask),
// min_weight, preserve_nan and convolve_masked (values and the coverage map), written straight
// from the definitions in options.hpp and masked.hpp (long double sums, its own boundary index
// arithmetic, nothing shared with the library or with tests/support/reference.hpp):
//
//   E  = the image extended by the boundary rule, M = 1 where E is finite and not masked,
//   E' = E with its missing values set to 0;
//   interpolate: out = conv(E', k) / conv(M, k) where conv(M, k) >= min_weight * sum(k) and > 0,
//                NaN elsewhere;
//   fill:        the missing image pixels replaced by fill_value, then the plain convolution;
//   weight:      conv(M, k) (convolve_masked's coverage map, whatever the policy).
#include <doctest/doctest.h>

#include <Eigen/Core>
#include <algorithm>
#include <array>
#include <cmath>
#include <cstddef>
#include <limits>
#include <memory>
#include <random>
#include <sstream>
#include <string>
#include <type_traits>
#include <utility>
#include <vector>

#include "fftconv/convolve.hpp"
#include "fftconv/error.hpp"
#include "fftconv/filter.hpp"
#include "fftconv/masked.hpp"
#include "support/test_data.hpp"

namespace missing_pixels {

using fftconv::Boundary;
using fftconv::ConstView;
using fftconv::Method;
using fftconv::Mode;
using fftconv::NanPolicy;
using fftconv::Options;
using fftconv::Precision;
using fftconv::Shape;
using fftconv::View;
using testing::Array;
using testing::Layout;
using testing::Stored;
using testing::unravel;

using Index3 = testing::Index;
using ld = long double;

inline constexpr Mode all_modes[] = {Mode::full, Mode::same, Mode::valid};

/// An option's name in test labels: the library's own (fftconv/names.hpp).
template <class E, class = std::enable_if_t<std::is_enum_v<E>>>
std::string label(E value) {
  return fftconv::to_string(value);
}

template <class T>
constexpr ld eps() {
  return static_cast<ld>(std::numeric_limits<T>::epsilon());
}

// ---- The reference ----------------------------------------------------------------------------

/// Per axis (image n, kernel k): the first full-convolution index of the output window and the
/// number of outputs (scipy.signal: full 0 / n + k - 1, same (k - 1) / 2 / n, valid k - 1 /
/// max(n - k + 1, 0)).
inline std::size_t window_first(std::size_t k, Mode mode) {
  return mode == Mode::full ? 0 : mode == Mode::same ? (k - 1) / 2 : k - 1;
}
inline std::size_t window_length(std::size_t n, std::size_t k, Mode mode) {
  return mode == Mode::full ? n + k - 1 : mode == Mode::same ? n : n >= k ? n - k + 1 : 0;
}
inline Shape out_shape(const Shape& image, const Shape& kernel, Mode mode) {
  Shape s;
  for (int a = 0; a < image.rank(); ++a)
    s.push_back(window_length(image[a], kernel[a], mode));
  return s;
}

/// The image index that extended position i (any integer) of an axis of length n reads under
/// `rule`, or -1 outside the image for zero and constant. Periodic arithmetic: reflect repeats
/// the sequence a..d d..a with period 2n, mirror a..d c..b with period 2n - 2, wrap a..d with
/// period n.
inline long long extend(Boundary rule, long long i, long long n) {
  const auto mod = [](long long x, long long m) { return ((x % m) + m) % m; };
  switch (rule) {
    case Boundary::zero:
    case Boundary::constant:
      return i >= 0 && i < n ? i : -1;
    case Boundary::nearest:
      return std::min(std::max(i, 0LL), n - 1);
    case Boundary::wrap:
      return mod(i, n);
    case Boundary::reflect: {
      const long long r = mod(i, 2 * n);
      return r < n ? r : 2 * n - 1 - r;
    }
    case Boundary::mirror: {
      if (n == 1) return 0;
      const long long r = mod(i, 2 * n - 2);
      return r < n ? r : 2 * n - 2 - r;
    }
  }
  return -1;
}

/// The boundary rule with its fill value (constant only; an infinite one is missing data).
struct Rule {
  Boundary boundary;
  double fill;
};
inline std::string label(const Rule& r) {
  if (r.boundary != Boundary::constant) return label(r.boundary);
  std::ostringstream s;
  s << "constant(" << r.fill << ")";
  return s.str();
}
inline constexpr double inf = std::numeric_limits<double>::infinity();
inline const Rule all_rules[] = {{Boundary::zero, 0},       {Boundary::constant, 0.75},
                                 {Boundary::constant, inf}, {Boundary::constant, -inf},
                                 {Boundary::reflect, 0},    {Boundary::mirror, 0},
                                 {Boundary::nearest, 0},    {Boundary::wrap, 0}};

/// The reference's sums per output (C order over the output shape):
///   num = conv(E', k), den = conv(M, k), abs = sum |k| |E'|,
///   missing_taps = taps (zero or not) on missing data, missing_nonzero = non-zero taps on it.
struct Sums {
  Shape shape;
  std::vector<ld> num, den, abs;
  std::vector<std::size_t> missing_taps, missing_nonzero;
  ld max_abs = 0;  ///< S = the largest abs: the scale of any method's rounding error
};

/// `mask`: empty, or one flag per image pixel (C order), non-zero = missing.
template <class T>
Sums reference_sums(const Array<T>& image, const std::vector<unsigned char>& mask,
                    const Array<T>& kernel, Mode mode, const Rule& rule) {
  const int rank = image.shape.rank();
  Sums s;
  s.shape = out_shape(image.shape, kernel.shape, mode);
  const std::size_t count = fftconv::element_count(s.shape);
  s.num.assign(count, 0);
  s.den.assign(count, 0);
  s.abs.assign(count, 0);
  s.missing_taps.assign(count, 0);
  s.missing_nonzero.assign(count, 0);
  for (std::size_t l = 0; l < count; ++l) {
    const Index3 o = unravel(l, s.shape);
    for (std::size_t m = 0; m < kernel.size(); ++m) {
      const Index3 km = unravel(m, kernel.shape);
      bool outside = false;
      Index3 src{};
      for (int a = 0; a < rank; ++a) {
        const auto A = static_cast<std::size_t>(a);
        // convolution: output at full index f reads image position f - m
        const auto f = static_cast<long long>(window_first(kernel.shape[a], mode) + o[A]);
        const long long e = extend(rule.boundary, f - static_cast<long long>(km[A]),
                                   static_cast<long long>(image.shape[a]));
        if (e < 0)
          outside = true;
        else
          src[A] = static_cast<std::size_t>(e);
      }
      ld value = 0;
      bool missing = false;
      if (outside) {
        value =
            rule.boundary == Boundary::constant ? static_cast<ld>(static_cast<T>(rule.fill)) : 0;
        missing = !std::isfinite(value);
      } else {
        const std::size_t i = image.index(src);
        value = static_cast<ld>(image.values[i]);
        missing = !std::isfinite(value) || (!mask.empty() && mask[i] != 0);
      }
      const ld k = static_cast<ld>(kernel.values[m]);
      if (missing) {
        ++s.missing_taps[l];
        s.missing_nonzero[l] += k != 0;
      } else {
        s.num[l] += k * value;
        s.den[l] += k;
        s.abs[l] += std::fabs(k * value);
      }
    }
    s.max_abs = std::max(s.max_abs, s.abs[l]);
  }
  return s;
}

struct KernelInfo {
  ld sum = 0, sum_abs = 0;
};
template <class T>
KernelInfo kernel_info(const Array<T>& kernel) {
  KernelInfo k;
  for (T v : kernel.values) {
    k.sum += static_cast<ld>(v);
    k.sum_abs += std::fabs(static_cast<ld>(v));
  }
  return k;
}

/// The rounding-error growth factor of one run of a method (on the data or on the indicator),
/// as a multiple of the unit roundoff u of the arithmetic times the scale S of the terms:
///   direct: a K-term sum errs by at most (K - 1) u S;
///   fft:    about u per butterfly stage (log2 of the transform size, at most P = prod(n + 2k):
///           the extended image the window needs, padded to a fast size) in each of the three
///           transforms, relative to the magnitudes flowing through, which S bounds; 16 covers
///           the three transforms and the spread of the maximum over many outputs (as in
///           tests/support/reference.hpp).
/// F = 16 log2(2P) + K covers both.
inline ld growth(const Shape& image, const Shape& kernel) {
  ld P = 1, K = 1;
  for (int a = 0; a < image.rank(); ++a) {
    P *= static_cast<ld>(image[a] + 2 * kernel[a]);
    K *= static_cast<ld>(kernel[a]);
  }
  return 16 * std::log2(2 * P) + K;
}

/// What an output must be: a value within tol, NaN, or either (a weight within rounding of the
/// min_weight threshold, or of 0 when the threshold is 0: rounding decides, no test can).
enum class State : unsigned char { value, nan, either };
struct Expectation {
  std::vector<ld> value, tol;
  std::vector<State> state;
  std::size_t count(State s) const {
    return static_cast<std::size_t>(std::count(state.begin(), state.end(), s));
  }
};

/// u_c: unit roundoff of the arithmetic (double for Precision::double_precision), u_t: of the
/// result's type (the final rounding).
struct Roundoff {
  ld computed, stored;
};

/// interpolate. Error of the ratio: with |num' - num| <= F u S and |den' - den| <= F u sum|k|
/// (the same kind of run on the data and on the indicator), to first order
///   |num'/den' - num/den| <= F u (S + |out| sum|k|) / den,
/// plus the rounding of the division and of the stored result (2 u_t |out|).
inline Expectation interpolate_expectation(const Sums& s, const KernelInfo& k, double min_weight,
                                           ld F, Roundoff u) {
  Expectation e;
  const std::size_t n = s.num.size();
  e.value.assign(n, 0);
  e.tol.assign(n, 0);
  e.state.assign(n, State::either);
  const ld floor = static_cast<ld>(min_weight) * k.sum;
  const ld margin = F * u.computed * k.sum_abs + 2 * u.stored * k.sum;  // the weight's error
  for (std::size_t l = 0; l < n; ++l) {
    const ld den = s.den[l];
    if (den + margin < floor || den + margin <= 0) {
      e.state[l] = State::nan;
    } else if (den - margin >= floor && den - margin > 0) {
      e.state[l] = State::value;
      e.value[l] = s.num[l] / den;
      e.tol[l] = F * u.computed * (s.max_abs + std::fabs(e.value[l]) * k.sum_abs) / (den - margin) +
                 2 * u.stored * std::fabs(e.value[l]);
    }
  }
  return e;
}

/// A plain convolution (fill, or propagate away from missing data): num within F u S.
inline Expectation plain_expectation(const Sums& s, ld F, Roundoff u) {
  Expectation e;
  e.value = std::vector<ld>(s.num);  // (copy-construct: GCC 12 warns about vector<ld>::operator=)
  e.tol.assign(s.num.size(), 0);
  e.state.assign(s.num.size(), State::value);
  for (std::size_t l = 0; l < s.num.size(); ++l)
    e.tol[l] = F * u.computed * s.max_abs + 2 * u.stored * std::fabs(s.num[l]);
  return e;
}

/// preserve_nan: the output centred on each missing image pixel is NaN. Per axis image pixel j is
/// output j (same), j + (k - 1) / 2 (full), j - k / 2 (valid), when inside the output.
inline void preserve_missing(Expectation& e, const Shape& image, const Shape& kernel, Mode mode,
                             const std::vector<unsigned char>& missing) {
  const Shape out = out_shape(image, kernel, mode);
  for (std::size_t i = 0; i < missing.size(); ++i) {
    if (!missing[i]) continue;
    const Index3 j = unravel(i, image);
    std::size_t linear = 0;
    bool inside = true;
    for (int a = 0; a < image.rank(); ++a) {
      const auto J = static_cast<long long>(j[static_cast<std::size_t>(a)]);
      const auto k = static_cast<long long>(kernel[a]);
      const long long o = mode == Mode::same ? J : mode == Mode::full ? J + (k - 1) / 2 : J - k / 2;
      inside = inside && o >= 0 && o < static_cast<long long>(out[a]);
      linear = linear * out[a] + static_cast<std::size_t>(std::max(o, 0LL));
    }
    if (inside) e.state[linear] = State::nan;
  }
}

/// Number of outputs that break the expectation, and a description of the first.
template <class T>
std::size_t mismatches(const Array<T>& got, const Expectation& e, std::string& first) {
  if (got.size() != e.state.size()) {
    first = "result has " + std::to_string(got.size()) + " values, expected " +
            std::to_string(e.state.size());
    return std::max<std::size_t>(got.size(), 1);
  }
  std::size_t wrong = 0;
  for (std::size_t l = 0; l < e.state.size(); ++l) {
    const ld g = static_cast<ld>(got.values[l]);
    bool ok = true;
    if (e.state[l] == State::value)
      ok = std::isfinite(g) && std::fabs(g - e.value[l]) <= e.tol[l];
    else if (e.state[l] == State::nan)
      ok = std::isnan(g);
    if (!ok && wrong++ == 0) {
      std::ostringstream s;
      s.precision(17);
      s << "output " << l << " (" << fftconv::to_string(got.shape) << "): got "
        << static_cast<double>(g) << ", expected ";
      if (e.state[l] == State::nan)
        s << "NaN";
      else
        s << static_cast<double>(e.value[l]) << " +- " << static_cast<double>(e.tol[l]);
      first = s.str();
    }
  }
  return wrong;
}

}  // namespace missing_pixels
