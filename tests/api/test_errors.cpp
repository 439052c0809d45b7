// Bad input throws fftconv::Error whose message names the argument and its value, and the
// output is left untouched.
#include <doctest/doctest.h>

#include <limits>
#include <string>
#include <utility>
#include <vector>

#include "fftconv/fftconv.hpp"
#include "support/expect_error.hpp"

using fftconv::ConstView;
using fftconv::Error;
using fftconv::ErrorCode;
using fftconv::Mode;
using fftconv::Options;
using fftconv::View;

using testing::expect_error;
using testing::expect_invalid;

TEST_CASE("bad input is refused with a message naming the argument, out untouched") {
  std::vector<double> image(20, 1.0), kernel(6, 1.0);
  std::vector<double> out(20, -7.0);
  const std::vector<double> untouched = out;
  const ConstView<double> img(image.data(), {4, 5});
  const ConstView<double> ker(kernel.data(), {2, 3});
  const View<double> dst(out.data(), {4, 5});

  SUBCASE("empty image") {
    expect_invalid(
        [&] {
          fftconv::convolve(ConstView<double>(image.data(), {4, 0}), ker, dst);
        },
        {"image", "extent 0", "axis 1", "4x0"});
  }
  SUBCASE("empty kernel") {
    expect_invalid(
        [&] {
          fftconv::correlate(img, ConstView<double>(kernel.data(), {0, 3}), dst);
        },
        {"kernel", "extent 0", "axis 0"});
  }
  SUBCASE("rank mismatch") {
    expect_invalid([&] { fftconv::convolve(img, ConstView<double>(kernel.data(), {6}), dst); },
                   {"kernel rank 1", "image rank 2"});
  }
  SUBCASE("rank 0") {
    expect_invalid(
        [&] { fftconv::convolve(ConstView<double>(), ConstView<double>(), View<double>()); },
        {"image rank", "got 0"});
  }
  SUBCASE("rank above max_rank, or interpolation along more than 3 axes") {
    CHECK_THROWS_AS(fftconv::Shape({1, 2, 3, 4, 5, 6, 7, 8, 9}), Error);
    fftconv::Shape nine = {1, 1, 1, 1, 1, 1, 1, 1};
    CHECK_THROWS_AS(nine.push_back(1), Error);
    const ConstView<double> img4(image.data(), {1, 4, 5, 1}), ker4(kernel.data(), {1, 2, 3, 1});
    Options interpolate;
    interpolate.nan_policy = fftconv::NanPolicy::interpolate;
    expect_invalid(
        [&] {
          fftconv::convolve(img4, ker4, View<double>(out.data(), {1, 4, 5, 1}), interpolate);
        },
        {"options.nan_policy = interpolate", "at most 3 axes", "convolves along 4"});
  }
  SUBCASE("output of the wrong shape") {
    expect_invalid(
        [&] {
          fftconv::convolve(img, ker, View<double>(out.data(), {5, 4}));
        },
        {"out has shape 5x4", "expected 4x5"});
    Options full;
    full.mode = Mode::full;
    expect_invalid([&] { fftconv::convolve(img, ker, dst, full); },
                   {"out has shape 4x5", "expected 5x7"});
  }
  SUBCASE("null data") {
    expect_invalid(
        [&] {
          fftconv::convolve(ConstView<double>(nullptr, {4, 5}), ker, dst);
        },
        {"image data is null"});
    expect_invalid(
        [&] {
          fftconv::convolve(img, ConstView<double>(nullptr, {2, 3}), dst);
        },
        {"kernel data is null"});
    expect_invalid(
        [&] {
          fftconv::convolve(img, ker, View<double>(nullptr, {4, 5}));
        },
        {"out data is null"});
  }
  SUBCASE("unknown boundary value, NaN fill value") {
    Options bad_boundary;
    bad_boundary.boundary = static_cast<fftconv::Boundary>(42);
    expect_invalid([&] { fftconv::convolve(img, ker, dst, bad_boundary); },
                   {"options.boundary has unknown value 42"});
    Options nan_fill;
    nan_fill.boundary = fftconv::Boundary::constant;
    nan_fill.fill_value = std::numeric_limits<double>::quiet_NaN();
    expect_invalid([&] { fftconv::convolve(img, ker, dst, nan_fill); },
                   {"options.fill_value is NaN"});
  }
  SUBCASE("strides whose count does not match the rank") {
    expect_invalid(
        [&] {
          fftconv::convolve(ConstView<double>(image.data(), {4, 5}, {5}), ker, dst);
        },
        {"image has 1 strides for rank 2"});
    expect_invalid(
        [&] {
          fftconv::convolve(img, ker, View<double>(out.data(), {4, 5}, {5, 1, 1}));
        },
        {"out has 3 strides for rank 2"});
  }
  SUBCASE("an output view that overlaps itself") {
    expect_invalid(
        [&] {
          fftconv::convolve(img, ker, View<double>(out.data(), {4, 5}, {1, 1}));
        },
        {"out strides (1,1)", "share memory"});
    expect_invalid(
        [&] {
          fftconv::convolve(img, ker, View<double>(out.data(), {4, 5}, {0, 1}));
        },
        {"out strides (0,1)", "share memory"});
    expect_invalid(
        [&] {
          fftconv::convolve(img, ker, View<double>(out.data(), {4, 5}, {4, 1}));
        },
        {"out strides (4,1)", "share memory"});
  }
  SUBCASE("unknown mode and method values") {
    Options bad_mode;
    bad_mode.mode = static_cast<Mode>(7);
    expect_invalid([&] { fftconv::convolve(img, ker, dst, bad_mode); }, {"options.mode", "7"});
    Options bad_method;
    bad_method.method = static_cast<fftconv::Method>(-1);
    expect_invalid([&] { fftconv::convolve(img, ker, dst, bad_method); }, {"options.method", "-1"});
  }
  SUBCASE("sizes that overflow size_t") {
    const std::size_t huge = std::numeric_limits<std::size_t>::max() - 1;
    expect_invalid(
        [&] {
          (void)fftconv::output_shape({huge, 2}, {3, 3}, Mode::full);
        },
        {"overflows size_t"});
  }
  CHECK(out == untouched);
}

