#include "core/tap_sum.hpp"

#include <algorithm>
#include <optional>
#include <type_traits>

#include "core/batched_pipeline.hpp"
#include "stages/clamping.hpp"
#include "stages/kernel_normalization.hpp"
#include "stages/widening.hpp"
#include "util/check.hpp"
#include "util/checked_math.hpp"
#include "util/copy.hpp"

namespace fftconv::detail {

OuterIndex outer_index(std::size_t index, const Batch& b, OuterLengths lengths) {
  OuterIndex at{};
  for (int i = b.outer.rank() - 1; i >= 0; --i) {
    const Axis& axis = b.outer_axes[static_cast<std::size_t>(i)];
    const std::size_t n = lengths == OuterLengths::kernel  ? axis.k
                          : lengths == OuterLengths::image ? axis.n
                                                           : axis.out;
    at[static_cast<std::size_t>(i)] = index % n;
    index /= n;
  }
  return at;
}

namespace {

// The kernel frames of b in kernel-frame order (each from the first output frame using it), as
// views of `kernel` (at the image's rank).
template <class T>
std::vector<ConstView<T>> kernel_frames(const Batch& b, const ConstView<T>& kernel) {
  std::vector<ConstView<T>> frames(b.kernel_frames);
  std::vector<bool> seen(b.kernel_frames);
  for (std::size_t f = 0; f < b.frames; ++f) {
    const std::size_t kf = kernel_frame(b, f);
    if (seen[kf]) continue;
    seen[kf] = true;
    frames[kf] = frame_view(kernel, b, f);
  }
  return frames;
}

// The frames copied densely (C order, converted to C) into `storage`, normalized each as a whole
// when `normalize` (its sum over every convolved axis), and the views of the copies.
template <class C, class T>
std::vector<ConstView<C>> dense_frames(const std::vector<ConstView<T>>& frames, bool normalize,
                                       std::vector<C>& storage) {
  const std::size_t count = frames.front().size();
  storage.resize(checked_mul(count, frames.size(), "kernel copy"));
  std::vector<ConstView<C>> views;
  for (std::size_t f = 0; f < frames.size(); ++f) {
    std::vector<T> normalized;
    const std::vector<T> values = dense_copy(effective_kernel(frames[f], normalize, normalized));
    C* dst = storage.data() + f * count;
    std::transform(values.begin(), values.end(), dst, [](T x) { return static_cast<C>(x); });
    views.emplace_back(dst, frames[f].shape());
  }
  return views;
}

}  // namespace

template <class T>
TapSum<T>::TapSum(const Call& call, const ConstView<T>& kernel) {
  const Batch& b = call.batch;
  Problem p = frame_problem(call);
  boundary_ = p.boundary;
  correlate_ = p.correlate;
  nonnegative_ = call.frame.nonnegative;
  threads_ = call.frame.threads;
  frame_threads_ = p.threads;
  workers_ = workers_for(items(b), threads_);
  const std::vector<ConstView<T>> caller = kernel_frames(b, at_rank(kernel, b.rank));
  const bool normalize = call.frame.normalize_kernel;
  // The pipelines for every slab of every kernel frame in C, the arithmetic's type.
  const auto prepare = [&](auto& pipelines, const auto& frames, bool widened) {
    using C = std::remove_const_t<std::remove_reference_t<decltype(frames.front().data()[0])>>;
    std::vector<std::optional<Plan<C>>> plans;
    // (the kernel copies made for normalization or widening, which the plans may read)
    std::size_t bytes = kernel_copy_.size() * sizeof(T) + wide_kernel_.size() * sizeof(double);
    std::size_t largest = 0;
    for (const auto& frame : frames)
      for (std::size_t tap = 0; tap < b.outer_taps; ++tap) {
        const ConstView<C> slab = slab_view(frame, outer_index(tap, b, OuterLengths::kernel));
        plans.emplace_back(make_plan(p, slab));
        bytes = checked_add(bytes, plans.back()->choice.bytes, "working memory");
        largest = std::max(largest, plans.back()->choice.bytes);
        fill_terms_.push_back(p.fill_value == 0 ? 0 : p.fill_value * kernel_sum(slab).sum);
      }
    // Each item (an output slab) sums its terms in double; float computed in double widens
    // each image slab it reads.
    std::size_t slab_out = 1, slab_image = 1;
    for (const Axis& a : p.axes) {
      slab_out *= a.out;
      slab_image *= a.n;
    }
    const std::size_t per_item =
        slab_out * (sizeof(double) + sizeof(C)) + (widened ? slab_image * sizeof(double) : 0);
    const auto concurrent = static_cast<std::size_t>(workers_ - 1);
    const std::size_t limit = p.max_memory_bytes;
    const bool fits = bytes <= limit && largest * concurrent <= limit - bytes &&
                      per_item * (concurrent + 1) <= limit - bytes - largest * concurrent;
    FFTCONV_CHECK(fits, out_of_memory, "convolving along ", b.outer.rank() + b.convolved.rank(),
                  " axes takes ", plans.size(), " pipelines (", b.kernel_frames,
                  " kernel frames times ", b.outer_taps, " taps along the outer axes) and ",
                  concurrent + 1,
                  " output slabs at once; they need more than options.max_memory_bytes = ", limit,
                  " (", bytes, " bytes for the pipelines, ", largest, " per further slab, ",
                  per_item, " per slab's sums)");
    bytes_ = bytes + largest * concurrent + per_item * (concurrent + 1);
    pipelines.reserve(plans.size());
    for (std::optional<Plan<C>>& plan : plans)
      pipelines.emplace_back(std::move(*plan));
  };
  if (widens<T>(p)) {  // float data computed in double: the slabs' pipelines run in double
    p.compute_precision = Precision::native;
    prepare(wide_, dense_frames<double>(caller, normalize, wide_kernel_), true);
  } else if (normalize) {
    if constexpr (std::is_same_v<T, float>)
      prepare(narrow_, dense_frames<T>(caller, true, kernel_copy_), false);
    else
      prepare(wide_, dense_frames<T>(caller, true, kernel_copy_), false);
  } else if constexpr (std::is_same_v<T, float>) {
    prepare(narrow_, caller, false);
  } else {
    prepare(wide_, caller, false);
  }
}

template <class T>
TapSum<T>::TapSum(TapSum&&) noexcept = default;
template <class T>
TapSum<T>::~TapSum() = default;

template <class T>
const Problem& TapSum<T>::problem() const {
  return narrow_.empty() ? wide_.front().problem() : narrow_.front().problem();
}
template <class T>
Method TapSum<T>::method() const {
  return narrow_.empty() ? wide_.front().method() : narrow_.front().method();
}

template <class T>
void TapSum<T>::apply(const Batch& b, const ConstView<T>& image, const View<T>& out) const {
  if (narrow_.empty())
    apply_in<double>(b, image, out);
  else
    apply_in<float>(b, image, out);
}

template <class T>
template <class C>
void TapSum<T>::apply_in(const Batch& b, const ConstView<T>& image, const View<T>& out) const {
  const std::vector<Pipeline<C>>& pipelines = [&]() -> const std::vector<Pipeline<C>>& {
    if constexpr (std::is_same_v<C, float>)
      return narrow_;
    else
      return wide_;
  }();
  const int workers =
      std::min(workers_, workers_for(items(b), std::max(1, threads_ / frame_threads_)));
  for_each_index(items(b), workers, [&](std::size_t item) {
    const std::size_t f = item / b.outer_positions, position = item % b.outer_positions;
    const ConstView<T> image_frame = frame_view(image, b, f);
    const View<T> out_slab =
        slab_view(frame_view(out, b, f), outer_index(position, b, OuterLengths::output));
    const std::size_t base = kernel_frame(b, f) * b.outer_taps;
    std::vector<double> sum(out_slab.size());
    std::vector<C> term(out_slab.size());
    const View<C> term_view(term.data(), out_slab.shape());
    std::vector<C> widened;
    for_each_outer_term(b, boundary_, correlate_, position,
                        [&](std::size_t tap, const OuterIndex& at, bool inside) {
                          if (!inside) {  // the fill value's slab: fill * sum(kernel slab)
                            const double fill = fill_terms_[base + tap];
                            if (fill != 0)
                              for (double& s : sum)
                                s += fill;
                            return;
                          }
                          const ConstView<T> slab = slab_view(image_frame, at);
                          if constexpr (std::is_same_v<C, T>) {
                            pipelines[base + tap].apply(slab, term_view);
                          } else {
                            widened = dense_converted<C>(slab);
                            pipelines[base + tap].apply(ConstView<C>(widened.data(), slab.shape()),
                                                        term_view);
                          }
                          for (std::size_t i = 0; i < sum.size(); ++i)
                            sum[i] += static_cast<double>(term[i]);
                        });
    store_rounded(sum, out_slab);
    if (nonnegative_) clamp_negative(out_slab);
  });
}

template class TapSum<float>;
template class TapSum<double>;

}  // namespace fftconv::detail
