// Accuracy as a feature (accuracy.hpp): the reference against exact integer arithmetic, compare
// on hand-made errors, error_bound on thousands of random and adversarial cases, double-precision
// compute and the non-negative clamp.
#include <doctest/doctest.h>

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <limits>
#include <random>
#include <string>
#include <type_traits>
#include <vector>

#include "fftconv/fftconv.hpp"
#include "reference.hpp"
#include "test_data.hpp"

using fftconv::Boundary;
using fftconv::ConstView;
using fftconv::Guarantee;
using fftconv::Method;
using fftconv::Mode;
using fftconv::Operation;
using fftconv::Options;
using fftconv::Precision;
using fftconv::Shape;
using fftconv::View;
using testing::Array;

namespace {

// 128-bit integers hold every exact sum below (GCC/Clang extension).
__extension__ typedef __int128 Int;
__extension__ typedef unsigned __int128 UInt;

/// x rounded to the nearest T (ties to even), computed exactly from the integer.
template <class T>
T round_integer(Int x) {
  const bool negative = x < 0;
  const auto ax = static_cast<UInt>(negative ? -x : x);
  constexpr int digits = std::numeric_limits<T>::digits;
  int shift = 0;
  while ((ax >> shift) >> digits != 0)  // keep `digits` significant bits
    ++shift;
  UInt q = ax >> shift;
  if (shift > 0) {
    const UInt r = ax - (q << shift);
    const UInt half = static_cast<UInt>(1) << (shift - 1);
    if (r > half || (r == half && (q & 1))) ++q;
  }
  const T v = std::ldexp(static_cast<T>(static_cast<std::uint64_t>(q)), shift);
  return negative ? -v : v;
}

template <class T>
Array<double> to_double(const Array<T>& a) {
  Array<double> d(a.shape);
  for (std::size_t i = 0; i < a.size(); ++i)
    d.values[i] = static_cast<double>(a.values[i]);
  return d;
}

/// The exact result with integer arithmetic, from the definition (independent of the library
/// and of reference.hpp's long double), then rounded once to T.
template <class T>
Array<T> exact_integer_result(const Array<T>& image, const Array<T>& kernel, Mode mode,
                              bool correlate, Boundary rule, double fill) {
  const Shape out_shape = testing::reference_shape<T>(image.shape, kernel.shape, mode);
  Array<T> out(out_shape);
  for (std::size_t o = 0; o < out.size(); ++o) {
    const auto oi = testing::unravel(o, out_shape);
    Int sum = 0;
    for (std::size_t m = 0; m < kernel.size(); ++m) {
      std::array<std::size_t, 3> ii{};
      const bool inside = testing::tap_source(image.shape, kernel.shape, mode, correlate, oi,
                                              testing::unravel(m, kernel.shape), rule, ii);
      const Int value = inside ? static_cast<Int>(image.values[image.index(ii)])
                               : static_cast<Int>(rule == Boundary::constant ? fill : 0);
      sum += value * static_cast<Int>(kernel.values[m]);
    }
    out.values[o] = round_integer<T>(sum);
  }
  return out;
}

template <class T>
Array<T> random_integers(const Shape& shape, std::mt19937_64& rng, std::int64_t limit) {
  std::uniform_int_distribution<std::int64_t> d(-limit, limit);
  Array<T> a(shape);
  for (T& v : a.values)
    v = static_cast<T>(d(rng));
  return a;
}

template <class T>
Array<T> call_reference(const Array<T>& image, const Array<T>& kernel, const Options& o,
                        bool correlate) {
  Array<T> out(fftconv::output_shape(image.shape, kernel.shape, o.mode));
  if (correlate)
    fftconv::reference_correlate(image.view(), kernel.view(), out.view(), o);
  else
    fftconv::reference_convolve(image.view(), kernel.view(), out.view(), o);
  return out;
}

template <class T>
Array<T> call_library(const Array<T>& image, const Array<T>& kernel, const Options& o,
                      bool correlate) {
  Array<T> out(fftconv::output_shape(image.shape, kernel.shape, o.mode));
  if (correlate)
    fftconv::correlate(image.view(), kernel.view(), out.view(), o);
  else
    fftconv::convolve(image.view(), kernel.view(), out.view(), o);
  return out;
}

Shape random_shape(std::mt19937_64& rng, int rank, std::size_t max_extent) {
  std::uniform_int_distribution<std::size_t> d(1, max_extent);
  Shape s;
  for (int a = 0; a < rank; ++a)
    s.push_back(d(rng));
  return s;
}

constexpr Boundary all_rules[] = {Boundary::zero,   Boundary::constant, Boundary::reflect,
                                  Boundary::mirror, Boundary::nearest,  Boundary::wrap};
constexpr Mode all_modes[] = {Mode::full, Mode::same, Mode::valid};

}  // namespace

