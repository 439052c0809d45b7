#pragma once
// Transfer-function filtering: multiply an image's spectrum by a transfer function H and
// transform back. frequency_filter takes H as a callable of the frequency vector or as an array;
// butterworth, gaussian_lowpass, band_pass and fourier_shift are built in. Real float and double
// images of rank 1 to 3.
//
// The transform grid
// ------------------
// Each call filters one grid, of length L per axis (frequency_grid_shape tells it):
//   * Boundary::wrap with padding 0 (the defaults): the image itself, L = n. Circular filtering
//     over the image's own period, what numpy.fft and scikit-image do (any n; no rounding up).
//   * otherwise: the image extended by `padding` samples at each end of every axis by the
//     boundary rule (options.hpp's table), then at the end of each axis up to the fast FFT
//     length L = next_fast_size(n + 2 padding), those samples extended by the rule too: grid
//     position t holds the extended image at position t - padding (the image's position
//     t - padding when that lies in 0 .. n - 1). With zero or constant and a padding at least a
//     filter's spatial reach, the result has no wrap-around from the opposite edge; with
//     reflect, mirror or nearest the edges see a continued image instead (no ringing from the
//     jump a periodic image has at its edges).
//   * Boundary::wrap with padding > 0 is allowed: the grid holds the image repeated with period
//     n, cut to L samples. Unless L is a multiple of n that is not circular filtering over the
//     image's period (the grid has a seam at its end): for that, use padding 0.
// The result is the image's window of the filtered grid: positions padding .. padding + n - 1.
//
// Frequencies
// -----------
// Bin k of an axis of grid length L has frequency numpy.fft.fftfreq(L)[k] cycles per sample:
// k / L for k < ceil(L / 2), (k - L) / L above (for even L the Nyquist bin L / 2 is -0.5). The
// frequency vector of a bin lists one such value per axis, axis 0 first; |f| is its Euclidean
// norm, the same scale on every axis (isotropic in samples, as scikit-image's butterworth).
//
// What is computed
// ----------------
// With x the grid, X = numpy.fft.fftn(x) and H[k] the transfer function at bin k:
//     out = the image's window of numpy.fft.ifftn(H * X).real
// The real part of the inverse is the inverse of X times the Hermitian part of H,
//     H_h[k] = (H[k] + conj(H[-k])) / 2        (-k: the mirror bin, indices modulo L),
// which is what fftconv applies (half-spectrum transforms). A real, even H (Butterworth,
// Gaussian) is its own Hermitian part; for fourier_shift the Hermitian part differs from H only
// at Nyquist bins. The transforms run in the image's precision (float or double), the products
// H_h X in double (rounded to the image's type, the inverse's 1 / prod(L) folded in). Non-finite
// image values spread over the whole output (every frequency carries them).
//
// Common rules
// ------------
// image and out are views (any strides, also negative) of the same shape, rank 1 to 3, every
// extent > 0; out may alias image (the image is read whole before out is written) but must not
// overlap itself. Before anything is allocated or written, every argument is checked: a bad one
// throws fftconv::Error(invalid_argument) naming it and its value, and a call whose working
// memory exceeds options.max_memory_bytes throws fftconv::Error(out_of_memory) naming the bytes
// it needs. On any error out is untouched.
// Working memory: the grid, prod(L0 .. L(r-2)) x P values of the image's type, P = 2 (L(r-1) / 2
// + 1) rounded up to 16 bytes (FFTW's in-place layout), one scratch array per thread of
// 2 L_a x (8 double or 16 float columns, fewer for short grids or above 512 KiB) values for the
// longest other axis a (none in 1-D), and one index (8 bytes) per grid position along each axis.
// Threads: options.threads as Options::threads (0 = all, negative refused), used by grids from
// 2^16 points: in 2-D and 3-D they split the rows and column blocks of the transforms (the
// results do not depend on the count, bit for bit), in 1-D FFTW's threads split its one
// transform. The built-in transfer functions and arrays are applied on those threads; a
// callable transfer is evaluated on the calling thread.
// FFTW plans are cached (fft_plans_created) and made under fftconv's planner lock.

