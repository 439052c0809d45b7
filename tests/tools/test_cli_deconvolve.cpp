// `fftconv deconvolve`, run as a user runs it: each method's result against the library's call
// with the same settings (the documented defaults included), the precision and output type
// rules, stacks and hyperstack volumes, --mask, the options a method does not take (usage
// errors naming them), data the library refuses (its message, naming the file), the progress
// bar's iterations and the provenance card.
#include <doctest/doctest.h>

#include <algorithm>
#include <cmath>
#include <complex>
#include <filesystem>
#include <functional>
#include <limits>
#include <memory>
#include <string>
#include <vector>

#include "fftconv/deconvolve.hpp"
#include "fftconv/fftconv.hpp"
#include "fftconv/version.hpp"
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
using fftconv::test::on_terminal;
using fftconv::test::random_image;
using fftconv::test::relative_difference;
using fftconv::test::run_fftconv;
using fftconv::test::TempDir;

namespace {

/// The PSF's shape with leading axes of length 1 up to `rank` (as the program promotes it).
Shape promoted(const Shape& psf, int rank) {
  Shape s;
  for (int a = psf.rank(); a < rank; ++a)
    s.push_back(1);
  for (std::size_t e : psf)
    s.push_back(e);
  return s;
}

/// A library call on views of T: (image, psf, out).
template <class T>
using Call = std::function<void(ConstView<T>, ConstView<T>, View<T>)>;

/// The library's result for the files' values read as T (the PSF promoted to the image's rank).
template <class T>
std::vector<T> library(const Image& image, const Image& psf, const Call<T>& call) {
  const std::vector<T> in = fftconv::io::to_values<T>(image);
  const std::vector<T> k = fftconv::io::to_values<T>(psf);
  std::vector<T> out(in.size());
  call(ConstView<T>(in.data(), image.shape),
       ConstView<T>(k.data(), promoted(psf.shape, image.shape.rank())),
       View<T>(out.data(), image.shape));
  return out;
}

/// A positive 24 x 20 float64 image (im.npy) and the PSFs p5.npy (5 x 5) and p4x6.npy (even
/// lengths), positive, in `dir`.
void write_inputs(const TempDir& dir) {
  fftconv::io::write_image(dir / "im.npy", random_image(Shape{24, 20}, PixelType::f64, 1, 1, 100));
  fftconv::io::write_image(dir / "p5.npy", random_image(Shape{5, 5}, PixelType::f64, 2, 0.1, 1));
  fftconv::io::write_image(dir / "p4x6.npy", random_image(Shape{4, 6}, PixelType::f64, 3, 0.1, 1));
}

}  // namespace

