#pragma once
// The direct path's error model (error_bound composes it; the kernel's facts it needs come from
// the plan's KernelInfo, as parameters).
//
// Each output is a sum of products E[j+m] h[m]; each kernel row (k2 taps, t of them non-zero) is
// summed into its own partial sum, and the R rows with taps are then added in turn
// (direct_path.cpp). Every term therefore passes through at most t + R roundings (one for its
// product), and the standard bound for such a sum is (Higham, Accuracy and Stability, 3.1)
//   |error| <= gamma(t + R) * sum |terms|,   gamma(n) = n u / (1 - n u),
// with u the unit roundoff. We bound sum |terms| by S = its maximum over the outputs.
#include <cstddef>
#include <vector>

#include "core/problem.hpp"
#include "direct/separable.hpp"
#include "fftconv/accuracy.hpp"
#include "fftconv/view.hpp"

namespace fftconv::detail {

/// The direct path's bound on each output's error relative to its sum of |terms|: gamma(m)
/// worst case; lambda sqrt(m) u probabilistically (Higham & Mary 2019, Theorem 3.1, union over
/// the m roundings of every output).
/// `outputs`: how many outputs the probabilistic bound covers at once (the whole call's).
double direct_factor(double outputs, double depth, double u, Guarantee guarantee);

/// The direct path's rounding in the subnormal range (an absolute term, `tiny` the smallest
/// subnormal of the computation's precision): one product and one addition per non-zero tap of
/// each output (`taps`), half a subnormal each.
double direct_underflow(double taps, double tiny);

/// The separable passes (direct/separable.hpp), which compute the convolution with the kernel
/// h' = sum_i column_i row_i of their terms. Each term's product with the data passes through
/// its pass along the rows (at most t_i roundings, t_i its row factor's non-zero values), one
/// product and the sum over every term's column taps (c in all), so the passes err by at most
/// gamma(m) S', m = max t_i + c + 1 (gamma(a) + gamma(b) + gamma(a) gamma(b) <= gamma(a + b)),
/// S' = max over the outputs of the sum of |data| times M = (sum_i |column_i|) (sum_i |row_i|)
/// (M >= sum_i |column_i row_i|). And |h - h'| <= U u M (U = separable_tolerance_units) adds
/// U u S': in all gamma(m + U) S'. So: depth m + U and the magnitudes M for S', and
/// max_i sum |row_i|, which times the largest |value| bounds the first pass's sums.
/// Underflow (see direct_underflow): each rounding in the subnormal range errs by up to half the
/// smallest subnormal, absolute. A passed value along the rows carries up to 2 t_i of them, then
/// is multiplied by a column factor value; the sums across the rows add 2 c: in all
/// sum_i t_i ||column_i||_1 + c smallest subnormals, counted like the direct path's taps.
struct SeparablePasses {
  double depth = 0;
  double row_l1 = 0;
  double underflow_taps = 0;
  std::vector<double> magnitudes;  ///< M, dense in the kernel's C order, rounded up
  /// The direct depth of summing with M (S' computed directly): every value of M is positive
  /// (rounded up past zero), so every row has all of the kernel's `width` taps.
  double magnitudes_depth = 0;
};
/// The model of the passes of a kernel whose terms are `factors` (in the precision C the passes
/// compute in), its rows `width` values long.
template <class C>
SeparablePasses separable_passes(const SeparableFactors<C>& factors, std::size_t width);

}  // namespace fftconv::detail
