// richardson_lucy and landweber against scikit-image's published values (docs/
// deconvolution-semantics.md, computed with skimage 0.19.3), against the long double reference
// (reference.hpp) for every edge rule, rank, PSF parity, mask and method, and their properties:
// flux, acceleration, regularization, progress, restarting, refusals.
#include <doctest/doctest.h>

#include <Eigen/Core>
#include <cmath>
#include <limits>
#include <memory>
#include <numeric>
#include <random>
#include <vector>

#include "deconvolution/reference.hpp"
#include "fftconv/deconvolve.hpp"

using fftconv::ConstView;
using fftconv::DeconvolutionEdges;
using fftconv::Shape;
using fftconv::View;
namespace ref = deconvolution_reference;

namespace {

const std::vector<double> psf_odd = {1 / 16., 2 / 16., 1 / 16., 2 / 16., 4 / 16.,
                                     2 / 16., 1 / 16., 2 / 16., 1 / 16.};
const std::vector<double> psf_even = {0.1, 0.2, 0.3, 0.4};

double sum(const std::vector<double>& v) {
  return std::accumulate(v.begin(), v.end(), 0.0);
}

template <class T>
std::vector<T> rl(const std::vector<T>& image, const Shape& shape, const std::vector<T>& psf,
                  const Shape& psf_shape, const fftconv::RichardsonLucyOptions& o) {
  std::vector<T> out(image.size(), T(-7));
  fftconv::richardson_lucy(ConstView<T>(image.data(), shape), ConstView<T>(psf.data(), psf_shape),
                           View<T>(out.data(), shape), o);
  return out;
}

// Relative agreement within 1e-10 (the criterion against scikit-image).
void check_close(double got, double expected) {
  CHECK(std::abs(got - expected) <= 1e-10 * std::max(std::abs(expected), 1e-300) + 1e-300);
}

template <class T>
std::vector<T> random_values(std::size_t n, std::mt19937_64& rng, double lo, double hi) {
  std::uniform_real_distribution<double> u(lo, hi);
  std::vector<T> v(n);
  for (T& x : v)
    x = static_cast<T>(u(rng));
  return v;
}

// Error of K iterations against the long double reference, relative to its largest value: each
// iteration's two convolutions round to about eps log2(N) of the largest values (N the transform
// length, at most the domain's size here) and the multiplicative updates carry earlier errors
// forward without growing them by more than a small factor per iteration: 64 eps K log2(2N).
template <class T>
double rl_tolerance(int iterations, std::size_t n) {
  return 64 * static_cast<double>(std::numeric_limits<T>::epsilon()) * std::max(iterations, 1) *
         std::log2(2.0 * static_cast<double>(n));
}

}  // namespace

