#pragma once
// A call's pipelines over its batch (core/batch.hpp): one Pipeline per distinct kernel frame (one
// for a kernel shared by every frame: its spectrum is computed once), applied frame by frame with
// the call's threads split between frames and each frame's path. Filter<T> is one behind
// validation; convolve and correlate make one and apply it once.
#include <optional>
#include <vector>

#include "core/batch.hpp"
#include "core/pipeline.hpp"
#include "core/tap_sum.hpp"
#include "core/validate.hpp"

namespace fftconv::detail {

/// The problem each frame's pipeline is planned for: call.frame with the threads a frame gets
/// (threads / workers, workers = min(threads, items)), and single_use only when each kernel
/// frame serves one output frame; a tap sum's (outer axes) normalizes and clamps itself.
Problem frame_problem(const Call& call);

/// The plans of a call's kernel frames (the call has no outer axes): one per kernel frame, in
/// kernel-frame order, with the output frame each was planned at, every method chosen and the
/// memory counted before any kernel is prepared: the plans' bytes and the buffers of the other
/// frames run at once. Throws fftconv::Error(out_of_memory) if that exceeds
/// options.max_memory_bytes, and as make_plan.
template <class T>
struct FramePlans {
  std::vector<std::optional<Plan<T>>> plans;
  std::vector<std::size_t> first_frame;
  std::size_t bytes = 0;
};
template <class T>
FramePlans<T> plan_frames(const Call& call, const ConstView<T>& kernel);

template <class T>
class BatchedPipeline {
 public:
  /// Plans a pipeline for each kernel frame of `kernel` (the caller's view, of the call's kernel
  /// shape), then, if the plans and the buffers of the frames run at once fit
  /// options.max_memory_bytes (else out_of_memory, nothing allocated), prepares them.
  /// fftconv::Error as make_plan. kernel_im: a complex kernel's imaginary part, for complex
  /// data's spectral form (the call's problem has its parts and requests fft or overlap_save;
  /// no tap sum).
  BatchedPipeline(const Call& call, const ConstView<T>& kernel,
                  const ConstView<T>& kernel_im = ConstView<T>());

  /// Applies the call to `image` and `out` (validated views of b's shapes), b being the call's
  /// batch or stacked(call's batch, ...).
  void apply(const Batch& b, const ConstView<T>& image, const View<T>& out) const;
  /// Complex data's spectral form: image and out with the problem's parts, sharing no memory.
  void apply(const Batch& b, const Parts<const T>& image, const Parts<T>& out) const;

  const Problem& problem() const {
    return tap_sum_ ? tap_sum_->problem() : pipelines_.front().problem();
  }
  Method method() const { return tap_sum_ ? tap_sum_->method() : pipelines_.front().method(); }
  /// The working memory counted: the pipelines and the buffers of the frames run at once.
  std::size_t bytes() const { return bytes_; }

 private:
  std::vector<Pipeline<T>> pipelines_;  ///< indexed by kernel frame...
  std::optional<TapSum<T>> tap_sum_;    ///< ...or, along more than core_rank axes, a tap sum
  int threads_ = 1;                     ///< the call's
  int frame_threads_ = 1;               ///< each frame's path's
  int workers_ = 1;                     ///< frames at once, as counted in bytes_
  std::size_t bytes_ = 0;
  std::size_t limit_ = 0;  ///< options.max_memory_bytes
};

extern template FramePlans<float> plan_frames(const Call&, const ConstView<float>&);
extern template FramePlans<double> plan_frames(const Call&, const ConstView<double>&);
extern template class BatchedPipeline<float>;
extern template class BatchedPipeline<double>;

}  // namespace fftconv::detail
