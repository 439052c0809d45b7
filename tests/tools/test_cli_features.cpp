// The `fftconv` program's subcommand behaviour as users meet it: messages that echo what was
// typed, the warning when NaN spreads, blur as scipy.ndimage.gaussian_filter, the output pixel
// type (--dtype), compare's methods, predictions and confirmation, and --method's help.
#include <doctest/doctest.h>
#include <fcntl.h>
#include <stdlib.h>
#include <unistd.h>

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <cstring>
#include <limits>
#include <string>
#include <vector>

#include "fftconv/fftconv.hpp"
#include "io/convert.hpp"
#include "io/files.hpp"
#include "tool_test_support.hpp"

using fftconv::Method;
using fftconv::Shape;
using fftconv::io::Image;
using fftconv::io::PixelType;
using fftconv::test::contains;
using fftconv::test::run_fftconv;
using fftconv::test::stdin_from;
using fftconv::test::TempDir;
using fftconv::test::write_image_and_kernel;

namespace {

/// An Image of float64 values.
Image f64_image(const Shape& shape, const std::vector<double>& values) {
  fftconv::io::Conversion report;
  return fftconv::io::from_values(shape, values.data(), PixelType::f64, report);
}

/// The library's convolution of an image file's values (in double) with a kernel, `options`.
std::vector<double> convolved(const Image& image, const Image& kernel,
                              const fftconv::Options& options = {}) {
  const std::vector<double> in = fftconv::io::to_values<double>(image);
  const std::vector<double> k = fftconv::io::to_values<double>(kernel);
  std::vector<double> out(in.size());
  fftconv::convolve(fftconv::ConstView<double>(in.data(), image.shape),
                    fftconv::ConstView<double>(k.data(), kernel.shape),
                    fftconv::View<double>(out.data(), image.shape), options);
  return out;
}

/// Every method the library has, by its enumeration value until to_string says "unknown".
std::vector<Method> all_methods() {
  std::vector<Method> methods;
  for (int i = 0; std::string(fftconv::to_string(static_cast<Method>(i))) != "unknown"; ++i)
    methods.push_back(static_cast<Method>(i));
  return methods;
}

/// scipy.ndimage.gaussian_filter in long double, written from its definition: per axis with
/// sigma > 0, weights exp(-x^2 / (2 sigma^2)) for x in [-r, r], r = int(truncate sigma + 0.5),
/// divided by their sum, correlated along the axis with the 'reflect' extension
/// (c b a | a b c d | d c b, repeated for kernels longer than the axis).
std::vector<long double> gaussian_filter(const std::vector<double>& image, const Shape& shape,
                                         const std::vector<double>& sigma, double truncate) {
  std::vector<long double> data(image.begin(), image.end());
  for (int axis = 0; axis < shape.rank(); ++axis) {
    const long double s = sigma[static_cast<std::size_t>(axis)];
    if (s == 0) continue;
    const long r = static_cast<long>(truncate * sigma[static_cast<std::size_t>(axis)] + 0.5);
    std::vector<long double> w;
    long double sum = 0;
    for (long x = -r; x <= r; ++x) {
      w.push_back(std::exp(-0.5L * static_cast<long double>(x * x) / (s * s)));
      sum += w.back();
    }
    for (long double& v : w)
      v /= sum;
    const long n = static_cast<long>(shape[axis]);
    std::size_t stride = 1;
    for (int a = axis + 1; a < shape.rank(); ++a)
      stride *= shape[a];
    const auto reflect = [n](long i) {
      long j = ((i % (2 * n)) + 2 * n) % (2 * n);
      return j < n ? j : 2 * n - 1 - j;
    };
    std::vector<long double> next(data.size());
    for (std::size_t start = 0; start < data.size(); ++start) {
      if ((start / stride) % static_cast<std::size_t>(n) != 0) continue;  // one line per start
      for (long i = 0; i < n; ++i) {
        long double acc = 0;
        for (long x = -r; x <= r; ++x)
          acc += w[static_cast<std::size_t>(x + r)] *
                 data[start + static_cast<std::size_t>(reflect(i + x)) * stride];
        next[start + static_cast<std::size_t>(i) * stride] = acc;
      }
    }
    data = std::move(next);
  }
  return data;
}

/// A pseudo-terminal for the program's stdin: what the test "types" is queued before the
/// program starts.
class Terminal {
 public:
  Terminal() {
    master_ = ::posix_openpt(O_RDWR | O_NOCTTY);
    if (master_ >= 0 && ::grantpt(master_) == 0 && ::unlockpt(master_) == 0)
      if (const char* name = ::ptsname(master_)) path_ = name;
  }
  ~Terminal() {
    if (master_ >= 0) ::close(master_);
  }
  Terminal(const Terminal&) = delete;
  Terminal& operator=(const Terminal&) = delete;
  bool ok() const { return !path_.empty(); }
  const std::string& path() const { return path_; }
  void type(const std::string& text) const {
    CHECK(::write(master_, text.data(), text.size()) == static_cast<ssize_t>(text.size()));
  }

