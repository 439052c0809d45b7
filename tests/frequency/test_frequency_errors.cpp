// Every bad argument of the frequency filters is refused with fftconv::Error naming it and its
// value, before anything is written: out keeps its sentinel values.
#include <doctest/doctest.h>

#include <cmath>
#include <complex>
#include <cstddef>
#include <limits>
#include <stdexcept>
#include <string>
#include <vector>

#include "fftconv/fftconv.hpp"
#include "support/expect_error.hpp"

using fftconv::Boundary;
using fftconv::ConstView;
using fftconv::ErrorCode;
using fftconv::FrequencyOptions;
using fftconv::View;
using testing::expect_error;
using testing::expect_invalid;

namespace {

constexpr double not_a_number = std::numeric_limits<double>::quiet_NaN();
constexpr double infinity = std::numeric_limits<double>::infinity();
constexpr double sentinel = -7.25;

std::complex<double> one(const double*, int) {
  return 1;
}

}  // namespace

TEST_CASE("frequency filters refuse bad arguments and leave out untouched") {
  std::vector<double> image(48, 1.0), out(48, sentinel);
  const std::vector<double> untouched = out;
  const ConstView<double> img(image.data(), {6, 8});
  const View<double> dst(out.data(), {6, 8});
  const FrequencyOptions defaults;

  SUBCASE("rank and extents") {
    expect_invalid(
        [&] {
          fftconv::butterworth(ConstView<double>(image.data(), {1, 2, 3, 8}),
                               View<double>(out.data(), {1, 2, 3, 8}), 0.2, false, 2);
        },
        {"fftconv::butterworth", "image rank must be 1 to 3", "got 4"});
    expect_invalid([&] { fftconv::gaussian_lowpass(ConstView<double>(), View<double>(), 0.1); },
                   {"fftconv::gaussian_lowpass", "got 0"});
    expect_invalid(
        [&] {
          fftconv::band_pass(ConstView<double>(image.data(), {6, 0}),
                             View<double>(out.data(), {6, 0}), 0.1, 0.2, 2);
        },
        {"image has extent 0 in axis 1", "6x0"});
    expect_invalid(
        [&] {
          (void)fftconv::frequency_grid_shape({3, 0});
        },
        {"fftconv::frequency_grid_shape", "extent 0"});
  }
  SUBCASE("views") {
    expect_invalid(
        [&] {
          fftconv::butterworth(img, View<double>(out.data(), {8, 6}), 0.2, false, 2);
        },
        {"out has shape 8x6", "6x8"});
    expect_invalid(
        [&] {
          fftconv::butterworth(img, View<double>(nullptr, {6, 8}), 0.2, false, 2);
        },
        {"out data is null"});
    expect_invalid(
        [&] {
          fftconv::butterworth(ConstView<double>(nullptr, {6, 8}), dst, 0.2, false, 2);
        },
        {"image data is null"});
    expect_invalid(
        [&] {
          fftconv::butterworth(img, View<double>(out.data(), {6, 8}, {1, 1}), 0.2, false, 2);
        },
        {"out strides (1,1)", "share memory"});
    expect_invalid(
        [&] {
          fftconv::butterworth(img, View<double>(out.data(), {6, 8}, {8}), 0.2, false, 2);
        },
        {"out has 1 strides for rank 2"});
    expect_invalid(
        [&] {
          fftconv::butterworth(ConstView<double>(image.data(), {6, 8}, {8}), dst, 0.2, false, 2);
        },
        {"image has 1 strides for rank 2"});
  }
  SUBCASE("options") {
    FrequencyOptions o;
    o.boundary = static_cast<Boundary>(42);
    expect_invalid([&] { fftconv::butterworth(img, dst, 0.2, false, 2, o); },
                   {"options.boundary has unknown value 42"});
    o = defaults;
    o.planning = static_cast<fftconv::Planning>(9);
    expect_invalid([&] { fftconv::butterworth(img, dst, 0.2, false, 2, o); },
                   {"options.planning has unknown value 9"});
    o = defaults;
    o.threads = -1;
    expect_invalid([&] { fftconv::butterworth(img, dst, 0.2, false, 2, o); },
                   {"options.threads is -1"});
    o = defaults;
    o.fill_value = not_a_number;
    expect_invalid([&] { fftconv::butterworth(img, dst, 0.2, false, 2, o); },
                   {"options.fill_value is NaN"});
    o.boundary = Boundary::constant;
    o.fill_value = 1e300;  // beyond float's range
    std::vector<float> fimage(48, 1.0f), fout(48, -7.25f);
    expect_invalid(
        [&] {
          fftconv::butterworth(ConstView<float>(fimage.data(), {6, 8}),
                               View<float>(fout.data(), {6, 8}), 0.2, false, 2, o);
        },
        {"options.fill_value 1e+300", "outside the range"});
    CHECK(fout == std::vector<float>(48, -7.25f));
    o = defaults;
    o.boundary = Boundary::zero;
    o.padding = std::numeric_limits<std::size_t>::max() / 2;
    expect_invalid([&] { fftconv::butterworth(img, dst, 0.2, false, 2, o); },
                   {"overflows", "options.padding"});
    o.padding = std::size_t(1) << 31;  // a grid length beyond FFTW's int
    expect_invalid([&] { fftconv::butterworth(img, dst, 0.2, false, 2, o); },
                   {"fftconv::butterworth", "FFTW's limit"});
  }
  SUBCASE("max_memory_bytes") {
    FrequencyOptions o;
    o.max_memory_bytes = 1100;
    // 6 x 8: the grid, 6 rows of 2 (8 / 2 + 1) doubles = 480 bytes, + a scratch block of the
    // 5 columns down axis 0, 2 x 6 x 5 doubles = 480, + (6 + 8) 8-byte indices = 1072: fits.
    fftconv::butterworth(img, dst, 0.2, false, 2, o);
    out = untouched;
    o.boundary = Boundary::reflect;
    o.padding = 4;  // 14 x 16: 14 x 18 doubles = 2016 bytes + 8 of the 9 columns in a scratch
                    // block, 2 x 14 x 8 doubles = 1792, + (14 + 16) x 8 = 4048
    expect_error(ErrorCode::out_of_memory,
                 [&] { fftconv::butterworth(img, dst, 0.2, false, 2, o); },
                 {"fftconv::butterworth", "4048 bytes", "options.max_memory_bytes = 1100"});
  }
  SUBCASE("butterworth, gaussian_lowpass and band_pass parameters") {
    for (double c : {0.0, -0.1, not_a_number, infinity})
      expect_invalid([&] { fftconv::butterworth(img, dst, c, true, 2); },
                     {"cutoff_frequency_ratio is", "finite and > 0"});
    for (double order : {-1.0, not_a_number, infinity})
      expect_invalid([&] { fftconv::butterworth(img, dst, 0.2, true, order); },
                     {"order is", "finite and >= 0"});
    for (double sigma : {0.0, -1.0, not_a_number, infinity})
      expect_invalid([&] { fftconv::gaussian_lowpass(img, dst, sigma); },
                     {"fftconv::gaussian_lowpass", "sigma_frequency is"});
    expect_invalid([&] { fftconv::band_pass(img, dst, 0.3, 0.3, 2); },
                   {"low_cutoff 0.3 must be below high_cutoff 0.3"});
    expect_invalid([&] { fftconv::band_pass(img, dst, 0.0, 0.3, 2); }, {"low_cutoff is 0"});
    expect_invalid([&] { fftconv::band_pass(img, dst, 0.1, infinity, 2); }, {"high_cutoff is inf"});
    expect_invalid([&] { fftconv::band_pass(img, dst, 0.1, 0.3, not_a_number); }, {"order is nan"});
    expect_invalid([&] { fftconv::butterworth(img, dst, -0.1, true, 2); },
                   {"cutoff_frequency_ratio is -0.1"});
  }
  SUBCASE("fourier_shift") {
    expect_invalid([&] { fftconv::fourier_shift(img, dst, {1.0}); },
                   {"fftconv::fourier_shift", "shift has 1 values for an image of rank 2"});
    expect_invalid(
        [&] {
          fftconv::fourier_shift(img, dst, {1.0, not_a_number});
        },
        {"shift[1] is nan"});
    expect_invalid(
        [&] {
          fftconv::fourier_shift(img, dst, {-infinity, 0.0});
        },
        {"shift[0] is -inf"});
  }
  SUBCASE("callable transfer functions") {
    expect_invalid([&] { fftconv::frequency_filter(img, dst, fftconv::TransferFunction()); },
                   {"fftconv::frequency_filter", "empty"});
    expect_invalid(
        [&] {
          fftconv::frequency_filter(img, dst, [](const double* f, int) {
            return std::complex<double>(f[0] == 0.5 || f[0] == -0.5 ? not_a_number : 1.0, 0.0);
          });
        },
        {"fftconv::frequency_filter", "transfer returned (nan,0) at frequency (-0.5, "});
    // An exception of the caller's propagates as it is.
    CHECK_THROWS_AS(fftconv::frequency_filter(img, dst,
                                              [](const double*, int) -> std::complex<double> {
                                                throw std::domain_error("mine");
                                              }),
                    std::domain_error);
  }
  SUBCASE("array transfer functions") {
    std::vector<std::complex<double>> transfer(6 * 8, 1.0);
    expect_invalid(
        [&] {
          fftconv::frequency_filter(img, dst,
                                    ConstView<std::complex<double>>(transfer.data(), {6, 6}));
        },
        {"transfer has shape 6x6", "half spectrum 6x5", "full spectrum 6x8", "image 6x8"});
    FrequencyOptions padded;
    padded.boundary = Boundary::zero;
    padded.padding = 1;  // the grid: 8 x 10
    expect_invalid(
        [&] {
          fftconv::frequency_filter(
              img, dst, ConstView<std::complex<double>>(transfer.data(), {6, 8}), padded);
        },
        {"transfer has shape 6x8", "half spectrum 8x6", "full spectrum 8x10"});
    expect_invalid(
        [&] {
          fftconv::frequency_filter(img, dst, ConstView<std::complex<double>>(nullptr, {6, 5}));
        },
        {"transfer data is null"});
    expect_invalid(
        [&] {
          fftconv::frequency_filter(img, dst,
                                    ConstView<std::complex<double>>(transfer.data(), {6, 5}, {5}));
        },
        {"transfer has 1 strides for rank 2"});
    transfer[2 * 5 + 3] = std::complex<double>(0, infinity);
    expect_invalid(
        [&] {
          fftconv::frequency_filter(img, dst,
                                    ConstView<std::complex<double>>(transfer.data(), {6, 5}));
        },
        {"transfer[2, 3] is (0,inf)", "finite"});
    std::vector<std::complex<float>> ftransfer(6 * 5, 1.0f);
    ftransfer[29] = std::complex<float>(std::nanf(""), 0);
    std::vector<float> fimage(48, 1.0f), fout(48, -7.25f);
    expect_invalid(
        [&] {
          fftconv::frequency_filter(ConstView<float>(fimage.data(), {6, 8}),
                                    View<float>(fout.data(), {6, 8}),
                                    ConstView<std::complex<float>>(ftransfer.data(), {6, 5}));
        },
        {"transfer[5, 4] is (nan,0)"});
    CHECK(fout == std::vector<float>(48, -7.25f));
  }
  CHECK(out == untouched);
}

TEST_CASE("a refused call plans and allocates nothing") {
  std::vector<double> image(48, 1.0), out(48, sentinel);
  FrequencyOptions o;
  o.max_memory_bytes = 10;
  const std::size_t plans = fftconv::fft_plans_created();
  CHECK_THROWS_AS(fftconv::frequency_filter(ConstView<double>(image.data(), {48}),
                                            View<double>(out.data(), {48}), &one, o),
                  fftconv::Error);
  CHECK(fftconv::fft_plans_created() == plans);
  CHECK(out == std::vector<double>(48, sentinel));
}
