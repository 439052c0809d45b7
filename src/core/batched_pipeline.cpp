#include "core/batched_pipeline.hpp"

#include <algorithm>
#include <array>
#include <type_traits>
#include <vector>

#include "util/check.hpp"
#include "util/checked_math.hpp"
#include "util/copy.hpp"

namespace fftconv::detail {

namespace {

// Whether no output frame can overwrite what another frame reads: the same start and strides, the
// image's batch lengths the output's (none broadcast: a broadcast image frame is read by several
// output frames) and its other lengths no longer than the output's. Image frame f then lies among
// out frame f's addresses, and out frames, which do not overlap, are disjoint; each frame's own
// in-place application is safe (the path copies an aliased frame).
template <class T>
bool frames_aligned(const Batch& b, const ConstView<T>& image, const View<T>& out) {
  // (a tap sum reads image slabs of other output positions)
  if (image.data() != out.data() || !b.outer.empty()) return false;
  for (int a = 0; a < image.rank(); ++a)
    if (image.stride(a) != out.stride(a) || image.extent(a) > out.extent(a)) return false;
  for (int a : b.batched)
    if (image.extent(a) != out.extent(a)) return false;
  return true;
}

}  // namespace

Problem frame_problem(const Call& call) {
  const Batch& b = call.batch;
  Problem p = call.frame;
  const int workers = workers_for(items(b), p.threads);
  p.threads = std::max(1, p.threads / workers);
  p.single_use = p.single_use && b.frames == b.kernel_frames && b.outer.empty();
  if (!b.outer.empty()) {  // the tap sum normalizes the whole kernel and clamps the sum
    p.normalize_kernel = false;
    p.nonnegative = false;
  }
  return p;
}

template <class T>
FramePlans<T> plan_frames(const Call& call, const ConstView<T>& kernel) {
  const Batch& b = call.batch;
  const Problem p = frame_problem(call);
  const ConstView<T> k = at_rank(kernel, b.rank);
  FramePlans<T> r;
  r.plans.resize(b.kernel_frames);
  r.first_frame.resize(b.kernel_frames);
  std::size_t count = 0;
  for (std::size_t f = 0; f < b.frames && count < b.kernel_frames; ++f) {
    std::optional<Plan<T>>& slot = r.plans[kernel_frame(b, f)];
    if (slot) continue;
    slot.emplace(make_plan(p, frame_view(k, b, f)));
    r.first_frame[kernel_frame(b, f)] = f;
    ++count;
  }
  // Each plan's bytes count its stored kernel data and one application's buffers; the other
  // frames running at once need their own buffers (counted, conservatively, at the largest).
  std::size_t bytes = 0, largest = 0;
  for (const std::optional<Plan<T>>& plan : r.plans) {
    bytes = checked_add(bytes, plan->choice.bytes, "working memory");
    largest = std::max(largest, plan->choice.bytes);
  }
  const auto concurrent = static_cast<std::size_t>(workers_for(b.frames, call.frame.threads) - 1);
  const bool fits =
      bytes <= p.max_memory_bytes && largest * concurrent <= p.max_memory_bytes - bytes;
  FFTCONV_CHECK(fits, out_of_memory, "the ", b.kernel_frames, " kernel frames' pipelines and ",
                concurrent + 1,
                " frames at once need more than options.max_memory_bytes = ", p.max_memory_bytes,
                " (", bytes, " bytes for the pipelines, ", largest, " per further frame)");
  r.bytes = bytes + largest * concurrent;
  return r;
}

template <class T>
BatchedPipeline<T>::BatchedPipeline(const Call& call, const ConstView<T>& kernel,
                                    const ConstView<T>& kernel_im) {
  const Batch& b = call.batch;
  const Problem p = frame_problem(call);
  threads_ = call.frame.threads;
  frame_threads_ = p.threads;
  workers_ = workers_for(b.frames, threads_);
  limit_ = p.max_memory_bytes;
  if (!b.outer.empty()) {  // more than core_rank convolved axes
    FFTCONV_CHECK(p.output_parts() == 1, internal, "complex data's spectral form in a tap sum");
    tap_sum_.emplace(call, kernel);
    bytes_ = tap_sum_->bytes();
    return;
  }
  FramePlans<T> planned = plan_frames(call, kernel);
  bytes_ = planned.bytes;
  pipelines_.reserve(b.kernel_frames);
  const ConstView<T> k_im =
      kernel_im.data() != nullptr ? at_rank(kernel_im, b.rank) : ConstView<T>();
  for (std::size_t kf = 0; kf < b.kernel_frames; ++kf)
    pipelines_.emplace_back(
        std::move(*planned.plans[kf]),
        k_im.data() != nullptr ? frame_view(k_im, b, planned.first_frame[kf]) : ConstView<T>());
}

template <class T>
void BatchedPipeline<T>::apply(const Batch& b, const ConstView<T>& image,
                               const View<T>& out) const {
  if (b.frames == 1 && !tap_sum_) {
    pipelines_.front().apply(frame_view(image, b, 0), frame_view(out, b, 0));
    return;
  }
  // An output frame (or slab) must not overwrite what another has still to read.
  std::vector<T> copy;
  ConstView<T> source = image;
  if (may_share_memory(image, out) && !frames_aligned(b, image, out)) {
    const std::size_t copy_bytes = checked_mul(image.size(), sizeof(T), "image copy");
    FFTCONV_CHECK(copy_bytes <= limit_ - bytes_, out_of_memory,
                  "an output that overlaps frames "
                  "of the image it reads needs a copy of the image, ",
                  copy_bytes, " bytes, beyond the ", limit_ - bytes_,
                  " options.max_memory_bytes = ", limit_, " leaves");
    copy = dense_copy(image);
    source = ConstView<T>(copy.data(), image.shape());
  }
  if (tap_sum_) {
    tap_sum_->apply(b, source, out);
    return;
  }
  // The frames at once that the constructor counted (a Filter's stack: at most as many as its
  // own batch runs), each on its path's threads.
  const int workers =
      std::min(workers_, workers_for(b.frames, std::max(1, threads_ / frame_threads_)));
  for_each_frame(b, workers, [&](std::size_t f) {
    pipelines_[kernel_frame(b, f)].apply(frame_view(source, b, f), frame_view(out, b, f));
  });
}

template <class T>
void BatchedPipeline<T>::apply(const Batch& b, const Parts<const T>& image,
                               const Parts<T>& out) const {
  const auto frame = [&b](const auto& whole, std::size_t f) {
    using V = std::decay_t<decltype(whole.re)>;
    return Parts<typename V::element_type>{
        frame_view(whole.re, b, f), whole.im.data() != nullptr ? frame_view(whole.im, b, f) : V(),
        whole.is_complex};
  };
  const int workers =
      std::min(workers_, workers_for(b.frames, std::max(1, threads_ / frame_threads_)));
  for_each_frame(b, workers, [&](std::size_t f) {
    pipelines_[kernel_frame(b, f)].apply(frame(image, f), frame(out, f));
  });
}

template FramePlans<float> plan_frames(const Call&, const ConstView<float>&);
template FramePlans<double> plan_frames(const Call&, const ConstView<double>&);
template class BatchedPipeline<float>;
template class BatchedPipeline<double>;

}  // namespace fftconv::detail