TEST_CASE_TEMPLATE("the reference is the exactly rounded result on integer data", T, float,
                   double) {
  std::mt19937_64 rng(11);
  // Products up to 2^(2b) and sums of up to 6^3 of them: beyond T's mantissa (so the rounding
  // is exercised, ties included by luck of the draw) but exact in 128-bit integers.
  const std::int64_t limit = std::is_same_v<T, float> ? (1 << 20) : (std::int64_t{1} << 30);
  int cases = 0;
  for (int rank = 1; rank <= 3; ++rank)
    for (Mode mode : all_modes)
      for (Boundary rule : all_rules)
        for (bool correlate : {false, true}) {
          const Array<T> image =
              random_integers<T>(random_shape(rng, rank, rank == 3 ? 5 : 9), rng, limit);
          const Array<T> kernel =
              random_integers<T>(random_shape(rng, rank, rank == 3 ? 4 : 6), rng, limit);
          Options o;
          o.mode = mode;
          o.boundary = rule;
          o.fill_value = 3;
          const Array<T> ref = call_reference(image, kernel, o, correlate);
          const Array<T> exact = exact_integer_result(image, kernel, mode, correlate, rule, 3);
          CAPTURE(rank);
          CAPTURE(static_cast<int>(mode));
          CAPTURE(static_cast<int>(rule));
          CAPTURE(correlate);
          CHECK(ref.values == exact.values);
          ++cases;
        }
  CHECK(cases == 108);
}

TEST_CASE("the reference rounds double-double sums to float correctly at a tie") {
  // 2^24 + 1 is halfway between the floats 2^24 and 2^24 + 2: exactly it rounds to even (2^24);
  // a tiny positive remainder (the third term) must move it up, a negative one keep it down.
  const double tiny = std::ldexp(1.0, -30);
  for (double third : {0.0, tiny, -tiny}) {
    const float image[3] = {16777216.0f, 1.0f, static_cast<float>(third)};
    const float kernel[1] = {1.0f};
    const Array<float> sums = [&] {
      // One output: a valid-mode correlation of a 3-long kernel of ones with the 3 values.
      Array<float> i(Shape{3});
      i.values = {image[0], image[1], image[2]};
      Array<float> k(Shape{3});
      k.values = {kernel[0], kernel[0], kernel[0]};
      Options o;
      o.mode = Mode::valid;
      return call_reference(i, k, o, true);
    }();
    const float want = third > 0 ? 16777218.0f : 16777216.0f;
    CAPTURE(third);
    CHECK(sums.values[0] == want);
  }
}

TEST_CASE("reference_correlate is reference_convolve with the kernel flipped") {
  std::mt19937_64 rng(3);
  for (int rank = 1; rank <= 3; ++rank) {
    const Array<double> image = testing::normal<double>(random_shape(rng, rank, 7), rng);
    const Array<double> kernel = testing::normal<double>(random_shape(rng, rank, 4), rng);
    const Array<double> flipped = testing::flip(kernel);
    for (Boundary rule : all_rules) {
      Options o;
      o.boundary = rule;
      CHECK(call_reference(image, kernel, o, true).values ==
            call_reference(image, flipped, o, false).values);
    }
  }
}

