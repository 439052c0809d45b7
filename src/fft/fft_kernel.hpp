#pragma once
// The FFT path: image (extended by the boundary rule where needed) and kernel into transform
// buffers, real-to-complex transforms, pointwise product with the kernel spectrum (its conjugate
// for correlation, so the kernel is never flipped in space here), complex-to-real inverse, crop
// the window. What fills the buffers: geometry.hpp; how the transforms run: layout.hpp.
//
// Complex data (the spectral form): the real and imaginary parts of image and kernel go through
// the same real transforms, and their spectra are combined before the inverse ones, as the
// complex product (A + iB)(C + iD) = (AC - BD) + i(AD + BC) of the parts' spectra A, B, C, D:
// two forward and two inverse real transforms for complex x complex (what one complex transform
// each way costs, against four and four for the four real convolutions of the parts), one and two
// for a real image with a complex kernel. Correlation conjugates the kernel: its parts' spectra
// become conj(C) and -conj(D).
#include <array>
#include <cstddef>
#include <memory>
#include <vector>

#include "core/parts.hpp"
#include "core/problem.hpp"
#include "fft/geometry.hpp"
#include "fft/layout.hpp"
#include "fft/memory.hpp"
#include "fft/plans.hpp"
#include "fftconv/view.hpp"

namespace fftconv::detail {

/// The kernel prepared for the FFT path: the plans, and the kernel spectrum (in column-block
/// order) with the 1/N of the unnormalized inverse folded in (conjugated for correlation). apply
/// is const, plans nothing and allocates its own work arrays per call, so it may run from many
/// threads at once.
template <class T>
class FftKernel {
 public:
  /// kernel is a canonical rank-3 view of the problem's kernel shape; kernel_im, if the
  /// problem's kernel has two parts (p.kernel_parts), the imaginary part's (a kernel with two
  /// parts is never single_use: its spectra are stored).
  FftKernel(const Problem& p, const ConstView<T>& kernel,
            const ConstView<T>& kernel_im = ConstView<T>());
  /// out = the problem's result for image (canonical rank-3 views of the problem's shapes), with
  /// `fill` outside the image where the rule gives a constant (the problem's fill value, or the
  /// weight image's: see missing_pixels.hpp).
  void apply(const ConstView<T>& image, const View<T>& out, T fill) const;

  /// The working memory of apply, reusable by one thread at a time across calls.
  struct Workspace {
    AlignedBuffer<T> work;
    AlignedBuffer<T> work_im;  ///< complex data: the imaginary part's work array
    std::vector<AlignedBuffer<T>> scratch;
  };
  /// Allocates in ws what apply needs (so that apply on it allocates nothing).
  void reserve(Workspace& ws) const;
  /// apply in the working memory ws (reserved here first if it is not yet).
  void apply(const ConstView<T>& image, const View<T>& out, T fill, Workspace& ws) const;
  /// The spectral form for complex data: image with the problem's image_parts parts, out with
  /// its output_parts (out.im null if 1), none of them sharing memory with another; `fill` is
  /// the real part's (the imaginary part is extended with 0: the fill value is fill + 0i).
  void apply(const Parts<const T>& image, const Parts<T>& out, T fill, Workspace& ws) const;
  void apply(const Parts<const T>& image, const Parts<T>& out, T fill) const;

  /// max_k |DFT(kernel)_k| over the transform grid (for error_bound; not single_use).
  double spectrum_max() const;

 private:
  /// One kernel part's spectrum into `spectrum` (finish_spectrum's scales), or for a single-use
  /// kernel its transformed rows into kernel_rows_.
  void transform_kernel(const ConstView<T>& kernel, AlignedBuffer<T>& spectrum,
                        const std::array<T, 2>& scales);

  Problem p_;
  FftLayout layout_;
  FftGeometry geometry_;
  std::shared_ptr<const fft::Plan> row_forward_, row_inverse_;
  std::shared_ptr<const fft::Plan> outer_forward_, outer_inverse_;    // null if lengths[outer] == 1
  std::shared_ptr<const fft::Plan> middle_forward_, middle_inverse_;  // null unless 3-D
  AlignedBuffer<T> spectrum_;     ///< empty for a single-use kernel (Problem::single_use)
  AlignedBuffer<T> spectrum_im_;  ///< a complex kernel's imaginary part's (kernel_parts 2)
  AlignedBuffer<T> kernel_rows_;  ///< a single-use kernel: its rows (and middle axis) transformed
};

extern template class FftKernel<float>;
extern template class FftKernel<double>;

}  // namespace fftconv::detail