TEST_CASE("richardson_lucy reproduces scikit-image 0.19's results (zero edges)") {
  const std::vector<double> img = deconvolution_reference::skimage_test_image();
  fftconv::RichardsonLucyOptions o;
  SUBCASE("odd PSF, 10 iterations") {
    o.iterations = 10;
    const auto f = rl(img, {6, 8}, psf_odd, {3, 3}, o);
    check_close(sum(f), 23.9999999999464);
    check_close(f[0], 8.79723525403737e-05);
    check_close(f[2 * 8 + 3], 0.0195504407609986);
    check_close(f[5 * 8 + 7], 0.440892777683702);
  }
  SUBCASE("even PSF, 3 iterations (scikit-image's back-projection)") {
    o.iterations = 3;
    const auto f = rl(img, {6, 8}, psf_even, {2, 2}, o);
    check_close(sum(f), 46.9170720170788);
    CHECK(f[0] == 0);
    check_close(f[2 * 8 + 3], 0.00711490106397534);
    check_close(f[5 * 8 + 7], 1.6303232673325);
  }
  SUBCASE("filter_epsilon") {
    o.iterations = 10;
    o.filter_epsilon = 0.3;
    const auto f = rl(img, {6, 8}, psf_odd, {3, 3}, o);
    check_close(sum(f), 14.2999999999694);
    check_close(f[0], 5.23500907234511e-09);
    check_close(f[2 * 8 + 3], 0.0179660788122641);
  }
  SUBCASE("clip") {
    o.iterations = 10;
    o.clip = true;
    const auto f = rl(img, {6, 8}, psf_odd, {3, 3}, o);
    CHECK(*std::max_element(f.begin(), f.end()) == 1.0);
  }
  SUBCASE("3-D, odd and even PSFs") {
    std::vector<double> i3(60);
    for (int i = 0; i < 60; ++i)
      i3[std::size_t(i)] = (i * 7 % 11) / 10.0;
    std::vector<double> p3(27, 1.0 / 30);
    p3[13] = 4.0 / 30;
    o.iterations = 5;
    const auto f = rl(i3, {3, 4, 5}, p3, {3, 3, 3}, o);
    check_close(sum(f), 30.0999999999128);
    check_close(f[(1 * 4 + 2) * 5 + 3], 2.3678661935681);
    std::vector<double> p3e(8);
    for (int i = 0; i < 8; ++i)
      p3e[std::size_t(i)] = (i + 1) / 36.0;
    o.iterations = 2;
    const auto e = rl(i3, {3, 4, 5}, p3e, {2, 2, 2}, o);
    check_close(sum(e), 169.25778238118);
    check_close(e[(1 * 4 + 2) * 5 + 3], 0.187063447039988);
  }
}

TEST_CASE_TEMPLATE("richardson_lucy equals the long double reference", T, float, double) {
  std::mt19937_64 rng(2112);
  struct Case {
    Shape image, psf;
  };
  const Case cases[] = {{{17}, {5}},
                        {{16}, {4}},
                        {{9, 11}, {3, 5}},
                        {{8, 10}, {4, 2}},
                        {{4, 5, 6}, {3, 3, 3}},
                        {{5, 6, 4}, {2, 3, 2}}};
  for (const Case& c : cases)
    for (DeconvolutionEdges edges :
         {DeconvolutionEdges::zero, DeconvolutionEdges::periodic, DeconvolutionEdges::extended})
      for (bool masked : {false, true})
        for (fftconv::Method method : {fftconv::Method::direct, fftconv::Method::fft}) {
          CAPTURE(fftconv::to_string(c.image));
          CAPTURE(fftconv::to_string(c.psf));
          CAPTURE(fftconv::to_string(edges));
          CAPTURE(masked);
          CAPTURE(fftconv::to_string(method));
          const std::size_t S = fftconv::element_count(c.image);
          const auto image = random_values<T>(S, rng, 0.5, 2.0);
          const auto psf = random_values<T>(fftconv::element_count(c.psf), rng, 0.1, 1.0);
          std::vector<bool> bad;
          std::unique_ptr<bool[]> flags(new bool[S]);
          for (std::size_t i = 0; i < S; ++i) {
            flags[i] = masked && i % 7 == 3;
            if (masked) bad.push_back(flags[i]);
          }
          fftconv::RichardsonLucyOptions o;
          o.iterations = 6;
          o.edges = edges;
          o.method = method;
          if (masked) o.mask = ConstView<bool>(flags.get(), c.image);
          const auto got = rl(image, c.image, psf, c.psf, o);
          const ref::Model m(c.image, std::vector<double>(psf.begin(), psf.end()), c.psf, edges,
                             edges == DeconvolutionEdges::zero);
          const auto want =
              ref::richardson_lucy(m, std::vector<double>(image.begin(), image.end()), bad, 6);
          long double most = 0, worst = 0;
          for (std::size_t i = 0; i < S; ++i) {
            most = std::max(most, std::abs(want[i]));
            worst = std::max(worst, std::abs(static_cast<long double>(got[i]) - want[i]));
          }
          CHECK(static_cast<double>(worst / most) <=
                rl_tolerance<T>(6, static_cast<std::size_t>(m.domain.size())));
        }
}

