// match_template (plain and masked normalized cross-correlation) and find_peaks, against a
// Pearson correlation written here from its definition in long double, window by window.
#include <doctest/doctest.h>

#include <cmath>
#include <limits>
#include <random>
#include <vector>

#include "fftconv/fftconv.hpp"
#include "support/test_data.hpp"

using fftconv::Method;
using fftconv::Options;
using fftconv::Shape;
using testing::Array;

namespace {

constexpr long double nan_ld = std::numeric_limits<long double>::quiet_NaN();

struct Expected {
  Array<long double> score;
  Array<long double> tolerance;  ///< per window, see pearson_reference
};

/// Pearson correlation of the template (where `use`, if given, is true) with the window at every
/// valid position, over the pixels where the image is finite; 0 for zero variance or fewer than
/// max(min_overlap, 2) pixels; NaN for a window with a non-finite pixel when there is no mask.
///
/// Tolerance per window, for T scores computed in double. The library's sums (correlations by fft
/// or direct, window sums) have absolute errors of at most e = g |a|_2 |b|_2 with
/// g = 16 u_d (log2 N + K) (fft: u log2 N |a||b| spread over every output; direct: K u sum |a b|
/// <= K u |a||b|), for the image side a (x - mean, or its square) and template side b (the
/// template about its mean, its square, the 0/1 mask). The score s = num / sqrt(vi vt) then moves
/// by at most e_num / sqrt(vi vt) + |s| / 2 (e_vi / vi + e_vt / vt) to first order, with
/// e_vi = g (|x^2|_2 + 2 max|x| |x|_2) sqrt(K) (D - B^2/n), e_vt likewise; plus eps_T for the
/// final rounding. Windows whose variance is within that error of 0 may score 0 instead.
template <class T>
Expected pearson_reference(const Array<T>& image, const Array<T>& templ,
                           const std::vector<bool>* use, std::size_t min_overlap) {
  const Shape out_shape = fftconv::output_shape(image.shape, templ.shape, fftconv::Mode::valid);
  Array<long double> out(out_shape), tol(out_shape);
  // Global norms for the error model.
  long double mean = 0, finite = 0;
  for (T v : image.values)
    if (std::isfinite(v)) {
      mean += v;
      finite += 1;
    }
  mean = finite > 0 ? mean / finite : 0;
  long double x2 = 0, x4 = 0, xmax = 0;
  for (T v : image.values)
    if (std::isfinite(v)) {
      const long double d = v - mean;
      x2 += d * d;
      x4 += d * d * d * d;
      xmax = std::max(xmax, std::fabs(d));
    }
  long double tmean = 0, tcount = 0;
  for (std::size_t t = 0; t < templ.size(); ++t)
    if (!use || (*use)[t]) {
      tmean += templ.values[t];
      tcount += 1;
    }
  tmean = tcount > 0 ? tmean / tcount : 0;
  long double t2 = 0, t4 = 0, tmax = 0;
  for (std::size_t t = 0; t < templ.size(); ++t)
    if (!use || (*use)[t]) {
      const long double d = templ.values[t] - tmean;
      t2 += d * d;
      t4 += d * d * d * d;
      tmax = std::max(tmax, std::fabs(d));
    }
  const long double K = static_cast<long double>(templ.size());
  const long double g = 16 * (std::numeric_limits<double>::epsilon() / 2) *
                        (std::log2(static_cast<long double>(image.size())) + K);
  const long double e_num = g * std::sqrt(x2 * t2) * 3;  // A, and B C / n
  const long double e_vi = g * (std::sqrt(x4) + 2 * xmax * std::sqrt(x2)) * std::sqrt(K);
  const long double e_vt = g * (std::sqrt(t4) + 2 * tmax * std::sqrt(t2)) * std::sqrt(K);
  for (std::size_t o = 0; o < out.size(); ++o) {
    const auto u = testing::unravel(o, out_shape);
    std::vector<long double> a, b;
    bool bad = false;
    for (std::size_t t = 0; t < templ.size(); ++t) {
      if (use && !(*use)[t]) continue;
      auto i = testing::unravel(t, templ.shape);
      for (int ax = 0; ax < image.shape.rank(); ++ax)
        i[static_cast<std::size_t>(ax)] += u[static_cast<std::size_t>(ax)];
      const long double x = image.values[image.index(i)];
      if (!std::isfinite(x)) {
        bad = true;
        continue;
      }
      a.push_back(x);
      b.push_back(templ.values[t]);
    }
    if (bad && !use) {
      out.values[o] = nan_ld;
      continue;
    }
    if (a.size() < std::max<std::size_t>(min_overlap, 2)) {
      out.values[o] = 0;
      continue;
    }
    long double ma = 0, mb = 0;
    for (std::size_t j = 0; j < a.size(); ++j) {
      ma += a[j];
      mb += b[j];
    }
    ma /= static_cast<long double>(a.size());
    mb /= static_cast<long double>(a.size());
    long double sab = 0, saa = 0, sbb = 0;
    for (std::size_t j = 0; j < a.size(); ++j) {
      sab += (a[j] - ma) * (b[j] - mb);
      saa += (a[j] - ma) * (a[j] - ma);
      sbb += (b[j] - mb) * (b[j] - mb);
    }
    out.values[o] = saa == 0 || sbb == 0 ? 0 : sab / std::sqrt(saa * sbb);
    const long double s = std::fabs(out.values[o]);
    tol.values[o] = saa <= e_vi || sbb <= e_vt
                        ? 2  // (a variance within its own error of zero: any score in [-1, 1])
                        : e_num / std::sqrt(saa * sbb) + s / 2 * (e_vi / saa + e_vt / sbb) +
                              std::numeric_limits<T>::epsilon();
  }
  return {out, tol};
}

/// Every score within its window's tolerance of the reference (NaN where it is NaN) and in
/// [-1, 1]. (A one-pixel template has no variance: 0 everywhere.)
template <class T>
void require_scores(const Array<T>& got, const Expected& expected) {
  for (std::size_t i = 0; i < got.size(); ++i) {
    CAPTURE(i);
    CAPTURE(got.values[i]);
    CAPTURE(static_cast<double>(expected.score.values[i]));
    CAPTURE(static_cast<double>(expected.tolerance.values[i]));
    const long double e = expected.score.values[i];
    if (std::isnan(e)) {
      REQUIRE(std::isnan(got.values[i]));
      continue;
    }
    REQUIRE(std::fabs(static_cast<long double>(got.values[i]) - e) <= expected.tolerance.values[i]);
    REQUIRE(std::fabs(got.values[i]) <= 1);
  }
}

template <class T>
Array<T> score_of(const Array<T>& image, const Array<T>& templ, const Options& options,
                  const std::vector<bool>* use = nullptr) {
  Array<T> score(fftconv::output_shape(image.shape, templ.shape, fftconv::Mode::valid));
  if (use) {
    std::unique_ptr<bool[]> m(new bool[use->size()]);
    for (std::size_t i = 0; i < use->size(); ++i)
      m[i] = (*use)[i];
    fftconv::match_template(image.view(), templ.view(),
                            fftconv::ConstView<bool>(m.get(), templ.shape), score.view(), options);
  } else {
    fftconv::match_template(image.view(), templ.view(), score.view(), options);
  }
  return score;
}

/// A random image shape (extents lo..hi, lo = 6 in 3-D and 12 otherwise) and a template shape
/// that fits in it.
void random_shapes(int rank, std::size_t hi, std::mt19937_64& rng, Shape& image, Shape& templ) {
  const std::size_t lo = rank == 3 ? 6 : 12;
  image = Shape{};
  templ = Shape{};
  for (int a = 0; a < rank; ++a) {
    image.push_back(std::uniform_int_distribution<std::size_t>(lo, hi)(rng));
    templ.push_back(std::uniform_int_distribution<std::size_t>(1, image[a])(rng));
  }
}

}  // namespace

