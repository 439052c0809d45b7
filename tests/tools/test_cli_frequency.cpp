// `fftconv frequency`, run as a user runs it: each filter's result against the library's call
// with the same settings (the documented defaults included: butterworth high-pass at 0.005,
// order 2, --boundary wrap with no padding), a transfer function from a file in both layouts,
// float32 in float, a hyperstack's channel volumes each alone, the options a filter does not take
// and those it needs (usage errors naming them), a transfer file of the wrong shape (the
// library's message naming the file), and the provenance card.
#include <doctest/doctest.h>

#include <algorithm>
#include <cmath>
#include <complex>
#include <filesystem>
#include <functional>
#include <limits>
#include <string>
#include <vector>

#include "fftconv/frequency.hpp"
#include "io/convert.hpp"
#include "io/files.hpp"
#include "tool_test_support.hpp"

using fftconv::ConstView;
using fftconv::Shape;
using fftconv::View;
using fftconv::io::Image;
using fftconv::io::PixelType;
using fftconv::test::contains;
using fftconv::test::fits_history;
using fftconv::test::joined;
using fftconv::test::random_complex_image;
using fftconv::test::random_image;
using fftconv::test::relative_difference;
using fftconv::test::run_fftconv;
using fftconv::test::TempDir;

namespace {

/// A library call on views of T: (image, out).
template <class T>
using Call = std::function<void(ConstView<T>, View<T>)>;

/// The library's result for the file's values read as T.
template <class T>
std::vector<T> library(const Image& image, const Call<T>& call) {
  const std::vector<T> in = fftconv::io::to_values<T>(image);
  std::vector<T> out(in.size());
  call(ConstView<T>(in.data(), image.shape), View<T>(out.data(), image.shape));
  return out;
}

/// FrequencyOptions with a boundary rule and a padding.
fftconv::FrequencyOptions grid(fftconv::Boundary boundary, std::size_t padding) {
  fftconv::FrequencyOptions o;
  o.boundary = boundary;
  o.padding = padding;
  return o;
}

}  // namespace

TEST_CASE("frequency: each filter equals the library's call with the same settings") {
  const TempDir dir;
  const Image image = random_image(Shape{24, 21}, PixelType::f64, 1, -50, 100);
  fftconv::io::write_image(dir / "im.npy", image);
  using fftconv::Boundary;
  const fftconv::FrequencyOptions wrap = grid(Boundary::wrap, 0);
  const fftconv::FrequencyOptions reflect6 = grid(Boundary::reflect, 6);
  fftconv::FrequencyOptions constant4 = grid(Boundary::constant, 4);
  constant4.fill_value = 2.5;
  struct Case {
    std::vector<std::string> args;
    Call<double> call;
  };
  const std::vector<Case> cases{
      // The defaults: scikit-image's butterworth (0.005, high-pass, order 2), circular.
      {{"--filter", "butterworth"},
       [&](auto i, auto o) { fftconv::butterworth(i, o, 0.005, true, 2.0, wrap); }},
      {{"--filter", "butterworth", "--cutoff", "0.12", "--low-pass", "--order", "5"},
       [&](auto i, auto o) { fftconv::butterworth(i, o, 0.12, false, 5.0, wrap); }},
      {{"--filter", "butterworth", "--cutoff", "0.2", "--high-pass", "--boundary", "reflect",
        "--padding", "6"},
       [&](auto i, auto o) { fftconv::butterworth(i, o, 0.2, true, 2.0, reflect6); }},
      {{"--filter", "gaussian", "--sigma-frequency", "0.07"},
       [&](auto i, auto o) { fftconv::gaussian_lowpass(i, o, 0.07, wrap); }},
      {{"--filter", "gaussian", "--sigma-frequency", "0.07", "--fill", "2.5", "--padding", "4"},
       [&](auto i, auto o) { fftconv::gaussian_lowpass(i, o, 0.07, constant4); }},
      {{"--filter", "band-pass", "--low", "0.05", "--high", "0.25", "--order", "3"},
       [&](auto i, auto o) { fftconv::band_pass(i, o, 0.05, 0.25, 3.0, wrap); }},
      {{"--filter", "shift", "--shift", "0.5,-1.25"},
       [&](auto i, auto o) {
         fftconv::fourier_shift(i, o, std::vector<double>{0.5, -1.25}, wrap);
       }},
  };
  for (const Case& c : cases) {
    CAPTURE(c.args[1]);
    CAPTURE(c.args.size());
    const auto r =
        run_fftconv(joined({"frequency", dir / "im.npy", "-o", dir / "out.npy"}, c.args), dir);
    REQUIRE_MESSAGE(r.exit_code == 0, r.err);
    CHECK(r.err.empty());
    CHECK(r.out.empty());
    const Image out = fftconv::io::read_image(dir / "out.npy");
    CHECK(out.shape == image.shape);
    CHECK(out.type == PixelType::f64);
    // The same call on the same values in the same precision: the same bits, up to the
    // thread-count-independent library being called through another path (none here).
    CHECK(relative_difference(out, library<double>(image, c.call)) == 0);
  }
}

