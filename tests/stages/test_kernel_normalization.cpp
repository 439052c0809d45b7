// Options::normalize_kernel: the kernel divided by its (compensated) sum, rounded to the data's
// type, on every method and entry point; sums within rounding of zero refused, nothing written.
#include <doctest/doctest.h>

#include <cmath>
#include <random>

#include "fftconv/fftconv.hpp"
#include "support/test_data.hpp"

using fftconv::Method;
using fftconv::Options;
using fftconv::Shape;
using testing::Array;

TEST_CASE_TEMPLATE("normalize_kernel divides the kernel by its sum on every method", T, float,
                   double) {
  std::mt19937_64 rng(4);
  const Array<T> image = testing::normal<T>(Shape{20, 23}, rng);
  const Array<T> kernel = testing::uniform<T>(Shape{5, 4}, rng, 0.5, 3);
  // The normalized kernel as the option defines it: divided in double by the exact-enough sum,
  // rounded to T.
  long double sum = 0;
  for (T v : kernel.values)
    sum += v;
  Array<T> normalized(kernel.shape);
  for (std::size_t i = 0; i < kernel.size(); ++i)
    normalized.values[i] =
        static_cast<T>(static_cast<double>(kernel.values[i]) / static_cast<double>(sum));
  for (Method method : {Method::direct, Method::fft}) {
    Options plain;
    plain.method = method;
    Options option = plain;
    option.normalize_kernel = true;
    Array<T> want(image.shape), got(image.shape), filtered(image.shape), ref(image.shape);
    fftconv::convolve(image.view(), normalized.view(), want.view(), plain);
    fftconv::convolve(image.view(), kernel.view(), got.view(), option);
    CHECK(got.values == want.values);
    const fftconv::Filter<T> filter(kernel.view(), image.shape, fftconv::Operation::correlate,
                                    option);
    filter.apply(image.view(), filtered.view());
    fftconv::correlate(image.view(), normalized.view(), want.view(), plain);
    CHECK(filtered.values == want.values);
    // The reference and the bound see the same kernel.
    fftconv::reference_convolve(image.view(), kernel.view(), ref.view(), option);
    CHECK(fftconv::compare(got.view(), ref.view()).max_abs <=
          fftconv::error_bound(image.view(), kernel.view(), option));
  }
}

TEST_CASE("normalize_kernel refuses a kernel summing to zero within rounding, writing nothing") {
  Array<double> image(Shape{6}), out(Shape{6});
  for (double& v : out.values)
    v = 42;
  Options o;
  o.normalize_kernel = true;
  Array<double> zero(Shape{2});
  zero.values = {1, -1};
  CHECK_THROWS_WITH_AS(fftconv::convolve(image.view(), zero.view(), out.view(), o),
                       doctest::Contains("options.normalize_kernel: the kernel sums to 0"),
                       fftconv::Error);
  // 1e16 + 1 - 1e16 sums to exactly 1, but summing it in double can give anything within
  // 3 u 2e16 ~ 6.7 of that: as good as zero.
  Array<double> cancelling(Shape{3});
  cancelling.values = {1e16, 1, -1e16};
  CHECK_THROWS_WITH_AS(fftconv::convolve(image.view(), cancelling.view(), out.view(), o),
                       doctest::Contains("which is zero within the rounding of its sum"),
                       fftconv::Error);
  CHECK_THROWS_AS(
      fftconv::Filter<double>(cancelling.view(), image.shape, fftconv::Operation::convolve, o),
      fftconv::Error);
  CHECK_THROWS_AS(fftconv::error_bound(image.view(), zero.view(), o), fftconv::Error);
  for (double v : out.values)
    CHECK(v == 42);
  // A negative sum is fine: the kernel is divided by it.
  Array<double> negative(Shape{2});
  negative.values = {-1, -3};
  image.values = {1, 2, 3, 4, 5, 6};
  fftconv::convolve(image.view(), negative.view(), out.view(), o);
  CHECK(out.values[1] == doctest::Approx(0.25 * 2 + 0.75 * 1));
}

// A kernel holding NaN or an infinity has no sum to divide by: the refusal says so and names the
// element (issue 17: it said the NaN sum was "zero within the rounding of its sum").
TEST_CASE("normalize_kernel refuses a kernel holding NaN or inf, naming it") {
  Array<double> image(Shape{6}), out(Shape{6});
  Options o;
  o.normalize_kernel = true;
  Array<double> kernel(Shape{3});
  kernel.values = {1, std::nan(""), 2};
  CHECK_THROWS_WITH_AS(fftconv::convolve(image.view(), kernel.view(), out.view(), o),
                       "fftconv::convolve: options.normalize_kernel: the kernel holds NaN (element "
                       "1 in C order); it cannot be normalized",
                       fftconv::Error);
  kernel.values = {1, 2, -HUGE_VAL};
  CHECK_THROWS_WITH_AS(
      fftconv::Filter<double>(kernel.view(), image.shape, fftconv::Operation::convolve, o),
      "fftconv::Filter: options.normalize_kernel: the kernel holds -inf (element 2 in C order); "
      "it cannot be normalized",
      fftconv::Error);
}
