// `fftconv convolve/correlate` on images larger than --max-memory: streamed a band of output
// rows at a time through the files (tools/cli/streaming.cpp). Each streamed result is compared
// with the in-memory run of the same command without a budget: bit for bit with --method direct
// (each output row is the same sum either way), to rounding with the FFT methods. Small images
// with budgets near the least that works give bands of one or a few rows (kernels taller than a
// band, a short last band); the 64 MiB image under 8M checks the scale.
#include <doctest/doctest.h>

#include <cmath>
#include <limits>
#include <string>
#include <vector>

#include "io/convert.hpp"
#include "io/files.hpp"
#include "tool_test_support.hpp"

using fftconv::Shape;
using fftconv::io::Image;
using fftconv::io::PixelType;
using fftconv::test::contains;
using fftconv::test::joined;
using fftconv::test::random_image;
using fftconv::test::read_bytes;
using fftconv::test::run_fftconv;
using fftconv::test::TempDir;

namespace {

/// The least --max-memory streaming takes for `args` (its refusal's "give --max-memory N").
std::size_t least_budget(const std::vector<std::string>& args, const TempDir& dir) {
  const auto r = run_fftconv(joined(args, {"--max-memory", "1K"}), dir);
  REQUIRE(r.exit_code == 1);
  const std::size_t at = r.err.find("give --max-memory ");
  REQUIRE_MESSAGE(at != std::string::npos, r.err);
  return std::stoull(r.err.substr(at + 18));
}

/// Runs `args` into `out` in memory (no --max-memory) and into `streamed` under the least
/// budget and under 1.5 times it (bands of one row, then of several with a short last one);
/// requires each streamed file to equal the in-memory one byte for byte.
void check_streamed_equal(const std::vector<std::string>& args, const std::string& out,
                          const std::string& streamed, const TempDir& dir) {
  const auto whole = run_fftconv(joined(args, {"-o", out, "-q"}), dir);
  REQUIRE_MESSAGE(whole.exit_code == 0, whole.err);
  const std::size_t least = least_budget(joined(args, {"-o", streamed}), dir);
  for (const std::size_t budget : {least, least * 3 / 2}) {
    const auto r = run_fftconv(
        joined(args, {"-o", streamed, "-q", "--max-memory", std::to_string(budget)}), dir);
    REQUIRE_MESSAGE(r.exit_code == 0, r.err);
    REQUIRE(read_bytes(streamed) == read_bytes(out));
  }
}

/// check_streamed_equal of `args` with --mode and --boundary added, for every mode and each of
/// `boundaries`.
void check_modes(const std::vector<std::string>& args, const std::vector<const char*>& boundaries,
                 const std::string& out, const std::string& streamed, const TempDir& dir) {
  for (const char* mode : {"full", "same", "valid"})
    for (const char* boundary : boundaries) {
      CAPTURE(mode);
      CAPTURE(boundary);
      check_streamed_equal(joined(args, {"--mode", mode, "--boundary", boundary}), out, streamed,
                           dir);
    }
}

}  // namespace

TEST_CASE("streaming: every mode, boundary rule and operation, bit for bit with direct sums") {
  const TempDir dir;
  // 41 rows; the kernel 6 rows tall (even) and 3 wide: bands of 1 row are shorter than it.
  fftconv::io::write_image(dir / "im.npy", random_image(Shape{41, 23}, PixelType::f32, 1));
  fftconv::io::write_image(dir / "k.npy", random_image(Shape{6, 3}, PixelType::f32, 2));
  for (const char* command : {"convolve", "correlate"})
    for (const char* mode : {"full", "same", "valid"})
      for (const char* boundary : {"zero", "constant", "reflect", "mirror", "nearest", "wrap"}) {
        CAPTURE(command);
        CAPTURE(mode);
        CAPTURE(boundary);
        std::vector<std::string> args{command,      dir / "im.npy", dir / "k.npy", "--mode", mode,
                                      "--boundary", boundary,       "--method",    "direct"};
        if (std::string(boundary) == "constant") args.insert(args.end(), {"--fill", "7.5"});
        check_streamed_equal(args, dir / "whole.npy", dir / "streamed.npy", dir);
      }
}

