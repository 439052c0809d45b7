// The `fftconv` program, run as a user runs it, on files the tests write: its results against
// the library's own, every format and pixel type, the options, and its failures (exit codes,
// one-line messages naming the file, nothing written).
#include <doctest/doctest.h>

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <limits>
#include <memory>
#include <string>
#include <vector>

#include "fftconv/fftconv.hpp"
#include "io/convert.hpp"
#include "io/files.hpp"
#include "tool_test_support.hpp"

using fftconv::Shape;
using fftconv::io::Image;
using fftconv::io::PixelType;
using fftconv::test::library_result;
using fftconv::test::run_fftconv;
using fftconv::test::TempDir;
using fftconv::test::write_image_and_kernel;

namespace {

/// The program's output equals the library's result stored as the output's pixel type.
template <class T>
void check_output(const std::string& path, const std::vector<T>& expected, const Shape& shape,
                  PixelType type) {
  const Image out = fftconv::io::read_image(path);
  fftconv::io::Conversion report;
  const Image want = fftconv::io::from_values(shape, expected.data(), type, report);
  CHECK(out.shape == shape);
  CHECK(out.type == type);
  CHECK(out.bytes == want.bytes);
}

/// The pixel types each format reads.
std::vector<PixelType> readable_types(const std::string& ext) {
  if (ext == ".png") return {PixelType::u8, PixelType::u16};
  return {PixelType::u8,  PixelType::i8,  PixelType::u16, PixelType::i16, PixelType::u32,
          PixelType::i32, PixelType::u64, PixelType::i64, PixelType::f32, PixelType::f64};
}

std::size_t lines(const std::string& s) {
  return static_cast<std::size_t>(std::count(s.begin(), s.end(), '\n'));
}

}  // namespace

TEST_CASE("fftconv convolve: every format and pixel type, written as the library computes it") {
  TempDir dir;
  const Image kernel = fftconv::test::random_image(Shape{3, 5}, PixelType::f64, 99, -1, 1);
  fftconv::io::write_image(dir / "k.npy", kernel);
  for (const char* ext : {".npy", ".fits", ".tif", ".png"})
    for (PixelType type : readable_types(ext)) {
      CAPTURE(ext);
      CAPTURE(fftconv::io::name(type));
      const Image image = fftconv::test::random_image(Shape{12, 17}, type, 4);
      const std::string in = dir / (std::string("in") + ext);
      fftconv::io::write_image(in, image);
      // Into the same format (the default pixel type) and into .npy.
      const std::string out = dir / (std::string("out") + ext);
      const auto r = run_fftconv({"convolve", in, dir / "k.npy", "-o", out, "--quiet"}, dir);
      REQUIRE(r.exit_code == 0);
      CHECK(r.err.empty());
      Shape shape;
      const bool in_double = type != PixelType::f32;
      const PixelType out_type = std::string(ext) == ".png"       ? type
                                 : !fftconv::io::is_integer(type) ? type
                                                                  : PixelType::f32;
      if (in_double)
        check_output(out,
                     library_result<double>(image, kernel, fftconv::Operation::convolve, {}, shape),
                     shape, out_type);
      else
        check_output(out,
                     library_result<float>(image, kernel, fftconv::Operation::convolve, {}, shape),
                     shape, out_type);
    }
}

