// The reference: the direct sum out[j] = sum_m E[j + m] h[m] over the extended image E (every
// axis of the frame extended by the boundary rule's index map, whatever the frame's rank) and the
// kernel h (flipped for convolution), accumulated in double-double and rounded once.
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
#include <array>
#include <cmath>
#include <limits>
#include <vector>

#include "core/complex_pipeline.hpp"
#include "core/validate.hpp"
#include "fftconv/accuracy.hpp"
#include "stages/boundary_extension.hpp"
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

// A product term of one output part: image part `image` times kernel part `kernel` times `sign`
// (complex data: real and imaginary parts; real data has one term).
struct Term {
  int image, kernel;
  double sign;
};

// The axes of a frame: its outer axes (a call convolving along more than 3), then the problem's
// canonical three.
std::vector<detail::Axis> frame_axes(const detail::Batch& b, const detail::Problem& p) {
  std::vector<detail::Axis> axes(b.outer_axes.begin(), b.outer_axes.begin() + b.outer.rank());
  axes.insert(axes.end(), p.axes.begin(), p.axes.end());
  return axes;
}

// Advances the multi-index `at` over `lengths` in C order.
void next_position(std::vector<std::size_t>& at, const std::vector<std::size_t>& lengths) {
  for (std::size_t a = at.size(); a-- > 0;) {
    if (++at[a] < lengths[a]) return;
    at[a] = 0;
  }
}

// The frame's image part extended along every axis: extended position t of an axis is position
// t + start - (k - 1), an output j reads positions j .. j + k - 1; where the boundary rule gives
// the fill value it is `fill`. Dense, C order, extents out + k - 1.
template <class T>
std::vector<T> extended(const std::vector<detail::Axis>& axes, Boundary rule,
                        const ConstView<T>& image, T fill, std::vector<std::size_t>& strides) {
  const std::size_t r = axes.size();
  std::vector<std::size_t> lengths(r);
  strides.assign(r, 1);
  for (std::size_t a = r; a-- > 0;) {
    lengths[a] = axes[a].out + axes[a].k - 1;
    if (a + 1 < r) strides[a] = strides[a + 1] * lengths[a + 1];
  }
  std::vector<T> e(strides[0] * lengths[0]);
  std::vector<std::size_t> at(r, 0);
  for (T& value : e) {
    std::ptrdiff_t offset = 0;
    bool inside = true;
    for (std::size_t a = 0; a < r; ++a) {
      const auto k = static_cast<std::ptrdiff_t>(axes[a].k);
      const std::ptrdiff_t index =
          detail::boundary_index(rule, static_cast<std::ptrdiff_t>(at[a] + axes[a].start) - (k - 1),
                                 static_cast<std::ptrdiff_t>(axes[a].n));
      inside = inside && index >= 0;
      offset += index * image.stride(static_cast<int>(a));
    }
    value = inside ? image.data()[offset] : fill;
    next_position(at, lengths);
  }
  return e;
}

