// Missing pixels: min_weight thresholds, and the arguments refused (nothing written).
#include <doctest/doctest.h>

#include "stages/missing_pixels/problems.hpp"

using namespace missing_pixels;

// ---- 4: min_weight and the errors -------------------------------------------------------------

TEST_CASE_TEMPLATE("missing pixels: min_weight is a fraction of sum(k)", T, float, double) {
  // 20 pixels, 6..12 missing, a kernel of five 2s (sum 10), same mode, zero boundary (outside
  // pixels are data): output j sees pixels j-2..j+2, c(j) of them valid (outside ones count), its
  // weight is 2 c(j) and its value the plain mean of the valid ones.
  const std::size_t n = 20;
  Array<T> image(Shape{n}), kernel(Shape{5});
  for (std::size_t i = 0; i < n; ++i)
    image.values[i] = i >= 6 && i < 13 ? std::numeric_limits<T>::quiet_NaN()
                                       : static_cast<T>(1 + 0.5 * static_cast<double>(i));
  for (T& v : kernel.values)
    v = 2;
  auto valid = [&](std::size_t j) {
    std::size_t c = 0;
    for (long long i = static_cast<long long>(j) - 2; i <= static_cast<long long>(j) + 2; ++i)
      c += i < 0 || i >= static_cast<long long>(n) ||
           std::isfinite(image.values[static_cast<std::size_t>(i)]);
    return c;
  };
  auto mean = [&](std::size_t j) {
    ld s = 0;
    for (long long i = static_cast<long long>(j) - 2; i <= static_cast<long long>(j) + 2; ++i)
      if (i >= 0 && i < static_cast<long long>(n)) {
        const T v = image.values[static_cast<std::size_t>(i)];
        if (std::isfinite(v)) s += static_cast<ld>(v);
      }
    return s / static_cast<ld>(valid(j));
  };
  struct Threshold {
    double min_weight;
    std::size_t least_valid;  // c(j) needed for a value: 2 c >= 10 min_weight and 2 c > 0
    bool exact_only;          // the threshold is met with equality or at 0: decided by rounding
  };
  const Threshold thresholds[] = {{0, 1, true},    {1e-3, 1, false}, {0.25, 2, false},
                                  {0.5, 3, false}, {0.99, 5, false}, {1, 5, true},
                                  {1.5, 6, false}};  // 1.5: above the full weight, all NaN
  for (const Threshold& t : thresholds)
    for (const Run& run : runs<T>()) {
      // the weights on the direct path are exact (sums of 2s): equality decided exactly
      if (t.exact_only && run.method != Method::direct) continue;
      CAPTURE(t.min_weight);
      CAPTURE(label(run));
      Options o;
      o.method = run.method;
      o.compute_precision = run.precision;
      o.nan_policy = NanPolicy::interpolate;
      o.min_weight = t.min_weight;
      const Array<T> out = call_convolve(image, kernel, o);
      const Outputs<T> masked = call_masked(image, std::vector<unsigned char>(n, 0), kernel, o);
      for (std::size_t j = 0; j < n; ++j) {
        CAPTURE(j);
        // (weights and values within 1e-5: far above the rounding of sums of five terms of
        // size 10 in float, far below the steps of 2 between weights and the values' spread)
        CHECK(std::fabs(static_cast<ld>(masked.weight.values[j]) - 2 * static_cast<ld>(valid(j))) <=
              1e-5L);
        if (valid(j) >= t.least_valid) {
          CHECK(std::fabs(static_cast<ld>(out.values[j]) - mean(j)) <= 1e-5L);
        } else {
          CHECK(std::isnan(out.values[j]));
        }
        CHECK((out.values[j] == masked.values.values[j] ||
               (std::isnan(out.values[j]) && std::isnan(masked.values.values[j]))));
      }
    }
}

