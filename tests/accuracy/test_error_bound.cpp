// error_bound on thousands of random, separable, subnormal and adversarial cases, and its
// special cases (the direct bound, long kernels folded onto the period, overflow).
#include <doctest/doctest.h>

#include <algorithm>
#include <array>
#include <cmath>
#include <limits>
#include <random>
#include <string>
#include <utility>
#include <vector>

#include "accuracy/calls.hpp"

using namespace accuracy;

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
