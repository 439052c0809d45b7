// Properties of the frequency filters that need no reference transform: an identity transfer
// returns the image, integer Fourier shifts are numpy.roll, a shift and its inverse cancel,
// Butterworth low + high pass is the image, band_pass is a difference of low-passes; and the
// calling conventions: out aliasing the image, strided and reversed views, Eigen objects, plan
// caching, threads and planning efforts, the transform grid's shape.
#include <doctest/doctest.h>

#include <Eigen/Core>
#include <algorithm>
#include <cmath>
#include <complex>
#include <cstring>
#include <random>
#include <string>
#include <vector>

#include "frequency/reference.hpp"
#include "support/library_call.hpp"

using namespace testing;
using fftconv::Boundary;
using fftconv::FrequencyOptions;

namespace {

long double max_abs(const std::vector<long double>& v) {
  long double m = 0;
  for (long double x : v)
    m = std::max(m, std::fabs(x));
  return m;
}

template <class T>
long double max_abs(const Array<T>& a) {
  return max_abs(std::vector<long double>(a.values.begin(), a.values.end()));
}

template <class T>
bool identical(const Array<T>& a, const Array<T>& b) {
  return a.shape == b.shape &&
         std::memcmp(a.values.data(), b.values.data(), a.size() * sizeof(T)) == 0;
}

// The tolerance of frequency/reference.hpp for a transfer of gain at most 1 on the grid of
// `options`, whose largest value is G:   16 * eps(T) * log2(2 N) * G   (N the grid's size).
template <class T>
long double unit_gain_tolerance(const fftconv::Shape& shape, const FrequencyOptions& options,
                                long double G) {
  const auto N = static_cast<long double>(
      fftconv::element_count(fftconv::frequency_grid_shape(shape, options)));
  return 16 * static_cast<long double>(std::numeric_limits<T>::epsilon()) * std::log2(2 * N) * G;
}

// The largest value of the grid (the image, or the fill value outside it).
template <class T>
long double grid_max(const Array<T>& image, const FrequencyOptions& o) {
  const long double fill = o.boundary == Boundary::constant ? std::fabs(o.fill_value) : 0;
  return std::max(max_abs(image), fill);
}

template <class T>
Array<T> butterworth_of(const Array<T>& image, double c, bool high, double order,
                        const FrequencyOptions& o = FrequencyOptions{}) {
  Array<T> out(image.shape);
  fftconv::butterworth(image.view(), out.view(), c, high, order, o);
  return out;
}

template <class T>
Array<T> shifted(const Array<T>& image, const std::vector<double>& shift,
                 const FrequencyOptions& o = FrequencyOptions{}) {
  Array<T> out(image.shape);
  fftconv::fourier_shift(image.view(), out.view(), shift, o);
  return out;
}

const fftconv::Shape shapes[] = {{9}, {16}, {5, 7}, {6, 8}, {4, 5, 6}};
const FrequencyOptions some_options[] = {
    frequency_options(Boundary::wrap, 0), frequency_options(Boundary::zero, 3),
    frequency_options(Boundary::constant, 2, -0.5), frequency_options(Boundary::reflect, 4),
    frequency_options(Boundary::wrap, 1)};

}  // namespace

TEST_CASE_TEMPLATE("an identity transfer returns the image", T, float, double) {
  std::mt19937_64 rng(2201);
  for (const fftconv::Shape& shape : shapes)
    for (const FrequencyOptions& o : some_options) {
      const std::string name_of_case = case_name(shape, o);
      CAPTURE(name_of_case);
      const Array<T> image = uniform<T>(shape, rng, -1, 1);
      const long double tol = unit_gain_tolerance<T>(shape, o, grid_max(image, o));
      Array<T> out(shape);
      fftconv::frequency_filter(
          image.view(), out.view(), [](const double*, int) { return std::complex<double>(1); }, o);
      CHECK(max_difference(out, image) <= tol);
      // The arrays of ones, full and half spectrum.
      const fftconv::Shape lengths = fftconv::frequency_grid_shape(shape, o);
      fftconv::Shape half = lengths;
      half[half.rank() - 1] = lengths[lengths.rank() - 1] / 2 + 1;
      for (const fftconv::Shape& s : {lengths, half}) {
        Array<std::complex<T>> ones(s);
        std::fill(ones.values.begin(), ones.values.end(), std::complex<T>(1));
        Array<T> from_array(shape);
        fftconv::frequency_filter(image.view(), from_array.view(), ones.view(), o);
        CHECK(max_difference(from_array, image) <= tol);
      }
    }
}