TEST_CASE_TEMPLATE("missing pixels: min_weight 0 gives NaN where the window holds no valid pixel",
                   T, float, double) {
  // min_weight = 0 keeps every output with a positive weight; an output whose non-zero taps all
  // fall on missing pixels has weight exactly 0 and no value (0 / 0): it must be NaN on every
  // method, not a value made of rounding noise divided by rounding noise. (astropy guards the
  // same case with a threshold of 10 eps on the weight.) Outputs with real coverage keep their
  // values.
  std::mt19937_64 rng(1401);
  const Shape shape{24, 24};
  for (const bool with_negative : {false, true}) {
    Problem<T> p;
    p.image = testing::uniform<T>(shape, rng, 0, 100);
    p.mask.assign(p.image.size(), 0);
    p.kernel = random_kernel<T>(Shape{5, 5}, with_negative, rng);
    for (std::size_t i = 0; i < p.image.size(); ++i) {
      const Index3 j = unravel(i, shape);
      if (j[0] >= 6 && j[0] < 18 && j[1] >= 4 && j[1] < 20)
        p.image.values[i] = std::numeric_limits<T>::quiet_NaN();
    }
    std::size_t nonzero_taps = 0;
    for (T v : p.kernel.values)
      nonzero_taps += v != 0;
    const Sums sums = reference_sums(p.image, p.mask, p.kernel, Mode::same, {Boundary::zero, 0});
    const KernelInfo k = kernel_info(p.kernel);
    const ld F = growth(shape, p.kernel.shape);
    for (const Run& run : runs<T>()) {
      CAPTURE(with_negative);
      CAPTURE(label(run));
      Options o;
      o.method = run.method;
      o.compute_precision = run.precision;
      o.nan_policy = NanPolicy::interpolate;
      o.min_weight = 0;
      Expectation e = interpolate_expectation(sums, k, 0, F, roundoff<T>(run.precision));
      std::size_t empty = 0;
      for (std::size_t l = 0; l < e.state.size(); ++l)
        if (sums.missing_nonzero[l] == nonzero_taps) {
          e.state[l] = State::nan;
          ++empty;
        }
      CHECK(empty >= 8 * 10);
      std::string first;
      CAPTURE(first);
      CHECK(mismatches(call_convolve(p.image, p.kernel, o), e, first) == 0);
    }
  }
}

namespace {

/// Calls f (which must throw fftconv::Error with code invalid_argument and a message containing
/// `message`) and checks that values and weight still hold their sentinel.
template <class F>
void check_refused(F f, const std::vector<double>& values, const std::vector<double>& weight,
                   const std::string& message) {
  CAPTURE(message);
  bool thrown = false;
  try {
    f();
  } catch (const fftconv::Error& e) {
    thrown = true;
    CHECK(e.code() == fftconv::ErrorCode::invalid_argument);
    const std::string what = e.what();
    CAPTURE(what);
    CHECK(what.find(message) != std::string::npos);
  }
  CHECK(thrown);
  CHECK(std::count(values.begin(), values.end(), 42.0) ==
        static_cast<std::ptrdiff_t>(values.size()));
  CHECK(std::count(weight.begin(), weight.end(), 42.0) ==
        static_cast<std::ptrdiff_t>(weight.size()));
}

}  // namespace

