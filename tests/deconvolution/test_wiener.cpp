// wiener: scikit-image 0.19's values (docs/deconvolution-semantics.md §2, 2-D), its N-D form
// against the definition evaluated with a long double DFT, and its refusals.
#include <doctest/doctest.h>

#include <algorithm>
#include <cmath>
#include <complex>
#include <limits>
#include <numeric>
#include <random>
#include <vector>

#include "deconvolution/reference.hpp"
#include "fftconv/deconvolve.hpp"

using fftconv::ConstView;
using fftconv::DeconvolutionEdges;
using fftconv::Shape;
using fftconv::View;

namespace {

template <class T>
std::vector<T> wiener(const std::vector<T>& image, const Shape& shape, const std::vector<T>& psf,
                      const Shape& ps, double balance, const fftconv::WienerOptions& o = {}) {
  std::vector<T> out(image.size(), T(-9));
  fftconv::wiener(ConstView<T>(image.data(), shape), ConstView<T>(psf.data(), ps),
                  View<T>(out.data(), shape), balance, o);
  return out;
}

void check_close(double got, double expected) {
  CHECK(std::abs(got - expected) <= 1e-10 * std::abs(expected));
}

}  // namespace

TEST_CASE("wiener reproduces scikit-image 0.19's results (2-D, periodic)") {
  const std::vector<double> img = deconvolution_reference::skimage_test_image();
  const std::vector<double> po = {1 / 16., 2 / 16., 1 / 16., 2 / 16., 4 / 16.,
                                  2 / 16., 1 / 16., 2 / 16., 1 / 16.};
  const std::vector<double> pe = {0.1, 0.2, 0.3, 0.4};
  const auto a = wiener(img, {6, 8}, po, {3, 3}, 0.1);
  check_close(std::accumulate(a.begin(), a.end(), 0.0), 24);
  check_close(a[0], 0.372082442553679);
  check_close(a[2 * 8 + 3], 0.396192026376679);
  const auto b = wiener(img, {6, 8}, pe, {2, 2}, 0.1);
  check_close(b[0], 0.407223381038284);
  check_close(b[2 * 8 + 3], 0.307810285657149);
  fftconv::WienerOptions o;
  o.regularizer = fftconv::Regularizer::identity;
  const auto c = wiener(img, {6, 8}, po, {3, 3}, 0.1, o);
  check_close(c[0], -0.0499168265973483);
  check_close(c[2 * 8 + 3], -0.298810693723342);
  // an explicit Laplacian equals the default
  const std::vector<double> lap = {0, -1, 0, -1, 4, -1, 0, -1, 0};
  o = {};
  o.regularizer_kernel = ConstView<double>(lap.data(), {3, 3});
  const auto d = wiener(img, {6, 8}, po, {3, 3}, 0.1, o);
  for (std::size_t i = 0; i < d.size(); ++i)
    CHECK(std::abs(d[i] - a[i]) <= 1e-14);
  // a PSF with negative values is accepted (scikit-image does)
  std::vector<double> negative = po;
  negative[0] = -0.05;
  CHECK_NOTHROW(wiener(img, {6, 8}, negative, {3, 3}, 0.1));
}

