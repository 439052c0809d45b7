#pragma once
// Separable (rank-1) kernels: h[a0][a1][b] = column[a0][a1] * row[b], found and checked exactly.
// A Gaussian or box blur of k x k taps then costs two passes of k taps (k0 k1 + k2 per output
// instead of k0 k1 k2): along the rows with `row`, then across them with `column`.
#include <cstddef>
#include <optional>
#include <vector>

#include "fftconv/view.hpp"

namespace fftconv::detail {

/// How far (in units of rounding of the passes' precision, relative) each kernel value may be
/// from the product of its factors. Beyond one rounding of each factor and of the product, this
/// leaves room for kernels computed value by value rather than as a product: a Gaussian
/// exp(-(x^2 + y^2) / 2s^2) evaluated in double passes at 16 (4 would refuse about half of them,
/// for the last-bit errors of exp).
constexpr int separable_tolerance_units = 16;

/// The two factors of a separable kernel, in the precision C the passes compute in.
template <class C>
struct SeparableFactors {
  std::vector<C> column;  ///< k0 * k1 values, C order: the kernel's rows' scales
  std::vector<C> row;     ///< k2 values: the shape every kernel row is a multiple of
  std::size_t column_taps = 0, row_taps = 0;  ///< non-zero values of each
};

/// The factors of kernel3 (canonical rank 3) if it is separable to C's precision, else nothing.
///
/// Separable means: with the factors rounded to C, every kernel value h satisfies
///   |h - column * row| <= U u |h|   (U = separable_tolerance_units, u = C's unit roundoff; so
///                                    h = 0 needs column * row = 0),
/// so the passes compute the convolution with a kernel within U u (relative, value by value) of
/// the caller's: error_bound counts it. The factors come from
/// the largest value's row and column (for a rank-1 matrix that is exact up to one rounding per
/// value, an SVD gives nothing more, and this costs O(k0 k1 k2) instead of O(k^3) for a 513 x
/// 513 kernel); the check above is the test, value by value. Kernels with a single row or a
/// single column (k0 k1 = 1 or k2 = 1) gain nothing and are reported as not separable.
template <class C, class T>
std::optional<SeparableFactors<C>> separable_factors(const ConstView<T>& kernel3);

/// Throws fftconv::Error(invalid_argument): options.method = separable with a kernel of this
/// shape that is not separable.
[[noreturn]] void fail_not_separable(const Shape& kernel_shape);

}  // namespace fftconv::detail