TEST_CASE("deconvolve: each method equals the library's call with the same settings") {
  const TempDir dir;
  write_inputs(dir);
  const Image image = fftconv::io::read_image(dir / "im.npy");
  using fftconv::DeconvolutionEdges;
  struct Case {
    std::vector<std::string> args;
    Call<double> call;
  };
  // The defaults: rl, 50 iterations, no acceleration, extended edges, no clipping; landweber
  // alpha 1; wiener's laplacian regularizer and (the program's default) extended edges.
  fftconv::RichardsonLucyOptions rl_defaults;
  rl_defaults.iterations = 50;
  rl_defaults.edges = DeconvolutionEdges::extended;
  fftconv::RichardsonLucyOptions rl_accelerated;
  rl_accelerated.iterations = 12;
  rl_accelerated.acceleration = fftconv::Acceleration::biggs_andrews;
  rl_accelerated.edges = DeconvolutionEdges::zero;
  fftconv::RichardsonLucyOptions rl_tv;
  rl_tv.iterations = 6;
  rl_tv.edges = DeconvolutionEdges::periodic;
  rl_tv.tv_regularization = 0.01;
  fftconv::LandweberOptions lw_defaults;
  lw_defaults.iterations = 50;
  lw_defaults.alpha = 1;
  lw_defaults.edges = DeconvolutionEdges::extended;
  fftconv::LandweberOptions lw;
  lw.iterations = 9;
  lw.alpha = 1.5;
  lw.edges = DeconvolutionEdges::zero;
  fftconv::WienerOptions wi_defaults;
  wi_defaults.edges = DeconvolutionEdges::extended;
  fftconv::WienerOptions wi;
  wi.regularizer = fftconv::Regularizer::identity;
  wi.edges = DeconvolutionEdges::periodic;
  wi.clip = true;
  const std::vector<Case> cases{
      {{}, [&](auto i, auto k, auto o) { fftconv::richardson_lucy(i, k, o, rl_defaults); }},
      {{"--method", "rl", "--iterations", "12", "--acceleration", "biggs-andrews", "--edges",
        "zero"},
       [&](auto i, auto k, auto o) { fftconv::richardson_lucy(i, k, o, rl_accelerated); }},
      {{"--method", "richardson-lucy", "--iterations", "6", "--edges", "periodic", "--tv", "0.01"},
       [&](auto i, auto k, auto o) { fftconv::richardson_lucy(i, k, o, rl_tv); }},
      {{"--method", "landweber"},
       [&](auto i, auto k, auto o) { fftconv::landweber(i, k, o, lw_defaults); }},
      {{"--method", "landweber", "--iterations", "9", "--alpha", "1.5", "--edges", "zero"},
       [&](auto i, auto k, auto o) { fftconv::landweber(i, k, o, lw); }},
      {{"--method", "wiener", "--balance", "0.05"},
       [&](auto i, auto k, auto o) { fftconv::wiener(i, k, o, 0.05, wi_defaults); }},
      {{"--method", "wiener", "--balance", "0.01", "--regularizer", "identity", "--edges",
        "periodic", "--clip"},
       [&](auto i, auto k, auto o) { fftconv::wiener(i, k, o, 0.01, wi); }},
  };
  for (const char* psf : {"p5.npy", "p4x6.npy"})
    for (const Case& c : cases) {
      CAPTURE(psf);
      CAPTURE(c.args.empty() ? std::string("(defaults)") : c.args[1]);
      CAPTURE(c.args.size());
      const auto r = run_fftconv(
          joined({"deconvolve", dir / "im.npy", "--psf", dir / psf, "-o", dir / "out.npy"}, c.args),
          dir);
      REQUIRE_MESSAGE(r.exit_code == 0, r.err);
      CHECK(r.err.empty());
      CHECK(r.out.empty());
      const Image out = fftconv::io::read_image(dir / "out.npy");
      CHECK(out.shape == image.shape);
      CHECK(out.type == PixelType::f64);
      const std::vector<double> want =
          library<double>(image, fftconv::io::read_image(dir / psf), c.call);
      CHECK(relative_difference(out, want) <= 1e-13);
    }
}