TEST_CASE_TEMPLATE("wiener in 3-D equals its definition over every axis", T, float, double) {
  // F = conj(H) G / (|H|^2 + b |R|^2) by a long double DFT over all three axes.
  const Shape shape{4, 5, 6};
  const long n0 = 4, n1 = 5, n2 = 6, N = n0 * n1 * n2;
  std::mt19937_64 rng(3);
  std::uniform_real_distribution<double> u(0, 1);
  std::vector<T> image(static_cast<std::size_t>(N)), psf(12);
  for (T& v : image)
    v = T(u(rng));
  for (T& v : psf)
    v = T(u(rng));
  const Shape ps{2, 3, 2};
  const auto got = wiener(image, shape, psf, ps, 0.05);
  using L = long double;
  const L two_pi = 2 * std::acos(L(-1));
  std::vector<std::complex<L>> G(static_cast<std::size_t>(N));
  for (long k0 = 0; k0 < n0; ++k0)
    for (long k1 = 0; k1 < n1; ++k1)
      for (long k2 = 0; k2 < n2; ++k2) {
        std::complex<L> g = 0, h = 0;
        for (long x0 = 0; x0 < n0; ++x0)
          for (long x1 = 0; x1 < n1; ++x1)
            for (long x2 = 0; x2 < n2; ++x2) {
              const L ph = -two_pi * (L(k0 * x0) / n0 + L(k1 * x1) / n1 + L(k2 * x2) / n2);
              g += L(image[std::size_t((x0 * n1 + x1) * n2 + x2)]) * std::polar(L(1), ph);
            }
        for (long m0 = 0; m0 < 2; ++m0)
          for (long m1 = 0; m1 < 3; ++m1)
            for (long m2 = 0; m2 < 2; ++m2) {
              // tap m sits at m - k/2 (scikit-image's centre)
              const L ph =
                  -two_pi * (L(k0 * (m0 - 1)) / n0 + L(k1 * (m1 - 1)) / n1 + L(k2 * (m2 - 1)) / n2);
              h += L(psf[std::size_t((m0 * 3 + m1) * 2 + m2)]) * std::polar(L(1), ph);
            }
        const L r = 6 - 2 * std::cos(two_pi * k0 / n0) - 2 * std::cos(two_pi * k1 / n1) -
                    2 * std::cos(two_pi * k2 / n2);
        G[std::size_t((k0 * n1 + k1) * n2 + k2)] =
            std::conj(h) * g / (std::norm(h) + 0.05L * r * r);
      }
  L worst = 0, most = 0;
  for (long x0 = 0; x0 < n0; ++x0)
    for (long x1 = 0; x1 < n1; ++x1)
      for (long x2 = 0; x2 < n2; ++x2) {
        std::complex<L> f = 0;
        for (long k0 = 0; k0 < n0; ++k0)
          for (long k1 = 0; k1 < n1; ++k1)
            for (long k2 = 0; k2 < n2; ++k2) {
              const L ph = two_pi * (L(k0 * x0) / n0 + L(k1 * x1) / n1 + L(k2 * x2) / n2);
              f += G[std::size_t((k0 * n1 + k1) * n2 + k2)] * std::polar(L(1), ph);
            }
        const L want = f.real() / N;
        most = std::max(most, std::abs(want));
        worst = std::max(worst, std::abs(want - L(got[std::size_t((x0 * n1 + x1) * n2 + x2)])));
      }
  // Two transforms of N points and the PSF's: each about eps log2(N) of the largest values, and
  // the division by |H|^2 + b |R|^2 >= b min|R|^2 magnifies them by at most max|H| / that
  // (here below 1e2): 1e2 * 16 eps log2(2N).
  CHECK(double(worst / most) <=
        1e2 * 16 * double(std::numeric_limits<T>::epsilon()) * std::log2(2.0 * N));
}

// Only the rows a PSF occupies go through the row transforms (RealGrid's pruned forward): a PSF
// given as the whole grid, zero but for the same taps placed by hand (tap k / 2 at the origin, as
// wiener places it), is transformed in full and must give the same result to rounding. 3-D, odd
// PSF lengths whose taps wrap around the grid's end, above 2^16 points: any thread count gives
// the same bits.
TEST_CASE_TEMPLATE("wiener: the pruned PSF transform, and threads", T, float, double) {
  const Shape shape{40, 42, 45};
  const std::size_t N = 40 * 42 * 45;
  std::mt19937_64 rng(4);
  std::uniform_real_distribution<double> u(0, 1);
  std::vector<T> image(N), psf(5 * 3 * 7), whole(N, T(0));
  for (T& v : image)
    v = T(u(rng));
  for (T& v : psf)
    v = T(u(rng));
  for (std::size_t m0 = 0; m0 < 5; ++m0)
    for (std::size_t m1 = 0; m1 < 3; ++m1)
      for (std::size_t m2 = 0; m2 < 7; ++m2) {
        // whole is centred at its own 20, 21, 22: tap m at (m - k / 2 + whole / 2) there
        const std::size_t at = ((m0 + 20 - 2) * 42 + (m1 + 21 - 1)) * 45 + (m2 + 22 - 3);
        whole[at] = psf[(m0 * 3 + m1) * 7 + m2];
      }
  const auto pruned = wiener(image, shape, psf, {5, 3, 7}, 0.05);
  const auto full = wiener(image, shape, whole, shape, 0.05);
  T worst = 0, most = 0;
  for (std::size_t i = 0; i < N; ++i) {
    worst = std::max(worst, std::abs(pruned[i] - full[i]));
    most = std::max(most, std::abs(full[i]));
  }
  // Each side within the 3-D definition test's bound of the exact result.
  CHECK(double(worst / most) <=
        2 * 1e2 * 16 * double(std::numeric_limits<T>::epsilon()) * std::log2(2.0 * double(N)));
  fftconv::WienerOptions o;
  o.threads = 3;
  CHECK(wiener(image, shape, psf, {5, 3, 7}, 0.05, o) == pruned);
}

