// Options::origin: the same window shifted per axis, out[i] = full[i + (k - 1) / 2 + origin].
// Checked against the independent long double reference (whose window start is that formula),
// on every method, boundary rule, rank 1 to 4 and shift; by an impulse (the sign of the shift);
// through batch axes, Filter stacks, masked convolution and the C API; and the refusals.
#include <doctest/doctest.h>

#include <cmath>
#include <cstddef>
#include <memory>
#include <random>
#include <string>
#include <vector>

#include "fftconv/fftconv.h"
#include "fftconv/fftconv.hpp"
#include "support/library_call.hpp"
#include "support/reference.hpp"
#include "support/test_data.hpp"

using fftconv::Boundary;
using fftconv::ConstView;
using fftconv::Method;
using fftconv::Mode;
using fftconv::Offsets;
using fftconv::Options;
using fftconv::Shape;
using fftconv::View;
using testing::Array;
using testing::Op;

namespace {

constexpr Boundary all_rules[] = {Boundary::zero,   Boundary::constant, Boundary::reflect,
                                  Boundary::mirror, Boundary::nearest,  Boundary::wrap};

// Every origin the kernel allows along each axis ([-(k-1)/2, k/2]), as a list of Offsets.
std::vector<Offsets> all_origins(const Shape& kernel) {
  std::vector<Offsets> list{Offsets()};
  for (int a = 0; a < kernel.rank(); ++a) {
    std::vector<Offsets> longer;
    const auto k = static_cast<std::ptrdiff_t>(kernel[a]);
    for (const Offsets& o : list)
      for (std::ptrdiff_t s = -((k - 1) / 2); s <= k / 2; ++s) {
        Offsets e = o;
        e.push_back(s);
        longer.push_back(e);
      }
    list = longer;
  }
  return list;
}

std::string text(const Offsets& o) {
  std::string s;
  for (std::ptrdiff_t v : o)
    s += std::to_string(v) + " ";
  return s;
}

// The message of the fftconv::Error `call` throws ("" if none).
template <class Call>
std::string refusal(Call call) {
  try {
    call();
  } catch (const fftconv::Error& e) {
    return e.what();
  }
  return "";
}

template <class T>
void check_every_shift(std::mt19937_64& rng) {
  struct Case {
    Shape image, kernel;
  };
  // 1-D to 3-D, odd and even kernels, a kernel longer than the image (reflect and wrap then
  // repeat the image), lengths 1 among the axes.
  const Case cases[] = {
      {{17}, {6}}, {{4}, {9}}, {{9, 11}, {4, 3}}, {{5, 7, 6}, {3, 2, 4}}, {{1, 8}, {1, 5}}};
  for (const Case& c : cases) {
    const Array<T> image = testing::normal<T>(c.image, rng);
    const Array<T> kernel = testing::normal<T>(c.kernel, rng);
    for (const Offsets& origin : all_origins(c.kernel))
      for (Boundary rule : all_rules)
        for (Op op : {Op::convolve, Op::correlate}) {
          CAPTURE(text(origin));
          const testing::Reference ref = testing::reference(
              image, kernel, Mode::same, op == Op::correlate, rule, -0.5, origin);
          Options options;
          options.boundary = rule;
          options.fill_value = -0.5;
          options.origin = origin;
          for (Method method :
               {Method::direct, Method::fft, Method::overlap_save, Method::automatic}) {
            options.method = method;
            testing::check_against(ref, op, image, kernel, options);
          }
        }
  }
}

}  // namespace

TEST_CASE_TEMPLATE("Options::origin: every shift, method, boundary rule and rank 1 to 3", T, float,
                   double) {
  std::mt19937_64 rng(41);
  check_every_shift<T>(rng);
}

