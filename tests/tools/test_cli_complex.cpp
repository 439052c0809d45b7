// The `fftconv` program on complex .npy files (complex64, complex128): convolve and correlate of
// complex x complex, real image x complex kernel and complex image x real kernel against the
// library's reference sums, blur of a complex image against blurs of its parts, the output
// types, and the refusals (complex data into FITS/TIFF/PNG, into commands and options that take
// real numbers), each with its message and nothing written.
#include <doctest/doctest.h>

#include <algorithm>
#include <cmath>
#include <complex>
#include <limits>
#include <string>
#include <vector>

#include "fftconv/fftconv.hpp"
#include "io/convert.hpp"
#include "io/files.hpp"
#include "tool_test_support.hpp"

using fftconv::Shape;
using fftconv::io::Image;
using fftconv::io::PixelType;
using fftconv::test::random_complex_image;
using fftconv::test::random_image;
using fftconv::test::run_fftconv;
using fftconv::test::TempDir;

namespace {

using C = std::complex<double>;

/// The library's reference (double-double sums, rounded once to double) of image x kernel, the
/// files' values read as I and K (double or std::complex<double>: exact for every stored value).
template <class I, class K>
std::vector<C> reference(const Image& image, const Image& kernel, fftconv::Operation operation,
                         const fftconv::Options& options, Shape& out_shape) {
  const std::vector<I> in = fftconv::io::to_values<I>(image);
  const std::vector<K> k = fftconv::io::to_values<K>(kernel);
  out_shape = fftconv::output_shape(image.shape, kernel.shape, options);
  std::vector<C> out(fftconv::element_count(out_shape));
  const fftconv::ConstView<I> iv(in.data(), image.shape);
  const fftconv::ConstView<K> kv(k.data(), kernel.shape);
  const fftconv::View<C> ov(out.data(), out_shape);
  if (operation == fftconv::Operation::correlate)
    fftconv::reference_correlate(iv, kv, ov, options);
  else
    fftconv::reference_convolve(iv, kv, ov, options);
  return out;
}

std::vector<C> reference_of(const Image& image, const Image& kernel, fftconv::Operation operation,
                            const fftconv::Options& options, Shape& out_shape) {
  const bool ic = fftconv::io::is_complex(image.type), kc = fftconv::io::is_complex(kernel.type);
  if (ic && kc) return reference<C, C>(image, kernel, operation, options, out_shape);
  if (ic) return reference<C, double>(image, kernel, operation, options, out_shape);
  return reference<double, C>(image, kernel, operation, options, out_shape);
}

double max_abs(const std::vector<C>& v) {
  double m = 0;
  for (const C& x : v)
    m = std::max(m, std::abs(x));
  return m;
}

/// How far a result computed in precision `eps` (the machine epsilon of float or double) may be
/// from the exact one, for an image whose values are at most `image_max` in modulus and a
/// kernel of `kernel_sum` = sum |k_j|, over a transform of about `points` elements:
///   tol = 16 * eps * (log2(points) + 1) * image_max * kernel_sum.
/// An output is a sum of products x_i k_j with sum |x_i k_j| <= image_max * kernel_sum; a real
/// FFT convolution's error grows as eps * log2(points) times that (the direct sum's as eps
/// times it), a complex part combines two real terms (x2), the result is rounded to the output
/// type once more (+1), and 8 covers the constants of the FFT's error. A wrong sign or a kernel
/// not conjugated would be off by about image_max * kernel_sum, far beyond this.
double tolerance(double eps, std::size_t points, double image_max, double kernel_sum) {
  return 16 * eps * (std::log2(static_cast<double>(points)) + 1) * image_max * kernel_sum;
}

double sum_abs(const std::vector<C>& v) {
  double s = 0;
  for (const C& x : v)
    s += std::abs(x);
  return s;
}

/// The program's output file against `want`, within `tol` in every part.
void check_close(const std::string& path, PixelType type, const Shape& shape,
                 const std::vector<C>& want, double tol) {
  const Image out = fftconv::io::read_image(path);
  REQUIRE(out.type == type);
  REQUIRE(out.shape == shape);
  const std::vector<C> got = fftconv::io::to_values<C>(out);
  double worst = 0;
  for (std::size_t i = 0; i < got.size(); ++i)
    worst = std::max({worst, std::abs(got[i].real() - want[i].real()),
                      std::abs(got[i].imag() - want[i].imag())});
  CAPTURE(worst);
  CAPTURE(tol);
  CHECK(worst <= tol);
}

std::size_t lines(const std::string& s) {
  return static_cast<std::size_t>(std::count(s.begin(), s.end(), '\n'));
}

}  // namespace