TEST_CASE("compare on hand-made errors") {
  const double u = std::ldexp(1.0, -52);  // one ulp of 1 in double
  Array<double> reference(Shape{2, 3}), result(Shape{2, 3});
  reference.values = {1, 2, 0, -4, 8, 0.5};
  result.values = {1, 2 + 2 * u, 0, -4 - 16 * u, 8, 0.5 + 0.5 * u};
  fftconv::ErrorStats s = fftconv::compare(result.view(), reference.view());
  CHECK(s.count == 6);
  CHECK(s.max_abs == 16 * u);
  CHECK(s.max_rel == 16 * u / 8);
  CHECK(s.rms == doctest::Approx(std::sqrt((4 + 256 + 0.25) * u * u / 6)).epsilon(1e-12));
  CHECK(s.max_ulp == 4);       // -4 - 16u: 16u / ulp(4) = 16u / 4u
  CHECK(s.median_ulp == 0.5);  // ulps {0, 1, 0, 4, 0, 1}: the middle two are 0 and 1
  CHECK(s.worst_position == Shape{1, 0});
  CHECK(s.count_over == 3);  // rel_tol 0: every pixel with an error
  // Own relative errors: 2u/2 = u, 16u/4 = 4u, 0.5u/0.5 = u: only -4 exceeds 2u.
  CHECK(fftconv::compare(result.view(), reference.view(), 2 * u).count_over == 1);

  // A float result against a double reference: ulps of float.
  Array<float> f(Shape{3});
  Array<double> d(Shape{3});
  d.values = {1.0, 1.0 + 1e-9, 3.0};
  f.values = {1.0f, 1.0f, std::nextafter(3.0f, 4.0f)};
  s = fftconv::compare(f.view(), d.view());
  CHECK(s.max_abs == doctest::Approx(std::ldexp(1.0, -22)));
  CHECK(s.max_ulp == 1);
  CHECK(s.worst_position == Shape{2});

  // Non-finite values: equal ones are no error, a lone NaN or Inf is an infinite one.
  Array<double> a(Shape{4}), b(Shape{4});
  const double nan = std::numeric_limits<double>::quiet_NaN(),
               inf = std::numeric_limits<double>::infinity();
  a.values = {nan, inf, 1, 0};
  b.values = {nan, inf, 1, 0};
  CHECK(fftconv::compare(a.view(), b.view()).max_abs == 0);
  b.values[3] = nan;
  s = fftconv::compare(a.view(), b.view());
  CHECK(s.max_abs == inf);
  CHECK(s.worst_position == Shape{3});

  // An all-zero reference: max_rel is infinite for a non-zero error, 0 for none.
  Array<double> zeros(Shape{2}), small(Shape{2});
  zeros.values = {0, 0};
  small.values = {0, 1e-300};
  CHECK(fftconv::compare(zeros.view(), zeros.view()).max_rel == 0);
  CHECK(fftconv::compare(small.view(), zeros.view()).max_rel == inf);

  // Shapes must agree; rel_tol must be >= 0.
  CHECK_THROWS_WITH_AS(fftconv::compare(a.view(), reference.view()),
                       doctest::Contains("result has shape 4, reference 2x3"), fftconv::Error);
  CHECK_THROWS_WITH_AS(fftconv::compare(a.view(), b.view(), -1), doctest::Contains("rel_tol is -1"),
                       fftconv::Error);

  // Eigen overload, different layouts of one matrix.
  Eigen::MatrixXd m = Eigen::MatrixXd::Random(4, 5);
  Eigen::Matrix<double, -1, -1, Eigen::RowMajor> r = m;
  r(2, 3) += 1e-3;
  s = fftconv::compare(r, m);
  CHECK(s.max_abs == doctest::Approx(1e-3));
  CHECK(s.worst_position == Shape{2, 3});
}

namespace {

/// How the bound tests went: the largest error/bound seen (must stay <= 1), and bound/error per
/// method (the tightness), for one guarantee.
struct Tally {
  double worst_fraction = 0;
  std::vector<double> ratios[2];  // bound/error: [0] direct, [1] fft (error > 0 only)
  int cases = 0;