TEST_CASE_TEMPLATE("match_template equals a direct Pearson reference", T, float, double) {
  std::mt19937_64 rng(71);
  for (int trial = 0; trial < 36; ++trial) {
    const int rank = 1 + trial % 3;
    Shape image_shape, templ_shape;
    random_shapes(rank, rank == 3 ? 11 : 40, rng, image_shape, templ_shape);
    Array<T> image = testing::uniform<T>(image_shape, rng, 3, 5);
    const Array<T> templ = testing::uniform<T>(templ_shape, rng, -1, 2);
    Options options;
    options.method = trial % 2 ? Method::fft : Method::direct;
    const Expected expected = pearson_reference(image, templ, nullptr, 0);
    const Array<T> got = score_of(image, templ, options);
    CAPTURE(trial);
    CAPTURE(fftconv::to_string(image_shape));
    CAPTURE(fftconv::to_string(templ_shape));
    require_scores(got, expected);
  }
}

TEST_CASE_TEMPLATE("a planted template is found with score 1 and find_peaks returns it", T, float,
                   double) {
  std::mt19937_64 rng(5);
  const Array<T> noise = testing::normal<T>({300, 280}, rng, 1);
  Array<T> image = noise;
  const Array<T> templ = testing::normal<T>({21, 17}, rng, 1);
  // An affine copy (contrast 3, offset 40) at (101, 57); a negated one at (20, 200).
  for (std::size_t r = 0; r < 21; ++r)
    for (std::size_t c = 0; c < 17; ++c) {
      image.values[image.index({101 + r, 57 + c, 0})] =
          static_cast<T>(3 * templ.values[templ.index({r, c, 0})] + 40);
      image.values[image.index({20 + r, 200 + c, 0})] =
          static_cast<T>(-2 * templ.values[templ.index({r, c, 0})] + 1);
    }
  for (Method method : {Method::direct, Method::fft, Method::automatic}) {
    Options options;
    options.method = method;
    const Array<T> score = score_of(image, templ, options);
    CHECK(std::fabs(score.values[score.index({101, 57, 0})] - 1) <= 1e-6);
    CHECK(std::fabs(score.values[score.index({20, 200, 0})] + 1) <= 1e-6);
    const std::vector<fftconv::Peak> peaks = fftconv::find_peaks(score.view(), 0.5, 5);
    REQUIRE(peaks.size() == 1);
    CHECK(peaks[0].rank == 2);
    CHECK(peaks[0].index[0] == 101);
    CHECK(peaks[0].index[1] == 57);
    CHECK(std::fabs(peaks[0].position[0] - 101) <= 0.5);
    CHECK(std::fabs(peaks[0].value - 1) <= 1e-6);
    // Noise windows correlate weakly: nothing else near 1.
    std::size_t high = 0;
    for (T v : score.values)
      high += v > T(0.5);
    CHECK(high == 1);
  }
}

