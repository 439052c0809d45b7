// Missing pixels interpolated (NanPolicy::interpolate, convolve_masked): values and the coverage
// map against the reference in 1-3 D, the range of non-negative kernels, and astropy.
#include <doctest/doctest.h>

#include "stages/missing_pixels/problems.hpp"

using namespace missing_pixels;

namespace {

/// Everything about one problem under every rule, mode and method: interpolate through convolve
/// (masked pixels as NaN) and convolve_masked (bool or T mask, various layouts), and the coverage
/// map: conv(M, k) everywhere, sum(k) to a few roundings where no tap reaches missing data.
template <class T>
void check_interpolation(const Problem<T>& p, const std::string& what, Tally& tally) {
  const Array<T> with_nan = p.image_with_nan();
  const KernelInfo k = kernel_info(p.kernel);
  const ld F = growth(p.image.shape, p.kernel.shape);
  std::size_t variant = 0;
  for (const Rule& rule : all_rules)
    for (Mode mode : all_modes) {
      const Sums sums = reference_sums(p.image, p.mask, p.kernel, mode, rule);
      for (const Run& run : runs<T>()) {
        ++variant;
        CAPTURE(what);
        CAPTURE(label(rule));
        CAPTURE(label(mode));
        CAPTURE(label(run));
        Options o;
        o.mode = mode;
        o.method = run.method;
        o.compute_precision = run.precision;
        o.boundary = rule.boundary;
        o.fill_value = rule.fill;
        o.nan_policy = NanPolicy::interpolate;
        o.min_weight = variant % 3 == 0 ? 0.3 : 1e-3;  // the default, and a demanding one
        CAPTURE(o.min_weight);
        const Roundoff u = roundoff<T>(run.precision);
        const Expectation e = interpolate_expectation(sums, k, o.min_weight, F, u);
        tally.add(e);
        std::string first;
        const Array<T> plain = call_convolve(with_nan, p.kernel, o);
        CAPTURE(first);
        CHECK(mismatches(plain, e, first) == 0);

        const Layout layouts[] = {Layout::c_order, Layout::f_order, Layout::strided_block,
                                  Layout::reversed_axis0};
        const Outputs<T> masked =
            call_masked(p.image, p.mask, p.kernel, o, variant % 2 == 0, layouts[variant % 4],
                        layouts[(variant + 1) % 4], layouts[(variant + 2) % 4]);
        CHECK(mismatches(masked.values, e, first) == 0);

        // The coverage map: conv(M, k), the same error as a run on the indicator (F u sum|k|)
        // plus the stored rounding.
        Expectation w;
        w.value = std::vector<ld>(sums.den);
        w.state.assign(sums.den.size(), State::value);
        w.tol.assign(sums.den.size(), 0);
        for (std::size_t l = 0; l < w.tol.size(); ++l)
          w.tol[l] = F * u.computed * k.sum_abs + 2 * u.stored * std::fabs(sums.den[l]);
        CHECK(mismatches(masked.weight, w, first) == 0);
        // Where no tap reaches missing data the weight is sum(k): exactly so on the direct path
        // (the indicator sums to exact zeros there), to a few roundings of sum|k| on the fft
        // path (transform noise of the sparse indicator; measured up to 2.4 u sum|k| here), plus
        // the rounding of sum(k) to T.
        std::size_t far = 0, far_wrong = 0;
        ld worst = 0;
        const ld far_tol = 4 * u.computed * k.sum_abs + u.stored * k.sum;
        for (std::size_t l = 0; l < sums.den.size(); ++l)
          if (sums.missing_taps[l] == 0) {
            ++far;
            const ld d = std::fabs(static_cast<ld>(masked.weight.values[l]) - k.sum);
            worst = std::max(worst, d);
            far_wrong += !(d <= far_tol);
          }
        tally.far += far;
        CAPTURE(static_cast<double>(worst));
        CAPTURE(static_cast<double>(far_tol));
        CHECK(far_wrong == 0);
      }
    }
}

/// Random shapes of a rank: image extents in [1, max_n], kernel extents in [1, max_k] (so often
/// even, and often longer than the image).
std::vector<std::pair<Shape, Shape>> shapes(int rank, std::size_t count, std::size_t max_n,
                                            std::size_t max_k, std::mt19937_64& rng) {
  std::vector<std::pair<Shape, Shape>> s;
  std::uniform_int_distribution<std::size_t> n(1, max_n), k(1, max_k);
  for (std::size_t c = 0; c < count; ++c) {
    Shape a, b;
    for (int r = 0; r < rank; ++r) {
      a.push_back(n(rng));
      b.push_back(k(rng));
    }
    s.emplace_back(a, b);
  }
  return s;
}

template <class T>
void check_rank(int rank, std::mt19937_64& rng) {
  std::vector<std::pair<Shape, Shape>> cases;
  if (rank == 1) {
    cases = {
        {Shape{17}, Shape{5}}, {Shape{16}, Shape{4}}, {Shape{3}, Shape{8}}, {Shape{1}, Shape{3}}};
    for (const auto& c : shapes(1, 10, 30, 9, rng))
      cases.push_back(c);
  } else if (rank == 2) {
    cases = {{Shape{9, 8}, Shape{3, 4}}, {Shape{5, 4}, Shape{7, 6}}, {Shape{1, 6}, Shape{1, 3}}};
    for (const auto& c : shapes(2, 6, 12, 6, rng))
      cases.push_back(c);
  } else {
    cases = {{Shape{5, 4, 6}, Shape{3, 2, 3}}, {Shape{3, 2, 4}, Shape{2, 3, 5}}};
    for (const auto& c : shapes(3, 3, 6, 4, rng))
      cases.push_back(c);
  }
  Tally tally;
  std::size_t index = 0;
  for (const auto& c : cases)
    for (Scenario s : all_scenarios) {
      const bool with_negative = ++index % 3 == 0;
      const Problem<T> p = make_problem<T>(c.first, c.second, s, with_negative, rng);
      check_interpolation(
          p,
          describe(c.first, c.second, type_name<T>(),
                   label(s) + (with_negative ? " signed kernel" : " non-negative kernel")),
          tally);
    }
  // Not vacuous: many values and NaNs checked, few outputs left to rounding, far outputs seen.
  CAPTURE(tally.values);
  CAPTURE(tally.nans);
  CAPTURE(tally.either);
  CHECK(tally.values > 1000);
  CHECK(tally.nans > 100);
  CHECK(tally.either * 100 < tally.values);
  CHECK(tally.far > 100);
}

}  // namespace

