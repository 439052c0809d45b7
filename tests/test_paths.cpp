// Both paths against the long double reference over randomized problems: ranks 1-3; odd, even
// and prime lengths; 1-length kernels and kernels longer than the image; every mode; convolution
// and correlation; float and double; C-order, column-major, strided and reversed layouts.
#include <doctest/doctest.h>

#include <cstdlib>
#include <random>
#include <string>

#include "library_call.hpp"

using namespace testing;
using fftconv::Method;
using fftconv::Mode;

namespace {

constexpr std::size_t lengths_1d[] = {1, 2, 3, 4, 5, 7, 8, 11, 13, 16, 17, 31, 32, 37, 64, 97};
constexpr std::size_t lengths_2d[] = {1, 2, 3, 4, 5, 7, 8, 11, 13, 16, 17, 23, 32};
constexpr std::size_t lengths_3d[] = {1, 2, 3, 4, 5, 7, 8, 9};

template <std::size_t N>
std::size_t pick(const std::size_t (&list)[N], std::mt19937_64& rng) {
  return list[std::uniform_int_distribution<std::size_t>(0, N - 1)(rng)];
}

fftconv::Shape random_shape(int rank, std::mt19937_64& rng) {
  fftconv::Shape s;
  for (int a = 0; a < rank; ++a)
    s.push_back(rank == 1   ? pick(lengths_1d, rng)
                : rank == 2 ? pick(lengths_2d, rng)
                            : pick(lengths_3d, rng));
  return s;
}

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
        for (Method method : {Method::direct, Method::fft, Method::automatic}) {
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

TEST_CASE_TEMPLATE("chosen_method is the method a Filter and a one-shot call run", T, float,
                   double) {
  std::mt19937_64 rng(808);
  bool saw_direct = false, saw_fft = false;  // the sweep crosses the crossover
  for (std::size_t n : {40, 300})
    for (std::size_t k : {3, 9, 31, 65}) {
      CAPTURE(n);
      CAPTURE(k);
      const Array<T> kernel = normal<T>({k, k}, rng);
      const fftconv::ConstView<T> view = kernel.view();
      const Method chosen = fftconv::chosen_method(view, {n, n});
      const fftconv::Filter<T> filter(view, {n, n}, fftconv::Operation::convolve);
      CHECK(chosen == filter.method());
      saw_direct = saw_direct || chosen == Method::direct;
      saw_fft = saw_fft || chosen == Method::fft;
      fftconv::Options forced;
      forced.method = chosen == Method::direct ? Method::fft : Method::direct;
      CHECK(fftconv::chosen_method(view, {n, n}, forced) == forced.method);
    }
  CHECK(saw_direct);
  CHECK(saw_fft);
  const Array<T> kernel = normal<T>({3, 3}, rng);
  fftconv::Options tight;
  tight.max_memory_bytes = 10;
  CHECK_THROWS_AS(fftconv::chosen_method(kernel.view(), {50, 50}, tight), fftconv::Error);
  CHECK_THROWS_AS(fftconv::chosen_method(kernel.view(), {50}), fftconv::Error);  // rank mismatch
}

// The direct path's inner loop exists per instruction set; tests/CMakeLists.txt runs the direct
// path's tests again under FFTCONV_SIMD=baseline and avx2, and this checks the cap took effect.
TEST_CASE("direct_simd names the instruction set the direct path runs") {
  const std::string level = fftconv::direct_simd();
  CHECK((level == "baseline" || level == "avx2" || level == "avx512"));
  const char* env = std::getenv("FFTCONV_SIMD");
  const std::string cap = env == nullptr ? "" : env;
  if (cap == "baseline") CHECK(level == "baseline");
#if defined(__x86_64__)
  __builtin_cpu_init();
  const bool avx2 = __builtin_cpu_supports("avx2") && __builtin_cpu_supports("fma");
  const bool avx512 = __builtin_cpu_supports("avx512f") && __builtin_cpu_supports("fma");
  if (cap == "avx2") CHECK(level == (avx2 ? "avx2" : "baseline"));
  if (cap.empty()) CHECK(level == (avx512 ? "avx512" : avx2 ? "avx2" : "baseline"));
#endif
}