TEST_CASE("match_template: flat windows and flat templates score 0 and NaN windows NaN") {
  std::mt19937_64 rng(9);
  Array<double> image = testing::uniform<double>({30, 30}, rng, 0, 1);
  for (std::size_t r = 0; r < 10; ++r)  // a flat 10 x 10 patch of a value with no exact mean
    for (std::size_t c = 0; c < 10; ++c)
      image.values[image.index({r, c, 0})] = 0.1;
  image.values[image.index({25, 25, 0})] = std::numeric_limits<double>::quiet_NaN();
  const Array<double> templ = testing::uniform<double>({4, 4}, rng, 0, 1);
  for (Method method : {Method::direct, Method::fft}) {
    Options options;
    options.method = method;
    const Array<double> score = score_of(image, templ, options);
    for (std::size_t r = 0; r < 27; ++r)
      for (std::size_t c = 0; c < 27; ++c) {
        CAPTURE(r);
        CAPTURE(c);
        const double s = score.values[score.index({r, c, 0})];
        if (r <= 6 && c <= 6) CHECK(s == 0);  // inside the flat patch
        const bool touches_nan = r >= 22 && r <= 25 && c >= 22 && c <= 25;
        CHECK(std::isnan(s) == touches_nan);
      }
    Array<double> flat({5, 3});
    for (double& v : flat.values)
      v = 0.7;
    for (double s : score_of(image, flat, options).values)
      CHECK((s == 0 || std::isnan(s)));
  }
}

