// Method::separable: the passes of 1 to 3 terms against the long double reference, when a
// kernel is refused and when the automatic choice takes it, and values near float's limit.
#include <doctest/doctest.h>

#include <algorithm>
#include <cmath>
#include <random>
#include <string>
#include <vector>

#include "support/library_call.hpp"
#include "support/random_shapes.hpp"

using namespace testing;
using fftconv::Method;
using fftconv::Mode;

namespace {

// A separable kernel of `terms` terms: the sum of the products of a column factor (every axis
// but the last) and a row factor (the last axis), some factor values zero, rounded.
template <class T>
Array<T> low_rank(const fftconv::Shape& shape, std::size_t terms, std::mt19937_64& rng) {
  const std::size_t width = shape[shape.rank() - 1];
  const std::size_t rows = fftconv::element_count(shape) / width;
  std::normal_distribution<double> g;
  std::vector<double> sum(rows * width, 0.0);
  for (std::size_t t = 0; t < terms; ++t) {
    std::vector<double> column(rows), row(width);
    for (double& c : column)
      c = rng() % 5 == 0 ? 0 : g(rng);
    for (double& r : row)
      r = rng() % 5 == 0 ? 0 : g(rng);
    column[rows / 2] = 1;  // never all zero
    row[width / 2] = 1;
    for (std::size_t r = 0; r < rows; ++r)
      for (std::size_t c = 0; c < width; ++c)
        sum[r * width + c] += column[r] * row[c];
  }
  Array<T> kernel(shape);
  for (std::size_t i = 0; i < rows * width; ++i)
    kernel.values[i] = static_cast<T>(sum[i]);
  return kernel;
}

// The most terms Method::separable runs a kernel of this shape as (Method::separable's
// contract: r (rows + width) at most 256 taps per output and below rows x width).
std::size_t most_terms(const fftconv::Shape& shape) {
  const std::size_t width = shape[shape.rank() - 1];
  const std::size_t rows = fftconv::element_count(shape) / width;
  return std::max<std::size_t>(1,
                               std::min(256 / (rows + width), (rows * width - 1) / (rows + width)));
}

}  // namespace

TEST_CASE_TEMPLATE("separable kernels: the passes of 1 to 3 terms match the long double reference",
                   T, float, double) {
  std::mt19937_64 rng(909);
  const fftconv::Boundary rules[] = {fftconv::Boundary::zero,    fftconv::Boundary::constant,
                                     fftconv::Boundary::reflect, fftconv::Boundary::mirror,
                                     fftconv::Boundary::nearest, fftconv::Boundary::wrap};
  for (int c = 0; c < 24; ++c) {
    const int rank = c % 3 == 2 ? 3 : 2;
    fftconv::Shape image_shape = random_shape(rank, rng), kernel_shape = random_shape(rank, rng);
    kernel_shape[rank - 1] = std::max<std::size_t>(kernel_shape[rank - 1], 2);  // (else not
    kernel_shape[rank - 2] = std::max<std::size_t>(kernel_shape[rank - 2], 2);  //  separable)
    if (c % 4 == 0) image_shape[rank - 1] = 150;  // rows wide enough for every vector chunk
    const Array<T> image = uniform<T>(image_shape, rng, -1, 1);
    const std::size_t terms =
        std::min(static_cast<std::size_t>(1 + c % 3), most_terms(kernel_shape));
    CAPTURE(terms);
    const Array<T> kernel = low_rank<T>(kernel_shape, terms, rng);
    const fftconv::Boundary rule = rules[static_cast<std::size_t>(c) % 6];
    const Layout layout = all_layouts[static_cast<std::size_t>(c / 6) % all_layouts.size()];
    for (Op op : {Op::convolve, Op::correlate})
      for (Mode mode : {Mode::full, Mode::same, Mode::valid}) {
        const Reference ref = reference(image, kernel, mode, op == Op::correlate, rule, 0.625);
        fftconv::Options options;
        options.mode = mode;
        options.method = Method::separable;
        options.boundary = rule;
        options.fill_value = 0.625;
        check_against(ref, op, image, kernel, options, layout, layout, layout);
        options.threads = 3;  // bands split over threads: the same values
        check_against(ref, op, image, kernel, options, layout);
      }
  }
}

