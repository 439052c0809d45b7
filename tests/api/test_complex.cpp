// Complex data: complex x complex, real x complex and complex x real, convolve and correlate
// (which conjugates the kernel, as scipy.signal), against an independent std::complex<long double>
// direct sum written here, on every method, mode and boundary rule; the identity
// correlate(I, g) = convolve(I, conj(flip(g))); stacks; the accuracy targets; refusals.
#include <doctest/doctest.h>

#include <algorithm>
#include <array>
#include <cmath>
#include <complex>
#include <random>
#include <string>
#include <vector>

#include "fftconv/fftconv.hpp"
#include "support/library_call.hpp"
#include "support/reference.hpp"
#include "support/test_data.hpp"

using fftconv::Boundary;
using fftconv::ConstView;
using fftconv::Method;
using fftconv::Mode;
using fftconv::Options;
using fftconv::Shape;
using fftconv::View;
using testing::Array;
using testing::Op;

namespace {

template <class T>
using real_t = typename fftconv::detail::real_scalar<T>::type;
template <class T>
constexpr bool is_complex_v = fftconv::detail::is_complex_scalar<T>;

// Random values; complex ones with independent real and imaginary parts.
template <class T>
Array<T> random_array(const Shape& shape, std::mt19937_64& rng) {
  Array<T> a(shape);
  std::normal_distribution<double> d(0, 1);
  for (T& v : a.values) {
    if constexpr (is_complex_v<T>)
      v = T(static_cast<real_t<T>>(d(rng)), static_cast<real_t<T>>(d(rng)));
    else
      v = static_cast<T>(d(rng));
  }
  return a;
}

template <class T>
std::complex<long double> wide(T v) {
  if constexpr (is_complex_v<T>)
    return {static_cast<long double>(v.real()), static_cast<long double>(v.imag())};
  else
    return {static_cast<long double>(v), 0};
}

struct ComplexReference {
  Array<std::complex<long double>> values;
  long double abs_sum_max = 0;  ///< max over the full result of sum |I| |g| (moduli)
  long double max_part = 0;     ///< max |real part|, |imaginary part| of the values
};

// sum_m ext(I)[n -+ m] g'[m], g' = g (convolution) or conj(g) (correlation), in long double;
// the image extended by `rule` with fill + 0i; `origin` shifts the same window (Options::origin).
template <class I, class K>
ComplexReference complex_reference(const Array<I>& image, const Array<K>& kernel, Mode mode,
                                   bool correlate, Boundary rule = Boundary::zero, double fill = 0,
                                   const fftconv::Offsets& origin = fftconv::Offsets()) {
  ComplexReference r;
  const auto at = [&](Mode m, const testing::Index& o, long double* abs) {
    std::complex<long double> sum = 0;
    long double total = 0;
    for (std::size_t km = 0; km < kernel.size(); ++km) {
      testing::Index source{};
      const bool inside = testing::tap_source(image.shape, kernel.shape, m, correlate, o,
                                              testing::unravel(km, kernel.shape), rule, source,
                                              m == mode ? origin : fftconv::Offsets());
      const std::complex<long double> x =
          inside ? wide(image.values[image.index(source)])
                 : std::complex<long double>(rule == Boundary::constant ? fill : 0, 0);
      std::complex<long double> g = wide(kernel.values[km]);
      if (correlate) g = std::conj(g);
      sum += x * g;
      total += std::abs(x) * std::abs(g);
    }
    if (abs) *abs = total;
    return sum;
  };
  r.values = Array<std::complex<long double>>(
      testing::reference_shape<double>(image.shape, kernel.shape, mode));
  for (std::size_t l = 0; l < r.values.size(); ++l) {
    r.values.values[l] = at(mode, testing::unravel(l, r.values.shape), nullptr);
    r.max_part = std::max(
        {r.max_part, std::fabs(r.values.values[l].real()), std::fabs(r.values.values[l].imag())});
  }
  const Shape full = testing::reference_shape<double>(image.shape, kernel.shape, Mode::full);
  for (std::size_t l = 0; l < fftconv::element_count(full); ++l) {
    long double abs = 0;
    at(Mode::full, testing::unravel(l, full), &abs);
    r.abs_sum_max = std::max(r.abs_sum_max, abs);
  }
  return r;
}

// The largest error of a real or imaginary part.
template <class C>
long double max_part_error(const Array<C>& result, const Array<std::complex<long double>>& ref) {
  long double e = 0;
  for (std::size_t l = 0; l < ref.size(); ++l) {
    const std::complex<long double> x = wide(result.values[l]);
    e = std::max({e, std::fabs(x.real() - ref.values[l].real()),
                  std::fabs(x.imag() - ref.values[l].imag())});
  }
  return e;
}

template <class I, class K, class O>
Array<O> run(Op op, const Array<I>& image, const Array<K>& kernel, const Options& options) {
  Array<O> out(fftconv::output_shape(image.shape, kernel.shape, options));
  if (op == Op::convolve)
    fftconv::convolve(image.view(), kernel.view(), out.view(), options);
  else
    fftconv::correlate(image.view(), kernel.view(), out.view(), options);
  return out;
}

// op(image, kernel) with `options` against the reference of the same problem: each part is at
// most two real operations, each within testing::tolerance of its exact value (their S at most
// the reference's S of moduli), then one addition: within twice the tolerance, and within
// error_bound (the FFT methods' spectral form adds the two operations' spectra before one
// inverse transform instead: the same two operations' worth of rounding).
template <class I, class K, class O>
void check_against_reference(Op op, const Array<I>& image, const Array<K>& kernel,
                             const ComplexReference& ref, const Options& options) {
  const Array<O> out = run<I, K, O>(op, image, kernel, options);
  REQUIRE(out.shape == ref.values.shape);
  const long double error = max_part_error(out, ref.values);
  CHECK(error <= 2 * testing::tolerance<real_t<O>>(image.shape, kernel.shape, ref.abs_sum_max));
  const double worst = fftconv::error_bound(image.view(), kernel.view(), options, op);
  const double probable = fftconv::error_bound(image.view(), kernel.view(), options, op,
                                               fftconv::Guarantee::probabilistic);
  CHECK(error <= worst);
  CHECK(error <= probable);  // (random data: the model's assumption)
  CHECK(probable <= worst);
}

// Every method, mode and boundary rule for one combination of element types.
template <class I, class K, class O>
void check_combination(std::mt19937_64& rng) {
  using T = real_t<O>;
  // (no structured binding: clang 14 refuses one captured by CAPTURE's lambda)
  for (const auto& shapes : std::vector<std::pair<Shape, Shape>>{
           {{19}, {6}}, {{9, 11}, {4, 3}}, {{5, 4, 6}, {3, 2, 3}}}) {
    const Shape& image_shape = shapes.first;
    const Shape& kernel_shape = shapes.second;
    for (Boundary rule : {Boundary::zero, Boundary::constant, Boundary::reflect, Boundary::mirror,
                          Boundary::nearest, Boundary::wrap})
      for (Mode mode : {Mode::full, Mode::same, Mode::valid})
        for (Op op : {Op::convolve, Op::correlate}) {
          CAPTURE(fftconv::to_string(image_shape));
          CAPTURE(testing::name(rule));
          CAPTURE(testing::name(mode));
          CAPTURE(testing::name(op));
          const Array<I> image = random_array<I>(image_shape, rng);
          const Array<K> kernel = random_array<K>(kernel_shape, rng);
          const ComplexReference ref =
              complex_reference(image, kernel, mode, op == Op::correlate, rule, 0.75);
          Options options;
          options.boundary = rule;
          options.fill_value = 0.75;
          options.mode = mode;
          for (Method method :
               {Method::direct, Method::fft, Method::overlap_save, Method::automatic}) {
            CAPTURE(testing::name(method));
            options.method = method;
            check_against_reference<I, K, O>(op, image, kernel, ref, options);
          }
          // The reference: each part one double-double sum rounded once (within an ulp of T).
          Array<O> exact(ref.values.shape);
          if (op == Op::convolve)
            fftconv::reference_convolve(image.view(), kernel.view(), exact.view(), options);
          else
            fftconv::reference_correlate(image.view(), kernel.view(), exact.view(), options);
          CHECK(max_part_error(exact, ref.values) <=
                std::numeric_limits<T>::epsilon() * ref.max_part);
        }
  }
}

}  // namespace

