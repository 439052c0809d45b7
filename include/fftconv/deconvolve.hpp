#pragma once
// Deconvolution: undoing a known blur (a point-spread function, PSF). Richardson-Lucy for
// photon-counting data (astronomy, fluorescence microscopy), optionally accelerated and
// regularized; Landweber (projected gradient descent on the squared residual); Wiener
// (a regularized inverse filter, one step). README, "Deconvolution and frequency filters".
//
// The blur model is this library's convolve in mode `same`: the data g is H f with
//     (H f)[i] = sum_m psf[m] f[i + (k - 1) / 2 - m]     per axis, k the PSF's length,
// (scipy.signal.convolve's `same` centring: the PSF's centre is its tap (k - 1) / 2, integer
// division; Wiener is the exception, see wiener). Every method works with the PSF as given and
// is invariant to scaling it: a PSF need not sum to 1.
//
// What lies outside the image (DeconvolutionEdges):
//   zero:     the object is zero outside the image, exactly scikit-image's richardson_lucy (also
//             its back-projection for even PSFs: correlate(r, psf, same), which is one sample
//             off the adjoint of H along each even axis; odd PSFs are exact). Expect dark
//             ringing bands along the edges of a scene that continues beyond them.
//   periodic: the image is one period of a periodic object (circular convolution; the PSF may
//             not be longer than the image along any axis). scikit-image's wiener.
//   extended: the object is reconstructed on the image grown by the PSF's reach (k / 2 before,
//             (k - 1) / 2 after each axis) and compared with the data only inside the image
//             (Bertero & Boccacci 2005, A&A 437:369): objects that continue beyond the edge are
//             explained by light from outside, without ringing. Only the image part is returned.
//
// Richardson-Lucy (Richardson 1972, Lucy 1974), with M the data's indicator (1 on the image's
// pixels, 0 on masked ones and, for `extended`, outside the image), B the back-projection and
// w = B(M) / sum(psf) (taken as 1 for `zero` and `periodic` without a mask: the skimage update):
//     f <- f / w * B( M g / (H f + 1e-12) )
// (1e-12, scikit-image's, keeps 0 / 0 finite). Object pixels whose w is below 1e-6 max(w) are
// unconstrained by the data and stay 0. Flux: without a mask, sum(f) equals sum(g) after every
// iteration for `periodic`, and for `zero` with odd PSFs (to rounding and the 1e-12);
// sum(w f) = sum(M g) for `extended`.
//
// Working memory (counted against max_memory_bytes before anything is allocated), with D the
// reconstruction domain's pixel count (the image's, or the extended grid's) and S the image's,
// in elements of T: 2 D (estimate and back-projection) + 2 S (the blurred estimate, the data) + D
// for w (with a mask, or `extended`) + 4 D for Biggs-Andrews (x_prev, y and the last two changes) +
// one byte per pixel for a mask + the two convolutions' own (one kernel spectrum and one transform
// buffer each for the FFT methods: a Filter's).
#include <Eigen/Core>
#include <cstddef>
#include <functional>
#include <limits>

#include "fftconv/convolve.hpp"
#include "fftconv/export.hpp"
#include "fftconv/options.hpp"
#include "fftconv/view.hpp"

