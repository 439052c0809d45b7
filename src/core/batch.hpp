#pragma once
// A call along some of an image's axes (Options::axes): the convolved axes form each frame's
// problem (core/problem.hpp, at most core_rank axes); the others are batch axes over which image,
// kernel and output broadcast as numpy does (equal lengths, or 1 in one of them). A call without
// batch axes is one frame: the views pass through unchanged.
#include <cstddef>
#include <exception>
#include <mutex>

#include "core/problem.hpp"
#include "fftconv/dims.hpp"
#include "fftconv/view.hpp"
#include "util/parallel.hpp"

namespace fftconv::detail {

struct Batch {
  int rank = 0;    ///< the image's (and output's) rank
  Axes convolved;  ///< image axes convolved, ascending (1..core_rank of them)
  Axes batched;    ///< the other image axes, ascending
  Shape image;     ///< the image's shape
  Shape kernel;    ///< the kernel's shape at the image's rank (leading axes of length 1 added)
  Shape output;    ///< along a batch axis the larger of image and kernel length
  std::size_t frames = 1;         ///< output frames: the product of the output's batch lengths
  std::size_t kernel_frames = 1;  ///< distinct kernels: the product of the kernel's batch lengths
  std::size_t image_frames = 1;   ///< distinct image frames

  /// The frame's image and kernel shapes: their lengths along the convolved axes.
  Shape frame_image() const;
  Shape frame_kernel() const;
};

/// The batch of an image of `image` shape and a kernel of `kernel` shape convolved along `axes`
/// (empty: every axis) in `mode`, or fftconv::Error naming the bad argument (`what` names the
/// caller): ranks 1..max_rank, extents > 0, axes in range and distinct, at most core_rank of
/// them, a lower-rank kernel only with explicit axes, batch lengths that broadcast.
Batch make_batch(const Shape& image, const Shape& kernel, const Axes& axes, Mode mode,
                 const char* what);

/// The batch of `b`'s frame problem applied to images of `image` shape, which ends with b.image
/// and has extra leading axes (a Filter applied to a stack): the extra axes are batch axes with
/// one kernel for all their frames. fftconv::Error if `image` is not such a shape.
Batch stacked(const Batch& b, const Shape& image, const char* what);

/// The frame of `v` (a view of b's image, kernel or output shape, the kernel at the image's rank)
/// whose batch position is output frame `frame` (C order over the output's batch lengths; a batch
/// axis of length 1 in v is broadcast): the convolved axes only, at canonical rank 3.
template <class T>
View<T> frame_view(const View<T>& v, const Batch& b, std::size_t frame);

/// The kernel frame that output frame `frame` uses (C order over the kernel's batch lengths).
std::size_t kernel_frame(const Batch& b, std::size_t frame);

/// Runs f(frame) for every output frame on up to `workers` threads. f may throw: the first
/// exception stops the frames not yet started and is rethrown once every thread has finished.
template <class F>
void for_each_frame(const Batch& b, int workers, F&& f) {
  std::exception_ptr failure;
  std::mutex failure_lock;
  parallel_for(b.frames, workers, [&](std::size_t, std::size_t begin, std::size_t end) {
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

}  // namespace fftconv::detail
