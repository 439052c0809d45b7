// Double-precision compute, the non-negative clamp and the fill value, against the reference.
#include <doctest/doctest.h>

#include <cmath>
#include <random>

#include "accuracy/calls.hpp"

using namespace accuracy;

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
