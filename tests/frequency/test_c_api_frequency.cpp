// The frequency filters' C API: each function bit for bit the C++ call (float and double, the
// defaults, options, full and half transfer arrays, the callback), NULL options and struct_size,
// statuses and messages naming the argument with out untouched, the callback's failure and
// non-finite values, out aliasing the image.
#include <doctest/doctest.h>

#include <cmath>
#include <complex>
#include <cstddef>
#include <cstring>
#include <functional>
#include <limits>
#include <string>
#include <type_traits>
#include <vector>

#include "fftconv/fftconv.h"
#include "fftconv/frequency.hpp"

namespace {

using fftconv::ConstView;
using fftconv::FrequencyOptions;
using fftconv::Shape;
using fftconv::View;

/// A non-symmetric test image of `count` values.
template <class T>
std::vector<T> test_image(std::size_t count) {
  std::vector<T> v(count);
  for (std::size_t i = 0; i < count; ++i)
    v[i] = static_cast<T>(0.5 + static_cast<double>(i * 7 % 11) / 10.0 +
                          0.01 * static_cast<double>(i));
  return v;
}

/// The C shape of a Shape.
std::vector<size_t> c_shape(const Shape& s) {
  return std::vector<size_t>(s.begin(), s.end());
}

/// A transfer function of the frequency vector, not even (so its Hermitian part matters).
std::complex<double> some_transfer(const double* f, int rank) {
  double q = 0, p = 0;
  for (int a = 0; a < rank; ++a) {
    q += f[a] * f[a];
    p += (a + 1) * f[a];
  }
  return {std::exp(-q / 0.02), 0.3 * std::sin(6 * p)};
}

int c_transfer(void* data, const double* f, int rank, double* re, double* im) {
  ++*static_cast<int*>(data);
  const std::complex<double> h = some_transfer(f, rank);
  *re = h.real();
  *im = h.imag();
  return 0;
}

/// Fails (returns 7) at the first frequency with a positive axis-0 component.
int failing_transfer(void*, const double* f, int, double* re, double*) {
  *re = 1;
  return f[0] > 0 ? 7 : 0;
}

/// NaN at the zero frequency, 1 elsewhere.
int nan_transfer(void*, const double* f, int rank, double* re, double*) {
  bool zero = true;
  for (int a = 0; a < rank; ++a)
    zero = zero && f[a] == 0;
  *re = zero ? std::numeric_limits<double>::quiet_NaN() : 1;
  return 0;
}

/// The C and the C++ options alike: reflect with padding 3 (or the defaults when `plain`).
struct BothOptions {
  fftconv_frequency_options c;
  FrequencyOptions cpp;
  explicit BothOptions(bool plain) {
    REQUIRE(fftconv_frequency_options_default(&c) == FFTCONV_OK);
    if (plain) return;
    c.boundary = FFTCONV_BOUNDARY_REFLECT;
    c.padding = 3;
    c.threads = 2;
    cpp.boundary = fftconv::Boundary::reflect;
    cpp.padding = 3;
    cpp.threads = 2;
  }
};

/// The C call and the C++ call on the same data give the same bytes (and status OK).
template <class T>
void check_equal(const Shape& shape, const std::function<int(const T*, T*)>& c_call,
                 const std::function<void(ConstView<T>, View<T>)>& cpp_call) {
  const std::vector<T> image = test_image<T>(fftconv::element_count(shape));
  std::vector<T> got(image.size(), T(-3)), want(image.size(), T(-5));
  REQUIRE_MESSAGE(c_call(image.data(), got.data()) == FFTCONV_OK, fftconv_last_error());
  CHECK(std::string(fftconv_last_error()).empty());
  cpp_call(ConstView<T>(image.data(), shape), View<T>(want.data(), shape));
  CHECK(std::memcmp(got.data(), want.data(), got.size() * sizeof(T)) == 0);
  // out == image: the same result.
  std::vector<T> in_place = image;
  REQUIRE(c_call(in_place.data(), in_place.data()) == FFTCONV_OK);
  CHECK(std::memcmp(in_place.data(), want.data(), want.size() * sizeof(T)) == 0);
}

/// The full spectrum (L) or the half spectrum (L with the last axis L / 2 + 1) of some_transfer,
/// on the grid of `grid` lengths, as complex<T>.
template <class T>
std::vector<std::complex<T>> transfer_array(const Shape& grid, bool half, Shape& shape) {
  shape = grid;
  const int r = grid.rank();
  if (half) shape[r - 1] = grid[r - 1] / 2 + 1;
  std::vector<std::complex<T>> values(fftconv::element_count(shape));
  for (std::size_t i = 0; i < values.size(); ++i) {
    double f[3];
    std::size_t rest = i;
    for (int a = r - 1; a >= 0; --a) {
      const std::size_t k = rest % shape[a], n = grid[a];
      rest /= shape[a];
      const double kf = static_cast<double>(k), nf = static_cast<double>(n);
      f[a] = (k < (n + 1) / 2 ? kf : kf - nf) / nf;
    }
    values[i] = std::complex<T>(some_transfer(f, r));
  }
  return values;
}

template <class T>
using CType = std::conditional_t<std::is_same_v<T, float>, fftconv_c64, fftconv_c128>;

/// Every function of precision T against its C++ counterpart, with `plain` options (the
/// defaults, also as NULL) or reflect + padding.
template <class T>
void check_all(const Shape& shape, bool plain, bool null_options) {
  const bool f32 = std::is_same_v<T, float>;
  const auto pick = [&](auto c32, auto c64) {
    if constexpr (std::is_same_v<T, float>)
      return c32;
    else
      return c64;
  };
  BothOptions both(plain);
  const fftconv_frequency_options* c = null_options ? nullptr : &both.c;
  const FrequencyOptions& o = both.cpp;
  const int rank = shape.rank();
  const std::vector<size_t> s = c_shape(shape);
  CAPTURE(f32);
  CAPTURE(plain);
  CAPTURE(null_options);
  CAPTURE(rank);

  for (int high : {0, 1}) {
    CAPTURE(high);
    const auto bw = pick(fftconv_butterworth_f32, fftconv_butterworth_f64);
    check_equal<T>(
        shape, [&](const T* i, T* out) { return bw(rank, s.data(), i, out, 0.1, high, 2.5, c); },
        [&](auto i, auto out) { fftconv::butterworth(i, out, 0.1, high == 1, 2.5, o); });
  }
  const auto gl = pick(fftconv_gaussian_lowpass_f32, fftconv_gaussian_lowpass_f64);
  check_equal<T>(
      shape, [&](const T* i, T* out) { return gl(rank, s.data(), i, out, 0.15, c); },
      [&](auto i, auto out) { fftconv::gaussian_lowpass(i, out, 0.15, o); });
  const auto bp = pick(fftconv_band_pass_f32, fftconv_band_pass_f64);
  check_equal<T>(
      shape, [&](const T* i, T* out) { return bp(rank, s.data(), i, out, 0.05, 0.3, 3, c); },
      [&](auto i, auto out) { fftconv::band_pass(i, out, 0.05, 0.3, 3, o); });
  const std::vector<double> by{0.25, -1.5, 2.0};
  const auto fs = pick(fftconv_fourier_shift_f32, fftconv_fourier_shift_f64);
  check_equal<T>(
      shape, [&](const T* i, T* out) { return fs(rank, s.data(), i, out, by.data(), c); },
      [&](auto i, auto out) {
        fftconv::fourier_shift(i, out, std::vector<double>(by.begin(), by.begin() + rank), o);
      });
  // The grid, and transfer arrays over it (full and half spectrum).
  std::vector<size_t> grid(s.size());
  REQUIRE(fftconv_frequency_grid_shape(rank, s.data(), c, grid.data()) == FFTCONV_OK);
  const Shape lengths = fftconv::frequency_grid_shape(shape, o);
  Shape grid_shape;
  for (size_t e : grid)
    grid_shape.push_back(e);
  CHECK(grid_shape == lengths);
  const auto ff = pick(fftconv_frequency_filter_f32, fftconv_frequency_filter_f64);
  for (bool half : {false, true}) {
    CAPTURE(half);
    Shape ts;
    const std::vector<std::complex<T>> h = transfer_array<T>(lengths, half, ts);
    const std::vector<size_t> tc = c_shape(ts);
    const auto* hc = reinterpret_cast<const CType<T>*>(h.data());
    check_equal<T>(
        shape, [&](const T* i, T* out) { return ff(rank, s.data(), i, out, tc.data(), hc, c); },
        [&](auto i, auto out) {
          fftconv::frequency_filter(i, out, ConstView<std::complex<T>>(h.data(), ts), o);
        });
  }
  // The callback, once per bin of the full grid.
  const auto fn = pick(fftconv_frequency_filter_fn_f32, fftconv_frequency_filter_fn_f64);
  int calls = 0;
  check_equal<T>(
      shape, [&](const T* i, T* out) { return fn(rank, s.data(), i, out, c_transfer, &calls, c); },
      [&](auto i, auto out) { fftconv::frequency_filter(i, out, some_transfer, o); });
  CHECK(static_cast<std::size_t>(calls) == 2 * fftconv::element_count(lengths));
}

/// Calls `call` on an out array of sentinels: it fails with `status` and a message containing
/// every one of `parts`, and out keeps every byte.
void check_refused(const std::function<int(double*)>& call, int status,
                   const std::vector<std::string>& parts) {
  std::vector<double> out(48, -7.25);
  const std::vector<double> before = out;
  CHECK(call(out.data()) == status);
  const std::string message = fftconv_last_error();
  for (const std::string& part : parts)
    CHECK_MESSAGE(message.find(part) != std::string::npos, message, " lacks ", part);
  CHECK(std::memcmp(out.data(), before.data(), out.size() * sizeof(double)) == 0);
}

}  // namespace

