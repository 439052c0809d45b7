#pragma once
// convolve_masked: convolution that leaves out bad pixels and says how much data each output
// stands on.
//
//   values = the convolution under options.nan_policy, masked pixels treated exactly like NaN
//            (NanPolicy::interpolate gives normalized convolution: conv(E', k) / conv(M, k));
//   weight = conv(M, k), the coverage map: M = 1 where the (boundary-extended) image is finite
//            and unmasked, 0 elsewhere. With a kernel summing to 1, the fraction of the kernel's
//            weight that fell on valid data (astropy computes this and throws it away).
//
// With NanPolicy::interpolate the values are the weighted mean whatever Options::normalize_kernel
// says (scaling the kernel cancels in the ratio). astropy's convolve and convolve_fft with
// normalize_kernel=False return that mean times sum(k) instead; the Python package's
// fftconv.astropy multiplies it back to match them.
//
// The mask has the image's shape; a non-zero (true) element marks a pixel as bad, the numpy.ma
// and astropy convention. Masks of bool, or of the image's type holding only 0 and 1.
// See options.hpp (NanPolicy, min_weight, preserve_nan) and README, "Bad pixels and masks".
#include <Eigen/Core>

#include "fftconv/convolve.hpp"
#include "fftconv/export.hpp"

namespace fftconv {

/// values and weight, both of the output shape (Options::mode).
template <class Plain>
struct MaskedResult {
  Plain values;
  Plain weight;
};

// ---- Views: the compiled core ---------------------------------------------------------------
// values and weight must have output_shape(image, kernel, mode) and must not share memory with
// each other (refused when their address ranges overlap, even if their elements interleave); either
// may alias the image (everything is read first). An empty weight (View<T>()) skips the coverage
// map (and, unless nan_policy is interpolate, its transforms). On any error an fftconv::Error is
// thrown and nothing is written.
FFTCONV_API void convolve_masked(ConstView<float> image, ConstView<bool> mask,
                                 ConstView<float> kernel, View<float> values, View<float> weight,
                                 const Options& options = Options{});
FFTCONV_API void convolve_masked(ConstView<double> image, ConstView<bool> mask,
                                 ConstView<double> kernel, View<double> values, View<double> weight,
                                 const Options& options = Options{});
FFTCONV_API void convolve_masked(ConstView<float> image, ConstView<float> mask,
                                 ConstView<float> kernel, View<float> values, View<float> weight,
                                 const Options& options = Options{});
FFTCONV_API void convolve_masked(ConstView<double> image, ConstView<double> mask,
                                 ConstView<double> kernel, View<double> values, View<double> weight,
                                 const Options& options = Options{});

// ---- Eigen: a thin adapter --------------------------------------------------------------------
/// Any dense Eigen image, a mask of the same shape (bool, or the image's scalar holding 0 and
/// 1), a kernel of the image's scalar. Both results are new objects of the image's kind and
/// storage order.
template <class ImageDerived, class MaskDerived, class KernelDerived>
MaskedResult<detail::eigen_result_t<ImageDerived>> convolve_masked(
    const Eigen::DenseBase<ImageDerived>& image, const Eigen::DenseBase<MaskDerived>& mask,
    const Eigen::DenseBase<KernelDerived>& kernel, const Options& options = Options{}) {
  using Scalar = typename ImageDerived::Scalar;
  using MaskScalar = typename MaskDerived::Scalar;
  static_assert(std::is_same_v<MaskScalar, bool> || std::is_same_v<MaskScalar, Scalar>,
                "fftconv: the mask must be bool or of the image's scalar type");
  const detail::EigenInput<MaskDerived> m(mask);
  return detail::with_eigen_views(image, kernel, [&](auto image_v, auto kernel_v) {
    const ConstView<MaskScalar> mask_v =
        image_v.rank() == 1 && (mask.rows() == 1 || mask.cols() == 1) ? m.as_vector()
                                                                      : m.as_matrix();
    MaskedResult<detail::eigen_result_t<ImageDerived>> result;
    const Shape shape = output_shape(image_v.shape(), kernel_v.shape(), options.mode);
    const auto values = detail::result_view(result.values, shape);
    const auto weight = detail::result_view(result.weight, shape);
    convolve_masked(image_v, mask_v, kernel_v, values, weight, options);
    return result;
  });
}

}  // namespace fftconv