 private:
  int master_ = -1;
  std::string path_;
};

/// The number after `key` in the line of `report` that starts with `row` (-1 if none).
double number_after(const std::string& report, const std::string& row, const std::string& key) {
  const std::size_t line = report.find("\n" + row + " ");
  if (line == std::string::npos) return -1;
  const std::size_t end = report.find('\n', line + 1);
  const std::size_t at = report.find(key, line);
  if (at == std::string::npos || at > end) return -1;
  return std::stod(report.substr(at + key.size()));
}

}  // namespace

TEST_CASE("--threads -1 is refused with -1 in the message, in every subcommand") {
  TempDir dir;
  write_image_and_kernel(dir);
  const std::string im = dir / "im.npy", k = dir / "k.npy", out = dir / "o.npy";
  const std::vector<std::string> cases[] = {
      {"convolve", im, k, "-o", out},
      {"blur", im, "--sigma", "1", "-o", out},
      {"match", im, k},
      {"compare", im, k},
  };
  for (const auto& base : cases)
    for (const char* bad : {"-1", "2.5", "many", "99999999999"}) {
      std::vector<std::string> args = base;
      args.push_back("--threads");
      args.push_back(bad);
      CAPTURE(base[0]);
      CAPTURE(std::string(bad));
      const auto r = run_fftconv(args, dir);
      CHECK(r.exit_code == 2);
      CHECK(contains(r.err, std::string("--threads: ") + bad + " is not a thread count"));
      CHECK(!contains(r.err, "1.79769e+308"));
    }
  CHECK(dir.files() == std::vector<std::string>{"im.npy", "k.npy"});
}

TEST_CASE("match on an all-NaN image says that no window is valid") {
  TempDir dir;
  const double nan = std::numeric_limits<double>::quiet_NaN();
  fftconv::io::write_image(dir / "nan.npy",
                           f64_image(Shape{20, 20}, std::vector<double>(400, nan)));
  fftconv::io::write_image(dir / "t.npy",
                           fftconv::test::random_image(Shape{5, 5}, PixelType::f64, 2));
  fftconv::io::write_image(dir / "m.npy",
                           fftconv::test::random_image(Shape{5, 5}, PixelType::u8, 3, 1, 1));
  for (bool masked : {false, true}) {
    CAPTURE(masked);
    std::vector<std::string> args{"match", dir / "nan.npy", dir / "t.npy"};
    if (masked) {
      args.push_back("--template-mask");
      args.push_back(dir / "m.npy");
    }
    const auto r = run_fftconv(args, dir);
    CHECK(r.exit_code == 0);
    CHECK(contains(r.out, "# no valid window: every 5x5 window of " + (dir / "nan.npy") +
                              " holds NaN/Inf pixels"));
    CHECK(!contains(r.out, "best 0 of 0"));
  }
  // One finite window is enough for the usual report.
  std::vector<double> v(400, nan);
  for (std::size_t y = 0; y < 5; ++y)
    for (std::size_t x = 0; x < 5; ++x)
      v[y * 20 + x] = static_cast<double>((y * 7 + x * 3) % 5);
  fftconv::io::write_image(dir / "one.npy", f64_image(Shape{20, 20}, v));
  const auto one = run_fftconv({"match", dir / "one.npy", dir / "t.npy", "--threshold", "-1"}, dir);
  CHECK(one.exit_code == 0);
  CHECK(contains(one.out, "# best 1 of 1 positions"));
}