TEST_CASE("richardson_lucy preserves the flux: periodic edges, and zero edges with odd PSFs") {
  std::mt19937_64 rng(77);
  const auto image = random_values<double>(24 * 30, rng, 0, 100);
  const auto psf = random_values<double>(7 * 5, rng, 0, 1);
  for (DeconvolutionEdges edges : {DeconvolutionEdges::periodic, DeconvolutionEdges::zero}) {
    fftconv::RichardsonLucyOptions o;
    o.iterations = 20;
    o.edges = edges;
    const auto f = rl(image, {24, 30}, psf, {7, 5}, o);
    // the 1e-12 added to every blurred value moves the flux by about 1e-12 / mean(blur) each
    CHECK(std::abs(sum(f) - sum(image)) <= 1e-6 * sum(image));
  }
}

TEST_CASE("Biggs-Andrews acceleration reaches plain RL's error in far fewer iterations") {
  // A smooth, positive scene (periodic), blurred by a Gaussian PSF, without noise.
  const std::size_t n = 64;
  std::vector<double> truth(n * n), psf(9 * 9);
  for (std::size_t i = 0; i < n; ++i)
    for (std::size_t j = 0; j < n; ++j)
      truth[i * n + j] =
          10 + 100 * std::exp(-(std::pow(double(i) - 20, 2) + std::pow(double(j) - 30, 2)) / 18) +
          60 * std::exp(-(std::pow(double(i) - 40, 2) + std::pow(double(j) - 44, 2)) / 8);
  for (int i = 0; i < 9; ++i)
    for (int j = 0; j < 9; ++j)
      psf[std::size_t(i * 9 + j)] = std::exp(-((i - 4) * (i - 4) + (j - 4) * (j - 4)) / 4.5);
  std::vector<double> blurred(n * n);
  fftconv::Options co;
  co.boundary = fftconv::Boundary::wrap;
  fftconv::convolve(ConstView<double>(truth.data(), {n, n}), ConstView<double>(psf.data(), {9, 9}),
                    View<double>(blurred.data(), {n, n}), co);
  const auto error = [&](const std::vector<double>& f) {
    double e = 0;
    for (std::size_t i = 0; i < f.size(); ++i)
      e += (f[i] - truth[i]) * (f[i] - truth[i]);
    return std::sqrt(e / double(f.size()));
  };
  fftconv::RichardsonLucyOptions o;
  o.edges = DeconvolutionEdges::periodic;
  o.iterations = 100;
  const double plain = error(rl(blurred, {n, n}, psf, {9, 9}, o));
  o.acceleration = fftconv::Acceleration::biggs_andrews;
  int reached = 0;
  std::vector<double> fast(n * n);
  o.iterations = 100;
  o.progress = [&](int k, double) {
    reached = k;
    return true;
  };
  for (int k = 1; k <= 100; ++k) {
    o.iterations = k;
    o.progress = nullptr;
    fast = rl(blurred, {n, n}, psf, {9, 9}, o);
    if (error(fast) <= plain) {
      reached = k;
      break;
    }
  }
  CAPTURE(plain);
  CHECK(reached > 0);
  CHECK(reached <= 33);
  CHECK(std::abs(sum(fast) - sum(blurred)) <= 1e-9 * sum(blurred));  // a psi output: flux kept
  // The first two iterations are plain RL's.
  o.iterations = 2;
  const auto two = rl(blurred, {n, n}, psf, {9, 9}, o);
  o.acceleration = fftconv::Acceleration::none;
  const auto plain_two = rl(blurred, {n, n}, psf, {9, 9}, o);
  CHECK(two == plain_two);
}

TEST_CASE("total-variation regularization flattens an isolated peak, and 0 is plain RL") {
  std::vector<double> image(15 * 15, 1.0);
  image[7 * 15 + 7] = 50;
  const std::vector<double> psf = psf_odd;
  fftconv::RichardsonLucyOptions o;
  o.iterations = 20;
  o.edges = DeconvolutionEdges::periodic;
  const auto plain = rl(image, {15, 15}, psf, {3, 3}, o);
  o.tv_regularization = 0.05;
  const auto tv = rl(image, {15, 15}, psf, {3, 3}, o);
  CHECK(tv[7 * 15 + 7] < plain[7 * 15 + 7]);
  o.tv_regularization = 0;
  CHECK(rl(image, {15, 15}, psf, {3, 3}, o) == plain);
}

