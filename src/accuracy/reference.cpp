// The reference: the direct sum out[j] = sum_m E[j + m] h[m] over the extended image E (the
// direct path's, so every mode and boundary rule means the same thing) and the kernel h (flipped
// for convolution), accumulated in double-double and rounded once.
//
// Dot2 (Ogita, Rump, Oishi 2005): each product a*b is split exactly into p + e with an fma
// (TwoProduct), each partial sum s + p exactly into s' + e' (TwoSum); the errors are summed
// separately (here with Neumaier's compensation too) and added at the end. The result is as
// accurate as a sum computed in about three times the working precision, then rounded once,
// with ties settled by the remainder: the correctly rounded value unless the sum cancels by
// more than ~1e30 relative to the sum of |terms|. Not handled: intermediate overflow (a partial
// sum beyond the double range gives inf) and products that underflow (their fma error term is
// then inexact). Inputs are converted to double exactly (float products are even exact).
#include <algorithm>
#include <cmath>
#include <limits>
#include <vector>

#include "core/validate.hpp"
#include "direct/direct_path.hpp"
#include "fftconv/accuracy.hpp"
#include "stages/kernel_normalization.hpp"
#include "util/check.hpp"
#include "util/copy.hpp"
#include "util/parallel.hpp"
#include "util/rounding.hpp"