TEST_CASE("NaN spreading through convolve and blur is reported with its counts") {
  TempDir dir;
  Image image = fftconv::test::random_image(Shape{20, 30}, PixelType::f64, 5, 1, 100);
  double* px = reinterpret_cast<double*>(image.bytes.data());
  for (std::size_t x = 0; x < 30; ++x)
    px[7 * 30 + x] = std::numeric_limits<double>::quiet_NaN();
  fftconv::io::write_image(dir / "im.npy", image);
  fftconv::io::write_image(dir / "k.npy",
                           fftconv::test::random_image(Shape{3, 3}, PixelType::f64, 6, 0.1, 1));
  const auto nan_outputs = [&](const std::string& path) {
    const std::vector<double> out = fftconv::io::to_values<double>(fftconv::io::read_image(path));
    return std::count_if(out.begin(), out.end(), [](double v) { return std::isnan(v); });
  };
  // fft: one NaN row makes every output NaN.
  const auto fft = run_fftconv(
      {"convolve", dir / "im.npy", dir / "k.npy", "-o", dir / "f.npy", "--method", "fft"}, dir);
  REQUIRE(fft.exit_code == 0);
  CHECK(nan_outputs(dir / "f.npy") == 600);
  CHECK(fft.err == "fftconv: warning: " + (dir / "im.npy") +
                       ": 30 NaN/Inf input pixels made 600 of 600 output pixels (100%) NaN/Inf; "
                       "--nan interpolate fills them from their valid neighbours (--nan fill: "
                       "with --fill)\n");
  // direct: the three rows the 3x3 kernel reaches.
  const auto direct = run_fftconv(
      {"convolve", dir / "im.npy", dir / "k.npy", "-o", dir / "d.npy", "--method", "direct"}, dir);
  REQUIRE(direct.exit_code == 0);
  CHECK(nan_outputs(dir / "d.npy") == 90);
  CHECK(contains(direct.err, ": 30 NaN/Inf input pixels made 90 of 600 output pixels (15%)"));
  // blur (its own kernel), and the cases without a warning: --quiet, --nan interpolate/fill.
  const auto blur = run_fftconv({"blur", dir / "im.npy", "--sigma", "1", "-o", dir / "b.npy"}, dir);
  REQUIRE(blur.exit_code == 0);
  CHECK(contains(blur.err, ": 30 NaN/Inf input pixels made " +
                               std::to_string(nan_outputs(dir / "b.npy")) + " of 600"));
  CHECK(contains(blur.err, "--nan interpolate"));
  for (const std::vector<std::string>& extra :
       std::vector<std::vector<std::string>>{{"-q"}, {"--nan", "interpolate"}, {"--nan", "fill"}}) {
    std::vector<std::string> args{"convolve", dir / "im.npy", dir / "k.npy", "-o", dir / "q.npy"};
    args.insert(args.end(), extra.begin(), extra.end());
    CAPTURE(extra.back());
    const auto r = run_fftconv(args, dir);
    CHECK(r.exit_code == 0);
    CHECK(r.err.empty());
  }
}

