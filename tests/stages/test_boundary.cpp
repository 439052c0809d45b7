// Boundary rules on both paths against the reference (tests/support/reference.hpp builds the
// extended image by index arithmetic of its own), every rule, mode, rank, operation, odd and even
// kernels, kernels longer than the image; and the a b c d rows of the table in the README.
#include <doctest/doctest.h>

#include <random>
#include <vector>

#include "support/library_call.hpp"

using namespace testing;
using fftconv::Boundary;
using fftconv::Method;
using fftconv::Mode;

namespace {

constexpr Boundary all_rules[] = {Boundary::zero,   Boundary::constant, Boundary::reflect,
                                  Boundary::mirror, Boundary::nearest,  Boundary::wrap};

fftconv::Options options(Mode mode, Method method, Boundary rule) {
  fftconv::Options o;
  o.mode = mode;
  o.method = method;
  o.boundary = rule;
  o.fill_value = 0.625;
  return o;
}

template <class T>
void check_rules(const fftconv::Shape& image_shape, const fftconv::Shape& kernel_shape,
                 std::mt19937_64& rng) {
  const Array<T> image = uniform<T>(image_shape, rng, -1, 1);
  const Array<T> kernel = normal<T>(kernel_shape, rng);
  for (Boundary rule : all_rules)
    for (Op op : {Op::convolve, Op::correlate})
      for (Mode mode : {Mode::full, Mode::same, Mode::valid}) {
        const Reference ref = reference(image, kernel, mode, op == Op::correlate, rule, 0.625);
        for (Method method : {Method::direct, Method::fft, Method::overlap_save, Method::automatic})
          check_against(ref, op, image, kernel, options(mode, method, rule), Layout::strided_block,
                        Layout::reversed_axis0);
      }
}

}  // namespace

TEST_CASE_TEMPLATE("boundary rules, 1-D: odd and even kernels, kernels longer than the image", T,
                   float, double) {
  std::mt19937_64 rng(901);
  for (const auto& [n, k] : std::vector<std::pair<std::size_t, std::size_t>>{
           {16, 5}, {16, 4}, {7, 7}, {5, 12}, {3, 11}, {1, 4}, {2, 9}, {31, 1}})
    check_rules<T>({n}, {k}, rng);
}

TEST_CASE_TEMPLATE("boundary rules, 2-D", T, float, double) {
  std::mt19937_64 rng(902);
  check_rules<T>({9, 12}, {3, 4}, rng);
  check_rules<T>({6, 5}, {8, 3}, rng);   // longer than the image along axis 0
  check_rules<T>({4, 3}, {9, 10}, rng);  // longer along both: the rule repeats
  check_rules<T>({1, 7}, {1, 6}, rng);
}

TEST_CASE_TEMPLATE("boundary rules, 3-D", T, float, double) {
  std::mt19937_64 rng(903);
  check_rules<T>({5, 4, 6}, {2, 3, 3}, rng);
  check_rules<T>({3, 2, 4}, {4, 5, 2}, rng);
}

// The direct path computes a row's edges from a padded copy and its interior from the image in
// place, in chunks of up to 8 vectors of up to 64 bytes (128 floats), then single vectors, then
// 16-byte vectors, then scalars: widths around those steps, every rule and mode, contiguous and
// strided images (a strided row is copied whole), kernels with an empty row.
TEST_CASE_TEMPLATE("boundary rules, rows wide enough for every vector chunk of the direct path", T,
                   float, double) {
  std::mt19937_64 rng(515);
  for (const std::size_t width : std::vector<std::size_t>{127, 128, 129, 131, 150, 257, 300}) {
    CAPTURE(width);
    const Array<T> image = uniform<T>({6, width}, rng, -1, 1);
    Array<T> kernel = normal<T>({3, 5}, rng);
    for (std::size_t c = 0; c < 5; ++c)
      kernel.values[5 + c] = 0;  // the middle kernel row has no non-zero tap
    for (Boundary rule : all_rules)
      for (Op op : {Op::convolve, Op::correlate})
        for (Mode mode : {Mode::full, Mode::same, Mode::valid}) {
          const Reference ref = reference(image, kernel, mode, op == Op::correlate, rule, 0.625);
          for (Layout layout : {Layout::c_order, Layout::strided_block})
            check_against(ref, op, image, kernel, options(mode, Method::direct, rule), layout,
                          Layout::c_order, layout);
        }
  }
}

