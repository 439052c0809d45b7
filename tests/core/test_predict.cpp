// predicted_seconds: the cost model the automatic choice minimizes, per method.
#include <doctest/doctest.h>

#include <cmath>
#include <limits>
#include <random>

#include "fftconv/predict.hpp"
#include "support/test_data.hpp"

using namespace testing;
using fftconv::Method;

TEST_CASE_TEMPLATE(
    "predicted_seconds: automatic is the cheapest method, the one chosen_method picks", T, float,
    double) {
  std::mt19937_64 rng(4242);
  bool saw_direct = false, saw_fft = false;  // the sweep crosses the crossover
  for (std::size_t n : {std::size_t{40}, std::size_t{300}, std::size_t{1000}})
    for (std::size_t k : {std::size_t{3}, std::size_t{9}, std::size_t{31}, std::size_t{65}}) {
      CAPTURE(n);
      CAPTURE(k);
      const Array<T> kernel = normal<T>({k, k}, rng);
      const auto predicted = [&](Method m) {
        return fftconv::predicted_seconds(m, kernel.view(), {n, n});
      };
      const double automatic = predicted(Method::automatic);
      CHECK(automatic > 0);
      CHECK(std::isfinite(automatic));
      const Method chosen = fftconv::chosen_method(kernel.view(), {n, n});
      CHECK(automatic == predicted(chosen));
      for (Method m : {Method::direct, Method::fft, Method::overlap_save})
        CHECK(automatic <= predicted(m));
      // A random kernel is neither separable nor low-rank: a Filter refuses the method.
      CHECK(std::isinf(predicted(Method::separable)));
      saw_direct = saw_direct || chosen == Method::direct;
      saw_fft = saw_fft || chosen == Method::fft || chosen == Method::overlap_save;
    }
  CHECK(saw_direct);
  CHECK(saw_fft);
}

TEST_CASE("predicted_seconds: taps, separable kernels, precision and refusals") {
  // The direct sum costs per non-zero tap: zeroing half the taps lowers its prediction, not the
  // fft's.
  std::mt19937_64 rng(17);
  Array<double> dense = uniform<double>({15, 15}, rng, 0.5, 1);
  Array<double> sparse = dense;
  for (std::size_t i = 0; i < sparse.values.size(); i += 2)
    sparse.values[i] = 0;
  const fftconv::Shape image{200, 300};
  CHECK(fftconv::predicted_seconds(Method::direct, sparse.view(), image) <
        fftconv::predicted_seconds(Method::direct, dense.view(), image));
  CHECK(fftconv::predicted_seconds(Method::fft, sparse.view(), image) ==
        fftconv::predicted_seconds(Method::fft, dense.view(), image));
  // A 31 x 31 Gaussian on 512 x 512: separable is priced, cheaper than direct, and chosen.
  Array<double> gauss({31, 31});
  for (std::size_t i = 0; i < 31; ++i)
    for (std::size_t j = 0; j < 31; ++j) {
      const double x = static_cast<double>(i) - 15, y = static_cast<double>(j) - 15;
      gauss.values[i * 31 + j] = std::exp(-(x * x + y * y) / 50);
    }
  const double separable = fftconv::predicted_seconds(Method::separable, gauss.view(), {512, 512});
  CHECK(std::isfinite(separable));
  CHECK(separable < fftconv::predicted_seconds(Method::direct, gauss.view(), {512, 512}));
  CHECK(fftconv::predicted_seconds(Method::automatic, gauss.view(), {512, 512}) == separable);
  // Float data computed in double is priced as double data.
  Array<float> gauss_f({31, 31});
  for (std::size_t i = 0; i < gauss.values.size(); ++i)
    gauss_f.values[i] = static_cast<float>(gauss.values[i]);
  fftconv::Options widened;
  widened.compute_precision = fftconv::Precision::double_precision;
  for (Method m : {Method::direct, Method::fft, Method::overlap_save}) {
    CAPTURE(std::string(fftconv::to_string(m)));
    CHECK(fftconv::predicted_seconds(m, gauss_f.view(), {512, 512}, widened) ==
          fftconv::predicted_seconds(m, gauss.view(), {512, 512}));
  }
  // Refused as chosen_method refuses: rank mismatch, an unknown method.
  CHECK_THROWS_AS(fftconv::predicted_seconds(Method::fft, gauss.view(), {512}), fftconv::Error);
  CHECK_THROWS_AS(fftconv::predicted_seconds(static_cast<Method>(17), gauss.view(), {512, 512}),
                  fftconv::Error);
}