TEST_CASE(
    "blur equals scipy.ndimage.gaussian_filter: reflect by default, per-axis sigma, "
    "--truncate") {
  TempDir dir;
  struct Case {
    Shape shape;
    std::vector<std::string> args;
    std::vector<double> sigma;
    double truncate;
  };
  const Case cases[] = {
      {Shape{37, 53}, {"--sigma", "2,3"}, {2, 3}, 4},
      {Shape{37, 53}, {"--sigma", "2,3", "--method", "fft"}, {2, 3}, 4},
      {Shape{37, 53}, {"--sigma", "2,3", "--method", "direct"}, {2, 3}, 4},
      {Shape{37, 53}, {"--sigma", "1.5", "--truncate", "2.5"}, {1.5, 1.5}, 2.5},
      {Shape{37, 53},
       {"--sigma", "0.7,2.2", "--truncate", "6", "--method", "separable"},
       {0.7, 2.2},
       6},
      {Shape{5, 20, 24}, {"--sigma", "0,1,2.5"}, {0, 1, 2.5}, 4},
      {Shape{9, 12}, {"--sigma", "6"}, {6, 6}, 4},  // kernels longer than the image
      {Shape{9, 12},
       {"--sigma", "6", "--boundary", "reflect", "--method", "overlap_save"},
       {6, 6},
       4},
      {Shape{300}, {"--sigma", "10", "--truncate", "3"}, {10}, 3},
  };
  unsigned n = 0;
  for (const Case& c : cases) {
    CAPTURE(fftconv::to_string(c.shape));
    CAPTURE(c.args[1]);
    CAPTURE(c.args.back());
    const Image image = fftconv::test::random_image(c.shape, PixelType::f64, 40 + n, 1, 200);
    const std::string in = dir / ("im" + std::to_string(n) + ".npy");
    const std::string out = dir / ("b" + std::to_string(n++) + ".npy");
    fftconv::io::write_image(in, image);
    std::vector<std::string> args{"blur", in, "-o", out};
    args.insert(args.end(), c.args.begin(), c.args.end());
    const auto r = run_fftconv(args, dir);
    REQUIRE(r.exit_code == 0);
    CHECK(r.err.empty());
    const Image got_image = fftconv::io::read_image(out);
    CHECK(got_image.type == PixelType::f64);
    const std::vector<double> got = fftconv::io::to_values<double>(got_image);
    const std::vector<long double> want =
        gaussian_filter(fftconv::io::to_values<double>(image), c.shape, c.sigma, c.truncate);
    REQUIRE(got.size() == want.size());
    long double worst = 0;
    for (std::size_t i = 0; i < got.size(); ++i)
      worst = std::max(worst,
                       std::fabs(static_cast<long double>(got[i]) - want[i]) / std::fabs(want[i]));
    CHECK(worst <= 1e-12L);
  }
  // The default boundary keeps a flat image flat up to its edges (zero would darken them).
  fftconv::io::write_image(dir / "flat.npy", f64_image(Shape{16, 16}, std::vector<double>(256, 1)));
  REQUIRE(run_fftconv({"blur", dir / "flat.npy", "--sigma", "3", "-o", dir / "flat_b.npy"}, dir)
              .exit_code == 0);
  for (double v : fftconv::io::to_values<double>(fftconv::io::read_image(dir / "flat_b.npy")))
    CHECK(std::fabs(v - 1) <= 1e-12);
  // convolve and correlate keep the zero boundary (scipy.signal); --help says which is which.
  const auto blur_help = run_fftconv({"blur", "--help"}, dir);
  CHECK(contains(blur_help.out, "(default: reflect, as scipy.ndimage)"));
  const auto convolve_help = run_fftconv({"convolve", "--help"}, dir);
  CHECK(contains(convolve_help.out, "(default: zero, as scipy.signal)"));
  // --truncate with --size, or out of range: usage errors.
  for (const std::vector<std::string>& bad : std::vector<std::vector<std::string>>{
           {"--truncate", "2", "--size", "5"}, {"--truncate", "-1"}, {"--truncate", "nan"}}) {
    std::vector<std::string> args{"blur", dir / "flat.npy", "--sigma", "1", "-o", dir / "x.npy"};
    args.insert(args.end(), bad.begin(), bad.end());
    CAPTURE(bad[1]);
    CHECK(run_fftconv(args, dir).exit_code == 2);
  }
  const auto huge = run_fftconv(
      {"blur", dir / "flat.npy", "--sigma", "1e6", "--truncate", "1000", "-o", dir / "x.npy"}, dir);
  CHECK(huge.exit_code == 2);
  CHECK(contains(huge.err, "--sigma 1e+06 with --truncate 1000 asks for a kernel longer than"));
}