  std::string summary() const {
    std::string s = "largest error/bound " + std::to_string(worst_fraction);
    const Method methods[2] = {Method::direct, Method::fft};
    for (int m = 0; m < 2; ++m) {
      std::vector<double> r = ratios[m];
      if (r.empty()) continue;
      std::sort(r.begin(), r.end());
      s += std::string("; ") + fftconv::to_string(methods[m]) + " largest error/bound " +
           std::to_string(1 / r.front()) + ", bound/error min " + std::to_string(r.front()) +
           ", median " + std::to_string(r[r.size() / 2]) + ", 90% " +
           std::to_string(r[r.size() * 9 / 10]) + ", max " + std::to_string(r.back());
    }
    return s;
  }
};

template <class T>
void check_bound(const Array<T>& image, const Array<T>& kernel, const Options& o, bool correlate,
                 Tally& worst_case, Tally& probable) {
  const Array<T> got = call_library(image, kernel, o, correlate);
  const Array<double> ref = call_reference(to_double(image), to_double(kernel), o, correlate);
  const fftconv::ErrorStats s = fftconv::compare(got.view(), ref.view());
  const Operation op = correlate ? Operation::correlate : Operation::convolve;
  const double wc = fftconv::error_bound(image.view(), kernel.view(), o, op);
  const double pb =
      fftconv::error_bound(image.view(), kernel.view(), o, op, Guarantee::probabilistic);
  CHECK(s.max_abs <= wc);
  CHECK(s.max_abs <= pb);
  CHECK(pb <= wc);
  const int method =
      fftconv::Filter<T>(kernel.view(), image.shape, op, o).method() == Method::fft ? 1 : 0;
  for (auto [tally, bound] : {std::pair<Tally*, double>{&worst_case, wc}, {&probable, pb}}) {
    ++tally->cases;
    if (bound > 0) tally->worst_fraction = std::max(tally->worst_fraction, s.max_abs / bound);
    if (s.max_abs > 0) tally->ratios[method].push_back(bound / s.max_abs);
  }
}

}  // namespace

TEST_CASE_TEMPLATE("error_bound holds on thousands of random cases", T, float, double) {
  std::mt19937_64 rng(2026);
  Tally worst_case, probable;
  std::uniform_int_distribution<int> pick(0, 1 << 20);
  for (int c = 0; c < 1200; ++c) {
    const int rank = 1 + pick(rng) % 3;
    const std::size_t max_extent = rank == 1 ? 200 : rank == 2 ? 40 : 12;
    const Array<T> image = testing::normal<T>(random_shape(rng, rank, max_extent), rng);
    const Array<T> kernel = testing::normal<T>(random_shape(rng, rank, max_extent / 3 + 1), rng);
    Options o;
    o.mode = all_modes[pick(rng) % 3];
    o.boundary = all_rules[pick(rng) % 6];
    o.fill_value = (pick(rng) % 5) - 2.0;
    o.method = std::array<Method, 4>{Method::automatic, Method::direct, Method::fft,
                                     Method::overlap_save}[static_cast<std::size_t>(pick(rng) % 4)];
    o.compute_precision = pick(rng) % 4 == 0 ? Precision::double_precision : Precision::native;
    CAPTURE(c);
    check_bound(image, kernel, o, pick(rng) % 2 == 1, worst_case, probable);
  }
  MESSAGE("worst case, ", worst_case.cases, " cases: ", worst_case.summary());
  MESSAGE("probabilistic: ", probable.summary());
  CHECK(worst_case.cases == 1200);
}