TEST_CASE_TEMPLATE(
    "complex data against a long double complex direct sum: every combination, "
    "method, mode and boundary rule",
    T, float, double) {
  std::mt19937_64 rng(21);
  using C = std::complex<T>;
  check_combination<C, C, C>(rng);
  check_combination<T, C, C>(rng);
  check_combination<C, T, C>(rng);
}

// The FFT methods run complex data in the spectral form (the parts' spectra combined before the
// inverse transforms): here on problems large enough for many overlap-save tiles (whole tiles
// written straight to the output, partial ones through a scratch tile), several threads (tiles
// split; from 2^16 transform points, 300 x 280 and 48 x 40 x 44 here, rows and column blocks
// too), and 3-D (the middle axis's passes over both parts), for every combination, both
// operations, and a constant boundary whose fill value (v + 0i) reaches only the real part.
template <class I, class K, class O>
void check_spectral_form(std::mt19937_64& rng) {
  const std::pair<Shape, Shape> problems[] = {{{300}, {7}},
                                              {{70, 90}, {5, 4}},
                                              {{12, 20, 18}, {3, 5, 4}},
                                              {{300, 280}, {5, 4}},
                                              {{48, 40, 44}, {3, 2, 3}}};
  for (const auto& shapes : problems) {
    const Array<I> image = random_array<I>(shapes.first, rng);
    const Array<K> kernel = random_array<K>(shapes.second, rng);
    CAPTURE(fftconv::to_string(image.shape));
    for (Boundary rule : {Boundary::constant, Boundary::reflect})
      for (Op op : {Op::convolve, Op::correlate}) {
        const ComplexReference ref =
            complex_reference(image, kernel, Mode::same, op == Op::correlate, rule, -1.5);
        Options options;
        options.boundary = rule;
        options.fill_value = -1.5;
        for (Method method : {Method::fft, Method::overlap_save})
          for (int threads : {1, 3}) {
            CAPTURE(testing::name(rule));
            CAPTURE(testing::name(op));
            CAPTURE(testing::name(method));
            CAPTURE(threads);
            options.method = method;
            options.threads = threads;
            check_against_reference<I, K, O>(op, image, kernel, ref, options);
          }
      }
  }
}