TEST_CASE("fftconv correlate with options: mode, boundary, fill, method, precision, type") {
  TempDir dir;
  const Image image = fftconv::test::random_image(Shape{20, 15}, PixelType::u16, 1, 0, 60000);
  const Image kernel = fftconv::test::random_image(Shape{4, 3}, PixelType::f32, 2, -1, 1);
  fftconv::io::write_image(dir / "im.tif", image);
  fftconv::io::write_image(dir / "k.fits", kernel);
  struct Case {
    std::vector<std::string> args;
    fftconv::Options options;
  };
  fftconv::Options valid;
  valid.mode = fftconv::Mode::valid;
  valid.method = fftconv::Method::fft;
  fftconv::Options filled;
  filled.mode = fftconv::Mode::full;
  filled.boundary = fftconv::Boundary::constant;
  filled.fill_value = 2.5;
  filled.method = fftconv::Method::direct;
  fftconv::Options mirrored;
  mirrored.boundary = fftconv::Boundary::mirror;
  mirrored.threads = 2;
  mirrored.planning = fftconv::Planning::measure;
  fftconv::Options normalized;
  normalized.normalize_kernel = true;
  normalized.method = fftconv::Method::direct;
  const Case cases[] = {
      {{"--normalize-kernel", "--method", "direct"}, normalized},
      {{"--mode", "valid", "--method", "fft"}, valid},
      {{"--mode", "full", "--fill", "2.5", "--method", "direct"}, filled},
      {{"--boundary", "MIRROR", "--threads", "2", "--planning", "measure"}, mirrored},
  };
  for (const Case& c : cases) {
    std::vector<std::string> args{"correlate", dir / "im.tif", dir / "k.fits",
                                  "-o",        dir / "o.npy",  "--precision",
                                  "float",     "--type",       "f32"};
    args.insert(args.end(), c.args.begin(), c.args.end());
    CAPTURE(c.args[1]);
    const auto r = run_fftconv(args, dir);
    REQUIRE(r.exit_code == 0);
    Shape shape;
    const auto want =
        library_result<float>(image, kernel, fftconv::Operation::correlate, c.options, shape);
    check_output(dir / "o.npy", want, shape, PixelType::f32);
  }
}

TEST_CASE("fftconv blur: scipy's Gaussian (radius int(4 sigma + 0.5)), per-axis sigma and size") {
  TempDir dir;
  const Image image = fftconv::test::random_image(Shape{6, 30, 40}, PixelType::f64, 3);
  fftconv::io::write_image(dir / "stack.npy", image);
  // The reference kernel, built here: exp(-x^2 / 2 sigma^2) normalized per axis; sigma 0 = 1 tap.
  const auto taps = [](double sigma, int radius) {
    std::vector<double> t;
    double sum = 0;
    for (int x = -radius; x <= radius; ++x) {
      t.push_back(sigma == 0 ? (x == 0) : std::exp(-x * x / (2 * sigma * sigma)));
      sum += t.back();
    }
    for (double& v : t)
      v /= sum;
    return t;
  };
  struct Case {
    std::vector<std::string> args;
    double sigma[3];
    int radius[3];
  };
  const Case cases[] = {
      {{"--sigma", "0,1.5,2"}, {0, 1.5, 2}, {0, 6, 8}},
      {{"--sigma", "1", "--size", "1,5,3"}, {1, 1, 1}, {0, 2, 1}},
  };
  for (const Case& c : cases) {
    std::vector<std::string> args{"blur",        dir / "stack.npy", "-o",
                                  dir / "b.npy", "--boundary",      "reflect"};
    args.insert(args.end(), c.args.begin(), c.args.end());
    CAPTURE(c.args[1]);
    REQUIRE(run_fftconv(args, dir).exit_code == 0);
    const auto t0 = taps(c.sigma[0], c.radius[0]), t1 = taps(c.sigma[1], c.radius[1]),
               t2 = taps(c.sigma[2], c.radius[2]);
    std::vector<double> k;
    for (double a : t0)
      for (double b : t1)
        for (double d : t2)
          k.push_back(a * b * d);
    Image kernel{Shape{t0.size(), t1.size(), t2.size()}, PixelType::f64, {}};
    kernel.bytes.resize(k.size() * sizeof(double));
    std::memcpy(kernel.bytes.data(), k.data(), kernel.bytes.size());
    fftconv::Options options;
    options.boundary = fftconv::Boundary::reflect;
    Shape shape;
    const auto want =
        library_result<double>(image, kernel, fftconv::Operation::convolve, options, shape);
    const std::vector<double> got =
        fftconv::io::to_values<double>(fftconv::io::read_image(dir / "b.npy"));
    REQUIRE(got.size() == want.size());
    double worst = 0;
    for (std::size_t i = 0; i < got.size(); ++i)
      worst = std::max(worst, std::abs(got[i] - want[i]));
    // Kernels built by two programs differ by rounding: a few eps of the largest value (200).
    CHECK(worst <= 16 * std::numeric_limits<double>::epsilon() * 200);
  }
}

