// The reference against exact integer arithmetic and at rounding ties, compare on hand-made
// errors, and the Eigen overloads of the reference and the bound.
#include <doctest/doctest.h>

#include <cmath>
#include <cstdint>
#include <limits>
#include <random>
#include <vector>

#include "accuracy/calls.hpp"
#include "support/reference.hpp"

using namespace accuracy;

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
      testing::Index ii{};
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