TEST_CASE_TEMPLATE("the FFT methods' spectral form for complex data: tiles, threads, 3-D", T, float,
                   double) {
  std::mt19937_64 rng(29);
  using C = std::complex<T>;
  check_spectral_form<C, C, C>(rng);
  check_spectral_form<T, C, C>(rng);
  check_spectral_form<C, T, C>(rng);
}

// A non-finite value in one part of the data reaches only the output parts the four real
// convolutions send it to: a real image with a NaN in the kernel's imaginary part keeps a finite
// real part (R(a, c)); an infinity in a complex image's imaginary part with a real kernel leaves
// the real part finite (R(a, c)) — on every method, the spectral form included.
TEST_CASE("a non-finite part stays in the output parts it belongs to") {
  using C = std::complex<double>;
  std::mt19937_64 rng(31);
  const Array<double> real_image = random_array<double>({16, 16}, rng);
  Array<C> nan_kernel = random_array<C>({3, 3}, rng);
  nan_kernel.values[4] = C(0.5, std::numeric_limits<double>::quiet_NaN());
  Array<C> inf_image = random_array<C>({16, 16}, rng);
  inf_image.values[40] = C(1, std::numeric_limits<double>::infinity());
  const Array<double> real_kernel = random_array<double>({3, 3}, rng);
  const auto finite_parts = [](const Array<C>& out, bool real_part) {
    return std::all_of(out.values.begin(), out.values.end(),
                       [&](C v) { return std::isfinite(real_part ? v.real() : v.imag()); });
  };
  for (Method method : {Method::direct, Method::fft, Method::overlap_save})
    for (Op op : {Op::convolve, Op::correlate}) {
      CAPTURE(testing::name(method));
      CAPTURE(testing::name(op));
      Options options;
      options.method = method;
      CHECK(finite_parts(run<double, C, C>(op, real_image, nan_kernel, options), true));
      CHECK(finite_parts(run<C, double, C>(op, inf_image, real_kernel, options), true));
    }
}

