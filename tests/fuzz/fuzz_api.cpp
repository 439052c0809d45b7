// libFuzzer target for the C++ API: arbitrary ranks, shapes, strides (including negative, zero
// and self-overlapping), enum values, memory limits and data bits (NaN, Inf, denormals) go to
// convolve / correlate. The target fails (aborts) when
//   - anything but fftconv::Error escapes,
//   - (flag 64) the same call on a stack of two copies of the image along a batch axis differs
//     from it bit for bit, frame by frame, or complex data built from the image and kernel
//     differs from the real calls on its parts,
//   - a refused call wrote to its output,
//   - an accepted call on finite data disagrees with a long double direct sum by more than the
//     tests' tolerance 16 * eps * log2(2P) * S (see tests/support/reference.hpp),
// (plus the FFT's bound through the 1-norms of the extended image and the kernel, for
// adversarial values), or by more than fftconv::error_bound (also with
// compute_precision = double_precision and nonnegative, on non-negative data),
// and, under AddressSanitizer, when the library touches memory outside the views.
// Built with clang -fsanitize=fuzzer,address,undefined (FFTCONV_FUZZ=ON), and as a replay
// program over the committed corpus in the ordinary test suite (replay_main.cpp).
#include <algorithm>
#include <cmath>
#include <complex>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <limits>
#include <memory>
#include <vector>

#include "../support/reference.hpp"
#include "../support/test_data.hpp"
#include "fftconv/fftconv.hpp"

namespace {

class Bytes {
 public:
  Bytes(const std::uint8_t* data, std::size_t size) : data_(data), size_(size) {}
  std::uint8_t byte() { return pos_ < size_ ? data_[pos_++] : 0; }
  template <class T>
  T value() {
    T v{};
    std::uint8_t raw[sizeof(T)] = {};
    for (auto& b : raw)
      b = byte();
    std::memcpy(&v, raw, sizeof v);
    return v;
  }
  bool empty() const { return pos_ >= size_; }

