#pragma once
// Template matching: where in an image does a template appear?
//
// match_template(image, templ) is the zero-mean normalized cross-correlation of the template
// with every window of the image it fits in (`valid` positions: image - templ + 1 per axis),
//
//   score[u] = sum_t (I[u + t] - mean_u) (T[t] - mean_T) / sqrt(sum_t (I[u + t] - mean_u)^2
//                                                               sum_t (T[t] - mean_T)^2),
//
// the Pearson correlation of the template with the window at u (mean_u: the window's mean):
// 1 where the window is an exact positive affine copy a T + b (a > 0), -1 for a negative copy,
// and independent of the window's brightness and contrast. This is OpenCV's TM_CCOEFF_NORMED
// and scikit-image's match_template. Correlation, not convolution: the template is not flipped.
//
// How: the numerator is one FFT (or direct, for small templates: Options::method) correlation
// with the zero-mean template; the window means and variances come from window sums with
// compensated prefix sums. Everything runs in double, whatever the data type, and the score is
// rounded once: float scores agree with a float64 reference to their last bit and with OpenCV's
// float32 results to ~6e-8 on ordinary data. A window's sum of squares about its own mean is
// formed as sum x^2 - (sum x)^2 / K with x about the image's mean, so a window whose contrast
// (standard deviation s) is tiny next to its offset d from the image's mean loses about
// log10((d / s)^2) of double's 16 digits; see also "flat" below.
//
// Conventions (scores are always finite or NaN):
//   - clamped to [-1, 1] (rounding can otherwise step past them);
//   - a window with zero variance (a flat patch: Pearson's correlation is undefined) scores 0;
//     so does every window for a flat template. "Zero" means below the rounding of the
//     variance's computation, about 1e-14 of the window's sum of squares about the image mean
//     (so a window 1e7 times fainter in contrast than its offset from the image's mean counts
//     as flat).
//     (OpenCV returns arbitrary values there, with a warning in its documentation.);
//   - a window containing a NaN or infinite pixel scores NaN (use the masked form to match
//     around them).
// Options used: method, planning, threads, max_memory_bytes (and min_overlap, masked form). The
// mode is always `valid`; boundary, nan_policy and the other fields are ignored.
//
// match_template(image, templ, templ_mask) is the masked form (Padfield, "Masked object
// registration in the Fourier domain", IEEE TIP 2012; ITK's
// MaskedFFTNormalizedCorrelationImageFilter): the Pearson correlation over the template pixels
// where templ_mask is non-zero (the OpenCV and ITK convention: the mask says where the template
// is, the opposite of convolve_masked's bad-pixel mask) that fall on finite image pixels. Windows
// where fewer than max(options.min_overlap, 2) such pixels remain score 0. Six correlations
// sharing three template spectra (three when no image pixel is missing). Its window variances
// come from those correlations: with the fft method their rounding error is spread over every
// window at the level of u log2(N) times the image's largest squared values, so in an image of
// large dynamic range (1e4 next to 1e-2) the faintest windows can fall below it and score 0;
// Method::direct keeps each window's error to its own values.
//
// find_peaks(score, threshold, min_distance) turns a score map into object positions: the local
// maxima >= threshold, strongest first, each more than min_distance pixels (along at least one
// axis) from every stronger peak kept, with a sub-pixel position from a parabola through the
// maximum and its two neighbours along each axis.
#include <Eigen/Core>
#include <array>
#include <cstddef>
#include <vector>

#include "fftconv/convolve.hpp"
#include "fftconv/export.hpp"

namespace fftconv {

// ---- Views: the compiled core ---------------------------------------------------------------
// score must have output_shape(image.shape(), templ.shape(), Mode::valid); a template larger than
// the image along some axis gives an empty score. On error fftconv::Error, nothing written.
FFTCONV_API void match_template(ConstView<float> image, ConstView<float> templ, View<float> score,
                                const Options& options = Options{});
FFTCONV_API void match_template(ConstView<double> image, ConstView<double> templ,
                                View<double> score, const Options& options = Options{});
/// Masked form: templ_mask has the template's shape; non-zero = part of the template.
FFTCONV_API void match_template(ConstView<float> image, ConstView<float> templ,
                                ConstView<bool> templ_mask, View<float> score,
                                const Options& options = Options{});
FFTCONV_API void match_template(ConstView<double> image, ConstView<double> templ,
                                ConstView<bool> templ_mask, View<double> score,
                                const Options& options = Options{});

/// One peak of a score map.
struct Peak {
  int rank = 0;                        ///< entries [0, rank) below are used
  std::array<std::size_t, 3> index{};  ///< the maximum's pixel, per axis
  std::array<double, 3> position{};    ///< sub-pixel position, per axis (within +-0.5 of index)
  double value = 0;                    ///< the score at index
};

/// Peaks of a rank 1..3 score map (see the top of this header), strongest first (ties in C
/// order). A plateau of equal maxima gives one peak, at its first pixel in C order. NaN pixels are
/// never peaks and do not stop a neighbour from being one. threshold: any number (NaN refused);
/// min_distance 0 keeps every local maximum.
FFTCONV_API std::vector<Peak> find_peaks(ConstView<float> score, double threshold,
                                         std::size_t min_distance);
FFTCONV_API std::vector<Peak> find_peaks(ConstView<double> score, double threshold,
                                         std::size_t min_distance);

// ---- Eigen: thin adapters ---------------------------------------------------------------------
/// Score of any dense Eigen image and template of the same scalar (a new object of the image's
/// kind and storage order, (rows - trows + 1) x (cols - tcols + 1)).
template <class ImageDerived, class TemplDerived>
detail::eigen_result_t<ImageDerived> match_template(const Eigen::DenseBase<ImageDerived>& image,
                                                    const Eigen::DenseBase<TemplDerived>& templ,
                                                    const Options& options = Options{}) {
  Options valid = options;
  valid.mode = Mode::valid;
  return detail::eigen_call(image, templ, valid, [](auto i, auto t, auto o, const Options& opt) {
    match_template(i, t, o, opt);
  });
}

/// Masked form; templ_mask: an Eigen object of bool with the template's shape.
template <class ImageDerived, class TemplDerived, class MaskDerived>
detail::eigen_result_t<ImageDerived> match_template(const Eigen::DenseBase<ImageDerived>& image,
                                                    const Eigen::DenseBase<TemplDerived>& templ,
                                                    const Eigen::DenseBase<MaskDerived>& templ_mask,
                                                    const Options& options = Options{}) {
  static_assert(std::is_same_v<typename MaskDerived::Scalar, bool>,
                "fftconv: the template mask must be bool");
  const detail::EigenInput<MaskDerived> m(templ_mask);
  Options valid = options;
  valid.mode = Mode::valid;
  return detail::eigen_call(image, templ, valid, [&](auto i, auto t, auto o, const Options& opt) {
    match_template(i, t, t.rank() == 1 ? m.as_vector() : m.as_matrix(), o, opt);
  });
}

/// Peaks of an Eigen score map (a compile-time vector is 1-D, anything else rows x cols: index
/// and position [0] = row, [1] = column).
template <class Derived>
std::vector<Peak> find_peaks(const Eigen::DenseBase<Derived>& score, double threshold,
                             std::size_t min_distance) {
  const detail::EigenInput<Derived> in(score);
  return find_peaks(detail::image_view(in), threshold, min_distance);
}

}  // namespace fftconv
