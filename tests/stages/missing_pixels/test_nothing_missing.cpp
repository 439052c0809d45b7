// Missing pixels: none missing gives the plain result; a Filter applies the same policies.
#include <doctest/doctest.h>

#include "stages/missing_pixels/problems.hpp"

using namespace missing_pixels;

// ---- 6: no missing pixels ---------------------------------------------------------------------

TEST_CASE_TEMPLATE("missing pixels: none missing gives the plain result and full weights", T, float,
                   double) {
  // With nothing missing the weight is sum(k) everywhere, exactly; fill gives the propagate
  // result bit for bit, and interpolate that result divided by sum(k) (normalized convolution of
  // complete data: conv(I, k) / conv(1, k)). The kernel's values are multiples of 1/64 with a
  // sum of exactly 2, so the sum is exact in any type and dividing by it is exact too: the
  // interpolated result is bit for bit propagate / 2. (A negative tap keeps the non-negative
  // kernels' range clamp out of the comparison.)
  std::mt19937_64 rng(1601);
  const std::pair<Shape, Shape> cases[] = {{Shape{23}, Shape{6}},
                                           {Shape{3}, Shape{5}},
                                           {Shape{11, 9}, Shape{4, 3}},
                                           {Shape{5, 4, 6}, Shape{2, 3, 2}}};
  for (const auto& c : cases) {
    const Array<T> image = testing::uniform<T>(c.first, rng, -1, 2);
    Array<T> kernel(c.second);
    std::uniform_int_distribution<int> sixty_fourths(-16, 64);
    for (T& v : kernel.values)
      v = static_cast<T>(sixty_fourths(rng)) / T(64);
    kernel.values[1] = T(-0.25);
    kernel.values[0] = 0;
    kernel.values[0] = static_cast<T>(2 - kernel_info(kernel).sum);
    const ld sum = kernel_info(kernel).sum;
    REQUIRE(sum == 2);
    for (const Rule& rule : all_rules) {
      if (!std::isfinite(rule.fill)) continue;  // an infinite fill is missing data
      for (Mode mode : all_modes)
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
          const Array<T> propagate = call_convolve(image, kernel, o);
          Array<T> halved = propagate;
          for (T& v : halved.values)
            v /= 2;
          for (NanPolicy policy : {NanPolicy::propagate, NanPolicy::interpolate, NanPolicy::fill}) {
            CAPTURE(label(policy));
            o.nan_policy = policy;
            const Array<T>& want = policy == NanPolicy::interpolate ? halved : propagate;
            const Array<T> plain = call_convolve(image, kernel, o);
            const Outputs<T> masked =
                call_masked(image, std::vector<unsigned char>(image.size(), 0), kernel, o);
            CHECK(plain.values == want.values);
            CHECK(masked.values.values == want.values);
            std::size_t not_sum = 0;
            for (T w : masked.weight.values)
              not_sum += static_cast<ld>(w) != sum;
            CHECK(not_sum == 0);
          }
        }
    }
  }
}

TEST_CASE("missing pixels: Filter applies the same policies as convolve") {
  // One Filter per policy, applied to several images with different missing pixels: bit for bit
  // what convolve gives (NaN in the same places).
  std::mt19937_64 rng(1651);
  const Shape shape{14, 11};
  const Array<double> kernel = random_kernel<double>(Shape{4, 3}, false, rng);
  for (NanPolicy policy : {NanPolicy::interpolate, NanPolicy::fill})
    for (Method method : {Method::direct, Method::fft})
      for (bool preserve : {false, true}) {
        CAPTURE(label(policy));
        CAPTURE(label(method));
        CAPTURE(preserve);
        Options o;
        o.method = method;
        o.boundary = Boundary::mirror;
        o.nan_policy = policy;
        o.preserve_nan = preserve;
        o.fill_value = 0.5;
        const fftconv::Filter<double> filter(kernel.view(), shape, fftconv::Operation::convolve, o);
        for (Scenario s : {Scenario::none, Scenario::nan_block, Scenario::infinities}) {
          const Array<double> image =
              make_problem<double>(shape, kernel.shape, s, false, rng).image_with_nan();
          Array<double> filtered(shape);
          filter.apply(image.view(), filtered.view());
          const Array<double> direct = call_convolve(image, kernel, o);
          std::size_t differ = 0;
          for (std::size_t i = 0; i < filtered.size(); ++i)
            differ += !(filtered.values[i] == direct.values[i] ||
                        (std::isnan(filtered.values[i]) && std::isnan(direct.values[i])));
          CHECK(differ == 0);
        }
      }
}