// Automatic picks a method that fits options.max_memory_bytes whenever one does: the spatial
// methods run as four real operations with term buffers, the FFT methods in the spectral form,
// so automatic may not settle for a form the memory limit leaves no room for; with per-frame
// kernels every frame's plan counts, not the first one's. error_bound refuses exactly the calls
// convolve refuses (it bounds what runs).
TEST_CASE("complex data: automatic fits the memory limit whenever a method does") {
  using C = std::complex<double>;
  std::mt19937_64 rng(32);
  struct Case {
    Shape image, kernel;
    fftconv::Axes axes;
    int threads;
  };
  for (const Case& c : {Case{{256, 256}, {5, 5}, {}, 1}, Case{{4, 128, 128}, {4, 5, 5}, {1, 2}, 1},
                        Case{{4, 128, 128}, {4, 9, 9}, {1, 2}, 2}}) {
    CAPTURE(fftconv::to_string(c.image));
    CAPTURE(fftconv::to_string(c.kernel));
    CAPTURE(c.threads);
    const Array<C> image = random_array<C>(c.image, rng);
    const Array<C> kernel = random_array<C>(c.kernel, rng);
    const bool one_frame = c.axes.empty();
    const ComplexReference ref =
        one_frame ? complex_reference(image, kernel, Mode::same, false) : ComplexReference{};
    bool saw_rescue = false;  // automatic ran where the direct method did not fit
    for (double limit = 1 << 16; limit < 1 << 24; limit *= 1.5) {
      CAPTURE(limit);
      Options options;
      options.axes = c.axes;
      options.threads = c.threads;
      options.max_memory_bytes = static_cast<std::size_t>(limit);
      bool any = false, direct = false;
      for (Method method : {Method::direct, Method::fft, Method::overlap_save, Method::automatic}) {
        CAPTURE(testing::name(method));
        options.method = method;
        bool ran = true;
        try {
          run<C, C, C>(Op::convolve, image, kernel, options);
        } catch (const fftconv::Error& e) {
          CHECK(e.code() == fftconv::ErrorCode::out_of_memory);
          ran = false;
        }
        if (method == Method::automatic) {
          CHECK(ran == any);
        } else {
          any = any || ran;
          direct = direct || (ran && method == Method::direct);
        }
        if (ran)
          CHECK_NOTHROW(fftconv::error_bound(image.view(), kernel.view(), options));
        else
          CHECK_THROWS_AS(fftconv::error_bound(image.view(), kernel.view(), options),
                          fftconv::Error);
      }
      options.method = Method::automatic;
      if (any && one_frame)
        check_against_reference<C, C, C>(Op::convolve, image, kernel, ref, options);
      saw_rescue = saw_rescue || (any && !direct);
    }
    CHECK(saw_rescue);
  }
}

TEST_CASE_TEMPLATE("correlate(I, g) = convolve(I, conj(flip(g))) on complex data", T, float,
                   double) {
  using C = std::complex<T>;
  std::mt19937_64 rng(22);
  const Array<C> image = random_array<C>({12, 10}, rng);
  const Array<C> kernel = random_array<C>({5, 4}, rng);
  Array<C> conj_flip = testing::flip(kernel);
  for (C& v : conj_flip.values)
    v = std::conj(v);
  const ComplexReference ref = complex_reference(image, kernel, Mode::full, true);
  for (Method method : {Method::direct, Method::fft}) {
    Options options;
    options.mode = Mode::full;
    options.method = method;
    const Array<C> correlated = run<C, C, C>(Op::correlate, image, kernel, options);
    const Array<C> convolved = run<C, C, C>(Op::convolve, image, conj_flip, options);
    const long double tol = 2 * testing::tolerance<T>(image.shape, kernel.shape, ref.abs_sum_max);
    CHECK(max_part_error(correlated, ref.values) <= tol);
    CHECK(max_part_error(convolved, ref.values) <= tol);
  }
}