TEST_CASE("fftconv convolve/correlate on complex64 and complex128 npy files: every combination") {
  TempDir dir;
  struct Precision {
    PixelType complex, real;
    double eps;  // of the computation: float for complex64/float32 files, double otherwise
  };
  const Precision precisions[] = {
      {PixelType::c64, PixelType::f32, std::numeric_limits<float>::epsilon()},
      {PixelType::c128, PixelType::f64, std::numeric_limits<double>::epsilon()}};
  struct Options {
    std::vector<std::string> args;
    fftconv::Options options;
  };
  fftconv::Options full_wrap;
  full_wrap.mode = fftconv::Mode::full;
  full_wrap.boundary = fftconv::Boundary::wrap;
  full_wrap.method = fftconv::Method::fft;
  fftconv::Options valid_direct;
  valid_direct.mode = fftconv::Mode::valid;
  valid_direct.method = fftconv::Method::direct;
  fftconv::Options reflect_overlap;
  reflect_overlap.boundary = fftconv::Boundary::reflect;
  reflect_overlap.method = fftconv::Method::overlap_save;
  const Options option_sets[] = {
      {{}, {}},
      {{"--mode", "full", "--boundary", "wrap", "--method", "fft"}, full_wrap},
      {{"--mode", "valid", "--method", "direct"}, valid_direct},
      {{"--boundary", "reflect", "--method", "overlap_save"}, reflect_overlap},
  };
  const Shape image_shape{21, 18}, kernel_shape{5, 4};
  for (const Precision& p : precisions) {
    // complex x complex, real image x complex kernel, complex image x real kernel
    const Image ci = random_complex_image(image_shape, p.complex, 1, -1, 1);
    const Image ri = random_image(image_shape, p.real, 2, -1, 1);
    const Image ck = random_complex_image(kernel_shape, p.complex, 3, -1, 1);
    const Image rk = random_image(kernel_shape, p.real, 4, -1, 1);
    const std::pair<const Image*, const Image*> pairs[] = {{&ci, &ck}, {&ri, &ck}, {&ci, &rk}};
    for (const auto& pair : pairs) {
      const Image* const image = pair.first;  // (no structured binding: CAPTURE is a lambda)
      const Image* const kernel = pair.second;
      fftconv::io::write_image(dir / "im.npy", *image);
      fftconv::io::write_image(dir / "k.npy", *kernel);
      for (const auto op : {fftconv::Operation::convolve, fftconv::Operation::correlate})
        for (const Options& o : option_sets) {
          const std::string command = fftconv::to_string(op);
          CAPTURE(fftconv::io::name(image->type));
          CAPTURE(fftconv::io::name(kernel->type));
          CAPTURE(command);
          CAPTURE(o.args.size());
          std::vector<std::string> args{command, dir / "im.npy", dir / "k.npy", "-o",
                                        dir / "out.npy"};
          args.insert(args.end(), o.args.begin(), o.args.end());
          const auto r = run_fftconv(args, dir);
          REQUIRE(r.exit_code == 0);
          CHECK(r.err.empty());
          Shape shape;
          const std::vector<C> want = reference_of(*image, *kernel, op, o.options, shape);
          const std::vector<C> image_values = fftconv::io::to_values<C>(*image);
          const std::size_t points = fftconv::element_count(image_shape) * 4;  // (padded)
          check_close(dir / "out.npy", p.complex, shape, want,
                      tolerance(p.eps, points, max_abs(image_values),
                                sum_abs(fftconv::io::to_values<C>(*kernel))));
        }
    }
  }
}

TEST_CASE("fftconv on a complex stack with --axes: each frame against the reference") {
  TempDir dir;
  const Image stack = random_complex_image(Shape{3, 12, 10}, PixelType::c128, 5);
  const Image kernel = random_complex_image(Shape{4, 3}, PixelType::c128, 6);
  fftconv::io::write_image(dir / "stack.npy", stack);
  fftconv::io::write_image(dir / "k.npy", kernel);
  const auto r = run_fftconv(
      {"correlate", dir / "stack.npy", dir / "k.npy", "-o", dir / "out.npy", "--axes", "1,2"}, dir);
  REQUIRE(r.exit_code == 0);
  fftconv::Options options;
  options.axes = {1, 2};
  Image kernel3 = kernel;
  kernel3.shape = Shape{1, 4, 3};  // (the program's promotion: a leading axis of length 1)
  Shape shape;
  const std::vector<C> want =
      reference<C, C>(stack, kernel3, fftconv::Operation::correlate, options, shape);
  check_close(dir / "out.npy", PixelType::c128, shape, want,
              tolerance(std::numeric_limits<double>::epsilon(), 4 * 12 * 10,
                        max_abs(fftconv::io::to_values<C>(stack)),
                        sum_abs(fftconv::io::to_values<C>(kernel))));
}

