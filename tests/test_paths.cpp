// Both paths against the long double reference over randomized problems: ranks 1-3; odd, even
// and prime lengths; 1-length kernels and kernels longer than the image; every mode; convolution
// and correlation; float and double; C-order, column-major, strided and reversed layouts.
#include <doctest/doctest.h>

#include <algorithm>
#include <cmath>
#include <cstdlib>
#include <random>
#include <string>
#include <vector>
#ifdef __linux__
#include <sched.h>
#include <sys/wait.h>
#include <unistd.h>
#endif

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

TEST_CASE_TEMPLATE("chosen_method is the method a Filter and a one-shot call run", T, float,
                   double) {
  std::mt19937_64 rng(808);
  bool saw_direct = false, saw_fft = false;  // the sweep crosses the crossover
  for (std::size_t n : {std::size_t{40}, std::size_t{300}})
    for (std::size_t k : {std::size_t{3}, std::size_t{9}, std::size_t{31}, std::size_t{65}}) {
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

TEST_CASE("to_string names each method as the enumeration writes it") {
  CHECK(std::string(fftconv::to_string(Method::automatic)) == "automatic");
  CHECK(std::string(fftconv::to_string(Method::direct)) == "direct");
  CHECK(std::string(fftconv::to_string(Method::fft)) == "fft");
  CHECK(std::string(fftconv::to_string(Method::separable)) == "separable");
  CHECK(std::string(fftconv::to_string(Method::overlap_save)) == "overlap_save");
  CHECK(std::string(fftconv::to_string(static_cast<Method>(99))) == "unknown");
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

namespace {

// A separable kernel of `terms` terms: the sum of the products of a column factor (every axis
// but the last) and a row factor (the last axis), some factor values zero, rounded.
template <class T>
Array<T> low_rank(const fftconv::Shape& shape, std::size_t terms, std::mt19937_64& rng) {
  const std::size_t width = shape[shape.rank() - 1];
  const std::size_t rows = fftconv::element_count(shape) / width;
  std::normal_distribution<double> g;
  std::vector<double> sum(rows * width, 0.0);
  for (std::size_t t = 0; t < terms; ++t) {
    std::vector<double> column(rows), row(width);
    for (double& c : column)
      c = rng() % 5 == 0 ? 0 : g(rng);
    for (double& r : row)
      r = rng() % 5 == 0 ? 0 : g(rng);
    column[rows / 2] = 1;  // never all zero
    row[width / 2] = 1;
    for (std::size_t r = 0; r < rows; ++r)
      for (std::size_t c = 0; c < width; ++c)
        sum[r * width + c] += column[r] * row[c];
  }
  Array<T> kernel(shape);
  for (std::size_t i = 0; i < rows * width; ++i)
    kernel.values[i] = static_cast<T>(sum[i]);
  return kernel;
}

// The most terms Method::separable runs a kernel of this shape as (Method::separable's
// contract: r (rows + width) at most 256 taps per output and below rows x width).
std::size_t most_terms(const fftconv::Shape& shape) {
  const std::size_t width = shape[shape.rank() - 1];
  const std::size_t rows = fftconv::element_count(shape) / width;
  return std::max<std::size_t>(1,
                               std::min(256 / (rows + width), (rows * width - 1) / (rows + width)));
}

}  // namespace

TEST_CASE_TEMPLATE("separable kernels: the passes of 1 to 3 terms match the long double reference",
                   T, float, double) {
  std::mt19937_64 rng(909);
  const fftconv::Boundary rules[] = {fftconv::Boundary::zero,    fftconv::Boundary::constant,
                                     fftconv::Boundary::reflect, fftconv::Boundary::mirror,
                                     fftconv::Boundary::nearest, fftconv::Boundary::wrap};
  for (int c = 0; c < 24; ++c) {
    const int rank = c % 3 == 2 ? 3 : 2;
    fftconv::Shape image_shape = random_shape(rank, rng), kernel_shape = random_shape(rank, rng);
    kernel_shape[rank - 1] = std::max<std::size_t>(kernel_shape[rank - 1], 2);  // (else not
    kernel_shape[rank - 2] = std::max<std::size_t>(kernel_shape[rank - 2], 2);  //  separable)
    if (c % 4 == 0) image_shape[rank - 1] = 150;  // rows wide enough for every vector chunk
    const Array<T> image = uniform<T>(image_shape, rng, -1, 1);
    const std::size_t terms =
        std::min(static_cast<std::size_t>(1 + c % 3), most_terms(kernel_shape));
    CAPTURE(terms);
    const Array<T> kernel = low_rank<T>(kernel_shape, terms, rng);
    const fftconv::Boundary rule = rules[static_cast<std::size_t>(c) % 6];
    const Layout layout = all_layouts[static_cast<std::size_t>(c / 6) % all_layouts.size()];
    for (Op op : {Op::convolve, Op::correlate})
      for (Mode mode : {Mode::full, Mode::same, Mode::valid}) {
        const Reference ref = reference(image, kernel, mode, op == Op::correlate, rule, 0.625);
        fftconv::Options options;
        options.mode = mode;
        options.method = Method::separable;
        options.boundary = rule;
        options.fill_value = 0.625;
        check_against(ref, op, image, kernel, options, layout, layout, layout);
        options.threads = 3;  // bands split over threads: the same values
        check_against(ref, op, image, kernel, options, layout);
      }
  }
}

TEST_CASE_TEMPLATE("separable: refused for a kernel that is not, chosen for a large blur", T, float,
                   double) {
  std::mt19937_64 rng(910);
  const Array<T> random = normal<T>({5, 5}, rng);
  fftconv::Options o;
  o.method = Method::separable;
  const Array<T> image = uniform<T>({20, 20}, rng);
  try {
    (void)call(Op::convolve, image, random, o);
    FAIL("a kernel that is not separable was accepted");
  } catch (const fftconv::Error& e) {
    CHECK(e.code() == fftconv::ErrorCode::invalid_argument);
    CHECK(std::string(e.what()).find("kernel (shape 5x5) is not separable") != std::string::npos);
  }
  CHECK_THROWS_AS(fftconv::chosen_method(random.view(), {20, 20}, o), fftconv::Error);
  // One value of a product off by far more than rounding: two terms (the product, and the one
  // value), within the 3 a 6 x 7 kernel may have; four values off in different rows and columns
  // need five, and are refused.
  Array<T> almost = low_rank<T>({6, 7}, 1, rng);
  almost.values[8] = almost.values[8] * T(1.001) + T(0.001);
  CHECK(fftconv::chosen_method(almost.view(), {20, 20}, o) == Method::separable);
  check_against(reference(image, almost, Mode::same, false), Op::convolve, image, almost, o);
  for (std::size_t i : {std::size_t{15}, std::size_t{23}, std::size_t{31}})
    almost.values[i] = almost.values[i] * T(1.001) + T(0.001);
  CHECK_THROWS_AS(fftconv::chosen_method(almost.view(), {20, 20}, o), fftconv::Error);
  // A 31 x 31 Gaussian on a 512 x 512 image: two passes of 31 taps beat 961 taps and the FFT.
  Array<T> gauss({31, 31});
  for (std::size_t i = 0; i < 31; ++i)
    for (std::size_t j = 0; j < 31; ++j) {
      const double x = static_cast<double>(i) - 15, y = static_cast<double>(j) - 15;
      gauss.values[i * 31 + j] = static_cast<T>(std::exp(-(x * x + y * y) / 50));
    }
  CHECK(fftconv::chosen_method(gauss.view(), {512, 512}) == Method::separable);
  // A difference of Gaussians, evaluated value by value (a band-pass filter): two terms, and on
  // a 1024 x 1024 image their four passes of 15 taps beat 225 taps and the FFT.
  Array<T> dog({15, 15});
  for (std::size_t i = 0; i < 15; ++i)
    for (std::size_t j = 0; j < 15; ++j) {
      const double r2 = (static_cast<double>(i) - 7) * (static_cast<double>(i) - 7) +
                        (static_cast<double>(j) - 7) * (static_cast<double>(j) - 7);
      dog.values[i * 15 + j] =
          static_cast<T>(std::exp(-r2 / 12.5) / 6.25 - std::exp(-r2 / 28) / 14);
    }
  CHECK(fftconv::chosen_method(dog.view(), {1024, 1024}) == Method::separable);
  check_against(reference(image, dog, Mode::same, false), Op::convolve, image, dog, o);
}

// Overlap-save's memory is a tile's working set per thread (plus, counted but made only for an
// in-place call, a copy of the image), not the padded image's: a limit the whole-image fft
// cannot meet still lets it run. Tiles split across threads give the same values.
TEST_CASE_TEMPLATE("overlap-save: many tiles in bounded memory, any thread count", T, float,
                   double) {
  std::mt19937_64 rng(911);
  const std::size_t n = 1 << 18, k = 31;
  const Array<T> image = uniform<T>({n}, rng, -1, 1);
  const Array<T> kernel = normal<T>({k}, rng);
  fftconv::Options o;
  // the image's copy, the index map (8 bytes per position of this long axis), a quarter image
  // more; the fft needs a spectrum and a work array of about the image's size each, and the map
  o.max_memory_bytes = n * sizeof(T) + n * 8 + (n * sizeof(T)) / 4;
  o.method = Method::fft;
  CHECK_THROWS_AS(call(Op::convolve, image, kernel, o), fftconv::Error);
  o.method = Method::overlap_save;
  const Reference ref = reference(image, kernel, Mode::same, false);
  check_against(ref, Op::convolve, image, kernel, o);
  o.threads = 3;
  const Array<T> one =
      call(Op::convolve, image, kernel, fftconv::Options{Mode::same, Method::overlap_save});
  CHECK(call(Op::convolve, image, kernel, o).values == one.values);
  // 2-D with partial tiles on both axes and a rule
  const Array<T> image2 = uniform<T>({300, 170}, rng, -1, 1);
  const Array<T> kernel2 = normal<T>({9, 12}, rng);
  for (Mode mode : {Mode::full, Mode::same, Mode::valid}) {
    fftconv::Options o2;
    o2.mode = mode;
    o2.method = Method::overlap_save;
    o2.boundary = fftconv::Boundary::reflect;
    const Reference ref2 = reference(image2, kernel2, mode, true, fftconv::Boundary::reflect, 0);
    check_against(ref2, Op::correlate, image2, kernel2, o2, Layout::strided_block);
  }
}

namespace {
// The working memory a one-shot call of `method` on `threads` threads needs, read from the
// refusal chosen_method gives under a 1-byte limit ("... method needs N bytes ...").
template <class T>
double working_bytes(const std::vector<T>& kernel, const fftconv::Shape& kernel_shape,
                     const fftconv::Shape& image_shape, Method method, int threads) {
  fftconv::Options o;
  o.method = method;
  o.threads = threads;
  o.max_memory_bytes = 1;
  try {
    (void)fftconv::chosen_method(fftconv::ConstView<T>(kernel.data(), kernel_shape), image_shape,
                                 o);
  } catch (const fftconv::Error& e) {
    const std::string m = e.what();
    const std::size_t at = m.find("needs ") + 6;
    return std::stod(m.substr(at, m.find(' ', at) - at));
  }
  return 0.0;
}
}  // namespace

// The fft path's row transforms run on at most one thread per row: a 1-D problem (one row) on 8
// threads needs scratch for the outer pass per thread, not a row per thread (2^20 floats).
TEST_CASE("fft memory: threads beyond the rows add no row scratch") {
  const std::size_t n = std::size_t{1} << 20;
  const std::vector<float> kernel(31, 1.0f);
  const auto needed = [&](int threads) {
    return working_bytes(kernel, {31}, {n}, Method::fft, threads);
  };
  const double one = needed(1), eight = needed(8);
  CHECK(one > static_cast<double>(n * sizeof(float)));
  CHECK(eight - one < static_cast<double>(n * sizeof(float)));  // (7 rows would be 28 MiB)
}

// Options::threads beyond the threads this process can run is clamped to them (issue 17: a million
// threads took GBs, scratch being sized per requested thread): such a call needs the working
// memory of threads = 0 (that count, by the documented rule), so it runs under a limit that
// count fits, with the same values. (Not std::thread::hardware_concurrency: the cap is the
// affinity mask and CPU quota, which may be fewer.)
TEST_CASE("threads: a million requested cost the memory of threads = 0, the usable count") {
  std::mt19937_64 rng(1701);
  const Array<float> image = uniform<float>({512, 512}, rng, -1, 1);
  const Array<float> kernel = normal<float>({31, 31}, rng);
  for (Method method : {Method::fft, Method::direct, Method::overlap_save}) {
    CAPTURE(fftconv::to_string(method));
    const double at_hardware = working_bytes(kernel.values, kernel.shape, image.shape, method, 0);
    CHECK(working_bytes(kernel.values, kernel.shape, image.shape, method, 1000000) == at_hardware);
    fftconv::Options o;
    o.method = method;
    o.threads = 0;
    const Array<float> expected = call(Op::convolve, image, kernel, o);
    o.threads = 1000000;
    o.max_memory_bytes = static_cast<std::size_t>(at_hardware);
    CHECK(call(Op::convolve, image, kernel, o).values == expected.values);
  }
}

#ifdef __linux__
// The cap is the CPUs this process may run on, not the machine's (issue 17: a container limited
// to one CPU, or taskset, still sized scratch for every CPU of the host): in a child bound to one
// CPU, threads = 0 and threads = 1000000 need the working memory of one thread.
TEST_CASE("threads: capped at the CPUs of the affinity mask") {
  cpu_set_t mine;
  CPU_ZERO(&mine);
  REQUIRE(sched_getaffinity(0, sizeof mine, &mine) == 0);
  std::mt19937_64 rng(1702);
  const Array<float> image = uniform<float>({512, 512}, rng, -1, 1);
  const Array<float> kernel = normal<float>({31, 31}, rng);
  const Method methods[] = {Method::fft, Method::direct, Method::overlap_save};
  const auto needed = [&](Method method, int threads) {
    return working_bytes(kernel.values, kernel.shape, image.shape, method, threads);
  };
  if (CPU_COUNT(&mine) >= 2) {
    for (Method method : methods) {  // (so that the child's equalities say something)
      CAPTURE(fftconv::to_string(method));
      CHECK(needed(method, 2) > needed(method, 1));
    }
  } else {
    MESSAGE("one CPU here: threads > 1 cannot be told from the cap");
  }
  int one = 0;
  while (!CPU_ISSET(one, &mine))
    ++one;
  const pid_t child = fork();
  REQUIRE(child >= 0);
  if (child == 0) {  // exit status: 0, or bit i + 1 for a method i whose memory grew
    cpu_set_t only;
    CPU_ZERO(&only);
    CPU_SET(one, &only);
    if (sched_setaffinity(0, sizeof only, &only) != 0) _exit(64);
    int failures = 0;
    for (int i = 0; i < 3; ++i)
      if (needed(methods[i], 0) != needed(methods[i], 1) ||
          needed(methods[i], 1000000) != needed(methods[i], 1))
        failures |= 2 << i;
    _exit(failures);
  }
  int status = 0;
  REQUIRE(waitpid(child, &status, 0) == child);
  REQUIRE(WIFEXITED(status));
  CHECK(WEXITSTATUS(status) == 0);
}
#endif

// ...and at the work there is: threads that would find nothing to do get no working memory
// (a small direct problem runs on one thread; a one-tile overlap-save on one).
TEST_CASE("threads: a small problem needs one thread's memory however many are requested") {
  const std::vector<double> kernel(25, 1.0);
  for (Method method : {Method::direct, Method::overlap_save, Method::fft}) {
    CAPTURE(fftconv::to_string(method));
    CHECK(working_bytes(kernel, {5, 5}, {16, 16}, method, 64) ==
          working_bytes(kernel, {5, 5}, {16, 16}, method, 1));
  }
}

// The first pass of a separable kernel sums a row of data times the row factor: the factors are
// balanced so that a tiny normalized kernel on huge values cannot overflow there.
TEST_CASE("separable: a normalized box on values near float's limit stays finite") {
  const std::size_t n = 64, k = 15;
  Array<float> image(fftconv::Shape{n, n}), box(fftconv::Shape{k, k});
  std::fill(image.values.begin(), image.values.end(), 1e37f);
  std::fill(box.values.begin(), box.values.end(), 1.0f / static_cast<float>(k * k));
  fftconv::Options o;
  o.method = Method::separable;
  const Array<float> out = call(Op::convolve, image, box, o);
  for (float v : out.values)
    REQUIRE(std::isfinite(v));
  CHECK(out.values[n * n / 2 + n / 2] == doctest::Approx(1e37).epsilon(1e-5));
  CHECK(std::isfinite(fftconv::error_bound(image.view(), box.view(), o)));
}

// chosen_method describes the one-shot call, also when max_memory_bytes decides: the automatic
// result is bit for bit the result of the method chosen_method names, forced.
TEST_CASE_TEMPLATE("chosen_method is what a one-shot call runs under memory limits", T, float,
                   double) {
  std::mt19937_64 rng(912);
  const Array<T> image = uniform<T>({300, 280}, rng);
  const Array<T> kernel = normal<T>({41, 37}, rng);
  for (double limit = 2e5; limit < 1e8; limit *= 1.6) {
    CAPTURE(limit);
    fftconv::Options o;
    o.max_memory_bytes = static_cast<std::size_t>(limit);
    Method chosen = Method::automatic;
    try {
      chosen = fftconv::chosen_method(kernel.view(), image.shape, o);
    } catch (const fftconv::Error&) {
      CHECK_THROWS_AS(call(Op::convolve, image, kernel, o), fftconv::Error);
      continue;
    }
    const Array<T> automatic = call(Op::convolve, image, kernel, o);
    o.method = chosen;
    CHECK(call(Op::convolve, image, kernel, o).values == automatic.values);
  }
}
