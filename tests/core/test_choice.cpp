// chosen_method: the method a Filter and a one-shot call run, also under memory limits.
#include <doctest/doctest.h>

#include <random>

#include "support/library_call.hpp"

using namespace testing;
using fftconv::Method;

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

// Review of the plan refactor: chosen_method used to run only the method choice, and so
// returned a method where the Filter constructor refused the kernel (nan_policy = interpolate
// needs a kernel with a positive sum). It documents that it throws as the constructor would.
TEST_CASE_TEMPLATE(
    "chosen_method refuses what the Filter constructor refuses: interpolate with "
    "a kernel summing to zero",
    T, float, double) {
  const T values[] = {T(1), T(-2), T(1)};
  const fftconv::ConstView<T> kernel(values, {3});
  fftconv::Options options;
  options.nan_policy = fftconv::NanPolicy::interpolate;
  const fftconv::Shape image{64};
  CHECK_THROWS_WITH_AS(fftconv::Filter<T>(kernel, image, fftconv::Operation::convolve, options),
                       doctest::Contains("positive sum"), fftconv::Error);
  CHECK_THROWS_WITH_AS(fftconv::chosen_method(kernel, image, options),
                       doctest::Contains("positive sum"), fftconv::Error);
  options.nan_policy = fftconv::NanPolicy::propagate;  // the same kernel is fine otherwise
  CHECK(fftconv::chosen_method(kernel, image, options) == Method::direct);
}