namespace fftconv {

/// What lies outside the image for a deconvolution (the file comment above).
enum class DeconvolutionEdges { zero, periodic, extended };

/// Richardson-Lucy's acceleration.
///   none:          plain iterations.
///   biggs_andrews: vector extrapolation (Biggs & Andrews 1997, Appl. Opt. 36:1766): each
///                  iteration starts from the estimate pushed along its last step,
///                  y = x + a (x - x_prev), a = <g1, g2> / <g2, g2> from the changes the last two
///                  iterations made (g = psi(y) - y), clamped to [0, 1] (a negative a restarts
///                  the history), y kept at or above min(x, 1e-7 mean(data)) (so the
///                  multiplicative update can recover a pixel the extrapolation overshot); the
///                  result is an ordinary RL step's output, so the flux property holds. The same
///                  four transforms per iteration, typically 3 to 4 times fewer iterations for
///                  the same error to the truth. The first two iterations are plain.
enum class Acceleration { none, biggs_andrews };

/// Wiener's regularizer R (wiener).
///   laplacian: the discrete Laplacian (2 ndim at the centre, -1 at the 2 ndim face
///              neighbours), scikit-image's default: smooth solutions, the mean passes.
///   identity:  R = 1, Tikhonov regularization (ITK's TikhonovDeconvolutionImageFilter).
enum class Regularizer { laplacian, identity };

/// Called after each iteration with its number (1, 2, ...) and the relative change of the
/// estimate, ||f_new - f|| / ||f|| (Euclidean norms over the reconstruction domain; 0 when f
/// is 0). Return false to stop: the output is then the estimate after that iteration. It runs
/// on the calling thread; an exception it throws propagates and nothing is written.
using IterationCallback = std::function<bool(int iteration, double relative_change)>;

/// Options of richardson_lucy.
struct RichardsonLucyOptions {
  int iterations = 50;  ///< >= 0; 0 returns the starting estimate
  Acceleration acceleration = Acceleration::none;
  DeconvolutionEdges edges = DeconvolutionEdges::zero;
  /// scikit-image's filter_epsilon: where the blurred estimate (1e-12 added) is below it, the
  /// ratio is 0 instead of data / blur. 0 (the default) disables it. Finite, >= 0.
  double filter_epsilon = 0;
  /// Clip the result to [-1, 1] at the end, as scikit-image's clip=True (for data in [0, 1]).
  bool clip = false;
  /// Total-variation regularization (Dey et al. 2006, Microsc. Res. Tech. 69:260): the update
  /// is divided by 1 - lambda div(grad f / |grad f|) (forward differences, zero flux across the
  /// domain's border, 0 where grad f = 0), which flattens noise and shrinks isolated peaks.
  /// 0 (the default) is plain RL; 0 <= lambda < 1 / (2 ndim) (keeps the divisor positive);
  /// typical values 1e-4 to 1e-2. Dimensionless: it does not depend on the data's scale.
  double tv_regularization = 0;
  /// Bad pixels, true = bad: left out of the likelihood (their data is not read, may be NaN);
  /// the reconstruction there is inferred from their neighbours. Empty (the default) or of the
  /// image's shape.
  ConstView<bool> mask;
  /// Start from the estimate `out` holds on entry (of the image's shape, positive; continuing
  /// earlier iterations), instead of the constant 0.5 (scikit-image's start). With `extended`
  /// edges the pixels beyond the image start from the nearest image pixel's value. out must not
  /// share memory with the image, the PSF or the mask then.
  bool start_from_out = false;
  int threads = 1;  ///< as Options::threads
  Planning planning = Planning::estimate;
  /// The convolutions' method: automatic chooses as convolve does (direct for small PSFs).
  Method method = Method::automatic;
  std::size_t max_memory_bytes = std::numeric_limits<std::size_t>::max();
  IterationCallback progress;  ///< optional (see IterationCallback)
};

/// Options of landweber.
struct LandweberOptions {
  int iterations = 50;  ///< >= 0; 0 returns the starting estimate
  /// The step, relative to the largest stable one: f <- P(f + alpha / s^2 B(M (g - H f))) with
  /// s = sum(psf) (the largest |transfer function| of a non-negative PSF). Converges for
  /// 0 < alpha < 2; 1 (the default) is DeconvolutionLab2's, ITK's default 0.1 on a PSF of sum 1
  /// is alpha = 0.1.
  double alpha = 1;
  /// Project onto f >= 0 after every step (ITK's ProjectedLandweberDeconvolutionImageFilter).
  bool positivity = true;
  DeconvolutionEdges edges = DeconvolutionEdges::zero;
  bool clip = false;     ///< clip the result to [-1, 1] at the end
  ConstView<bool> mask;  ///< bad pixels (true = bad), as RichardsonLucyOptions::mask
  /// Start from `out` on entry (as RichardsonLucyOptions); otherwise from the data itself (ITK),
  /// extended beyond the image by the nearest pixel with `extended` edges.
  bool start_from_out = false;
  int threads = 1;
  Planning planning = Planning::estimate;
  Method method = Method::automatic;
  std::size_t max_memory_bytes = std::numeric_limits<std::size_t>::max();
  IterationCallback progress;
};

/// Options of wiener.
struct WienerOptions {
  Regularizer regularizer = Regularizer::laplacian;
  /// An explicit regularizer's impulse response (any rank-matching shape no larger than the
  /// transform grid), used instead of `regularizer` when not empty; only |R|^2 enters.
  ConstView<double> regularizer_kernel;
  bool clip = false;  ///< clip the result to [-1, 1], as scikit-image's clip=True
  /// periodic (the default, scikit-image's), zero (the image padded with zeros by the PSF's
  /// length per axis) or extended (padded by the image's mirror image, Boundary::reflect, by the
  /// PSF's length: the edge is continued smoothly, which removes most of the wrap-around
  /// ringing of `periodic`).
  DeconvolutionEdges edges = DeconvolutionEdges::periodic;
  int threads = 1;
  Planning planning = Planning::estimate;
  std::size_t max_memory_bytes = std::numeric_limits<std::size_t>::max();
};

// ---- Views: the compiled core -----------------------------------------------------------------
// image and out have the same shape, rank 1 to 3; the PSF has the image's rank (any lengths;
// with `periodic` edges none longer than the image's). out may alias the image (unless
// start_from_out). On any error an fftconv::Error is thrown naming the argument and its value,
// and out is untouched: a PSF with a negative or non-finite value or a sum that is not positive
// (Wiener accepts negative values, as scikit-image), negative or non-finite data outside the
// mask (RL), iterations < 0, options out of range, a method that needs more than
// max_memory_bytes.

/// Richardson-Lucy deconvolution (the file comment above): the maximum-likelihood object under
/// Poisson noise, by `options.iterations` multiplicative updates, each two convolutions with the
/// PSF's one prepared spectrum (four transforms for the FFT method).
FFTCONV_API void richardson_lucy(ConstView<float> image, ConstView<float> psf, View<float> out,
                                 const RichardsonLucyOptions& options = RichardsonLucyOptions{});
FFTCONV_API void richardson_lucy(ConstView<double> image, ConstView<double> psf, View<double> out,
                                 const RichardsonLucyOptions& options = RichardsonLucyOptions{});

/// Landweber iteration (least squares by gradient steps, projected onto f >= 0 by default).
FFTCONV_API void landweber(ConstView<float> image, ConstView<float> psf, View<float> out,
                           const LandweberOptions& options = LandweberOptions{});
FFTCONV_API void landweber(ConstView<double> image, ConstView<double> psf, View<double> out,
                           const LandweberOptions& options = LandweberOptions{});

/// Wiener-Hunt deconvolution, scikit-image's restoration.wiener over every axis:
///     F = conj(T) G / (|T|^2 + balance |R|^2),
/// T the PSF's transfer function, R the regularizer's, G the data's spectrum on the transform
/// grid (`edges`). Here the PSF's centre is its tap k / 2 (scikit-image's, and
/// scipy.ndimage's), so for even PSFs the model is one sample off the `same` centring above.
/// balance is finite and >= 0 (0: the inverse filter, where T has zeros: non-finite values).
/// scikit-image 0.19 fails or transforms only the last two axes for 3-D data; this is
/// scikit-image 0.20's N-D Wiener.
/// Work: the transform grid (frequency.hpp: its lengths L, the image's for `periodic`, else
/// next_fast_size(n + 2 max(k)) per axis), which first transforms the PSF (only its k rows along
/// the last axis) and then filters the image in one sweep, and the PSF's transfer function kept
/// in the grid's column-block order (prod(L) / 2 complex values, a little more; the
/// regularizer_kernel's too when given). Working memory: the grid's (frequency.hpp, "Common
/// rules") plus those spectra, counted against max_memory_bytes before anything is allocated.
FFTCONV_API void wiener(ConstView<float> image, ConstView<float> psf, View<float> out,
                        double balance, const WienerOptions& options = WienerOptions{});
FFTCONV_API void wiener(ConstView<double> image, ConstView<double> psf, View<double> out,
                        double balance, const WienerOptions& options = WienerOptions{});

// ---- Eigen: thin adapters -----------------------------------------------------------------------
/// Any dense 2-D Eigen image and PSF of the same scalar (float or double); the result is a new
/// object of the image's kind and storage order. (options.start_from_out is refused here.)
template <class ImageDerived, class PsfDerived>
detail::eigen_result_t<ImageDerived> richardson_lucy(
    const Eigen::DenseBase<ImageDerived>& image, const Eigen::DenseBase<PsfDerived>& psf,
    const RichardsonLucyOptions& options = RichardsonLucyOptions{}) {
  if (options.start_from_out)
    throw Error(
        ErrorCode::invalid_argument,
        "fftconv::richardson_lucy: start_from_out needs an output view, not an Eigen result");
  return detail::with_eigen_views(image, psf, [&](auto image_v, auto psf_v) {
    detail::eigen_result_t<ImageDerived> result;
    richardson_lucy(image_v, psf_v, detail::result_view(result, image_v.shape()), options);
    return result;
  });
}
template <class ImageDerived, class PsfDerived>
detail::eigen_result_t<ImageDerived> landweber(
    const Eigen::DenseBase<ImageDerived>& image, const Eigen::DenseBase<PsfDerived>& psf,
    const LandweberOptions& options = LandweberOptions{}) {
  if (options.start_from_out)
    throw Error(ErrorCode::invalid_argument,
                "fftconv::landweber: start_from_out needs an output view, not an Eigen result");
  return detail::with_eigen_views(image, psf, [&](auto image_v, auto psf_v) {
    detail::eigen_result_t<ImageDerived> result;
    landweber(image_v, psf_v, detail::result_view(result, image_v.shape()), options);
    return result;
  });
}
template <class ImageDerived, class PsfDerived>
detail::eigen_result_t<ImageDerived> wiener(const Eigen::DenseBase<ImageDerived>& image,
                                            const Eigen::DenseBase<PsfDerived>& psf, double balance,
                                            const WienerOptions& options = WienerOptions{}) {
  return detail::with_eigen_views(image, psf, [&](auto image_v, auto psf_v) {
    detail::eigen_result_t<ImageDerived> result;
    wiener(image_v, psf_v, detail::result_view(result, image_v.shape()), balance, options);
    return result;
  });
}

}  // namespace fftconv
