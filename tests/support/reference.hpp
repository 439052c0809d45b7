#pragma once
// The independent reference: convolution and correlation computed straight from their
// definitions with long double accumulation, written here without any library code.
//   convolve(I, g)[n]  = sum_m I[n - m] g[m]
//   correlate(I, g)[n] = sum_m I[n + m] g[m]
// The output window per axis (image n, kernel k), as scipy.signal: full starts at full-result
// index 0 with n + k - 1 values, same at (k - 1) / 2 with n values, valid at k - 1 with
// max(n - k + 1, 0) values; Options::origin o moves same's start to (k - 1) / 2 + o.
// Correlation's full result at index f is the lag f - (k - 1).
#include <algorithm>
#include <cmath>
#include <cstddef>
#include <limits>

#include "test_data.hpp"

namespace testing {

struct Window {
  std::size_t start, count;
};

inline Window window(std::size_t n, std::size_t k, fftconv::Mode mode, std::ptrdiff_t origin = 0) {
  switch (mode) {
    case fftconv::Mode::full:
      return {0, n + k - 1};
    case fftconv::Mode::same:
      return {static_cast<std::size_t>(static_cast<std::ptrdiff_t>((k - 1) / 2) + origin), n};
    case fftconv::Mode::valid:
      return {k - 1, n >= k ? n - k + 1 : 0};
  }
  return {0, 0};
}

/// Reference output plus S = max over outputs of sum_m |I[..]| |g[m]|, the scale the rounding
/// error of any method is measured against.
struct Reference {
  Array<long double> values;
  long double abs_sum_max = 0;
  long double max_abs() const {
    long double m = 0;
    for (long double v : values.values)
      m = std::max(m, std::fabs(v));
    return m;
  }
};

/// Where extended position i (any integer) of an axis of length n reads the image, under a
/// boundary rule, or -1 for the fill value. Written by folding step by step, independently of
/// the library's modular arithmetic:
///   reflect  c b a | a b c d | d c b      mirror  d c b | a b c d | c b a
///   nearest  a a a | a b c d | d d d      wrap    b c d | a b c d | a b c
inline long long extended_index(fftconv::Boundary rule, long long i, long long n) {
  using fftconv::Boundary;
  if (rule == Boundary::zero || rule == Boundary::constant) return i >= 0 && i < n ? i : -1;
  if (rule == Boundary::nearest) return i < 0 ? 0 : i >= n ? n - 1 : i;
  if (rule == Boundary::wrap) {
    while (i < 0)
      i += n;
    while (i >= n)
      i -= n;
    return i;
  }
  if (rule == Boundary::mirror && n == 1) return 0;
  while (i < 0 || i >= n) {
    if (rule == Boundary::reflect)
      i = i < 0 ? -i - 1 : 2 * n - 1 - i;  // the edge value repeated
    else
      i = i < 0 ? -i : 2 * n - 2 - i;  // mirror: the edge value not repeated
  }
  return i;
}

/// Where kernel element km of output o (multi-indices) reads the image extended by `rule`: the
/// image's multi-index, or false for the fill value. `origin`: empty or per axis.
inline bool tap_source(const fftconv::Shape& image_shape, const fftconv::Shape& kernel_shape,
                       fftconv::Mode mode, bool correlate, const Index& o, const Index& km,
                       fftconv::Boundary rule, Index& source,
                       const fftconv::Offsets& origin = fftconv::Offsets()) {
  bool inside = true;
  for (int a = 0; a < image_shape.rank(); ++a) {
    const auto A = static_cast<std::size_t>(a);
    const auto n = static_cast<long long>(image_shape[a]);
    const auto k = static_cast<long long>(kernel_shape[a]);
    const long long f = static_cast<long long>(
        window(image_shape[a], kernel_shape[a], mode, origin.empty() ? 0 : origin[a]).start + o[A]);
    const long long i = correlate ? (f - (k - 1)) + static_cast<long long>(km[A])
                                  : f - static_cast<long long>(km[A]);
    const long long e = extended_index(rule, i, n);
    inside = inside && e >= 0;
    source[A] = static_cast<std::size_t>(e < 0 ? 0 : e);
  }
  return inside;
}

/// One output value (multi-index `o` in the output window) and its sum of |terms|, the image
/// extended by `rule` (fill value `fill` for constant, 0 for zero).
template <class T>
long double reference_at(const Array<T>& image, const Array<T>& kernel, fftconv::Mode mode,
                         bool correlate, const Index& o, long double* abs_sum,
                         fftconv::Boundary rule = fftconv::Boundary::zero, double fill = 0,
                         const fftconv::Offsets& origin = fftconv::Offsets()) {
  long double sum = 0, abs = 0;
  for (std::size_t m = 0; m < kernel.size(); ++m) {
    Index ii{};
    const bool inside = tap_source(image.shape, kernel.shape, mode, correlate, o,
                                   unravel(m, kernel.shape), rule, ii, origin);
    const long double outside = rule == fftconv::Boundary::constant ? fill : 0;
    const long double value =
        inside ? static_cast<long double>(image.values[image.index(ii)]) : outside;
    const long double term = value * kernel.values[m];
    sum += term;
    abs += std::fabs(term);
  }
  if (abs_sum) *abs_sum = abs;
  return sum;
}

template <class T>
fftconv::Shape reference_shape(const fftconv::Shape& image, const fftconv::Shape& kernel,
                               fftconv::Mode mode) {
  fftconv::Shape s;
  for (int a = 0; a < image.rank(); ++a)
    s.push_back(window(image[a], kernel[a], mode).count);
  return s;
}

template <class T>
Reference reference(const Array<T>& image, const Array<T>& kernel, fftconv::Mode mode,
                    bool correlate, fftconv::Boundary rule = fftconv::Boundary::zero,
                    double fill = 0, const fftconv::Offsets& origin = fftconv::Offsets()) {
  Reference ref;
  ref.values = Array<long double>(reference_shape<T>(image.shape, kernel.shape, mode));
  for (std::size_t l = 0; l < ref.values.size(); ++l)
    ref.values.values[l] = reference_at(image, kernel, mode, correlate,
                                        unravel(l, ref.values.shape), nullptr, rule, fill, origin);
  // S over the full result under the rule, not only the window: an FFT carries every product
  // of the (extended) image with the kernel through its transforms, and its rounding is relative
  // to the largest of them even where the window keeps a single small term (a one-pixel image
  // and a long kernel in same mode: the window holds x0 g[centre], the transforms x0 g[all]).
  const fftconv::Shape full = reference_shape<T>(image.shape, kernel.shape, fftconv::Mode::full);
  for (std::size_t l = 0; l < fftconv::element_count(full); ++l) {
    long double abs = 0;
    reference_at(image, kernel, fftconv::Mode::full, correlate, unravel(l, full), &abs, rule, fill);
    ref.abs_sum_max = std::max(ref.abs_sum_max, abs);
  }
  return ref;
}

/// Tolerance for any method against the reference, as an absolute error:
///   tol = 16 * eps(T) * log2(2 * P) * S
/// P = product over axes of (n + k), the order of the transform size; S = Reference::abs_sum_max
/// (over the full result: see reference()).
/// Why: the direct sum's rounding error is typically sqrt(K) * eps * S (K kernel taps, K <= P);
/// the FFT's grows by about eps per butterfly stage (log2 P of them in each of three transforms)
/// relative to the magnitudes flowing through, which S bounds for the data used here. 16 covers
/// the three transforms and the spread of the maximum over many outputs.
template <class T>
long double tolerance(const fftconv::Shape& image, const fftconv::Shape& kernel, long double S) {
  long double P = 1;
  for (int a = 0; a < image.rank(); ++a)
    P *= static_cast<long double>(image[a] + kernel[a]);
  return 16 * static_cast<long double>(std::numeric_limits<T>::epsilon()) * std::log2(2 * P) * S;
}

/// Largest |a - b| of two arrays of one shape (infinity if their shapes differ).
template <class T>
long double max_difference(const Array<T>& a, const Array<T>& b) {
  if (a.shape != b.shape) return std::numeric_limits<long double>::infinity();
  long double d = 0;
  for (std::size_t i = 0; i < a.size(); ++i)
    d = std::max(d, std::fabs(static_cast<long double>(a.values[i]) - b.values[i]));
  return d;
}

/// Largest |result - reference|.
template <class T>
long double max_abs_error(const Array<T>& result, const Array<long double>& ref) {
  long double e = 0;
  for (std::size_t l = 0; l < ref.size(); ++l)
    e = std::max(e, std::fabs(static_cast<long double>(result.values[l]) - ref.values[l]));
  return e;
}

}  // namespace testing