TEST_CASE("a 2-D kernel filters every page of a TIFF stack and several images go to -o DIR") {
  TempDir dir;
  const Image stack = fftconv::test::random_image(Shape{3, 16, 18}, PixelType::u8, 5, 0, 255);
  const Image plane = fftconv::test::random_image(Shape{10, 9}, PixelType::f32, 6);
  const Image kernel = fftconv::test::random_image(Shape{5, 5}, PixelType::f64, 7, 0, 0.04);
  fftconv::io::write_image(dir / "stack.tif", stack);
  fftconv::io::write_image(dir / "plane.png",
                           fftconv::test::random_image(Shape{10, 9}, PixelType::u8, 8, 0, 255));
  fftconv::io::write_image(dir / "plane.npy", plane);
  fftconv::io::write_image(dir / "k.npy", kernel);
  const auto r = run_fftconv({"convolve", dir / "stack.tif", dir / "plane.npy", dir / "k.npy", "-o",
                              dir / "results", "--format", "fits"},
                             dir);
  REQUIRE(r.exit_code == 0);
  Shape shape;
  const auto stack_want =
      library_result<double>(stack, kernel, fftconv::Operation::convolve, {}, shape);
  CHECK(shape == Shape{3, 16, 18});
  check_output(dir / "results/stack.fits", stack_want, shape, PixelType::f32);  // (integer input)
  // Each page equals the 2-D convolution of that page (stored as float32 alike).
  const Image page0{Shape{16, 18}, PixelType::u8,
                    fftconv::io::PixelBytes(stack.bytes.begin(), stack.bytes.begin() + 16 * 18)};
  Shape page_shape;
  const auto page_want =
      library_result<double>(page0, kernel, fftconv::Operation::convolve, {}, page_shape);
  fftconv::io::Conversion report;
  const Image page_stored =
      fftconv::io::from_values(page_shape, page_want.data(), PixelType::f32, report);
  const Image got = fftconv::io::read_image(dir / "results/stack.fits");
  CHECK(fftconv::io::PixelBytes(got.bytes.begin(), got.bytes.begin() + 16 * 18 * 4) ==
        page_stored.bytes);
  const auto plane_want =
      library_result<float>(plane, kernel, fftconv::Operation::convolve, {}, shape);
  check_output(dir / "results/plane.fits", plane_want, shape, PixelType::f32);
  // Two inputs with one file name would collide in DIR.
  const auto clash = run_fftconv({"convolve", dir / "plane.npy", dir / "plane.png", dir / "k.npy",
                                  "-o", dir / "clash", "--format", "npy"},
                                 dir);
  CHECK(clash.exit_code == 2);
  CHECK(clash.err.find("same file name") != std::string::npos);
}

TEST_CASE("fftconv compare prints both timings and the difference of FFT and direct") {
  TempDir dir;
  write_image_and_kernel(dir, Shape{40, 50}, Shape{9, 9}, PixelType::f64, "im.npy", 1);
  const auto r = run_fftconv(
      {"compare", dir / "im.npy", dir / "k.npy", "--repeat", "3", "--boundary", "wrap"}, dir);
  REQUIRE(r.exit_code == 0);
  for (const char* key : {"automatic ", "fft ", "direct ", "max_abs ", "max_rel ", "rms "}) {
    CAPTURE(key);
    CHECK(r.out.find(std::string("\n") + key) != std::string::npos);
  }
  const std::size_t at = r.out.find("max_rel");
  REQUIRE(at != std::string::npos);
  const double max_rel = std::stod(r.out.substr(at + 7));
  CHECK(max_rel < 1e-13);
  CHECK(max_rel >= 0);
}