TEST_CASE(
    "--dtype: float32 for integer images, the float type of float images, same, and "
    "--type as its alias") {
  TempDir dir;
  const Image u16 = fftconv::test::random_image(Shape{12, 17}, PixelType::u16, 1, 0, 60000);
  const Image u8 = fftconv::test::random_image(Shape{12, 17}, PixelType::u8, 2, 0, 255);
  const Image f32 = fftconv::test::random_image(Shape{12, 17}, PixelType::f32, 3);
  const Image f64 = fftconv::test::random_image(Shape{12, 17}, PixelType::f64, 4);
  const Image kernel = fftconv::test::random_image(Shape{3, 5}, PixelType::f64, 5, 0, 1);
  fftconv::io::write_image(dir / "u16.tif", u16);
  fftconv::io::write_image(dir / "u8.npy", u8);
  fftconv::io::write_image(dir / "f32.npy", f32);
  fftconv::io::write_image(dir / "f64.fits", f64);
  fftconv::io::write_image(dir / "k.npy", kernel);
  const auto type_of = [&](const std::string& path) { return fftconv::io::read_image(path).type; };
  struct Case {
    std::string image;
    std::vector<std::string> dtype;
    PixelType want;
  };
  const Case cases[] = {
      {"u16.tif", {}, PixelType::f32},
      {"u8.npy", {}, PixelType::f32},
      {"f32.npy", {}, PixelType::f32},
      {"f64.fits", {}, PixelType::f64},
      {"u16.tif", {"--dtype", "float64"}, PixelType::f64},
      {"f64.fits", {"--dtype", "float32"}, PixelType::f32},
      {"u16.tif", {"--dtype", "same"}, PixelType::u16},
      {"f32.npy", {"--dtype", "same"}, PixelType::f32},
      {"u8.npy", {"--type", "same"}, PixelType::u8},
      {"f64.fits", {"--type", "int16"}, PixelType::i16},
  };
  for (const Case& c : cases) {
    CAPTURE(c.image);
    CAPTURE(c.dtype.empty() ? std::string("-") : c.dtype[1]);
    std::vector<std::string> args{"convolve", dir / c.image, dir / "k.npy", "-o", dir / "o.npy"};
    args.insert(args.end(), c.dtype.begin(), c.dtype.end());
    const auto r = run_fftconv(args, dir);
    REQUIRE(r.exit_code == 0);
    CHECK(type_of(dir / "o.npy") == c.want);
  }
  // The integer image computed in double, stored once as float32 (not float64).
  {
    const Image got = fftconv::io::read_image(dir / "o.npy");  // (the last case: int16)
    CHECK(got.type == PixelType::i16);
    REQUIRE(run_fftconv({"convolve", dir / "u16.tif", dir / "k.npy", "-o", dir / "u.npy"}, dir)
                .exit_code == 0);
    const std::vector<double> want = convolved(u16, kernel);
    fftconv::io::Conversion report;
    CHECK(fftconv::io::read_image(dir / "u.npy").bytes ==
          fftconv::io::from_values(u16.shape, want.data(), PixelType::f32, report).bytes);
  }
  // same on uint8: rounded to nearest (halves away from zero) ...
  const double quarter[] = {0.25};
  fftconv::io::Conversion report;
  fftconv::io::write_image(dir / "quarter.npy",
                           fftconv::io::from_values(Shape{1, 1}, quarter, PixelType::f64, report));
  const auto rounded = run_fftconv({"convolve", dir / "u8.npy", dir / "quarter.npy", "-o",
                                    dir / "r.npy", "--dtype", "same", "--method", "direct"},
                                   dir);
  REQUIRE(rounded.exit_code == 0);
  CHECK(rounded.err.empty());
  const Image r8 = fftconv::io::read_image(dir / "r.npy");
  REQUIRE(r8.type == PixelType::u8);
  for (std::size_t i = 0; i < u8.bytes.size(); ++i) {
    CAPTURE(static_cast<int>(u8.bytes[i]));
    CHECK(r8.bytes[i] == static_cast<unsigned char>(std::round(u8.bytes[i] * 0.25)));
  }
  // ... and clamped to [0, 255], the clamped pixels counted in a warning that -q silences.
  const double two[] = {2};
  fftconv::io::write_image(dir / "two.npy",
                           fftconv::io::from_values(Shape{1, 1}, two, PixelType::f64, report));
  std::size_t over = 0;
  for (unsigned char v : u8.bytes)
    over += 2.0 * v > 255.5;
  REQUIRE(over > 0);
  const auto clamped = run_fftconv(
      {"convolve", dir / "u8.npy", dir / "two.npy", "-o", dir / "c.npy", "--dtype", "same"}, dir);
  REQUIRE(clamped.exit_code == 0);
  CHECK(clamped.err == "fftconv: warning: " + (dir / "c.npy") + ": " + std::to_string(over) +
                           " pixels outside the uint8 range [0, 255] were clipped\n");
  const Image c8 = fftconv::io::read_image(dir / "c.npy");
  for (std::size_t i = 0; i < u8.bytes.size(); ++i)
    CHECK(c8.bytes[i] == std::min(255, 2 * u8.bytes[i]));
  const auto quiet = run_fftconv(
      {"convolve", dir / "u8.npy", dir / "two.npy", "-o", dir / "q.npy", "--dtype", "same", "-q"},
      dir);
  CHECK(quiet.exit_code == 0);
  CHECK(quiet.err.empty());
  // same for a float image into PNG, or an unknown name: usage errors, nothing written.
  const std::vector<std::string> before = dir.files();
  CHECK(
      run_fftconv(
          {"convolve", dir / "f32.npy", dir / "k.npy", "-o", dir / "p.png", "--dtype", "same"}, dir)
          .exit_code == 2);
  CHECK(run_fftconv(
            {"convolve", dir / "f32.npy", dir / "k.npy", "-o", dir / "p.npy", "--dtype", "float16"},
            dir)
            .exit_code == 2);
  CHECK(run_fftconv({"match", dir / "f32.npy", dir / "k.npy", "--dtype", "same"}, dir).exit_code ==
        2);
  CHECK(dir.files() == before);
  // match writes float64 scores with --dtype float64.
  REQUIRE(run_fftconv({"match", dir / "f64.fits", dir / "k.npy", "-o", dir / "s.npy", "--dtype",
                       "float64", "--peaks", "0"},
                      dir)
              .exit_code == 0);
  CHECK(type_of(dir / "s.npy") == PixelType::f64);
}

