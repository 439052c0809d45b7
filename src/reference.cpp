// The reference: the direct sum out[j] = sum_m E[j + m] h[m] over the extended image E (the
// direct path's, so every mode and boundary rule means the same thing) and the kernel h (flipped
// for convolution), accumulated in double-double and rounded once.
//
// Dot2 (Ogita, Rump, Oishi 2005): each product a*b is split exactly into p + e with an fma
// (TwoProduct), each partial sum s + p exactly into s' + e' (TwoSum); the errors are summed
// separately and added at the end. The result is as accurate as a sum computed in twice the
// working precision and then rounded: |error| <= u |sum| + 2 gamma(n)^2 sum |terms|. Inputs are
// converted to double exactly (float products are even exact in double).
#include <algorithm>
#include <cmath>
#include <limits>
#include <vector>

#include "check.hpp"
#include "copy.hpp"
#include "direct/direct_path.hpp"
#include "fftconv/accuracy.hpp"
#include "parallel.hpp"
#include "validate.hpp"

namespace fftconv {

namespace {

/// The double-double sum of products.
struct Dot2 {
  double sum = 0, error = 0;
  void add(double a, double b) {
    const double p = a * b;
    const double product_error = std::fma(a, b, -p);  // exact: a*b = p + product_error
    const double s = sum + p;
    const double z = s - sum;
    const double sum_error = (sum - (s - z)) + (p - z);  // exact: sum + p = s + sum_error
    sum = s;
    error += product_error + sum_error;
  }
};

/// The double-double value hi + lo rounded to T. For double, hi + lo. For float, the rounding of
/// hi (the double nearest the sum) is wrong only when hi lies exactly halfway between two
/// floats; lo then says which way the exact sum lies.
template <class T>
T round_to(double hi, double lo) {
  if constexpr (std::is_same_v<T, double>) {
    return hi + lo;
  } else {
    const double d = hi + lo;
    const auto f = static_cast<float>(d);
    if (!std::isfinite(d) || lo == 0) return f;
    const double rest = (hi - d) + lo;  // d + rest = hi + lo (up to far smaller terms)
    const double gap = static_cast<double>(f) - d;
    const double other =
        static_cast<double>(std::nextafter(f, gap > 0 ? -std::numeric_limits<float>::infinity()
                                                      : std::numeric_limits<float>::infinity()));
    // d is a midpoint when f and its neighbour on d's other side are equally far from it.
    if (gap != 0 && std::fabs(other - d) == std::fabs(gap) && rest != 0 &&
        (rest > 0) == (other > d))
      return static_cast<float>(other);
    return f;
  }
}

template <class T>
void reference(const ConstView<T>& image, const ConstView<T>& kernel, const View<T>& out,
               const Options& options, bool correlate, const char* what) {
  const detail::Problem p = detail::validate_call(image, kernel, out, options, correlate, what);
  if (p.output_count() == 0) return;
  detail::with_call_errors(what, [&] {
    const detail::DirectLayout layout = detail::direct_layout(p);
    const detail::AlignedBuffer<T> extended = detail::extended_image(p, detail::to_rank3(image));
    const ConstView<T> k3 = detail::to_rank3(kernel);
    const ConstView<T> h = correlate ? k3 : detail::flipped(k3);
    const std::size_t k0 = p.axes[0].k, k1 = p.axes[1].k, k2 = p.axes[2].k;
    std::vector<double> taps;  // h as doubles, dense C order
    taps.reserve(k0 * k1 * k2);
    for (std::size_t a0 = 0; a0 < k0; ++a0)
      for (std::size_t a1 = 0; a1 < k1; ++a1) {
        const T* row = detail::row_start(h, a0, a1);
        for (std::size_t a2 = 0; a2 < k2; ++a2)
          taps.push_back(static_cast<double>(row[static_cast<std::ptrdiff_t>(a2) * h.stride(2)]));
      }
    const View<T> o = detail::to_rank3(out);
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
              std::isfinite(dot.sum) ? round_to<T>(dot.sum, dot.error) : static_cast<T>(dot.sum);
        }
      }
    });
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