TEST_CASE("bad input: exit 1, one line naming the file, nothing written") {
  TempDir dir;
  write_image_and_kernel(dir);
  fftconv::io::write_image(dir / "k3.npy",
                           fftconv::test::random_image(Shape{2, 3, 3}, PixelType::f64, 2));
  auto npy = fftconv::test::read_bytes(dir / "im.npy");
  fftconv::test::write_bytes(dir / "header.npy",
                             std::vector<unsigned char>(npy.begin(), npy.begin() + 40));
  fftconv::test::write_bytes(dir / "data.npy",
                             std::vector<unsigned char>(npy.begin(), npy.end() - 8));
  std::string half_header(npy.begin(), npy.begin() + 128);
  half_header.replace(half_header.find("<f8"), 3, "<f2");  // (float16: not read)
  fftconv::test::write_bytes(dir / "half.npy",
                             std::vector<unsigned char>(half_header.begin(), half_header.end()));
  fftconv::test::write_bytes(dir / "bad.png", {0x89, 'P', 'N', 'G', 13, 10, 26, 10, 0, 0, 0, 13,
                                               'I', 'H', 'D', 'R', 0, 0});
  fftconv::test::write_bytes(dir / "bad.fits", std::vector<unsigned char>(2880, ' '));
  fftconv::test::write_bytes(dir / "bad.tif", {'I', 'I', 42, 0, 200, 0, 0, 0});
  fftconv::test::write_bytes(dir / "im.jpg", {0xff, 0xd8});
  const std::vector<std::string> before = dir.files();
  const std::pair<std::vector<std::string>, std::string> cases[] = {
      {{"convolve", dir / "missing.npy", dir / "k.npy"}, "missing.npy: No such file or directory"},
      {{"convolve", dir / "im.jpg", dir / "k.npy"}, "im.jpg: unknown extension '.jpg'"},
      {{"convolve", dir / "header.npy", dir / "k.npy"}, "header.npy: truncated .npy header"},
      {{"convolve", dir / "data.npy", dir / "k.npy"}, "data.npy: truncated .npy data"},
      {{"convolve", dir / "half.npy", dir / "k.npy"}, "half.npy: unsupported .npy dtype '<f2'"},
      {{"convolve", dir / "bad.png", dir / "k.npy"}, "bad.png: corrupt PNG"},
      {{"convolve", dir / "bad.fits", dir / "k.npy"}, "bad.fits: FITS error"},
      {{"convolve", dir / "bad.tif", dir / "k.npy"}, "bad.tif: TIFF error"},
      {{"convolve", dir / "im.npy", dir / "k3.npy"}, "k3.npy: the kernel is 3-D but"},
      {{"convolve", dir / "im.npy", dir / "header.npy"}, "header.npy: truncated .npy header"},
      {{"correlate", dir / "im.npy", dir / "k3.npy"}, "k3.npy: the kernel is 3-D"},
      {{"blur", dir / "data.npy", "--sigma", "1"}, "data.npy: truncated"},
  };
  for (const char* ext : {".npy", ".png"})
    for (const auto& c : cases) {
      const std::string& message = c.second;  // (no structured binding: CAPTURE is a lambda)
      std::vector<std::string> a = c.first;
      a.push_back("-o");
      a.push_back(dir / (std::string("out") + ext));
      CAPTURE(message);
      const auto r = run_fftconv(a, dir);
      CHECK(r.exit_code == 1);
      CHECK(r.err.find("fftconv: error: ") == 0);
      CHECK(r.err.find(message) != std::string::npos);
      CHECK(lines(r.err) == 1);
      CHECK(dir.files() == before);  // no output, no temporary
    }
  const auto r = run_fftconv(
      {"convolve", dir / "im.npy", dir / "k.npy", "-o", dir / "no/such/dir/x.npy"}, dir);
  CHECK(r.exit_code == 1);
  CHECK(r.err.find("cannot create a file there") != std::string::npos);
  const auto valid = run_fftconv(
      {"convolve", dir / "k.npy", dir / "im.npy", "--mode", "valid", "-o", dir / "v.npy"}, dir);
  CHECK(valid.exit_code == 1);
  CHECK(valid.err.find("k.npy: ") != std::string::npos);
  CHECK(dir.files() == before);
}