TEST_CASE("wiener: padded edges recover a blurred scene better near its border") {
  // A ramp (not periodic) blurred with zero... the extended edge continues it by reflection.
  const std::size_t n = 48;
  std::vector<double> truth(n * n), psf(25, 1.0 / 25);
  for (std::size_t i = 0; i < n; ++i)
    for (std::size_t j = 0; j < n; ++j)
      truth[i * n + j] = double(i + j) / double(n) + std::sin(double(i) / 3.0);
  std::vector<double> blurred(n * n);
  fftconv::Options co;
  co.boundary = fftconv::Boundary::reflect;
  fftconv::convolve(ConstView<double>(truth.data(), {n, n}), ConstView<double>(psf.data(), {5, 5}),
                    View<double>(blurred.data(), {n, n}), co);
  const auto border_error = [&](const std::vector<double>& f) {
    double e = 0;
    for (std::size_t i = 0; i < n; ++i)
      for (std::size_t j = 0; j < n; ++j)
        if (i < 5 || j < 5 || i >= n - 5 || j >= n - 5)
          e += std::abs(f[i * n + j] - truth[i * n + j]);
    return e;
  };
  fftconv::WienerOptions o;
  const double periodic = border_error(wiener(blurred, {n, n}, psf, {5, 5}, 0.01, o));
  o.edges = DeconvolutionEdges::extended;
  const double extended = border_error(wiener(blurred, {n, n}, psf, {5, 5}, 0.01, o));
  CAPTURE(periodic);
  CAPTURE(extended);
  CHECK(extended < 0.5 * periodic);
}

TEST_CASE("wiener refuses bad input and leaves out untouched") {
  std::vector<double> image(36, 1.0), psf(9, 1.0 / 9), out(36, -2.0);
  const auto refused = [&](const std::vector<double>& im, const std::vector<double>& p,
                           const Shape& ps, double balance, const fftconv::WienerOptions& o) {
    CHECK_THROWS_AS(
        fftconv::wiener(ConstView<double>(im.data(), {6, 6}), ConstView<double>(p.data(), ps),
                        View<double>(out.data(), {6, 6}), balance, o),
        fftconv::Error);
    CHECK(std::all_of(out.begin(), out.end(), [](double v) { return v == -2.0; }));
  };
  fftconv::WienerOptions o;
  refused(image, psf, {3, 3}, -1, o);
  refused(image, psf, {3, 3}, std::nan(""), o);
  auto nan_psf = psf;
  nan_psf[1] = std::nan("");
  refused(image, nan_psf, {3, 3}, 0.1, o);
  refused(image, std::vector<double>(9, 0.0), {3, 3}, 0.1, o);
  refused(image, std::vector<double>(49, 0.1), {7, 7}, 0.1, o);  // longer than the image
  auto inf_image = image;
  inf_image[3] = INFINITY;
  refused(inf_image, psf, {3, 3}, 0.1, o);
  o.max_memory_bytes = 100;
  refused(image, psf, {3, 3}, 0.1, o);
}
