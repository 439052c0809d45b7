#pragma once
// A call along some of an image's axes (Options::axes): the convolved axes form each frame's
// problem; the others are batch axes over which image, kernel and output broadcast as numpy does
// (equal lengths, or 1 in one of them). A call without batch axes is one frame: the views pass
// through unchanged. A frame convolved along more than core_rank axes is a sum over the kernel's
// taps along its leading convolved axes (the outer axes) of problems along the last core_rank
// axes (core/problem.hpp): the tap sum (core/tap_sum.hpp).
#include <algorithm>
#include <array>
#include <cstddef>
#include <exception>
#include <mutex>
#include <utility>

#include "core/problem.hpp"
#include "fftconv/dims.hpp"
#include "fftconv/view.hpp"
#include "util/parallel.hpp"

namespace fftconv::detail {

/// A position along a frame's outer axes (index i: along outer[i]).
using OuterIndex = std::array<std::size_t, max_rank>;

struct Batch {
  int rank = 0;    ///< the image's (and output's) rank
  Axes convolved;  ///< the frame problem's image axes, ascending (the last 1..core_rank convolved)
  Axes outer;      ///< the convolved axes before them, ascending (beyond core_rank; usually none)
  Axes batched;    ///< the other image axes, ascending
  Shape image;     ///< the image's shape
  Shape kernel;    ///< the kernel's shape at the image's rank (leading axes of length 1 added)
  Shape output;    ///< along a batch axis the larger of image and kernel length
  Offsets origin;  ///< Options::origin at the image's rank (0 where not given)
  std::size_t frames = 1;         ///< output frames: the product of the output's batch lengths
  std::size_t kernel_frames = 1;  ///< distinct kernels: the product of the kernel's batch lengths
  std::size_t image_frames = 1;   ///< distinct image frames
  /// Along outer[i]: the axis as a problem's (n, k, out, start: core/problem.hpp).
  std::array<Axis, max_rank> outer_axes{};
  std::size_t outer_positions = 1;  ///< the product of the output's outer lengths
  std::size_t outer_taps = 1;       ///< the product of the kernel's outer lengths

  /// The frame's image and kernel shapes: their lengths along the convolved axes.
  Shape frame_image() const;
  Shape frame_kernel() const;
  /// The frame's window shifts (Options::origin along the convolved axes).
  Offsets frame_origin() const;
};

/// The batch of an image of `image` shape and a kernel of `kernel` shape convolved along `axes`
/// (empty: every axis) in `mode` with the window shifted by `origin` (Options::origin), or
/// fftconv::Error naming the bad argument (`what` names the caller): ranks 1..max_rank, extents
/// > 0, axes in range and distinct, a lower-rank kernel only with explicit axes, batch lengths
/// that broadcast, an origin of the image's rank (or empty) that is 0 along batch axes and in
/// every mode but same, and within [-(k-1)/2, k/2] along the convolved axes.
Batch make_batch(const Shape& image, const Shape& kernel, const Axes& axes, Mode mode,
                 const char* what, const Offsets& origin = Offsets());

/// The batch of `b`'s frame problem applied to images of `image` shape, which ends with b.image
/// and has extra leading axes (a Filter applied to a stack): the extra axes are batch axes with
/// one kernel for all their frames. fftconv::Error if `image` is not such a shape.
Batch stacked(const Batch& b, const Shape& image, const char* what);

/// The frame of `v` (a view of b's image, kernel or output shape, the kernel at the image's rank)
/// whose batch position is output frame `frame` (C order over the output's batch lengths; a batch
/// axis of length 1 in v is broadcast): the convolved axes only, the frame problem's at canonical
/// rank 3, after the outer axes if there are any (rank outer + 3).
template <class T>
View<T> frame_view(const View<T>& v, const Batch& b, std::size_t frame);

/// The canonical rank-3 slab of a frame (frame_view) at position `at` along its outer axes.
template <class T>
View<T> slab_view(const View<T>& frame, const OuterIndex& at);

/// The kernel frame that output frame `frame` uses (C order over the kernel's batch lengths).
std::size_t kernel_frame(const Batch& b, std::size_t frame);

/// The output slabs computed one by one: every frame, and in a frame with outer axes every
/// position along them (bounded by the output's element count).
inline std::size_t items(const Batch& b) {
  return b.frames * b.outer_positions;
}

/// The threads that work on separate items at once: one per item, up to `threads`, and at least
/// one (a valid-mode output of length 0 along an outer axis has no items).
inline int workers_for(std::size_t items, int threads) {
  return static_cast<int>(
      std::max<std::size_t>(1, std::min<std::size_t>(items, static_cast<std::size_t>(threads))));
}

/// Runs f(i) for i in [0, count) on up to `workers` threads. f may throw: the first exception
/// stops the indices not yet started and is rethrown once every thread has finished.
template <class F>
void for_each_index(std::size_t count, int workers, F&& f) {
  std::exception_ptr failure;
  std::mutex failure_lock;
  parallel_for(count, workers, [&](std::size_t, std::size_t begin, std::size_t end) {
    for (std::size_t frame = begin; frame < end; ++frame) {
      {
        const std::lock_guard<std::mutex> lock(failure_lock);
        if (failure) return;
      }
      try {
        f(frame);
      } catch (...) {
        const std::lock_guard<std::mutex> lock(failure_lock);
        if (!failure) failure = std::current_exception();
      }
    }
  });
  if (failure) std::rethrow_exception(failure);
}

/// for_each_index over b's output frames.
template <class F>
void for_each_frame(const Batch& b, int workers, F&& f) {
  for_each_index(b.frames, workers, std::forward<F>(f));
}

}  // namespace fftconv::detail
