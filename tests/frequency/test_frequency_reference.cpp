// Every frequency filter against the long double DFT reference (frequency/reference.hpp: numpy's
// ifftn(H * fftn(grid)).real written out naively): each function, every boundary rule with and
// without padding (wrap with padding too), ranks 1 to 3 with odd and even lengths, float and
// double, within frequency_tolerance.
#include <doctest/doctest.h>

#include <cmath>
#include <complex>
#include <random>
#include <string>
#include <vector>

#include "frequency/reference.hpp"
#include "support/library_call.hpp"

using namespace testing;
using fftconv::Boundary;
using fftconv::FrequencyOptions;

namespace {

const fftconv::Shape shapes[] = {{9}, {16}, {5, 7}, {6, 8}, {4, 5, 6}};

// wrap without padding (the circular default) and with; every other rule with padding, zero
// also without (then only rounded up to a fast length).
const FrequencyOptions option_sets[] = {
    frequency_options(Boundary::wrap, 0),           frequency_options(Boundary::wrap, 2),
    frequency_options(Boundary::zero, 0),           frequency_options(Boundary::zero, 3),
    frequency_options(Boundary::constant, 2, 0.75), frequency_options(Boundary::reflect, 3),
    frequency_options(Boundary::mirror, 3),         frequency_options(Boundary::nearest, 2)};

// For every shape and option set: run_case(grid, image, options, out) calls the library on
// `image` into `out` and returns the transfer function on the full grid that the reference
// applies; the result must be within frequency_tolerance of the reference.
template <class T, class Case>
void check_all(std::uint64_t seed, Case&& run_case) {
  std::mt19937_64 rng(seed);
  for (const fftconv::Shape& shape : shapes) {
    const Array<T> image = uniform<T>(shape, rng, -1, 1);
    for (const FrequencyOptions& o : option_sets) {
      const std::string name_of_case = case_name(shape, o);
      CAPTURE(name_of_case);
      const GridSpectrum g = grid_spectrum(image, o);
      Array<T> out(shape);
      const std::vector<cld> h = run_case(g, image, o, out);
      long double h_max = 0;
      const Array<long double> ref = filter_reference(g, h, &h_max);
      const long double err = max_abs_error(out, ref);
      const long double tol = frequency_tolerance<T>(g, h_max);
      CAPTURE(err);
      CAPTURE(tol);
      CHECK(err <= tol);
    }
  }
}

long double squared_norm_l(const long double* f, int rank) {
  long double sum = 0;
  for (int a = 0; a < rank; ++a)
    sum += f[a] * f[a];
  return sum;
}

long double butterworth_l(const long double* f, int rank, long double c, long double order) {
  return 1 / (1 + std::pow(squared_norm_l(f, rank) / (c * c), order));
}

// Transfer values with standard normal real and imaginary parts.
template <class T>
Array<std::complex<T>> random_complex(const fftconv::Shape& shape, std::mt19937_64& rng) {
  std::normal_distribution<double> normal(0, 1);
  Array<std::complex<T>> a(shape);
  for (std::complex<T>& v : a.values)
    v = std::complex<T>(static_cast<T>(normal(rng)), static_cast<T>(normal(rng)));
  return a;
}

// A transfer function that is neither real, even nor Hermitian, in any precision.
template <class R>
std::complex<R> test_transfer(const R* f, int rank) {
  const R first = f[0], last = f[rank - 1];
  return std::polar(R(1) + R(0.5) * first - last * last, R(0.7) * first - R(1.9) * last) +
         std::complex<R>(0, R(0.25) * std::sin(R(3) * first + last));
}

}  // namespace

TEST_CASE_TEMPLATE("butterworth matches the DFT reference", T, float, double) {
  struct Pass {
    bool high;
    double order;
  };
  for (const Pass pass : {Pass{false, 2}, Pass{true, 3.5}, Pass{false, 1}, Pass{true, 0}}) {
    CAPTURE(pass.high);
    CAPTURE(pass.order);
    const double c = 0.2;
    check_all<T>(2101, [&](const GridSpectrum& g, const Array<T>& image, const FrequencyOptions& o,
                           Array<T>& out) {
      fftconv::butterworth(image.view(), out.view(), c, pass.high, pass.order, o);
      return full_transfer(g.lengths, [&](const Index&, const long double* f) {
        const long double low = butterworth_l(f, g.lengths.rank(), c, pass.order);
        return cld(pass.high ? 1 - low : low);
      });
    });
  }
}

