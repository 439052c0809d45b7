// Properties every path must have (FFTW's own self-test style, plus the flip identity):
// correlate(I, g) == convolve(I, flip(g)); convolution == correlation for a symmetric kernel and
// not for an asymmetric one (hand-computed); commutativity in full mode; impulse response; shift;
// linearity. Comparisons between two computed results allow each side its reference tolerance.
#include <doctest/doctest.h>

#include <random>

#include "support/library_call.hpp"

using namespace testing;
using fftconv::Method;
using fftconv::Mode;
using fftconv::Options;

namespace {

constexpr Method paths[] = {Method::direct, Method::fft};

// 2 x the reference tolerance: both results are within it of the same exact value.
template <class T>
long double pair_tolerance(const Array<T>& image, const Array<T>& kernel, Mode mode) {
  const Reference ref = reference(image, kernel, mode, false);
  return 2 * tolerance<T>(image.shape, kernel.shape, ref.abs_sum_max);
}

template <class T>
Array<T> from_rows(std::initializer_list<std::initializer_list<T>> rows) {
  Array<T> a({rows.size(), rows.begin()->size()});
  std::size_t i = 0;
  for (const auto& r : rows)
    for (T v : r)
      a.values[i++] = v;
  return a;
}

}  // namespace

TEST_CASE_TEMPLATE("flip identity: correlate(I, g) == convolve(I, flip(g))", T, float, double) {
  std::mt19937_64 rng(11);
  const std::pair<fftconv::Shape, fftconv::Shape> problems[] = {
      {{40}, {7}}, {{33, 20}, {4, 7}}, {{12, 15}, {6, 6}}, {{6, 7, 8}, {3, 2, 5}}};
  for (const auto& problem : problems) {
    const fftconv::Shape& is = problem.first;
    const fftconv::Shape& ks = problem.second;
    const Array<T> image = uniform<T>(is, rng, -1, 1);
    const Array<T> kernel = normal<T>(ks, rng);
    for (Mode mode : {Mode::full, Mode::same, Mode::valid})
      for (Method method : paths) {
        CAPTURE(fftconv::to_string(is));
        CAPTURE(name(mode));
        CAPTURE(name(method));
        const Options o{mode, method};
        const Array<T> corr = call(Op::correlate, image, kernel, o);
        const Array<T> conv_flipped = call(Op::convolve, image, flip(kernel), o);
        CHECK(max_difference(corr, conv_flipped) <= pair_tolerance(image, kernel, mode));
      }
  }
}

TEST_CASE_TEMPLATE("hand-computed 3x3: convolution flips the kernel, correlation does not", T,
                   float, double) {
  const Array<T> image = from_rows<T>({{1, 2, 3}, {4, 5, 6}, {7, 8, 9}});
  // Asymmetric kernel: 1 at (0, 1), 2 at (2, 2). In `same` mode (centre (1, 1)):
  //   convolve:  out[y][x] = I[y + 1][x] + 2 I[y - 1][x - 1]
  //   correlate: out[y][x] = I[y - 1][x] + 2 I[y + 1][x + 1]     (zero outside the image)
  const Array<T> kernel = from_rows<T>({{0, 1, 0}, {0, 0, 0}, {0, 0, 2}});
  const Array<T> expected_conv = from_rows<T>({{4, 5, 6}, {7, 10, 13}, {0, 8, 10}});
  const Array<T> expected_corr = from_rows<T>({{10, 12, 0}, {17, 20, 3}, {4, 5, 6}});
  // Symmetric kernel: both operations agree.
  const Array<T> symmetric = from_rows<T>({{1, 2, 1}, {2, 4, 2}, {1, 2, 1}});
  const Array<T> expected_sym = from_rows<T>({{21, 36, 33}, {52, 80, 68}, {57, 84, 69}});
  // Sums of |terms| are at most 9 * 9 * 4 = 324: the tolerance covers either path.
  const long double tol = tolerance<T>(image.shape, kernel.shape, 324);
  for (Method method : paths) {
    CAPTURE(name(method));
    const Options o{Mode::same, method};
    CHECK(max_difference(call(Op::convolve, image, kernel, o), expected_conv) <= tol);
    CHECK(max_difference(call(Op::correlate, image, kernel, o), expected_corr) <= tol);
    CHECK(max_difference(call(Op::convolve, image, symmetric, o), expected_sym) <= tol);
    CHECK(max_difference(call(Op::correlate, image, symmetric, o), expected_sym) <= tol);
    CHECK(max_difference(call(Op::convolve, image, kernel, o),
                         call(Op::correlate, image, kernel, o)) > 1);
  }
}

