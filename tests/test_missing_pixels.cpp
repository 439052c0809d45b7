// Missing pixels: NanPolicy (interpolate, fill, propagate with a mask), min_weight, preserve_nan
// and convolve_masked (values and the coverage map), against a reference written here straight
// from the definitions in options.hpp and masked.hpp (long double sums, its own boundary index
// arithmetic, nothing shared with the library or with tests/reference.hpp):
//
//   E  = the image extended by the boundary rule, M = 1 where E is finite and not masked,
//   E' = E with its missing values set to 0;
//   interpolate: out = conv(E', k) / conv(M, k) where conv(M, k) >= min_weight * sum(k) and > 0,
//                NaN elsewhere;
//   fill:        the missing image pixels replaced by fill_value, then the plain convolution;
//   weight:      conv(M, k) (convolve_masked's coverage map, whatever the policy).
//
// Plus: min_weight thresholds (and 0/0 windows with min_weight 0), the error cases (nothing
// written), the range guarantee of non-negative kernels, complete images (weights exactly sum(k)),
// Filter, aliasing and an empty weight view, the Eigen overloads, and the astropy cross-check
// (numbers produced by astropy 5.2's convolve_fft, embedded).
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
#include "test_data.hpp"

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

namespace {

using Index3 = std::array<std::size_t, 3>;
using ld = long double;

constexpr Mode all_modes[] = {Mode::full, Mode::same, Mode::valid};

std::string label(Mode m) {
  return m == Mode::full ? "full" : m == Mode::same ? "same" : "valid";
}
std::string label(Method m) {
  return m == Method::direct ? "direct" : m == Method::fft ? "fft" : "automatic";
}
std::string label(Boundary b) {
  const char* names[] = {"zero", "constant", "reflect", "mirror", "nearest", "wrap"};
  return names[static_cast<int>(b)];
}
std::string label(NanPolicy p) {
  return p == NanPolicy::propagate     ? "propagate"
         : p == NanPolicy::interpolate ? "interpolate"
                                       : "fill";
}

template <class T>
constexpr ld eps() {
  return static_cast<ld>(std::numeric_limits<T>::epsilon());
}

// ---- The reference ----------------------------------------------------------------------------

/// Per axis (image n, kernel k): the first full-convolution index of the output window and the
/// number of outputs (scipy.signal: full 0 / n + k - 1, same (k - 1) / 2 / n, valid k - 1 /
/// max(n - k + 1, 0)).
std::size_t window_first(std::size_t k, Mode mode) {
  return mode == Mode::full ? 0 : mode == Mode::same ? (k - 1) / 2 : k - 1;
}
std::size_t window_length(std::size_t n, std::size_t k, Mode mode) {
  return mode == Mode::full ? n + k - 1 : mode == Mode::same ? n : n >= k ? n - k + 1 : 0;
}
Shape out_shape(const Shape& image, const Shape& kernel, Mode mode) {
  Shape s;
  for (int a = 0; a < image.rank(); ++a)
    s.push_back(window_length(image[a], kernel[a], mode));
  return s;
}

/// The image index that extended position i (any integer) of an axis of length n reads under
/// `rule`, or -1 outside the image for zero and constant. Periodic arithmetic: reflect repeats
/// the sequence a..d d..a with period 2n, mirror a..d c..b with period 2n - 2, wrap a..d with
/// period n.
long long extend(Boundary rule, long long i, long long n) {
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
std::string label(const Rule& r) {
  if (r.boundary != Boundary::constant) return label(r.boundary);
  std::ostringstream s;
  s << "constant(" << r.fill << ")";
  return s.str();
}
constexpr double inf = std::numeric_limits<double>::infinity();
const Rule all_rules[] = {{Boundary::zero, 0},       {Boundary::constant, 0.75},
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
///           tests/reference.hpp).
/// F = 16 log2(2P) + K covers both.
ld growth(const Shape& image, const Shape& kernel) {
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
Expectation interpolate_expectation(const Sums& s, const KernelInfo& k, double min_weight, ld F,
                                    Roundoff u) {
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
Expectation plain_expectation(const Sums& s, ld F, Roundoff u) {
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
void preserve_missing(Expectation& e, const Shape& image, const Shape& kernel, Mode mode,
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

// ---- Test problems ----------------------------------------------------------------------------

/// The kinds of missing data a problem gets.
enum class Scenario { none, single_nan, nan_block, missing_windows, border, infinities, masked };
/// (none: only the infinite constant fill, where the rule has it, is missing.)
constexpr Scenario all_scenarios[] = {
    Scenario::none,   Scenario::single_nan, Scenario::nan_block, Scenario::missing_windows,
    Scenario::border, Scenario::infinities, Scenario::masked};
std::string label(Scenario s) {
  const char* names[] = {"nothing missing", "single NaN", "NaN block", "all-missing windows",
                         "border",          "infinities", "masked"};
  return names[static_cast<int>(s)];
}

/// A problem: the image (missing pixels hold NaN or +-inf; masked ones a finite decoy that must
/// never show), the mask (1 = masked) and the kernel.
template <class T>
struct Problem {
  Array<T> image;
  std::vector<unsigned char> mask;
  Array<T> kernel;
  /// The image as convolve (no mask) sees it: masked pixels NaN.
  Array<T> image_with_nan() const {
    Array<T> a = image;
    for (std::size_t i = 0; i < a.size(); ++i)
      if (mask[i]) a.values[i] = std::numeric_limits<T>::quiet_NaN();
    return a;
  }
  /// Missing image pixels: non-finite or masked.
  std::vector<unsigned char> missing() const {
    std::vector<unsigned char> m(image.size());
    for (std::size_t i = 0; i < m.size(); ++i)
      m[i] = mask[i] || !std::isfinite(image.values[i]);
    return m;
  }
};

constexpr double decoy = 1000;  // the value under a masked pixel: would show if it leaked

template <class T>
Array<T> random_kernel(const Shape& shape, bool with_negative, std::mt19937_64& rng) {
  std::uniform_real_distribution<double> d(with_negative ? -0.4 : 0.0, 1.0);
  std::bernoulli_distribution zero(0.15);
  for (;;) {
    Array<T> k(shape);
    for (T& v : k.values)
      v = zero(rng) ? T(0) : static_cast<T>(d(rng));
    const KernelInfo info = kernel_info(k);
    // a clearly positive sum (interpolate refuses the others)
    if (info.sum > 0.3L * info.sum_abs) return k;
  }
}

template <class T>
Problem<T> make_problem(const Shape& image_shape, const Shape& kernel_shape, Scenario scenario,
                        bool with_negative, std::mt19937_64& rng) {
  Problem<T> p;
  p.image = testing::uniform<T>(image_shape, rng, -1, 2);
  p.mask.assign(p.image.size(), 0);
  p.kernel = random_kernel<T>(kernel_shape, with_negative, rng);
  const int rank = image_shape.rank();
  const T nan = std::numeric_limits<T>::quiet_NaN(), big = std::numeric_limits<T>::infinity();
  auto pick = [&](std::size_t n) {
    return std::uniform_int_distribution<std::size_t>(0, n - 1)(rng);
  };
  // every pixel of the box [lo, lo + len) per axis
  auto box = [&](const Index3& lo, const Index3& len, T value) {
    for (std::size_t i = 0; i < p.image.size(); ++i) {
      const Index3 j = unravel(i, image_shape);
      bool in = true;
      for (std::size_t a = 0; a < static_cast<std::size_t>(rank); ++a)
        in = in && j[a] >= lo[a] && j[a] < lo[a] + len[a];
      if (in) p.image.values[i] = value;
    }
  };
  switch (scenario) {
    case Scenario::none:
      break;
    case Scenario::single_nan:
      p.image.values[pick(p.image.size())] = nan;
      break;
    case Scenario::nan_block:
    case Scenario::missing_windows: {
      // missing_windows: a box longer than the kernel on every axis where the image allows, so
      // some windows hold nothing valid
      Index3 lo{}, len{};
      for (int a = 0; a < rank; ++a) {
        const auto A = static_cast<std::size_t>(a);
        const std::size_t n = image_shape[a];
        len[A] = scenario == Scenario::nan_block ? 1 + pick((n + 1) / 2)
                                                 : std::min(n, kernel_shape[a] + 2);
        lo[A] = pick(n - len[A] + 1);
      }
      box(lo, len, nan);
      break;
    }
    case Scenario::border: {
      // every corner, and the first slab along axis 0
      for (std::size_t c = 0; c < (std::size_t{1} << rank); ++c) {
        Index3 j{};
        for (std::size_t a = 0; a < static_cast<std::size_t>(rank); ++a)
          j[a] = (c >> a) & 1 ? image_shape[static_cast<int>(a)] - 1 : 0;
        p.image.values[p.image.index(j)] = nan;
      }
      Index3 len{1, 1, 1};
      for (int a = 1; a < rank; ++a)
        len[static_cast<std::size_t>(a)] = image_shape[a];
      box(Index3{}, len, nan);
      break;
    }
    case Scenario::infinities: {
      std::bernoulli_distribution hit(0.12);
      const T bad[] = {big, -big, nan};
      for (T& v : p.image.values)
        if (hit(rng)) v = bad[pick(3)];
      p.image.values[pick(p.image.size())] = big;
      break;
    }
    case Scenario::masked: {
      std::bernoulli_distribution hit(0.15);
      for (std::size_t i = 0; i < p.image.size(); ++i)
        if (hit(rng)) {
          p.mask[i] = 1;
          p.image.values[i] = static_cast<T>(decoy);
        }
      const std::size_t i = pick(p.image.size());
      p.mask[i] = 1;
      p.image.values[i] = static_cast<T>(decoy);
      p.image.values[pick(p.image.size())] = nan;  // NaN and mask together
      break;
    }
  }
  return p;
}

// ---- Library calls ----------------------------------------------------------------------------

template <class T>
struct Outputs {
  Array<T> values, weight;
};

/// convolve on the image (no mask), result read back as a dense array; checks that nothing
/// outside the output view was written.
template <class T>
Array<T> call_convolve(const Array<T>& image, const Array<T>& kernel, const Options& o,
                       Layout out_layout = Layout::c_order) {
  Stored<T> out(out_shape(image.shape, kernel.shape, o.mode), out_layout);
  fftconv::convolve(image.view(), kernel.view(), out.view, o);
  CHECK(out.touched_outside() == 0);
  return out.read();
}

/// convolve_masked with a bool mask (C order) or, with mask_as_T, a mask of T in Fortran order;
/// image, values and weight in the given layouts.
template <class T>
Outputs<T> call_masked(const Array<T>& image, const std::vector<unsigned char>& mask,
                       const Array<T>& kernel, const Options& o, bool mask_as_T = false,
                       Layout image_layout = Layout::c_order, Layout out_layout = Layout::c_order,
                       Layout weight_layout = Layout::c_order) {
  const Shape shape = out_shape(image.shape, kernel.shape, o.mode);
  Stored<T> in(image, image_layout);
  Stored<T> values(shape, out_layout), weight(shape, weight_layout);
  if (mask_as_T) {
    Array<T> m(image.shape);
    for (std::size_t i = 0; i < m.size(); ++i)
      m.values[i] = mask[i] ? T(1) : T(0);
    Stored<T> stored_mask(m, Layout::f_order);
    fftconv::convolve_masked(ConstView<T>(in.view), ConstView<T>(stored_mask.view), kernel.view(),
                             values.view, weight.view, o);
  } else {
    const std::unique_ptr<bool[]> m(new bool[mask.size() + 1]);
    for (std::size_t i = 0; i < mask.size(); ++i)
      m[i] = mask[i] != 0;
    fftconv::convolve_masked(ConstView<T>(in.view), ConstView<bool>(m.get(), image.shape),
                             kernel.view(), values.view, weight.view, o);
  }
  CHECK(values.touched_outside() == 0);
  CHECK(weight.touched_outside() == 0);
  return {values.read(), weight.read()};
}

/// The method variants a type is checked on: direct and fft in the data's precision, and for
/// float both again widened to double.
struct Run {
  Method method;
  Precision precision;
};
template <class T>
std::vector<Run> runs() {
  std::vector<Run> r{{Method::direct, Precision::native}, {Method::fft, Precision::native}};
  if (std::is_same_v<T, float>) {
    r.push_back({Method::direct, Precision::double_precision});
    r.push_back({Method::fft, Precision::double_precision});
  }
  return r;
}
template <class T>
Roundoff roundoff(Precision p) {
  return {p == Precision::double_precision ? eps<double>() : eps<T>(), eps<T>()};
}
std::string label(const Run& r) {
  return label(r.method) +
         (r.precision == Precision::double_precision ? " (double precision)" : "");
}

/// Counts over a whole test case, so a test that checked nothing (every output "either", or no
/// NaN where NaN was expected) shows.
struct Tally {
  std::size_t values = 0, nans = 0, either = 0, far = 0;
  void add(const Expectation& e) {
    values += e.count(State::value);
    nans += e.count(State::nan);
    either += e.count(State::either);
  }
};

/// Everything about one problem under every rule, mode and method: interpolate through convolve
/// (masked pixels as NaN) and convolve_masked (bool or T mask, various layouts), and the coverage
/// map: conv(M, k) everywhere, sum(k) to a few roundings where no tap reaches missing data.
template <class T>
void check_interpolation(const Problem<T>& p, const std::string& what, Tally& tally) {
  const Array<T> with_nan = p.image_with_nan();
  const KernelInfo k = kernel_info(p.kernel);
  const ld F = growth(p.image.shape, p.kernel.shape);
  std::size_t variant = 0;
  for (const Rule& rule : all_rules)
    for (Mode mode : all_modes) {
      const Sums sums = reference_sums(p.image, p.mask, p.kernel, mode, rule);
      for (const Run& run : runs<T>()) {
        ++variant;
        CAPTURE(what);
        CAPTURE(label(rule));
        CAPTURE(label(mode));
        CAPTURE(label(run));
        Options o;
        o.mode = mode;
        o.method = run.method;
        o.compute_precision = run.precision;
        o.boundary = rule.boundary;
        o.fill_value = rule.fill;
        o.nan_policy = NanPolicy::interpolate;
        o.min_weight = variant % 3 == 0 ? 0.3 : 1e-3;  // the default, and a demanding one
        CAPTURE(o.min_weight);
        const Roundoff u = roundoff<T>(run.precision);
        const Expectation e = interpolate_expectation(sums, k, o.min_weight, F, u);
        tally.add(e);
        std::string first;
        const Array<T> plain = call_convolve(with_nan, p.kernel, o);
        CAPTURE(first);
        CHECK(mismatches(plain, e, first) == 0);

        const Layout layouts[] = {Layout::c_order, Layout::f_order, Layout::strided_block,
                                  Layout::reversed_axis0};
        const Outputs<T> masked =
            call_masked(p.image, p.mask, p.kernel, o, variant % 2 == 0, layouts[variant % 4],
                        layouts[(variant + 1) % 4], layouts[(variant + 2) % 4]);
        CHECK(mismatches(masked.values, e, first) == 0);

        // The coverage map: conv(M, k), the same error as a run on the indicator (F u sum|k|)
        // plus the stored rounding.
        Expectation w;
        w.value = std::vector<ld>(sums.den);
        w.state.assign(sums.den.size(), State::value);
        w.tol.assign(sums.den.size(), 0);
        for (std::size_t l = 0; l < w.tol.size(); ++l)
          w.tol[l] = F * u.computed * k.sum_abs + 2 * u.stored * std::fabs(sums.den[l]);
        CHECK(mismatches(masked.weight, w, first) == 0);
        // Where no tap reaches missing data the weight is sum(k): exactly so on the direct path
        // (the indicator sums to exact zeros there), to a few roundings of sum|k| on the fft
        // path (transform noise of the sparse indicator; measured up to 2.4 u sum|k| here), plus
        // the rounding of sum(k) to T.
        std::size_t far = 0, far_wrong = 0;
        ld worst = 0;
        const ld far_tol = 4 * u.computed * k.sum_abs + u.stored * k.sum;
        for (std::size_t l = 0; l < sums.den.size(); ++l)
          if (sums.missing_taps[l] == 0) {
            ++far;
            const ld d = std::fabs(static_cast<ld>(masked.weight.values[l]) - k.sum);
            worst = std::max(worst, d);
            far_wrong += !(d <= far_tol);
          }
        tally.far += far;
        CAPTURE(static_cast<double>(worst));
        CAPTURE(static_cast<double>(far_tol));
        CHECK(far_wrong == 0);
      }
    }
}

std::string describe(const Shape& image, const Shape& kernel, const std::string& type,
                     const std::string& more) {
  return type + " image " + fftconv::to_string(image) + " kernel " + fftconv::to_string(kernel) +
         " " + more;
}

template <class T>
std::string type_name() {
  return std::is_same_v<T, float> ? "float" : "double";
}

/// Random shapes of a rank: image extents in [1, max_n], kernel extents in [1, max_k] (so often
/// even, and often longer than the image).
std::vector<std::pair<Shape, Shape>> shapes(int rank, std::size_t count, std::size_t max_n,
                                            std::size_t max_k, std::mt19937_64& rng) {
  std::vector<std::pair<Shape, Shape>> s;
  std::uniform_int_distribution<std::size_t> n(1, max_n), k(1, max_k);
  for (std::size_t c = 0; c < count; ++c) {
    Shape a, b;
    for (int r = 0; r < rank; ++r) {
      a.push_back(n(rng));
      b.push_back(k(rng));
    }
    s.emplace_back(a, b);
  }
  return s;
}

template <class T>
void check_rank(int rank, std::mt19937_64& rng) {
  std::vector<std::pair<Shape, Shape>> cases;
  if (rank == 1) {
    cases = {
        {Shape{17}, Shape{5}}, {Shape{16}, Shape{4}}, {Shape{3}, Shape{8}}, {Shape{1}, Shape{3}}};
    for (const auto& c : shapes(1, 10, 30, 9, rng))
      cases.push_back(c);
  } else if (rank == 2) {
    cases = {{Shape{9, 8}, Shape{3, 4}}, {Shape{5, 4}, Shape{7, 6}}, {Shape{1, 6}, Shape{1, 3}}};
    for (const auto& c : shapes(2, 6, 12, 6, rng))
      cases.push_back(c);
  } else {
    cases = {{Shape{5, 4, 6}, Shape{3, 2, 3}}, {Shape{3, 2, 4}, Shape{2, 3, 5}}};
    for (const auto& c : shapes(3, 3, 6, 4, rng))
      cases.push_back(c);
  }
  Tally tally;
  std::size_t index = 0;
  for (const auto& c : cases)
    for (Scenario s : all_scenarios) {
      const bool with_negative = ++index % 3 == 0;
      const Problem<T> p = make_problem<T>(c.first, c.second, s, with_negative, rng);
      check_interpolation(
          p,
          describe(c.first, c.second, type_name<T>(),
                   label(s) + (with_negative ? " signed kernel" : " non-negative kernel")),
          tally);
    }
  // Not vacuous: many values and NaNs checked, few outputs left to rounding, far outputs seen.
  CAPTURE(tally.values);
  CAPTURE(tally.nans);
  CAPTURE(tally.either);
  CHECK(tally.values > 1000);
  CHECK(tally.nans > 100);
  CHECK(tally.either * 100 < tally.values);
  CHECK(tally.far > 100);
}

}  // namespace

// ---- 1, 2: interpolation and the coverage map against the reference ---------------------------

TEST_CASE_TEMPLATE("missing pixels: interpolation and weights match the reference in 1-D", T, float,
                   double) {
  std::mt19937_64 rng(1101);
  check_rank<T>(1, rng);
}

TEST_CASE_TEMPLATE("missing pixels: interpolation and weights match the reference in 2-D", T, float,
                   double) {
  std::mt19937_64 rng(1102);
  check_rank<T>(2, rng);
}

TEST_CASE_TEMPLATE("missing pixels: interpolation and weights match the reference in 3-D", T, float,
                   double) {
  std::mt19937_64 rng(1103);
  check_rank<T>(3, rng);
}

// ---- 3: preserve_nan, NanPolicy::fill, propagate with a mask ----------------------------------

namespace {

/// interpolate and fill with preserve_nan on and off, through convolve and convolve_masked, and
/// correlate with the flipped kernel (the same result, the same "centred on" mapping).
template <class T>
void check_fill_and_preserve(const Problem<T>& p, const std::string& what, std::size_t& nans) {
  const Array<T> with_nan = p.image_with_nan();
  const Array<T> flipped = testing::flip(p.kernel);
  const std::vector<unsigned char> missing = p.missing();
  const KernelInfo k = kernel_info(p.kernel);
  const ld F = growth(p.image.shape, p.kernel.shape);
  for (const Rule& rule : all_rules)
    for (Mode mode : all_modes)
      for (NanPolicy policy : {NanPolicy::interpolate, NanPolicy::fill}) {
        // fill: the missing pixels become fill_value (finite), so does the outside for constant
        if (policy == NanPolicy::fill && !std::isfinite(rule.fill)) continue;
        const double fill = rule.boundary == Boundary::constant ? rule.fill : -0.5;
        Sums sums;
        if (policy == NanPolicy::interpolate) {
          sums = reference_sums(p.image, p.mask, p.kernel, mode, rule);
        } else {
          Array<T> filled = p.image;
          for (std::size_t i = 0; i < filled.size(); ++i)
            if (missing[i]) filled.values[i] = static_cast<T>(fill);
          sums = reference_sums(filled, {}, p.kernel, mode, rule);
        }
        for (const Run& run : runs<T>())
          for (bool preserve : {false, true}) {
            CAPTURE(what);
            CAPTURE(label(rule));
            CAPTURE(label(mode));
            CAPTURE(label(run));
            CAPTURE(label(policy));
            CAPTURE(preserve);
            Options o;
            o.mode = mode;
            o.method = run.method;
            o.compute_precision = run.precision;
            o.boundary = rule.boundary;
            o.fill_value = fill;
            o.nan_policy = policy;
            o.preserve_nan = preserve;
            const Roundoff u = roundoff<T>(run.precision);
            Expectation e = policy == NanPolicy::interpolate
                                ? interpolate_expectation(sums, k, o.min_weight, F, u)
                                : plain_expectation(sums, F, u);
            if (preserve) preserve_missing(e, p.image.shape, p.kernel.shape, mode, missing);
            nans += e.count(State::nan);
            std::string first;
            CAPTURE(first);
            CHECK(mismatches(call_convolve(with_nan, p.kernel, o), e, first) == 0);
            Stored<T> out(out_shape(p.image.shape, p.kernel.shape, mode), Layout::c_order);
            fftconv::correlate(with_nan.view(), flipped.view(), out.view, o);
            CHECK(mismatches(out.read(), e, first) == 0);
            CHECK(mismatches(call_masked(p.image, p.mask, p.kernel, o).values, e, first) == 0);
          }
      }
}

}  // namespace

TEST_CASE_TEMPLATE("missing pixels: fill and preserve_nan match the reference", T, float, double) {
  std::mt19937_64 rng(1201);
  const std::pair<Shape, Shape> cases[] = {{Shape{13}, Shape{4}},
                                           {Shape{4}, Shape{7}},
                                           {Shape{8, 7}, Shape{3, 4}},
                                           {Shape{3, 5}, Shape{6, 2}},
                                           {Shape{4, 5, 3}, Shape{2, 3, 3}}};
  std::size_t nans = 0, index = 0;
  for (const auto& c : cases)
    for (Scenario s :
         {Scenario::single_nan, Scenario::border, Scenario::infinities, Scenario::masked}) {
      const bool with_negative = ++index % 4 == 0;
      check_fill_and_preserve(make_problem<T>(c.first, c.second, s, with_negative, rng),
                              describe(c.first, c.second, type_name<T>(), label(s)), nans);
    }
  CHECK(nans > 500);
}

TEST_CASE("missing pixels: preserve_nan marks the output centred on the pixel in every mode") {
  // A 7-pixel signal, pixel 3 missing, an even kernel of 4 ones: the mapping is j (same),
  // j + (k - 1) / 2 = 4 (full), j - k / 2 = 1 (valid), written out by hand.
  std::vector<double> image{1, 2, 3, std::nan(""), 5, 6, 7}, kernel{1, 1, 1, 1};
  const std::pair<Mode, std::size_t> where[] = {{Mode::same, 3}, {Mode::full, 4}, {Mode::valid, 1}};
  for (const auto& w : where)
    for (NanPolicy policy : {NanPolicy::interpolate, NanPolicy::fill})
      for (Method method : {Method::direct, Method::fft}) {
        CAPTURE(label(w.first));
        CAPTURE(label(policy));
        CAPTURE(label(method));
        Options o;
        o.mode = w.first;
        o.method = method;
        o.nan_policy = policy;
        const std::size_t n = window_length(7, 4, w.first);
        std::vector<double> without(n), with(n);
        fftconv::convolve(ConstView<double>(image.data(), {7}),
                          ConstView<double>(kernel.data(), {4}), View<double>(without.data(), {n}),
                          o);
        o.preserve_nan = true;
        fftconv::convolve(ConstView<double>(image.data(), {7}),
                          ConstView<double>(kernel.data(), {4}), View<double>(with.data(), {n}), o);
        for (std::size_t i = 0; i < n; ++i) {
          CAPTURE(i);
          CHECK(std::isfinite(without[i]));
          if (i == w.second)
            CHECK(std::isnan(with[i]));
          else
            CHECK(with[i] == without[i]);
        }
      }
}

TEST_CASE_TEMPLATE("missing pixels: propagate with a mask acts as NaN", T, float, double) {
  // A masked pixel under propagate is a NaN: on the direct path NaN exactly where a non-zero tap
  // reaches it (or one of its copies under the boundary rule), the reference elsewhere; on every
  // method bit-identical to convolve on the image with NaN at the masked pixels. The weight is
  // still conv(M, k).
  std::mt19937_64 rng(1301);
  const std::pair<Shape, Shape> cases[] = {{Shape{19}, Shape{4}},
                                           {Shape{9, 8}, Shape{3, 4}},
                                           {Shape{4, 3}, Shape{5, 2}},
                                           {Shape{4, 5, 3}, Shape{2, 3, 2}}};
  std::size_t nan_outputs = 0, value_outputs = 0;
  for (const auto& c : cases) {
    Problem<T> p = make_problem<T>(c.first, c.second, Scenario::masked, false, rng);
    p.kernel.values[0] = 0;  // a zero tap does not carry the NaN
    const Array<T> with_nan = p.image_with_nan();
    const KernelInfo k = kernel_info(p.kernel);
    const ld F = growth(p.image.shape, p.kernel.shape);
    for (const Rule& rule : all_rules) {
      if (!std::isfinite(rule.fill)) continue;
      for (Mode mode : all_modes) {
        const Sums sums = reference_sums(p.image, p.mask, p.kernel, mode, rule);
        for (const Run& run : runs<T>()) {
          CAPTURE(describe(c.first, c.second, type_name<T>(), ""));
          CAPTURE(label(rule));
          CAPTURE(label(mode));
          CAPTURE(label(run));
          Options o;
          o.mode = mode;
          o.method = run.method;
          o.compute_precision = run.precision;
          o.boundary = rule.boundary;
          o.fill_value = rule.fill;
          const Roundoff u = roundoff<T>(run.precision);
          const Outputs<T> masked = call_masked(p.image, p.mask, p.kernel, o, true);
          const Array<T> plain = call_convolve(with_nan, p.kernel, o);
          std::size_t differ = 0;
          for (std::size_t i = 0; i < plain.size(); ++i)
            differ += !(masked.values.values[i] == plain.values[i] ||
                        (std::isnan(masked.values.values[i]) && std::isnan(plain.values[i])));
          CHECK(differ == 0);
          std::string first;
          CAPTURE(first);
          if (run.method == Method::direct) {
            Expectation e = plain_expectation(sums, F, u);
            for (std::size_t l = 0; l < e.state.size(); ++l)
              if (sums.missing_nonzero[l] > 0) e.state[l] = State::nan;
            nan_outputs += e.count(State::nan);
            value_outputs += e.count(State::value);
            CHECK(mismatches(masked.values, e, first) == 0);
          }
          Expectation w;
          w.value = std::vector<ld>(sums.den);
          w.state.assign(sums.den.size(), State::value);
          w.tol.assign(sums.den.size(), F * u.computed * k.sum_abs + 2 * u.stored * k.sum);
          CHECK(mismatches(masked.weight, w, first) == 0);
        }
      }
    }
  }
  CHECK(nan_outputs > 100);
  CHECK(value_outputs > 100);
}

// ---- 4: min_weight and the errors -------------------------------------------------------------

TEST_CASE_TEMPLATE("missing pixels: min_weight is a fraction of sum(k)", T, float, double) {
  // 20 pixels, 6..12 missing, a kernel of five 2s (sum 10), same mode, zero boundary (outside
  // pixels are data): output j sees pixels j-2..j+2, c(j) of them valid (outside ones count), its
  // weight is 2 c(j) and its value the plain mean of the valid ones.
  const std::size_t n = 20;
  Array<T> image(Shape{n}), kernel(Shape{5});
  for (std::size_t i = 0; i < n; ++i)
    image.values[i] = i >= 6 && i < 13 ? std::numeric_limits<T>::quiet_NaN()
                                       : static_cast<T>(1 + 0.5 * static_cast<double>(i));
  for (T& v : kernel.values)
    v = 2;
  auto valid = [&](std::size_t j) {
    std::size_t c = 0;
    for (long long i = static_cast<long long>(j) - 2; i <= static_cast<long long>(j) + 2; ++i)
      c += i < 0 || i >= static_cast<long long>(n) ||
           std::isfinite(image.values[static_cast<std::size_t>(i)]);
    return c;
  };
  auto mean = [&](std::size_t j) {
    ld s = 0;
    for (long long i = static_cast<long long>(j) - 2; i <= static_cast<long long>(j) + 2; ++i)
      if (i >= 0 && i < static_cast<long long>(n)) {
        const T v = image.values[static_cast<std::size_t>(i)];
        if (std::isfinite(v)) s += static_cast<ld>(v);
      }
    return s / static_cast<ld>(valid(j));
  };
  struct Threshold {
    double min_weight;
    std::size_t least_valid;  // c(j) needed for a value: 2 c >= 10 min_weight and 2 c > 0
    bool exact_only;          // the threshold is met with equality or at 0: decided by rounding
  };
  const Threshold thresholds[] = {{0, 1, true},    {1e-3, 1, false}, {0.25, 2, false},
                                  {0.5, 3, false}, {0.99, 5, false}, {1, 5, true},
                                  {1.5, 6, false}};  // 1.5: above the full weight, all NaN
  for (const Threshold& t : thresholds)
    for (const Run& run : runs<T>()) {
      // the weights on the direct path are exact (sums of 2s): equality decided exactly
      if (t.exact_only && run.method != Method::direct) continue;
      CAPTURE(t.min_weight);
      CAPTURE(label(run));
      Options o;
      o.method = run.method;
      o.compute_precision = run.precision;
      o.nan_policy = NanPolicy::interpolate;
      o.min_weight = t.min_weight;
      const Array<T> out = call_convolve(image, kernel, o);
      const Outputs<T> masked = call_masked(image, std::vector<unsigned char>(n, 0), kernel, o);
      for (std::size_t j = 0; j < n; ++j) {
        CAPTURE(j);
        // (weights and values within 1e-5: far above the rounding of sums of five terms of
        // size 10 in float, far below the steps of 2 between weights and the values' spread)
        CHECK(std::fabs(static_cast<ld>(masked.weight.values[j]) - 2 * static_cast<ld>(valid(j))) <=
              1e-5L);
        if (valid(j) >= t.least_valid) {
          CHECK(std::fabs(static_cast<ld>(out.values[j]) - mean(j)) <= 1e-5L);
        } else {
          CHECK(std::isnan(out.values[j]));
        }
        CHECK((out.values[j] == masked.values.values[j] ||
               (std::isnan(out.values[j]) && std::isnan(masked.values.values[j]))));
      }
    }
}

TEST_CASE_TEMPLATE("missing pixels: min_weight 0 gives NaN where the window holds no valid pixel",
                   T, float, double) {
  // min_weight = 0 keeps every output with a positive weight; an output whose non-zero taps all
  // fall on missing pixels has weight exactly 0 and no value (0 / 0): it must be NaN on every
  // method, not a value made of rounding noise divided by rounding noise. (astropy guards the
  // same case with a threshold of 10 eps on the weight.) Outputs with real coverage keep their
  // values.
  std::mt19937_64 rng(1401);
  const Shape shape{24, 24};
  for (const bool with_negative : {false, true}) {
    Problem<T> p;
    p.image = testing::uniform<T>(shape, rng, 0, 100);
    p.mask.assign(p.image.size(), 0);
    p.kernel = random_kernel<T>(Shape{5, 5}, with_negative, rng);
    for (std::size_t i = 0; i < p.image.size(); ++i) {
      const Index3 j = unravel(i, shape);
      if (j[0] >= 6 && j[0] < 18 && j[1] >= 4 && j[1] < 20)
        p.image.values[i] = std::numeric_limits<T>::quiet_NaN();
    }
    std::size_t nonzero_taps = 0;
    for (T v : p.kernel.values)
      nonzero_taps += v != 0;
    const Sums sums = reference_sums(p.image, p.mask, p.kernel, Mode::same, {Boundary::zero, 0});
    const KernelInfo k = kernel_info(p.kernel);
    const ld F = growth(shape, p.kernel.shape);
    for (const Run& run : runs<T>()) {
      CAPTURE(with_negative);
      CAPTURE(label(run));
      Options o;
      o.method = run.method;
      o.compute_precision = run.precision;
      o.nan_policy = NanPolicy::interpolate;
      o.min_weight = 0;
      Expectation e = interpolate_expectation(sums, k, 0, F, roundoff<T>(run.precision));
      std::size_t empty = 0;
      for (std::size_t l = 0; l < e.state.size(); ++l)
        if (sums.missing_nonzero[l] == nonzero_taps) {
          e.state[l] = State::nan;
          ++empty;
        }
      CHECK(empty >= 8 * 10);
      std::string first;
      CAPTURE(first);
      CHECK(mismatches(call_convolve(p.image, p.kernel, o), e, first) == 0);
    }
  }
}

namespace {

/// Calls f (which must throw fftconv::Error with code invalid_argument and a message containing
/// `message`) and checks that values and weight still hold their sentinel.
template <class F>
void check_refused(F f, const std::vector<double>& values, const std::vector<double>& weight,
                   const std::string& message) {
  CAPTURE(message);
  bool thrown = false;
  try {
    f();
  } catch (const fftconv::Error& e) {
    thrown = true;
    CHECK(e.code() == fftconv::ErrorCode::invalid_argument);
    const std::string what = e.what();
    CAPTURE(what);
    CHECK(what.find(message) != std::string::npos);
  }
  CHECK(thrown);
  CHECK(std::count(values.begin(), values.end(), 42.0) ==
        static_cast<std::ptrdiff_t>(values.size()));
  CHECK(std::count(weight.begin(), weight.end(), 42.0) ==
        static_cast<std::ptrdiff_t>(weight.size()));
}

}  // namespace

TEST_CASE("missing pixels: invalid min_weight kernel sum and mask are refused writing nothing") {
  std::vector<double> image{1, 2, std::nan(""), 4, 5, 6, 7, 8}, kernel{1, 2, 1};
  std::vector<double> values(8, 42.0), weight(8, 42.0);
  const std::unique_ptr<bool[]> mask(new bool[8]());
  mask[1] = true;
  const ConstView<double> im(image.data(), {8});
  const ConstView<bool> ma(mask.get(), {8});
  auto masked = [&](const std::vector<double>& k, const Options& o) {
    return [&, o] {
      fftconv::convolve_masked(im, ma, ConstView<double>(k.data(), {k.size()}),
                               View<double>(values.data(), {8}), View<double>(weight.data(), {8}),
                               o);
    };
  };
  auto plain = [&](const std::vector<double>& k, const Options& o) {
    return [&, o] {
      fftconv::convolve(im, ConstView<double>(k.data(), {k.size()}),
                        View<double>(values.data(), {8}), o);
    };
  };
  Options interpolate;
  interpolate.nan_policy = NanPolicy::interpolate;

  SUBCASE("min_weight negative NaN or infinite") {
    for (const double bad : {-0.1, -1e-300, std::nan(""), inf, -inf}) {
      CAPTURE(bad);
      Options o = interpolate;
      o.min_weight = bad;
      for (Method method : {Method::direct, Method::fft}) {
        o.method = method;
        check_refused(masked(kernel, o), values, weight, "min_weight");
        check_refused(plain(kernel, o), values, weight, "min_weight");
      }
    }
  }
  SUBCASE("interpolate needs a kernel with a positive sum") {
    const std::vector<std::vector<double>> kernels{
        {1, -1}, {-1, -2, -0.5}, {0, 0, 0}, {1, -1, 1e-20}};  // the last: within rounding
    for (const auto& k : kernels)
      for (Method method : {Method::direct, Method::fft}) {
        CAPTURE(k.size());
        CAPTURE(k[0]);
        Options o = interpolate;
        o.method = method;
        check_refused(masked(k, o), values, weight, "kernel sums to");
        check_refused(plain(k, o), values, weight, "kernel sums to");
        // fill and propagate take any kernel
        for (NanPolicy policy : {NanPolicy::fill, NanPolicy::propagate}) {
          o.nan_policy = policy;
          CHECK_NOTHROW(masked(k, o)());
          CHECK_NOTHROW(plain(k, o)());
          std::fill(values.begin(), values.end(), 42.0);
          std::fill(weight.begin(), weight.end(), 42.0);
        }
      }
  }
  SUBCASE("a mask of the image type must hold 0 and 1 only") {
    for (const double bad : {0.5, 2.0, -1.0, std::nan("")}) {
      CAPTURE(bad);
      std::vector<double> m(8, 0.0);
      m[5] = bad;
      for (NanPolicy policy : {NanPolicy::propagate, NanPolicy::interpolate, NanPolicy::fill}) {
        Options o;
        o.nan_policy = policy;
        check_refused(
            [&] {
              fftconv::convolve_masked(
                  im, ConstView<double>(m.data(), {8}), ConstView<double>(kernel.data(), {3}),
                  View<double>(values.data(), {8}), View<double>(weight.data(), {8}), o);
            },
            values, weight, "mask value");
      }
    }
    // float too
    std::vector<float> fimage(8, 1.0f), fkernel{1, 2, 1}, fmask(8, 0.0f), fvalues(8, 42.0f),
        fweight(8, 42.0f);
    fmask[0] = 0.5f;
    CHECK_THROWS_AS(fftconv::convolve_masked(
                        ConstView<float>(fimage.data(), {8}), ConstView<float>(fmask.data(), {8}),
                        ConstView<float>(fkernel.data(), {3}), View<float>(fvalues.data(), {8}),
                        View<float>(fweight.data(), {8})),
                    fftconv::Error);
    CHECK(std::count(fvalues.begin(), fvalues.end(), 42.0f) == 8);
    CHECK(std::count(fweight.begin(), fweight.end(), 42.0f) == 8);
  }
  SUBCASE("the mask must have the image's shape") {
    const std::unique_ptr<bool[]> big(new bool[9]());
    const Shape wrong[] = {Shape{9}, Shape{7}, Shape{2, 4}, Shape{8, 1}};
    for (const Shape& s : wrong) {
      CAPTURE(fftconv::to_string(s));
      check_refused(
          [&] {
            fftconv::convolve_masked(
                im, ConstView<bool>(big.get(), s), ConstView<double>(kernel.data(), {3}),
                View<double>(values.data(), {8}), View<double>(weight.data(), {8}), interpolate);
          },
          values, weight, "mask");
    }
  }
  SUBCASE("values and weight must not share memory") {
    const std::ptrdiff_t offsets[] = {0, 3, 7, -5};
    for (const std::ptrdiff_t off : offsets) {
      CAPTURE(off);
      std::vector<double> storage(32, 42.0);
      double* v = storage.data() + 10;
      check_refused(
          [&] {
            fftconv::convolve_masked(im, ma, ConstView<double>(kernel.data(), {3}),
                                     View<double>(v, {8}), View<double>(v + off, {8}), interpolate);
          },
          storage, {}, "share memory");
    }
    // adjacent but disjoint is fine
    std::vector<double> storage(16, 42.0);
    CHECK_NOTHROW(fftconv::convolve_masked(im, ma, ConstView<double>(kernel.data(), {3}),
                                           View<double>(storage.data(), {8}),
                                           View<double>(storage.data() + 8, {8}), interpolate));
    // weight at output 3 (pixels 4, 3, 2 under taps 1, 2, 1): pixel 2 is NaN, so 1 + 2
    CHECK(storage[8 + 3] == 3.0);
  }
  SUBCASE("weight of the wrong shape") {
    check_refused(
        [&] {
          fftconv::convolve_masked(im, ma, ConstView<double>(kernel.data(), {3}),
                                   View<double>(values.data(), {8}),
                                   View<double>(weight.data(), {7}), interpolate);
        },
        values, weight, "weight has shape 7");
  }
}

// ---- 5: a non-negative kernel never leaves the range of the valid data ------------------------

TEST_CASE("missing pixels: non-negative kernels keep interpolated values in the data's range") {
  // float data spanning 8 decades (float FFT noise is ~1e-7 of the largest values, so ~10 here,
  // far more than the faintest pixels): a weighted mean of valid values must still lie within
  // [min, max] of them (and of the zero or constant fill where the window leaves the image).
  std::mt19937_64 rng(1501);
  const Shape shape{48, 40};
  Array<float> image(shape);
  std::uniform_real_distribution<double> decades(0, 8);
  for (float& v : image.values)
    v = static_cast<float>(std::pow(10.0, decades(rng)));
  std::bernoulli_distribution scattered(0.05);
  for (std::size_t i = 0; i < image.size(); ++i) {
    const Index3 j = unravel(i, shape);
    if (scattered(rng) || (j[0] >= 10 && j[0] < 22 && j[1] >= 5 && j[1] < 20) ||
        (j[0] >= 40 && j[1] >= 30))
      image.values[i] = std::numeric_limits<float>::quiet_NaN();
  }
  // a Gaussian PSF with wings down to 1e-9 of its peak
  Array<float> kernel(Shape{11, 11});
  for (std::size_t i = 0; i < kernel.size(); ++i) {
    const Index3 j = unravel(i, kernel.shape);
    const double y = static_cast<double>(j[0]) - 5, x = static_cast<double>(j[1]) - 5;
    kernel.values[i] = static_cast<float>(std::exp(-(x * x + y * y) / (2 * 1.2 * 1.2)));
  }
  float lo_valid = std::numeric_limits<float>::infinity(), hi_valid = -lo_valid;
  for (float v : image.values)
    if (std::isfinite(v)) {
      lo_valid = std::min(lo_valid, v);
      hi_valid = std::max(hi_valid, v);
    }
  std::size_t checked = 0;
  for (const Rule& rule : all_rules)
    for (Mode mode : all_modes)
      for (const Run& run : runs<float>())
        for (const double min_weight : {0.0, 1e-3}) {
          CAPTURE(label(rule));
          CAPTURE(label(mode));
          CAPTURE(label(run));
          CAPTURE(min_weight);
          Options o;
          o.mode = mode;
          o.method = run.method;
          o.compute_precision = run.precision;
          o.boundary = rule.boundary;
          o.fill_value =
              rule.boundary == Boundary::constant && std::isfinite(rule.fill) ? 3 : rule.fill;
          o.nan_policy = NanPolicy::interpolate;
          o.min_weight = min_weight;
          float lo = lo_valid, hi = hi_valid;
          if (mode != Mode::valid &&
              (rule.boundary == Boundary::zero ||
               (rule.boundary == Boundary::constant && std::isfinite(o.fill_value)))) {
            const auto fill =
                static_cast<float>(rule.boundary == Boundary::zero ? 0 : o.fill_value);
            lo = std::min(lo, fill);
            hi = std::max(hi, fill);
          }
          const Outputs<float> out =
              call_masked(image, std::vector<unsigned char>(image.size(), 0), kernel, o);
          std::size_t outside = 0, bad_weight = 0;
          float worst = 0;
          ld sum = kernel_info(kernel).sum;
          for (std::size_t i = 0; i < out.values.size(); ++i) {
            const float v = out.values.values[i], w = out.weight.values[i];
            if (!std::isnan(v)) {
              ++checked;
              outside += !(v >= lo && v <= hi);
              if (!(v >= lo && v <= hi)) worst = v;
            }
            // the weight of a non-negative kernel lies in [0, sum(k)], rounded to float
            bad_weight += !(w >= 0 && static_cast<ld>(w) <= sum * (1 + eps<float>()));
          }
          CAPTURE(worst);
          CAPTURE(lo);
          CAPTURE(hi);
          CHECK(outside == 0);
          CHECK(bad_weight == 0);
        }
  CHECK(checked > 10000);
}

// ---- 6: no missing pixels ---------------------------------------------------------------------

TEST_CASE_TEMPLATE("missing pixels: none missing gives the plain result and full weights", T, float,
                   double) {
  // With nothing missing the weight is sum(k) everywhere, exactly; fill gives the propagate
  // result bit for bit, and interpolate that result divided by sum(k) (normalized convolution of
  // complete data: conv(I, k) / conv(1, k)). The kernel's values are multiples of 1/64 with a
  // sum of exactly 2, so the sum is exact in any type and dividing by it is exact too: the
  // interpolated result is bit for bit propagate / 2. (A negative tap keeps the non-negative
  // kernels' range clamp out of the comparison.)
  std::mt19937_64 rng(1601);
  const std::pair<Shape, Shape> cases[] = {{Shape{23}, Shape{6}},
                                           {Shape{3}, Shape{5}},
                                           {Shape{11, 9}, Shape{4, 3}},
                                           {Shape{5, 4, 6}, Shape{2, 3, 2}}};
  for (const auto& c : cases) {
    const Array<T> image = testing::uniform<T>(c.first, rng, -1, 2);
    Array<T> kernel(c.second);
    std::uniform_int_distribution<int> sixty_fourths(-16, 64);
    for (T& v : kernel.values)
      v = static_cast<T>(sixty_fourths(rng)) / T(64);
    kernel.values[1] = T(-0.25);
    kernel.values[0] = 0;
    kernel.values[0] = static_cast<T>(2 - kernel_info(kernel).sum);
    const ld sum = kernel_info(kernel).sum;
    REQUIRE(sum == 2);
    for (const Rule& rule : all_rules) {
      if (!std::isfinite(rule.fill)) continue;  // an infinite fill is missing data
      for (Mode mode : all_modes)
        for (const Run& run : runs<T>()) {
          CAPTURE(describe(c.first, c.second, type_name<T>(), ""));
          CAPTURE(label(rule));
          CAPTURE(label(mode));
          CAPTURE(label(run));
          Options o;
          o.mode = mode;
          o.method = run.method;
          o.compute_precision = run.precision;
          o.boundary = rule.boundary;
          o.fill_value = rule.fill;
          const Array<T> propagate = call_convolve(image, kernel, o);
          Array<T> halved = propagate;
          for (T& v : halved.values)
            v /= 2;
          for (NanPolicy policy : {NanPolicy::propagate, NanPolicy::interpolate, NanPolicy::fill}) {
            CAPTURE(label(policy));
            o.nan_policy = policy;
            const Array<T>& want = policy == NanPolicy::interpolate ? halved : propagate;
            const Array<T> plain = call_convolve(image, kernel, o);
            const Outputs<T> masked =
                call_masked(image, std::vector<unsigned char>(image.size(), 0), kernel, o);
            CHECK(plain.values == want.values);
            CHECK(masked.values.values == want.values);
            std::size_t not_sum = 0;
            for (T w : masked.weight.values)
              not_sum += static_cast<ld>(w) != sum;
            CHECK(not_sum == 0);
          }
        }
    }
  }
}

TEST_CASE("missing pixels: Filter applies the same policies as convolve") {
  // One Filter per policy, applied to several images with different missing pixels: bit for bit
  // what convolve gives (NaN in the same places).
  std::mt19937_64 rng(1651);
  const Shape shape{14, 11};
  const Array<double> kernel = random_kernel<double>(Shape{4, 3}, false, rng);
  for (NanPolicy policy : {NanPolicy::interpolate, NanPolicy::fill})
    for (Method method : {Method::direct, Method::fft})
      for (bool preserve : {false, true}) {
        CAPTURE(label(policy));
        CAPTURE(label(method));
        CAPTURE(preserve);
        Options o;
        o.method = method;
        o.boundary = Boundary::mirror;
        o.nan_policy = policy;
        o.preserve_nan = preserve;
        o.fill_value = 0.5;
        const fftconv::Filter<double> filter(kernel.view(), shape, fftconv::Operation::convolve, o);
        for (Scenario s : {Scenario::none, Scenario::nan_block, Scenario::infinities}) {
          const Array<double> image =
              make_problem<double>(shape, kernel.shape, s, false, rng).image_with_nan();
          Array<double> filtered(shape);
          filter.apply(image.view(), filtered.view());
          const Array<double> direct = call_convolve(image, kernel, o);
          std::size_t differ = 0;
          for (std::size_t i = 0; i < filtered.size(); ++i)
            differ += !(filtered.values[i] == direct.values[i] ||
                        (std::isnan(filtered.values[i]) && std::isnan(direct.values[i])));
          CHECK(differ == 0);
        }
      }
}

// ---- convolve_masked's outputs: no weight, aliasing the image ---------------------------------

TEST_CASE("missing pixels: an empty weight view and outputs aliasing the image") {
  std::mt19937_64 rng(1701);
  const Problem<double> p =
      make_problem<double>(Shape{12, 10}, Shape{3, 4}, Scenario::masked, false, rng);
  const std::unique_ptr<bool[]> mask(new bool[p.image.size()]);
  for (std::size_t i = 0; i < p.image.size(); ++i)
    mask[i] = p.mask[i] != 0;
  const ConstView<bool> mask_view(mask.get(), p.image.shape);
  for (NanPolicy policy : {NanPolicy::propagate, NanPolicy::interpolate, NanPolicy::fill})
    for (Method method : {Method::direct, Method::fft}) {
      CAPTURE(label(policy));
      CAPTURE(label(method));
      Options o;
      o.method = method;
      o.nan_policy = policy;
      o.fill_value = 0.25;
      const Outputs<double> both = call_masked(p.image, p.mask, p.kernel, o);
      auto same = [](const Array<double>& a, const Array<double>& b) {
        std::size_t differ = 0;
        for (std::size_t i = 0; i < a.size(); ++i)
          differ +=
              !(a.values[i] == b.values[i] || (std::isnan(a.values[i]) && std::isnan(b.values[i])));
        return differ == 0;
      };
      // no weight: the same values
      Array<double> values(p.image.shape);
      fftconv::convolve_masked(p.image.view(), mask_view, p.kernel.view(), values.view(),
                               View<double>(), o);
      CHECK(same(values, both.values));
      // values written over the image
      Array<double> in_place = p.image, weight(p.image.shape);
      fftconv::convolve_masked(ConstView<double>(in_place.view()), mask_view, p.kernel.view(),
                               in_place.view(), weight.view(), o);
      CHECK(same(in_place, both.values));
      CHECK(same(weight, both.weight));
      // the weight written over the image
      Array<double> in_place_w = p.image;
      fftconv::convolve_masked(ConstView<double>(in_place_w.view()), mask_view, p.kernel.view(),
                               values.view(), in_place_w.view(), o);
      CHECK(same(values, both.values));
      CHECK(same(in_place_w, both.weight));
    }
}

// ---- 7: the Eigen overload --------------------------------------------------------------------

namespace {

/// An Eigen matrix (any storage order) as a dense C-order array, and back.
template <class Matrix>
Array<typename Matrix::Scalar> from_eigen(const Matrix& m) {
  Array<typename Matrix::Scalar> a(
      Shape{static_cast<std::size_t>(m.rows()), static_cast<std::size_t>(m.cols())});
  for (Eigen::Index r = 0; r < m.rows(); ++r)
    for (Eigen::Index c = 0; c < m.cols(); ++c)
      a.values[static_cast<std::size_t>(r * m.cols() + c)] = m(r, c);
  return a;
}

template <class Image, class Mask>
void check_eigen_2d(std::mt19937_64& rng) {
  using T = typename Image::Scalar;
  const Eigen::Index rows = 9, cols = 7;
  Image image(rows, cols), kernel(3, 4);
  Mask mask(rows, cols);
  std::uniform_real_distribution<double> d(-1, 2);
  std::bernoulli_distribution hit(0.15);
  for (Eigen::Index r = 0; r < rows; ++r)
    for (Eigen::Index c = 0; c < cols; ++c) {
      image(r, c) = static_cast<T>(d(rng));
      mask(r, c) = hit(rng);
      if (mask(r, c)) image(r, c) = static_cast<T>(decoy);
    }
  image(4, 3) = std::numeric_limits<T>::quiet_NaN();
  image(0, 0) = std::numeric_limits<T>::infinity();
  for (Eigen::Index r = 0; r < 3; ++r)
    for (Eigen::Index c = 0; c < 4; ++c)
      kernel(r, c) = static_cast<T>(0.25 + 0.5 * d(rng) * d(rng));
  const Array<T> image_a = from_eigen(image), kernel_a = from_eigen(kernel);
  std::vector<unsigned char> mask_v(image_a.size());
  for (Eigen::Index r = 0; r < rows; ++r)
    for (Eigen::Index c = 0; c < cols; ++c)
      mask_v[static_cast<std::size_t>(r * cols + c)] = mask(r, c);
  for (Mode mode : all_modes)
    for (Method method : {Method::direct, Method::fft}) {
      CAPTURE(label(mode));
      CAPTURE(label(method));
      Options o;
      o.mode = mode;
      o.method = method;
      o.boundary = Boundary::reflect;
      o.nan_policy = NanPolicy::interpolate;
      const auto result = fftconv::convolve_masked(image, mask, kernel, o);
      // the image's kind and storage order
      static_assert(std::is_same_v<std::decay_t<decltype(result.values)>,
                                   fftconv::detail::eigen_result_t<Image>>);
      static_assert(std::is_same_v<std::decay_t<decltype(result.weight)>,
                                   fftconv::detail::eigen_result_t<Image>>);
      const Shape shape = out_shape(image_a.shape, kernel_a.shape, mode);
      REQUIRE(static_cast<std::size_t>(result.values.rows()) == shape[0]);
      REQUIRE(static_cast<std::size_t>(result.values.cols()) == shape[1]);
      REQUIRE(static_cast<std::size_t>(result.weight.rows()) == shape[0]);
      REQUIRE(static_cast<std::size_t>(result.weight.cols()) == shape[1]);
      // the same numbers as the view API on the same data, and the reference
      const Outputs<T> views = call_masked(image_a, mask_v, kernel_a, o);
      const Array<T> values = from_eigen(result.values), weight = from_eigen(result.weight);
      std::size_t differ = 0;
      for (std::size_t i = 0; i < values.size(); ++i)
        differ += !(values.values[i] == views.values.values[i] ||
                    (std::isnan(values.values[i]) && std::isnan(views.values.values[i])));
      CHECK(differ == 0);
      CHECK(weight.values == views.weight.values);
      const Sums sums = reference_sums(image_a, mask_v, kernel_a, mode, {o.boundary, 0});
      const ld F = growth(image_a.shape, kernel_a.shape);
      const Expectation e = interpolate_expectation(sums, kernel_info(kernel_a), o.min_weight, F,
                                                    roundoff<T>(Precision::native));
      std::string first;
      CAPTURE(first);
      CHECK(mismatches(values, e, first) == 0);
      CHECK(e.count(State::value) > 0);
    }
  // a mask expression (evaluated once by the adapter): NaN-free pixels above 1.5 are bad
  const auto expr = fftconv::convolve_masked(image, (image.array() > T(1.5)), kernel, Options{});
  CHECK(expr.values.rows() == rows);
}

}  // namespace

TEST_CASE("missing pixels: convolve_masked on Eigen matrices with bool masks") {
  std::mt19937_64 rng(1801);
  using ColD = Eigen::MatrixXd;
  using RowD = Eigen::Matrix<double, Eigen::Dynamic, Eigen::Dynamic, Eigen::RowMajor>;
  using ColF = Eigen::MatrixXf;
  using RowF = Eigen::Matrix<float, Eigen::Dynamic, Eigen::Dynamic, Eigen::RowMajor>;
  using ColMask = Eigen::Array<bool, Eigen::Dynamic, Eigen::Dynamic>;
  using RowMask = Eigen::Array<bool, Eigen::Dynamic, Eigen::Dynamic, Eigen::RowMajor>;
  check_eigen_2d<ColD, ColMask>(rng);
  check_eigen_2d<RowD, RowMask>(rng);
  check_eigen_2d<RowD, ColMask>(rng);  // mask and image in different orders
  check_eigen_2d<ColF, RowMask>(rng);
  check_eigen_2d<RowF, RowMask>(rng);
}

TEST_CASE("missing pixels: convolve_masked on Eigen vectors") {
  // A column vector with a mask of its own type (0 and 1), and a row vector with a bool mask:
  // 1-D signals, against the reference.
  Eigen::VectorXf signal(25), kernel(4);
  Eigen::VectorXf mask = Eigen::VectorXf::Zero(25);
  for (Eigen::Index i = 0; i < 25; ++i)
    signal(i) = static_cast<float>(std::sin(0.7 * static_cast<double>(i)) + 1.5);
  signal(3) = std::numeric_limits<float>::quiet_NaN();
  for (Eigen::Index i = 10; i < 16; ++i) {
    mask(i) = 1;
    signal(i) = static_cast<float>(decoy);
  }
  kernel << 0.5f, 1.0f, 2.0f, 0.25f;
  Array<float> signal_a(Shape{25}), kernel_a(Shape{4});
  std::vector<unsigned char> mask_v(25);
  for (std::size_t i = 0; i < 25; ++i) {
    signal_a.values[i] = signal(static_cast<Eigen::Index>(i));
    mask_v[i] = mask(static_cast<Eigen::Index>(i)) != 0;
  }
  for (std::size_t i = 0; i < 4; ++i)
    kernel_a.values[i] = kernel(static_cast<Eigen::Index>(i));
  for (Mode mode : all_modes) {
    CAPTURE(label(mode));
    Options o;
    o.mode = mode;
    o.method = Method::direct;
    o.nan_policy = NanPolicy::interpolate;
    o.min_weight = 0.4;
    const auto result = fftconv::convolve_masked(signal, mask, kernel, o);
    static_assert(std::is_same_v<std::decay_t<decltype(result.values)>, Eigen::VectorXf>);
    const Sums sums = reference_sums(signal_a, mask_v, kernel_a, mode, {Boundary::zero, 0});
    REQUIRE(static_cast<std::size_t>(result.values.size()) == sums.num.size());
    REQUIRE(static_cast<std::size_t>(result.weight.size()) == sums.num.size());
    Array<float> values(sums.shape), weight(sums.shape);
    for (std::size_t i = 0; i < sums.num.size(); ++i) {
      values.values[i] = result.values(static_cast<Eigen::Index>(i));
      weight.values[i] = result.weight(static_cast<Eigen::Index>(i));
    }
    const ld F = growth(signal_a.shape, kernel_a.shape);
    const Roundoff u = roundoff<float>(Precision::native);
    const Expectation e = interpolate_expectation(sums, kernel_info(kernel_a), 0.4, F, u);
    std::string first;
    CAPTURE(first);
    CHECK(mismatches(values, e, first) == 0);
    CHECK(e.count(State::nan) > 0);
    for (std::size_t i = 0; i < sums.den.size(); ++i)
      CHECK(std::fabs(static_cast<ld>(weight.values[i]) - sums.den[i]) <= F * u.computed * 3.75L);

    // the same signal as a row vector of double with a bool mask
    const Eigen::RowVectorXd row = signal.cast<double>().transpose();
    const Eigen::Array<bool, 1, Eigen::Dynamic> row_mask = mask.transpose().array() != 0.0f;
    const Eigen::RowVectorXd row_kernel = kernel.cast<double>().transpose();
    const auto r = fftconv::convolve_masked(row, row_mask, row_kernel, o);
    static_assert(std::is_same_v<std::decay_t<decltype(r.values)>, Eigen::RowVectorXd>);
    REQUIRE(static_cast<std::size_t>(r.values.size()) == sums.num.size());
    Array<double> row_values(sums.shape);
    for (std::size_t i = 0; i < sums.num.size(); ++i)
      row_values.values[i] = r.values(static_cast<Eigen::Index>(i));
    const Expectation ed = interpolate_expectation(sums, kernel_info(kernel_a), 0.4, F,
                                                   roundoff<double>(Precision::native));
    CHECK(mismatches(row_values, ed, first) == 0);
  }
}

// ---- 8: astropy's normalized convolution ------------------------------------------------------

TEST_CASE("missing pixels: interpolate agrees with astropy convolve_fft") {
  // The expected values were produced by astropy 5.2.1 (Debian python3-astropy) with
  //   img[r, c] = (3 r + 5 c) % 7 + 0.25 r - 0.125 c (7 x 8), NaN at the pixels below,
  //   ker = [[1, 2, 0.5], [3, 4, 1], [0.25, 1.5, 2]],
  //   astropy.convolution.convolve_fft(img, ker, boundary='fill', fill_value=0,
  //                                    nan_treatment='interpolate', normalize_kernel=True)
  //   and the same with boundary='wrap' (min_wt left at its default 0),
  // printed with repr (17 significant digits). astropy pads 'fill' with fill_value at weight 1,
  // as Boundary::zero does, and its 'wrap' is circular convolution over the image, as
  // Boundary::wrap in same mode. No window here is all NaN (astropy would give 0 there).
  const double astropy_fill[7][8] = {
      {1.9777777777777774, 2.640350877192983, 2.241803278688525, 2.2459016393442623,
       2.4795081967213117, 1.7950819672131149, 1.1106557377049182, 0.3114754098360661},
      {2.5431818181818184, 3.622641509433962, 4.032894736842105, 2.913265306122449,
       1.8014705882352944, 2.4830508474576263, 2.735655737704918, 1.758196721311476},
      {3.3053278688524586, 3.184426229508198, 3.280555555555556, 3.9200000000000017,
       2.8237179487179485, 2.4342105263157885, 2.772540983606557, 2.725409836065574},
      {2.082547169811321, 3.483050847457627, 3.901041666666667, 3.4078947368421044,
       3.607558139534884, 3.735849056603773, 2.8094262295081975, 2.086065573770492},
      {2.447222222222221, 3.434210526315789, 3.7791666666666655, 4.513636363636365,
       3.299528301886793, 2.7412280701754375, 3.1438679245283008, 2.3262711864406787},
      {3.3249999999999997, 4.735849056603772, 3.809426229508196, 3.2909836065573765,
       3.6905737704918034, 3.9489795918367325, 2.984756097560975, 1.3928571428571435},
      {2.444672131147541, 2.569672131147542, 3.2274590163934427, 3.4262295081967213,
       2.3627049180327866, 2.7791666666666663, 3.76453488372093, 0.9527027027027035},
  };
  const double astropy_wrap[7][8] = {
      {3.422297297297298, 3.7894736842105257, 2.9077868852459026, 3.0778688524590163,
       3.706967213114753, 2.6147540983606556, 2.0541666666666663, 2.1279069767441854},
      {2.793181818181819, 3.622641509433962, 4.032894736842104, 2.9132653061224487,
       1.8014705882352942, 2.4830508474576267, 2.735655737704918, 2.870833333333333},
      {4.047131147540984, 3.184426229508196, 3.280555555555556, 3.9199999999999986,
       2.823717948717949, 2.434210526315789, 2.7725409836065578, 4.237704918032786},
      {3.2665094339622645, 3.4830508474576276, 3.9010416666666665, 3.4078947368421044,
       3.6075581395348837, 3.735849056603773, 2.8094262295081975, 2.9254385964912277},
      {3.2972222222222225, 3.434210526315789, 3.779166666666667, 4.513636363636364,
       3.299528301886792, 2.7412280701754383, 3.1438679245283034, 3.170212765957446},
      {4.327830188679246, 4.735849056603774, 3.809426229508197, 3.290983606557377,
       3.6905737704918034, 3.9489795918367343, 2.9847560975609757, 2.4427083333333326},
      {3.630102040816327, 3.5042372881355934, 3.788934426229509, 3.959016393442623,
       3.3258196721311477, 3.495833333333333, 4.072674418604651, 3.0},
  };
  Array<double> image(Shape{7, 8}), kernel(Shape{3, 3});
  for (std::size_t r = 0; r < 7; ++r)
    for (std::size_t c = 0; c < 8; ++c)
      image.values[r * 8 + c] = static_cast<double>((3 * r + 5 * c) % 7) +
                                0.25 * static_cast<double>(r) - 0.125 * static_cast<double>(c);
  const std::pair<std::size_t, std::size_t> nans[] = {{0, 0}, {2, 3}, {2, 4}, {3, 3},
                                                      {6, 7}, {4, 0}, {5, 6}};
  for (const auto& n : nans)
    image.values[n.first * 8 + n.second] = std::nan("");
  kernel.values = {1, 2, 0.5, 3, 4, 1, 0.25, 1.5, 2};
  // astropy computes in double with FFTs of (10..12) x (11..12) points on values below 5, and
  // so do we (or the direct sum): each side errs by at most about u log2(N) 5 (N < 256), so
  // they differ by at most 2 u log2(256) 5 = 1.8e-14. (Measured: 2.7e-15 on the fft method,
  // the same order as astropy's own distance from the exact values.)
  const double u = std::numeric_limits<double>::epsilon();
  const double tol = 2 * u * std::log2(256.0) * 5;
  double worst = 0, astropy_exact = 0, ours_exact = 0;
  for (const Boundary boundary : {Boundary::zero, Boundary::wrap}) {
    CAPTURE(label(boundary));
    const auto& expected = boundary == Boundary::zero ? astropy_fill : astropy_wrap;
    // astropy against the exact values of our reference (normalizing the kernel does not change
    // the ratio)
    const Sums sums = reference_sums(image, {}, kernel, Mode::same, {boundary, 0});
    for (std::size_t i = 0; i < 56; ++i) {
      const ld exact = sums.num[i] / sums.den[i];
      astropy_exact =
          std::max(astropy_exact, static_cast<double>(std::fabs(exact - expected[i / 8][i % 8])));
    }
    for (Method method : {Method::direct, Method::fft}) {
      CAPTURE(label(method));
      Options o;
      o.method = method;
      o.boundary = boundary;
      o.nan_policy = NanPolicy::interpolate;
      o.normalize_kernel = true;
      o.min_weight = 0;
      const Outputs<double> out = call_masked(image, std::vector<unsigned char>(56, 0), kernel, o);
      const Array<double> plain = call_convolve(image, kernel, o);
      double diff = 0;
      for (std::size_t i = 0; i < 56; ++i) {
        diff = std::max(diff, std::fabs(out.values.values[i] - expected[i / 8][i % 8]));
        diff = std::max(diff, std::fabs(plain.values[i] - expected[i / 8][i % 8]));
        const ld exact = sums.num[i] / sums.den[i];
        ours_exact =
            std::max(ours_exact, static_cast<double>(std::fabs(out.values.values[i] - exact)));
      }
      CAPTURE(diff);
      CHECK(diff <= tol);
      worst = std::max(worst, diff);
    }
  }
  CHECK(astropy_exact <= tol / 2);
  CHECK(ours_exact <= tol / 2);
  MESSAGE("largest difference from astropy: " << worst << " (astropy from exact: " << astropy_exact
                                              << ", ours: " << ours_exact << ")");
}

TEST_CASE_TEMPLATE("missing pixels: min_weight 1 keeps every fully covered output on every method",
                   T, float, double) {
  // A random 64 x 64 image with a few NaN and inf pixels and a 7 x 5 positive kernel normalized
  // to sum 1 (so the weight's noise is not lost in its last place): on the fft method a fully
  // covered output's computed weight is 1 minus transform noise, which must still pass
  // min_weight = 1 (the comparison allows for the weight's rounding).
  std::mt19937_64 rng(17);
  Array<T> image = testing::uniform<T>(Shape{64, 64}, rng, 0, 1);
  const Array<T> kernel = testing::uniform<T>(Shape{7, 5}, rng, 0.1, 1);
  for (std::size_t i = 0; i < 12; ++i)
    image.values[rng() % image.size()] = std::numeric_limits<T>::quiet_NaN();
  for (std::size_t i = 0; i < 12; ++i)
    image.values[rng() % image.size()] = std::numeric_limits<T>::infinity();
  for (std::size_t r = 30; r < 50; ++r)    // and a 20 x 20 block: enough missing mass for the
    for (std::size_t c = 10; c < 30; ++c)  // transform noise to reach the weight's last place
      image.values[r * 64 + c] = std::numeric_limits<T>::quiet_NaN();
  // Output (r, c) is fully covered when no missing pixel lies under the kernel (rows r-3..r+3,
  // columns c-2..c+2, extended by the rule; zero: outside pixels are data).
  for (fftconv::Boundary boundary :
       {fftconv::Boundary::zero, fftconv::Boundary::reflect, fftconv::Boundary::wrap}) {
    const auto extended = [&](long long i) -> long long {
      if (boundary == fftconv::Boundary::reflect) return i < 0 ? -i - 1 : i >= 64 ? 127 - i : i;
      if (boundary == fftconv::Boundary::wrap) return (i + 64) % 64;
      return i < 0 || i >= 64 ? -1 : i;
    };
    for (Method method : {Method::direct, Method::fft}) {
      CAPTURE(static_cast<int>(boundary));
      CAPTURE(static_cast<int>(method));
      Options o;
      o.nan_policy = NanPolicy::interpolate;
      o.min_weight = 1;
      o.normalize_kernel = true;
      o.method = method;
      o.boundary = boundary;
      Array<T> out(Shape{64, 64});
      fftconv::convolve(image.view(), kernel.view(), out.view(), o);
      std::size_t full = 0, kept = 0;
      for (long long r = 0; r < 64; ++r)
        for (long long c = 0; c < 64; ++c) {
          bool covered = true;
          for (long long a = r - 3; a <= r + 3; ++a)
            for (long long b = c - 2; b <= c + 2; ++b) {
              const long long y = extended(a), x = extended(b);
              covered =
                  covered && (y < 0 || x < 0 ||
                              std::isfinite(image.values[static_cast<std::size_t>(y * 64 + x)]));
            }
          const bool finite = std::isfinite(out.values[static_cast<std::size_t>(r * 64 + c)]);
          CHECK(finite == covered);
          full += covered;
          kept += finite;
        }
      CHECK(full > 600);  // (the case is not vacuous)
      CHECK(kept == full);
    }
  }
}

TEST_CASE("missing pixels: mask values are checked even when the output is empty") {
  std::vector<double> image(4, 1.0), kernel(6, 1.0), mask{0, 0.5, 0, 0};
  std::vector<double> none;
  Options o;
  o.mode = fftconv::Mode::valid;  // a kernel longer than the image: no output
  CHECK_THROWS_WITH_AS(fftconv::convolve_masked(ConstView<double>(image.data(), {4}),
                                                ConstView<double>(mask.data(), {4}),
                                                ConstView<double>(kernel.data(), {6}),
                                                View<double>(none.data(), {0}), View<double>(), o),
                       doctest::Contains("mask value 0.5 at element 1"), fftconv::Error);
}