TEST_CASE("usage errors exit 2") {
  TempDir dir;
  write_image_and_kernel(dir);
  const std::string im = dir / "im.npy", k = dir / "k.npy", out = dir / "o.npy";
  const std::vector<std::string> cases[] = {
      {},
      {"frobnicate"},
      {"convolve", im, k},
      {"convolve", im, "-o", out},
      {"convolve", im, k, "-o", out, "--mode", "bogus"},
      {"convolve", im, k, "-o", out, "--threads", "-1"},
      {"convolve", im, k, "-o", out, "--fill", "1", "--boundary", "wrap"},
      {"convolve", im, k, "-o", out, "--type", "complex256"},
      {"convolve", im, k, "-o", dir / "o.fits", "--type", "complex64"},
      {"convolve", im, k, "-o", dir / "o.png", "--type", "float32"},
      {"convolve", im, k, "-o", out, "--format", "fits"},
      {"convolve", im, k, "-o", im},
      {"blur", im, "-o", out},
      {"blur", im, "-o", out, "--sigma", "1,2,3"},
      {"blur", im, "-o", out, "--sigma", "1", "--size", "4"},
      {"blur", im, "-o", out, "--sigma", "-1"},
      {"blur", im, "-o", out, "--sigma", "nan"},
      {"blur", im, "-o", out, "--sigma", "1e300"},
      {"blur", im, "-o", dir / "o.jpg", "--sigma", "1"},
      {"blur", im, "-o", dir / "noext", "--sigma", "1"},
      {"blur", im, im, "-o", dir / "d", "--format", "jpg", "--sigma", "1"},
      {"compare", im},
      {"compare", im, k, "--repeat", "0"},
      {"convolve", im, k, "-o", out, "--nan", "ignore"},
      {"convolve", im, k, "-o", out, "--min-weight", "-1"},
      {"convolve", im, im, k, "-o", dir / "d", "--weight-out", dir / "w.npy"},
      {"convolve", im, k, "-o", out, "--weight-out", out},
      {"convolve", im, k, "-o", out, "--weight-out", dir / "w.png"},
      {"match", im},
      {"match", im, k, "-o", dir / "s.png"},
      {"match", im, k, "--type", "uint8"},
      {"match", im, k, "--threshold", "2"},
      {"match", im, k, "--threshold", "nan"},
      {"convolve", im, k, "-o", out, "--min-weight", "nan"},
      {"convolve", im, k, "-o", out, "--weight-out", dir / "./o.npy"},
      {"compare", im, k, "--nan", "interpolate"},
  };
  for (const auto& args : cases) {
    CAPTURE(args.size() > 1 ? args.back() : std::string("-"));
    const auto r = run_fftconv(args, dir);
    CHECK(r.exit_code == 2);
    CHECK(!r.err.empty());
  }
  // A 3-D result for a PNG is refused before the work.
  fftconv::io::write_image(dir / "vol.npy",
                           fftconv::test::random_image(Shape{2, 8, 8}, PixelType::u8, 1));
  const auto png3d =
      run_fftconv({"blur", dir / "vol.npy", "--sigma", "1", "-o", dir / "v.png"}, dir);
  CHECK(png3d.exit_code == 2);
  CHECK(png3d.err.find("cannot hold a 3-D result") != std::string::npos);
  CHECK(dir.files() == std::vector<std::string>{"im.npy", "k.npy", "vol.npy"});
  CHECK(run_fftconv({"--help"}, dir).exit_code == 0);
  const auto version = run_fftconv({"--version"}, dir);
  CHECK(version.exit_code == 0);
  CHECK(version.out.find("fftconv " + std::to_string(fftconv::version_major) + ".") == 0);
}