// One output part of one frame: views of the frame's image and kernel parts (rank: the frame's
// axes), images[1] extended with 0 where images[0] takes the fill value (the fill value is
// v + 0i).
template <class T>
void reference_frame(const std::vector<detail::Axis>& axes, const detail::Problem& p,
                     const std::array<ConstView<T>, 2>& images,
                     const std::array<ConstView<T>, 2>& kernels, const std::vector<Term>& terms,
                     const View<T>& o) {
  const std::size_t r = axes.size();
  std::array<std::vector<T>, 2> ext;
  std::vector<std::size_t> es;              // the extended images' strides
  std::array<std::vector<double>, 2> taps;  // h as doubles, dense C order
  for (const Term& t : terms) {
    const auto i = static_cast<std::size_t>(t.image), k = static_cast<std::size_t>(t.kernel);
    if (ext[i].empty())
      ext[i] = extended(axes, p.boundary, images[i], static_cast<T>(i == 0 ? p.fill_value : 0), es);
    if (taps[k].empty()) {
      // (the kernel normalization stage itself, not a plan: the reference shares no path's code)
      std::vector<T> normalized;
      const ConstView<T> g = detail::effective_kernel(kernels[k], p.normalize_kernel, normalized);
      taps[k] = detail::dense_converted<double>(p.correlate ? g : detail::flipped(g));
    }
  }
  // Offsets in the extended image of the kernel's rows (every axis but the last), and of the
  // output rows there and in the output.
  Shape k_shape, out_shape;
  Strides ext_strides;
  for (std::size_t a = 0; a < r; ++a) {
    k_shape.push_back(axes[a].k);
    out_shape.push_back(axes[a].out);
    ext_strides.push_back(static_cast<std::ptrdiff_t>(es[a]));
  }
  std::vector<std::ptrdiff_t> k_rows;
  detail::for_each_row<1>(
      k_shape, {&ext_strides},
      [&](const std::array<std::ptrdiff_t, 1>& at, std::size_t) { k_rows.push_back(at[0]); });
  std::vector<std::array<std::ptrdiff_t, 2>> out_rows;  // (extended image, output)
  detail::for_each_row<2>(
      out_shape, {&ext_strides, &o.strides()},
      [&](const std::array<std::ptrdiff_t, 2>& at, std::size_t) { out_rows.push_back(at); });
  const std::size_t width = axes[r - 1].out, k_width = axes[r - 1].k;
  const int last = static_cast<int>(r) - 1;
  detail::parallel_for(
      out_rows.size(), p.threads, [&](std::size_t, std::size_t begin, std::size_t end) {
        for (std::size_t row = begin; row < end; ++row) {
          T* out_row = o.data() + out_rows[row][1];
          for (std::size_t x = 0; x < width; ++x) {
            Dot2 dot;
            for (const Term& t : terms) {
              const double* tap = taps[static_cast<std::size_t>(t.kernel)].data();
              const T* image = ext[static_cast<std::size_t>(t.image)].data() + out_rows[row][0] +
                               static_cast<std::ptrdiff_t>(x);
              for (std::ptrdiff_t k_row : k_rows) {
                const T* src = image + k_row;
                for (std::size_t m = 0; m < k_width; ++m)
                  dot.add(static_cast<double>(src[m]), t.sign * *tap++);  // (sign +-1: exact)
              }
            }
            // Infinite or NaN terms make the error terms NaN: the plain sum is then the answer.
            out_row[static_cast<std::ptrdiff_t>(x) * o.stride(last)] =
                std::isfinite(dot.sum) ? round_to<T>(dot) : static_cast<T>(dot.sum);
          }
        }
      });
}