TEST_CASE(
    "richardson_lucy: progress reports every iteration and can stop, and restarting from out "
    "continues") {
  std::mt19937_64 rng(5);
  const auto image = random_values<double>(12 * 13, rng, 1, 3);
  const auto psf = random_values<double>(9, rng, 0.1, 1);
  fftconv::RichardsonLucyOptions o;
  o.method = fftconv::Method::direct;
  std::vector<double> changes;
  o.iterations = 10;
  o.progress = [&](int k, double change) {
    CHECK(k == int(changes.size()) + 1);
    changes.push_back(change);
    return k < 4;
  };
  const auto stopped = rl(image, {12, 13}, psf, {3, 3}, o);
  CHECK(changes.size() == 4);
  CHECK(changes[3] < changes[0]);
  o.progress = nullptr;
  o.iterations = 4;
  CHECK(rl(image, {12, 13}, psf, {3, 3}, o) == stopped);
  // 4 then 6 more from out == 10
  for (DeconvolutionEdges edges : {DeconvolutionEdges::zero, DeconvolutionEdges::periodic}) {
    o.edges = edges;
    o.iterations = 10;
    const auto ten = rl(image, {12, 13}, psf, {3, 3}, o);
    o.iterations = 4;
    std::vector<double> out = rl(image, {12, 13}, psf, {3, 3}, o);
    o.iterations = 6;
    o.start_from_out = true;
    fftconv::richardson_lucy(ConstView<double>(image.data(), {12, 13}),
                             ConstView<double>(psf.data(), {3, 3}),
                             View<double>(out.data(), {12, 13}), o);
    o.start_from_out = false;
    CHECK(out == ten);
  }
}

TEST_CASE("richardson_lucy: masked pixels are not read, and an empty mask changes nothing") {
  std::mt19937_64 rng(9);
  auto image = random_values<double>(10 * 10, rng, 1, 2);
  const auto psf = random_values<double>(9, rng, 0.1, 1);
  std::unique_ptr<bool[]> mask(new bool[100]());
  fftconv::RichardsonLucyOptions o;
  o.iterations = 5;
  o.edges = DeconvolutionEdges::periodic;
  const auto plain = rl(image, {10, 10}, psf, {3, 3}, o);
  o.mask = ConstView<bool>(mask.get(), {10, 10});
  const auto none_bad = rl(image, {10, 10}, psf, {3, 3}, o);
  for (std::size_t i = 0; i < plain.size(); ++i)
    CHECK(none_bad[i] == doctest::Approx(plain[i]).epsilon(1e-13));
  mask[44] = true;
  const auto a = rl(image, {10, 10}, psf, {3, 3}, o);
  image[44] = std::numeric_limits<double>::quiet_NaN();
  const auto b = rl(image, {10, 10}, psf, {3, 3}, o);
  CHECK(a == b);
}