TEST_CASE_TEMPLATE("separable: refused for a kernel that is not, chosen for a large blur", T, float,
                   double) {
  std::mt19937_64 rng(910);
  const Array<T> random = normal<T>({5, 5}, rng);
  fftconv::Options o;
  o.method = Method::separable;
  const Array<T> image = uniform<T>({20, 20}, rng);
  try {
    (void)call(Op::convolve, image, random, o);
    FAIL("a kernel that is not separable was accepted");
  } catch (const fftconv::Error& e) {
    CHECK(e.code() == fftconv::ErrorCode::invalid_argument);
    CHECK(std::string(e.what()).find("kernel (shape 5x5) is not separable") != std::string::npos);
  }
  CHECK_THROWS_AS(fftconv::chosen_method(random.view(), {20, 20}, o), fftconv::Error);
  // One value of a product off by far more than rounding: two terms (the product, and the one
  // value), within the 3 a 6 x 7 kernel may have; four values off in different rows and columns
  // need five, and are refused.
  Array<T> almost = low_rank<T>({6, 7}, 1, rng);
  almost.values[8] = almost.values[8] * T(1.001) + T(0.001);
  CHECK(fftconv::chosen_method(almost.view(), {20, 20}, o) == Method::separable);
  check_against(reference(image, almost, Mode::same, false), Op::convolve, image, almost, o);
  for (std::size_t i : {std::size_t{15}, std::size_t{23}, std::size_t{31}})
    almost.values[i] = almost.values[i] * T(1.001) + T(0.001);
  CHECK_THROWS_AS(fftconv::chosen_method(almost.view(), {20, 20}, o), fftconv::Error);
  // A 31 x 31 Gaussian on a 512 x 512 image: two passes of 31 taps beat 961 taps and the FFT.
  Array<T> gauss({31, 31});
  for (std::size_t i = 0; i < 31; ++i)
    for (std::size_t j = 0; j < 31; ++j) {
      const double x = static_cast<double>(i) - 15, y = static_cast<double>(j) - 15;
      gauss.values[i * 31 + j] = static_cast<T>(std::exp(-(x * x + y * y) / 50));
    }
  CHECK(fftconv::chosen_method(gauss.view(), {512, 512}) == Method::separable);
  // A difference of Gaussians, evaluated value by value (a band-pass filter): two terms, and on
  // a 1024 x 1024 image their four passes of 15 taps beat 225 taps and the FFT.
  Array<T> dog({15, 15});
  for (std::size_t i = 0; i < 15; ++i)
    for (std::size_t j = 0; j < 15; ++j) {
      const double r2 = (static_cast<double>(i) - 7) * (static_cast<double>(i) - 7) +
                        (static_cast<double>(j) - 7) * (static_cast<double>(j) - 7);
      dog.values[i * 15 + j] =
          static_cast<T>(std::exp(-r2 / 12.5) / 6.25 - std::exp(-r2 / 28) / 14);
    }
  CHECK(fftconv::chosen_method(dog.view(), {1024, 1024}) == Method::separable);
  check_against(reference(image, dog, Mode::same, false), Op::convolve, image, dog, o);
}

// The first pass of a separable kernel sums a row of data times the row factor: the factors are
// balanced so that a tiny normalized kernel on huge values cannot overflow there.
TEST_CASE("separable: a normalized box on values near float's limit stays finite") {
  const std::size_t n = 64, k = 15;
  Array<float> image(fftconv::Shape{n, n}), box(fftconv::Shape{k, k});
  std::fill(image.values.begin(), image.values.end(), 1e37f);
  std::fill(box.values.begin(), box.values.end(), 1.0f / static_cast<float>(k * k));
  fftconv::Options o;
  o.method = Method::separable;
  const Array<float> out = call(Op::convolve, image, box, o);
  for (float v : out.values)
    REQUIRE(std::isfinite(v));
  CHECK(out.values[n * n / 2 + n / 2] == doctest::Approx(1e37).epsilon(1e-5));
  CHECK(std::isfinite(fftconv::error_bound(image.view(), box.view(), o)));
}