TEST_CASE_TEMPLATE("fourier_shift by whole samples is numpy.roll", T, float, double) {
  std::mt19937_64 rng(2202);
  const std::vector<std::vector<double>> shifts = {{3}, {-5}, {2, -3}, {-1, 9}, {1, 0, -7}};
  for (const auto& shift : shifts)
    for (const fftconv::Shape& shape : shapes) {
      if (static_cast<std::size_t>(shape.rank()) != shift.size()) continue;
      const std::string shape_name = fftconv::to_string(shape);
      CAPTURE(shape_name);
      CAPTURE(shift[0]);
      const Array<T> image = uniform<T>(shape, rng, -1, 1);
      // rolled[x] = image[(x - shift) mod n] per axis.
      Array<T> rolled(shape);
      for (std::size_t l = 0; l < image.size(); ++l) {
        Index x = unravel(l, shape);
        for (int a = 0; a < shape.rank(); ++a) {
          const auto A = static_cast<std::size_t>(a);
          const auto n = static_cast<long long>(shape[a]);
          x[A] = static_cast<std::size_t>(
              ((static_cast<long long>(x[A]) - static_cast<long long>(shift[A])) % n + n) % n);
        }
        rolled.values[l] = image.values[image.index(x)];
      }
      const Array<T> out = shifted(image, shift);
      CHECK(max_difference(out, rolled) <=
            unit_gain_tolerance<T>(shape, FrequencyOptions{}, max_abs(image)));
    }
}

TEST_CASE_TEMPLATE("fourier_shift there and back returns the image", T, float, double) {
  // Odd lengths: no Nyquist bin, whose term a non-integer shift scales by cos(pi s) (each way).
  std::mt19937_64 rng(2203);
  const fftconv::Shape odd[] = {{9}, {5, 7}, {3, 5, 7}};
  const double amounts[] = {0.37, -1.8, 2.5};
  for (const fftconv::Shape& shape : odd) {
    const std::string shape_name = fftconv::to_string(shape);
    CAPTURE(shape_name);
    const Array<T> image = uniform<T>(shape, rng, -1, 1);
    std::vector<double> there(amounts, amounts + shape.rank()), back;
    for (double s : there)
      back.push_back(-s);
    const Array<T> out = shifted(shifted(image, there), back);
    // Two filters of unit gain: twice the tolerance of one.
    CHECK(max_difference(out, image) <=
          2 * unit_gain_tolerance<T>(shape, FrequencyOptions{}, max_abs(image)));
  }
}

TEST_CASE_TEMPLATE("Butterworth low-pass plus high-pass is the image", T, float, double) {
  std::mt19937_64 rng(2204);
  for (const fftconv::Shape& shape : shapes)
    for (const FrequencyOptions& o : some_options)
      for (double order : {0.0, 1.0, 2.5, 8.0}) {
        const std::string name_of_case = case_name(shape, o);
        CAPTURE(name_of_case);
        CAPTURE(order);
        const Array<T> image = uniform<T>(shape, rng, -1, 1);
        const Array<T> low = butterworth_of(image, 0.17, false, order, o);
        const Array<T> high = butterworth_of(image, 0.17, true, order, o);
        Array<T> sum(shape);
        for (std::size_t i = 0; i < sum.size(); ++i)
          sum.values[i] = low.values[i] + high.values[i];
        // Two filters of unit gain and the sum's rounding (eps |sum|, below one tolerance).
        CHECK(max_difference(sum, image) <=
              3 * unit_gain_tolerance<T>(shape, o, grid_max(image, o)));
        if (order == 0)  // scikit-image: 0^0 = 1, both pass types give half the image
          CHECK(max_difference(low, high) <=
                2 * unit_gain_tolerance<T>(shape, o, grid_max(image, o)));
      }
}