 private:
  const std::uint8_t* data_;
  std::size_t size_, pos_ = 0;
};

[[noreturn]] void fail(const char* why) {
  std::fprintf(stderr, "fuzz_api: %s\n", why);
  std::abort();
}

template <class T>
T at(const fftconv::View<T>& v, std::size_t linear) {
  std::ptrdiff_t off = 0;
  for (int a = v.rank() - 1; a >= 0; --a) {
    off += static_cast<std::ptrdiff_t>(linear % v.extent(a)) * v.stride(a);
    linear /= v.extent(a);
  }
  return v.data()[off];
}

// Options::origin as messages show it ("-" when empty).
std::string origin_string(const fftconv::Offsets& origin) {
  std::string s;
  for (std::ptrdiff_t v : origin)
    s += (s.empty() ? "" : ",") + std::to_string(v);
  return s.empty() ? "-" : s;
}

// Options::origin along axis a (empty: 0).
long long shift(const fftconv::Offsets& origin, int a) {
  return origin.empty() ? 0 : static_cast<long long>(origin[a]);
}

// Long double direct sum at output `o` (multi-index as a linear C-order index of out), plus S,
// the image extended by `rule` (testing::extended_index, the tests' own rule arithmetic).
template <class T>
long double reference(const fftconv::View<T>& image, const fftconv::View<T>& kernel,
                      const fftconv::Shape& out_shape, fftconv::Mode mode, bool correlate,
                      fftconv::Boundary rule, long double fill, const fftconv::Offsets& origin,
                      std::size_t o, long double* abs_sum) {
  const int r = image.rank();
  std::size_t oi[3] = {0, 0, 0};
  for (int a = r - 1; a >= 0; --a) {
    oi[a] = o % out_shape[a];
    o /= out_shape[a];
  }
  long double sum = 0, abs = 0;
  for (std::size_t m = 0; m < kernel.size(); ++m) {
    std::size_t mi[3] = {0, 0, 0}, rest = m;
    for (int a = r - 1; a >= 0; --a) {
      mi[a] = rest % kernel.extent(a);
      rest /= kernel.extent(a);
    }
    std::size_t lin = 0;
    bool inside = true;
    for (int a = 0; a < r && inside; ++a) {
      const auto n = static_cast<long long>(image.extent(a));
      const auto k = static_cast<long long>(kernel.extent(a));
      const long long start = mode == fftconv::Mode::full   ? 0
                              : mode == fftconv::Mode::same ? (k - 1) / 2 + shift(origin, a)
                                                            : k - 1;
      const long long f = start + static_cast<long long>(oi[a]);
      const long long i = correlate ? f - (k - 1) + static_cast<long long>(mi[a])
                                    : f - static_cast<long long>(mi[a]);
      const long long e = testing::extended_index(rule, i, n);
      inside = inside && e >= 0;
      lin = lin * image.extent(a) + static_cast<std::size_t>(e < 0 ? 0 : e);
    }
    const long double outside = rule == fftconv::Boundary::constant ? fill : 0;
    const long double t =
        (inside ? static_cast<long double>(at(image, lin)) : outside) * at(kernel, m);
    sum += t;
    abs += std::fabs(t);
  }
  *abs_sum = abs;
  return sum;
}

// Sum of |extended image| over the region the output window of `mode` reads.
template <class T>
long double extended_l1(const fftconv::View<T>& image, const fftconv::Shape& kernel_shape,
                        fftconv::Mode mode, fftconv::Boundary rule, double fill,
                        const fftconv::Offsets& origin) {
  const int r = image.rank();
  long long lo[3] = {0, 0, 0}, count[3] = {1, 1, 1};
  for (int a = 0; a < r; ++a) {
    const auto n = static_cast<long long>(image.extent(a));
    const auto k = static_cast<long long>(kernel_shape[a]);
    const long long start = mode == fftconv::Mode::full   ? 0
                            : mode == fftconv::Mode::same ? (k - 1) / 2 + shift(origin, a)
                                                          : k - 1;
    const long long out = mode == fftconv::Mode::full   ? n + k - 1
                          : mode == fftconv::Mode::same ? n
                                                        : std::max(n - k + 1, 0LL);
    lo[a] = start - (k - 1);
    count[a] = out + k - 1;
  }
  long double sum = 0;
  for (long long i0 = 0; i0 < count[0]; ++i0)
    for (long long i1 = 0; i1 < count[1]; ++i1)
      for (long long i2 = 0; i2 < count[2]; ++i2) {
        const long long pos[3] = {lo[0] + i0, lo[1] + i1, lo[2] + i2};
        std::size_t lin = 0;
        bool inside = true;
        for (int a = 0; a < r; ++a) {
          const long long e =
              testing::extended_index(rule, pos[a], static_cast<long long>(image.extent(a)));
          inside = inside && e >= 0;
          lin = lin * image.extent(a) + static_cast<std::size_t>(e < 0 ? 0 : e);
        }
        sum += inside ? std::fabs(static_cast<long double>(at(image, lin)))
                      : (rule == fftconv::Boundary::constant ? std::fabs(fill) : 0.0L);
      }
  return sum;
}

// The call on a stack of two copies of the image along a new leading (batch) axis, with
// options.axes naming the image's own axes: each frame equals the call on the image alone bit for
// bit, NaN payloads aside (one thread each, no memory limit: the same method and arithmetic), or
// both are refused.
template <class T>
void check_batched(const fftconv::View<T>& image, const fftconv::View<T>& kernel,
                   const fftconv::Shape& out_shape, fftconv::Options options, bool correlate) {
  options.threads = 1;
  const auto call = [correlate](fftconv::ConstView<T> i, fftconv::ConstView<T> k,
                                fftconv::View<T> o, const fftconv::Options& opt) {
    if (correlate)
      fftconv::correlate(i, k, o, opt);
    else
      fftconv::convolve(i, k, o, opt);
  };
  const std::size_t n = image.size(), m = fftconv::element_count(out_shape);
  std::vector<T> single(m);
  try {
    call(fftconv::ConstView<T>(image), fftconv::ConstView<T>(kernel),
         fftconv::View<T>(single.data(), out_shape), options);
  } catch (const fftconv::Error&) {
    return;
  }
  std::vector<T> stack(2 * n), dense_kernel(kernel.size()), both(2 * m, T(-7));
  for (std::size_t i = 0; i < n; ++i)
    stack[i] = stack[n + i] = at(image, i);
  for (std::size_t i = 0; i < kernel.size(); ++i)
    dense_kernel[i] = at(kernel, i);
  fftconv::Shape is{2}, ks{1}, os{2};
  fftconv::Options batched = options;
  if (!options.origin.empty()) batched.origin = fftconv::Offsets{0};  // (the batch axis: 0)
  for (int a = 0; a < image.rank(); ++a) {
    is.push_back(image.extent(a));
    ks.push_back(kernel.extent(a));
    os.push_back(out_shape[a]);
    batched.axes.push_back(a + 1);
    if (!options.origin.empty()) batched.origin.push_back(options.origin[a]);
  }
  try {
    call(fftconv::ConstView<T>(stack.data(), is), fftconv::ConstView<T>(dense_kernel.data(), ks),
         fftconv::View<T>(both.data(), os), batched);
  } catch (const fftconv::Error&) {
    fail("a batch of frames an accepted call takes was refused");
  }
  // (NaN matches NaN: which operand's payload a NaN carries may depend on where a value falls in
  // a SIMD row, and the frames sit elsewhere in memory than the image alone)
  for (std::size_t f = 0; f < 2; ++f)
    for (std::size_t i = 0; i < m; ++i) {
      const T x = both[f * m + i], y = single[i];
      if (std::memcmp(&x, &y, sizeof(T)) != 0 && !(std::isnan(x) && std::isnan(y)))
        fail("a frame of a batch differs from the call on that frame alone");
    }
}

// Complex data on the same problem: the image a as a + i a with the real kernel g, and a with the
// complex kernel g + i g. Each part is one real operation on the parts (core/complex_pipeline),
// so it equals the real call: re = R(a, g), im = R(a, g) with the fill value's imaginary part 0,
// or s R(a, g) (s = -1 for correlation, which conjugates the kernel). Compared by value (a NaN
// matches a NaN: negation and multiplication by -1 may leave its sign bit differently).
template <class T>
void check_complex(const fftconv::View<T>& image, const fftconv::View<T>& kernel,
                   const fftconv::Shape& out_shape, fftconv::Options options, bool correlate) {
  using C = std::complex<T>;
  options.threads = 1;
  const fftconv::Shape is = image.shape(), ks = kernel.shape();
  const std::size_t n = image.size(), k = kernel.size(), m = fftconv::element_count(out_shape);
  std::vector<T> a(n), g(k), real(m), real_zero(m);
  std::vector<C> za(n), zg(k), out(m);
  for (std::size_t i = 0; i < n; ++i) {
    a[i] = at(image, i);
    za[i] = C(a[i], a[i]);
  }
  for (std::size_t i = 0; i < k; ++i) {
    g[i] = at(kernel, i);
    zg[i] = C(g[i], g[i]);
  }
  fftconv::Options zero_fill = options;
  zero_fill.fill_value = 0;
  const auto same = [](T x, T y) { return x == y || (std::isnan(x) && std::isnan(y)); };
  try {
    const auto run_real = [&](std::vector<T>& dst, const fftconv::Options& o) {
      const fftconv::View<T> v(dst.data(), out_shape);
      if (correlate)
        fftconv::correlate(fftconv::ConstView<T>(a.data(), is), fftconv::ConstView<T>(g.data(), ks),
                           v, o);
      else
        fftconv::convolve(fftconv::ConstView<T>(a.data(), is), fftconv::ConstView<T>(g.data(), ks),
                          v, o);
    };
    run_real(real, options);
    run_real(real_zero, zero_fill);
  } catch (const fftconv::Error&) {
    return;  // (e.g. nonnegative with negative data: refused for the real call too)
  }
  options.nonnegative = false;  // (refused for complex data)
  const fftconv::View<C> zo(out.data(), out_shape);
  if (correlate)
    fftconv::correlate(fftconv::ConstView<C>(za.data(), is), fftconv::ConstView<T>(g.data(), ks),
                       zo, options);
  else
    fftconv::convolve(fftconv::ConstView<C>(za.data(), is), fftconv::ConstView<T>(g.data(), ks), zo,
                      options);
  for (std::size_t i = 0; i < m; ++i)
    if (!same(out[i].real(), real[i]) || !same(out[i].imag(), real_zero[i]))
      fail("a complex image with a real kernel differs from the real calls on its parts");
  if (correlate)
    fftconv::correlate(fftconv::ConstView<T>(a.data(), is), fftconv::ConstView<C>(zg.data(), ks),
                       zo, options);
  else
    fftconv::convolve(fftconv::ConstView<T>(a.data(), is), fftconv::ConstView<C>(zg.data(), ks), zo,
                      options);
  for (std::size_t i = 0; i < m; ++i)
    if (!same(out[i].real(), real[i]) || !same(out[i].imag(), correlate ? -real[i] : real[i]))
      fail("a real image with a complex kernel differs from the real calls on its parts");
}

template <class T>
void run(Bytes& in) {
  const int rank = in.byte() % 5;  // 0 and 4 are invalid
  const auto mode = static_cast<fftconv::Mode>(static_cast<std::int8_t>(in.byte()) % 5);
  const auto method = static_cast<fftconv::Method>(static_cast<std::int8_t>(in.byte()) % 5);
  const std::uint8_t flags = in.byte();
  const bool correlate = flags & 1;
  fftconv::Shape image_shape, kernel_shape;
  const int max_extent = rank <= 1 ? 40 : rank == 2 ? 12 : 6;
  for (int a = 0; a < std::min(rank, 3); ++a) {
    image_shape.push_back(in.byte() % (max_extent + 1));  // 0 is invalid
    kernel_shape.push_back(in.byte() % (max_extent + 1));
  }
  if (rank == 4) image_shape = fftconv::Shape{};
  fftconv::Options options;
  options.mode = mode;
  options.method = method;
  options.boundary = static_cast<fftconv::Boundary>(in.byte() % 7);  // 6 is invalid
  options.fill_value = static_cast<double>(static_cast<std::int8_t>(in.byte())) / 8;
  const std::uint8_t run_flags = in.byte();
  options.threads = static_cast<int>(run_flags % 5) - 1;  // -1 is invalid; 0 = all cores
  // estimate, or an unknown value (measure would make every new shape cost milliseconds)
  options.planning =
      (run_flags & 0x80) ? static_cast<fftconv::Planning>(7) : fftconv::Planning::estimate;
  if (flags & 2) options.max_memory_bytes = static_cast<std::size_t>(in.byte()) * 64;
  if (flags & 16) options.compute_precision = fftconv::Precision::double_precision;
  // nonnegative: a promise about the data, kept by making the data non-negative.
  const bool nonnegative = flags & 32;
  options.nonnegative = nonnegative;
  if (nonnegative) options.fill_value = std::fabs(options.fill_value);
  // Options::origin: shifts of -1..2 per axis (out of range for short kernels, or in modes
  // other than same: refused).
  const std::uint8_t shifts = in.byte();
  if (shifts & 1)
    for (int a = 0; a < image_shape.rank(); ++a)
      options.origin.push_back(((shifts >> (1 + 2 * a)) & 3) - 1);

  fftconv::Shape out_shape;
  bool shapes_valid = true;
  try {
    out_shape = fftconv::output_shape(image_shape, kernel_shape, mode);
  } catch (const fftconv::Error&) {
    shapes_valid = false;
    out_shape = image_shape;
  }
  const bool wrong_shape = (flags & 4) && out_shape.rank() > 0;
  if (wrong_shape) out_shape[0] += 1;  // a wrong output shape
  // Layouts (tests/support/test_data.hpp): inputs up to broadcast (every stride 0), outputs the
  // four ordinary ones or, with flag 8, overlapping (must be refused unless it has one element).
  using testing::Layout;
  const auto layout = [](std::uint8_t b, int count) { return static_cast<Layout>(b % count); };
  testing::Stored<T> image(image_shape, layout(in.byte(), 5));
  testing::Stored<T> kernel(kernel_shape, layout(in.byte(), 5));
  testing::Stored<T> out(out_shape, (flags & 8) ? Layout::overlapping : layout(in.byte(), 4));
  for (T& v : image.storage)
    v = in.empty() ? T(0.25) : in.value<T>();
  for (T& v : kernel.storage)
    v = in.empty() ? T(-0.5) : in.value<T>();
  if (nonnegative) {
    for (T& v : image.storage)
      v = std::fabs(v);
    for (T& v : kernel.storage)
      v = std::fabs(v);
  }
  const std::vector<T> before = out.storage;

  bool accepted = true;
  try {
    if (correlate)
      fftconv::correlate(fftconv::ConstView<T>(image.view), kernel.view, out.view, options);
    else
      fftconv::convolve(fftconv::ConstView<T>(image.view), kernel.view, out.view, options);
  } catch (const fftconv::Error&) {
    accepted = false;
  }
  if (!accepted) {
    if (std::memcmp(before.data(), out.storage.data(), before.size() * sizeof(T)) != 0)
      fail("a refused call wrote to its output");
    return;
  }
  if (!shapes_valid) fail("a call with invalid shapes was accepted");
  if (wrong_shape) fail("an output of the wrong shape was accepted");
  if ((flags & 64) && !(flags & 2)) {
    check_batched(image.view, kernel.view, out_shape, options, correlate);
    // (float computed in double: the complex path widens its parts itself, and may choose by
    // another cost than the widened real call; nonnegative data only keep the real calls valid)
    if (options.compute_precision == fftconv::Precision::native && !options.nonnegative &&
        !options.normalize_kernel)
      check_complex(image.view, kernel.view, out_shape, options, correlate);
  }
  // Accepted: compare with the reference when every input is finite (NaN/Inf behaviour is
  // method-specific and tested separately).
  // The FFT's spectra reach ||image||_1, ||kernel||_1 and their product (and FFTW's butterflies a
  // small constant factor more): beyond the type's range they overflow to Inf/NaN by design
  // (README, "Errors and guarantees"), so compare only with headroom 16 below it.
  // The 1-norm of what the FFT transforms: the image extended by the rule (fill values
  // included) over the region the output window reads, per axis [start - (k - 1), start + out).
  long double kernel_l1 = 0;
  const long double image_l1 = extended_l1(image.view, kernel_shape, mode, options.boundary,
                                           options.fill_value, options.origin);
  for (std::size_t i = 0; i < kernel.view.size(); ++i)
    kernel_l1 += std::fabs(at(kernel.view, i));
  if (!std::isfinite(image_l1) || !std::isfinite(kernel_l1)) return;
  const long double headroom = static_cast<long double>(std::numeric_limits<T>::max()) / 16;
  if (!(image_l1 < headroom && kernel_l1 < headroom && image_l1 * kernel_l1 < headroom)) return;
  long double P = 1;
  for (int a = 0; a < image_shape.rank(); ++a)
    P *= static_cast<long double>(image_shape[a] + kernel_shape[a]);
  const long double eps = std::numeric_limits<T>::epsilon();
  std::vector<long double> ref(out.view.size()), sums(out.view.size());
  long double S = 0;
  for (std::size_t o = 0; o < out.view.size(); ++o) {
    ref[o] = reference(image.view, kernel.view, out_shape, mode, correlate, options.boundary,
                       options.fill_value, options.origin, o, &sums[o]);
    S = std::max(S, sums[o]);
  }
  // The tests' tolerance 16 eps log2(2P) S models typical data (and bounds the direct path's
  // summation chains here). Fuzz data are adversarial: a few huge values that cancel at one
  // output. The FFT's error is bounded through its spectra, each at most ||x||_1 ||g||_1: about
  // eps log2(P) ||x||_1 ||g||_1 per transform, three transforms; 8 covers it with margin.
  // Denormals carry fewer bits: a spectrum value rounded on the denormal grid (the kernel's, with
  // 1/N folded in, or the image's) errs by up to denorm_min per transform stage, times the other
  // factor's 1-norm.
  const long double denorm = std::numeric_limits<T>::denorm_min();
  const long double tol = eps * std::log2(2 * P) * (16 * S + 8 * image_l1 * kernel_l1) +
                          8 * std::log2(2 * P) * denorm * (image_l1 + kernel_l1 + 1);
  for (std::size_t o = 0; o < out.view.size(); ++o) {
    const long double got = at(out.view, o);
    if (!(std::fabs(got - ref[o]) <= tol)) {
      std::fprintf(stderr,
                   "%s %s image %s kernel %s mode %d method %d, S %.3Lg, |image|_1 %.3Lg, "
                   "|kernel|_1 %.3Lg\noutput %zu: got %.17Lg, reference %.17Lg, tolerance %.3Lg\n",
                   sizeof(T) == 4 ? "float" : "double", correlate ? "correlate" : "convolve",
                   fftconv::to_string(image_shape).c_str(),
                   fftconv::to_string(kernel_shape).c_str(), static_cast<int>(mode),
                   static_cast<int>(method), S, image_l1, kernel_l1, o, got, ref[o], tol);
      fail("result disagrees with the long double reference");
    }
  }
  // error_bound: the worst-case bound holds on every accepted call with finite data, and the
  // probabilistic one is no larger (it is a model, so it is not held to the fuzz data). The
  // long double reference itself errs by up to K 2^-64 S (K kernel values), and the data are
  // finite here, so error_bound must not throw.
  const fftconv::Operation operation =
      correlate ? fftconv::Operation::correlate : fftconv::Operation::convolve;
  const double bound =
      fftconv::error_bound(fftconv::ConstView<T>(image.view), kernel.view, options, operation);
  const double likely = fftconv::error_bound(fftconv::ConstView<T>(image.view), kernel.view,
                                             options, operation, fftconv::Guarantee::probabilistic);
  if (!(likely <= bound)) {
    std::fprintf(stderr, "%s, image %s kernel %s: worst case %.17g, probabilistic %.17g\n",
                 sizeof(T) == 4 ? "float" : "double", fftconv::to_string(image_shape).c_str(),
                 fftconv::to_string(kernel_shape).c_str(), bound, likely);
    fail("the probabilistic bound exceeds the worst-case bound");
  }
  const long double kernel_count = static_cast<long double>(fftconv::element_count(kernel_shape));
  const long double reference_error =
      2 * kernel_count * std::numeric_limits<long double>::epsilon() * S;
  for (std::size_t o = 0; o < out.view.size(); ++o) {
    const long double error = std::fabs(static_cast<long double>(at(out.view, o)) - ref[o]);
    if (!(error <= static_cast<long double>(bound) + reference_error)) {
      std::fprintf(stderr,
                   "%s %s image %s kernel %s mode %d method %d (ran %s) boundary %d fill %g "
                   "compute %d nonnegative %d origin %s, S %.3Lg\noutput %zu: got %.17Lg, "
                   "reference %.17Lg, error %.3Lg, error_bound %.3g\n",
                   sizeof(T) == 4 ? "float" : "double", correlate ? "correlate" : "convolve",
                   fftconv::to_string(image_shape).c_str(),
                   fftconv::to_string(kernel_shape).c_str(), static_cast<int>(mode),
                   static_cast<int>(method),
                   fftconv::to_string(fftconv::chosen_method(kernel.view, image_shape, options)),
                   static_cast<int>(options.boundary), options.fill_value,
                   static_cast<int>(options.compute_precision), nonnegative,
                   origin_string(options.origin).c_str(), S, o,
                   static_cast<long double>(at(out.view, o)), ref[o], error, bound);
      fail("error_bound was exceeded");
    }
  }
  if (nonnegative)
    for (std::size_t o = 0; o < out.view.size(); ++o)
      if (at(out.view, o) < 0) fail("nonnegative left a negative output");
  // The 1-norm term above is the FFT's; the direct sum's error is bounded by S alone. Run the
  // same problem with the direct method into a dense output and hold it to the tight tolerance,
  // so a wrong extended value on the direct path cannot hide behind one huge input.
  fftconv::Options direct = options;
  direct.method = fftconv::Method::direct;
  std::vector<T> dense(out.view.size());
  try {
    const fftconv::View<T> dense_view(dense.data(), out_shape);
    if (correlate)
      fftconv::correlate(fftconv::ConstView<T>(image.view), kernel.view, dense_view, direct);
    else
      fftconv::convolve(fftconv::ConstView<T>(image.view), kernel.view, dense_view, direct);
  } catch (const fftconv::Error&) {
    return;  // the direct method does not fit options.max_memory_bytes here
  }
  // Under gradual underflow every product and every addition may err by half a denorm_min in
  // absolute terms: 2 K operations per output for K kernel values.
  const long double taps = static_cast<long double>(fftconv::element_count(kernel_shape));
  const long double tight = 16 * eps * std::log2(2 * P) * S + (2 * taps + 8) * denorm;
  for (std::size_t o = 0; o < dense.size(); ++o)
    if (!(std::fabs(static_cast<long double>(dense[o]) - ref[o]) <= tight)) {
      std::fprintf(stderr, "direct output %zu: got %.17Lg, reference %.17Lg, tolerance %.3Lg\n", o,
                   static_cast<long double>(dense[o]), ref[o], tight);
      fail("the direct method disagrees with the long double reference");
    }
}

/// The rest of the input drives convolve_masked with every NanPolicy: a refused call writes
/// nothing; an accepted one with tame data (small values, NaN and inf pixels, a mask) and a
/// kernel without negative taps keeps each interpolated value inside the range of the valid data
/// and each weight inside [0, sum |k|]; with nothing missing, propagate and fill equal plain
/// convolve bit for bit and every weight is the same (the kernel's sum).
template <class T>
void missing_pixels(Bytes& in) {
  const int rank = 1 + in.byte() % 3;
  const std::size_t max_extent = rank == 1 ? 30 : rank == 2 ? 10 : 5;
  fftconv::Shape image_shape, kernel_shape;
  for (int a = 0; a < rank; ++a) {
    image_shape.push_back(1 + in.byte() % max_extent);
    kernel_shape.push_back(1 + in.byte() % max_extent);
  }
  fftconv::Options options;
  options.mode = static_cast<fftconv::Mode>(in.byte() % 3);
  options.boundary = static_cast<fftconv::Boundary>(in.byte() % 6);
  options.fill_value = static_cast<double>(in.byte() % 16) / 4;  // non-negative: tame data
  options.method = static_cast<fftconv::Method>(in.byte() % 3);
  options.nan_policy = static_cast<fftconv::NanPolicy>(in.byte() % 4);  // 3 is invalid
  const std::uint8_t flags = in.byte();
  options.preserve_nan = flags & 1;
  options.normalize_kernel = flags & 2;
  if (flags & 4) options.compute_precision = fftconv::Precision::double_precision;
  options.min_weight = (flags & 8) ? static_cast<double>(in.byte() % 8) / 8 : 1e-3;
  if (flags & 16) options.min_weight = -1;  // invalid
  const bool raw = flags & 32;              // raw bits: any value, including huge ones
  const fftconv::Shape out_shape = fftconv::output_shape(image_shape, kernel_shape, options.mode);
  std::vector<T> image(fftconv::element_count(image_shape)),
      kernel(fftconv::element_count(kernel_shape));
  std::unique_ptr<bool[]> mask(new bool[image.size()]);
  bool anything_missing = false;
  for (std::size_t i = 0; i < image.size(); ++i) {
    const std::uint8_t b = in.byte();
    image[i] = raw           ? in.value<T>()
               : b % 13 == 1 ? std::numeric_limits<T>::quiet_NaN()
               : b % 13 == 2 ? std::numeric_limits<T>::infinity()
                             : static_cast<T>(b % 64) / 8;
    mask[i] = b % 11 == 3;
    anything_missing = anything_missing || mask[i] || !std::isfinite(image[i]);
  }
  for (T& v : kernel)
    v = raw ? in.value<T>() : static_cast<T>(in.byte() % 32) / 16;
  const T sentinel = T(12345);
  std::vector<T> values(fftconv::element_count(out_shape), sentinel),
      weight(values.size(), sentinel);
  try {
    fftconv::convolve_masked(fftconv::ConstView<T>(image.data(), image_shape),
                             fftconv::ConstView<bool>(mask.get(), image_shape),
                             fftconv::ConstView<T>(kernel.data(), kernel_shape),
                             fftconv::View<T>(values.data(), out_shape),
                             fftconv::View<T>(weight.data(), out_shape), options);
  } catch (const fftconv::Error&) {
    for (std::size_t i = 0; i < values.size(); ++i)
      if (!(values[i] == sentinel && weight[i] == sentinel))
        fail("a refused convolve_masked wrote to its outputs");
    return;
  }
  if (raw) return;  // (no property holds for arbitrary bits beyond "no crash, no escape")
  long double abs_sum = 0;
  for (T v : kernel)
    abs_sum += std::fabs(static_cast<long double>(v));
  if (options.normalize_kernel) abs_sum = 1;
  const long double slack =
      4 * std::numeric_limits<T>::epsilon() * static_cast<long double>(kernel.size() + 8) * abs_sum;
  for (T w : weight)
    if (!(w >= 0 && w <= abs_sum + slack)) fail("a weight outside [0, sum |k|]");
  if (options.nan_policy == fftconv::NanPolicy::interpolate) {
    // The valid data: finite unmasked pixels, and the zero/constant fill (when reached).
    long double lo = std::numeric_limits<long double>::infinity(), hi = -lo;
    for (std::size_t i = 0; i < image.size(); ++i)
      if (!mask[i] && std::isfinite(image[i])) {
        lo = std::min<long double>(lo, image[i]);
        hi = std::max<long double>(hi, image[i]);
      }
    if (options.boundary == fftconv::Boundary::zero ||
        options.boundary == fftconv::Boundary::constant) {
      const long double fill = options.boundary == fftconv::Boundary::zero ? 0 : options.fill_value;
      lo = std::min(lo, fill);
      hi = std::max(hi, fill);
    }
    for (std::size_t o = 0; o < values.size(); ++o)
      if (!std::isnan(values[o]) && !(values[o] >= lo && values[o] <= hi)) {
        std::fprintf(
            stderr,
            "%s image %s kernel %s mode %d boundary %d fill %g method %d precision %d "
            "normalize %d: output %zu = %.9g (weight %.9g), valid data in [%.9Lg, %.9Lg]\n",
            sizeof(T) == 4 ? "float" : "double", fftconv::to_string(image_shape).c_str(),
            fftconv::to_string(kernel_shape).c_str(), static_cast<int>(options.mode),
            static_cast<int>(options.boundary), options.fill_value,
            static_cast<int>(options.method), static_cast<int>(options.compute_precision),
            options.normalize_kernel, o, static_cast<double>(values[o]),
            static_cast<double>(weight[o]), lo, hi);
        fail("an interpolated value outside the range of the valid data");
      }
  }
  if (!anything_missing && options.nan_policy != fftconv::NanPolicy::interpolate) {
    std::vector<T> plain(values.size());
    fftconv::Options plain_options = options;
    plain_options.nan_policy = fftconv::NanPolicy::propagate;
    fftconv::convolve(fftconv::ConstView<T>(image.data(), image_shape),
                      fftconv::ConstView<T>(kernel.data(), kernel_shape),
                      fftconv::View<T>(plain.data(), out_shape), plain_options);
    if (!plain.empty() &&  // (memcmp must not see the null data of an empty vector)
        std::memcmp(plain.data(), values.data(), plain.size() * sizeof(T)) != 0)
      fail("with nothing missing, convolve_masked differs from convolve");
    for (T w : weight)
      if (w != weight[0]) fail("with nothing missing, the weights differ");
  }
}

/// Then match_template (plain or with a template mask) and find_peaks on what it returns: a
/// refused call writes nothing; every score is NaN or in [-1, 1]; a window of the image equal to
/// the template (planted from the bytes) scores 1 when it has any variance; peaks come strongest
/// first, at local maxima >= the threshold, more than min_distance apart along some axis.
template <class T>
void template_matching(Bytes& in) {
  const int rank = 1 + in.byte() % 3;
  const std::size_t max_extent = rank == 1 ? 40 : rank == 2 ? 12 : 6;
  fftconv::Shape image_shape, templ_shape;
  for (int a = 0; a < rank; ++a) {
    image_shape.push_back(1 + in.byte() % max_extent);
    templ_shape.push_back(1 + in.byte() % max_extent);
  }
  const std::uint8_t flags = in.byte();
  fftconv::Options options;
  options.method = static_cast<fftconv::Method>(in.byte() % 4);  // 3 is invalid
  options.min_overlap = in.byte() % 8;
  if (flags & 1) options.max_memory_bytes = static_cast<std::size_t>(in.byte()) * 256;
  std::vector<T> image(fftconv::element_count(image_shape)),
      templ(fftconv::element_count(templ_shape));
  for (T& v : image)
    v = (flags & 2) ? in.value<T>() : static_cast<T>(in.byte() % 32) - T(16);
  for (T& v : templ)
    v = (flags & 2) ? in.value<T>() : static_cast<T>(in.byte() % 32) / 4;
  std::unique_ptr<bool[]> use(new bool[templ.size()]);
  for (std::size_t i = 0; i < templ.size(); ++i)
    use[i] = (flags & 4) ? in.byte() % 4 != 0 : true;
  // Plant the template at the origin when it fits (tame data only).
  bool planted = !(flags & 2);
  for (int a = 0; a < rank; ++a)
    planted = planted && templ_shape[a] <= image_shape[a];
  if (planted) {
    const testing::Array<T> layout(image_shape);  // (for its index arithmetic)
    for (std::size_t t = 0; t < templ.size(); ++t)
      image[layout.index(testing::unravel(t, templ_shape))] = templ[t];
  }
  const fftconv::Shape score_shape =
      fftconv::output_shape(image_shape, templ_shape, fftconv::Mode::valid);
  const T sentinel = T(7);
  std::vector<T> score(fftconv::element_count(score_shape), sentinel);
  try {
    if (flags & 4)
      fftconv::match_template(fftconv::ConstView<T>(image.data(), image_shape),
                              fftconv::ConstView<T>(templ.data(), templ_shape),
                              fftconv::ConstView<bool>(use.get(), templ_shape),
                              fftconv::View<T>(score.data(), score_shape), options);
    else
      fftconv::match_template(fftconv::ConstView<T>(image.data(), image_shape),
                              fftconv::ConstView<T>(templ.data(), templ_shape),
                              fftconv::View<T>(score.data(), score_shape), options);
  } catch (const fftconv::Error&) {
    for (T v : score)
      if (v != sentinel) fail("a refused match_template wrote to its score");
    return;
  }
  for (T v : score)
    if (!(std::isnan(v) || (v >= -1 && v <= 1))) fail("a score outside [-1, 1]");
  if (planted && !(flags & 4) && !score.empty()) {
    // The window at the origin is the template itself: Pearson 1 unless it is flat (then 0).
    T lo = templ[0], hi = templ[0];
    for (T v : templ) {
      lo = std::min(lo, v);
      hi = std::max(hi, v);
    }
    if (hi > lo && !(std::fabs(score[0] - 1) <= 1e-5)) {
      std::fprintf(stderr, "planted template scored %.9g\n", static_cast<double>(score[0]));
      fail("a planted template did not score 1");
    }
  }
  if (score.empty()) return;
  const double threshold = static_cast<double>(static_cast<std::int8_t>(in.byte())) / 128;
  const std::size_t min_distance = in.byte() % 4;
  const std::vector<fftconv::Peak> peaks = fftconv::find_peaks(
      fftconv::ConstView<T>(score.data(), score_shape), threshold, min_distance);
  const testing::Array<T> at_shape(score_shape);
  for (std::size_t i = 0; i < peaks.size(); ++i) {
    const fftconv::Peak& p = peaks[i];
    const T v = score[at_shape.index({p.index[0], p.index[1], p.index[2]})];
    if (static_cast<double>(v) != p.value || !(p.value >= threshold))
      fail("a peak's value is not its score, or below the threshold");
    if (i > 0 && peaks[i - 1].value < p.value) fail("peaks not strongest first");
    for (int a = 0; a < rank; ++a) {
      const auto ax = static_cast<std::size_t>(a);
      if (!(std::fabs(p.position[ax] - static_cast<double>(p.index[ax])) <= 0.5))
        fail("a sub-pixel position more than half a pixel from its peak");
    }
    for (std::size_t j = 0; j < i; ++j) {
      bool apart = false;
      for (int a = 0; a < rank; ++a) {
        const auto ax = static_cast<std::size_t>(a);
        const std::size_t d = peaks[j].index[ax] > p.index[ax] ? peaks[j].index[ax] - p.index[ax]
                                                               : p.index[ax] - peaks[j].index[ax];
        apart = apart || d > min_distance;
      }
      if (!apart) fail("two peaks within min_distance");
    }
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  Bytes in(data, size);
  try {
    if (in.byte() & 1) {
      run<double>(in);
      missing_pixels<double>(in);
      template_matching<double>(in);
    } else {
      run<float>(in);
      missing_pixels<float>(in);
      template_matching<float>(in);
    }
  } catch (const fftconv::Error&) {
    fail("fftconv::Error escaped from a place that should not throw");
  } catch (...) {
    fail("an exception other than fftconv::Error escaped");
  }
  return 0;
}
