#pragma once
// What a call does once its arguments are valid: the method chosen and the kernel prepared for it
// (spectrum and plans, or direct taps), then any number of const applications. Filter<T> is this
// plus validation; convolve/correlate build one per call.
#include <variant>

#include "direct/direct_path.hpp"
#include "fft_path.hpp"
#include "fftconv/options.hpp"
#include "problem.hpp"

namespace fftconv::detail {

template <class T>
class FilterCore {
 public:
  /// kernel is a canonical rank-3 view. The method is options.method, or for automatic the
  /// faster that fits options.max_memory_bytes (select_method); throws fftconv::Error if none
  /// fits.
  FilterCore(const Problem& p, const ConstView<T>& kernel, const Options& options);
  /// Canonical rank-3 views of the problem's image and output shapes, already validated.
  void apply(const ConstView<T>& image, const View<T>& out) const;
  Method method() const { return method_; }
  const Problem& problem() const { return p_; }

 private:
  Problem p_;
  Method method_;
  std::variant<DirectKernel<T>, FftKernel<T>> kernel_;
};

extern template class FilterCore<float>;
extern template class FilterCore<double>;

}  // namespace fftconv::detail
