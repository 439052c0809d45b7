#pragma once
// A frame convolved along more than core_rank axes (core/batch.hpp: its leading convolved axes
// are outer axes) as a sum of problems along the last core_rank axes:
//     out[o, :] = sum over outer kernel taps g of  P_g(image slab s(o, g))[:]
// where P_g is a pipeline (core/pipeline.hpp) with the kernel's slab at tap g and s(o, g) the
// image slab that output position o reads through tap g: extended position e = o + start - g
// (convolution) or o + start - (k - 1) + g (correlation) along each outer axis, mapped into the
// image by the boundary rule (stages/boundary_extension.hpp). A slab the rule fills (constant)
// contributes fill * sum(kernel slab) everywhere; zero contributes nothing. The terms are summed
// in double and rounded to the data's type once (float data computed in double: each term in
// double too). The cost is one core_rank-D convolution per term: taps along the outer axes
// times the output's outer positions.
#include <cstddef>
#include <vector>

#include "core/batch.hpp"
#include "core/pipeline.hpp"
#include "core/validate.hpp"
#include "stages/boundary_extension.hpp"

namespace fftconv::detail {

/// f(tap, at, inside) for each outer kernel tap of output position `position` (C order over the
/// output's outer lengths): `tap` is the tap's index (C order over the kernel's outer lengths),
/// `at` the image slab it reads along each outer axis, `inside` false where the boundary rule
/// gives the fill value instead (then `at` is meaningless).
template <class F>
void for_each_outer_term(const Batch& b, Boundary rule, bool correlate, std::size_t position,
                         F&& f);

/// Which lengths of the outer axes an outer index runs over.
enum class OuterLengths { output, kernel, image };

/// The position along the outer axes of index `index` in C order over their `lengths`.
OuterIndex outer_index(std::size_t index, const Batch& b, OuterLengths lengths);

template <class T>
class TapSum {
 public:
  /// Plans and prepares a pipeline for each (kernel frame, outer tap) of `kernel` (the caller's
  /// view, of the call's kernel shape; normalized as a whole when the call asks), if the plans
  /// and the buffers of the positions run at once fit options.max_memory_bytes (else
  /// out_of_memory, nothing prepared).
  TapSum(const Call& call, const ConstView<T>& kernel);
  TapSum(TapSum&&) noexcept;
  ~TapSum();

  /// Applies the call to `image` and `out` (validated views of b's shapes; image and out do not
  /// share memory), b being the call's batch or stacked(call's batch, ...).
  void apply(const Batch& b, const ConstView<T>& image, const View<T>& out) const;

  const Problem& problem() const;
  Method method() const;
  std::size_t bytes() const { return bytes_; }

 private:
  template <class C>
  void apply_in(const Batch& b, const ConstView<T>& image, const View<T>& out) const;

  /// The pipelines in the arithmetic's type: float for float data computed in float, double
  /// otherwise; indexed by kernel frame * outer_taps + tap.
  std::vector<Pipeline<float>> narrow_;
  std::vector<Pipeline<double>> wide_;
  std::vector<double> fill_terms_;   ///< fill * sum(kernel slab), per pipeline
  std::vector<T> kernel_copy_;       ///< the normalized kernel, which the plans may read
  std::vector<double> wide_kernel_;  ///< its double copy, for float data computed in double
  Boundary boundary_ = Boundary::zero;
  bool correlate_ = false;
  bool nonnegative_ = false;
  int threads_ = 1, frame_threads_ = 1, workers_ = 1;
  std::size_t bytes_ = 0;
};

extern template class TapSum<float>;
extern template class TapSum<double>;

// ---------------------------------------------------------------------------------------------

template <class F>
void for_each_outer_term(const Batch& b, Boundary rule, bool correlate, std::size_t position,
                         F&& f) {
  const int outer = b.outer.rank();
  const OuterIndex o = outer_index(position, b, OuterLengths::output);
  OuterIndex tap_at{}, at{};
  for (std::size_t tap = 0; tap < b.outer_taps; ++tap) {
    bool inside = true;
    for (int i = 0; i < outer; ++i) {
      const auto u = static_cast<std::size_t>(i);
      const Axis& axis = b.outer_axes[u];
      const auto g = static_cast<std::ptrdiff_t>(tap_at[u]);
      const auto k = static_cast<std::ptrdiff_t>(axis.k);
      const std::ptrdiff_t e =
          static_cast<std::ptrdiff_t>(o[u] + axis.start) + (correlate ? g - (k - 1) : -g);
      const std::ptrdiff_t index = boundary_index(rule, e, static_cast<std::ptrdiff_t>(axis.n));
      inside = inside && index >= 0;
      at[u] = index >= 0 ? static_cast<std::size_t>(index) : 0;
    }
    f(tap, at, inside);
    for (int i = outer - 1; i >= 0; --i) {  // the next tap, C order
      const auto u = static_cast<std::size_t>(i);
      if (++tap_at[u] < b.outer_axes[u].k) break;
      tap_at[u] = 0;
    }
  }
}

}  // namespace fftconv::detail
