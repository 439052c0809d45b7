#pragma once
// The FFT path's error model, and overlap-save's (its tile problem's transforms), which
// error_bound composes; what it needs of the kernel comes as parameters.
//
// out = (1/N) IDFT(DFT(a) .* DFT(b)) with a the transformed buffer (the image, padded and
// extended by the boundary rule) and b the kernel, both of N points. A computed transform over a
// (of log2 N radix-2 stages, each with error eta ~ (4 sqrt2 + 1) u, Higham 24.1) is normwise
// accurate, ||dA||_2 <= log2(N) eta ||A||_2 with ||A||_2 = sqrt(N) ||a||_2 (Parseval), and each
// output of the inverse is a tree of log2 N stages over its N inputs, so its error is at most
// log2(N) eta (1/N) sum |P_k| <= log2(N) eta ||a||_2 ||b||_2 (Cauchy-Schwarz). With the same
// bound for the two forward transforms through Cauchy-Schwarz and a few u for the product and
// the folded 1/N, every output obeys
//   |error| <= (3 log2(N) eta + 4 u) ||a||_2 ||b||_2.
// FFTW's mixed-radix codelets (2, 3, 5, 7), its real-to-complex pre/post-processing stage per
// axis and its trigonometric tables are not covered by the radix-2 analysis; we use
// eta = 8 u per stage and count one extra stage per transformed axis:
//   |error| <= (24 (log2 N + d) + 4) u ||a||_2 ||b||_2.
// The tests check it on thousands of random and adversarial cases. It is a worst-case bound:
// on random data the error is a random sum over N spectral errors, which is about sqrt(N)
// times smaller (see README, "Accuracy").
#include <array>
#include <cstddef>
#include <vector>

#include "core/problem.hpp"
#include "fftconv/view.hpp"

namespace fftconv::detail {

/// What a bound needs to know of the data: the norms of the transformed buffer a and of the
/// kernel b, and the sizes.
struct Norms {
  double a2 = 0;     ///< ||a||_2, a the FFT path's transform buffer
  double a1 = 0;     ///< ||a||_1
  double a_max = 0;  ///< max |a|
  double b2 = 0;     ///< ||b||_2, b the kernel
  double b1 = 0;     ///< ||b||_1
  double b_hat = 0;  ///< max |DFT(b)| over the transform grid (<= ||b||_1)
};

/// The transforms that run: the whole problem's, or (tiled) overlap-save's tile problem, whose
/// image (one tile's region of the extended image) is within the extended image in norm; the
/// union for the probabilistic bound is still over every output.
Problem transformed_problem(const Problem& p, bool tiled);
/// The index maps of the image those transforms read (whole): the FFT path's buffer
/// (fft_geometry's maps), or for overlap-save the extended image every tile's region lies in
/// (extension_maps).
std::array<std::vector<std::ptrdiff_t>, 3> transformed_image_maps(const Problem& p, bool tiled);

/// ||a||_2 and ||a||_1 of the image through index maps (the fill value where a map says -1): the
/// FFT path's transform buffer (fft_geometry's maps; zeros beyond add nothing), or for
/// overlap-save the extended image every tile's region lies in (extension_maps).
template <class T>
void region_norms(const std::array<std::vector<std::ptrdiff_t>, 3>& m, double fill_value,
                  const ConstView<T>& image3, Norms& norms);

/// The norms of the kernel as the FFT path transforms it (abs_kernel3: the kernel's |values|,
/// dense): folded modulo the transform lengths (fold_into) when it is longer than them (wrap in
/// same mode: the image's own period). Returns how many kernel values share one folded bin at
/// most: they are summed naively in the data's precision, an error the transform bound does not
/// cover.
double kernel_norms(const Problem& p, const ConstView<double>& abs_kernel3, Norms& norms);

/// max |DFT(b)| on problem p's transform grid, computed in double (its error, far below the
/// float or double rounding it scales, is covered by rounding up by 1e-12 relative).
template <class T>
double kernel_spectrum_max(const Problem& p, const ConstView<T>& kernel3);

/// The FFT path's worst-case bound (see the top of the file).
double fft_bound(const Problem& p, const Norms& n, double u);

/// The FFT path's probabilistic bound: the same error terms as fft_bound, but rounding errors
/// taken as independent, mean zero and at most u in size (Higham & Mary 2019). Each output is
/// then a sum of the spectral errors with random phases, so the (1/N) sum |.| of the worst case
/// becomes a root-sum-square: the forward terms give ||a||_2 ||b||_2 / sqrt(N) per sqrt(stage),
/// the inverse and the product ||DFT(a) DFT(b)||_2 / N <= ||a||_2 max|DFT(b)| / sqrt(N).
double fft_probable(const Problem& p, const Norms& n, double u, double outputs);

/// The FFT path's rounding in the subnormal range (an absolute term, `tiny` the smallest
/// subnormal of the computation's precision): every spectral value may carry one per stage, and
/// the inverse adds N of them (conservatively, times the other factor's largest spectral value,
/// ||.||_1).
double fft_underflow(const Problem& p, const Norms& n, double tiny);

}  // namespace fftconv::detail