TEST_CASE("deconvolve: float32 images in float, others in double, --precision and --dtype") {
  const TempDir dir;
  write_inputs(dir);
  const Image f32 = random_image(Shape{20, 18}, PixelType::f32, 5, 1, 100);
  const Image u16 = random_image(Shape{20, 18}, PixelType::u16, 6, 0, 4000);
  fftconv::io::write_image(dir / "f32.npy", f32);
  fftconv::io::write_image(dir / "u16.png", u16);
  const Image psf = fftconv::io::read_image(dir / "p5.npy");
  fftconv::RichardsonLucyOptions o;
  o.iterations = 8;
  o.edges = fftconv::DeconvolutionEdges::extended;
  const auto rl = [&](auto i, auto k, auto v) { fftconv::richardson_lucy(i, k, v, o); };
  const std::vector<std::string> common{"--psf", dir / "p5.npy", "--iterations", "8"};

  // float32: computed in float, written as float32.
  auto r = run_fftconv(joined({"deconvolve", dir / "f32.npy", "-o", dir / "a.npy"}, common), dir);
  REQUIRE_MESSAGE(r.exit_code == 0, r.err);
  Image out = fftconv::io::read_image(dir / "a.npy");
  CHECK(out.type == PixelType::f32);
  CHECK(relative_difference(out, library<float>(f32, psf, rl)) <= 1e-6);
  // --precision double: computed in double, rounded to float32 once.
  r = run_fftconv(
      joined({"deconvolve", dir / "f32.npy", "-o", dir / "b.npy", "--precision", "double"}, common),
      dir);
  REQUIRE_MESSAGE(r.exit_code == 0, r.err);
  out = fftconv::io::read_image(dir / "b.npy");
  CHECK(out.type == PixelType::f32);
  const std::vector<double> in_double = library<double>(f32, psf, rl);
  CHECK(relative_difference(out, in_double) <= 1e-7);
  // An integer image: computed in double, written as float32 (--dtype float64: as float64).
  r = run_fftconv(joined({"deconvolve", dir / "u16.png", "-o", dir / "c.npy"}, common), dir);
  REQUIRE_MESSAGE(r.exit_code == 0, r.err);
  out = fftconv::io::read_image(dir / "c.npy");
  CHECK(out.type == PixelType::f32);
  const std::vector<double> from_u16 = library<double>(u16, psf, rl);
  CHECK(relative_difference(out, from_u16) <= 1e-7);
  r = run_fftconv(
      joined({"deconvolve", dir / "u16.png", "-o", dir / "d.npy", "--dtype", "float64"}, common),
      dir);
  REQUIRE_MESSAGE(r.exit_code == 0, r.err);
  out = fftconv::io::read_image(dir / "d.npy");
  CHECK(out.type == PixelType::f64);
  CHECK(relative_difference(out, from_u16) <= 1e-13);
  // Back into PNG: the image's uint16, rounded.
  r = run_fftconv(joined({"deconvolve", dir / "u16.png", "-o", dir / "e.png"}, common), dir);
  REQUIRE_MESSAGE(r.exit_code == 0, r.err);
  out = fftconv::io::read_image(dir / "e.png");
  CHECK(out.type == PixelType::u16);
  const std::vector<double> e = fftconv::io::to_values<double>(out);
  double worst = 0;
  for (std::size_t i = 0; i < e.size(); ++i)
    worst = std::max(worst, std::abs(e[i] - std::clamp(from_u16[i], 0.0, 65535.0)));
  CHECK(worst <= 0.5 + 1e-9);
}

TEST_CASE("deconvolve: a 2-D PSF on a stack, and a hyperstack's channel volumes each alone") {
  const TempDir dir;
  // A 3-D stack with a 2-D PSF: the PSF gets a leading axis of length 1 (each plane alone).
  const Image stack = random_image(Shape{3, 16, 12}, PixelType::f64, 7, 1, 50);
  fftconv::io::write_image(dir / "stack.npy", stack);
  const Image psf2 = random_image(Shape{3, 3}, PixelType::f64, 8, 0.1, 1);
  fftconv::io::write_image(dir / "p2.npy", psf2);
  fftconv::RichardsonLucyOptions o;
  o.iterations = 5;
  o.edges = fftconv::DeconvolutionEdges::extended;
  const auto rl = [&](auto i, auto k, auto v) { fftconv::richardson_lucy(i, k, v, o); };
  auto r = run_fftconv({"deconvolve", dir / "stack.npy", "--psf", dir / "p2.npy", "--iterations",
                        "5", "-o", dir / "out.npy"},
                       dir);
  REQUIRE_MESSAGE(r.exit_code == 0, r.err);
  Image out = fftconv::io::read_image(dir / "out.npy");
  CHECK(out.shape == stack.shape);
  CHECK(relative_difference(out, library<double>(stack, psf2, rl)) <= 1e-13);

  // An ImageJ hyperstack of 2 channels of 4 slices with a 3-D PSF: each channel's 4 x 16 x 20
  // volume is deconvolved on its own (the PSF never mixes the channels), written as the same
  // hyperstack.
  Image hyper = random_image(Shape{8, 16, 20}, PixelType::f32, 9, 1, 100);
  hyper.metadata.layout.channels = 2;
  fftconv::io::write_image(dir / "hyper.tif", hyper);
  const Image psf3 = random_image(Shape{3, 3, 3}, PixelType::f32, 10, 0.1, 1);
  fftconv::io::write_image(dir / "p3.npy", psf3);
  r = run_fftconv({"deconvolve", dir / "hyper.tif", "--psf", dir / "p3.npy", "--iterations", "5",
                   "-o", dir / "out.tif"},
                  dir);
  REQUIRE_MESSAGE(r.exit_code == 0, r.err);
  out = fftconv::io::read_image(dir / "out.tif");
  CHECK(out.shape == hyper.shape);
  CHECK(out.metadata.layout.channels == 2);
  for (std::size_t c = 0; c < 2; ++c) {
    CAPTURE(c);
    const std::vector<float> want =
        library<float>(fftconv::test::planes_of(hyper, 4 * c, 4), psf3, rl);
    CHECK(relative_difference(fftconv::test::planes_of(out, 4 * c, 4), want) <= 1e-6);
  }
}

