#pragma once
// The blur H of a deconvolution and its back-projection B, as two prepared pipelines of the
// library (each a Filter's: the method chosen once, the PSF's spectrum or taps prepared once),
// over the reconstruction domain the edge rule asks for (fftconv/deconvolve.hpp):
//   zero:     H = convolve(f, psf, same, zero), B = correlate(r, psf, same, zero) with the window
//             shifted by (k - 1) % 2 to the exact adjoint, or not (scikit-image's
//             back-projection, `skimage_back_projection`);
//   periodic: the same with Boundary::wrap (B always the exact adjoint);
//   extended: f on the image grown by k / 2 before and (k - 1) / 2 after each axis,
//             H = convolve(f, psf, valid) (image-shaped), B = correlate(r, psf, full), the adjoint.
// Arrays are dense, C order, of the domain's or the image's shape.
#include <array>
#include <cstddef>

#include "core/batched_pipeline.hpp"
#include "core/validate.hpp"
#include "fftconv/deconvolve.hpp"

namespace fftconv::detail {

/// Lengths of a rank <= 3 grid at rank 3 (leading 1s), and its dense C-order element strides.
struct Grid {
  std::array<std::size_t, 3> n{1, 1, 1};
  std::size_t size() const { return n[0] * n[1] * n[2]; }
  std::size_t stride(int axis) const { return axis == 2 ? 1 : axis == 1 ? n[2] : n[1] * n[2]; }
};
Grid grid_of(const Shape& shape);

/// The reconstruction domain's shape for an image and PSF under `edges`: the image's, or for
/// `extended` the image grown by k - 1 per axis.
Shape deconvolution_domain(const Shape& image, const Shape& psf, DeconvolutionEdges edges);

/// What the operator pair is built with.
struct BlurSetup {
  DeconvolutionEdges edges = DeconvolutionEdges::zero;
  bool skimage_back_projection = false;  ///< zero edges: correlate's unshifted window
  int threads = 1;
  Planning planning = Planning::estimate;
  Method method = Method::automatic;
  /// The memory both pipelines may take (the caller's limit less its own buffers).
  std::size_t max_memory_bytes = 0;
};

template <class T>
class BlurOperator {
 public:
  /// psf: the caller's view (validated: the image's rank, finite). Throws fftconv::Error as
  /// Filter's constructor (out_of_memory when the two pipelines exceed setup.max_memory_bytes).
  BlurOperator(const ConstView<T>& psf, const Shape& image_shape, const BlurSetup& setup,
               const char* what);

  const Shape& image_shape() const { return image_shape_; }
  const Shape& domain_shape() const { return domain_shape_; }
  const Grid& image() const { return image_; }
  const Grid& domain() const { return domain_; }
  /// Where the image's pixel 0 lies in the domain, per rank-3 axis.
  const std::array<std::size_t, 3>& offset() const { return offset_; }

  /// out (image-shaped) = H f (f domain-shaped).
  void blur(const T* f, T* out) const;
  /// out (domain-shaped) = B r (r image-shaped); out may be r when the shapes are equal.
  void back_project(const T* r, T* out) const;

  /// The pipelines' working memory.
  std::size_t bytes() const { return blur_.bytes() + back_.bytes(); }

 private:
  Shape image_shape_, domain_shape_;
  Grid image_, domain_;
  std::array<std::size_t, 3> offset_{};
  // (In this order: B's memory limit is what H's pipeline leaves.)
  Call blur_call_;
  BatchedPipeline<T> blur_;
  Call back_call_;
  BatchedPipeline<T> back_;
};

extern template class BlurOperator<float>;
extern template class BlurOperator<double>;

}  // namespace fftconv::detail
