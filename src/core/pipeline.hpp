#pragma once
// A plan and its prepared path, with the stages around the path in one order (pipeline.cpp,
// Pipeline::apply): widening to double, missing pixels, the path (which extends the image by the
// boundary rule as it reads it), clamping. Filter<T> is a Pipeline behind validation; one-shot
// calls build one and apply it once.
#include <optional>

#include "core/parts.hpp"
#include "core/plan.hpp"
#include "core/prepared_path.hpp"

namespace fftconv::detail {

template <class T>
class Pipeline {
 public:
  /// Prepares the plan's method for its kernel (in double for float data computed in double).
  /// kernel_im: a complex kernel's imaginary part, for complex data's spectral form (the plan's
  /// problem has its parts; its method is fft or overlap_save, native precision).
  explicit Pipeline(Plan<T> plan, const ConstView<T>& kernel_im = ConstView<T>());
  ~Pipeline();
  Pipeline(Pipeline&&) noexcept;

  /// Canonical rank-3 views of the problem's image and output shapes, already validated.
  void apply(const ConstView<T>& image, const View<T>& out) const {
    apply(image, nullptr, out, View<T>());
  }
  /// The same with a mask (null, or one flag per image pixel in C order, non-zero = masked) and
  /// the weights conv(M, k) written to `weight` unless it is empty (see missing_pixels.hpp).
  void apply(const ConstView<T>& image, const unsigned char* masked, const View<T>& out,
             const View<T>& weight) const;

  /// Complex data's spectral form: image and out with the problem's parts (core/parts.hpp), none
  /// sharing memory with another; none of the stages around the path applies to complex data.
  void apply(const Parts<const T>& image, const Parts<T>& out) const;

  const Plan<T>& plan() const { return plan_; }
  const Problem& problem() const { return plan_.problem; }
  Method method() const { return plan_.choice.method; }

 private:
  /// The missing-pixel stage (when the call has missing pixels) around one of the paths.
  template <class C>
  void missing_pixels_then_path(const PreparedPath<C>& path, const ConstView<C>& image,
                                const unsigned char* masked, const View<C>& out,
                                const View<C>& weight) const;

  Plan<T> plan_;
  std::optional<PreparedPath<T>> path_;            ///< the path in T...
  std::optional<PreparedPath<double>> wide_path_;  ///< ...or, float data widened, in double
};

extern template class Pipeline<float>;
extern template class Pipeline<double>;

}  // namespace fftconv::detail