TEST_CASE_TEMPLATE("complex linearity (complex weights) and shift, every method", T, float,
                   double) {
  using C = std::complex<T>;
  std::mt19937_64 rng(28);
  // Content in the top-left corner, zeros around it, so a shift by (3, 5) loses nothing.
  Array<C> i1({16, 18}), shifted({16, 18});
  const Array<C> corner = random_array<C>({10, 12}, rng);
  for (std::size_t y = 0; y < 10; ++y)
    for (std::size_t x = 0; x < 12; ++x) {
      i1.values[i1.index({y, x})] = corner.values[corner.index({y, x})];
      shifted.values[shifted.index({y + 3, x + 5})] = corner.values[corner.index({y, x})];
    }
  const Array<C> i2 = random_array<C>({16, 18}, rng);
  const Array<C> g = random_array<C>({4, 5}, rng);
  const C alpha(T(0.75), T(-0.5)), beta(T(-1.25), T(0.25));
  Array<C> mix(i1.shape);
  for (std::size_t i = 0; i < mix.size(); ++i)
    mix.values[i] = alpha * i1.values[i] + beta * i2.values[i];
  for (Op op : {Op::convolve, Op::correlate})
    for (Method method : {Method::direct, Method::fft, Method::overlap_save}) {
      CAPTURE(testing::name(op));
      CAPTURE(testing::name(method));
      Options options;
      options.mode = Mode::full;
      options.method = method;
      const Array<C> a = run<C, C, C>(op, i1, g, options), b = run<C, C, C>(op, i2, g, options);
      const Array<C> m = run<C, C, C>(op, mix, g, options);
      const Array<C> s = run<C, C, C>(op, shifted, g, options);
      // Each result is within 2 tolerance(S) of its exact value (complex_reference's S: sums of
      // moduli). The exact values satisfy m = alpha a + beta b; m's S is at most
      // (|alpha| + |beta|) max(S1, S2) < 2.2 max(S1, S2), and a's and b's errors add with those
      // weights: 2 * 2.2 + 2.2 * 2 = 8.8 tolerances, and the mixed image's own rounding (about
      // u 2.2 S, far below one tolerance) makes it 9. For the shift both sides are the same
      // exact values with the same S: 4 tolerances.
      const ComplexReference r1 = complex_reference(i1, g, Mode::full, op == Op::correlate);
      const ComplexReference r2 = complex_reference(i2, g, Mode::full, op == Op::correlate);
      const long double t1 = testing::tolerance<T>(i1.shape, g.shape, r1.abs_sum_max);
      const long double t2 = testing::tolerance<T>(i1.shape, g.shape, r2.abs_sum_max);
      const long double tol = 9 * std::max(t1, t2);
      for (std::size_t i = 0; i < a.size(); ++i) {
        const std::complex<long double> expected =
            wide(alpha) * wide(a.values[i]) + wide(beta) * wide(b.values[i]);
        CHECK(std::fabs(wide(m.values[i]).real() - expected.real()) <= tol);
        CHECK(std::fabs(wide(m.values[i]).imag() - expected.imag()) <= tol);
      }
      for (std::size_t y = 0; y + 3 < a.shape[0]; ++y)
        for (std::size_t x = 0; x + 5 < a.shape[1]; ++x) {
          const std::complex<long double> u = wide(a.values[a.index({y, x})]);
          const std::complex<long double> v = wide(s.values[s.index({y + 3, x + 5})]);
          CHECK(std::fabs(u.real() - v.real()) <= 4 * t1);
          CHECK(std::fabs(u.imag() - v.imag()) <= 4 * t1);
        }
    }
}

TEST_CASE(
    "complex accuracy targets: double within 1e-15, float within 5e-7 (6e-8 computed in "
    "double), relative to the largest part of the reference") {
  std::mt19937_64 rng(23);
  const Array<std::complex<double>> image = random_array<std::complex<double>>({64, 64}, rng);
  const Array<std::complex<double>> kernel = random_array<std::complex<double>>({9, 9}, rng);
  Array<std::complex<float>> image_f(image.shape), kernel_f(kernel.shape);
  std::transform(image.values.begin(), image.values.end(), image_f.values.begin(),
                 [](std::complex<double> v) { return std::complex<float>(v); });
  std::transform(kernel.values.begin(), kernel.values.end(), kernel_f.values.begin(),
                 [](std::complex<double> v) { return std::complex<float>(v); });
  const ComplexReference ref = complex_reference(image, kernel, Mode::same, false);
  const ComplexReference ref_f = complex_reference(image_f, kernel_f, Mode::same, false);
  for (Method method : {Method::direct, Method::fft}) {
    CAPTURE(testing::name(method));
    Options options;
    options.method = method;
    using CD = std::complex<double>;
    using CF = std::complex<float>;
    CHECK(max_part_error(run<CD, CD, CD>(Op::convolve, image, kernel, options), ref.values) <=
          1e-15L * ref.max_part);
    CHECK(max_part_error(run<CF, CF, CF>(Op::convolve, image_f, kernel_f, options), ref_f.values) <=
          5e-7L * ref_f.max_part);
    options.compute_precision = fftconv::Precision::double_precision;
    const Array<CF> wide = run<CF, CF, CF>(Op::convolve, image_f, kernel_f, options);
    CHECK(max_part_error(wide, ref_f.values) <= 6e-8L * ref_f.max_part);
    CHECK(max_part_error(wide, ref_f.values) <=
          fftconv::error_bound(image_f.view(), kernel_f.view(), options));
    // compare: the parts as separate values (against the long double reference in double).
    Array<CD> exact(ref_f.values.shape);
    for (std::size_t l = 0; l < exact.size(); ++l)
      exact.values[l] = CD(static_cast<double>(ref_f.values.values[l].real()),
                           static_cast<double>(ref_f.values.values[l].imag()));
    const fftconv::ErrorStats stats = fftconv::compare(wide.view(), exact.view());
    CHECK(stats.count == 2 * wide.size());
    CHECK(stats.worst_position.rank() == 3);
    CHECK(stats.max_abs ==
          doctest::Approx(static_cast<double>(max_part_error(wide, ref_f.values))).epsilon(1e-6));
  }
}

