// The fftconv program's defects found in review: the progress bar across the channel/frame
// volumes of ImageJ hyperstacks and RGB(A) files, the --mask shape check on such files, output
// names from .fits.gz inputs and --format, and out-of-memory messages that name the file.
#include <doctest/doctest.h>

#include <algorithm>
#include <filesystem>
#include <memory>
#include <string>
#include <vector>

#include "fftconv/match.hpp"
#include "io/convert.hpp"
#include "io/files.hpp"
#include "tool_test_support.hpp"

using fftconv::Shape;
using fftconv::io::Image;
using fftconv::io::PixelType;
using fftconv::test::Launch;
using fftconv::test::on_terminal;
using fftconv::test::planes_of;
using fftconv::test::run_fftconv;
using fftconv::test::TempDir;

namespace {

/// A float32 ImageJ hyperstack of `channels` channels of `slices` slices (one frame), 16 x 20.
Image hyperstack(std::size_t channels, std::size_t slices) {
  Image image =
      fftconv::test::random_image(Shape{channels * slices, 16, 20}, PixelType::f32, 21, 0, 100);
  image.metadata.layout.channels = channels;
  return image;
}

/// An 8-bit RGB image, 16 x 20.
Image rgb_image() {
  Image image = fftconv::test::random_image(Shape{3, 16, 20}, PixelType::u8, 22, 0, 255);
  image.metadata.layout.channels = 3;
  image.metadata.layout.rgb = true;
  return image;
}

/// Checks that the bar drew "<what>, plane 1/total" ... "plane total/total" in that order.
void check_counts_to(const std::string& err, const std::string& what, std::size_t total) {
  std::size_t at = 0;
  for (std::size_t step = 1; step <= total; ++step) {
    const std::string drawn =
        what + ", plane " + std::to_string(step) + "/" + std::to_string(total) + " ";
    const std::size_t found = err.find(drawn, at);
    REQUIRE_MESSAGE(found != std::string::npos, drawn << " not drawn (in order) in: " << err);
    at = found + 1;
  }
}

}  // namespace

TEST_CASE("progress: the planes of a hyperstack's channel volumes are counted across volumes") {
  if (!fftconv::test::pseudo_terminal_available()) return;
  const TempDir dir;
  fftconv::io::write_image(dir / "hyper.tif", hyperstack(2, 4));
  fftconv::io::write_image(dir / "k.npy",
                           fftconv::test::random_image(Shape{3, 3}, PixelType::f32, 3, 0, 1));
  // A 2-D kernel by direct sums: each channel's 4 slices plane by plane, 8 planes in all.
  const auto r = run_fftconv(
      {"convolve", dir / "hyper.tif", dir / "k.npy", "-o", dir / "out.tif", "--method", "direct"},
      dir, on_terminal());
  REQUIRE(r.exit_code == 0);
  check_counts_to(r.err, "filtering hyper.tif", 8);
  CHECK(r.err.find("plane 1/4") == std::string::npos);  // (no count restarting per channel)
  // By FFT each channel's volume is transformed whole: the bar counts the volumes.
  const auto fft = run_fftconv(
      {"convolve", dir / "hyper.tif", dir / "k.npy", "-o", dir / "out.tif", "--method", "fft"}, dir,
      on_terminal());
  REQUIRE(fft.exit_code == 0);
  const std::size_t first = fft.err.find("filtering hyper.tif, volume 1/2 ");
  CHECK_MESSAGE(first != std::string::npos, fft.err);
  CHECK(fft.err.find("filtering hyper.tif, volume 2/2 ", first) != std::string::npos);
}

TEST_CASE("progress: an RGB file's colour channels (2-D volumes) are steps of the bar") {
  if (!fftconv::test::pseudo_terminal_available()) return;
  const TempDir dir;
  fftconv::io::write_image(dir / "rgb.tif", rgb_image());
  const auto r = run_fftconv({"blur", dir / "rgb.tif", "--sigma", "1", "-o", dir / "out.tif"}, dir,
                             on_terminal());
  REQUIRE(r.exit_code == 0);
  check_counts_to(r.err, "filtering rgb.tif", 3);
}

