#include "stages/missing_pixels.hpp"

#include <algorithm>
#include <cmath>
#include <limits>
#include <vector>

#include "util/checked_math.hpp"
#include "util/copy.hpp"
#include "util/rounding.hpp"

namespace fftconv::detail {

std::size_t missing_pixel_bytes(const Problem& p, std::size_t element_bytes, bool masked) {
  const std::size_t image = p.image_count(), out = p.output_count();
  // flags + the image copy (reused for D) + the weights
  const std::size_t per_image = checked_add(masked ? 2 : 1, element_bytes, "missing-pixel buffers");
  return checked_add(checked_mul(image, per_image, "missing-pixel buffers"),
                     checked_mul(out, element_bytes, "missing-pixel buffers"),
                     "missing-pixel buffers");
}

namespace {

/// Whether some output of p reads outside the image (where zero and constant give their value).
bool window_leaves_image(const Problem& p) {
  for (const Axis& a : p.axes)
    if (a.start < a.k - 1 || a.start + a.out > a.n) return true;
  return false;
}

/// preserve_nan: the output centred on each missing image pixel (per axis, image pixel j is full
/// index j + (k - 1) / 2, output j + (k - 1) / 2 - start) becomes NaN.
template <class T>
void restore_missing(const Problem& p, const std::vector<unsigned char>& missing,
                     const View<T>& out) {
  std::array<std::ptrdiff_t, 3> offset{};
  for (std::size_t a = 0; a < 3; ++a)
    offset[a] = static_cast<std::ptrdiff_t>((p.axes[a].k - 1) / 2) -
                static_cast<std::ptrdiff_t>(p.axes[a].start);
  auto inside = [&](std::size_t a, std::size_t j, std::ptrdiff_t& o) {
    o = static_cast<std::ptrdiff_t>(j) + offset[a];
    return o >= 0 && static_cast<std::size_t>(o) < p.axes[a].out;
  };
  std::size_t i = 0;
  for (std::size_t j0 = 0; j0 < p.axes[0].n; ++j0)
    for (std::size_t j1 = 0; j1 < p.axes[1].n; ++j1)
      for (std::size_t j2 = 0; j2 < p.axes[2].n; ++j2, ++i) {
        std::ptrdiff_t o0 = 0, o1 = 0, o2 = 0;
        if (missing[i] && inside(0, j0, o0) && inside(1, j1, o1) && inside(2, j2, o2))
          row_start(out, static_cast<std::size_t>(o0),
                    static_cast<std::size_t>(o1))[o2 * out.stride(2)] =
              std::numeric_limits<T>::quiet_NaN();
      }
}

}  // namespace

template <class T>
void apply_with_missing(const Problem& p, const KernelSum& kernel, const ConstView<T>& image,
                        const unsigned char* masked, const View<T>& out, const View<T>& weight,
                        const RunMethod<T>& run) {
  const NanPolicy policy = p.nan_policy;
  const bool want_weight = weight.data() != nullptr;
  const T boundary_fill = static_cast<T>(p.fill_value);
  // An infinite constant fill is missing data too (M is 1 only where the extended image is
  // finite); zero, a finite constant and the rules that repeat the image are not.
  const bool boundary_missing = p.boundary == Boundary::constant && !std::isfinite(boundary_fill);
  const T sum = rounded_to<T>(kernel.sum);

  // How many pixels are missing, and the range of the valid data (for the interpolation clamp);
  // which ones, only when there are some (complete images, the common case, skip the flags).
  std::size_t missing_count = 0;
  T lo = std::numeric_limits<T>::infinity(), hi = -lo;
  {
    std::size_t i = 0;
    for_each_element(image, [&](const T& x) {
      if (!std::isfinite(x) || (masked && masked[i])) {
        ++missing_count;
      } else {
        lo = std::min(lo, x);
        hi = std::max(hi, x);
      }
      ++i;
    });
  }
  const bool fill_enters =
      (p.boundary == Boundary::zero || p.boundary == Boundary::constant) && window_leaves_image(p);
  if (fill_enters && !boundary_missing) {
    lo = std::min(lo, boundary_fill);
    hi = std::max(hi, boundary_fill);
  }

  // interpolate: the sum over valid pixels v divided by their weight wv, or NaN below the floor:
  // min_weight sum(k), and at least the rounding error of computing wv = sum(k) - conv(D, k), so
  // that a window with no valid pixel is NaN even with min_weight 0 (its exact weight is 0, the
  // computed one noise). That error is at most about u (taps sum|k| + 8 log2(2N) sqrt(D count)
  // |k|_2): a direct sum of `taps` terms, or an fft whose error is spread over every output.
  double transform = 1;
  for (const Axis& a : p.axes)
    transform *= static_cast<double>(a.out + a.k);
  const double noise =
      unit_roundoff<T> * (static_cast<double>(kernel.count) * kernel.abs_sum +
                          8 * std::log2(2 * transform) *
                              std::sqrt(static_cast<double>(missing_count) + 1) * kernel.norm2);
  // (Both comparisons allow for that error: min_weight = 1 keeps fully covered outputs.)
  const double floor = p.min_weight * kernel.sum - noise;  // (compared in double: no overflow)
  const bool clamp = kernel.nonnegative && lo <= hi;
  const auto interpolated = [&](T v, T wv) {
    if (!(wv > noise && wv >= floor)) return std::numeric_limits<T>::quiet_NaN();
    // A non-negative kernel gives a weighted mean of valid values: never outside their range,
    // whatever the rounding of v and wv.
    return clamp ? std::clamp(v / wv, lo, hi) : v / wv;
  };

  if (missing_count == 0 && !boundary_missing) {
    // Nothing to replace: the plain result and every weight exactly sum(k) (interpolate still
    // divides by it: normalized convolution of complete data is conv(I, k) / sum(k)).
    run(image, out, boundary_fill);
    if (policy == NanPolicy::interpolate)
      for_each_element(out, [&](T& v) { v = interpolated(v, sum); });
    if (want_weight) for_each_element(weight, [&](T& w) { w = sum; });
    return;
  }

  std::vector<unsigned char> missing;
  missing.reserve(image.extent(0) * image.extent(1) * image.extent(2));
  for_each_element(image, [&](const T& x) {
    missing.push_back(!std::isfinite(x) || (masked && masked[missing.size()]));
  });
  // The image with its missing pixels replaced: NaN (propagate: a masked pixel is NaN), the fill
  // value, or 0 (interpolate: they drop out of the sum).
  std::vector<T> data = dense_values<T>(image, [](T x) { return x; });
  const T replacement = policy == NanPolicy::fill          ? static_cast<T>(p.nan_fill)
                        : policy == NanPolicy::interpolate ? T(0)
                                                           : std::numeric_limits<T>::quiet_NaN();
  for (std::size_t i = 0; i < data.size(); ++i)
    if (missing[i] && (policy != NanPolicy::propagate || (masked && masked[i])))
      data[i] = replacement;
  const ConstView<T> dense(data.data(), image.shape());
  run(dense, out, policy == NanPolicy::interpolate && boundary_missing ? T(0) : boundary_fill);

  if (policy == NanPolicy::interpolate || want_weight) {
    // The weights sum(k) - conv(D, k), D reusing the image copy.
    for (std::size_t i = 0; i < data.size(); ++i)
      data[i] = missing[i] ? T(1) : T(0);
    std::vector<T> w(p.output_count());
    const View<T> w_view(w.data(), Shape{p.axes[0].out, p.axes[1].out, p.axes[2].out});
    run(dense, w_view, boundary_missing ? T(1) : T(0));
    for (T& x : w) {
      x = sum - x;
      // With no negative tap the exact weight lies in [0, sum(k)]: clamp the rounding noise.
      if (kernel.nonnegative) x = std::clamp(x, T(0), sum);
    }
    if (policy == NanPolicy::interpolate) {
      const T* wi = w.data();
      for_each_element(out, [&](T& v) { v = interpolated(v, *wi++); });
    }
    if (want_weight) {
      const T* wi = w.data();
      for_each_element(weight, [&](T& x) { x = *wi++; });
    }
  }
  if (p.preserve_nan && policy != NanPolicy::propagate) restore_missing(p, missing, out);
}

template void apply_with_missing(const Problem&, const KernelSum&, const ConstView<float>&,
                                 const unsigned char*, const View<float>&, const View<float>&,
                                 const RunMethod<float>&);
template void apply_with_missing(const Problem&, const KernelSum&, const ConstView<double>&,
                                 const unsigned char*, const View<double>&, const View<double>&,
                                 const RunMethod<double>&);

}  // namespace fftconv::detail