TEST_CASE("complex stacks on 2 threads, in place, and refusals") {
  using C = std::complex<double>;
  std::mt19937_64 rng(24);
  const Array<C> stack = random_array<C>({3, 8, 7}, rng);
  const Array<C> kernel = random_array<C>({3, 3}, rng);
  Options options;
  options.axes = {1, 2};
  options.threads = 2;
  const Array<C> batched = run<C, C, C>(Op::correlate, stack, kernel, options);
  for (std::size_t f = 0; f < 3; ++f) {
    Array<C> frame({8, 7});
    std::copy_n(stack.values.begin() + static_cast<std::ptrdiff_t>(f * 56), 56,
                frame.values.begin());
    const ComplexReference ref = complex_reference(frame, kernel, Mode::same, true);
    Array<C> got({8, 7});
    std::copy_n(batched.values.begin() + static_cast<std::ptrdiff_t>(f * 56), 56,
                got.values.begin());
    CHECK(max_part_error(got, ref.values) <=
          2 * testing::tolerance<double>(frame.shape, kernel.shape, ref.abs_sum_max));
  }
  // In place: the output is the image's memory.
  Array<C> in_place = stack;
  fftconv::correlate(in_place.view(), kernel.view(), in_place.view(), options);
  CHECK(in_place.values == batched.values);
  // A real image in place is impossible (the output is complex); a complex image with a real
  // kernel in place:
  const Array<double> real_kernel = random_array<double>({3, 3}, rng);
  const Array<C> expected = run<C, double, C>(Op::convolve, stack, real_kernel, options);
  Array<C> same = stack;
  fftconv::convolve(same.view(), real_kernel.view(), same.view(), options);
  CHECK(same.values == expected.values);

  Array<C> out(stack.shape);
  const std::vector<C> untouched = out.values;
  Options clamp = options;
  clamp.nonnegative = true;
  CHECK_THROWS_WITH_AS(fftconv::convolve(stack.view(), kernel.view(), out.view(), clamp),
                       doctest::Contains("options.nonnegative is for real data"), fftconv::Error);
  // (a Filter names itself once)
  Options filter_clamp;
  filter_clamp.nonnegative = true;
  CHECK_THROWS_WITH_AS(fftconv::Filter<C>(kernel.view(), {8, 7}, Op::convolve, filter_clamp),
                       "fftconv::Filter: options.nonnegative is for real data (complex numbers "
                       "have no sign)",
                       fftconv::Error);
  Options missing = options;
  missing.nan_policy = fftconv::NanPolicy::interpolate;
  CHECK_THROWS_WITH_AS(fftconv::convolve(stack.view(), kernel.view(), out.view(), missing),
                       doctest::Contains("nan_policy must be propagate for complex data"),
                       fftconv::Error);
  CHECK_THROWS_WITH_AS(fftconv::convolve(stack.view(), kernel.view(),
                                         View<C>(out.values.data(), {3, 8, 6}), options),
                       doctest::Contains("out has shape 3x8x6, expected 3x8x7"), fftconv::Error);
  CHECK(out.values == untouched);
}