TEST_CASE_TEMPLATE("error_bound holds for separable kernels of 1 to 3 terms", T, float, double) {
  std::mt19937_64 rng(2027);
  Tally worst_case, probable;
  std::uniform_int_distribution<int> pick(0, 1 << 20);
  std::normal_distribution<double> g;
  for (int c = 0; c < 300; ++c) {
    const int rank = 2 + pick(rng) % 2;
    const std::size_t max_extent = rank == 2 ? 60 : 12;
    const Array<T> image = testing::normal<T>(random_shape(rng, rank, max_extent), rng);
    // column factor over the leading axes times row factor along the last: rounded products
    Shape shape = random_shape(rng, rank, max_extent / 2 + 1);
    for (int a = 0; a < rank; ++a)
      shape[a] = std::max<std::size_t>(shape[a], 2);
    const std::size_t width = shape[rank - 1], rows = fftconv::element_count(shape) / width;
    // 1 to 3 terms, where the shape allows them (r (rows + width) < rows x width)
    const std::size_t terms = std::max<std::size_t>(
        1,
        std::min(static_cast<std::size_t>(1 + pick(rng) % 3), (rows * width - 1) / (rows + width)));
    std::vector<double> sum(rows * width, 0.0);
    for (std::size_t t = 0; t < terms; ++t) {
      std::vector<double> column(rows), row(width);
      for (double& v : column)
        v = g(rng);
      for (double& v : row)
        v = g(rng);
      for (std::size_t i = 0; i < rows * width; ++i)
        sum[i] += column[i / width] * row[i % width];
    }
    Array<T> kernel(shape);
    for (std::size_t i = 0; i < rows * width; ++i)
      kernel.values[i] = static_cast<T>(sum[i]);
    Options o;
    o.mode = all_modes[pick(rng) % 3];
    o.boundary = all_rules[pick(rng) % 6];
    o.compute_precision = pick(rng) % 4 == 0 ? Precision::double_precision : Precision::native;
    // Separable to the precision computed in: float products are not separable to double's, so
    // float data computed in double takes automatic's choice (direct or fft) instead.
    const bool float_in_double =
        std::is_same_v<T, float> && o.compute_precision == Precision::double_precision;
    o.method = float_in_double ? Method::automatic : Method::separable;
    CAPTURE(c);
    check_bound(image, kernel, o, pick(rng) % 2 == 1, worst_case, probable);
  }
  MESSAGE("worst case: ", worst_case.summary());
  CHECK(worst_case.cases == 300);
}

// Subnormal data: every rounding of the passes errs by up to half the smallest subnormal,
// absolute, and the pass across the rows multiplies the first pass's by the column factors (here
// about 100: kernel values about 1e4).
TEST_CASE_TEMPLATE("error_bound holds for separable kernels on subnormal data", T, float, double) {
  std::mt19937_64 rng(5);
  std::uniform_real_distribution<double> u(0.5, 1.5);
  const std::size_t k = 7;
  Tally worst_case, probable;
  for (std::size_t terms : {std::size_t{1}, std::size_t{2}}) {
    std::vector<double> sum(k * k, 0.0);
    for (std::size_t t = 0; t < terms; ++t) {
      std::vector<double> column(k), row(k);
      for (double& v : column)
        v = u(rng) * 100;
      for (double& v : row)
        v = u(rng) * (t == 0 ? 100 : -70);
      for (std::size_t i = 0; i < k * k; ++i)
        sum[i] += column[i / k] * row[i % k];
    }
    Array<T> kernel(Shape{k, k});
    for (std::size_t i = 0; i < k * k; ++i)
      kernel.values[i] = static_cast<T>(sum[i]);
    Array<T> image(Shape{40, 40});
    for (T& v : image.values)
      v = static_cast<T>(1 + rng() % 100) * std::numeric_limits<T>::denorm_min();
    Options o;
    o.method = Method::separable;
    CAPTURE(terms);
    check_bound(image, kernel, o, false, worst_case, probable);
  }
  CHECK(worst_case.cases == 2);
}