TEST_CASE("fftconv blur of a complex image: the blurs of its real and imaginary parts") {
  TempDir dir;
  const Image image = random_complex_image(Shape{16, 20}, PixelType::c128, 7, -5, 5);
  const std::vector<C> values = fftconv::io::to_values<C>(image);
  std::vector<double> re(values.size()), im(values.size());
  for (std::size_t i = 0; i < values.size(); ++i) {
    re[i] = values[i].real();
    im[i] = values[i].imag();
  }
  fftconv::io::Conversion report;
  fftconv::io::write_image(dir / "c.npy", image);
  fftconv::io::write_image(
      dir / "re.npy", fftconv::io::from_values(image.shape, re.data(), PixelType::f64, report));
  fftconv::io::write_image(
      dir / "im.npy", fftconv::io::from_values(image.shape, im.data(), PixelType::f64, report));
  for (const char* part : {"c", "re", "im"}) {
    const auto r = run_fftconv({"blur", dir / (std::string(part) + ".npy"), "--sigma", "1.5,2",
                                "-o", dir / (std::string(part) + "_b.npy")},
                               dir);
    REQUIRE(r.exit_code == 0);
  }
  const std::vector<double> re_b =
      fftconv::io::to_values<double>(fftconv::io::read_image(dir / "re_b.npy"));
  const std::vector<double> im_b =
      fftconv::io::to_values<double>(fftconv::io::read_image(dir / "im_b.npy"));
  std::vector<C> want(re_b.size());
  for (std::size_t i = 0; i < want.size(); ++i)
    want[i] = {re_b[i], im_b[i]};
  // Both computations' errors (the Gaussian's weights sum to 1): twice the tolerance.
  check_close(
      dir / "c_b.npy", PixelType::c128, image.shape, want,
      2 * tolerance(std::numeric_limits<double>::epsilon(), 4 * values.size(), max_abs(values), 1));
}

TEST_CASE("complex output types: the real rule made complex, or a complex --dtype") {
  TempDir dir;
  fftconv::io::write_image(dir / "c64.npy", random_complex_image(Shape{9, 8}, PixelType::c64, 1));
  fftconv::io::write_image(dir / "c128.npy", random_complex_image(Shape{3, 3}, PixelType::c128, 2));
  fftconv::io::write_image(dir / "f32.npy", random_image(Shape{9, 8}, PixelType::f32, 3));
  fftconv::io::write_image(dir / "f64.npy", random_image(Shape{9, 8}, PixelType::f64, 4));
  fftconv::io::write_image(dir / "u8.npy", random_image(Shape{9, 8}, PixelType::u8, 5));
  fftconv::io::write_image(dir / "k64.npy", random_image(Shape{3, 3}, PixelType::f64, 6));
  struct Case {
    std::vector<std::string> args;
    PixelType type;
  };
  const Case cases[] = {
      {{"c64.npy", "c128.npy"}, PixelType::c64},  // a complex image keeps its type
      {{"c64.npy", "k64.npy", "--precision", "double"}, PixelType::c64},
      {{"c128.npy", "k64.npy", "--precision", "float"}, PixelType::c128},
      {{"c64.npy", "k64.npy", "--dtype", "complex128"}, PixelType::c128},
      {{"c64.npy", "k64.npy", "--dtype", "same"}, PixelType::c64},
      {{"f32.npy", "c128.npy"}, PixelType::c64},   // float32 -> its complex type
      {{"f64.npy", "c128.npy"}, PixelType::c128},  // float64 -> complex128
      {{"u8.npy", "c128.npy"}, PixelType::c64},    // integer images give float32 -> complex64
      {{"f64.npy", "k64.npy", "--dtype", "c64"}, PixelType::c64},  // a real result as complex
  };
  for (const Case& c : cases) {
    CAPTURE(c.args[0]);
    CAPTURE(c.args[1]);
    std::vector<std::string> args{"convolve", dir / c.args[0], dir / c.args[1], "-o",
                                  dir / "o.npy"};
    args.insert(args.end(), c.args.begin() + 2, c.args.end());
    const auto r = run_fftconv(args, dir);
    REQUIRE(r.exit_code == 0);
    CHECK(fftconv::io::read_image(dir / "o.npy").type == c.type);
  }
  // A real result stored as complex64: the float32 result as the real part, the imaginary 0.
  REQUIRE(run_fftconv({"convolve", dir / "f64.npy", dir / "k64.npy", "-o", dir / "r.npy", "--dtype",
                       "float32"},
                      dir)
              .exit_code == 0);
  const std::vector<C> as_complex =
      fftconv::io::to_values<C>(fftconv::io::read_image(dir / "o.npy"));
  const std::vector<C> as_real = fftconv::io::to_values<C>(fftconv::io::read_image(dir / "r.npy"));
  CHECK(as_complex == as_real);
}

