#pragma once
// Accuracy as a feature: a reference result to compare against, the error measures, and an
// a-priori bound on the error of the method the options select.
//
//   reference_convolve / reference_correlate: the direct sum, every term an exact product
//       accumulated in double-double (Ogita-Rump-Oishi Dot2: TwoProduct by fma, TwoSum, the
//       error terms compensated), then rounded once. The result is the correctly rounded value
//       unless the sum cancels by more than about 1e30 relative to the sum of |terms|, a partial
//       sum overflows the double range, or products underflow. Same shapes, modes, boundary
//       rules and
//       validation as convolve / correlate; Options::method, threads (used: outputs in parallel),
//       planning, compute_precision and nonnegative are ignored (nonnegative is refused for
//       complex data, as by convolve). Slow by design: about 10 flops
//       per kernel tap per output, no FFT.
//   compare: how far a result is from a reference (ErrorStats).
//   error_bound: how far convolve / correlate with these options can be from the exact result.
#include <cstddef>

#include "fftconv/convolve.hpp"
#include "fftconv/export.hpp"
#include "fftconv/filter.hpp"
#include "fftconv/options.hpp"
#include "fftconv/shape.hpp"
#include "fftconv/view.hpp"

namespace fftconv {

// ---- The reference ---------------------------------------------------------------------------

FFTCONV_API void reference_convolve(ConstView<float> image, ConstView<float> kernel,
                                    View<float> out, const Options& options = Options{});
FFTCONV_API void reference_convolve(ConstView<double> image, ConstView<double> kernel,
                                    View<double> out, const Options& options = Options{});
FFTCONV_API void reference_correlate(ConstView<float> image, ConstView<float> kernel,
                                     View<float> out, const Options& options = Options{});
FFTCONV_API void reference_correlate(ConstView<double> image, ConstView<double> kernel,
                                     View<double> out, const Options& options = Options{});
/// Complex data (the combinations and semantics of convolve.hpp's complex functions): each part
/// of the output is one double-double sum over the products of the parts (real part: a c - s b d,
/// imaginary part: s a d + b c, s = -1 for correlation), rounded once.
FFTCONV_API void reference_convolve(ConstView<std::complex<float>> image,
                                    ConstView<std::complex<float>> kernel,
                                    View<std::complex<float>> out,
                                    const Options& options = Options{});
FFTCONV_API void reference_convolve(ConstView<float> image, ConstView<std::complex<float>> kernel,
                                    View<std::complex<float>> out,
                                    const Options& options = Options{});
FFTCONV_API void reference_convolve(ConstView<std::complex<float>> image, ConstView<float> kernel,
                                    View<std::complex<float>> out,
                                    const Options& options = Options{});
FFTCONV_API void reference_convolve(ConstView<std::complex<double>> image,
                                    ConstView<std::complex<double>> kernel,
                                    View<std::complex<double>> out,
                                    const Options& options = Options{});
FFTCONV_API void reference_convolve(ConstView<double> image, ConstView<std::complex<double>> kernel,
                                    View<std::complex<double>> out,
                                    const Options& options = Options{});
FFTCONV_API void reference_convolve(ConstView<std::complex<double>> image, ConstView<double> kernel,
                                    View<std::complex<double>> out,
                                    const Options& options = Options{});
FFTCONV_API void reference_correlate(ConstView<std::complex<float>> image,
                                     ConstView<std::complex<float>> kernel,
                                     View<std::complex<float>> out,
                                     const Options& options = Options{});
FFTCONV_API void reference_correlate(ConstView<float> image, ConstView<std::complex<float>> kernel,
                                     View<std::complex<float>> out,
                                     const Options& options = Options{});
FFTCONV_API void reference_correlate(ConstView<std::complex<float>> image, ConstView<float> kernel,
                                     View<std::complex<float>> out,
                                     const Options& options = Options{});
FFTCONV_API void reference_correlate(ConstView<std::complex<double>> image,
                                     ConstView<std::complex<double>> kernel,
                                     View<std::complex<double>> out,
                                     const Options& options = Options{});
FFTCONV_API void reference_correlate(ConstView<double> image,
                                     ConstView<std::complex<double>> kernel,
                                     View<std::complex<double>> out,
                                     const Options& options = Options{});
FFTCONV_API void reference_correlate(ConstView<std::complex<double>> image,
                                     ConstView<double> kernel, View<std::complex<double>> out,
                                     const Options& options = Options{});

/// The reference for Eigen objects, same conventions as the Eigen convolve.
template <class ImageDerived, class KernelDerived>
detail::eigen_call_result_t<ImageDerived, KernelDerived> reference_convolve(
    const Eigen::DenseBase<ImageDerived>& image, const Eigen::DenseBase<KernelDerived>& kernel,
    const Options& options = Options{}) {
  return detail::eigen_call(image, kernel, options, [](auto i, auto k, auto o, const Options& opt) {
    reference_convolve(i, k, o, opt);
  });
}
template <class ImageDerived, class KernelDerived>
detail::eigen_call_result_t<ImageDerived, KernelDerived> reference_correlate(
    const Eigen::DenseBase<ImageDerived>& image, const Eigen::DenseBase<KernelDerived>& kernel,
    const Options& options = Options{}) {
  return detail::eigen_call(image, kernel, options, [](auto i, auto k, auto o, const Options& opt) {
    reference_correlate(i, k, o, opt);
  });
}

// ---- Error measures --------------------------------------------------------------------------

/// How far `result` is from `reference` (same shape). Errors e = result - reference per pixel.
/// Where both are NaN, or both the same infinity, e = 0; where only one is non-finite, e = +inf.
struct ErrorStats {
  std::size_t count = 0;       ///< pixels compared
  double max_abs = 0;          ///< max |e|
  double max_rel = 0;          ///< max |e| / max |reference| (0 when both are 0; inf when only
                               ///< the reference is all 0)
  double rms = 0;              ///< sqrt(mean e^2)
  double max_ulp = 0;          ///< max |e| / ulp(reference), the ulp in the result's precision
  double median_ulp = 0;       ///< the median of the same
  Shape worst_position;        ///< multi-index of the pixel with max |e| (the first such)
  std::size_t count_over = 0;  ///< pixels whose own relative error |e| / |reference| exceeds
                               ///< rel_tol (a non-zero error on a zero reference counts)
};

/// ulp(x): the distance from |x| to the next larger representable number of the result's type
/// (for x = 0, the smallest subnormal). The reference may be double for a float result.
FFTCONV_API ErrorStats compare(ConstView<float> result, ConstView<float> reference,
                               double rel_tol = 0);
FFTCONV_API ErrorStats compare(ConstView<float> result, ConstView<double> reference,
                               double rel_tol = 0);
FFTCONV_API ErrorStats compare(ConstView<double> result, ConstView<double> reference,
                               double rel_tol = 0);
/// Complex arrays (rank up to 7): the real and imaginary parts are compared as separate values,
/// as if the array had one more axis of length 2 (count is twice the element count; max_rel is
/// relative to the largest |part| of the reference; worst_position has that extra axis last:
/// 0 for the real part, 1 for the imaginary part).
FFTCONV_API ErrorStats compare(ConstView<std::complex<float>> result,
                               ConstView<std::complex<float>> reference, double rel_tol = 0);
FFTCONV_API ErrorStats compare(ConstView<std::complex<float>> result,
                               ConstView<std::complex<double>> reference, double rel_tol = 0);
FFTCONV_API ErrorStats compare(ConstView<std::complex<double>> result,
                               ConstView<std::complex<double>> reference, double rel_tol = 0);

/// compare for Eigen objects of equal size (any layouts; rows x cols, or vectors).
template <class ResultDerived, class ReferenceDerived>
ErrorStats compare(const Eigen::DenseBase<ResultDerived>& result,
                   const Eigen::DenseBase<ReferenceDerived>& reference, double rel_tol = 0) {
  const detail::EigenInput<ResultDerived> r(result);
  const detail::EigenInput<ReferenceDerived> f(reference);
  if constexpr (detail::is_vector_at_compile_time<ResultDerived> &&
                detail::is_vector_at_compile_time<ReferenceDerived>)
    return compare(r.as_vector(), f.as_vector(), rel_tol);
  else
    return compare(r.as_matrix(), f.as_matrix(), rel_tol);
}

// ---- The error bound -------------------------------------------------------------------------

/// What an error bound promises.
///   worst_case: never exceeded (the classical rounding error analysis, constants rounded up).
///   probabilistic: not exceeded with probability at least 1 - 1e-9, under the model of
///     rounding errors as independent, mean-zero random variables of size at most u (Higham &
///     Mary, SIAM J. Sci. Comput. 2019), which describes most computations well. For the FFT path
///     it is about sqrt(N) times smaller than worst_case (N the transform size) and within a
///     small factor of the errors actually seen. The model fails where rounding errors are all
///     alike: a constant image summed by the direct path along kernel rows of thousands of taps
///     exceeds it (1.2x at 4000 taps, 2x at 30000); use worst_case there.
enum class Guarantee { worst_case, probabilistic };

/// An a-priori bound on max |convolve(image, kernel, options) - exact| (or correlate, with
/// `operation`), for the method `options` selects (automatic: the one it would choose), in the
/// precision it computes in. Costs about one convolution in double (see README, "Accuracy"),
/// whose memory Options::max_memory_bytes does not limit. The constant fill value is taken in
/// the data's precision (as every path uses it).
///   direct: each output is a sum of products, rounded as it is accumulated (each kernel row in
///     its own partial sum, then the rows): |error| <= gamma(m) S, m = (most non-zero taps in a
///     kernel row) + (kernel rows with taps), gamma(m) = m u / (1 - m u), S = max over the
///     outputs of sum |terms|. probabilistic: lambda sqrt(m) u S.
///   separable: as direct, with m = (most non-zero row factor values of one term) + (non-zero
///     column factor values of all terms) + 17: the passes' sums, and the factors' distance from
///     the kernel (at most 16 u M, see Method::separable), and S taken with the kernel
///     magnitudes M = (sum over terms of |column factor|) (sum of |row factor|) (one term:
///     M = |kernel| up to 16 u).
///   fft: transform errors grow like log2(N) and spread over every output:
///     |error| <= (24 (log2 N + d) + 4) u ||a||_2 ||b||_2, a the transformed (padded, extended)
///     image, b the kernel, N the transform size, d its rank. probabilistic:
///     lambda (8 u sqrt(log2 N + d) (2 ||a||_2 ||b||_2 + ||a||_2 ||b||_1) + 4 u ||a||_2 ||b||_1)
///     / sqrt(N).
///   overlap_save: the fft bounds with N the tile's transform size and a the extended image
///     (out + k - 1 per axis, which holds every tile's region); the union is over all outputs.
///   compute_precision = double_precision on float data adds the final rounding, u_float S.
/// Every bound also adds the absolute error of roundings in the subnormal range, half the
/// smallest subnormal each (direct: two per non-zero tap; separable: two per row tap, times the
/// column factor they are multiplied by, and two per column tap; fft: per spectral value and
/// stage), negligible unless the data are tiny.
/// u = 2^-24 (float) or 2^-53 (double); lambda = sqrt(2 ln(2 n / 1e-9)) for n rounding events
/// (about 7 to 9). Returns +inf when the image, kernel or fill value is not finite, 0 for an
/// empty result. Throws fftconv::Error for the arguments convolve refuses.
FFTCONV_API double error_bound(ConstView<float> image, ConstView<float> kernel,
                               const Options& options = Options{},
                               Operation operation = Operation::convolve,
                               Guarantee guarantee = Guarantee::worst_case);
FFTCONV_API double error_bound(ConstView<double> image, ConstView<double> kernel,
                               const Options& options = Options{},
                               Operation operation = Operation::convolve,
                               Guarantee guarantee = Guarantee::worst_case);
/// Complex data (convolve.hpp's combinations): the largest error of a real or imaginary part of
/// an output, each part being one or two real operations on the parts added with one rounding
/// (bounded term by term with the real bounds and the terms' magnitudes; the FFT methods add the
/// terms' spectra before one inverse transform, counted in each term's product rounding).
FFTCONV_API double error_bound(ConstView<std::complex<float>> image,
                               ConstView<std::complex<float>> kernel,
                               const Options& options = Options{},
                               Operation operation = Operation::convolve,
                               Guarantee guarantee = Guarantee::worst_case);
FFTCONV_API double error_bound(ConstView<float> image, ConstView<std::complex<float>> kernel,
                               const Options& options = Options{},
                               Operation operation = Operation::convolve,
                               Guarantee guarantee = Guarantee::worst_case);
FFTCONV_API double error_bound(ConstView<std::complex<float>> image, ConstView<float> kernel,
                               const Options& options = Options{},
                               Operation operation = Operation::convolve,
                               Guarantee guarantee = Guarantee::worst_case);
FFTCONV_API double error_bound(ConstView<std::complex<double>> image,
                               ConstView<std::complex<double>> kernel,
                               const Options& options = Options{},
                               Operation operation = Operation::convolve,
                               Guarantee guarantee = Guarantee::worst_case);
FFTCONV_API double error_bound(ConstView<double> image, ConstView<std::complex<double>> kernel,
                               const Options& options = Options{},
                               Operation operation = Operation::convolve,
                               Guarantee guarantee = Guarantee::worst_case);
FFTCONV_API double error_bound(ConstView<std::complex<double>> image, ConstView<double> kernel,
                               const Options& options = Options{},
                               Operation operation = Operation::convolve,
                               Guarantee guarantee = Guarantee::worst_case);

/// error_bound for Eigen objects, same conventions as the Eigen convolve.
template <class ImageDerived, class KernelDerived>
double error_bound(const Eigen::DenseBase<ImageDerived>& image,
                   const Eigen::DenseBase<KernelDerived>& kernel,
                   const Options& options = Options{}, Operation operation = Operation::convolve,
                   Guarantee guarantee = Guarantee::worst_case) {
  return detail::with_eigen_views(image, kernel, [&](auto image_v, auto kernel_v) {
    return error_bound(image_v, kernel_v, options, operation, guarantee);
  });
}

}  // namespace fftconv