// ---- 1, 2: interpolation and the coverage map against the reference ---------------------------

TEST_CASE_TEMPLATE("missing pixels: interpolation and weights match the reference in 1-D", T, float,
                   double) {
  std::mt19937_64 rng(1101);
  check_rank<T>(1, rng);
}

TEST_CASE_TEMPLATE("missing pixels: interpolation and weights match the reference in 2-D", T, float,
                   double) {
  std::mt19937_64 rng(1102);
  check_rank<T>(2, rng);
}

TEST_CASE_TEMPLATE("missing pixels: interpolation and weights match the reference in 3-D", T, float,
                   double) {
  std::mt19937_64 rng(1103);
  check_rank<T>(3, rng);
}

// ---- 5: a non-negative kernel never leaves the range of the valid data ------------------------

TEST_CASE("missing pixels: non-negative kernels keep interpolated values in the data's range") {
  // float data spanning 8 decades (float FFT noise is ~1e-7 of the largest values, so ~10 here,
  // far more than the faintest pixels): a weighted mean of valid values must still lie within
  // [min, max] of them (and of the zero or constant fill where the window leaves the image).
  std::mt19937_64 rng(1501);
  const Shape shape{48, 40};
  Array<float> image(shape);
  std::uniform_real_distribution<double> decades(0, 8);
  for (float& v : image.values)
    v = static_cast<float>(std::pow(10.0, decades(rng)));
  std::bernoulli_distribution scattered(0.05);
  for (std::size_t i = 0; i < image.size(); ++i) {
    const Index3 j = unravel(i, shape);
    if (scattered(rng) || (j[0] >= 10 && j[0] < 22 && j[1] >= 5 && j[1] < 20) ||
        (j[0] >= 40 && j[1] >= 30))
      image.values[i] = std::numeric_limits<float>::quiet_NaN();
  }
  // a Gaussian PSF with wings down to 1e-9 of its peak
  Array<float> kernel(Shape{11, 11});
  for (std::size_t i = 0; i < kernel.size(); ++i) {
    const Index3 j = unravel(i, kernel.shape);
    const double y = static_cast<double>(j[0]) - 5, x = static_cast<double>(j[1]) - 5;
    kernel.values[i] = static_cast<float>(std::exp(-(x * x + y * y) / (2 * 1.2 * 1.2)));
  }
  float lo_valid = std::numeric_limits<float>::infinity(), hi_valid = -lo_valid;
  for (float v : image.values)
    if (std::isfinite(v)) {
      lo_valid = std::min(lo_valid, v);
      hi_valid = std::max(hi_valid, v);
    }
  std::size_t checked = 0;
  for (const Rule& rule : all_rules)
    for (Mode mode : all_modes)
      for (const Run& run : runs<float>())
        for (const double min_weight : {0.0, 1e-3}) {
          CAPTURE(label(rule));
          CAPTURE(label(mode));
          CAPTURE(label(run));
          CAPTURE(min_weight);
          Options o;
          o.mode = mode;
          o.method = run.method;
          o.compute_precision = run.precision;
          o.boundary = rule.boundary;
          o.fill_value =
              rule.boundary == Boundary::constant && std::isfinite(rule.fill) ? 3 : rule.fill;
          o.nan_policy = NanPolicy::interpolate;
          o.min_weight = min_weight;
          float lo = lo_valid, hi = hi_valid;
          if (mode != Mode::valid &&
              (rule.boundary == Boundary::zero ||
               (rule.boundary == Boundary::constant && std::isfinite(o.fill_value)))) {
            const auto fill =
                static_cast<float>(rule.boundary == Boundary::zero ? 0 : o.fill_value);
            lo = std::min(lo, fill);
            hi = std::max(hi, fill);
          }
          const Outputs<float> out =
              call_masked(image, std::vector<unsigned char>(image.size(), 0), kernel, o);
          std::size_t outside = 0, bad_weight = 0;
          float worst = 0;
          ld sum = kernel_info(kernel).sum;
          for (std::size_t i = 0; i < out.values.size(); ++i) {
            const float v = out.values.values[i], w = out.weight.values[i];
            if (!std::isnan(v)) {
              ++checked;
              outside += !(v >= lo && v <= hi);
              if (!(v >= lo && v <= hi)) worst = v;
            }
            // the weight of a non-negative kernel lies in [0, sum(k)], rounded to float
            bad_weight += !(w >= 0 && static_cast<ld>(w) <= sum * (1 + eps<float>()));
          }
          CAPTURE(worst);
          CAPTURE(lo);
          CAPTURE(hi);
          CHECK(outside == 0);
          CHECK(bad_weight == 0);
        }
  CHECK(checked > 10000);
}