TEST_CASE_TEMPLATE("Filter of complex data equals convolve, and filters stacks", T, float, double) {
  using C = std::complex<T>;
  std::mt19937_64 rng(25);
  const Array<C> kernel = random_array<C>({5, 6}, rng);
  const Array<C> stack = random_array<C>({3, 20, 17}, rng);
  for (Method method : {Method::direct, Method::fft, Method::automatic})
    for (Op op : {Op::convolve, Op::correlate}) {
      CAPTURE(testing::name(method));
      Options options;
      options.method = method;
      options.boundary = Boundary::constant;
      options.fill_value = -0.5;
      const fftconv::Filter<C> filter(kernel.view(), {20, 17}, op, options);
      CHECK(filter.output_shape() == Shape{20, 17});
      Array<C> filtered(stack.shape);
      filter.apply(stack.view(), filtered.view());
      options.axes = {1, 2};
      CHECK(filtered.values == run<C, C, C>(op, stack, kernel, options).values);
    }
}

TEST_CASE("Eigen complex matrices and arrays, and mixed real and complex") {
  const Eigen::MatrixXcd image = Eigen::MatrixXcd::Random(13, 11);
  const Eigen::MatrixXcd kernel = Eigen::MatrixXcd::Random(4, 3);
  const Eigen::MatrixXd real_image = Eigen::MatrixXd::Random(13, 11);
  Options options;
  options.mode = Mode::full;
  const Eigen::MatrixXcd full = fftconv::convolve(image, kernel, options);
  CHECK(full.rows() == 16);
  CHECK(full.cols() == 13);
  Eigen::MatrixXcd via_views(16, 13);
  fftconv::convolve(ConstView<std::complex<double>>(image.data(), {13, 11}, {1, 13}),
                    ConstView<std::complex<double>>(kernel.data(), {4, 3}, {1, 4}),
                    View<std::complex<double>>(via_views.data(), {16, 13}, {1, 16}), options);
  CHECK(full == via_views);
  // A real image with a complex kernel: a complex result of the image's kind.
  const Eigen::MatrixXcd mixed = fftconv::correlate(real_image, kernel);
  const Eigen::MatrixXcd promoted =
      fftconv::correlate(Eigen::MatrixXcd(real_image.cast<std::complex<double>>()), kernel);
  CHECK((mixed - promoted).cwiseAbs().maxCoeff() <= 1e-13);
  // Arrays of complex<float>, row-major, and the rows of a matrix along axis 1 only.
  using RowArray =
      Eigen::Array<std::complex<float>, Eigen::Dynamic, Eigen::Dynamic, Eigen::RowMajor>;
  const RowArray a = RowArray::Random(6, 9);
  const Eigen::Array<std::complex<float>, 1, Eigen::Dynamic> row =
      Eigen::Array<std::complex<float>, 1, Eigen::Dynamic>::Random(1, 3);
  Options along_rows;
  along_rows.axes = {1};
  const RowArray filtered = fftconv::convolve(
      a, Eigen::Array<std::complex<float>, Eigen::Dynamic, Eigen::Dynamic>(row), along_rows);
  for (Eigen::Index r = 0; r < a.rows(); ++r) {
    const Eigen::Array<std::complex<float>, 1, Eigen::Dynamic> one = a.row(r);
    const Eigen::Array<std::complex<float>, 1, Eigen::Dynamic> expected =
        fftconv::convolve(one, row);
    CHECK((filtered.row(r) - expected).abs().maxCoeff() == 0.0f);
  }
}

TEST_CASE("the reference may write over its own kernel (complex data, and a batch of frames)") {
  using C = std::complex<double>;
  std::mt19937_64 rng(26);
  // Complex: out is the kernel's buffer (same mode, image and kernel of one shape).
  const Array<C> image = random_array<C>({6, 5}, rng);
  const Array<C> kernel = random_array<C>({6, 5}, rng);
  Array<C> expected(image.shape);
  fftconv::reference_correlate(image.view(), kernel.view(), expected.view());
  Array<C> shared = kernel;
  fftconv::reference_correlate(image.view(), shared.view(), shared.view());
  CHECK(shared.values == expected.values);
  // Real, two frames with their own kernels: the output one frame on in the kernels' buffer.
  const Array<double> frames = random_array<double>({2, 5}, rng);
  std::vector<double> buffer(15);
  const Array<double> kernels = random_array<double>({2, 5}, rng);
  std::copy(kernels.values.begin(), kernels.values.end(), buffer.begin());
  Options options;
  options.axes = {1};
  Array<double> separate({2, 5});
  fftconv::reference_convolve(frames.view(), kernels.view(), separate.view(), options);
  fftconv::reference_convolve(frames.view(), ConstView<double>(buffer.data(), {2, 5}),
                              View<double>(buffer.data() + 5, {2, 5}), options);
  CHECK(std::equal(separate.values.begin(), separate.values.end(), buffer.begin() + 5));
}