TEST_CASE("frequency C API: every function equals its C++ counterpart bit for bit") {
  for (const Shape& shape : {Shape{11}, Shape{6, 8}, Shape{3, 4, 5}})
    for (bool plain : {true, false}) {
      check_all<float>(shape, plain, false);
      check_all<double>(shape, plain, false);
    }
  // NULL options are the defaults.
  check_all<float>(Shape{6, 8}, true, true);
  check_all<double>(Shape{5, 7}, true, true);
}

TEST_CASE("frequency C API: fftconv_frequency_options_init and struct_size") {
  fftconv_frequency_options o;
  std::memset(&o, 0xab, sizeof o);
  REQUIRE(fftconv_frequency_options_default(&o) == FFTCONV_OK);
  const FrequencyOptions d;
  CHECK(o.struct_size == sizeof o);
  CHECK(o.boundary == FFTCONV_BOUNDARY_WRAP);
  CHECK(o.padding == 0);
  CHECK(o.fill_value == 0);
  CHECK(o.threads == 1);
  CHECK(o.planning == FFTCONV_PLANNING_ESTIMATE);
  CHECK(o.max_memory_bytes == d.max_memory_bytes);

  // A size of no released layout (smaller: never released; larger: a newer header), or a NULL
  // struct: refused, naming it, nothing written.
  const size_t smaller = offsetof(fftconv_frequency_options, max_memory_bytes);
  for (size_t size : {smaller, size_t{12}, sizeof o + 8}) {
    CAPTURE(size);
    fftconv_frequency_options init;
    std::memset(&init, 0xab, sizeof init);
    CHECK(fftconv_frequency_options_init(&init, size) == FFTCONV_INVALID_ARGUMENT);
    CHECK(std::string(fftconv_last_error())
              .find("fftconv_frequency_options_init: struct_size is " + std::to_string(size)) !=
          std::string::npos);
    const auto* bytes = reinterpret_cast<const unsigned char*>(&init);
    bool unwritten = true;
    for (size_t i = 0; i < sizeof init; ++i)
      unwritten = unwritten && bytes[i] == 0xab;
    CHECK(unwritten);
  }
  CHECK(fftconv_frequency_options_init(nullptr, sizeof o) == FFTCONV_INVALID_ARGUMENT);
  CHECK(std::string(fftconv_last_error()) == "fftconv_frequency_options_init: options is NULL");

  // In a call: a smaller struct_size and a larger one are refused naming them, out untouched.
  const size_t shape[2] = {6, 8};
  const std::vector<double> image = test_image<double>(48);
  fftconv_frequency_options_default(&o);
  o.struct_size = smaller;
  check_refused(
      [&](double* out) {
        return fftconv_gaussian_lowpass_f64(2, shape, image.data(), out, 0.1, &o);
      },
      FFTCONV_INVALID_ARGUMENT,
      {"fftconv_gaussian_lowpass_f64: options.struct_size is " + std::to_string(smaller) +
       ", not the size of an fftconv_frequency_options layout this library knows (" +
       std::to_string(sizeof o) + "): set it with fftconv_frequency_options_default"});
  o.struct_size = sizeof o + 8;
  check_refused(
      [&](double* out) {
        return fftconv_gaussian_lowpass_f64(2, shape, image.data(), out, 0.1, &o);
      },
      FFTCONV_INVALID_ARGUMENT,
      {"options.struct_size is " + std::to_string(sizeof o + 8) + ", larger than the " +
       std::to_string(sizeof o) + " bytes of the fftconv_frequency_options"});
  size_t grid[2] = {99, 99};
  CHECK(fftconv_frequency_grid_shape(2, shape, &o, grid) == FFTCONV_INVALID_ARGUMENT);
  CHECK((grid[0] == 99 && grid[1] == 99));
}