TEST_CASE_TEMPLATE("masked match_template equals a direct masked Pearson reference", T, float,
                   double) {
  std::mt19937_64 rng(13);
  for (int trial = 0; trial < 30; ++trial) {
    const int rank = 1 + trial % 3;
    Shape image_shape, templ_shape;
    random_shapes(rank, rank == 3 ? 10 : 36, rng, image_shape, templ_shape);
    Array<T> image = testing::uniform<T>(image_shape, rng, 3, 5);
    const Array<T> templ = testing::uniform<T>(templ_shape, rng, -1, 2);
    std::vector<bool> use(templ.size());
    for (std::size_t i = 0; i < use.size(); ++i)
      use[i] = rng() % 4 != 0;
    // NaN pixels in half of the trials: the masked form matches around them.
    if (trial % 2)
      for (T& v : image.values)
        if (rng() % 10 == 0) v = std::numeric_limits<T>::quiet_NaN();
    Options options;
    options.method = trial % 3 == 0 ? Method::direct : Method::fft;
    options.min_overlap = trial % 4 == 0 ? templ.size() / 2 : 0;
    const Expected expected = pearson_reference(image, templ, &use, options.min_overlap);
    const Array<T> got = score_of(image, templ, options, &use);
    CAPTURE(trial);
    CAPTURE(fftconv::to_string(image_shape));
    CAPTURE(fftconv::to_string(templ_shape));
    require_scores(got, expected);
  }
}

TEST_CASE("find_peaks: sub-pixel positions, ordering, distance, threshold, plateaus, NaN") {
  // Two parabolic bumps with known vertices: the three-point fit is exact for a parabola.
  Array<double> s({20, 30});
  for (std::size_t r = 0; r < 20; ++r)
    for (std::size_t c = 0; c < 30; ++c) {
      const double x = static_cast<double>(r), y = static_cast<double>(c);
      const double a = 10 - (x - 5.3) * (x - 5.3) - 2 * (y - 6.8) * (y - 6.8);
      const double b = 8 - (x - 14.6) * (x - 14.6) - 0.5 * (y - 22.1) * (y - 22.1);
      s.values[s.index({r, c, 0})] = std::max(a, b);
    }
  std::vector<fftconv::Peak> p = fftconv::find_peaks(s.view(), 0, 3);
  REQUIRE(p.size() == 2);
  CHECK(p[0].index[0] == 5);
  CHECK(p[0].index[1] == 7);
  CHECK(p[0].position[0] == doctest::Approx(5.3).epsilon(1e-12));
  CHECK(p[0].position[1] == doctest::Approx(6.8).epsilon(1e-12));
  CHECK(p[1].position[0] == doctest::Approx(14.6).epsilon(1e-12));
  CHECK(p[1].position[1] == doctest::Approx(22.1).epsilon(1e-12));
  CHECK(p[0].value > p[1].value);
  CHECK(fftconv::find_peaks(s.view(), 9, 3).size() == 1);   // threshold
  CHECK(fftconv::find_peaks(s.view(), 0, 20).size() == 1);  // min_distance suppresses the second

  // 1-D: a plateau gives one peak; NaN is never a peak and does not hide a neighbour.
  Array<float> line({10});
  line.values = {0, 1, 3, 3, 3, 1, 0, std::nanf(""), 2, 0};
  p = fftconv::find_peaks(line.view(), 0.5, 0);
  REQUIRE(p.size() == 2);
  CHECK(p[0].index[0] == 2);
  CHECK(p[0].value == 3);
  CHECK(p[1].index[0] == 8);
  CHECK(p[1].position[0] == 8);  // (a NaN neighbour: no fit)

  // A flat step on a slope, and a flat floor next to a rise, are not peaks.
  Array<double> steps({5});
  steps.values = {0.1, 0.5, 0.5, 0.7, 0.1};
  p = fftconv::find_peaks(steps.view(), 0, 0);
  REQUIRE(p.size() == 1);
  CHECK(p[0].index[0] == 3);
  Array<double> floor({6});
  floor.values = {0, 0, 0, 0.2, 0.6, 0.3};
  p = fftconv::find_peaks(floor.view(), -1, 0);
  REQUIRE(p.size() == 1);
  CHECK(p[0].index[0] == 4);
  // A 2-D plateau that is a maximum: one peak at its first pixel in C order.
  Array<double> mesa({5, 5});
  for (std::size_t r = 1; r < 4; ++r)
    for (std::size_t c = 1; c < 4; ++c)
      mesa.values[mesa.index({r, c, 0})] = 2;
  mesa.values[mesa.index({1, 1, 0})] = 1;  // (the plateau's first pixel is then (1, 2))
  p = fftconv::find_peaks(mesa.view(), 0.5, 0);
  REQUIRE(p.size() == 1);
  CHECK(p[0].index[0] == 1);
  CHECK(p[0].index[1] == 2);

  // 3-D: one maximum; min_distance 0 keeps every local maximum.
  Array<double> vol({5, 6, 7});
  vol.values[vol.index({2, 3, 4})] = 5;
  vol.values[vol.index({0, 0, 0})] = 1;
  p = fftconv::find_peaks(vol.view(), 0.5, 0);
  REQUIRE(p.size() == 2);
  CHECK(p[0].rank == 3);
  CHECK(p[0].index == std::array<std::size_t, 3>{2, 3, 4});
  CHECK(p[1].index == std::array<std::size_t, 3>{0, 0, 0});
  CHECK_THROWS_AS(fftconv::find_peaks(vol.view(), std::nan(""), 1), fftconv::Error);
}