TEST_CASE(
    "compare times every method that applies, or just --method, with the model's "
    "prediction beside each") {
  TempDir dir;
  fftconv::io::write_image(dir / "im.npy",
                           fftconv::test::random_image(Shape{40, 50}, PixelType::f64, 1));
  const Image random_kernel = fftconv::test::random_image(Shape{9, 9}, PixelType::f64, 2, 0, 1);
  fftconv::io::write_image(dir / "k.npy", random_kernel);
  std::vector<double> g(7 * 7);
  for (std::size_t y = 0; y < 7; ++y)
    for (std::size_t x = 0; x < 7; ++x)
      g[y * 7 + x] = std::exp(-(std::pow(double(y) - 3, 2) + std::pow(double(x) - 3, 2)) / 4);
  fftconv::io::write_image(dir / "g.npy", f64_image(Shape{7, 7}, g));

  const auto r = run_fftconv({"compare", dir / "im.npy", dir / "g.npy"}, dir);
  REQUIRE(r.exit_code == 0);
  for (Method m : all_methods()) {
    CAPTURE(std::string(fftconv::to_string(m)));
    CHECK(contains(r.out, std::string("\n") + fftconv::to_string(m) + " "));
    // The printed prediction is the library's.
    fftconv::Options o;
    o.method = m;
    const double predicted =
        1e3 *
        fftconv::predicted_seconds(m, fftconv::ConstView<double>(g.data(), {7, 7}), {40, 50}, o);
    CHECK(std::fabs(number_after(r.out, fftconv::to_string(m), "predicted ") - predicted) <=
          5e-4 + 1e-3 * predicted);
  }
  CHECK(number_after(r.out, "max_rel", "max_rel ") < 1e-13);

  // A kernel that is not separable: no separable row.
  const auto random = run_fftconv({"compare", dir / "im.npy", dir / "k.npy"}, dir);
  REQUIRE(random.exit_code == 0);
  CHECK(!contains(random.out, "\nseparable "));
  CHECK(contains(random.out, "\noverlap_save "));

  // --method: that one against the direct result (not timed).
  const auto os = run_fftconv(
      {"compare", dir / "im.npy", dir / "k.npy", "--method", "overlap_save", "--repeat", "3"}, dir);
  REQUIRE(os.exit_code == 0);
  CHECK(contains(os.out, "\noverlap_save "));
  CHECK(contains(os.out, "\nmax_abs "));
  CHECK(number_after(os.out, "max_rel", "max_rel ") < 1e-13);
  for (const char* other : {"fft", "direct", "separable", "automatic"}) {
    CAPTURE(std::string(other));
    CHECK(!contains(os.out, std::string("\n") + other + " "));
  }
  const auto direct =
      run_fftconv({"compare", dir / "im.npy", dir / "k.npy", "--method", "direct"}, dir);
  REQUIRE(direct.exit_code == 0);
  CHECK(contains(direct.out, "\ndirect "));
  CHECK(!contains(direct.out, "\nfft "));
  CHECK(!contains(direct.out, "\nmax_rel "));
  // separable for a kernel that is not: the library's refusal, exit 1.
  const auto refused =
      run_fftconv({"compare", dir / "im.npy", dir / "k.npy", "--method", "separable"}, dir);
  CHECK(refused.exit_code == 1);
  CHECK(contains(refused.err, "not separable"));
}

