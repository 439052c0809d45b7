// Convolution along more than 3 axes (ranks 4 to 8, every axis or several with batch axes): the
// library's tap sum (src/core/tap_sum.hpp) against the independent long double reference of
// tests/support/reference.hpp, which sums every tap of every axis straight from the definition,
// and within error_bound; the library's own reference_convolve against the same; properties a
// tap sum must keep (a batch equals the loop over its frames, in place equals out of place,
// nonnegative clamps the sum, the kernel normalized as a whole).
#include <doctest/doctest.h>

#include <algorithm>
#include <cmath>
#include <complex>
#include <cstring>
#include <random>
#include <string>
#include <vector>

#include "fftconv/fftconv.hpp"
#include "support/library_call.hpp"
#include "support/reference.hpp"
#include "support/test_data.hpp"

using fftconv::Boundary;
using fftconv::ConstView;
using fftconv::Method;
using fftconv::Mode;
using fftconv::Options;
using fftconv::Shape;
using fftconv::View;
using testing::Array;
using testing::Op;

namespace {

// Every method that applies to every kernel, mode, rule and operation on an image convolved
// along all its axes: within testing::tolerance of the reference and within error_bound; the
// library's reference within the tolerance too (it is correctly rounded: half an ulp of each
// value, far below the tolerance).
template <class T>
void check_every_way(const Array<T>& image, const Array<T>& kernel) {
  for (Op op : {Op::convolve, Op::correlate})
    for (Mode mode : {Mode::full, Mode::same, Mode::valid})
      for (Boundary rule : {Boundary::zero, Boundary::constant, Boundary::reflect, Boundary::mirror,
                            Boundary::nearest, Boundary::wrap}) {
        const double fill = rule == Boundary::constant ? 0.75 : 0;
        const testing::Reference ref =
            testing::reference(image, kernel, mode, op == Op::correlate, rule, fill);
        const long double tol = testing::tolerance<T>(image.shape, kernel.shape, ref.abs_sum_max);
        Options options;
        options.mode = mode;
        options.boundary = rule;
        options.fill_value = fill;
        CAPTURE(testing::name(op));
        CAPTURE(testing::name(mode));
        CAPTURE(testing::name(rule));
        const Array<T> lib_ref = testing::apply(op, image, kernel, options, true);
        REQUIRE(lib_ref.shape == ref.values.shape);
        CHECK(testing::max_abs_error(lib_ref, ref.values) <= tol);
        for (Method method :
             {Method::automatic, Method::direct, Method::fft, Method::overlap_save}) {
          CAPTURE(testing::name(method));
          options.method = method;
          const Array<T> result = testing::apply(op, image, kernel, options);
          const long double err = testing::max_abs_error(result, ref.values);
          CHECK(err <= tol);
          const double bound = fftconv::error_bound(image.view(), kernel.view(), options, op);
          CHECK(err <= bound);
          CHECK(fftconv::compare(result.view(), lib_ref.view()).max_abs <= bound);
        }
      }
}

}  // namespace

TEST_CASE_TEMPLATE("every axis of rank 4 and 5 images: every method, mode, rule and operation", T,
                   float, double) {
  std::mt19937_64 rng(41);
  SUBCASE("rank 4") {
    check_every_way(testing::normal<T>({4, 3, 5, 6}, rng), testing::normal<T>({3, 2, 2, 3}, rng));
  }
  SUBCASE("rank 5, a kernel longer than the image along an outer axis") {
    check_every_way(testing::normal<T>({2, 3, 2, 4, 5}, rng),
                    testing::normal<T>({3, 2, 1, 3, 2}, rng));
  }
}