TEST_CASE("complex data where it cannot go: a clear message, nothing written") {
  TempDir dir;
  fftconv::io::write_image(dir / "c.npy", random_complex_image(Shape{8, 8}, PixelType::c64, 1));
  fftconv::io::write_image(dir / "ck.npy", random_complex_image(Shape{3, 3}, PixelType::c128, 2));
  fftconv::io::write_image(dir / "r.npy", random_image(Shape{8, 8}, PixelType::f64, 3));
  fftconv::io::write_image(dir / "rk.npy", random_image(Shape{3, 3}, PixelType::f64, 4));
  fftconv::test::write_bytes(dir / "old.png", {'o', 'l', 'd'});  // an existing output stays
  const std::vector<std::string> before = dir.files();
  const std::string c = dir / "c.npy", ck = dir / "ck.npy", r = dir / "r.npy", rk = dir / "rk.npy";
  struct Case {
    std::vector<std::string> args;
    int exit_code;
    std::string message;
  };
  const Case cases[] = {
      // Formats that cannot hold complex numbers, before the work (usage errors).
      {{"convolve", c, ck, "-o", dir / "o.png"},
       2,
       "o.png: PNG cannot store complex64 pixels (complex data: .npy only)"},
      {{"convolve", c, ck, "-o", dir / "old.png"}, 2, "old.png: PNG cannot store complex64"},
      {{"correlate", r, ck, "-o", dir / "o.fits"},
       2,
       "o.fits: FITS cannot store complex128 pixels"},
      {{"convolve", c, rk, "-o", dir / "o.tif"}, 2, "o.tif: TIFF cannot store complex64 pixels"},
      {{"blur", c, "--sigma", "1", "-o", dir / "o.fits.gz"},
       2,
       "o.fits.gz: FITS cannot store complex64 pixels"},
      {{"convolve", r, rk, "-o", dir / "o.fits", "--dtype", "complex64"},
       2,
       "o.fits: FITS cannot store complex64 pixels"},
      // Real output types for a complex result.
      {{"convolve", c, rk, "-o", dir / "o.npy", "--dtype", "float32"},
       2,
       "o.npy: the result is complex, and --dtype float32 is not"},
      {{"convolve", r, ck, "-o", dir / "o.npy", "--dtype", "same"},
       2,
       "o.npy: the result is complex, and --dtype same (float64) is not"},
      // Commands and options that take real numbers.
      {{"compare", c, rk}, 1, "c.npy: complex64 pixels, but compare takes real numbers only"},
      {{"compare", r, ck}, 1, "ck.npy: complex128 pixels, but compare takes real numbers only"},
      {{"match", c, rk, "-o", dir / "s.npy"},
       1,
       "c.npy: complex64 pixels, but match takes real numbers only"},
      {{"match", r, ck, "-o", dir / "s.npy"},
       1,
       "ck.npy: complex128 pixels, but match takes real numbers only"},
      {{"match", r, rk, "--template-mask", ck},
       1,
       "ck.npy: complex128 pixels, but a mask takes real numbers only"},
      {{"convolve", r, rk, "-o", dir / "o.npy", "--mask", c},
       1,
       "c.npy: complex64 pixels, but a mask takes real numbers only"},
      {{"convolve", c, rk, "-o", dir / "o.npy", "--mask", r},
       1,
       "c.npy: complex64 pixels, but masked filtering (--mask, --weight-out) takes real numbers"},
      {{"correlate", r, ck, "-o", dir / "o.npy", "--weight-out", dir / "w.npy"},
       1,
       "ck.npy: complex128 pixels, but masked filtering (--mask, --weight-out)"},
      // What the library refuses for complex data.
      {{"convolve", c, ck, "-o", dir / "o.npy", "--normalize-kernel"}, 1, "normalize_kernel"},
      {{"convolve", c, rk, "-o", dir / "o.npy", "--nan", "interpolate"}, 1, "nan_policy"},
      {{"blur", c, "--sigma", "1", "-o", dir / "o.npy", "--nan", "fill"}, 1, "nan_policy"},
  };
  for (const Case& k : cases) {
    CAPTURE(k.message);
    const auto result = run_fftconv(k.args, dir);
    CHECK(result.exit_code == k.exit_code);
    CHECK(result.err.find(k.message) != std::string::npos);
    CHECK(lines(result.err) == 1);
    CHECK(dir.files() == before);  // no output, no temporary, no directory
  }
  CHECK(fftconv::test::read_text(dir / "old.png") == "old");
}
