#pragma once
// The path a plan chose, prepared for its kernel in the precision C the arithmetic runs in: the
// direct taps (or separable passes), or the FFT path's spectrum and plans, or overlap-save's.
#include <type_traits>
#include <variant>

#include "core/plan.hpp"
#include "direct/direct_path.hpp"
#include "fft/fft_kernel.hpp"
#include "fft/overlap_save.hpp"
#include "util/check.hpp"

namespace fftconv::detail {

template <class C>
class PreparedPath {
 public:
  /// kernel: plan.kernel.values() in C (a double copy when float data is widened); kernel_im:
  /// a complex kernel's imaginary part (the problem's kernel_parts 2: the FFT methods only).
  template <class T>
  PreparedPath(const Plan<T>& plan, const ConstView<C>& kernel,
               const ConstView<C>& kernel_im = ConstView<C>())
      : path_(prepare(plan, kernel, kernel_im)) {}
  /// out = the problem's result for image (canonical rank-3 views of the problem's shapes),
  /// `fill` outside the image where the boundary rule gives a constant.
  void run(const ConstView<C>& image, const View<C>& out, C fill) const {
    std::visit([&](const auto& path) { path.apply(image, out, fill); }, path_);
  }
  /// The FFT methods' spectral form for complex data's parts (fft_kernel.hpp).
  void run(const Parts<const C>& image, const Parts<C>& out, C fill) const {
    std::visit(
        [&](const auto& path) {
          if constexpr (std::is_same_v<std::decay_t<decltype(path)>, DirectKernel<C>>)
            fail(ErrorCode::internal, "complex data's spectral form on a spatial method");
          else
            path.apply(image, out, fill);
        },
        path_);
  }

 private:
  using Path = std::variant<DirectKernel<C>, FftKernel<C>, OverlapSaveKernel<C>>;
  template <class T>
  static Path prepare(const Plan<T>& plan, const ConstView<C>& kernel,
                      const ConstView<C>& kernel_im) {
    const Problem& p = plan.problem;
    const bool spectral =
        plan.choice.method == Method::fft || plan.choice.method == Method::overlap_save;
    FFTCONV_CHECK(p.output_parts() == 1 || spectral, internal,
                  "complex data's spectral form on the ", to_string(plan.choice.method), " method");
    switch (plan.choice.method) {
      case Method::direct:
        return DirectKernel<C>(p, kernel, plan.kernel.nonzero(), nullptr);
      case Method::separable:
        return DirectKernel<C>(p, kernel, plan.kernel.nonzero(), plan.kernel.template factors<C>());
      case Method::overlap_save:
        return OverlapSaveKernel<C>(p, kernel, kernel_im);
      default:
        return FftKernel<C>(p, kernel, kernel_im);
    }
  }

  Path path_;
};

}  // namespace fftconv::detail