TEST_CASE("PNG output: clipped pixels are counted in a warning that --quiet silences") {
  TempDir dir;
  fftconv::io::write_image(dir / "im.png",
                           fftconv::test::random_image(Shape{10, 10}, PixelType::u8, 1, 100, 255));
  const double two[] = {2};
  fftconv::io::Conversion report;
  fftconv::io::write_image(dir / "k.npy",
                           fftconv::io::from_values(Shape{1, 1}, two, PixelType::f64, report));
  const auto r = run_fftconv({"convolve", dir / "im.png", dir / "k.npy", "-o", dir / "o.png"}, dir);
  CHECK(r.exit_code == 0);
  // Every pixel is at least 200 after doubling: the ones above 255 (pixel > 127.5) are clipped.
  const Image image = fftconv::io::read_image(dir / "im.png");
  std::size_t over = 0;
  for (unsigned char v : image.bytes)
    over += 2.0 * v > 255.5;
  CHECK(r.err == "fftconv: warning: " + (dir / "o.png") + ": " + std::to_string(over) +
                     " pixels outside the uint8 range [0, 255] were clipped\n");
  const auto quiet =
      run_fftconv({"convolve", dir / "im.png", dir / "k.npy", "-o", dir / "q.png", "-q"}, dir);
  CHECK(quiet.exit_code == 0);
  CHECK(quiet.err.empty());
}

TEST_CASE("fftconv --nan, --mask and --weight-out: convolve_masked's values and coverage map") {
  TempDir dir;
  Image image = fftconv::test::random_image(Shape{16, 13}, PixelType::f32, 7, 0, 100);
  float* px = reinterpret_cast<float*>(image.bytes.data());
  px[3 * 13 + 4] = std::numeric_limits<float>::quiet_NaN();
  px[3 * 13 + 5] = std::numeric_limits<float>::infinity();
  fftconv::io::write_image(dir / "im.npy", image);
  const Image kernel = fftconv::test::random_image(Shape{5, 3}, PixelType::f64, 8, 0, 1);
  fftconv::io::write_image(dir / "k.npy", kernel);
  Image mask = fftconv::test::random_image(Shape{16, 13}, PixelType::u8, 9, 0, 0);
  for (std::size_t i = 100; i < 110; ++i)
    mask.bytes[i] = 1;
  fftconv::io::write_image(dir / "mask.tif", mask);

  // The library's convolve_masked in float (a float32 image), with the kernel as float.
  const std::vector<float> in = fftconv::io::to_values<float>(image);
  const std::vector<float> k = fftconv::io::to_values<float>(kernel);
  std::unique_ptr<bool[]> bad(new bool[in.size()]);
  for (std::size_t i = 0; i < in.size(); ++i)
    bad[i] = mask.bytes[i] != 0;
  for (const char* operation : {"convolve", "correlate"}) {
    CAPTURE(operation);
    fftconv::Options options;
    options.nan_policy = fftconv::NanPolicy::interpolate;
    options.min_weight = 0.25;
    options.boundary = fftconv::Boundary::reflect;
    std::vector<float> kk = k;
    if (std::string(operation) == "correlate") std::reverse(kk.begin(), kk.end());
    std::vector<float> values(in.size()), weight(in.size());
    fftconv::convolve_masked(fftconv::ConstView<float>(in.data(), {16, 13}),
                             fftconv::ConstView<bool>(bad.get(), {16, 13}),
                             fftconv::ConstView<float>(kk.data(), {5, 3}),
                             fftconv::View<float>(values.data(), {16, 13}),
                             fftconv::View<float>(weight.data(), {16, 13}), options);
    const auto r =
        run_fftconv({operation, dir / "im.npy", dir / "k.npy", "-o", dir / "o.npy", "--nan",
                     "interpolate", "--min-weight", "0.25", "--boundary", "reflect", "--mask",
                     dir / "mask.tif", "--weight-out", dir / "w.fits", "-q"},
                    dir);
    REQUIRE(r.exit_code == 0);
    check_output(dir / "o.npy", values, Shape{16, 13}, PixelType::f32);
    check_output(dir / "w.fits", weight, Shape{16, 13}, PixelType::f32);
  }
  // --nan fill --fill 7: the bad pixels become 7, the boundary stays zero.
  fftconv::Options fill;
  fill.nan_policy = fftconv::NanPolicy::fill;
  fill.fill_value = 7;
  Shape shape;
  std::vector<float> filled_in = in;
  filled_in[3 * 13 + 4] = 7;
  filled_in[3 * 13 + 5] = 7;
  Image filled = image;
  std::copy(filled_in.begin(), filled_in.end(), reinterpret_cast<float*>(filled.bytes.data()));
  const auto r = run_fftconv({"convolve", dir / "im.npy", dir / "k.npy", "-o", dir / "f.npy",
                              "--nan", "fill", "--fill", "7", "-q"},
                             dir);
  REQUIRE(r.exit_code == 0);
  check_output(dir / "f.npy",
               library_result<float>(filled, kernel, fftconv::Operation::convolve, {}, shape),
               shape, PixelType::f32);
  // A mask of another shape: exit 1 naming the mask file.
  fftconv::io::write_image(dir / "small.npy",
                           fftconv::test::random_image(Shape{4, 4}, PixelType::u8, 1));
  const auto wrong = run_fftconv({"convolve", dir / "im.npy", dir / "k.npy", "-o", dir / "x.npy",
                                  "--nan", "interpolate", "--mask", dir / "small.npy"},
                                 dir);
  CHECK(wrong.exit_code == 1);
  CHECK(wrong.err.find("small.npy: the mask is 4x4") != std::string::npos);
}