TEST_CASE_TEMPLATE("band_pass is the difference of two Butterworth low-passes", T, float, double) {
  std::mt19937_64 rng(2205);
  for (const fftconv::Shape& shape : shapes)
    for (const FrequencyOptions& o : some_options) {
      const Array<T> image = uniform<T>(shape, rng, -1, 1);
      Array<T> band(shape);
      fftconv::band_pass(image.view(), band.view(), 0.1, 0.25, 3, o);
      const Array<T> wide = butterworth_of(image, 0.25, false, 3, o);
      const Array<T> narrow = butterworth_of(image, 0.1, false, 3, o);
      Array<T> difference(shape);
      for (std::size_t i = 0; i < difference.size(); ++i)
        difference.values[i] = wide.values[i] - narrow.values[i];
      CHECK(max_difference(band, difference) <=
            3 * unit_gain_tolerance<T>(shape, o, grid_max(image, o)));
    }
}

TEST_CASE_TEMPLATE("frequency filters may write over their image", T, float, double) {
  std::mt19937_64 rng(2206);
  for (const FrequencyOptions& o : some_options) {
    const Array<T> image = uniform<T>({6, 8}, rng, -1, 1);
    const Array<T> expected = butterworth_of(image, 0.2, true, 2, o);
    Array<T> in_place = image;
    fftconv::butterworth(in_place.view(), in_place.view(), 0.2, true, 2, o);
    CHECK(identical(in_place, expected));
    // A reversed view written over itself.
    Stored<T> rev(image, Layout::reversed_axis0);
    fftconv::fourier_shift(fftconv::ConstView<T>(rev.view), rev.view, {0.5, -1.25}, o);
    Array<T> separate(image.shape);
    fftconv::fourier_shift(image.view(), separate.view(), {0.5, -1.25}, o);
    CHECK(identical(rev.read(), separate));
  }
}

TEST_CASE_TEMPLATE("frequency filters read and write any strided or reversed view", T, float,
                   double) {
  std::mt19937_64 rng(2207);
  for (const fftconv::Shape& shape :
       {fftconv::Shape{16}, fftconv::Shape{5, 7}, fftconv::Shape{4, 5, 6}})
    for (const FrequencyOptions& o : some_options) {
      const Array<T> image = uniform<T>(shape, rng, -1, 1);
      const Array<T> expected = butterworth_of(image, 0.2, false, 2, o);
      for (Layout in_layout : all_layouts)
        for (Layout out_layout : all_layouts) {
          const std::string name_of_case = case_name(shape, o), in_name = name(in_layout),
                            out_name = name(out_layout);
          CAPTURE(name_of_case);
          CAPTURE(in_name);
          CAPTURE(out_name);
          Stored<T> in(image, in_layout);
          Stored<T> out(shape, out_layout);
          fftconv::butterworth(fftconv::ConstView<T>(in.view), out.view, 0.2, false, 2, o);
          CHECK(identical(out.read(), expected));  // the same values in the same grid
          CHECK(out.touched_outside() == 0);
          CHECK(identical(in.read(), image));  // the input preserved
        }
    }
}

TEST_CASE("Eigen images are filtered as views of their own storage order") {
  std::mt19937_64 rng(2208);
  const Array<double> image = uniform<double>({6, 8}, rng, -1, 1);
  Eigen::Matrix<double, Eigen::Dynamic, Eigen::Dynamic, Eigen::RowMajor> row_major(6, 8);
  for (std::size_t l = 0; l < image.size(); ++l)
    row_major(static_cast<Eigen::Index>(l / 8), static_cast<Eigen::Index>(l % 8)) = image.values[l];
  const Eigen::MatrixXd col_major = row_major;
  FrequencyOptions o = frequency_options(Boundary::reflect, 3);

  const Array<double> expected = butterworth_of(image, 0.2, true, 2, o);
  const auto from_row = fftconv::butterworth(row_major, 0.2, true, 2, o);
  const auto from_col = fftconv::butterworth(col_major, 0.2, true, 2, o);
  static_assert(decltype(from_row)::IsRowMajor, "the image's storage order");
  static_assert(!decltype(from_col)::IsRowMajor, "the image's storage order");
  for (std::size_t l = 0; l < image.size(); ++l) {
    const auto r = static_cast<Eigen::Index>(l / 8), c = static_cast<Eigen::Index>(l % 8);
    CHECK(from_row(r, c) == expected.values[l]);
    CHECK(from_col(r, c) == expected.values[l]);
  }
  // A block with strides, an expression, a float vector, and each built-in filter.
  const Eigen::MatrixXd block = fftconv::gaussian_lowpass(col_major.block(1, 2, 4, 5), 0.2);
  Array<double> sub({4, 5});
  for (std::size_t l = 0; l < sub.size(); ++l)
    sub.values[l] = image.values[(1 + l / 5) * 8 + 2 + l % 5];
  Array<double> sub_expected(sub.shape);
  fftconv::gaussian_lowpass(sub.view(), sub_expected.view(), 0.2);
  for (std::size_t l = 0; l < sub.size(); ++l)
    CHECK(block(static_cast<Eigen::Index>(l / 5), static_cast<Eigen::Index>(l % 5)) ==
          sub_expected.values[l]);
  const Eigen::MatrixXd twice = fftconv::band_pass(2 * col_major, 0.1, 0.3, 2);
  const Eigen::MatrixXd shifted_back =
      fftconv::fourier_shift(fftconv::fourier_shift(col_major, {1, 2}), {-1, -2});
  CHECK((shifted_back - col_major).cwiseAbs().maxCoeff() < 1e-13);
  CHECK(twice.rows() == 6);
  const Eigen::VectorXf signal = Eigen::VectorXf::LinSpaced(9, -1, 1);
  const Eigen::VectorXf filtered = fftconv::frequency_filter(signal, [](const double* f, int rank) {
    return std::complex<double>(rank == 1 ? 1 - std::fabs(f[0]) : 0);
  });
  CHECK(filtered.size() == 9);
}