TEST_CASE_TEMPLATE("commutativity in full mode: convolve(I, g) == convolve(g, I)", T, float,
                   double) {
  std::mt19937_64 rng(12);
  const Array<T> a = uniform<T>({9, 14}, rng, -1, 1);
  const Array<T> b = normal<T>({5, 17}, rng);
  for (Method method : paths) {
    CAPTURE(name(method));
    const Options o{Mode::full, method};
    CHECK(max_difference(call(Op::convolve, a, b, o), call(Op::convolve, b, a, o)) <=
          pair_tolerance(a, b, Mode::full));
  }
}

TEST_CASE_TEMPLATE("impulse response returns the kernel at the impulse", T, float, double) {
  std::mt19937_64 rng(13);
  const Array<T> kernel = normal<T>({5, 4}, rng);
  Array<T> image({9, 11});
  image.values[image.index({3, 6, 0})] = 1;
  for (Method method : paths) {
    CAPTURE(name(method));
    const Array<T> out = call(Op::convolve, image, kernel, Options{Mode::full, method});
    const long double tol = tolerance<T>(image.shape, kernel.shape, 4);  // |g| < 4 here
    for (std::size_t y = 0; y < out.shape[0]; ++y)
      for (std::size_t x = 0; x < out.shape[1]; ++x) {
        const bool in_kernel = y >= 3 && y < 3 + 5 && x >= 6 && x < 6 + 4;
        const T expected = in_kernel ? kernel.values[kernel.index({y - 3, x - 6, 0})] : T(0);
        CHECK(std::fabs(static_cast<long double>(out.values[out.index({y, x, 0})]) - expected) <=
              tol);
      }
  }
}

TEST_CASE_TEMPLATE("shifting the image shifts the output", T, float, double) {
  std::mt19937_64 rng(14);
  // Content in the top-left corner, zeros around it, so a shift by (3, 5) loses nothing.
  Array<T> image({20, 24}), shifted({20, 24});
  for (std::size_t y = 0; y < 12; ++y)
    for (std::size_t x = 0; x < 15; ++x) {
      const T v = static_cast<T>(std::uniform_real_distribution<double>(-1, 1)(rng));
      image.values[image.index({y, x, 0})] = v;
      shifted.values[shifted.index({y + 3, x + 5, 0})] = v;
    }
  const Array<T> kernel = normal<T>({4, 3}, rng);
  for (Op op : {Op::convolve, Op::correlate})
    for (Method method : paths) {
      CAPTURE(name(op));
      CAPTURE(name(method));
      const Options o{Mode::full, method};
      const Array<T> a = call(op, image, kernel, o);
      const Array<T> b = call(op, shifted, kernel, o);
      const long double tol = pair_tolerance(image, kernel, Mode::full);
      for (std::size_t y = 0; y + 3 < a.shape[0]; ++y)
        for (std::size_t x = 0; x + 5 < a.shape[1]; ++x)
          CHECK(std::fabs(static_cast<long double>(a.values[a.index({y, x, 0})]) -
                          b.values[b.index({y + 3, x + 5, 0})]) <= tol);
    }
}

TEST_CASE_TEMPLATE("linearity in the image and in the kernel", T, float, double) {
  std::mt19937_64 rng(15);
  const Array<T> i1 = uniform<T>({13, 10}, rng, -1, 1), i2 = uniform<T>({13, 10}, rng, -1, 1);
  const Array<T> g1 = normal<T>({4, 5}, rng), g2 = normal<T>({4, 5}, rng);
  const T alpha = T(0.75), beta = T(-1.5);
  Array<T> i_mix(i1.shape), g_mix(g1.shape);
  for (std::size_t i = 0; i < i1.size(); ++i)
    i_mix.values[i] = alpha * i1.values[i] + beta * i2.values[i];
  for (std::size_t i = 0; i < g1.size(); ++i)
    g_mix.values[i] = alpha * g1.values[i] + beta * g2.values[i];
  for (Method method : paths) {
    CAPTURE(name(method));
    const Options o{Mode::same, method};
    // |alpha| + |beta| = 2.25 scales the sums of |terms|; the mixed inputs' own rounding is
    // within eps of them and covered by the same factor.
    const long double tol = 2.25L * 2 * pair_tolerance(i_mix, g_mix, Mode::same);
    const Array<T> lhs_image = call(Op::convolve, i_mix, g1, o);
    const Array<T> a = call(Op::convolve, i1, g1, o), b = call(Op::convolve, i2, g1, o);
    const Array<T> lhs_kernel = call(Op::convolve, i1, g_mix, o);
    const Array<T> c = call(Op::convolve, i1, g2, o);
    for (std::size_t i = 0; i < a.size(); ++i) {
      CHECK(std::fabs(static_cast<long double>(lhs_image.values[i]) -
                      (static_cast<long double>(alpha) * a.values[i] +
                       static_cast<long double>(beta) * b.values[i])) <= tol);
      CHECK(std::fabs(static_cast<long double>(lhs_kernel.values[i]) -
                      (static_cast<long double>(alpha) * a.values[i] +
                       static_cast<long double>(beta) * c.values[i])) <= tol);
    }
  }
}