TEST_CASE("missing pixels: invalid min_weight kernel sum and mask are refused writing nothing") {
  std::vector<double> image{1, 2, std::nan(""), 4, 5, 6, 7, 8}, kernel{1, 2, 1};
  std::vector<double> values(8, 42.0), weight(8, 42.0);
  const std::unique_ptr<bool[]> mask(new bool[8]());
  mask[1] = true;
  const ConstView<double> im(image.data(), {8});
  const ConstView<bool> ma(mask.get(), {8});
  auto masked = [&](const std::vector<double>& k, const Options& o) {
    return [&, o] {
      fftconv::convolve_masked(im, ma, ConstView<double>(k.data(), {k.size()}),
                               View<double>(values.data(), {8}), View<double>(weight.data(), {8}),
                               o);
    };
  };
  auto plain = [&](const std::vector<double>& k, const Options& o) {
    return [&, o] {
      fftconv::convolve(im, ConstView<double>(k.data(), {k.size()}),
                        View<double>(values.data(), {8}), o);
    };
  };
  Options interpolate;
  interpolate.nan_policy = NanPolicy::interpolate;

  SUBCASE("min_weight negative NaN or infinite") {
    for (const double bad : {-0.1, -1e-300, std::nan(""), inf, -inf}) {
      CAPTURE(bad);
      Options o = interpolate;
      o.min_weight = bad;
      for (Method method : {Method::direct, Method::fft}) {
        o.method = method;
        check_refused(masked(kernel, o), values, weight, "min_weight");
        check_refused(plain(kernel, o), values, weight, "min_weight");
      }
    }
  }
  SUBCASE("interpolate needs a kernel with a positive sum") {
    const std::vector<std::vector<double>> kernels{
        {1, -1}, {-1, -2, -0.5}, {0, 0, 0}, {1, -1, 1e-20}};  // the last: within rounding
    for (const auto& k : kernels)
      for (Method method : {Method::direct, Method::fft}) {
        CAPTURE(k.size());
        CAPTURE(k[0]);
        Options o = interpolate;
        o.method = method;
        check_refused(masked(k, o), values, weight, "kernel sums to");
        check_refused(plain(k, o), values, weight, "kernel sums to");
        // fill and propagate take any kernel
        for (NanPolicy policy : {NanPolicy::fill, NanPolicy::propagate}) {
          o.nan_policy = policy;
          CHECK_NOTHROW(masked(k, o)());
          CHECK_NOTHROW(plain(k, o)());
          std::fill(values.begin(), values.end(), 42.0);
          std::fill(weight.begin(), weight.end(), 42.0);
        }
      }
  }
  SUBCASE("a mask of the image type must hold 0 and 1 only") {
    for (const double bad : {0.5, 2.0, -1.0, std::nan("")}) {
      CAPTURE(bad);
      std::vector<double> m(8, 0.0);
      m[5] = bad;
      for (NanPolicy policy : {NanPolicy::propagate, NanPolicy::interpolate, NanPolicy::fill}) {
        Options o;
        o.nan_policy = policy;
        check_refused(
            [&] {
              fftconv::convolve_masked(
                  im, ConstView<double>(m.data(), {8}), ConstView<double>(kernel.data(), {3}),
                  View<double>(values.data(), {8}), View<double>(weight.data(), {8}), o);
            },
            values, weight, "mask value");
      }
    }
    // float too
    std::vector<float> fimage(8, 1.0f), fkernel{1, 2, 1}, fmask(8, 0.0f), fvalues(8, 42.0f),
        fweight(8, 42.0f);
    fmask[0] = 0.5f;
    CHECK_THROWS_AS(fftconv::convolve_masked(
                        ConstView<float>(fimage.data(), {8}), ConstView<float>(fmask.data(), {8}),
                        ConstView<float>(fkernel.data(), {3}), View<float>(fvalues.data(), {8}),
                        View<float>(fweight.data(), {8})),
                    fftconv::Error);
    CHECK(std::count(fvalues.begin(), fvalues.end(), 42.0f) == 8);
    CHECK(std::count(fweight.begin(), fweight.end(), 42.0f) == 8);
  }
  SUBCASE("the mask must have the image's shape") {
    const std::unique_ptr<bool[]> big(new bool[9]());
    const Shape wrong[] = {Shape{9}, Shape{7}, Shape{2, 4}, Shape{8, 1}};
    for (const Shape& s : wrong) {
      CAPTURE(fftconv::to_string(s));
      check_refused(
          [&] {
            fftconv::convolve_masked(
                im, ConstView<bool>(big.get(), s), ConstView<double>(kernel.data(), {3}),
                View<double>(values.data(), {8}), View<double>(weight.data(), {8}), interpolate);
          },
          values, weight, "mask");
    }
  }
  SUBCASE("values and weight must not share memory") {
    const std::ptrdiff_t offsets[] = {0, 3, 7, -5};
    for (const std::ptrdiff_t off : offsets) {
      CAPTURE(off);
      std::vector<double> storage(32, 42.0);
      double* v = storage.data() + 10;
      check_refused(
          [&] {
            fftconv::convolve_masked(im, ma, ConstView<double>(kernel.data(), {3}),
                                     View<double>(v, {8}), View<double>(v + off, {8}), interpolate);
          },
          storage, {}, "share memory");
    }
    // adjacent but disjoint is fine
    std::vector<double> storage(16, 42.0);
    CHECK_NOTHROW(fftconv::convolve_masked(im, ma, ConstView<double>(kernel.data(), {3}),
                                           View<double>(storage.data(), {8}),
                                           View<double>(storage.data() + 8, {8}), interpolate));
    // weight at output 3 (pixels 4, 3, 2 under taps 1, 2, 1): pixel 2 is NaN, so 1 + 2
    CHECK(storage[8 + 3] == 3.0);
  }
  SUBCASE("weight of the wrong shape") {
    check_refused(
        [&] {
          fftconv::convolve_masked(im, ma, ConstView<double>(kernel.data(), {3}),
                                   View<double>(values.data(), {8}),
                                   View<double>(weight.data(), {7}), interpolate);
        },
        values, weight, "weight has shape 7");
  }
}