namespace fftconv {

namespace {

/// TwoSum (Knuth): a + b = s + e exactly.
inline void two_sum(double a, double b, double& s, double& e) {
  s = a + b;
  const double z = s - a;
  e = (a - (s - z)) + (b - z);
}

/// The sum of products in double-double, with the error terms themselves summed with
/// Neumaier's compensation (so small errors after large ones are not lost): the value is
/// sum + errors.sum + errors.compensation.
struct Dot2 {
  double sum = 0;
  detail::CompensatedSum errors;
  void add(double a, double b) {
    const double p = a * b;
    const double product_error = std::fma(a, b, -p);  // exact (unless a*b underflows)
    double sum_error;
    two_sum(sum, p, sum, sum_error);
    errors.add(product_error);
    errors.add(sum_error);
  }
};

/// The value rounded to the nearest double (d), and the sign-carrying remainder x - d (rest).
/// hi = fl(sum + error) is the nearest double to sum + error; the compensation can move the
/// exact value past the midpoint to a neighbour, or break a tie.
void round_to_double(const Dot2& v, double& d, double& rest) {
  double t;
  two_sum(v.sum, v.errors.sum, d, t);  // sum + error = d + t exactly, |t| <= ulp(d) / 2
  double r, rr;
  two_sum(t, v.errors.compensation, r, rr);  // x - d = r + rr
  if (r != 0 && std::isfinite(d)) {
    const double neighbour = std::nextafter(d, r > 0 ? HUGE_VAL : -HUGE_VAL);
    const double half = std::fabs(neighbour - d) / 2;
    if (std::fabs(r) > half || (std::fabs(r) == half && rr != 0 && (rr > 0) == (r > 0))) {
      r -= neighbour - d;  // (exact: both are within a few ulps of each other)
      d = neighbour;
    }
  }
  rest = r + rr;
}

/// The exact value rounded to T. For float: the rounding of d (the nearest double) is wrong
/// only when d lies exactly halfway between two floats (or on the overflow threshold); the
/// remainder then says which way the exact value lies.
template <class T>
T round_to(const Dot2& v) {
  double d, rest;
  round_to_double(v, d, rest);
  if constexpr (std::is_same_v<T, double>) {
    return d;
  } else {
    constexpr double largest = std::numeric_limits<float>::max();
    constexpr double threshold = largest + 0x1p103;  // FLT_MAX + half an ulp: rounds to inf
    if (std::fabs(d) >= threshold) {
      const bool below = std::fabs(d) == threshold && rest != 0 && (rest < 0) == (d > 0);
      return static_cast<float>(std::copysign(below ? largest : HUGE_VAL, d));
    }
    const auto f = static_cast<float>(d);
    if (rest == 0) return f;
    const double gap = static_cast<double>(f) - d;
    const double other =
        static_cast<double>(std::nextafter(f, gap > 0 ? -std::numeric_limits<float>::infinity()
                                                      : std::numeric_limits<float>::infinity()));
    // d is a midpoint when f and its neighbour on d's other side are equally far from it.
    if (gap != 0 && std::fabs(other - d) == std::fabs(gap) && (rest > 0) == (other > d))
      return static_cast<float>(other);
    return f;
  }
}

// One frame: canonical rank-3 views of the frame's image, kernel and output.
template <class T>
void reference_frame(const detail::Problem& p, const ConstView<T>& image3,
                     const ConstView<T>& kernel3, const View<T>& o) {
  const detail::DirectLayout layout = detail::direct_layout(p);
  const detail::AlignedBuffer<T> extended =
      detail::extended_image(p, image3, static_cast<T>(p.fill_value));
  // (the kernel normalization stage itself, not a plan: the reference shares no path's code)
  std::vector<T> normalized;
  const ConstView<T> k3 = detail::effective_kernel(kernel3, p.normalize_kernel, normalized);
  const ConstView<T> h = p.correlate ? k3 : detail::flipped(k3);
  const std::size_t k0 = p.axes[0].k, k1 = p.axes[1].k, k2 = p.axes[2].k;
  const std::vector<double> taps =  // h as doubles, dense C order
      detail::dense_values<double>(h, [](T x) { return static_cast<double>(x); });
  const std::size_t rows = p.axes[0].out * p.axes[1].out;
  const detail::DenseStrides& es = layout.strides;
  detail::parallel_for(rows, p.threads, [&](std::size_t, std::size_t begin, std::size_t end) {
    for (std::size_t row = begin; row < end; ++row) {
      const std::size_t y0 = row / p.axes[1].out, y1 = row % p.axes[1].out;
      T* out_row = detail::row_start(o, y0, y1);
      for (std::size_t x = 0; x < p.axes[2].out; ++x) {
        Dot2 dot;
        const double* tap = taps.data();
        for (std::size_t a0 = 0; a0 < k0; ++a0)
          for (std::size_t a1 = 0; a1 < k1; ++a1) {
            const T* src = extended.data() + (y0 + a0) * es[0] + (y1 + a1) * es[1] + x;
            for (std::size_t a2 = 0; a2 < k2; ++a2)
              dot.add(static_cast<double>(src[a2]), *tap++);
          }
        // Infinite or NaN terms make the error terms NaN: the plain sum is then the answer.
        out_row[static_cast<std::ptrdiff_t>(x) * o.stride(2)] =
            std::isfinite(dot.sum) ? round_to<T>(dot) : static_cast<T>(dot.sum);
      }
    }
  });
}

template <class T>
void reference(const ConstView<T>& image, const ConstView<T>& kernel, const View<T>& out,
               const Options& options, bool correlate, const char* what) {
  const detail::Call call = detail::validate_call(image, kernel, out, options, correlate, what);
  const detail::Batch& b = call.batch;
  FFTCONV_CHECK(call.frame.nan_policy == NanPolicy::propagate, invalid_argument, what,
                ": options.nan_policy must be propagate (the reference is the plain sum)");
  if (element_count(b.output) == 0) return;
  detail::with_call_errors(what, [&] {
    // Frames one after another, each on every thread; an in-place call reads a copy.
    std::vector<T> copy;
    ConstView<T> source = image;
    if (b.frames > 1 && detail::may_share_memory(image, out)) {
      copy = detail::dense_copy(image);
      source = ConstView<T>(copy.data(), image.shape());
    }
    const ConstView<T> k = detail::at_rank(kernel, b.rank);
    for (std::size_t f = 0; f < b.frames; ++f)
      reference_frame(call.frame, detail::frame_view(source, b, f), detail::frame_view(k, b, f),
                      detail::frame_view(out, b, f));
  });
}

}  // namespace

void reference_convolve(ConstView<float> image, ConstView<float> kernel, View<float> out,
                        const Options& options) {
  reference(image, kernel, out, options, false, "fftconv::reference_convolve");
}
void reference_convolve(ConstView<double> image, ConstView<double> kernel, View<double> out,
                        const Options& options) {
  reference(image, kernel, out, options, false, "fftconv::reference_convolve");
}
void reference_correlate(ConstView<float> image, ConstView<float> kernel, View<float> out,
                         const Options& options) {
  reference(image, kernel, out, options, true, "fftconv::reference_correlate");
}
void reference_correlate(ConstView<double> image, ConstView<double> kernel, View<double> out,
                         const Options& options) {
  reference(image, kernel, out, options, true, "fftconv::reference_correlate");
}

}  // namespace fftconv