TEST_CASE("frequency --filter transfer: the full and the half spectrum from a file") {
  const TempDir dir;
  const Image image = random_image(Shape{16, 10}, PixelType::f64, 2, -1, 1);
  fftconv::io::write_image(dir / "im.npy", image);
  // With --boundary reflect --padding 3 the grid is frequency_grid_shape's, not the image's.
  const fftconv::FrequencyOptions o = grid(fftconv::Boundary::reflect, 3);
  const Shape lengths = fftconv::frequency_grid_shape(image.shape, o);
  REQUIRE(lengths != image.shape);
  const Shape half{lengths[0], lengths[1] / 2 + 1};
  for (const Shape& shape : {lengths, half}) {
    CAPTURE(to_string(shape));
    const Image h = random_complex_image(shape, PixelType::c128, 3);
    fftconv::io::write_image(dir / "h.npy", h);
    const std::vector<std::complex<double>> values =
        fftconv::io::to_values<std::complex<double>>(h);
    const auto r = run_fftconv(
        {"frequency", dir / "im.npy", "--filter", "transfer", "--transfer", dir / "h.npy",
         "--boundary", "reflect", "--padding", "3", "-o", dir / "out.npy"},
        dir);
    REQUIRE_MESSAGE(r.exit_code == 0, r.err);
    const std::vector<double> want = library<double>(image, [&](auto i, auto out) {
      fftconv::frequency_filter(i, out, ConstView<std::complex<double>>(values.data(), shape), o);
    });
    CHECK(relative_difference(fftconv::io::read_image(dir / "out.npy"), want) == 0);
  }
  // A real transfer file is H with imaginary part 0.
  const Image real_h = random_image(lengths, PixelType::f64, 4, 0, 1);
  fftconv::io::write_image(dir / "real.npy", real_h);
  const auto r = run_fftconv(
      {"frequency", dir / "im.npy", "--filter", "transfer", "--transfer", dir / "real.npy",
       "--boundary", "reflect", "--padding", "3", "-o", dir / "out.npy"},
      dir);
  REQUIRE_MESSAGE(r.exit_code == 0, r.err);
  const std::vector<std::complex<double>> as_complex =
      fftconv::io::to_values<std::complex<double>>(real_h);
  const std::vector<double> want = library<double>(image, [&](auto i, auto out) {
    fftconv::frequency_filter(i, out, ConstView<std::complex<double>>(as_complex.data(), lengths),
                              o);
  });
  CHECK(relative_difference(fftconv::io::read_image(dir / "out.npy"), want) == 0);
  // The image's own shape is not this grid's: the library's message, naming the file.
  fftconv::io::write_image(dir / "wrong.npy",
                           random_complex_image(image.shape, PixelType::c128, 5));
  const auto bad = run_fftconv(
      {"frequency", dir / "im.npy", "--filter", "transfer", "--transfer", dir / "wrong.npy",
       "--boundary", "reflect", "--padding", "3", "-o", dir / "bad.npy"},
      dir);
  CHECK(bad.exit_code == 1);
  CHECK_MESSAGE(contains(bad.err, dir / "wrong.npy"), bad.err);
  CHECK_MESSAGE(contains(bad.err, "transfer has shape 16x10"), bad.err);
  CHECK(!std::filesystem::exists(dir / "bad.npy"));
}

TEST_CASE("frequency: float32 in float, and a hyperstack's channel volumes each alone") {
  const TempDir dir;
  const Image f32 = random_image(Shape{20, 18}, PixelType::f32, 6, 0, 100);
  fftconv::io::write_image(dir / "f32.npy", f32);
  const fftconv::FrequencyOptions wrap = grid(fftconv::Boundary::wrap, 0);
  const auto lowpass = [&](auto i, auto o) { fftconv::butterworth(i, o, 0.1, false, 2.0, wrap); };
  auto r = run_fftconv({"frequency", dir / "f32.npy", "--filter", "butterworth", "--cutoff", "0.1",
                        "--low-pass", "-o", dir / "a.npy"},
                       dir);
  REQUIRE_MESSAGE(r.exit_code == 0, r.err);
  Image out = fftconv::io::read_image(dir / "a.npy");
  CHECK(out.type == PixelType::f32);
  CHECK(relative_difference(out, library<float>(f32, lowpass)) == 0);

  // An ImageJ hyperstack of 2 channels of 3 slices: each channel's 3 x 12 x 10 volume is
  // filtered on its own (a 3-D shift never mixes the channels), written as the same hyperstack.
  Image hyper = random_image(Shape{6, 12, 10}, PixelType::f32, 7, 1, 100);
  hyper.metadata.layout.channels = 2;
  fftconv::io::write_image(dir / "hyper.tif", hyper);
  const std::vector<double> by{1.5, 0.25, -2};
  r = run_fftconv({"frequency", dir / "hyper.tif", "--filter", "shift", "--shift", "1.5,0.25,-2",
                   "-o", dir / "out.tif"},
                  dir);
  REQUIRE_MESSAGE(r.exit_code == 0, r.err);
  out = fftconv::io::read_image(dir / "out.tif");
  CHECK(out.shape == hyper.shape);
  CHECK(out.metadata.layout.channels == 2);
  for (std::size_t c = 0; c < 2; ++c) {
    CAPTURE(c);
    const std::vector<float> want =
        library<float>(fftconv::test::planes_of(hyper, 3 * c, 3),
                       [&](auto i, auto o) { fftconv::fourier_shift(i, o, by, wrap); });
    CHECK(relative_difference(fftconv::test::planes_of(out, 3 * c, 3), want) == 0);
  }
  // Two shifts for the hyperstack's 3-D volumes: a usage error naming both counts.
  r = run_fftconv({"frequency", dir / "hyper.tif", "--filter", "shift", "--shift", "1,2", "-o",
                   dir / "bad.tif"},
                  dir);
  CHECK(r.exit_code == 2);
  CHECK_MESSAGE(contains(r.err, "--shift has 2 values but " + dir / "hyper.tif" + " is 3-D"),
                r.err);
  CHECK(!std::filesystem::exists(dir / "bad.tif"));
}