TEST_CASE("max_memory_bytes bounds per-frame kernels and complex data together") {
  using C = std::complex<double>;
  std::mt19937_64 rng(27);
  const Array<C> image = random_array<C>({64, 64}, rng);
  const Array<C> kernel = random_array<C>({9, 9}, rng);
  Options options;
  options.method = Method::fft;
  // The bytes one real fft pipeline of this problem counts: a complex call's spectral form needs
  // more (two spectra, two work arrays), and its four-term form two such pipelines (a complex
  // kernel's parts) plus its term buffers, so that much is refused (by the four-term form, tried
  // when the spectral form does not fit), and the call fits when the limit covers everything.
  const Array<double> real_kernel({9, 9});
  Options real = options;
  std::size_t one = 0;
  for (std::size_t limit = 1024; one == 0; limit *= 2) {
    real.max_memory_bytes = limit;
    try {
      const fftconv::Filter<double> f(real_kernel.view(), {64, 64}, Op::convolve, real);
      one = limit;
    } catch (const fftconv::Error&) {
    }
  }
  Array<C> out(image.shape);
  options.max_memory_bytes = one;
  CHECK_THROWS_WITH_AS(fftconv::convolve(image.view(), kernel.view(), out.view(), options),
                       doctest::Contains("the rest is shared by 2 real pipelines"), fftconv::Error);
  options.max_memory_bytes = 64 * one;
  CHECK_NOTHROW(fftconv::convolve(image.view(), kernel.view(), out.view(), options));
  // Per-frame kernels: 8 frames' spectra are counted before any is made.
  const Array<double> stack = random_array<double>({8, 64, 64}, rng);
  const Array<double> kernels = random_array<double>({8, 9, 9}, rng);
  Options batch = real;
  batch.axes = {1, 2};
  batch.max_memory_bytes = 2 * one;
  CHECK_THROWS_WITH_AS(fftconv::Filter<double>(kernels.view(), {8, 64, 64}, Op::convolve, batch),
                       doctest::Contains("kernel frames' pipelines"), fftconv::Error);
}

// Options::origin on complex data: every shift of the window a (5, 4) kernel allows, on every
// method (the spectral form's FFT paths and the four real terms of direct), for both operations,
// against the reference's shifted window, and within error_bound.
template <class I, class K, class O>
void check_origin(std::mt19937_64& rng) {
  const Array<I> image = random_array<I>({13, 11}, rng);
  const Array<K> kernel = random_array<K>({5, 4}, rng);
  for (std::ptrdiff_t o0 = -2; o0 <= 2; ++o0)
    for (std::ptrdiff_t o1 = -1; o1 <= 2; ++o1)
      for (Op op : {Op::convolve, Op::correlate}) {
        CAPTURE(o0);
        CAPTURE(o1);
        CAPTURE(testing::name(op));
        const fftconv::Offsets origin{o0, o1};
        const ComplexReference ref = complex_reference(
            image, kernel, Mode::same, op == Op::correlate, Boundary::reflect, 0, origin);
        Options options;
        options.boundary = Boundary::reflect;
        options.origin = origin;
        for (Method method : {Method::direct, Method::fft, Method::overlap_save}) {
          CAPTURE(testing::name(method));
          options.method = method;
          check_against_reference<I, K, O>(op, image, kernel, ref, options);
        }
      }
}

TEST_CASE_TEMPLATE("complex data with Options::origin: every allowed shift and method", T, float,
                   double) {
  std::mt19937_64 rng(23);
  using C = std::complex<T>;
  check_origin<C, C, C>(rng);
  check_origin<T, C, C>(rng);
  check_origin<C, T, C>(rng);
}