TEST_CASE_TEMPLATE("gaussian_lowpass matches the DFT reference", T, float, double) {
  const long double sigma = 0.15L;
  check_all<T>(2102, [&](const GridSpectrum& g, const Array<T>& image, const FrequencyOptions& o,
                         Array<T>& out) {
    fftconv::gaussian_lowpass(image.view(), out.view(), static_cast<double>(sigma), o);
    return full_transfer(g.lengths, [&](const Index&, const long double* f) {
      return cld(std::exp(-squared_norm_l(f, g.lengths.rank()) / (2 * sigma * sigma)));
    });
  });
}

TEST_CASE_TEMPLATE("band_pass matches the DFT reference", T, float, double) {
  const double low = 0.08, high = 0.3, order = 2;
  check_all<T>(2103, [&](const GridSpectrum& g, const Array<T>& image, const FrequencyOptions& o,
                         Array<T>& out) {
    fftconv::band_pass(image.view(), out.view(), low, high, order, o);
    return full_transfer(g.lengths, [&](const Index&, const long double* f) {
      const int r = g.lengths.rank();
      return cld(butterworth_l(f, r, high, order) - butterworth_l(f, r, low, order));
    });
  });
}

TEST_CASE_TEMPLATE("fourier_shift matches the DFT reference", T, float, double) {
  const double shifts[] = {1.3, -0.7, 2.25};
  check_all<T>(2104, [&](const GridSpectrum& g, const Array<T>& image, const FrequencyOptions& o,
                         Array<T>& out) {
    const std::vector<double> shift(shifts, shifts + image.shape.rank());
    fftconv::fourier_shift(image.view(), out.view(), shift, o);
    return full_transfer(g.lengths, [&](const Index&, const long double* f) {
      long double cycles = 0;
      for (std::size_t a = 0; a < shift.size(); ++a)
        cycles += f[a] * static_cast<long double>(shift[a]);
      return std::polar(1.0L, -2 * pi_l * cycles);
    });
  });
}

TEST_CASE_TEMPLATE("frequency_filter with a callable matches the DFT reference", T, float, double) {
  check_all<T>(2105, [&](const GridSpectrum& g, const Array<T>& image, const FrequencyOptions& o,
                         Array<T>& out) {
    fftconv::frequency_filter(image.view(), out.view(), &test_transfer<double>, o);
    return full_transfer(g.lengths, [&](const Index&, const long double* f) {
      return test_transfer<long double>(f, g.lengths.rank());
    });
  });
}

TEST_CASE_TEMPLATE("frequency_filter with a full-spectrum array matches the DFT reference", T,
                   float, double) {
  std::mt19937_64 rng(2106);
  check_all<T>(2107, [&](const GridSpectrum& g, const Array<T>& image, const FrequencyOptions& o,
                         Array<T>& out) {
    const Array<std::complex<T>> transfer = random_complex<T>(g.lengths, rng);
    fftconv::frequency_filter(image.view(), out.view(), transfer.view(), o);
    return full_transfer(g.lengths, [&](const Index& k, const long double*) {
      return cld(transfer.values[transfer.index(k)]);
    });
  });
}

TEST_CASE_TEMPLATE("frequency_filter with a half-spectrum array matches the DFT reference", T,
                   float, double) {
  // The half spectrum as numpy.fft.irfftn reads it: bins beyond it are the conjugates of their
  // mirror bins (-k modulo L), which lie inside it.
  std::mt19937_64 rng(2108);
  check_all<T>(2109, [&](const GridSpectrum& g, const Array<T>& image, const FrequencyOptions& o,
                         Array<T>& out) {
    const int r = g.lengths.rank();
    const std::size_t last_length = g.lengths[r - 1];
    fftconv::Shape half = g.lengths;
    half[r - 1] = last_length / 2 + 1;
    const Array<std::complex<T>> transfer = random_complex<T>(half, rng);
    fftconv::frequency_filter(image.view(), out.view(), transfer.view(), o);
    return full_transfer(g.lengths, [&](const Index& k, const long double*) {
      const auto last = static_cast<std::size_t>(r - 1);
      if (k[last] < half[r - 1]) return cld(transfer.values[transfer.index(k)]);
      Index mirror{};
      for (int a = 0; a < r; ++a) {
        const auto A = static_cast<std::size_t>(a);
        mirror[A] = (g.lengths[a] - k[A]) % g.lengths[a];
      }
      return std::conj(cld(transfer.values[transfer.index(mirror)]));
    });
  });
}
