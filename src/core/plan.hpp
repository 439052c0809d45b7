#pragma once
// The plan of one call: the validated problem with its resolved options, the kernel analysed
// once (KernelInfo), and the method chosen under the memory limit with the bytes it will use.
// Made once, read by everything after it; nothing downstream re-derives any of it.
#include "core/choose.hpp"
#include "core/kernel_info.hpp"
#include "core/problem.hpp"
#include "fftconv/view.hpp"

namespace fftconv::detail {

template <class T>
struct Plan {
  Problem problem;
  KernelInfo<T> kernel;
  /// The method that runs and its working memory, every buffer of the stages counted (missing
  /// pixels, double copies when widened).
  MethodChoice choice;
};

/// The plan for problem p (validated) and its kernel (canonical rank 3): the kernel analysed
/// (KernelInfo), then p.method, or for automatic the fastest that fits p.max_memory_bytes with
/// the stages' buffers counted. Throws fftconv::Error: a kernel that cannot be normalized, a
/// separable method for a kernel that is not, no method within the memory limit, interpolate
/// with a kernel whose sum is not positive.
template <class T>
Plan<T> make_plan(const Problem& p, const ConstView<T>& kernel3);

/// The method make_plan chooses for p and its analysed kernel, with the bytes it needs (the
/// stages' buffers counted); for predicted_seconds, which asks for no more than that.
template <class T>
MethodChoice choose_method(const Problem& p, const KernelInfo<T>& kernel);

extern template Plan<float> make_plan(const Problem&, const ConstView<float>&);
extern template Plan<double> make_plan(const Problem&, const ConstView<double>&);
extern template MethodChoice choose_method(const Problem&, const KernelInfo<float>&);
extern template MethodChoice choose_method(const Problem&, const KernelInfo<double>&);

}  // namespace fftconv::detail