TEST_CASE("deconvolve --mask: bad pixels are left out of the fit, and may be NaN") {
  const TempDir dir;
  write_inputs(dir);
  Image image = fftconv::io::read_image(dir / "im.npy");
  std::vector<double> values = fftconv::io::to_values<double>(image);
  values[5 * 20 + 7] = std::numeric_limits<double>::quiet_NaN();
  values[11 * 20 + 3] = -1e6;  // (refused by rl where it is not masked)
  fftconv::io::Conversion report;
  image = fftconv::io::from_values(image.shape, values.data(), PixelType::f64, report);
  fftconv::io::write_image(dir / "bad.npy", image);
  std::vector<double> mask_values(values.size(), 0);
  mask_values[5 * 20 + 7] = 1;
  mask_values[11 * 20 + 3] = 255;
  const Image mask =
      fftconv::io::from_values(image.shape, mask_values.data(), PixelType::u8, report);
  fftconv::io::write_image(dir / "mask.npy", mask);
  const std::unique_ptr<bool[]> bad(new bool[values.size()]);
  for (std::size_t i = 0; i < values.size(); ++i)
    bad[i] = mask_values[i] != 0;
  const ConstView<bool> bad_view(bad.get(), image.shape);
  const Image psf = fftconv::io::read_image(dir / "p5.npy");

  fftconv::RichardsonLucyOptions rl;
  rl.iterations = 10;
  rl.edges = fftconv::DeconvolutionEdges::extended;
  rl.mask = bad_view;
  fftconv::LandweberOptions lw;
  lw.iterations = 10;
  lw.edges = fftconv::DeconvolutionEdges::extended;
  lw.mask = bad_view;
  for (const char* method : {"rl", "landweber"}) {
    CAPTURE(method);
    const auto r = run_fftconv(
        {"deconvolve", dir / "bad.npy", "--psf", dir / "p5.npy", "--mask", dir / "mask.npy",
         "--method", method, "--iterations", "10", "-o", dir / "out.npy"},
        dir);
    REQUIRE_MESSAGE(r.exit_code == 0, r.err);
    const Image out = fftconv::io::read_image(dir / "out.npy");
    const std::vector<double> want =
        std::string(method) == "rl"
            ? library<double>(
                  image, psf,
                  [&](auto i, auto k, auto o) { fftconv::richardson_lucy(i, k, o, rl); })
            : library<double>(image, psf,
                              [&](auto i, auto k, auto o) { fftconv::landweber(i, k, o, lw); });
    CHECK(relative_difference(out, want) <= 1e-13);
    const std::vector<double> got = fftconv::io::to_values<double>(out);
    CHECK(std::all_of(got.begin(), got.end(), [](double v) { return std::isfinite(v); }));
  }
  // Without the mask, the NaN is the library's refusal, naming the file.
  auto r = run_fftconv(
      {"deconvolve", dir / "bad.npy", "--psf", dir / "p5.npy", "-o", dir / "none.npy"}, dir);
  CHECK(r.exit_code == 1);
  CHECK_MESSAGE(contains(r.err, "fftconv: error: " + dir / "bad.npy" +
                                    ": fftconv::richardson_lucy: image has a non-finite value"),
                r.err);
  CHECK(!std::filesystem::exists(dir / "none.npy"));
  // A mask of another shape.
  fftconv::io::write_image(dir / "small.npy", random_image(Shape{4, 4}, PixelType::u8, 3, 0, 2));
  r = run_fftconv({"deconvolve", dir / "im.npy", "--psf", dir / "p5.npy", "--mask",
                   dir / "small.npy", "-o", dir / "none.npy"},
                  dir);
  CHECK(r.exit_code == 1);
  CHECK_MESSAGE(
      contains(r.err, dir / "small.npy" + ": the mask is 4x4 but " + dir / "im.npy" + " is 24x20"),
      r.err);
  CHECK(!std::filesystem::exists(dir / "none.npy"));
}