TEST_CASE("ranks 6 to 8 along every axis, and float computed in double") {
  std::mt19937_64 rng(42);
  for (const auto& shapes :
       std::vector<std::pair<Shape, Shape>>{{{2, 3, 2, 2, 3, 4}, {2, 2, 1, 2, 2, 3}},
                                            {{2, 2, 2, 1, 2, 3, 3}, {2, 1, 2, 1, 2, 2, 2}},
                                            {{2, 2, 2, 2, 2, 2, 3, 3}, {2, 1, 2, 1, 2, 1, 2, 2}}}) {
    const Shape& image_shape = shapes.first;
    CAPTURE(fftconv::to_string(image_shape));
    const Array<double> image = testing::normal<double>(image_shape, rng);
    const Array<double> kernel = testing::normal<double>(shapes.second, rng);
    for (Boundary rule : {Boundary::reflect, Boundary::wrap, Boundary::constant}) {
      CAPTURE(testing::name(rule));
      Options options;
      options.mode = Mode::full;
      options.boundary = rule;
      options.fill_value = -0.5;
      const testing::Reference ref =
          testing::reference(image, kernel, Mode::full, false, rule, options.fill_value);
      const Array<double> result = testing::apply(Op::convolve, image, kernel, options);
      const long double err = testing::max_abs_error(result, ref.values);
      CHECK(err <= testing::tolerance<double>(image.shape, kernel.shape, ref.abs_sum_max));
      CHECK(err <= fftconv::error_bound(image.view(), kernel.view(), options));
    }
  }
  // float data computed in double: the terms in double, the sum rounded to float once, so the
  // result is the reference rounded to float plus double-precision noise: within
  // u_float * |ref| + 64 eps_double S (the float rounding, and the double FFT's error as above).
  const Array<float> image = testing::normal<float>({3, 4, 5, 6}, rng);
  const Array<float> kernel = testing::normal<float>({2, 3, 3, 2}, rng);
  Options options;
  options.compute_precision = fftconv::Precision::double_precision;
  options.boundary = Boundary::mirror;
  const testing::Reference ref =
      testing::reference(image, kernel, Mode::same, false, Boundary::mirror);
  const Array<float> result = testing::apply(Op::convolve, image, kernel, options);
  const long double noise = testing::tolerance<double>(image.shape, kernel.shape, ref.abs_sum_max);
  for (std::size_t i = 0; i < result.size(); ++i) {
    const long double r = ref.values.values[i];
    CHECK(std::fabs(result.values[i] - r) <=
          std::fabs(r) * std::numeric_limits<float>::epsilon() / 2 + noise);
  }
  CHECK(testing::max_abs_error(result, ref.values) <=
        fftconv::error_bound(image.view(), kernel.view(), options));
}

TEST_CASE("batch axes with 4 convolved axes: the loop over frames bit for bit, and a Filter") {
  std::mt19937_64 rng(43);
  const Array<double> stack = testing::normal<double>({3, 4, 3, 5, 6}, rng);
  const Array<double> kernel = testing::normal<double>({3, 2, 3, 2}, rng);
  for (int threads : {1, 3}) {
    CAPTURE(threads);
    Options options;
    options.axes = {1, 2, 3, 4};
    options.boundary = Boundary::nearest;
    options.threads = threads;
    const Array<double> result = testing::apply(Op::correlate, stack, kernel, options);
    Options frame_options = options;
    frame_options.axes = {};
    const Shape frame_shape = {4, 3, 5, 6};
    const std::size_t frame_size = fftconv::element_count(frame_shape);
    const fftconv::Filter<double> filter(kernel.view(), frame_shape, Op::correlate, frame_options);
    Array<double> filtered(stack.shape);
    filter.apply(stack.view(), filtered.view());
    CHECK(std::memcmp(filtered.values.data(), result.values.data(),
                      result.size() * sizeof(double)) == 0);
    for (std::size_t f = 0; f < 3; ++f) {
      Array<double> frame(frame_shape), out(frame_shape);
      std::copy_n(stack.values.begin() + static_cast<std::ptrdiff_t>(f * frame_size), frame_size,
                  frame.values.begin());
      fftconv::correlate(frame.view(), kernel.view(), out.view(), frame_options);
      CHECK(std::equal(out.values.begin(), out.values.end(),
                       result.values.begin() + static_cast<std::ptrdiff_t>(f * frame_size)));
    }
  }
}