TEST_CASE_TEMPLATE("error_bound holds on adversarial data", T, float, double) {
  std::mt19937_64 rng(7);
  Tally worst_case, probable;
  const std::size_t n = 48, k = 15;
  std::vector<std::pair<const char*, Array<T>>> images;
  Array<T> spike(Shape{n, n});  // one huge pixel among tiny ones
  for (T& v : spike.values)
    v = static_cast<T>(1e-8);
  spike.values[n * n / 2 + 7] = static_cast<T>(1e8);
  images.emplace_back("spike", spike);
  Array<T> checker(Shape{n, n});  // alternating signs: all energy at the Nyquist frequency
  for (std::size_t i = 0; i < n * n; ++i)
    checker.values[i] = ((i / n + i % n) % 2) ? T(1) : T(-1);
  images.emplace_back("checkerboard", checker);
  Array<T> constant(Shape{n, n});
  for (T& v : constant.values)
    v = T(3.5);
  images.emplace_back("constant", constant);
  Array<T> stars(Shape{n, n});  // sky 1, stars up to 1e6
  for (T& v : stars.values)
    v = T(1);
  std::uniform_int_distribution<std::size_t> where(0, n * n - 1);
  for (int s = 0; s < 12; ++s)
    stars.values[where(rng)] = static_cast<T>(std::pow(10.0, s % 7));
  images.emplace_back("stars", stars);

  std::vector<std::pair<const char*, Array<T>>> kernels;
  Array<T> gaussian(Shape{k, k});
  for (std::size_t i = 0; i < k * k; ++i) {
    const double y = double(i / k) - 7, x = double(i % k) - 7;
    gaussian.values[i] = static_cast<T>(std::exp(-(x * x + y * y) / 8));
  }
  kernels.emplace_back("gaussian", gaussian);
  Array<T> wide(Shape{k, k});  // huge dynamic range and both signs
  for (std::size_t i = 0; i < k * k; ++i)
    wide.values[i] = static_cast<T>((i % 2 ? -1 : 1) * std::pow(10.0, double(i % 9) - 4));
  kernels.emplace_back("wide range", wide);
  Array<T> one_tap(Shape{k, k});
  one_tap.values[3] = T(1);
  kernels.emplace_back("one tap", one_tap);

  for (const auto& named_image : images)
    for (const auto& named_kernel : kernels)
      for (Method method : {Method::direct, Method::fft})
        for (Precision precision : {Precision::native, Precision::double_precision})
          for (Boundary rule : {Boundary::zero, Boundary::reflect, Boundary::wrap}) {
            Options o;
            o.method = method;
            o.compute_precision = precision;
            o.boundary = rule;
            const char* iname = named_image.first;  // (no structured binding: CAPTURE is a lambda)
            const char* kname = named_kernel.first;
            CAPTURE(iname);
            CAPTURE(kname);
            CAPTURE(static_cast<int>(method));
            check_bound(named_image.second, named_kernel.second, o, false, worst_case, probable);
          }
  MESSAGE("adversarial, worst case: ", worst_case.summary());
  MESSAGE("adversarial, probabilistic: ", probable.summary());
}

TEST_CASE("error_bound: the direct bound is gamma(m) S, non-finite data and empty results") {
  // One output: valid mode, image = kernel size. S = sum |terms|; m = 3 taps + 1 row.
  Array<double> image(Shape{1, 3}), kernel(Shape{1, 3});
  image.values = {1, -2, 3};
  kernel.values = {4, 5, -6};
  Options o;
  o.mode = Mode::valid;
  o.method = Method::direct;
  const double u = std::ldexp(1.0, -53), m = 4;
  const double S = 6 * 1 + 5 * 2 + 4 * 3;  // convolution flips the kernel
  CHECK(fftconv::error_bound(image.view(), kernel.view(), o) ==
        doctest::Approx(m * u / (1 - m * u) * S).epsilon(1e-12));
  image.values[1] = std::numeric_limits<double>::quiet_NaN();
  CHECK(fftconv::error_bound(image.view(), kernel.view(), o) ==
        std::numeric_limits<double>::infinity());
  Array<double> big(Shape{1, 5});
  CHECK(fftconv::error_bound(image.view(), big.view(), o) == 0);  // valid result is empty
  CHECK_THROWS_AS(fftconv::error_bound(image.view(), kernel.view(), o, static_cast<Operation>(7)),
                  fftconv::Error);
  o.compute_precision = static_cast<Precision>(9);
  CHECK_THROWS_WITH_AS(fftconv::error_bound(image.view(), kernel.view(), o),
                       doctest::Contains("options.compute_precision has unknown value 9"),
                       fftconv::Error);
}