TEST_CASE("deconvolve: options the method does not take are usage errors naming them") {
  const TempDir dir;
  write_inputs(dir);
  fftconv::io::write_image(dir / "mask.npy", random_image(Shape{24, 20}, PixelType::u8, 3, 0, 2));
  const std::vector<std::string> base{"deconvolve",   dir / "im.npy", "--psf",
                                      dir / "p5.npy", "-o",           dir / "out.npy"};
  const std::vector<std::pair<std::vector<std::string>, std::string>> cases{
      {{"--balance", "0.1"}, "deconvolve --method rl does not take --balance (wiener only)"},
      {{"--regularizer", "identity", "--alpha", "1"},
       "deconvolve --method rl does not take --alpha (landweber only), --regularizer (wiener "
       "only)"},
      {{"--method", "wiener", "--balance", "0.1", "--acceleration", "biggs-andrews"},
       "deconvolve --method wiener does not take --acceleration (rl only)"},
      {{"--method", "wiener", "--balance", "0.1", "--iterations", "5", "--mask", dir / "mask.npy"},
       "deconvolve --method wiener does not take --iterations (rl and landweber), --mask (rl and "
       "landweber)"},
      {{"--method", "landweber", "--acceleration", "none", "--tv", "0.01"},
       "deconvolve --method landweber does not take --acceleration (rl only), --tv (rl only)"},
      {{"--method", "wiener"}, "deconvolve --method wiener needs --balance B"},
      {{"--method", "landweber", "--alpha", "2"}, "--alpha 2 is not in (0, 2)"},
      {{"--method", "landweber", "--alpha", "0"}, "--alpha 0 is not in (0, 2)"},
      {{"--tv", "0.25"},
       dir / "im.npy" + ": --tv 0.25 is too large for 2-D data: it must be "
                        "below 1/(2*2) = 0.25"},
      {{"--method", "lucy"}, "--method: lucy is not one of"},
      {{"--edges", "reflect"}, "--edges: reflect is not one of extended, periodic, zero"},
      {{"--iterations", "-1"}, "--iterations"},
      {{"--balance", "-1", "--method", "wiener"}, "--balance -1 is not a finite number >= 0"},
      {{"--mode", "valid"}, "--mode"},  // (convolve's options are not deconvolve's)
  };
  for (const auto& c : cases) {
    const std::vector<std::string>& args = c.first;
    const std::string& message = c.second;
    CAPTURE(args.front());
    CAPTURE(args.size());
    const auto r = run_fftconv(joined(base, args), dir);
    CHECK(r.exit_code == 2);
    CHECK_MESSAGE(contains(r.err, message), r.err);
    CHECK(!std::filesystem::exists(dir / "out.npy"));
  }
  // No --psf, and -o naming an input (the image or the PSF), however spelt.
  auto r = run_fftconv({"deconvolve", dir / "im.npy", "-o", dir / "out.npy"}, dir);
  CHECK(r.exit_code == 2);
  CHECK(contains(r.err, "--psf is required"));
  r = run_fftconv({"deconvolve", dir / "im.npy", "--psf", dir / "p5.npy", "-o", dir / "./p5.npy"},
                  dir);
  CHECK(r.exit_code == 2);
  CHECK_MESSAGE(contains(r.err, "-o " + dir / "./p5.npy" + " is the input file " + dir / "p5.npy"),
                r.err);
  r = run_fftconv({"deconvolve", dir / "im.npy", "--psf", dir / "p5.npy", "-o", dir / "im.npy"},
                  dir);
  CHECK(r.exit_code == 2);
  CHECK(contains(r.err, "is the input file"));
  CHECK(fftconv::io::read_image(dir / "im.npy").bytes ==
        random_image(Shape{24, 20}, PixelType::f64, 1, 1, 100).bytes);
}