TEST_CASE("fftconv match writes the score map and prints the planted positions") {
  TempDir dir;
  Image image = fftconv::test::random_image(Shape{60, 50}, PixelType::f64, 3, 0, 1);
  const Image templ = fftconv::test::random_image(Shape{7, 6}, PixelType::f64, 4, 0, 1);
  double* px = reinterpret_cast<double*>(image.bytes.data());
  const double* t = reinterpret_cast<const double*>(templ.bytes.data());
  for (std::size_t r = 0; r < 7; ++r)
    for (std::size_t c = 0; c < 6; ++c) {
      px[(30 + r) * 50 + 12 + c] = 5 * t[r * 6 + c] + 2;  // contrast and offset changed
      px[(8 + r) * 50 + 40 + c] = t[r * 6 + c];
    }
  fftconv::io::write_image(dir / "im.fits", image);
  fftconv::io::write_image(dir / "t.npy", templ);
  const auto r = run_fftconv(
      {"match", dir / "im.fits", dir / "t.npy", "-o", dir / "score.npy", "--peaks", "2"}, dir);
  REQUIRE(r.exit_code == 0);
  CHECK(r.out.find("1       1.000000  (") != std::string::npos);
  CHECK(lines(r.out) == 4);
  // Both positions, sub-pixel: within half a pixel of the planted corners (either order: both
  // score 1).
  std::vector<std::pair<double, double>> found;
  std::size_t at = 0;
  while ((at = r.out.find("  (", at)) != std::string::npos) {
    double y = 0, x = 0;
    if (std::sscanf(r.out.c_str() + at, "  (%lf, %lf)", &y, &x) == 2) found.emplace_back(y, x);
    ++at;
  }
  REQUIRE(found.size() == 2);
  std::sort(found.begin(), found.end());
  CHECK(std::fabs(found[0].first - 8) <= 0.5);
  CHECK(std::fabs(found[0].second - 40) <= 0.5);
  CHECK(std::fabs(found[1].first - 30) <= 0.5);
  CHECK(std::fabs(found[1].second - 12) <= 0.5);
  // The written scores are the library's, as float32.
  const std::vector<double> in = fftconv::io::to_values<double>(image);
  std::vector<double> score(54 * 45);
  fftconv::match_template(fftconv::ConstView<double>(in.data(), {60, 50}),
                          fftconv::ConstView<double>(t, {7, 6}),
                          fftconv::View<double>(score.data(), {54, 45}));
  check_output(dir / "score.npy", score, Shape{54, 45}, PixelType::f32);
}
