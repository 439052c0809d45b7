#pragma once
// The FFT path: image (extended by the boundary rule where needed) and kernel into transform
// buffers, real-to-complex transforms, pointwise product with the kernel spectrum (its conjugate
// for correlation, so the kernel is never flipped in space here), complex-to-real inverse, crop
// the window. Three schemes share that pipeline and differ in what fills the buffer:
//   zero_padded: zero boundary (or valid mode): the image at the origin, zeros after it, the
//                shortest length whose wrap-around misses the window;
//   circular:    wrap in same mode, image lengths that are fast sizes: circular convolution at
//                exactly the image length, the kernel folded modulo that length if longer;
//   extended:    any other rule: the extended image the window needs (out + k - 1 values per
//                axis) at the origin, then a valid-mode problem on it.
#include <array>
#include <cstddef>
#include <memory>
#include <vector>

#include "core/problem.hpp"
#include "fft/memory.hpp"
#include "fft/plans.hpp"
#include "fftconv/view.hpp"

namespace fftconv::detail {

enum class FftScheme { zero_padded, circular, extended };
FftScheme fft_scheme(const Problem& p);

/// How many buffer positions along canonical `axis` the image fills: n, or for the extended
/// scheme the extended image's out + k - 1 (the size of its index map).
std::size_t image_rows(const Problem& p, std::size_t axis);

/// The transform length per canonical axis for the problem's scheme.
std::array<std::size_t, 3> transform_lengths(const Problem& p);

/// What fills the image buffer and where the window is read back, per canonical axis.
struct FftGeometry {
  std::array<std::size_t, 3> lengths{};
  /// Buffer position t < map.size() holds image[map[t]] (or the fill value where -1); positions
  /// past the map hold 0.
  std::array<std::vector<std::ptrdiff_t>, 3> image_maps;
  /// Output index j comes from circular position (j + shift) mod length.
  std::array<std::size_t, 3> shifts{};
};
FftGeometry fft_geometry(const Problem& p);

/// How the FFT path runs its transforms (fft_path.cpp has the why). The last axis goes through
/// 1-D real transforms, one row at a time, rows `pitch` reals apart: only rows that hold data
/// are transformed forward, only rows the output window reads are transformed back. The
/// outermost transformed axis (`outer`) goes through complex transforms of column blocks (`block`
/// columns side by side in a small scratch array), each fused with the product by the kernel
/// spectrum and its inverse; in 3-D the middle axis goes through column blocks too. Throws
/// fftconv::Error(invalid_argument) if a size overflows size_t or a length exceeds FFTW's int
/// limit.
struct FftLayout {
  std::array<std::size_t, 3> lengths{};  ///< transform length per canonical axis
  std::size_t half = 0;                  ///< complex values per row of the last axis
  std::size_t pitch = 0;                 ///< reals per row: 2 * half, rounded to 16 bytes
  int outer = 1;                         ///< 0 if lengths[0] > 1, else 1
  std::size_t columns = 0;  ///< complex values per outer-axis position (the outer pass's columns)
  std::size_t block = 0;    ///< columns per block of the outer pass (block_width)
  std::size_t middle_block = 0;      ///< columns per block of the middle axis's passes (3-D)
  std::size_t blocks = 0;            ///< ceil(columns / block)
  std::size_t spectrum_complex = 0;  ///< blocks * lengths[outer] * block
};
FftLayout fft_layout(const Problem& p, std::size_t element_bytes);

/// Bytes the fft method allocates for problem p, element size given: the kernel spectrum, one
/// work array and one scratch block per thread for each apply, the image index maps.
std::size_t fft_working_bytes(const Problem& p, std::size_t element_bytes);

/// The kernel prepared for the FFT path: the plans, and the kernel spectrum (in column-block
/// order) with the 1/N of the unnormalized inverse folded in (conjugated for correlation). apply
/// is const, plans nothing and allocates its own work arrays per call, so it may run from many
/// threads at once.
template <class T>
class FftKernel {
 public:
  /// kernel is a canonical rank-3 view of the problem's kernel shape.
  FftKernel(const Problem& p, const ConstView<T>& kernel);
  /// out = the problem's result for image (canonical rank-3 views of the problem's shapes), with
  /// `fill` outside the image where the rule gives a constant (the problem's fill value, or the
  /// weight image's: see missing_pixels.hpp).
  void apply(const ConstView<T>& image, const View<T>& out, T fill) const;

  /// The working memory of apply, reusable by one thread at a time across calls.
  struct Workspace {
    AlignedBuffer<T> work;
    std::vector<AlignedBuffer<T>> scratch;
  };
  /// Allocates in ws what apply needs (so that apply on it allocates nothing).
  void reserve(Workspace& ws) const;
  /// apply in the working memory ws (reserved here first if it is not yet).
  void apply(const ConstView<T>& image, const View<T>& out, T fill, Workspace& ws) const;

  /// max_k |DFT(kernel)_k| over the transform grid (for error_bound; not single_use).
  double spectrum_max() const;

 private:
  Problem p_;
  FftLayout layout_;
  FftGeometry geometry_;
  std::shared_ptr<const fft::Plan> row_forward_, row_inverse_;
  std::shared_ptr<const fft::Plan> outer_forward_, outer_inverse_;    // null if lengths[outer] == 1
  std::shared_ptr<const fft::Plan> middle_forward_, middle_inverse_;  // null unless 3-D
  AlignedBuffer<T> spectrum_;     ///< empty for a single-use kernel (Problem::single_use)
  AlignedBuffer<T> kernel_rows_;  ///< a single-use kernel: its rows (and middle axis) transformed
};

extern template class FftKernel<float>;
extern template class FftKernel<double>;

}  // namespace fftconv::detail