TEST_CASE("along 4 axes: in place, nonnegative, a kernel normalized as a whole, complex data") {
  std::mt19937_64 rng(44);
  const Array<double> image = testing::normal<double>({3, 4, 5, 6}, rng);
  const Array<double> kernel = testing::uniform<double>({3, 2, 3, 2}, rng, 0.1, 1);
  Options options;
  options.boundary = Boundary::reflect;
  const Array<double> plain = testing::apply(Op::convolve, image, kernel, options);

  SUBCASE("in place equals out of place, bit for bit") {
    Array<double> buffer = image;
    fftconv::convolve(buffer.view(), kernel.view(), buffer.view(), options);
    CHECK(buffer.values == plain.values);
  }
  SUBCASE("nonnegative clamps the sum, not its terms") {
    options.nonnegative = true;
    const Array<double> clamped = testing::apply(Op::convolve, image, kernel, options);
    for (std::size_t i = 0; i < plain.size(); ++i)
      CHECK(clamped.values[i] == std::max(plain.values[i], 0.0));
  }
  SUBCASE("normalize_kernel divides by the sum over all four axes") {
    long double sum = 0;
    for (double k : kernel.values)
      sum += k;
    Array<double> normalized = kernel;
    for (double& k : normalized.values)
      k = static_cast<double>(k / sum);
    const testing::Reference ref =
        testing::reference(image, normalized, Mode::same, false, Boundary::reflect);
    options.normalize_kernel = true;
    const Array<double> result = testing::apply(Op::convolve, image, kernel, options);
    // (the normalized kernel's own rounding: a relative eps_double per tap, within tolerance)
    const long double tol = testing::tolerance<double>(image.shape, kernel.shape, ref.abs_sum_max);
    CHECK(testing::max_abs_error(result, ref.values) <= tol);
    CHECK(testing::max_abs_error(testing::apply(Op::convolve, image, kernel, options, true),
                                 ref.values) <= tol);
    CHECK(testing::max_abs_error(result, ref.values) <=
          fftconv::error_bound(image.view(), kernel.view(), options));
  }
  SUBCASE("complex data: the library's reference, error_bound and conj(flip(g))") {
    using C = std::complex<double>;
    std::normal_distribution<double> d;
    std::vector<C> ci(image.size()), ck(kernel.size()), flipped(kernel.size());
    for (C& v : ci)
      v = {d(rng), d(rng)};
    for (C& v : ck)
      v = {d(rng), d(rng)};
    // conj(flip(g)): every axis reversed, the C-order index reversed
    for (std::size_t i = 0; i < ck.size(); ++i)
      flipped[ck.size() - 1 - i] = std::conj(ck[i]);
    const ConstView<C> iv(ci.data(), image.shape), kv(ck.data(), kernel.shape),
        fv(flipped.data(), kernel.shape);
    std::vector<C> out(image.size()), ref(image.size()), via_flip(image.size());
    const View<C> ov(out.data(), image.shape), rv(ref.data(), image.shape),
        pv(via_flip.data(), image.shape);
    fftconv::correlate(iv, kv, ov, options);
    fftconv::reference_correlate(iv, kv, rv, options);
    fftconv::reference_convolve(iv, fv, pv, options);
    CHECK(ref == via_flip);  // (both correctly rounded from the same exact values)
    const double bound = fftconv::error_bound(iv, kv, options, Op::correlate);
    CHECK(fftconv::compare(ConstView<C>(out.data(), image.shape), ConstView<C>(rv)).max_abs <=
          bound);
  }
}

TEST_CASE("along 4 axes: refusals write nothing") {
  std::vector<double> image(3 * 4 * 5 * 6, 1.0), kernel(3 * 2 * 3 * 2, 1.0);
  std::vector<double> out(image.size(), -7.0);
  const ConstView<double> iv(image.data(), {3, 4, 5, 6}), kv(kernel.data(), {3, 2, 3, 2});
  const View<double> ov(out.data(), {3, 4, 5, 6});
  Options options;
  options.max_memory_bytes = 4096;  // below one slab pipeline's buffers
  try {
    fftconv::convolve(iv, kv, ov, options);
    FAIL("no exception");
  } catch (const fftconv::Error& e) {
    CHECK(e.code() == fftconv::ErrorCode::out_of_memory);
    CHECK(std::string(e.what()).find("max_memory_bytes") != std::string::npos);
  }
  options = Options();
  options.nan_policy = fftconv::NanPolicy::interpolate;
  CHECK_THROWS_AS(fftconv::convolve(iv, kv, ov, options), fftconv::Error);
  CHECK(std::all_of(out.begin(), out.end(), [](double v) { return v == -7.0; }));
}