TEST_CASE("double_precision compute brings float FFT results to the float rounding of the output") {
  std::mt19937_64 rng(5);
  const Array<float> image = testing::normal<float>(Shape{256, 256}, rng);
  const Array<float> kernel = testing::normal<float>(Shape{31, 31}, rng);
  Options o;
  o.method = Method::fft;
  const Array<float> ref = call_reference(image, kernel, o, false);  // correctly rounded floats
  const fftconv::ErrorStats native =
      fftconv::compare(call_library(image, kernel, o, false).view(), ref.view());
  o.compute_precision = Precision::double_precision;
  const fftconv::ErrorStats widened =
      fftconv::compare(call_library(image, kernel, o, false).view(), ref.view());
  MESSAGE("float FFT 256x256, 31x31: native median ", native.median_ulp, " ulp, max ",
          native.max_ulp, " ulp, max_rel ", native.max_rel, "; double_precision median ",
          widened.median_ulp, " ulp, max ", widened.max_ulp, " ulp, max_rel ", widened.max_rel);
  // A double result (relative error ~1e-15 of the sum of |terms|) rounded once to float differs
  // from the correctly rounded float by at most one ulp, and almost always by none.
  CHECK(widened.max_ulp <= 1);
  CHECK(widened.median_ulp == 0);
  CHECK(native.median_ulp >= 1);
  // Filter gives the same.
  const fftconv::Filter<float> filter(kernel.view(), image.shape, Operation::convolve, o);
  Array<float> out(image.shape);
  filter.apply(image.view(), out.view());
  CHECK(out.values == call_library(image, kernel, o, false).values);
  CHECK(filter.method() == Method::fft);
}

TEST_CASE("nonnegative clamps FFT noise at zero and never increases the error") {
  // A dark image with a few bright stars, blurred by a non-negative PSF: the true result is >= 0
  // everywhere but FFT rounding leaves tiny negative values in the dark.
  const std::size_t n = 128;
  Array<float> image(Shape{n, n});
  image.values[5 * n + 9] = 1e6f;
  image.values[70 * n + 100] = 3e5f;
  Array<float> psf(Shape{21, 21});
  for (std::size_t i = 0; i < psf.size(); ++i) {
    const double y = double(i / 21) - 10, x = double(i % 21) - 10;
    psf.values[i] = static_cast<float>(std::exp(-(x * x + y * y) / 18));
  }
  Options o;
  o.method = Method::fft;
  const Array<float> plain = call_library(image, psf, o, false);
  o.nonnegative = true;
  const Array<float> clamped = call_library(image, psf, o, false);
  CHECK(*std::min_element(plain.values.begin(), plain.values.end()) < 0);
  CHECK(*std::min_element(clamped.values.begin(), clamped.values.end()) >= 0);
  const Array<float> ref = call_reference(image, psf, o, false);
  CHECK(fftconv::compare(clamped.view(), ref.view()).max_abs <=
        fftconv::compare(plain.view(), ref.view()).max_abs);
  // NaN stays NaN.
  image.values[0] = std::numeric_limits<float>::quiet_NaN();
  const Array<float> with_nan = call_library(image, psf, o, false);
  CHECK(std::isnan(with_nan.values[0]));
}

TEST_CASE("the Eigen overloads of the reference and the bound") {
  Eigen::MatrixXd image = Eigen::MatrixXd::Random(20, 17);
  Eigen::MatrixXd kernel = Eigen::MatrixXd::Random(5, 4);
  const Eigen::MatrixXd ref = fftconv::reference_convolve(image, kernel);
  const Eigen::MatrixXd got = fftconv::convolve(image, kernel);
  const fftconv::ErrorStats s = fftconv::compare(got, ref);
  CHECK(s.max_abs <= fftconv::error_bound(image, kernel));
  CHECK(fftconv::reference_correlate(image, kernel).rows() == 20);
  const Eigen::VectorXf signal = Eigen::VectorXf::Random(100);
  const Eigen::VectorXf taps = Eigen::VectorXf::Random(9);
  CHECK(fftconv::error_bound(signal, taps, Options{}, Operation::correlate,
                             Guarantee::probabilistic) > 0);
}

