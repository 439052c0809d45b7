// Missing pixels: preserve_nan, NanPolicy::fill and propagate with a mask.
#include <doctest/doctest.h>

#include "stages/missing_pixels/problems.hpp"

using namespace missing_pixels;

// ---- 3: preserve_nan, NanPolicy::fill, propagate with a mask ----------------------------------

namespace {

/// interpolate and fill with preserve_nan on and off, through convolve and convolve_masked, and
/// correlate with the flipped kernel (the same result, the same "centred on" mapping).
template <class T>
void check_fill_and_preserve(const Problem<T>& p, const std::string& what, std::size_t& nans) {
  const Array<T> with_nan = p.image_with_nan();
  const Array<T> flipped = testing::flip(p.kernel);
  const std::vector<unsigned char> missing = p.missing();
  const KernelInfo k = kernel_info(p.kernel);
  const ld F = growth(p.image.shape, p.kernel.shape);
  for (const Rule& rule : all_rules)
    for (Mode mode : all_modes)
      for (NanPolicy policy : {NanPolicy::interpolate, NanPolicy::fill}) {
        // fill: the missing pixels become fill_value (finite), so does the outside for constant
        if (policy == NanPolicy::fill && !std::isfinite(rule.fill)) continue;
        const double fill = rule.boundary == Boundary::constant ? rule.fill : -0.5;
        Sums sums;
        if (policy == NanPolicy::interpolate) {
          sums = reference_sums(p.image, p.mask, p.kernel, mode, rule);
        } else {
          Array<T> filled = p.image;
          for (std::size_t i = 0; i < filled.size(); ++i)
            if (missing[i]) filled.values[i] = static_cast<T>(fill);
          sums = reference_sums(filled, {}, p.kernel, mode, rule);
        }
        for (const Run& run : runs<T>())
          for (bool preserve : {false, true}) {
            CAPTURE(what);
            CAPTURE(label(rule));
            CAPTURE(label(mode));
            CAPTURE(label(run));
            CAPTURE(label(policy));
            CAPTURE(preserve);
            Options o;
            o.mode = mode;
            o.method = run.method;
            o.compute_precision = run.precision;
            o.boundary = rule.boundary;
            o.fill_value = fill;
            o.nan_policy = policy;
            o.preserve_nan = preserve;
            const Roundoff u = roundoff<T>(run.precision);
            Expectation e = policy == NanPolicy::interpolate
                                ? interpolate_expectation(sums, k, o.min_weight, F, u)
                                : plain_expectation(sums, F, u);
            if (preserve) preserve_missing(e, p.image.shape, p.kernel.shape, mode, missing);
            nans += e.count(State::nan);
            std::string first;
            CAPTURE(first);
            CHECK(mismatches(call_convolve(with_nan, p.kernel, o), e, first) == 0);
            Stored<T> out(out_shape(p.image.shape, p.kernel.shape, mode), Layout::c_order);
            fftconv::correlate(with_nan.view(), flipped.view(), out.view, o);
            CHECK(mismatches(out.read(), e, first) == 0);
            CHECK(mismatches(call_masked(p.image, p.mask, p.kernel, o).values, e, first) == 0);
          }
      }
}

}  // namespace

TEST_CASE_TEMPLATE("missing pixels: fill and preserve_nan match the reference", T, float, double) {
  std::mt19937_64 rng(1201);
  const std::pair<Shape, Shape> cases[] = {{Shape{13}, Shape{4}},
                                           {Shape{4}, Shape{7}},
                                           {Shape{8, 7}, Shape{3, 4}},
                                           {Shape{3, 5}, Shape{6, 2}},
                                           {Shape{4, 5, 3}, Shape{2, 3, 3}}};
  std::size_t nans = 0, index = 0;
  for (const auto& c : cases)
    for (Scenario s :
         {Scenario::single_nan, Scenario::border, Scenario::infinities, Scenario::masked}) {
      const bool with_negative = ++index % 4 == 0;
      check_fill_and_preserve(make_problem<T>(c.first, c.second, s, with_negative, rng),
                              describe(c.first, c.second, type_name<T>(), label(s)), nans);
    }
  CHECK(nans > 500);
}