// ---- 8: astropy's normalized convolution ------------------------------------------------------

TEST_CASE("missing pixels: interpolate agrees with astropy convolve_fft") {
  // The expected values were produced by astropy 5.2.1 (Debian python3-astropy) with
  //   img[r, c] = (3 r + 5 c) % 7 + 0.25 r - 0.125 c (7 x 8), NaN at the pixels below,
  //   ker = [[1, 2, 0.5], [3, 4, 1], [0.25, 1.5, 2]],
  //   astropy.convolution.convolve_fft(img, ker, boundary='fill', fill_value=0,
  //                                    nan_treatment='interpolate', normalize_kernel=True)
  //   and the same with boundary='wrap' (min_wt left at its default 0),
  // printed with repr (17 significant digits). astropy pads 'fill' with fill_value at weight 1,
  // as Boundary::zero does, and its 'wrap' is circular convolution over the image, as
  // Boundary::wrap in same mode. No window here is all NaN (astropy would give 0 there).
  const double astropy_fill[7][8] = {
      {1.9777777777777774, 2.640350877192983, 2.241803278688525, 2.2459016393442623,
       2.4795081967213117, 1.7950819672131149, 1.1106557377049182, 0.3114754098360661},
      {2.5431818181818184, 3.622641509433962, 4.032894736842105, 2.913265306122449,
       1.8014705882352944, 2.4830508474576263, 2.735655737704918, 1.758196721311476},
      {3.3053278688524586, 3.184426229508198, 3.280555555555556, 3.9200000000000017,
       2.8237179487179485, 2.4342105263157885, 2.772540983606557, 2.725409836065574},
      {2.082547169811321, 3.483050847457627, 3.901041666666667, 3.4078947368421044,
       3.607558139534884, 3.735849056603773, 2.8094262295081975, 2.086065573770492},
      {2.447222222222221, 3.434210526315789, 3.7791666666666655, 4.513636363636365,
       3.299528301886793, 2.7412280701754375, 3.1438679245283008, 2.3262711864406787},
      {3.3249999999999997, 4.735849056603772, 3.809426229508196, 3.2909836065573765,
       3.6905737704918034, 3.9489795918367325, 2.984756097560975, 1.3928571428571435},
      {2.444672131147541, 2.569672131147542, 3.2274590163934427, 3.4262295081967213,
       2.3627049180327866, 2.7791666666666663, 3.76453488372093, 0.9527027027027035},
  };
  const double astropy_wrap[7][8] = {
      {3.422297297297298, 3.7894736842105257, 2.9077868852459026, 3.0778688524590163,
       3.706967213114753, 2.6147540983606556, 2.0541666666666663, 2.1279069767441854},
      {2.793181818181819, 3.622641509433962, 4.032894736842104, 2.9132653061224487,
       1.8014705882352942, 2.4830508474576267, 2.735655737704918, 2.870833333333333},
      {4.047131147540984, 3.184426229508196, 3.280555555555556, 3.9199999999999986,
       2.823717948717949, 2.434210526315789, 2.7725409836065578, 4.237704918032786},
      {3.2665094339622645, 3.4830508474576276, 3.9010416666666665, 3.4078947368421044,
       3.6075581395348837, 3.735849056603773, 2.8094262295081975, 2.9254385964912277},
      {3.2972222222222225, 3.434210526315789, 3.779166666666667, 4.513636363636364,
       3.299528301886792, 2.7412280701754383, 3.1438679245283034, 3.170212765957446},
      {4.327830188679246, 4.735849056603774, 3.809426229508197, 3.290983606557377,
       3.6905737704918034, 3.9489795918367343, 2.9847560975609757, 2.4427083333333326},
      {3.630102040816327, 3.5042372881355934, 3.788934426229509, 3.959016393442623,
       3.3258196721311477, 3.495833333333333, 4.072674418604651, 3.0},
  };
  Array<double> image(Shape{7, 8}), kernel(Shape{3, 3});
  for (std::size_t r = 0; r < 7; ++r)
    for (std::size_t c = 0; c < 8; ++c)
      image.values[r * 8 + c] = static_cast<double>((3 * r + 5 * c) % 7) +
                                0.25 * static_cast<double>(r) - 0.125 * static_cast<double>(c);
  const std::pair<std::size_t, std::size_t> nans[] = {{0, 0}, {2, 3}, {2, 4}, {3, 3},
                                                      {6, 7}, {4, 0}, {5, 6}};
  for (const auto& n : nans)
    image.values[n.first * 8 + n.second] = std::nan("");
  kernel.values = {1, 2, 0.5, 3, 4, 1, 0.25, 1.5, 2};
  // astropy computes in double with FFTs of (10..12) x (11..12) points on values below 5, and
  // so do we (or the direct sum): each side errs by at most about u log2(N) 5 (N < 256), so
  // they differ by at most 2 u log2(256) 5 = 1.8e-14. (Measured: 2.7e-15 on the fft method,
  // the same order as astropy's own distance from the exact values.)
  const double u = std::numeric_limits<double>::epsilon();
  const double tol = 2 * u * std::log2(256.0) * 5;
  double worst = 0, astropy_exact = 0, ours_exact = 0;
  for (const Boundary boundary : {Boundary::zero, Boundary::wrap}) {
    CAPTURE(label(boundary));
    const auto& expected = boundary == Boundary::zero ? astropy_fill : astropy_wrap;
    // astropy against the exact values of our reference (normalizing the kernel does not change
    // the ratio)
    const Sums sums = reference_sums(image, {}, kernel, Mode::same, {boundary, 0});
    for (std::size_t i = 0; i < 56; ++i) {
      const ld exact = sums.num[i] / sums.den[i];
      astropy_exact =
          std::max(astropy_exact, static_cast<double>(std::fabs(exact - expected[i / 8][i % 8])));
    }
    for (Method method : {Method::direct, Method::fft}) {
      CAPTURE(label(method));
      Options o;
      o.method = method;
      o.boundary = boundary;
      o.nan_policy = NanPolicy::interpolate;
      o.normalize_kernel = true;
      o.min_weight = 0;
      const Outputs<double> out = call_masked(image, std::vector<unsigned char>(56, 0), kernel, o);
      const Array<double> plain = call_convolve(image, kernel, o);
      double diff = 0;
      for (std::size_t i = 0; i < 56; ++i) {
        diff = std::max(diff, std::fabs(out.values.values[i] - expected[i / 8][i % 8]));
        diff = std::max(diff, std::fabs(plain.values[i] - expected[i / 8][i % 8]));
        const ld exact = sums.num[i] / sums.den[i];
        ours_exact =
            std::max(ours_exact, static_cast<double>(std::fabs(out.values.values[i] - exact)));
      }
      CAPTURE(diff);
      CHECK(diff <= tol);
      worst = std::max(worst, diff);
    }
  }
  CHECK(astropy_exact <= tol / 2);
  CHECK(ours_exact <= tol / 2);
  MESSAGE("largest difference from astropy: " << worst << " (astropy from exact: " << astropy_exact
                                              << ", ours: " << ours_exact << ")");
}