TEST_CASE("deconvolve: data and PSFs the library refuses are its message, naming the file") {
  const TempDir dir;
  write_inputs(dir);
  Image image = fftconv::io::read_image(dir / "im.npy");
  std::vector<double> values = fftconv::io::to_values<double>(image);
  values[17] = -2.5;
  fftconv::io::Conversion report;
  fftconv::io::write_image(
      dir / "negative.npy",
      fftconv::io::from_values(image.shape, values.data(), PixelType::f64, report));
  std::vector<double> psf(25, 0.04);
  psf[12] = -0.5;
  fftconv::io::write_image(dir / "negpsf.npy", fftconv::io::from_values(Shape{5, 5}, psf.data(),
                                                                        PixelType::f64, report));
  std::fill(psf.begin(), psf.end(), 0.0);
  fftconv::io::write_image(dir / "zeropsf.npy", fftconv::io::from_values(Shape{5, 5}, psf.data(),
                                                                         PixelType::f64, report));
  fftconv::io::write_image(dir / "long.npy", random_image(Shape{30, 3}, PixelType::f64, 4, 0, 1));
  fftconv::io::write_image(dir / "cpsf.npy",
                           fftconv::test::random_complex_image(Shape{3, 3}, PixelType::c64, 5));
  fftconv::io::write_image(dir / "p3d.npy", random_image(Shape{2, 3, 3}, PixelType::f64, 6, 0, 1));
  struct Case {
    std::string image, psf;
    std::vector<std::string> args;
    std::string message;
  };
  const std::vector<Case> cases{
      {"negative.npy",
       "p5.npy",
       {},
       "negative.npy: fftconv::richardson_lucy: image has a negative value (-2.5): Richardson-Lucy "
       "needs counts >= 0"},
      {"im.npy",
       "negpsf.npy",
       {},
       "negpsf.npy: fftconv::richardson_lucy: psf has a negative value (-0.5)"},
      {"im.npy",
       "negpsf.npy",
       {"--method", "landweber"},
       "negpsf.npy: fftconv::landweber: psf has a negative value"},
      {"im.npy",
       "zeropsf.npy",
       {"--method", "wiener", "--balance", "1"},
       "zeropsf.npy: fftconv::wiener: psf sums to 0"},
      {"im.npy",
       "long.npy",
       {"--edges", "periodic"},
       "long.npy: fftconv::richardson_lucy: psf shape 30x3 is longer than the image 24x20"},
      {"im.npy",
       "cpsf.npy",
       {},
       "cpsf.npy: complex64 pixels, but deconvolve takes real numbers only"},
      {"im.npy", "p3d.npy", {}, "p3d.npy: the kernel is 3-D but " + dir / "im.npy" + " is 2-D"},
  };
  for (const Case& c : cases) {
    CAPTURE(c.message);
    const auto r = run_fftconv(
        joined({"deconvolve", dir / c.image, "--psf", dir / c.psf, "-o", dir / "out.npy"}, c.args),
        dir);
    CHECK(r.exit_code == 1);
    CHECK_MESSAGE(contains(r.err, "fftconv: error: " + dir / c.message), r.err);
    CHECK(std::count(r.err.begin(), r.err.end(), '\n') == 1);
    CHECK(!std::filesystem::exists(dir / "out.npy"));
  }
  // Landweber and Wiener take data of either sign.
  for (const std::vector<std::string>& method :
       {std::vector<std::string>{"--method", "landweber"},
        std::vector<std::string>{"--method", "wiener", "--balance", "0.1"}}) {
    CAPTURE(method[1]);
    const auto r = run_fftconv(
        joined({"deconvolve", dir / "negative.npy", "--psf", dir / "p5.npy", "-o", dir / "out.npy"},
               method),
        dir);
    CHECK_MESSAGE(r.exit_code == 0, r.err);
  }
}