TEST_CASE("missing pixels: preserve_nan marks the output centred on the pixel in every mode") {
  // A 7-pixel signal, pixel 3 missing, an even kernel of 4 ones: the mapping is j (same),
  // j + (k - 1) / 2 = 4 (full), j - k / 2 = 1 (valid), written out by hand.
  std::vector<double> image{1, 2, 3, std::nan(""), 5, 6, 7}, kernel{1, 1, 1, 1};
  const std::pair<Mode, std::size_t> where[] = {{Mode::same, 3}, {Mode::full, 4}, {Mode::valid, 1}};
  for (const auto& w : where)
    for (NanPolicy policy : {NanPolicy::interpolate, NanPolicy::fill})
      for (Method method : {Method::direct, Method::fft}) {
        CAPTURE(label(w.first));
        CAPTURE(label(policy));
        CAPTURE(label(method));
        Options o;
        o.mode = w.first;
        o.method = method;
        o.nan_policy = policy;
        const std::size_t n = window_length(7, 4, w.first);
        std::vector<double> without(n), with(n);
        fftconv::convolve(ConstView<double>(image.data(), {7}),
                          ConstView<double>(kernel.data(), {4}), View<double>(without.data(), {n}),
                          o);
        o.preserve_nan = true;
        fftconv::convolve(ConstView<double>(image.data(), {7}),
                          ConstView<double>(kernel.data(), {4}), View<double>(with.data(), {n}), o);
        for (std::size_t i = 0; i < n; ++i) {
          CAPTURE(i);
          CHECK(std::isfinite(without[i]));
          if (i == w.second)
            CHECK(std::isnan(with[i]));
          else
            CHECK(with[i] == without[i]);
        }
      }
}

TEST_CASE_TEMPLATE("missing pixels: propagate with a mask acts as NaN", T, float, double) {
  // A masked pixel under propagate is a NaN: on the direct path NaN exactly where a non-zero tap
  // reaches it (or one of its copies under the boundary rule), the reference elsewhere; on every
  // method bit-identical to convolve on the image with NaN at the masked pixels. The weight is
  // still conv(M, k).
  std::mt19937_64 rng(1301);
  const std::pair<Shape, Shape> cases[] = {{Shape{19}, Shape{4}},
                                           {Shape{9, 8}, Shape{3, 4}},
                                           {Shape{4, 3}, Shape{5, 2}},
                                           {Shape{4, 5, 3}, Shape{2, 3, 2}}};
  std::size_t nan_outputs = 0, value_outputs = 0;
  for (const auto& c : cases) {
    Problem<T> p = make_problem<T>(c.first, c.second, Scenario::masked, false, rng);
    p.kernel.values[0] = 0;  // a zero tap does not carry the NaN
    const Array<T> with_nan = p.image_with_nan();
    const KernelInfo k = kernel_info(p.kernel);
    const ld F = growth(p.image.shape, p.kernel.shape);
    for (const Rule& rule : all_rules) {
      if (!std::isfinite(rule.fill)) continue;
      for (Mode mode : all_modes) {
        const Sums sums = reference_sums(p.image, p.mask, p.kernel, mode, rule);
        for (const Run& run : runs<T>()) {
          CAPTURE(describe(c.first, c.second, type_name<T>(), ""));
          CAPTURE(label(rule));
          CAPTURE(label(mode));
          CAPTURE(label(run));
          Options o;
          o.mode = mode;
          o.method = run.method;
          o.compute_precision = run.precision;
          o.boundary = rule.boundary;
          o.fill_value = rule.fill;
          const Roundoff u = roundoff<T>(run.precision);
          const Outputs<T> masked = call_masked(p.image, p.mask, p.kernel, o, true);
          const Array<T> plain = call_convolve(with_nan, p.kernel, o);
          std::size_t differ = 0;
          for (std::size_t i = 0; i < plain.size(); ++i)
            differ += !(masked.values.values[i] == plain.values[i] ||
                        (std::isnan(masked.values.values[i]) && std::isnan(plain.values[i])));
          CHECK(differ == 0);
          std::string first;
          CAPTURE(first);
          if (run.method == Method::direct) {
            Expectation e = plain_expectation(sums, F, u);
            for (std::size_t l = 0; l < e.state.size(); ++l)
              if (sums.missing_nonzero[l] > 0) e.state[l] = State::nan;
            nan_outputs += e.count(State::nan);
            value_outputs += e.count(State::value);
            CHECK(mismatches(masked.values, e, first) == 0);
          }
          Expectation w;
          w.value = std::vector<ld>(sums.den);
          w.state.assign(sums.den.size(), State::value);
          w.tol.assign(sums.den.size(), F * u.computed * k.sum_abs + 2 * u.stored * k.sum);
          CHECK(mismatches(masked.weight, w, first) == 0);
        }
      }
    }
  }
  CHECK(nan_outputs > 100);
  CHECK(value_outputs > 100);
}