TEST_CASE("frequency C API: bad arguments are refused naming them, out untouched") {
  const size_t shape[2] = {6, 8}, zero_shape[2] = {6, 0}, shape4[4] = {2, 2, 2, 6};
  const std::vector<double> image = test_image<double>(48);
  const double* in = image.data();
  fftconv_frequency_options o;
  fftconv_frequency_options_default(&o);
  const int bad = FFTCONV_INVALID_ARGUMENT;
  // Shapes and pointers.
  check_refused(
      [&](double* out) { return fftconv_butterworth_f64(0, shape, in, out, 0.1, 1, 2, &o); }, bad,
      {"fftconv_butterworth_f64: rank must be 1 to"});
  check_refused(
      [&](double* out) { return fftconv_butterworth_f64(4, shape4, in, out, 0.1, 1, 2, &o); }, bad,
      {"fftconv::butterworth", "rank"});
  check_refused(
      [&](double* out) { return fftconv_butterworth_f64(2, nullptr, in, out, 0.1, 1, 2, &o); }, bad,
      {"fftconv_butterworth_f64: shape is NULL"});
  check_refused(
      [&](double* out) { return fftconv_butterworth_f64(2, zero_shape, in, out, 0.1, 1, 2, &o); },
      bad, {"fftconv::butterworth", "6x0"});
  check_refused(
      [&](double* out) { return fftconv_butterworth_f64(2, shape, nullptr, out, 0.1, 1, 2, &o); },
      bad, {"fftconv_butterworth_f64: image is NULL"});
  CHECK(fftconv_butterworth_f64(2, shape, in, nullptr, 0.1, 1, 2, &o) == bad);
  CHECK(std::string(fftconv_last_error()) == "fftconv_butterworth_f64: out is NULL");
  // Each filter's own arguments.
  check_refused(
      [&](double* out) { return fftconv_butterworth_f64(2, shape, in, out, 0, 1, 2, &o); }, bad,
      {"fftconv::butterworth: cutoff_frequency_ratio is 0"});
  check_refused(
      [&](double* out) { return fftconv_butterworth_f64(2, shape, in, out, 0.1, 1, -1, &o); }, bad,
      {"fftconv::butterworth: order is -1"});
  check_refused(
      [&](double* out) { return fftconv_butterworth_f64(2, shape, in, out, 0.1, 2, 2, &o); }, bad,
      {"fftconv_butterworth_f64: high_pass must be 0 or 1, got 2"});
  check_refused(
      [&](double* out) {
        return fftconv_gaussian_lowpass_f64(2, shape, in, out,
                                            std::numeric_limits<double>::infinity(), &o);
      },
      bad, {"fftconv::gaussian_lowpass: sigma_frequency is inf"});
  check_refused(
      [&](double* out) { return fftconv_band_pass_f64(2, shape, in, out, 0.3, 0.1, 2, &o); }, bad,
      {"fftconv::band_pass: low_cutoff 0.3 must be below high_cutoff 0.1"});
  check_refused(
      [&](double* out) { return fftconv_fourier_shift_f64(2, shape, in, out, nullptr, &o); }, bad,
      {"fftconv_fourier_shift_f64: shift is NULL"});
  const double nan_shift[2] = {0.5, std::numeric_limits<double>::quiet_NaN()};
  check_refused(
      [&](double* out) { return fftconv_fourier_shift_f64(2, shape, in, out, nan_shift, &o); }, bad,
      {"fftconv::fourier_shift: shift[1] is nan"});
  // Transfer arrays: the shape, NULL, a non-finite value.
  std::vector<std::complex<double>> h(6 * 8, {1, 0});
  const auto* hc = reinterpret_cast<const fftconv_c128*>(h.data());
  const size_t wrong[2] = {6, 4}, full[2] = {6, 8};
  check_refused(
      [&](double* out) { return fftconv_frequency_filter_f64(2, shape, in, out, wrong, hc, &o); },
      bad,
      {"fftconv::frequency_filter: transfer has shape 6x4, expected the transform grid's half "
       "spectrum 6x5 or full spectrum 6x8"});
  check_refused(
      [&](double* out) {
        return fftconv_frequency_filter_f64(2, shape, in, out, full, nullptr, &o);
      },
      bad, {"fftconv_frequency_filter_f64: transfer is NULL"});
  check_refused(
      [&](double* out) { return fftconv_frequency_filter_f64(2, shape, in, out, nullptr, hc, &o); },
      bad, {"fftconv_frequency_filter_f64: transfer_shape is NULL"});
  h[9] = {std::numeric_limits<double>::infinity(), 0};
  check_refused(
      [&](double* out) { return fftconv_frequency_filter_f64(2, shape, in, out, full, hc, &o); },
      bad, {"fftconv::frequency_filter: transfer[1, 1] is (inf,0)"});
  check_refused(
      [&](double* out) {
        return fftconv_frequency_filter_fn_f64(2, shape, in, out, nullptr, nullptr, &o);
      },
      bad, {"fftconv_frequency_filter_fn_f64: transfer is NULL"});
  // The options' fields.
  const auto with = [&](auto set, std::vector<std::string> parts,
                        int status = FFTCONV_INVALID_ARGUMENT) {
    fftconv_frequency_options w;
    fftconv_frequency_options_default(&w);
    set(w);
    check_refused(
        [&](double* out) { return fftconv_gaussian_lowpass_f64(2, shape, in, out, 0.1, &w); },
        status, parts);
  };
  with([](auto& w) { w.boundary = 9; }, {"fftconv::gaussian_lowpass", "boundary"});
  with([](auto& w) { w.threads = -1; }, {"fftconv::gaussian_lowpass", "threads"});
  with([](auto& w) { w.planning = 7; }, {"fftconv::gaussian_lowpass", "planning"});
  with(
      [](auto& w) {
        w.boundary = FFTCONV_BOUNDARY_CONSTANT;
        w.padding = 2;
        w.fill_value = std::numeric_limits<double>::quiet_NaN();
      },
      {"fftconv::gaussian_lowpass", "fill_value"});
  with([](auto& w) { w.max_memory_bytes = 100; }, {"fftconv::gaussian_lowpass", "100"},
       FFTCONV_OUT_OF_MEMORY);
  // The float functions check alike.
  const std::vector<float> fin = test_image<float>(48);
  std::vector<float> fout(48, -7.25f);
  CHECK(fftconv_band_pass_f32(2, shape, fin.data(), fout.data(), 0.2, 0.2, 1, nullptr) == bad);
  CHECK(std::string(fftconv_last_error()).find("low_cutoff 0.2 must be below") !=
        std::string::npos);
  CHECK(fftconv_frequency_grid_shape(2, shape, nullptr, nullptr) == bad);
  CHECK(std::string(fftconv_last_error()) == "fftconv_frequency_grid_shape: grid_shape is NULL");
  for (float v : fout)
    CHECK(v == -7.25f);
}