TEST_CASE("Options::origin on the separable path, rank 4 (the tap sum) and in error_bound") {
  std::mt19937_64 rng(43);
  // A separable kernel (an outer product): the separable method's two passes shift too.
  const Array<double> image = testing::normal<double>({12, 14}, rng);
  Array<double> kernel({5, 4});
  const double rows[5] = {0.5, 1, 2, 1, 0.25}, cols[4] = {1, -0.5, 0.75, 2};
  for (std::size_t i = 0; i < 5; ++i)
    for (std::size_t j = 0; j < 4; ++j)
      kernel.values[i * 4 + j] = rows[i] * cols[j];
  for (const Offsets& origin : all_origins(kernel.shape))
    for (Boundary rule : {Boundary::zero, Boundary::mirror, Boundary::wrap})
      for (Op op : {Op::convolve, Op::correlate}) {
        CAPTURE(text(origin));
        const testing::Reference ref =
            testing::reference(image, kernel, Mode::same, op == Op::correlate, rule, 0, origin);
        Options options;
        options.boundary = rule;
        options.origin = origin;
        options.method = Method::separable;
        testing::check_against(ref, op, image, kernel, options);
        // error_bound bounds the error of the shifted window on the FFT path.
        options.method = Method::fft;
        const Array<double> out = testing::apply(op, image, kernel, options);
        CHECK(static_cast<double>(testing::max_abs_error(out, ref.values)) <=
              fftconv::error_bound(image.view(), kernel.view(), options, op));
      }
  // Rank 4: the leading axis is a sum over the kernel's taps along it; its shift moves which
  // image slabs each output slab sums.
  const Array<double> image4 = testing::normal<double>({5, 4, 3, 6}, rng);
  const Array<double> kernel4 = testing::normal<double>({4, 2, 3, 2}, rng);
  for (const Offsets& origin :
       {Offsets{-1, 0, 1, 1}, Offsets{2, 1, -1, 0}, Offsets{1, 0, 0, 1}, Offsets{0, 0, 0, 0}})
    for (Boundary rule : {Boundary::zero, Boundary::reflect, Boundary::nearest})
      for (Op op : {Op::convolve, Op::correlate}) {
        CAPTURE(text(origin));
        const testing::Reference ref =
            testing::reference(image4, kernel4, Mode::same, op == Op::correlate, rule, 0, origin);
        Options options;
        options.boundary = rule;
        options.origin = origin;
        for (Method method : {Method::direct, Method::fft}) {
          options.method = method;
          testing::check_against(ref, op, image4, kernel4, options);
        }
      }
}

TEST_CASE("Options::origin's sign: an impulse at image pixel j lands at output j - origin") {
  // A delta image at j and a delta kernel at its centre tap (k - 1) / 2: the same result is the
  // image itself, and a shift o moves the impulse to j - o, for convolve and correlate (whose
  // flipped kernel has its delta at k / 2, so use an odd kernel where both centres agree).
  for (Method method : {Method::direct, Method::fft}) {
    for (Op op : {Op::convolve, Op::correlate}) {
      Array<double> image({11}), kernel({5});
      image.values[6] = 1;
      kernel.values[2] = 1;
      for (std::ptrdiff_t o = -2; o <= 2; ++o) {
        Options options;
        options.method = method;
        options.origin = Offsets{o};
        const Array<double> out = testing::apply(op, image, kernel, options);
        for (std::size_t i = 0; i < 11; ++i)
          CHECK(std::fabs(out.values[i] - (static_cast<std::ptrdiff_t>(i) == 6 - o ? 1 : 0)) <
                1e-15);  // (FFT rounding of a unit impulse: far below 1e-15)
      }
    }
  }
}

TEST_CASE("Options::origin with batch axes and Filter stacks: each frame shifted alike") {
  std::mt19937_64 rng(47);
  const Array<float> stack = testing::uniform<float>({3, 9, 10}, rng);
  const Array<float> kernel = testing::uniform<float>({4, 5}, rng);
  Options options;
  options.axes = fftconv::Axes{1, 2};
  options.origin = Offsets{0, 2, -2};
  options.boundary = Boundary::mirror;
  options.method = Method::fft;
  const Array<float> batched = testing::apply(Op::convolve, stack, kernel, options);
  Options frame_options = options;
  frame_options.axes = fftconv::Axes();
  frame_options.origin = Offsets{2, -2};
  fftconv::Filter<float> filter(kernel.view(), {9, 10}, Op::convolve, frame_options);
  Array<float> filtered(stack.shape);
  filter.apply(stack.view(), filtered.view());
  for (std::size_t f = 0; f < 3; ++f) {
    Array<float> frame({9, 10});
    for (std::size_t l = 0; l < 90; ++l)
      frame.values[l] = stack.values[f * 90 + l];
    const Array<float> one = testing::apply(Op::convolve, frame, kernel, frame_options);
    for (std::size_t l = 0; l < 90; ++l) {
      CHECK(batched.values[f * 90 + l] == one.values[l]);  // the same frame problem: bit for bit
      CHECK(filtered.values[f * 90 + l] == one.values[l]);
    }
  }
}