TEST_CASE("along 4 axes: linearity and shift (along an outer axis and an inner one)") {
  std::mt19937_64 rng(45);
  // Content in the low corner, zeros around it, so a shift by (2, 0, 1, 3) loses nothing.
  Array<double> image({6, 4, 5, 7}), shifted({6, 4, 5, 7});
  const Array<double> corner = testing::normal<double>({4, 4, 4, 4}, rng);
  for (std::size_t l = 0; l < corner.size(); ++l) {
    const testing::Index i = testing::unravel(l, corner.shape);
    image.values[image.index(i)] = corner.values[l];
    shifted.values[shifted.index({i[0] + 2, i[1], i[2] + 1, i[3] + 3})] = corner.values[l];
  }
  const Array<double> other = testing::normal<double>(image.shape, rng);
  const Array<double> kernel = testing::normal<double>({3, 2, 2, 3}, rng);
  const double alpha = 0.75, beta = -1.5;
  Array<double> mix(image.shape);
  for (std::size_t i = 0; i < mix.size(); ++i)
    mix.values[i] = alpha * image.values[i] + beta * other.values[i];
  Options options;
  options.mode = Mode::full;
  for (Op op : {Op::convolve, Op::correlate}) {
    CAPTURE(testing::name(op));
    const Array<double> a = testing::apply(op, image, kernel, options);
    const Array<double> b = testing::apply(op, other, kernel, options);
    const Array<double> m = testing::apply(op, mix, kernel, options);
    const Array<double> s = testing::apply(op, shifted, kernel, options);
    // As tests/accuracy/test_properties.cpp: each side within its reference tolerance of the same
    // exact value; linearity scales the sums of |terms| by |alpha| + |beta| = 2.25.
    const bool corr = op == Op::correlate;
    const long double t = std::max(testing::reference(image, kernel, Mode::full, corr).abs_sum_max,
                                   testing::reference(other, kernel, Mode::full, corr).abs_sum_max);
    const long double tol = testing::tolerance<double>(image.shape, kernel.shape, t);
    for (std::size_t i = 0; i < a.size(); ++i)
      CHECK(std::fabs(m.values[i] - (alpha * static_cast<long double>(a.values[i]) +
                                     beta * static_cast<long double>(b.values[i]))) <=
            2.25L * 2 * 2 * tol);
    for (std::size_t l = 0; l < a.size(); ++l) {
      const testing::Index i = testing::unravel(l, a.shape);
      if (i[0] + 2 >= a.shape[0] || i[2] + 1 >= a.shape[2] || i[3] + 3 >= a.shape[3]) continue;
      CHECK(std::fabs(a.values[l] - s.values[s.index({i[0] + 2, i[1], i[2] + 1, i[3] + 3})]) <=
            2 * tol);
    }
  }
}

TEST_CASE("along 4 axes, valid mode with an empty outer axis: nothing to do, no division by 0") {
  // (found by fuzz_c_api: the slabs to compute, frames x outer positions, were 0 and the threads
  // per slab divided by them)
  std::vector<double> image(2 * 3 * 4 * 5, 1.0), kernel(3 * 2 * 2 * 2, 1.0);
  const ConstView<double> iv(image.data(), {2, 3, 4, 5}), kv(kernel.data(), {3, 2, 2, 2});
  Options options;
  options.mode = Mode::valid;
  options.threads = 2;
  const Shape out_shape = fftconv::output_shape(iv.shape(), kv.shape(), options);
  CHECK(out_shape == Shape{0, 2, 3, 4});
  std::vector<double> out(1);
  CHECK_NOTHROW(fftconv::convolve(iv, kv, View<double>(out.data(), out_shape), options));
  CHECK(fftconv::error_bound(iv, kv, options) == 0);
  CHECK_NOTHROW((void)fftconv::chosen_method(kv, iv.shape(), options));
  CHECK_NOTHROW(fftconv::Filter<double>(kv, iv.shape(), Op::convolve, options));
}