TEST_CASE("streaming: a 3-D volume with an even kernel, bit for bit with direct sums") {
  const TempDir dir;
  fftconv::io::write_image(dir / "vol.npy", random_image(Shape{13, 10, 11}, PixelType::f32, 3));
  fftconv::io::write_image(dir / "k.npy", random_image(Shape{4, 3, 2}, PixelType::f32, 4));
  check_modes({"correlate", dir / "vol.npy", dir / "k.npy", "--method", "direct"},
              {"zero", "reflect", "wrap"}, dir / "whole.npy", dir / "streamed.npy", dir);
  // A 2-D kernel filters every plane of the stack.
  fftconv::io::write_image(dir / "k2.npy", random_image(Shape{5, 4}, PixelType::f32, 5));
  check_streamed_equal(
      {"convolve", dir / "vol.npy", dir / "k2.npy", "--boundary", "mirror", "--method", "direct"},
      dir / "whole.npy", dir / "streamed.npy", dir);
}

TEST_CASE("streaming: FITS in and out, the header's cards and HISTORY as in memory") {
  const TempDir dir;
  Image image = random_image(Shape{37, 29}, PixelType::f32, 6);
  image.metadata.fits_cards = {"CRPIX1  =                 10.5 / reference pixel",
                               "CRPIX2  =                 12.0 / reference pixel",
                               "BUNIT   = 'Jy/beam '           / units"};
  fftconv::io::write_image(dir / "im.fits", image);
  fftconv::io::write_image(dir / "k.npy", random_image(Shape{5, 7}, PixelType::f32, 7));
  // (FITS out: the whole file, header included, equals the in-memory run's.)
  check_modes({"convolve", dir / "im.fits", dir / "k.npy", "--method", "direct"},
              {"zero", "nearest", "mirror"}, dir / "whole.fits", dir / "streamed.fits", dir);
  // A FITS image to .npy and back, and an HDU selector.
  check_streamed_equal({"correlate", dir / "im.fits[0]", dir / "k.npy", "--method", "direct"},
                       dir / "whole.npy", dir / "streamed.npy", dir);
}

TEST_CASE("streaming: float64 and integer inputs, converted outputs, bit for bit") {
  const TempDir dir;
  fftconv::io::write_image(dir / "k.npy", random_image(Shape{3, 4}, PixelType::f64, 8));
  fftconv::io::write_image(dir / "f64.npy", random_image(Shape{33, 17}, PixelType::f64, 9));
  check_streamed_equal({"convolve", dir / "f64.npy", dir / "k.npy", "--method", "direct"},
                       dir / "whole.npy", dir / "streamed.npy", dir);
  // int16 in (computed in double, written float32), and written back as int16 (clipped).
  fftconv::io::write_image(dir / "i16.npy",
                           random_image(Shape{33, 17}, PixelType::i16, 10, -30000, 30000));
  check_streamed_equal({"convolve", dir / "i16.npy", dir / "k.npy", "--method", "direct"},
                       dir / "whole.npy", dir / "streamed.npy", dir);
  check_streamed_equal({"convolve", dir / "i16.npy", dir / "k.npy", "--method", "direct", "--dtype",
                        "int16", "--boundary", "reflect"},
                       dir / "whole.fits", dir / "streamed.fits", dir);
  const Image out = fftconv::io::read_image(dir / "streamed.fits");
  CHECK(out.type == PixelType::i16);
  CHECK(out.shape == Shape{33, 17});
}