TEST_CASE("options.max_memory_bytes: refused before allocation, or the method that fits") {
  std::vector<double> image(64 * 64, 1.0), kernel(15 * 15, 1.0), out(64 * 64, -7.0);
  const std::vector<double> untouched = out;
  const ConstView<double> img(image.data(), {64, 64}), ker(kernel.data(), {15, 15});
  const View<double> dst(out.data(), {64, 64});
  // fft in a one-shot call, on the transform shape P0 x P1 (each at least 64 + 7 + 1 = 72):
  // rows of 2 (P1 / 2 + 1) doubles (a multiple of 16 bytes already); the kernel's 15 transformed
  // rows kept instead of its spectrum (a single-use kernel), the image's work rows 64 * pitch
  // doubles, two scratch blocks of P0 * 8 complex (one thread: under 2^16 points), the index
  // maps (1 + P0 + P1) ptrdiff_t.
  const fftconv::Shape P = fftconv::fft_shape({64, 64}, {15, 15}, Mode::same);
  REQUIRE(P.rank() == 2);
  const std::size_t pitch = 2 * (P[1] / 2 + 1);
  const std::size_t fft_bytes =
      (15 * pitch + 64 * pitch + 2 * 2 * P[0] * 8) * 8 + (1 + P[0] + P[1]) * 8;
  REQUIRE(fft_bytes > 64000);
  // direct: doubles for the kernel (225), the image's copy for an in-place call (64 * 64), a
  // row of the fill value (64 + 14), and one thread's band of (16 + 14) rows of 64 + 2 * 14 and
  // its output row (64) and 3 * 15 source pointers: 7268 doubles = 58144 bytes; + 225 taps * 16
  // bytes, + 3 * 15 kernel-row words * 8 bytes, + index maps (1 + 78 + 78) * 8 = 1256: 63360.
  Options o;
  o.max_memory_bytes = 64000;
  o.method = fftconv::Method::fft;
  expect_error(
      ErrorCode::out_of_memory, [&] { fftconv::convolve(img, ker, dst, o); },
      {"fft method needs " + std::to_string(fft_bytes) + " bytes", "max_memory_bytes = 64000"});
  CHECK(out == untouched);
  o.method = fftconv::Method::automatic;  // the model would pick fft here; only direct fits
  CHECK_NOTHROW(fftconv::convolve(img, ker, dst, o));
  CHECK(out[32 * 64 + 32] == doctest::Approx(225.0));
  out = untouched;
  o.max_memory_bytes = 1000;
  expect_error(
      ErrorCode::out_of_memory, [&] { fftconv::convolve(img, ker, dst, o); },
      {"direct method needs 63360 bytes", "fft method " + std::to_string(fft_bytes) + " bytes"});
  CHECK(out == untouched);
}

TEST_CASE("automatic: a method whose sizes are impossible does not fit, the other is used") {
  // A 1-D image of 3e9 samples and a kernel of 3e9 - 7 (stride-0 views of one value), valid
  // mode: 8 outputs. The FFT length (3e9) exceeds FFTW's int limit, so automatic considers only
  // direct, which needs 48 GB: over the 1 GB limit.
  const double one = 1.0;
  const std::size_t n = 3000000000, k = n - 7;
  std::vector<double> out(8, -7.0);
  const std::vector<double> untouched = out;
  Options o;
  o.mode = Mode::valid;
  o.max_memory_bytes = std::size_t{1} << 30;
  expect_error(ErrorCode::out_of_memory,
               [&] {
                 fftconv::convolve(ConstView<double>(&one, {n}, {0}),
                                   ConstView<double>(&one, {k}, {0}), View<double>(out.data(), {8}),
                                   o);
               },
               {"fftconv::convolve: the direct method needs", "fft method an impossible size"});
  CHECK(out == untouched);
}

TEST_CASE("valid mode with a kernel longer than the image gives an empty result") {
  std::vector<float> image(6, 1.0f), kernel(8, 1.0f);
  Options valid;
  valid.mode = Mode::valid;
  CHECK_NOTHROW(fftconv::convolve(ConstView<float>(image.data(), {6}),
                                  ConstView<float>(kernel.data(), {8}), View<float>(nullptr, {0}),
                                  valid));
}