TEST_CASE("compare prints its estimate before a long run and asks on a terminal unless --yes") {
  if (!fftconv::test::pseudo_terminal_available()) return;
  TempDir dir;
  write_image_and_kernel(dir, Shape{30, 30}, Shape{5, 5}, PixelType::f64, "im.npy", 1);
  const std::vector<std::string> args{"compare", dir / "im.npy", dir / "k.npy"};
  const auto with = [&](std::vector<std::string> extra) {
    std::vector<std::string> a = args;
    a.insert(a.end(), extra.begin(), extra.end());
    return a;
  };
  const std::string estimate = "fftconv: compare: the cost model expects about ";
  // stdin not a terminal: the estimate, then the run.
  const auto piped = run_fftconv(with({"--confirm-above", "0"}), dir, stdin_from("/dev/null"));
  CHECK(piped.exit_code == 0);
  CHECK(piped.err.find(estimate) == 0);
  CHECK(!contains(piped.err, "continue?"));
  CHECK(contains(piped.out, "\nfft "));
  CHECK(
      run_fftconv(with({"--confirm-above", "0", "-q"}), dir, stdin_from("/dev/null")).err.empty());
  // Below the threshold (the default 5 s; this run needs microseconds): nothing.
  CHECK(run_fftconv(args, dir, stdin_from("/dev/null")).err.empty());

  Terminal no, yes, flag, quick;
  REQUIRE(no.ok());
  // A terminal: the question; "n" leaves the run undone (exit 1, no report).
  no.type("n\n");
  const auto declined = run_fftconv(with({"--confirm-above", "0"}), dir, stdin_from(no.path()));
  CHECK(declined.exit_code == 1);
  CHECK(declined.err.find(estimate) == 0);
  CHECK(contains(declined.err, "; continue? [y/N] "));
  CHECK(contains(declined.err, "fftconv: compare: not run\n"));
  CHECK(declined.out.empty());
  yes.type("y\n");
  const auto accepted = run_fftconv(with({"--confirm-above", "0"}), dir, stdin_from(yes.path()));
  CHECK(accepted.exit_code == 0);
  CHECK(contains(accepted.err, "continue? [y/N]"));
  CHECK(contains(accepted.out, "\nfft "));
  // --yes: the estimate without the question.
  const auto told =
      run_fftconv(with({"--confirm-above", "0", "--yes"}), dir, stdin_from(flag.path()));
  CHECK(told.exit_code == 0);
  CHECK(told.err.find(estimate) == 0);
  CHECK(!contains(told.err, "continue?"));
  const auto fast = run_fftconv(args, dir, stdin_from(quick.path()));
  CHECK(fast.exit_code == 0);
  CHECK(fast.err.empty());
}

