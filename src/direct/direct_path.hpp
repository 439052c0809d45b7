#pragma once
// The direct path: the spatial sum, for kernels small enough that it beats the transforms.
#include <array>
#include <cstddef>
#include <vector>

#include "core/problem.hpp"
#include "direct/separable.hpp"
#include "direct/tap.hpp"
#include "fft/memory.hpp"
#include "fftconv/view.hpp"

namespace fftconv::detail {

/// The extended image the direct path sums over: extent out + k - 1 per axis, position t holding
/// the extended image at t + start - (k - 1). Throws fftconv::Error(invalid_argument) if a size
/// overflows size_t.
struct DirectLayout {
  std::array<std::size_t, 3> extent{};
  std::array<std::size_t, 3> strides{};  ///< dense C order
  std::size_t count = 0;                 ///< elements of the extended image
};
DirectLayout direct_layout(const Problem& p);

/// The extended image of problem p (direct_layout(p)), filled from `image` (canonical rank 3) by
/// the boundary rule, `fill` where the rule gives a constant (zero, constant).
template <class T>
AlignedBuffer<T> extended_image(const Problem& p, const ConstView<T>& image, T fill);

/// Bytes the direct path allocates for problem p: the dense kernel and its tap list, the index
/// maps, a copy of the image (only made when the output shares its memory), and per thread that
/// runs one band of extended rows and one accumulator row (a separable kernel of
/// `separable_terms` terms: and per term the band's rows after the pass along them).
/// listed_taps: the taps summed per output, which decide the threads (about a million
/// multiply-adds each): the kernel's non-zero values, or a separable kernel's column taps.
std::size_t direct_working_bytes(const Problem& p, std::size_t element_bytes,
                                 std::size_t separable_terms, std::size_t listed_taps);

/// Separable kernels: rows the pass along the rows filters per output row (the band's extended
/// rows of every kernel plane, over the band's output rows), for the cost model. column_taps:
/// the passes across the rows' taps (listed_taps above).
double separable_row_passes(const Problem& p, std::size_t column_taps);

/// The kernel prepared for the direct path: its non-zero values grouped by kernel row, flipped
/// for convolution. apply is const and allocates its own working memory per call.
template <class T>
class DirectKernel {
 public:
  /// kernel is a canonical rank-3 view of the problem's kernel shape with `nonzero` values that
  /// are not zero (KernelInfo). factors: null, or the kernel's separable factors (as the caller
  /// gave it: they are flipped here for convolution) to run it as two passes per term
  /// (separable.hpp).
  DirectKernel(const Problem& p, const ConstView<T>& kernel, std::size_t nonzero,
               const SeparableFactors<T>* factors);
  /// out = the problem's result for image (canonical rank-3 views of the problem's shapes), with
  /// `fill` outside the image where the rule gives a constant (the problem's fill value, or the
  /// weight image's: see missing_pixels.hpp).
  void apply(const ConstView<T>& image, const View<T>& out, T fill) const;

 private:
  Problem p_;
  std::vector<Tap<T>> taps_;  ///< grouped by kernel row, rows without a non-zero value left out
  std::vector<std::size_t> row_ends_;  ///< the taps of the r-th listed row end at row_ends_[r]
  std::vector<std::array<std::size_t, 2>> row_at_;  ///< (axis 0, axis 1) of the r-th listed row
  /// Separable kernels: the taps of the passes along the rows, term after term, term i's ending
  /// at row_pass_ends_[i] (the listed rows above are then the passes across them: one tap at
  /// offset 0 each, the column factors' non-zero values, term after term).
  std::vector<Tap<T>> row_pass_;
  std::vector<std::size_t> row_pass_ends_;
};

extern template class DirectKernel<float>;
extern template class DirectKernel<double>;

}  // namespace fftconv::detail