TEST_CASE("error_bound covers a long kernel folded onto the period (wrap, same) and overflow") {
  std::mt19937_64 rng(9);
  for (std::size_t k : {1001u, 100001u}) {
    const Array<float> image = testing::normal<float>(Shape{8}, rng);
    const Array<float> kernel = testing::normal<float>(Shape{k}, rng);
    Options o;
    o.boundary = Boundary::wrap;
    o.method = Method::fft;
    const Array<float> got = call_library(image, kernel, o, false);
    const Array<double> ref = call_reference(to_double(image), to_double(kernel), o, false);
    CAPTURE(k);
    CHECK(fftconv::compare(got.view(), ref.view()).max_abs <=
          fftconv::error_bound(image.view(), kernel.view(), o));
  }
  // Float data computed in double whose result overflows float: no finite bound.
  Array<float> big(Shape{2}), weights(Shape{2});
  big.values = {3e38f, 3e38f};
  weights.values = {0.6f, 0.6f};
  Options o;
  o.mode = Mode::valid;
  o.compute_precision = Precision::double_precision;
  CHECK(std::isinf(call_library(big, weights, o, false).values[0]));
  CHECK(fftconv::error_bound(big.view(), weights.view(), o) ==
        std::numeric_limits<double>::infinity());
}

TEST_CASE("the fill value is the data's: float paths, double compute and the reference agree") {
  Array<float> image(Shape{4}), box(Shape{3});
  image.values = {0.5f, 0.25f, 1, 2};
  box.values = {1, 1, 1};
  Options o;
  o.boundary = Boundary::constant;
  o.fill_value = 0.1;  // not a float: rounded to 0.1f for float data, everywhere
  const Array<float> ref = call_reference(image, box, o, false);
  for (Precision precision : {Precision::native, Precision::double_precision}) {
    o.compute_precision = precision;
    const fftconv::ErrorStats s =
        fftconv::compare(call_library(image, box, o, false).view(), ref.view());
    CHECK(s.max_abs <= fftconv::error_bound(image.view(), box.view(), o));
  }
  o.fill_value = 1e39;  // beyond float
  CHECK_THROWS_WITH_AS(call_library(image, box, o, false),
                       doctest::Contains("options.fill_value 1e+39 is outside the range"),
                       fftconv::Error);
}

TEST_CASE("the reference settles ties with the compensated remainder") {
  // 1 + 2^-53 + 2^-110: 1 + 2^-53 alone is a tie between 1 and 1 + 2^-52; the tiny third term
  // makes it round up.
  Array<double> d(Shape{3}), ones(Shape{3});
  d.values = {1, std::ldexp(1.0, -53), std::ldexp(1.0, -110)};
  ones.values = {1, 1, 1};
  Options valid;
  valid.mode = Mode::valid;
  CHECK(call_reference(d, ones, valid, true).values[0] == 1 + std::ldexp(1.0, -52));
  // Float: FLT_MAX + 2^103 (the overflow threshold) minus a little is FLT_MAX, not inf.
  Array<float> f(Shape{3}), f_ones(Shape{3});
  f.values = {std::numeric_limits<float>::max(), std::ldexp(1.0f, 103), -std::ldexp(1.0f, -20)};
  f_ones.values = {1, 1, 1};
  CHECK(call_reference(f, f_ones, valid, true).values[0] == std::numeric_limits<float>::max());
}

TEST_CASE("compare: infinite errors count everywhere, ulps are the gap at the reference") {
  Array<float> r(Shape{2});
  Array<double> ref(Shape{2});
  r.values = {1, 2};
  ref.values = {std::numeric_limits<double>::infinity(), 2};
  fftconv::ErrorStats s = fftconv::compare(r.view(), ref.view());
  CHECK(s.max_ulp == std::numeric_limits<double>::infinity());
  CHECK(s.count_over == 1);
  // Just below 1 a float's ulp is 2^-24, not 2^-23.
  r.values = {1.0f, 2};
  ref.values = {1 - std::ldexp(1.0, -30), 2};
  s = fftconv::compare(r.view(), ref.view());
  CHECK(s.max_ulp == doctest::Approx((std::ldexp(1.0, -30)) / std::ldexp(1.0, -24)));
}