TEST_CASE("progress: deconvolve draws each iteration with the estimate's relative change") {
  const TempDir dir;
  write_inputs(dir);
  const std::vector<std::string> args{"deconvolve", dir / "im.npy",  "--psf",        dir / "p5.npy",
                                      "-o",         dir / "out.npy", "--iterations", "6"};
  // Not on a terminal, or with -q: nothing.
  auto r = run_fftconv(args, dir, fftconv::test::with_environment({"FFTCONV_PROGRESS_DELAY=0"}));
  REQUIRE(r.exit_code == 0);
  CHECK(r.err.empty());
  if (!fftconv::test::pseudo_terminal_available()) return;
  r = run_fftconv(joined(args, {"-q"}), dir, on_terminal());
  REQUIRE(r.exit_code == 0);
  CHECK(r.err.empty());
  for (const char* method : {"rl", "landweber"}) {
    CAPTURE(method);
    r = run_fftconv(joined(args, {"--method", method}), dir, on_terminal());
    REQUIRE(r.exit_code == 0);
    CHECK(contains(r.err, "reading im.npy"));
    CHECK(contains(r.err, "writing out.npy"));
    std::size_t at = 0;
    for (int i = 1; i <= 6; ++i) {
      const std::string step =
          "deconvolving im.npy, iteration " + std::to_string(i) + "/6, change ";
      const std::size_t found = r.err.find(step, at);
      REQUIRE_MESSAGE(found != std::string::npos, step << " not drawn (in order) in: " << r.err);
      // The change is a number: positive, and below 1 after the first iterations.
      const double change = std::strtod(r.err.c_str() + found + step.size(), nullptr);
      CHECK(change > 0);
      if (i > 2) CHECK(change < 1);
      const std::string drawn = r.err.substr(found, r.err.find('\r', found) - found);
      CHECK(contains(drawn, " elapsed"));
      if (i < 6) CHECK_MESSAGE(contains(drawn, " left"), drawn);
      at = found + 1;
    }
    CHECK(r.err.substr(r.err.size() - 4) == "\r\033[K");  // (erased at the end)
  }
  // Wiener is one step: the bar names the phase.
  r = run_fftconv({"deconvolve", dir / "im.npy", "--psf", dir / "p5.npy", "-o", dir / "out.npy",
                   "--method", "wiener", "--balance", "0.1"},
                  dir, on_terminal());
  REQUIRE(r.exit_code == 0);
  CHECK(contains(r.err, "deconvolving im.npy"));
  CHECK(!contains(r.err, "iteration"));
}

TEST_CASE("deconvolve: the FITS HISTORY card, and several images into a directory") {
  const TempDir dir;
  write_inputs(dir);
  const std::string version = std::to_string(fftconv::version_major) + "." +
                              std::to_string(fftconv::version_minor) + "." +
                              std::to_string(fftconv::version_patch);
  auto r =
      run_fftconv({"deconvolve", dir / "im.npy", "--psf", dir / "p5.npy", "-o", dir / "rl.fits",
                   "--iterations", "3", "--acceleration", "biggs-andrews", "--clip"},
                  dir);
  REQUIRE_MESSAGE(r.exit_code == 0, r.err);
  CHECK_MESSAGE(
      contains(fits_history(dir / "rl.fits"), "fftconv " + version +
                                                  " deconvolve psf=p5.npy method=rl iterations=3 "
                                                  "acceleration=biggs-andrews edges=extended clip"),
      fits_history(dir / "rl.fits"));
  r = run_fftconv({"deconvolve", dir / "im.npy", "--psf", dir / "p5.npy", "-o", dir / "w.fits",
                   "--method", "wiener", "--balance", "0.25", "--edges", "zero"},
                  dir);
  REQUIRE_MESSAGE(r.exit_code == 0, r.err);
  CHECK_MESSAGE(contains(fits_history(dir / "w.fits"),
                         "fftconv " + version +
                             " deconvolve psf=p5.npy method=wiener balance=0.25 "
                             "regularizer=laplacian edges=zero"),
                fits_history(dir / "w.fits"));

  // IMAGE... -o DIR: each image to DIR/<its name>, each as its own run gives it.
  fftconv::io::write_image(dir / "b.npy", random_image(Shape{10, 12}, PixelType::f64, 11, 1, 9));
  r = run_fftconv({"deconvolve", dir / "im.npy", dir / "b.npy", "--psf", dir / "p5.npy",
                   "--iterations", "4", "-o", dir / "out", "--format", "fits"},
                  dir);
  REQUIRE_MESSAGE(r.exit_code == 0, r.err);
  for (const char* name : {"im", "b"}) {
    CAPTURE(name);
    r = run_fftconv({"deconvolve", dir / (std::string(name) + ".npy"), "--psf", dir / "p5.npy",
                     "--iterations", "4", "-o", dir / "alone.npy"},
                    dir);
    REQUIRE(r.exit_code == 0);
    CHECK(fftconv::io::to_values<double>(
              fftconv::io::read_image(dir / ("out/" + std::string(name) + ".fits"))) ==
          fftconv::io::to_values<double>(fftconv::io::read_image(dir / "alone.npy")));
  }
}