TEST_CASE("Options::origin in convolve_masked: preserve_nan puts NaN at output j - origin") {
  Array<double> image({9, 8});
  for (std::size_t l = 0; l < image.size(); ++l)
    image.values[l] = 1 + static_cast<double>(l % 7);
  image.values[4 * 8 + 3] = std::nan("");
  std::mt19937_64 rng(5);
  const Array<double> kernel = testing::uniform<double>({3, 4}, rng);
  Options options;
  options.nan_policy = fftconv::NanPolicy::interpolate;
  options.preserve_nan = true;
  options.origin = Offsets{1, -1};
  Array<double> values(image.shape);
  const std::unique_ptr<bool[]> none(new bool[image.size()]());  // no pixel masked
  fftconv::convolve_masked(image.view(), fftconv::ConstView<bool>(none.get(), image.shape),
                           kernel.view(), values.view(), View<double>(), options);
  for (std::size_t i = 0; i < 9; ++i)
    for (std::size_t j = 0; j < 8; ++j) {
      CAPTURE(i);
      CAPTURE(j);
      CHECK(std::isnan(values.values[i * 8 + j]) == (i == 4 - 1 && j == 3 + 1));
    }
}

TEST_CASE("Options::origin refusals name options.origin and the value") {
  const Array<double> image({6, 7}), kernel({4, 3});
  Array<double> out({6, 7});
  const auto run = [&](const Options& o) {
    return refusal([&] { fftconv::convolve(image.view(), kernel.view(), out.view(), o); });
  };
  Options o;
  o.origin = Offsets{-2, 0};  // below -(4 - 1) / 2 = -1
  CHECK(run(o).find("options.origin[0] is -2; with a kernel of length 4 along axis 0 it must be "
                    "in [-1, 2]") != std::string::npos);
  o.origin = Offsets{0, 2};  // above 3 / 2 = 1
  CHECK(run(o).find("options.origin[1] is 2") != std::string::npos);
  o.origin = Offsets{1};
  CHECK(run(o).find("options.origin {1} has 1 entries for a rank-2 image") != std::string::npos);
  o.origin = Offsets{1, 0};
  o.mode = Mode::full;
  Array<double> full({9, 9});
  CHECK(refusal([&] {
          fftconv::convolve(image.view(), kernel.view(), full.view(), o);
        }).find("only mode same takes an origin") != std::string::npos);
  o.mode = Mode::same;
  o.axes = fftconv::Axes{1};
  const Array<double> row_kernel({1, 3});
  CHECK(refusal([&] {
          fftconv::convolve(image.view(), row_kernel.view(), out.view(), o);
        }).find("shifts batch axis 0") != std::string::npos);
  // A zero origin is no origin: full and valid accept it, and output_shape ignores origins.
  o = Options();
  o.origin = Offsets{0, 0};
  o.mode = Mode::full;
  CHECK(run(o).find("origin") == std::string::npos);
  o.mode = Mode::same;
  o.origin = Offsets{2, 1};
  CHECK(fftconv::output_shape(image.shape, kernel.shape, o) == Shape{6, 7});
  CHECK(fftconv::fft_shape(image.shape, kernel.shape, o).rank() == 2);
  o.origin = Offsets{3, 1};
  CHECK(refusal([&] {
          fftconv::fft_shape(image.shape, kernel.shape, o);
        }).find("options.origin[0] is 3") != std::string::npos);
}

TEST_CASE("the C API's origin: the C++ result, and entries beyond the rank refused") {
  std::mt19937_64 rng(53);
  const Array<double> image = testing::normal<double>({7, 9}, rng);
  const Array<double> kernel = testing::normal<double>({4, 4}, rng);
  const std::size_t is[2] = {7, 9}, ks[2] = {4, 4};
  fftconv_options c;
  fftconv_options_default(&c);
  c.origin[0] = 2;
  c.origin[1] = -1;
  c.boundary = FFTCONV_BOUNDARY_REFLECT;
  std::vector<double> from_c(63, -7);
  REQUIRE(fftconv_correlate_f64(2, is, image.values.data(), ks, kernel.values.data(), from_c.data(),
                                &c) == FFTCONV_OK);
  Options o;
  o.origin = Offsets{2, -1};
  o.boundary = Boundary::reflect;
  const Array<double> from_cpp = testing::apply(Op::correlate, image, kernel, o);
  CHECK(from_c == from_cpp.values);
  c.origin[2] = 1;  // beyond the rank
  CHECK(fftconv_correlate_f64(2, is, image.values.data(), ks, kernel.values.data(), from_c.data(),
                              &c) == FFTCONV_INVALID_ARGUMENT);
  CHECK(std::string(fftconv_last_error()).find("options.origin[2] is 1 for rank-2 arrays") !=
        std::string::npos);
  // 0.4's layout (no origin field) reads as no shift.
  c.struct_size = offsetof(fftconv_options, origin);
  REQUIRE(fftconv_correlate_f64(2, is, image.values.data(), ks, kernel.values.data(), from_c.data(),
                                &c) == FFTCONV_OK);
  o.origin = Offsets();
  CHECK(from_c == testing::apply(Op::correlate, image, kernel, o).values);
}