TEST_CASE("the a b c d rows: what each rule puts outside the image") {
  // Correlating with a delta at the kernel's first position reads the extension to the left of
  // the image, with a delta at its last position the extension to the right (full mode).
  const std::vector<double> image{1, 2, 3, 4};  // a b c d
  struct Row {
    Boundary rule;
    std::vector<double> left, right;  // 3 values each side
  };
  const double v = 9;  // fill value for constant
  const Row rows[] = {
      {Boundary::zero, {0, 0, 0}, {0, 0, 0}},    {Boundary::constant, {v, v, v}, {v, v, v}},
      {Boundary::reflect, {3, 2, 1}, {4, 3, 2}},  // c b a | a b c d | d c b
      {Boundary::mirror, {4, 3, 2}, {3, 2, 1}},   // d c b | a b c d | c b a
      {Boundary::nearest, {1, 1, 1}, {4, 4, 4}},  // a a a | a b c d | d d d
      {Boundary::wrap, {2, 3, 4}, {1, 2, 3}},     // b c d | a b c d | a b c
  };
  for (const Row& row : rows)
    for (Method method : {Method::direct, Method::fft}) {
      CAPTURE(name(row.rule));
      CAPTURE(name(method));
      fftconv::Options o;
      o.mode = Mode::full;
      o.method = method;
      o.boundary = row.rule;
      o.fill_value = v;
      std::vector<double> left(7), right(7);
      const std::vector<double> first{1, 0, 0, 0}, last{0, 0, 0, 1};
      fftconv::correlate(fftconv::ConstView<double>(image.data(), {4}),
                         fftconv::ConstView<double>(first.data(), {4}),
                         fftconv::View<double>(left.data(), {7}), o);
      fftconv::correlate(fftconv::ConstView<double>(image.data(), {4}),
                         fftconv::ConstView<double>(last.data(), {4}),
                         fftconv::View<double>(right.data(), {7}), o);
      // left = ext[-3 .. 3], right = ext[0 .. 6]
      for (std::size_t i = 0; i < 3; ++i) {
        CHECK(left[i] == doctest::Approx(row.left[i]).epsilon(1e-12));
        CHECK(right[4 + i] == doctest::Approx(row.right[i]).epsilon(1e-12));
      }
      for (std::size_t i = 0; i < 4; ++i) {
        CHECK(left[3 + i] == doctest::Approx(image[i]).epsilon(1e-12));
        CHECK(right[i] == doctest::Approx(image[i]).epsilon(1e-12));
      }
    }
}

TEST_CASE("wrap in same mode: circular at the image's own length when that is a fast size") {
  fftconv::Options wrap;
  wrap.boundary = Boundary::wrap;
  // 96 = 2^5 3 is a fast size: a transform of exactly 96, no padding at all.
  CHECK(fftconv::fft_shape({96}, {9}, wrap) == fftconv::Shape{96});
  // 97 is prime: FFTW's prime-size algorithms are slow, so the extended scheme pads instead,
  // to an FFT-friendly length at or above out + k - 1 = 105 (at most 1.25 times that).
  const std::size_t padded = fftconv::fft_shape({97}, {9}, wrap)[0];
  CHECK(padded >= 105);
  CHECK(padded <= 131);
  CHECK(fftconv::next_fast_size(padded) == padded);
  for (const std::size_t n : {std::size_t{96}, std::size_t{97}}) {
    CAPTURE(n);
    std::vector<double> image(n, 0.0), kernel{1, 2, 3}, out(n);
    image[0] = 1;  // the impulse response wraps around: out[n-1] sees kernel[0]
    wrap.method = Method::fft;
    fftconv::convolve(fftconv::ConstView<double>(image.data(), {n}),
                      fftconv::ConstView<double>(kernel.data(), {3}),
                      fftconv::View<double>(out.data(), {n}), wrap);
    // same: out[j] = full[j + 1] = sum_m I[(j + 1 - m) mod n] g[m]: out[0] = g[1],
    // out[1] = g[2], out[n - 1] = g[0].
    CHECK(out[0] == doctest::Approx(2));
    CHECK(out[1] == doctest::Approx(3));
    CHECK(out[n - 1] == doctest::Approx(1));
  }
}