// The reference on the parts of image, kernel and output (complex parts, or one real part each).
template <class T>
void reference(const detail::Parts<const T>& image, const detail::Parts<const T>& kernel,
               const detail::Parts<T>& out, const Options& options, bool correlate,
               const char* what) {
  const detail::Call call =
      detail::validate_call(image.re, kernel.re, out.re, options, correlate, what);
  const detail::Batch& b = call.batch;
  FFTCONV_CHECK(call.frame.nan_policy == NanPolicy::propagate, invalid_argument, what,
                ": options.nan_policy must be propagate (the reference is the plain sum)");
  if (out.is_complex) detail::check_complex_options(call.frame, what);
  if (element_count(b.output) == 0) return;
  // Real part: a c - s b d; imaginary part: s a d + b c (s = -1 for correlation: conj(kernel)).
  const double s = correlate ? -1 : 1;
  std::vector<Term> re_terms{{0, 0, 1}}, im_terms;
  if (image.is_complex && kernel.is_complex) re_terms.push_back({1, 1, -s});
  if (kernel.is_complex) im_terms.push_back({0, 1, s});
  if (image.is_complex) im_terms.push_back({1, 0, 1});
  detail::with_call_errors(what, [&] {
    // Frames one after another, each on every thread. The output is written frame by frame and
    // part by part while later frames and parts still read image and kernel: an input sharing
    // memory with the output (in place, or the kernel's buffer reused) is read from a copy.
    const auto shares = [&](const detail::Parts<const T>& in) {
      // (one frame of real data: every read comes before the one write)
      return (b.frames > 1 || out.is_complex) && detail::parts_share_memory(in, out);
    };
    std::array<std::vector<T>, 4> copies;
    // (a copy of each part that is present, in the call's rank)
    const auto unshared = [&](const detail::Parts<const T>& in, const Shape& shape,
                              std::size_t slot) {
      if (!shares(in)) return in;
      detail::Parts<const T> copy = in;
      copies[slot] = detail::dense_copy(in.re);
      copy.re = ConstView<T>(copies[slot].data(), shape);
      if (in.is_complex) {
        copies[slot + 1] = detail::dense_copy(in.im);
        copy.im = ConstView<T>(copies[slot + 1].data(), shape);
      }
      return copy;
    };
    const detail::Parts<const T> im = unshared(image, b.image, 0);
    const detail::Parts<const T> ke = unshared(kernel, kernel.re.shape(), 2);
    const std::array<ConstView<T>, 2> sources{im.re, im.im};
    const ConstView<T> kr = detail::at_rank(ke.re, b.rank);
    const ConstView<T> ki = kernel.is_complex ? detail::at_rank(ke.im, b.rank) : kr;
    const std::vector<detail::Axis> axes = frame_axes(b, call.frame);
    for (std::size_t f = 0; f < b.frames; ++f) {
      const std::array<ConstView<T>, 2> images{
          detail::frame_view(sources[0], b, f),
          image.is_complex ? detail::frame_view(sources[1], b, f) : ConstView<T>()};
      const std::array<ConstView<T>, 2> kernels{detail::frame_view(kr, b, f),
                                                detail::frame_view(ki, b, f)};
      reference_frame(axes, call.frame, images, kernels, re_terms,
                      detail::frame_view(out.re, b, f));
      if (out.is_complex)
        reference_frame(axes, call.frame, images, kernels, im_terms,
                        detail::frame_view(out.im, b, f));
    }
  });
}

template <class I, class K, class O>
void reference_views(const ConstView<I>& image, const ConstView<K>& kernel, const View<O>& out,
                     const Options& options, bool correlate, const char* what) {
  reference(detail::parts(image), detail::parts(kernel), detail::parts(out), options, correlate,
            what);
}

}  // namespace

#define FFTCONV_REFERENCE_ENTRY(NAME, IMAGE, KERNEL, OUT, CORRELATE)            \
  void NAME(ConstView<IMAGE> image, ConstView<KERNEL> kernel, View<OUT> out,    \
            const Options& options) {                                           \
    reference_views(image, kernel, out, options, CORRELATE, "fftconv::" #NAME); \
  }
#define FFTCONV_REFERENCE_ENTRIES(NAME, CORRELATE)                                                \
  FFTCONV_REFERENCE_ENTRY(NAME, float, float, float, CORRELATE)                                   \
  FFTCONV_REFERENCE_ENTRY(NAME, double, double, double, CORRELATE)                                \
  FFTCONV_REFERENCE_ENTRY(NAME, std::complex<float>, std::complex<float>, std::complex<float>,    \
                          CORRELATE)                                                              \
  FFTCONV_REFERENCE_ENTRY(NAME, float, std::complex<float>, std::complex<float>, CORRELATE)       \
  FFTCONV_REFERENCE_ENTRY(NAME, std::complex<float>, float, std::complex<float>, CORRELATE)       \
  FFTCONV_REFERENCE_ENTRY(NAME, std::complex<double>, std::complex<double>, std::complex<double>, \
                          CORRELATE)                                                              \
  FFTCONV_REFERENCE_ENTRY(NAME, double, std::complex<double>, std::complex<double>, CORRELATE)    \
  FFTCONV_REFERENCE_ENTRY(NAME, std::complex<double>, double, std::complex<double>, CORRELATE)
FFTCONV_REFERENCE_ENTRIES(reference_convolve, false)
FFTCONV_REFERENCE_ENTRIES(reference_correlate, true)
#undef FFTCONV_REFERENCE_ENTRIES
#undef FFTCONV_REFERENCE_ENTRY

}  // namespace fftconv
