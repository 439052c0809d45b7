// Both paths against the long double reference over randomized problems: ranks 1-3; odd, even
// and prime lengths; 1-length kernels and kernels longer than the image; every mode; convolution
// and correlation; float and double; C-order, column-major, strided and reversed layouts.
#include <doctest/doctest.h>

#include <random>

#include "support/library_call.hpp"
#include "support/random_shapes.hpp"

using namespace testing;
using fftconv::Method;
using fftconv::Mode;

namespace {

template <class T>
void check_random_problems(int rank, int count, std::uint64_t seed) {
  std::mt19937_64 rng(seed);
  for (int c = 0; c < count; ++c) {
    const fftconv::Shape image_shape = random_shape(rank, rng);
    const fftconv::Shape kernel_shape = random_shape(rank, rng);
    const Array<T> image = uniform<T>(image_shape, rng, -1, 1);
    const Array<T> kernel = normal<T>(kernel_shape, rng);
    const Layout image_layout = all_layouts[static_cast<std::size_t>(c) % all_layouts.size()];
    const Layout kernel_layout = all_layouts[static_cast<std::size_t>(c / 2) % all_layouts.size()];
    const Layout out_layout = all_layouts[static_cast<std::size_t>(c / 3) % all_layouts.size()];
    for (Op op : {Op::convolve, Op::correlate})
      for (Mode mode : {Mode::full, Mode::same, Mode::valid}) {
        const Reference ref = reference(image, kernel, mode, op == Op::correlate);
        for (Method method :
             {Method::direct, Method::fft, Method::overlap_save, Method::automatic}) {
          fftconv::Options options;
          options.mode = mode;
          options.method = method;
          check_against(ref, op, image, kernel, options, image_layout, kernel_layout, out_layout);
        }
      }
  }
}

}  // namespace

TEST_CASE_TEMPLATE("1-D paths match the long double reference", T, float, double) {
  check_random_problems<T>(1, 60, 101);
}

TEST_CASE_TEMPLATE("2-D paths match the long double reference", T, float, double) {
  check_random_problems<T>(2, 40, 202);
}

TEST_CASE_TEMPLATE("3-D paths match the long double reference", T, float, double) {
  check_random_problems<T>(3, 12, 303);
}

// One fixed problem, every operation, mode and path, against the reference.
template <class T>
void check_problem(const fftconv::Shape& image_shape, const fftconv::Shape& kernel_shape,
                   std::mt19937_64& rng) {
  const Array<T> image = uniform<T>(image_shape, rng, -1, 1);
  const Array<T> kernel = normal<T>(kernel_shape, rng);
  for (Op op : {Op::convolve, Op::correlate})
    for (Mode mode : {Mode::full, Mode::same, Mode::valid}) {
      const Reference ref = reference(image, kernel, mode, op == Op::correlate);
      for (Method method : {Method::direct, Method::fft})
        check_against(ref, op, image, kernel, fftconv::Options{mode, method});
    }
}

TEST_CASE_TEMPLATE("kernels longer than the image, every mode", T, float, double) {
  std::mt19937_64 rng(404);
  check_problem<T>({3, 5}, {7, 9}, rng);
  check_problem<T>({4}, {11}, rng);
  CHECK(fftconv::output_shape({3, 5}, {7, 9}, Mode::valid) == fftconv::Shape{0, 0});
}

TEST_CASE_TEMPLATE("1x1, 1xk and kx1 kernels, and 1xN / Nx1 images", T, float, double) {
  std::mt19937_64 rng(505);
  const std::pair<fftconv::Shape, fftconv::Shape> problems[] = {
      {{17, 23}, {1, 1}}, {{17, 23}, {1, 6}}, {{17, 23}, {5, 1}}, {{1, 40}, {1, 7}},
      {{40, 1}, {7, 1}},  {{1, 40}, {3, 7}},  {{1}, {1}},         {{1, 1}, {1, 1}}};
  for (const auto& problem : problems)
    check_problem<T>(problem.first, problem.second, rng);
}