TEST_CASE("frequency filters plan once per grid shape") {
  std::mt19937_64 rng(2209);
  const Array<double> image = uniform<double>({23, 29}, rng);  // a shape no other test uses
  Array<double> out(image.shape);
  fftconv::butterworth(image.view(), out.view(), 0.1, false, 2);
  const std::size_t after_first = fftconv::fft_plans_created();
  for (int i = 0; i < 3; ++i) {
    fftconv::butterworth(image.view(), out.view(), 0.3, true, 1);
    fftconv::fourier_shift(image.view(), out.view(), {0.5, 0.5});
  }
  CHECK(fftconv::fft_plans_created() == after_first);
}

TEST_CASE_TEMPLATE("threads and planning efforts change nothing beyond rounding", T, float,
                   double) {
  std::mt19937_64 rng(2210);
  const Array<T> image = uniform<T>({256, 300}, rng, -1, 1);  // 2^16 points and more: threaded
  FrequencyOptions o = frequency_options(Boundary::mirror, 5);
  Array<T> one(image.shape), many(image.shape), all(image.shape), measured(image.shape);
  fftconv::gaussian_lowpass(image.view(), one.view(), 0.05, o);
  o.threads = 3;
  fftconv::gaussian_lowpass(image.view(), many.view(), 0.05, o);
  o.threads = 0;
  fftconv::gaussian_lowpass(image.view(), all.view(), 0.05, o);
  o.threads = 1;
  o.planning = fftconv::Planning::measure;
  fftconv::gaussian_lowpass(image.view(), measured.view(), 0.05, o);
  // Two results within one tolerance each of the exact one.
  const long double tol = 2 * unit_gain_tolerance<T>(image.shape, o, max_abs(image));
  CHECK(max_difference(one, many) <= tol);
  CHECK(max_difference(one, all) <= tol);
  CHECK(max_difference(one, measured) <= tol);
}

// The transforms split rows and column blocks over threads (fft/real_grid.hpp); every row and
// block goes through the same plans whichever thread runs it, so the bits cannot depend on the
// thread count. 3-D, above 2^16 points (threaded), odd and even lengths, with the transfer given
// as a half spectrum that is not Hermitian in its self-mirrored planes.
TEST_CASE_TEMPLATE("3-D grids: any thread count gives the same bits", T, float, double) {
  std::mt19937_64 rng(2211);
  const Array<T> image = uniform<T>({41, 40, 45}, rng, -1, 1);
  FrequencyOptions o = frequency_options(Boundary::reflect, 2);
  const fftconv::Shape grid = fftconv::frequency_grid_shape(image.shape, o);
  fftconv::Shape half = grid;
  half[2] = grid[2] / 2 + 1;
  std::vector<std::complex<T>> transfer(half[0] * half[1] * half[2]);
  std::uniform_real_distribution<double> u(-1, 1);
  for (auto& h : transfer)
    h = std::complex<T>(T(u(rng)), T(u(rng)));
  const fftconv::ConstView<std::complex<T>> t(transfer.data(), half);
  Array<T> one(image.shape), many(image.shape), shifted_one(image.shape), shifted_many(image.shape);
  fftconv::frequency_filter(image.view(), one.view(), t, o);
  fftconv::fourier_shift(image.view(), shifted_one.view(), {0.3, -1.7, 2.5}, o);
  o.threads = 3;
  fftconv::frequency_filter(image.view(), many.view(), t, o);
  fftconv::fourier_shift(image.view(), shifted_many.view(), {0.3, -1.7, 2.5}, o);
  CHECK(one.values == many.values);
  CHECK(shifted_one.values == shifted_many.values);
}

