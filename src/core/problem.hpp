#pragma once
// One convolution problem as validation resolved it, shared by every method: per-axis lengths, the
// position of the requested output window inside the full result, and the resolved options.
// Everything downstream works on a canonical rank-3 form (lower ranks get leading axes of length
// 1), so each path has one loop nest for 1-D, 2-D and 3-D. Higher-rank calls are batches of such
// problems (core/batch.hpp): a Problem is always one frame.
#include <array>
#include <cstddef>

#include "fftconv/options.hpp"
#include "fftconv/shape.hpp"
#include "fftconv/view.hpp"

namespace fftconv::detail {

/// One axis, in the coordinates of the full result (length n + k - 1).
struct Axis {
  std::size_t n = 1;      ///< image length
  std::size_t k = 1;      ///< kernel length
  std::size_t out = 1;    ///< output length
  std::size_t start = 0;  ///< offset of the output window in the full result
};

/// Window of `mode` on one axis (scipy.signal semantics; see Mode), shifted by `origin`
/// (Options::origin; validated by make_batch: 0 unless mode is same, within [-(k-1)/2, k/2]).
/// n, k > 0.
Axis make_axis(std::size_t n, std::size_t k, Mode mode, std::ptrdiff_t origin = 0);

/// The rank every path works in: a problem has at most this many convolved axes.
inline constexpr int core_rank = 3;

struct Problem {
  int rank = 0;                      ///< the frame's rank, 1..core_rank
  std::array<Axis, core_rank> axes;  ///< canonical: axes[core_rank - rank + i] is frame axis i
  bool correlate = false;
  /// The prepared kernel will be applied once (a one-shot convolve or correlate): the FFT path
  /// then computes the kernel's spectrum block by block where it is used instead of storing it
  /// whole (less memory, no pass over a stored spectrum).
  bool single_use = false;
  Boundary boundary = Boundary::zero;  ///< set from Options by validation; zero by default
  double fill_value = 0;               ///< for Boundary::constant
  /// Missing pixels (see NanPolicy), from Options by validation. nan_fill is Options::fill_value
  /// rounded to the data's type, for NanPolicy::fill.
  NanPolicy nan_policy = NanPolicy::propagate;
  double nan_fill = 0;
  double min_weight = 0;
  bool preserve_nan = false;
  Planning planning = Planning::estimate;  ///< FFTW planning effort
  int threads = 1;  ///< resolved: >= 1, at most the hardware's (usable_threads)
  /// The rest of Options, as validation resolved it: nothing past validation reads Options.
  Method method = Method::automatic;  ///< requested (the plan holds the chosen one)
  Precision compute_precision = Precision::native;
  bool normalize_kernel = false;
  bool nonnegative = false;
  std::size_t max_memory_bytes = static_cast<std::size_t>(-1);
  /// Applications pass a mask and want the weights (convolve_masked): their buffers are counted.
  bool masked = false;
  /// Complex data on the spectral path (core/complex_pipeline.hpp): the real parts of the image
  /// and of the kernel (1 real, 2 complex) one FFT pipeline transforms, their spectra combined
  /// before the inverse transforms. Every buffer and cost is counted for them.
  int image_parts = 1;
  int kernel_parts = 1;

  /// Element counts of the output, image and kernel (fftconv::Error if one overflows size_t).
  std::size_t output_count() const;
  std::size_t image_count() const;
  std::size_t kernel_count() const;
  /// The output, image and kernel shapes in the caller's rank.
  Shape output_shape() const;
  Shape image_shape() const;
  Shape kernel_shape() const;
  /// The smallest circular-transform length per axis whose wrap-around leaves the output
  /// window exact (zero boundary): circular result c[i] = sum_q full[i + qP] must equal full[i]
  /// on the window.
  std::size_t min_transform_length(int axis) const;
  /// Whether values outside the image matter: a non-zero rule and a mode other than valid.
  bool extends_image() const;
  /// The real parts of the output: 2 when the image or the kernel is complex.
  int output_parts() const { return image_parts > 1 || kernel_parts > 1 ? 2 : 1; }
};

/// Validated problem (ranks equal and 1..core_rank, extents > 0); throws fftconv::Error
/// otherwise. `origin`: empty, or the window's shift per axis (validated by make_batch).
/// `what` names the calling function in messages.
Problem make_problem(const Shape& image, const Shape& kernel, Mode mode, bool correlate,
                     const char* what, const Offsets& origin = Offsets());

/// The view at a higher rank: leading axes of extent 1 (stride 0) prepended up to `rank`.
template <class T>
View<T> at_rank(const View<T>& v, int rank) {
  Shape shape;
  Strides strides;
  for (int i = v.rank(); i < rank; ++i) {
    shape.push_back(1);
    strides.push_back(0);
  }
  for (int i = 0; i < v.rank(); ++i) {
    shape.push_back(v.extent(i));
    strides.push_back(v.stride(i));
  }
  return View<T>(v.data(), shape, strides);
}

/// The view as canonical rank 3 (core_rank).
template <class T>
View<T> to_rank3(const View<T>& v) {
  return at_rank(v, core_rank);
}

/// The same elements with every axis reversed (no copy): flip(g) in the semantics.
template <class T>
View<T> flipped(const View<T>& v) {
  T* last = v.data();
  Strides strides;
  for (int i = 0; i < v.rank(); ++i) {
    last += static_cast<std::ptrdiff_t>(v.extent(i) - 1) * v.stride(i);
    strides.push_back(-v.stride(i));
  }
  return View<T>(last, v.shape(), strides);
}

}  // namespace fftconv::detail
