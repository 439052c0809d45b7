#pragma once
// Separable and low-rank kernels: h[a0][a1][b] = sum over terms i of column_i[a0][a1] * row_i[b],
// found and checked exactly. A Gaussian or box blur of k x k taps (one term) then costs two
// passes of k taps (k0 k1 + k2 per output instead of k0 k1 k2): along the rows with `row`, then
// across them with `column`; a kernel of r terms (a difference of Gaussians has two) r such
// pairs of passes.
#include <cstddef>
#include <optional>
#include <vector>

#include "fftconv/view.hpp"

namespace fftconv::detail {

/// How far (in units of rounding of the passes' precision) each kernel value may be from the sum
/// of its terms, relative to the terms' magnitudes there (see separable_factors). Beyond one
/// rounding of each factor and of the products, this leaves room for kernels computed value by
/// value rather than as a product: a Gaussian exp(-(x^2 + y^2) / 2s^2) evaluated in double passes
/// at 16 (4 would refuse about half of them, for the last-bit errors of exp).
constexpr int separable_tolerance_units = 16;

/// The most taps per output the passes of a low-rank kernel may have, r (k0 k1 + k2) (beyond that
/// the FFT is faster on any image of the benchmark grid, and finding the terms costs
/// O(r k0 k1 k2)); they must also be fewer than the kernel's k0 k1 k2. Together these allow at
/// most 7 terms (k0 k1 = 10, k2 = 24, or the other way round).
constexpr std::size_t separable_tap_limit = 256;

/// One term of a separable kernel, in the precision C the passes compute in.
template <class C>
struct SeparableTerm {
  std::vector<C> column;  ///< k0 * k1 values, C order: the kernel's rows' scales
  std::vector<C> row;     ///< k2 values: the shape this term gives every kernel row
  std::size_t column_taps = 0, row_taps = 0;  ///< non-zero values of each
};

/// The terms of a separable (rank 1) or low-rank kernel.
template <class C>
struct SeparableFactors {
  std::vector<SeparableTerm<C>> terms;  ///< 1 to 7
  std::size_t rank() const { return terms.size(); }
  std::size_t row_taps() const;       ///< summed over the terms
  std::size_t column_taps() const;    ///< summed over the terms
  std::size_t most_row_taps() const;  ///< the largest of one term
};

/// The terms of kernel3 (canonical rank 3) if it is separable or low-rank to C's precision, else
/// nothing.
///
/// Separable means: with the factors rounded to C, every kernel value h satisfies
///   |h - sum_i column_i row_i| <= U u M,   M = (sum_i |column_i|) (sum_i |row_i|)
///   (U = separable_tolerance_units, u = C's unit roundoff; for one term M = |column row|, so
///   every value is within U u of its product, relative, and h = 0 needs a zero product),
/// so the passes compute the convolution with a kernel within U u M of the caller's, value by
/// value: error_bound counts it. (Not relative to sum_i |column_i row_i|: the kernel's own
/// rounding, relative to each value, reaches every term of a factorization through the pivot
/// rows and columns, and measured against that sum it came to 150 units on random rank-3
/// kernels, against 1.7 measured against M.)
///
/// The terms come from a rank-revealing elimination with complete pivoting (cross
/// approximation): term 1 is the largest value's column and its row divided by it; term i + 1
/// the same on the residual h - terms 1..i, kept in long double. For a kernel of rank r this
/// ends after r terms with a residual of rounding size, value by value, where an SVD's factors
/// would err by about u times the largest singular value everywhere (a Gaussian's tail would
/// fail the test above); the test above decides. One term is found reading the kernel in place
/// (O(k0 k1 k2), no copy, for any size); more terms are tried only while r (k0 k1 + k2) is at
/// most separable_tap_limit and below k0 k1 k2. Kernels with a single row or a single column (k0 k1
/// = 1 or k2 = 1) gain nothing and are reported as not separable.
template <class C, class T>
std::optional<SeparableFactors<C>> separable_factors(const ConstView<T>& kernel3);

/// Throws fftconv::Error(invalid_argument): options.method = separable with a kernel of this
/// shape that is not separable.
[[noreturn]] void fail_not_separable(const Shape& kernel_shape);

}  // namespace fftconv::detail