TEST_CASE("frequency_grid_shape is the image or its padded fast lengths") {
  const fftconv::Shape image{37, 41};
  CHECK(fftconv::frequency_grid_shape(image) == image);  // wrap, padding 0: circular
  CHECK(fftconv::frequency_grid_shape(image, frequency_options(Boundary::zero, 0)) ==
        fftconv::Shape{39, 42});  // 3 13, 2 3 7
  CHECK(fftconv::frequency_grid_shape(image, frequency_options(Boundary::reflect, 3)) ==
        fftconv::Shape{44, 48});  // 43 -> 2^2 11, 47 -> 2^4 3
  CHECK(fftconv::frequency_grid_shape(image, frequency_options(Boundary::wrap, 2)) ==
        fftconv::Shape{42, 45});  // 41 -> 2 3 7, 45 = 3^2 5
  CHECK(fftconv::frequency_grid_shape({1}, frequency_options(Boundary::zero, 0)) ==
        fftconv::Shape{1});
  CHECK(fftconv::frequency_grid_shape({1}, frequency_options(Boundary::nearest, 1)) ==
        fftconv::Shape{3});
  CHECK(fftconv::frequency_grid_shape({4, 5, 6}, frequency_options(Boundary::constant, 2)) ==
        fftconv::Shape{8, 9, 10});
}

TEST_CASE_TEMPLATE("length-1 and length-2 axes filter as numpy does", T, float, double) {
  // Grids whose last length is 1 or 2 (the half and full spectra coincide) and a 1 x n image.
  std::mt19937_64 rng(2211);
  for (const fftconv::Shape& shape : {fftconv::Shape{1}, fftconv::Shape{2}, fftconv::Shape{3, 1},
                                      fftconv::Shape{1, 6}, fftconv::Shape{5, 2}}) {
    const std::string shape_name = fftconv::to_string(shape);
    CAPTURE(shape_name);
    const Array<T> image = uniform<T>(shape, rng, -1, 1);
    const FrequencyOptions o;
    const GridSpectrum g = grid_spectrum(image, o);
    const auto h = full_transfer(g.lengths, [](const Index&, const long double* f) {
      return cld(1 + f[0], -0.5L + f[0] * f[0]);
    });
    long double h_max = 0;
    const Array<long double> ref = filter_reference(g, h, &h_max);
    Array<T> out(shape);
    fftconv::frequency_filter(image.view(), out.view(), [](const double* f, int) {
      return std::complex<double>(1 + f[0], -0.5 + f[0] * f[0]);
    });
    CHECK(max_abs_error(out, ref) <= frequency_tolerance<T>(g, h_max));
  }
}

TEST_CASE("a callable transfer is called once for each bin of the grid") {
  std::mt19937_64 rng(2212);
  for (const fftconv::Shape& shape : shapes)
    for (const FrequencyOptions& o : some_options) {
      const std::string name_of_case = case_name(shape, o);
      CAPTURE(name_of_case);
      const fftconv::Shape lengths = fftconv::frequency_grid_shape(shape, o);
      // calls[k]: how often the bin k (C order over the grid) was asked for, found from its
      // frequency vector (f = k / L or (k - L) / L per axis).
      std::vector<int> calls(fftconv::element_count(lengths), 0);
      const Array<double> image = uniform<double>(shape, rng, -1, 1);
      Array<double> out(shape);
      fftconv::frequency_filter(
          image.view(), out.view(),
          [&](const double* f, int rank) {
            std::size_t at = 0;
            for (int a = 0; a < rank; ++a) {
              const auto n = static_cast<long long>(lengths[a]);
              const auto k = static_cast<long long>(std::llround(f[a] * static_cast<double>(n)));
              at = at * lengths[a] + static_cast<std::size_t>((k + n) % n);
            }
            ++calls[at];
            return std::complex<double>(1);
          },
          o);
      CHECK(std::count(calls.begin(), calls.end(), 1) == static_cast<long>(calls.size()));
    }
}