TEST_CASE("richardson_lucy and landweber refuse bad input and leave out untouched") {
  std::vector<double> image(8 * 8, 1.0), psf(9, 1.0 / 9), out(64, -3.0);
  const auto call = [&](const fftconv::RichardsonLucyOptions& o, const std::vector<double>& im,
                        const std::vector<double>& p, const Shape& ps = {3, 3}) {
    CHECK_THROWS_AS(fftconv::richardson_lucy(ConstView<double>(im.data(), {8, 8}),
                                             ConstView<double>(p.data(), ps),
                                             View<double>(out.data(), {8, 8}), o),
                    fftconv::Error);
    CHECK(std::all_of(out.begin(), out.end(), [](double v) { return v == -3.0; }));
  };
  fftconv::RichardsonLucyOptions o;
  auto negative_psf = psf;
  negative_psf[2] = -0.1;
  call(o, image, negative_psf);
  auto nan_psf = psf;
  nan_psf[4] = std::nan("");
  call(o, image, nan_psf);
  call(o, image, std::vector<double>(9, 0.0));
  auto negative_image = image;
  negative_image[5] = -1;
  call(o, negative_image, psf);
  auto nan_image = image;
  nan_image[5] = std::nan("");
  call(o, nan_image, psf);
  o.edges = DeconvolutionEdges::periodic;
  call(o, image, std::vector<double>(90, 0.01), {9, 10});
  o = {};
  o.iterations = -1;
  call(o, image, psf);
  o = {};
  o.tv_regularization = 0.25;  // >= 1 / (2 * 2)
  call(o, image, psf);
  o = {};
  o.filter_epsilon = -1;
  call(o, image, psf);
  o = {};
  o.max_memory_bytes = 1000;
  try {
    fftconv::richardson_lucy(ConstView<double>(image.data(), {8, 8}),
                             ConstView<double>(psf.data(), {3, 3}),
                             View<double>(out.data(), {8, 8}), o);
    CHECK(false);
  } catch (const fftconv::Error& e) {
    CHECK(e.code() == fftconv::ErrorCode::out_of_memory);
  }
  o = {};
  o.start_from_out = true;  // out is negative
  call(o, image, psf);
  fftconv::LandweberOptions l;
  l.alpha = 2;
  CHECK_THROWS_AS(fftconv::landweber(ConstView<double>(image.data(), {8, 8}),
                                     ConstView<double>(psf.data(), {3, 3}),
                                     View<double>(out.data(), {8, 8}), l),
                  fftconv::Error);
  CHECK(out[0] == -3.0);
}

TEST_CASE_TEMPLATE("landweber equals the long double reference", T, float, double) {
  std::mt19937_64 rng(31);
  for (DeconvolutionEdges edges :
       {DeconvolutionEdges::zero, DeconvolutionEdges::periodic, DeconvolutionEdges::extended})
    for (bool positivity : {false, true}) {
      CAPTURE(fftconv::to_string(edges));
      const Shape shape{9, 12}, ps{4, 3};
      const auto image = random_values<T>(108, rng, -0.2, 2.0);
      const auto psf = random_values<T>(12, rng, 0.1, 1.0);
      fftconv::LandweberOptions o;
      o.iterations = 8;
      o.edges = edges;
      o.positivity = positivity;
      std::vector<T> out(108);
      fftconv::landweber(ConstView<T>(image.data(), shape), ConstView<T>(psf.data(), ps),
                         View<T>(out.data(), shape), o);
      const ref::Model m(shape, std::vector<double>(psf.begin(), psf.end()), ps, edges, false);
      const auto want =
          ref::landweber(m, std::vector<double>(image.begin(), image.end()), 8, 1.0, positivity);
      long double most = 0, worst = 0;
      for (std::size_t i = 0; i < out.size(); ++i) {
        most = std::max(most, std::abs(want[i]));
        worst = std::max(worst, std::abs(static_cast<long double>(out[i]) - want[i]));
      }
      CHECK(static_cast<double>(worst / most) <=
            rl_tolerance<T>(8, static_cast<std::size_t>(m.domain.size())));
    }
}

TEST_CASE("the Eigen adapters return what the views compute") {
  Eigen::MatrixXd image = Eigen::MatrixXd::Random(9, 7).array() + 2;
  Eigen::Matrix3d psf;
  psf << 1, 2, 1, 2, 4, 2, 1, 2, 1;
  fftconv::RichardsonLucyOptions o;
  o.iterations = 3;
  const Eigen::MatrixXd f = fftconv::richardson_lucy(image, psf, o);
  Eigen::MatrixXd g(9, 7);
  fftconv::richardson_lucy(ConstView<double>(image.data(), {9, 7}, {1, 9}),
                           ConstView<double>(psf.data(), {3, 3}, {1, 3}),
                           View<double>(g.data(), {9, 7}, {1, 9}), o);
  CHECK(f == g);
  o.start_from_out = true;
  CHECK_THROWS_AS(fftconv::richardson_lucy(image, psf, o), fftconv::Error);
}