TEST_CASE("frequency: options the filter does not take, and those it needs, are usage errors") {
  const TempDir dir;
  fftconv::io::write_image(dir / "im.npy", random_image(Shape{12, 10}, PixelType::f64, 8));
  const std::vector<std::string> base{"frequency", dir / "im.npy", "-o", dir / "out.npy"};
  const std::vector<std::pair<std::vector<std::string>, std::string>> cases{
      {{}, "--filter is required"},
      {{"--filter", "butterworth", "--sigma-frequency", "0.1"},
       "frequency --filter butterworth does not take --sigma-frequency (gaussian only)"},
      {{"--filter", "gaussian", "--sigma-frequency", "0.1", "--order", "2", "--cutoff", "0.1"},
       "frequency --filter gaussian does not take --cutoff (butterworth only), --order "
       "(butterworth and band-pass)"},
      {{"--filter", "shift", "--shift", "1,1", "--transfer", dir / "im.npy"},
       "frequency --filter shift does not take --transfer (transfer only)"},
      {{"--filter", "gaussian"}, "frequency --filter gaussian needs --sigma-frequency"},
      {{"--filter", "band-pass", "--low", "0.1"}, "frequency --filter band-pass needs --high"},
      {{"--filter", "shift"}, "frequency --filter shift needs --shift"},
      {{"--filter", "transfer"}, "frequency --filter transfer needs --transfer"},
      {{"--filter", "band-pass", "--low", "0.3", "--high", "0.1"},
       "--low 0.3 must be below --high 0.1"},
      {{"--filter", "butterworth", "--high-pass", "--low-pass"},
       "--high-pass and --low-pass both given"},
      {{"--filter", "butterworth", "--cutoff", "0"}, "--cutoff 0 is not a finite number > 0"},
      {{"--filter", "butterworth", "--order", "-1"}, "--order -1 is not a finite number >= 0"},
      {{"--filter", "shift", "--shift", "1,inf"}, "--shift inf is not a finite number"},
      {{"--filter", "notch"}, "--filter: notch is not one of"},
      {{"--filter", "butterworth", "--mode", "valid"}, "--mode"},
  };
  for (const auto& c : cases) {
    CAPTURE(c.first.size() > 1 ? c.first[1] : std::string("(none)"));
    CAPTURE(c.first.size());
    const auto r = run_fftconv(joined(base, c.first), dir);
    CHECK(r.exit_code == 2);
    CHECK_MESSAGE(contains(r.err, c.second), r.err);
    CHECK(!std::filesystem::exists(dir / "out.npy"));
  }
  // -o naming the transfer file is refused before the work.
  fftconv::io::write_image(dir / "h.npy", random_complex_image(Shape{12, 10}, PixelType::c128, 9));
  const auto r = run_fftconv({"frequency", dir / "im.npy", "--filter", "transfer", "--transfer",
                              dir / "h.npy", "-o", dir / "h.npy"},
                             dir);
  CHECK(r.exit_code == 2);
  CHECK_MESSAGE(contains(r.err, "is the input file"), r.err);
}

TEST_CASE("frequency: the FITS HISTORY card names the filter and its settings") {
  const TempDir dir;
  fftconv::io::write_image(dir / "im.fits", random_image(Shape{12, 16}, PixelType::f32, 10));
  const auto r =
      run_fftconv({"frequency", dir / "im.fits", "--filter", "band-pass", "--low", "0.05", "--high",
                   "0.2", "--boundary", "nearest", "--padding", "5", "-o", dir / "out.fits"},
                  dir);
  REQUIRE_MESSAGE(r.exit_code == 0, r.err);
  const std::string header = fits_history(dir / "out.fits");
  CHECK_MESSAGE(contains(header, "frequency filter=band-pass low=0.05 high=0.2 order=2"), header);
  CHECK_MESSAGE(contains(header, "boundary=nearest padding=5"), header);
}