TEST_CASE("--mask on an RGB or hyperstack file has the shape of one channel/frame volume") {
  const TempDir dir;
  const Image rgb = rgb_image();
  fftconv::io::write_image(dir / "rgb.tif", rgb);
  fftconv::io::write_image(dir / "k.npy",
                           fftconv::test::random_image(Shape{3, 3}, PixelType::f64, 3, 0, 1));
  Image mask = fftconv::test::random_image(Shape{16, 20}, PixelType::u8, 4, 0, 1.6);
  fftconv::io::write_image(dir / "mask.npy", mask);
  // The file's own shape is refused, with a message that says what a mask must be.
  fftconv::io::write_image(dir / "mask3.npy",
                           fftconv::test::random_image(Shape{3, 16, 20}, PixelType::u8, 4, 0, 1));
  auto r = run_fftconv({"convolve", dir / "rgb.tif", dir / "k.npy", "--mask", dir / "mask3.npy",
                        "-o", dir / "out.tif"},
                       dir);
  CHECK(r.exit_code == 1);
  CHECK_MESSAGE(r.err.find("mask3.npy: the mask is 3x16x20 but each channel/frame volume of " +
                           dir / "rgb.tif" + " is 16x20") != std::string::npos,
                r.err);
  CHECK(!std::filesystem::exists(dir / "out.tif"));
  // A mask of one volume's shape applies to every channel alike.
  r = run_fftconv({"convolve", dir / "rgb.tif", dir / "k.npy", "--mask", dir / "mask.npy", "-o",
                   dir / "out.tif"},
                  dir);
  REQUIRE(r.exit_code == 0);
  const Image out = fftconv::io::read_image(dir / "out.tif");
  for (std::size_t c = 0; c < 3; ++c) {
    CAPTURE(c);
    fftconv::io::write_image(dir / "alone.tif", planes_of(rgb, c, 1));
    r = run_fftconv({"convolve", dir / "alone.tif", dir / "k.npy", "--mask", dir / "mask.npy", "-o",
                     dir / "alone_out.tif"},
                    dir);
    REQUIRE(r.exit_code == 0);
    CHECK(fftconv::io::read_image(dir / "alone_out.tif").bytes == planes_of(out, c, 1).bytes);
  }
  // A plain (not split) image keeps its message.
  fftconv::io::write_image(dir / "im.npy", planes_of(rgb, 0, 1));
  r = run_fftconv(
      {"convolve", dir / "im.npy", dir / "k.npy", "--mask", dir / "mask3.npy", "-o", dir / "o.npy"},
      dir);
  CHECK(r.exit_code == 1);
  CHECK(r.err.find("mask3.npy: the mask is 3x16x20 but " + dir / "im.npy" + " is 16x20") !=
        std::string::npos);
}

TEST_CASE("-o DIR --format: a .fits.gz input's name loses both extensions") {
  const TempDir dir;
  fftconv::io::write_image(dir / "a.fits.gz",
                           fftconv::test::random_image(Shape{8, 9}, PixelType::f32, 5));
  fftconv::io::write_image(dir / "b.fit.GZ",
                           fftconv::test::random_image(Shape{8, 9}, PixelType::f32, 6));
  for (const std::string format : {"npy", "fits", "fits.gz"}) {
    CAPTURE(format);
    const std::string out = dir / ("out_" + format);
    const auto r = run_fftconv({"blur", dir / "a.fits.gz", dir / "b.fit.GZ", "--sigma", "1", "-o",
                                out, "--format", format},
                               dir);
    REQUIRE(r.exit_code == 0);
    std::vector<std::string> names;
    for (const auto& e : std::filesystem::directory_iterator(out))
      names.push_back(e.path().filename().string());
    std::sort(names.begin(), names.end());
    CHECK(names == std::vector<std::string>{"a." + format, "b." + format});
  }
}