TEST_CASE("match_template: Eigen overloads and argument errors") {
  Eigen::MatrixXd image = Eigen::MatrixXd::Random(40, 30);
  const Eigen::MatrixXd templ = image.block(11, 7, 6, 5);
  const Eigen::MatrixXd score = fftconv::match_template(image, templ);
  CHECK(score.rows() == 35);
  CHECK(score.cols() == 26);
  Eigen::Index r = 0, c = 0;
  CHECK(std::fabs(score.maxCoeff(&r, &c) - 1) <= 1e-12);
  CHECK(r == 11);
  CHECK(c == 7);
  Eigen::Array<bool, Eigen::Dynamic, Eigen::Dynamic> mask(6, 5);
  mask.setConstant(true);
  mask(0, 0) = false;
  const Eigen::MatrixXd masked = fftconv::match_template(image, templ, mask);
  CHECK(std::fabs(masked(11, 7) - 1) <= 1e-12);
  const std::vector<fftconv::Peak> peaks = fftconv::find_peaks(masked, 0.9, 2);
  REQUIRE(!peaks.empty());
  CHECK(peaks[0].index[0] == 11);
  CHECK(peaks[0].index[1] == 7);

  // Errors name the argument; nothing is written.
  Array<double> img({10, 10}), t({3, 3}), out({8, 8});
  for (double& v : out.values)
    v = 42;
  t.values[4] = std::numeric_limits<double>::infinity();
  CHECK_THROWS_WITH_AS(fftconv::match_template(img.view(), t.view(), out.view()),
                       doctest::Contains("templ has a non-finite value"), fftconv::Error);
  Array<double> wrong({9, 8});
  CHECK_THROWS_WITH_AS(fftconv::match_template(img.view(), t.view(), wrong.view()),
                       doctest::Contains("score has shape"), fftconv::Error);
  bool m[4] = {true, true, true, true};
  CHECK_THROWS_WITH_AS(fftconv::match_template(img.view(), t.view(),
                                               fftconv::ConstView<bool>(m, {2, 2}), out.view()),
                       doctest::Contains("templ_mask has shape"), fftconv::Error);
  // A memory limit too small for the correlations is refused (before the image copies).
  fftconv::Options tight;
  tight.max_memory_bytes = 1000;
  Array<double> t3({3, 3});
  t3.values = {1, 2, 3, 4, 5, 6, 7, 8, 9};
  try {
    fftconv::match_template(img.view(), t3.view(), out.view(), tight);
    FAIL("a 1000-byte limit was accepted");
  } catch (const fftconv::Error& e) {
    CHECK(e.code() == fftconv::ErrorCode::out_of_memory);
  }
  for (double v : out.values)
    CHECK(v == 42);
}