TEST_CASE("frequency C API: a failing callback and a non-finite one stop the call") {
  const size_t shape[2] = {6, 8};
  const std::vector<double> image = test_image<double>(48);
  check_refused(
      [&](double* out) {
        return fftconv_frequency_filter_fn_f64(2, shape, image.data(), out, failing_transfer,
                                               nullptr, nullptr);
      },
      FFTCONV_INVALID_ARGUMENT,
      {"fftconv::frequency_filter: the transfer callback (fftconv_transfer_fn) returned 7 at "
       "frequency (0.",
       "non-zero is failure"});
  check_refused(
      [&](double* out) {
        return fftconv_frequency_filter_fn_f64(2, shape, image.data(), out, nan_transfer, nullptr,
                                               nullptr);
      },
      FFTCONV_INVALID_ARGUMENT,
      {"fftconv::frequency_filter: transfer returned (nan,0) at frequency (0, 0); transfer values "
       "must be finite"});
  // float: the same, out untouched.
  const std::vector<float> fin = test_image<float>(48);
  std::vector<float> fout(48, 2.5f);
  CHECK(fftconv_frequency_filter_fn_f32(2, shape, fin.data(), fout.data(), failing_transfer,
                                        nullptr, nullptr) == FFTCONV_INVALID_ARGUMENT);
  CHECK(std::string(fftconv_last_error()).find("transfer callback") != std::string::npos);
  for (float v : fout)
    CHECK(v == 2.5f);
  // A later successful call clears the message.
  int calls = 0;
  CHECK(fftconv_frequency_filter_fn_f32(2, shape, fin.data(), fout.data(), c_transfer, &calls,
                                        nullptr) == FFTCONV_OK);
  CHECK(std::string(fftconv_last_error()).empty());
}
