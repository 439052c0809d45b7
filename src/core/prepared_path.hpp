#pragma once
// The path a plan chose, prepared for its kernel in the precision C the arithmetic runs in: the
// direct taps (or separable passes), or the FFT path's spectrum and plans, or overlap-save's.
#include <variant>

#include "core/plan.hpp"
#include "direct/direct_path.hpp"
#include "fft/fft_kernel.hpp"
#include "fft/overlap_save.hpp"

namespace fftconv::detail {

template <class C>
class PreparedPath {
 public:
  /// kernel: plan.kernel.values() in C (a double copy when float data is widened).
  template <class T>
  PreparedPath(const Plan<T>& plan, const ConstView<C>& kernel) : path_(prepare(plan, kernel)) {}
  /// out = the problem's result for image (canonical rank-3 views of the problem's shapes),
  /// `fill` outside the image where the boundary rule gives a constant.
  void run(const ConstView<C>& image, const View<C>& out, C fill) const {
    std::visit([&](const auto& path) { path.apply(image, out, fill); }, path_);
  }

 private:
  using Path = std::variant<DirectKernel<C>, FftKernel<C>, OverlapSaveKernel<C>>;
  template <class T>
  static Path prepare(const Plan<T>& plan, const ConstView<C>& kernel) {
    const Problem& p = plan.problem;
    switch (plan.choice.method) {
      case Method::direct:
        return DirectKernel<C>(p, kernel, plan.kernel.nonzero(), nullptr);
      case Method::separable:
        return DirectKernel<C>(p, kernel, plan.kernel.nonzero(), plan.kernel.template factors<C>());
      case Method::overlap_save:
        return OverlapSaveKernel<C>(p, kernel);
      default:
        return FftKernel<C>(p, kernel);
    }
  }

  Path path_;
};

}  // namespace fftconv::detail