TEST_CASE("streaming: a budget too small for one output row is refused, nothing written") {
  const TempDir dir;
  fftconv::io::write_image(dir / "im.npy", random_image(Shape{40, 50}, PixelType::f32, 11));
  fftconv::io::write_image(dir / "k.npy", random_image(Shape{9, 9}, PixelType::f32, 12));
  const auto r = run_fftconv(
      {"convolve", dir / "im.npy", dir / "k.npy", "-o", dir / "out.npy", "--max-memory", "2K"},
      dir);
  CHECK(r.exit_code == 1);
  CHECK(contains(r.err, "im.npy: streaming it a band of rows at a time needs at least"));
  CHECK(contains(r.err,
                 "(one output row and its 8 halo rows), more than the memory budget "
                 "(--max-memory) of 2048 bytes; give --max-memory"));
  CHECK(dir.files() == std::vector<std::string>{"im.npy", "k.npy"});
  // What cannot be streamed is refused as too large, saying why.
  fftconv::io::write_image(dir / "mask.npy", random_image(Shape{40, 50}, PixelType::u8, 13));
  const auto masked = run_fftconv({"convolve", dir / "im.npy", dir / "k.npy", "-o", dir / "out.npy",
                                   "--mask", dir / "mask.npy", "--max-memory", "6K"},
                                  dir);
  CHECK(masked.exit_code == 1);
  CHECK(contains(masked.err,
                 "cannot be streamed a band of rows at a time: --mask and "
                 "--weight-out are not streamed"));
  const auto tiff = run_fftconv(
      {"convolve", dir / "im.npy", dir / "k.npy", "-o", dir / "out.tif", "--max-memory", "6K"},
      dir);
  CHECK(tiff.exit_code == 1);
  CHECK(contains(tiff.err, "streaming writes .npy and uncompressed FITS outputs only"));
  CHECK(dir.files() == std::vector<std::string>{"im.npy", "k.npy", "mask.npy"});
}

TEST_CASE("streaming: the issue's 64 MiB float32 image under --max-memory 8M") {
  const TempDir dir;
  fftconv::io::write_image(dir / "im.npy", random_image(Shape{4096, 4096}, PixelType::f32, 14));
  fftconv::io::write_image(dir / "k.npy", random_image(Shape{17, 17}, PixelType::f32, 15));
  fftconv::io::write_image(dir / "k5.npy", random_image(Shape{5, 5}, PixelType::f32, 16));
  const auto run = [&](const std::string& kernel, const std::string& out,
                       std::vector<std::string> extra) {
    const auto r = run_fftconv(
        joined({"convolve", dir / "im.npy", dir / kernel, "-o", dir / out, "-q"}, extra), dir);
    REQUIRE_MESSAGE(r.exit_code == 0, r.err);
  };
  // Direct sums: bit for bit.
  run("k5.npy", "whole.npy", {"--method", "direct"});
  run("k5.npy", "streamed.npy", {"--method", "direct", "--max-memory", "8M"});
  CHECK(read_bytes(dir / "streamed.npy") == read_bytes(dir / "whole.npy"));
  // The automatic method (FFTs of the whole image against overlap-save tiles of each band):
  // each result is within c u log2(N) of the exact one relative to the largest output (the FFT
  // error model, N the points of a transform, at most the image's 2^24, c = 8 for the forward
  // and inverse transforms and the product), so the two are within twice that of each other.
  run("k.npy", "whole.npy", {});
  run("k.npy", "streamed.npy", {"--max-memory", "8M"});
  const std::vector<double> want =
      fftconv::io::to_values<double>(fftconv::io::read_image(dir / "whole.npy"));
  const Image got = fftconv::io::read_image(dir / "streamed.npy");
  REQUIRE(got.shape == Shape{4096, 4096});
  const double u = std::numeric_limits<float>::epsilon() / 2;
  const double tolerance = 2 * 8 * u * std::log2(4096.0 * 4096.0);
  CHECK(fftconv::test::relative_difference(got, want) <= tolerance);
}
