// NaN and Inf in the data are not errors; what each method does with them is documented in the
// README ("Errors and guarantees") and pinned down here, under every boundary rule:
//   direct: a non-finite pixel affects exactly the outputs whose window puts a non-zero kernel
//           value on it or on one of its copies made by the boundary rule (zero taps are
//           skipped); every other output is bit-identical to the result with that pixel set to 0.
//   fft:    one non-finite pixel makes every output non-finite (each frequency mixes all pixels).
#include <doctest/doctest.h>

#include <cmath>
#include <limits>
#include <random>

#include "support/library_call.hpp"

using namespace testing;
using fftconv::Method;
using fftconv::Mode;

namespace {

// Which outputs have the pixel `p` under a non-zero kernel value: the reference sum of an
// indicator image (1 at p) with the kernel's non-zero pattern, computed by the reference.
template <class T>
Array<long double> footprint(const Array<T>& image, const Array<T>& kernel, std::size_t p,
                             Mode mode, bool correlate, fftconv::Boundary rule) {
  // The pixel's copies under the rule count too: the indicator (1 at p) is extended by the same
  // rule, with fill 0.
  Array<T> indicator(image.shape), pattern(kernel.shape);
  indicator.values[p] = 1;
  for (std::size_t i = 0; i < kernel.size(); ++i)
    pattern.values[i] = kernel.values[i] != 0;
  return reference(indicator, pattern, mode, correlate, rule, 0).values;
}

}  // namespace

TEST_CASE_TEMPLATE("NaN and Inf: direct keeps them to the kernel footprint, fft spreads them", T,
                   float, double) {
  std::mt19937_64 rng(808);
  const Array<T> clean = uniform<T>({21, 18}, rng, -1, 1);
  Array<T> kernel = normal<T>({5, 4}, rng);
  kernel.values[kernel.index({1, 2, 0})] = 0;  // zero taps do not carry a NaN
  kernel.values[kernel.index({4, 0, 0})] = 0;
  for (const T bad : {std::numeric_limits<T>::quiet_NaN(), std::numeric_limits<T>::infinity()})
    for (const std::size_t p : {clean.index({9, 7, 0}), clean.index({0, 0, 0}),
                                clean.index({20, 17, 0})})  // inside, and both corners
      for (Op op : {Op::convolve, Op::correlate})
        for (Mode mode : {Mode::full, Mode::same, Mode::valid})
          for (fftconv::Boundary rule :
               {fftconv::Boundary::zero, fftconv::Boundary::constant, fftconv::Boundary::reflect,
                fftconv::Boundary::mirror, fftconv::Boundary::nearest, fftconv::Boundary::wrap}) {
            CAPTURE(name(rule));
            CAPTURE(static_cast<double>(bad));
            CAPTURE(p);
            CAPTURE(name(op));
            CAPTURE(name(mode));
            Array<T> image = clean;
            image.values[p] = bad;
            Array<T> zeroed = clean;
            zeroed.values[p] = 0;
            const Array<long double> hit =
                footprint(image, kernel, p, mode, op == Op::correlate, rule);
            fftconv::Options direct_options{mode, Method::direct};
            direct_options.boundary = rule;
            direct_options.fill_value = 0.5;
            fftconv::Options fft_options = direct_options;
            fft_options.method = Method::fft;

            const Array<T> direct = call(op, image, kernel, direct_options);
            const Array<T> direct_zeroed = call(op, zeroed, kernel, direct_options);
            std::size_t wrong = 0;
            for (std::size_t i = 0; i < direct.size(); ++i) {
              const bool in_footprint = hit.values[i] > 0;
              const T v = direct.values[i];
              if (in_footprint)
                // NaN stays NaN; an Inf gives +-Inf, or NaN where the rule puts copies of it
                // under kernel values of both signs (Inf - Inf)
                wrong += std::isnan(bad) ? !std::isnan(v) : std::isfinite(v);
              else
                wrong += !(v == direct_zeroed.values[i]);
            }
            CHECK(wrong == 0);

            const Array<T> fft = call(op, image, kernel, fft_options);
            std::size_t finite = 0;
            for (const T v : fft.values)
              finite += std::isfinite(v);
            CHECK(finite == 0);
          }
}

// The figures options.hpp and the README give beside NanPolicy::propagate (issue 17): on a star
// field with one NaN row, the fft output is all NaN, the direct one only the row's footprint, and
// NanPolicy::interpolate has none.
TEST_CASE("one NaN row on a star field: fft all NaN, direct its footprint, interpolate none") {
  const std::size_t n = 1024, k = 31;
  std::mt19937_64 rng(1703);
  Array<float> field(fftconv::Shape{n, n}), psf(fftconv::Shape{k, k});
  std::uniform_int_distribution<std::size_t> at(0, n * n - 1);
  for (float& v : field.values)
    v = 100;
  for (int star = 0; star < 500; ++star)
    field.values[at(rng)] += 1e4f;
  for (std::size_t x = 0; x < n; ++x)
    field.values[300 * n + x] = std::numeric_limits<float>::quiet_NaN();
  for (std::size_t y = 0; y < k; ++y)
    for (std::size_t x = 0; x < k; ++x)
      psf.values[y * k + x] = static_cast<float>(
          std::exp(-(std::pow(double(y) - 15, 2) + std::pow(double(x) - 15, 2)) / 32));
  const auto nan_share = [&](const fftconv::Options& o) {
    const Array<float> out = call(Op::convolve, field, psf, o);
    std::size_t nan = 0;
    for (float v : out.values)
      nan += std::isnan(v);
    return static_cast<double>(nan) / static_cast<double>(out.size());
  };
  fftconv::Options o;
  o.method = Method::fft;
  CHECK(nan_share(o) == 1.0);
  o.method = Method::direct;
  CHECK(nan_share(o) == static_cast<double>(k) / static_cast<double>(n));  // 3 %
  o.method = Method::overlap_save;
  const double tiles = nan_share(o);
  CHECK(tiles > 0.2);
  CHECK(tiles < 0.3);
  o.method = Method::fft;
  o.nan_policy = fftconv::NanPolicy::interpolate;
  CHECK(nan_share(o) == 0.0);
}