TEST_CASE("running out of memory after reading names the file, what was allocated, the bytes") {
#ifdef FFTCONV_TEST_SANITIZED
  MESSAGE("skipped: a sanitizer's shadow memory does not fit an address-space limit");
#else
  const TempDir dir;
  // A 2048 x 4096 float64 image (64 MiB) reads within 1.5 GiB of address space; its full
  // convolution with a 1 x 126977 kernel, 2048 x 131072 float64, needs 2 GiB more.
  fftconv::io::write_image(dir / "im.npy",
                           Image{Shape{2048, 4096}, PixelType::f64,
                                 fftconv::io::PixelBytes(std::size_t{2048} * 4096 * 8, 0)});
  fftconv::io::write_image(dir / "k.npy",
                           fftconv::test::random_image(Shape{1, 126977}, PixelType::f64, 7));
  Launch how;
  how.address_space = rlim_t{3} << 29;
  const auto r = run_fftconv({"convolve", dir / "im.npy", dir / "k.npy", "--mode", "full", "-o",
                              dir / "o.npy", "--max-memory", "8G"},
                             dir, how);
  CHECK(r.exit_code == 1);
  CHECK_MESSAGE(r.err.find("im.npy: out of memory while allocating the 2048x131072 float64 result "
                           "(2147483648 bytes)") != std::string::npos,
                r.err);
  CHECK(std::count(r.err.begin(), r.err.end(), '\n') == 1);
  CHECK(!std::filesystem::exists(dir / "o.npy"));
  // (The same limit leaves room for an ordinary run.)
  fftconv::io::write_image(dir / "k3.npy",
                           fftconv::test::random_image(Shape{3, 3}, PixelType::f64, 8));
  CHECK(run_fftconv(
            {"convolve", dir / "im.npy", dir / "k3.npy", "-o", dir / "o.npy", "--max-memory", "8G"},
            dir, how)
            .exit_code == 0);
#endif
}

TEST_CASE("match --template-mask: its non-zero pixels (any sign, fractions) are the template") {
  const TempDir dir;
  const Image image = fftconv::test::random_image(Shape{24, 20}, PixelType::f64, 9, 0, 10);
  const Image templ = fftconv::test::random_image(Shape{5, 4}, PixelType::f64, 10, 0, 10);
  fftconv::io::write_image(dir / "im.npy", image);
  fftconv::io::write_image(dir / "t.npy", templ);
  std::vector<double> mask_values(20);
  std::unique_ptr<bool[]> use(new bool[20]);
  for (std::size_t i = 0; i < 20; ++i) {
    mask_values[i] = i % 3 == 0 ? 0 : i % 3 == 1 ? -1 : 0.25;
    use[i] = mask_values[i] != 0;
  }
  fftconv::io::Conversion report;
  fftconv::io::write_image(dir / "m.npy", fftconv::io::from_values(Shape{5, 4}, mask_values.data(),
                                                                   PixelType::f64, report));
  auto r = run_fftconv({"match", dir / "im.npy", dir / "t.npy", "--template-mask", dir / "m.npy",
                        "-o", dir / "score.npy", "--dtype", "float64"},
                       dir);
  REQUIRE(r.exit_code == 0);
  const std::vector<double> got =
      fftconv::io::to_values<double>(fftconv::io::read_image(dir / "score.npy"));
  const std::vector<double> in = fftconv::io::to_values<double>(image);
  const std::vector<double> t = fftconv::io::to_values<double>(templ);
  std::vector<double> want(20 * 17);
  fftconv::match_template(fftconv::ConstView<double>(in.data(), image.shape),
                          fftconv::ConstView<double>(t.data(), templ.shape),
                          fftconv::ConstView<bool>(use.get(), templ.shape),
                          fftconv::View<double>(want.data(), Shape{20, 17}), fftconv::Options{});
  REQUIRE(got.size() == want.size());
  for (std::size_t i = 0; i < got.size(); ++i)
    CHECK(got[i] == doctest::Approx(want[i]).epsilon(1e-9));
  // A mask of another shape than the template's is refused, naming both.
  fftconv::io::write_image(dir / "m2.npy",
                           fftconv::test::random_image(Shape{4, 5}, PixelType::u8, 11, 0, 1));
  r = run_fftconv({"match", dir / "im.npy", dir / "t.npy", "--template-mask", dir / "m2.npy"}, dir);
  CHECK(r.exit_code == 1);
  CHECK(r.err.find("m2.npy: the template mask is 4x5 but the template " + dir / "t.npy" +
                   " is 5x4") != std::string::npos);
}