TEST_CASE_TEMPLATE("missing pixels: min_weight 1 keeps every fully covered output on every method",
                   T, float, double) {
  // A random 64 x 64 image with a few NaN and inf pixels and a 7 x 5 positive kernel normalized
  // to sum 1 (so the weight's noise is not lost in its last place): on the fft method a fully
  // covered output's computed weight is 1 minus transform noise, which must still pass
  // min_weight = 1 (the comparison allows for the weight's rounding).
  std::mt19937_64 rng(17);
  Array<T> image = testing::uniform<T>(Shape{64, 64}, rng, 0, 1);
  const Array<T> kernel = testing::uniform<T>(Shape{7, 5}, rng, 0.1, 1);
  for (std::size_t i = 0; i < 12; ++i)
    image.values[rng() % image.size()] = std::numeric_limits<T>::quiet_NaN();
  for (std::size_t i = 0; i < 12; ++i)
    image.values[rng() % image.size()] = std::numeric_limits<T>::infinity();
  for (std::size_t r = 30; r < 50; ++r)    // and a 20 x 20 block: enough missing mass for the
    for (std::size_t c = 10; c < 30; ++c)  // transform noise to reach the weight's last place
      image.values[r * 64 + c] = std::numeric_limits<T>::quiet_NaN();
  // Output (r, c) is fully covered when no missing pixel lies under the kernel (rows r-3..r+3,
  // columns c-2..c+2, extended by the rule; zero: outside pixels are data).
  for (fftconv::Boundary boundary :
       {fftconv::Boundary::zero, fftconv::Boundary::reflect, fftconv::Boundary::wrap}) {
    const auto extended = [&](long long i) -> long long {
      if (boundary == fftconv::Boundary::reflect) return i < 0 ? -i - 1 : i >= 64 ? 127 - i : i;
      if (boundary == fftconv::Boundary::wrap) return (i + 64) % 64;
      return i < 0 || i >= 64 ? -1 : i;
    };
    for (Method method : {Method::direct, Method::fft}) {
      CAPTURE(static_cast<int>(boundary));
      CAPTURE(static_cast<int>(method));
      Options o;
      o.nan_policy = NanPolicy::interpolate;
      o.min_weight = 1;
      o.normalize_kernel = true;
      o.method = method;
      o.boundary = boundary;
      Array<T> out(Shape{64, 64});
      fftconv::convolve(image.view(), kernel.view(), out.view(), o);
      std::size_t full = 0, kept = 0;
      for (long long r = 0; r < 64; ++r)
        for (long long c = 0; c < 64; ++c) {
          bool covered = true;
          for (long long a = r - 3; a <= r + 3; ++a)
            for (long long b = c - 2; b <= c + 2; ++b) {
              const long long y = extended(a), x = extended(b);
              covered =
                  covered && (y < 0 || x < 0 ||
                              std::isfinite(image.values[static_cast<std::size_t>(y * 64 + x)]));
            }
          const bool finite = std::isfinite(out.values[static_cast<std::size_t>(r * 64 + c)]);
          CHECK(finite == covered);
          full += covered;
          kept += finite;
        }
      CHECK(full > 600);  // (the case is not vacuous)
      CHECK(kept == full);
    }
  }
}

TEST_CASE("missing pixels: mask values are checked even when the output is empty") {
  std::vector<double> image(4, 1.0), kernel(6, 1.0), mask{0, 0.5, 0, 0};
  std::vector<double> none;
  Options o;
  o.mode = fftconv::Mode::valid;  // a kernel longer than the image: no output
  CHECK_THROWS_WITH_AS(fftconv::convolve_masked(ConstView<double>(image.data(), {4}),
                                                ConstView<double>(mask.data(), {4}),
                                                ConstView<double>(kernel.data(), {6}),
                                                View<double>(none.data(), {0}), View<double>(), o),
                       doctest::Contains("mask value 0.5 at element 1"), fftconv::Error);
}