TEST_CASE("every subcommand's --help names every method") {
  TempDir dir;
  const std::vector<Method> methods = all_methods();
  REQUIRE(methods.size() >= 5);
  for (const char* sub : {"convolve", "correlate", "blur", "match", "compare"}) {
    const auto r = run_fftconv({sub, "--help"}, dir);
    CHECK(r.exit_code == 0);
    // (the option's own entry, up to the next option)
    const std::size_t at = r.out.find("\n  --method ");
    REQUIRE(at != std::string::npos);
    const std::string help = r.out.substr(at, r.out.find("\n  -", at + 1) - at);
    for (Method m : methods) {
      const std::string name = fftconv::to_string(m);
      CAPTURE(std::string(sub));
      CAPTURE(name);
      CHECK(contains(help, " " + name + " ("));  // the name and what it does
    }
  }
}

TEST_CASE("--axes filters each frame of a stack on its own, as the library with options.axes") {
  TempDir dir;
  const Image stack = fftconv::test::random_image(Shape{4, 9, 10}, PixelType::f64, 7, 0, 1);
  const Image kernel = fftconv::test::random_image(Shape{3, 3}, PixelType::f64, 8, 0, 1);
  fftconv::io::write_image(dir / "stack.npy", stack);
  fftconv::io::write_image(dir / "k.npy", kernel);
  const auto r = run_fftconv({"correlate", dir / "stack.npy", dir / "k.npy", "-o", dir / "out.npy",
                              "--axes", "-2,-1", "--boundary", "reflect", "--dtype", "float64"},
                             dir);
  REQUIRE(r.exit_code == 0);
  fftconv::Options options;
  options.axes = {1, 2};
  options.boundary = fftconv::Boundary::reflect;
  const std::vector<double> in = fftconv::io::to_values<double>(stack);
  const std::vector<double> k = fftconv::io::to_values<double>(kernel);
  std::vector<double> expected(in.size());
  fftconv::correlate(fftconv::ConstView<double>(in.data(), stack.shape),
                     fftconv::ConstView<double>(k.data(), kernel.shape),
                     fftconv::View<double>(expected.data(), stack.shape), options);
  CHECK(fftconv::io::to_values<double>(fftconv::io::read_image(dir / "out.npy")) == expected);
  // Bad axes are the library's refusal, echoed with the file; more than 8 is a usage error.
  const auto bad = run_fftconv(
      {"convolve", dir / "stack.npy", dir / "k.npy", "-o", dir / "bad.npy", "--axes", "1,1"}, dir);
  CHECK(bad.exit_code == 1);
  CHECK(contains(bad.err, "names axis 1 twice"));
  const auto many = run_fftconv({"convolve", dir / "stack.npy", dir / "k.npy", "-o",
                                 dir / "many.npy", "--axes", "0,1,2,3,4,5,6,7,8"},
                                dir);
  CHECK(many.exit_code == 2);
  CHECK(contains(many.err, "--axes lists 9 axes"));
}