#include <Eigen/Core>
#include <complex>
#include <cstddef>
#include <functional>
#include <limits>
#include <type_traits>
#include <vector>

#include "fftconv/convolve.hpp"  // the Eigen adapters' helpers
#include "fftconv/export.hpp"
#include "fftconv/options.hpp"
#include "fftconv/shape.hpp"
#include "fftconv/view.hpp"

namespace fftconv {

/// Options of the frequency-domain filters. A plain struct: set the fields you need.
struct FrequencyOptions {
  /// How the image is extended before the transform (see "The transform grid" above). The
  /// default, wrap with padding 0, filters circularly over the image itself.
  Boundary boundary = Boundary::wrap;
  /// Samples added at each end of every axis by the boundary rule before rounding the grid up to
  /// a fast FFT length. n + 2 padding must fit FFTW's int (grid lengths up to 2^31 - 1).
  std::size_t padding = 0;
  /// The value outside the image for Boundary::constant: not NaN (refused whatever the rule), not
  /// beyond the image type's range (infinities are allowed); rounded to float for float images.
  double fill_value = 0;
  /// As Options::threads: 1 (the default) the calling thread only, 0 all the threads the process
  /// can run at once, more clamped to those, negative refused.
  int threads = 1;
  /// FFTW's planning effort (Planning): estimate, measure or patient.
  Planning planning = Planning::estimate;
  /// Upper bound on the working memory a call may allocate, in bytes (default: no limit); see
  /// "Common rules" above.
  std::size_t max_memory_bytes = std::numeric_limits<std::size_t>::max();
};

/// A transfer function: H(f) for the frequency vector `frequency` (`rank` values, cycles per
/// sample in numpy.fft.fftfreq's convention, axis 0 first). It must return finite values.
using TransferFunction = std::function<std::complex<double>(const double* frequency, int rank)>;

/// The transform grid's length L per axis for an image of `image_shape` under `options` (see
/// "The transform grid"): image_shape itself for wrap with padding 0, else next_fast_size(n + 2
/// padding) per axis. Throws fftconv::Error for a rank outside 1..3, a zero extent, an unknown
/// boundary, or a length beyond FFTW's int. Reads only options.boundary and options.padding.
FFTCONV_API Shape frequency_grid_shape(const Shape& image_shape,
                                       const FrequencyOptions& options = FrequencyOptions{});

// ---- Any transfer function --------------------------------------------------------------------

/// out = the image filtered by the callable transfer function: H[k] = transfer(f(k), rank) at
/// every bin k of the grid, its Hermitian part applied (see "What is computed": the result is
/// numpy.fft.ifftn(H * numpy.fft.fftn(grid)).real, windowed). `transfer` is called on the
/// calling thread exactly once per bin of the full grid (prod(L) calls; at a Nyquist frequency
/// it gets -0.5), in no specified order, after the argument checks. A non-finite return value
/// throws fftconv::Error(invalid_argument) naming the frequency and the value; an exception
/// thrown by `transfer` propagates (an fftconv::Error with the function's name prefixed to its
/// message). Either way out is untouched. An empty std::function is refused.
FFTCONV_API void frequency_filter(ConstView<float> image, View<float> out,
                                  const TransferFunction& transfer,
                                  const FrequencyOptions& options = FrequencyOptions{});
FFTCONV_API void frequency_filter(ConstView<double> image, View<double> out,
                                  const TransferFunction& transfer,
                                  const FrequencyOptions& options = FrequencyOptions{});

/// out = the image filtered by a transfer function given as an array over the grid's bins (any
/// strides), of the image's precision, of one of two shapes (L = frequency_grid_shape(image,
/// options)):
///   * the full spectrum, shape L, bin k at index k (numpy.fft.fftn's layout, not fftshifted):
///     as the callable form, out = numpy.fft.ifftn(transfer * fftn(grid)).real, windowed (the
///     Hermitian part of the array is applied);
///   * the half spectrum, shape L with the last axis L(r-1) / 2 + 1 (numpy.fft.rfftn's layout):
///     used as given, out = numpy.fft.irfftn(transfer * numpy.fft.rfftn(grid), L), windowed: the
///     bins of the other half are the conjugates of their mirror bins, and in the planes
///     k(r-1) = 0 and, for even L(r-1), k(r-1) = L(r-1) / 2, which hold their own mirror bins,
///     only the Hermitian part (T[k] + conj(T[-k])) / 2 acts (as in irfftn).
///   Where L(r-1) <= 2 the two shapes are the same and the two readings agree.
/// Any other shape is refused (fftconv::Error naming the array's shape and both accepted ones);
/// so are strides of the wrong count, null data and non-finite values (naming the index and the
/// value), all before anything is allocated.
FFTCONV_API void frequency_filter(ConstView<float> image, View<float> out,
                                  ConstView<std::complex<float>> transfer,
                                  const FrequencyOptions& options = FrequencyOptions{});
FFTCONV_API void frequency_filter(ConstView<double> image, View<double> out,
                                  ConstView<std::complex<double>> transfer,
                                  const FrequencyOptions& options = FrequencyOptions{});

// ---- Built-in filters -------------------------------------------------------------------------

/// scikit-image 0.19.3's filters.butterworth(image, cutoff_frequency_ratio, high_pass, order)
/// (no channel_axis), exactly, with the default options:
///     low-pass  H(f) = 1 / (1 + (|f| / c)^(2 order)),   c = cutoff_frequency_ratio,
///     high-pass 1 - H(f),
/// |f| the norm of the frequency vector (cycles per sample, "Frequencies" above): H = 1/2 at
/// |f| = c on every axis whatever its length. (This is the square of the classical Butterworth
/// magnitude response; scikit-image's docstring formula, with f_max and a minus sign, is not what
/// its code computes, and this follows the code.) order = 0 gives 0.5 x the image for both pass
/// types, as scikit-image (0^0 = 1). Circular by default, as scikit-image (which has no padding);
/// options.boundary and padding extend the image first. c must be finite and > 0 (values above
/// 0.5 are allowed), order finite and >= 0.
FFTCONV_API void butterworth(ConstView<float> image, View<float> out, double cutoff_frequency_ratio,
                             bool high_pass, double order,
                             const FrequencyOptions& options = FrequencyOptions{});
FFTCONV_API void butterworth(ConstView<double> image, View<double> out,
                             double cutoff_frequency_ratio, bool high_pass, double order,
                             const FrequencyOptions& options = FrequencyOptions{});

/// Gaussian low-pass: H(f) = exp(-|f|^2 / (2 sigma^2)), sigma_frequency in cycles per sample
/// (finite, > 0): the continuous Fourier pair of a Gaussian blur of spatial sigma
/// 1 / (2 pi sigma_frequency) samples, which it approximates on a grid where that sigma is
/// more than about a sample (below, the truncated spectrum rings).
FFTCONV_API void gaussian_lowpass(ConstView<float> image, View<float> out, double sigma_frequency,
                                  const FrequencyOptions& options = FrequencyOptions{});
FFTCONV_API void gaussian_lowpass(ConstView<double> image, View<double> out, double sigma_frequency,
                                  const FrequencyOptions& options = FrequencyOptions{});

/// Band-pass: the difference of two butterworth low-passes of the same order,
///     H(f) = 1 / (1 + (|f| / high_cutoff)^(2 order)) - 1 / (1 + (|f| / low_cutoff)^(2 order)),
/// which passes |f| between the two cutoffs (cycles per sample) and sums to
/// butterworth(high_cutoff, low-pass) - butterworth(low_cutoff, low-pass). Both cutoffs finite
/// and > 0 with low_cutoff < high_cutoff (refused otherwise, naming both); order finite and
/// >= 0 (order 0 gives 0 everywhere).
FFTCONV_API void band_pass(ConstView<float> image, View<float> out, double low_cutoff,
                           double high_cutoff, double order,
                           const FrequencyOptions& options = FrequencyOptions{});
FFTCONV_API void band_pass(ConstView<double> image, View<double> out, double low_cutoff,
                           double high_cutoff, double order,
                           const FrequencyOptions& options = FrequencyOptions{});

/// Shift by any amount, in samples per axis (axis 0 first; `shift` has one finite value per
/// image axis): H(f) = exp(-2 pi i f . shift), so out[x] = image[x - shift] by band-limited
/// (trigonometric) interpolation over the grid: numpy.fft.ifftn(numpy.fft.fftn(grid) *
/// exp(-2j pi f . shift)).real, windowed. At Nyquist bins (even L) that real part leaves
/// cos(pi shift) of the term. With the default options (circular) an integer shift is
/// numpy.roll(image, shift) to rounding; shifting by s then by -s returns the image to rounding
/// except for the Nyquist terms of a non-integer shift (scaled by cos^2(pi s)). With another
/// boundary rule and padding >= |shift| the samples shifted in come from the rule's extension
/// (for an integer shift with Boundary::zero: zeros).
FFTCONV_API void fourier_shift(ConstView<float> image, View<float> out,
                               const std::vector<double>& shift,
                               const FrequencyOptions& options = FrequencyOptions{});
FFTCONV_API void fourier_shift(ConstView<double> image, View<double> out,
                               const std::vector<double>& shift,
                               const FrequencyOptions& options = FrequencyOptions{});

// ---- Eigen: thin adapters ---------------------------------------------------------------------
// Any dense Eigen image of float or double (Matrix or Array, row- or column-major, Map or Block
// with strides; a compile-time vector is 1-D, anything else rows x cols). The result is a new
// object of the image's kind, scalar and storage order, of the image's shape. Same semantics and
// errors as the view functions above.
namespace detail {

/// Calls function(image_view, out_view) with out a new object of the image's kind and shape.
template <class Derived, class Function>
eigen_result_t<Derived> eigen_filter(const Eigen::DenseBase<Derived>& image, Function&& function) {
  using Scalar = typename Derived::Scalar;
  static_assert(std::is_same_v<Scalar, float> || std::is_same_v<Scalar, double>,
                "fftconv: frequency filters take float or double images");
  const EigenInput<Derived> in(image);
  const auto image_v = image_view(in);
  eigen_result_t<Derived> result;
  function(image_v, result_view(result, image_v.shape()));
  return result;
}

}  // namespace detail

template <class Derived>
detail::eigen_result_t<Derived> frequency_filter(
    const Eigen::DenseBase<Derived>& image, const TransferFunction& transfer,
    const FrequencyOptions& options = FrequencyOptions{}) {
  return detail::eigen_filter(
      image, [&](auto in, auto out) { frequency_filter(in, out, transfer, options); });
}

template <class Derived>
detail::eigen_result_t<Derived> butterworth(const Eigen::DenseBase<Derived>& image,
                                            double cutoff_frequency_ratio, bool high_pass,
                                            double order,
                                            const FrequencyOptions& options = FrequencyOptions{}) {
  return detail::eigen_filter(image, [&](auto in, auto out) {
    butterworth(in, out, cutoff_frequency_ratio, high_pass, order, options);
  });
}

template <class Derived>
detail::eigen_result_t<Derived> gaussian_lowpass(
    const Eigen::DenseBase<Derived>& image, double sigma_frequency,
    const FrequencyOptions& options = FrequencyOptions{}) {
  return detail::eigen_filter(
      image, [&](auto in, auto out) { gaussian_lowpass(in, out, sigma_frequency, options); });
}

template <class Derived>
detail::eigen_result_t<Derived> band_pass(const Eigen::DenseBase<Derived>& image, double low_cutoff,
                                          double high_cutoff, double order,
                                          const FrequencyOptions& options = FrequencyOptions{}) {
  return detail::eigen_filter(image, [&](auto in, auto out) {
    band_pass(in, out, low_cutoff, high_cutoff, order, options);
  });
}

template <class Derived>
detail::eigen_result_t<Derived> fourier_shift(
    const Eigen::DenseBase<Derived>& image, const std::vector<double>& shift,
    const FrequencyOptions& options = FrequencyOptions{}) {
  return detail::eigen_filter(image,
                              [&](auto in, auto out) { fourier_shift(in, out, shift, options); });
}

}  // namespace fftconv
