#include "filter_core.hpp"

#include "choose.hpp"

namespace fftconv::detail {

namespace {
template <class T>
std::variant<DirectKernel<T>, FftKernel<T>> prepare(const Problem& p, const ConstView<T>& kernel,
                                                    Method method) {
  if (method == Method::direct) return DirectKernel<T>(p, kernel);
  return FftKernel<T>(p, kernel);
}
}  // namespace

template <class T>
FilterCore<T>::FilterCore(const Problem& p, const ConstView<T>& kernel, const Options& options)
    : p_(p),
      method_(select_method(p, options.method, count_nonzero(kernel), sizeof(T),
                            options.max_memory_bytes)),
      kernel_(prepare(p, kernel, method_)) {}

template <class T>
void FilterCore<T>::apply(const ConstView<T>& image, const View<T>& out) const {
  std::visit([&](const auto& k) { k.apply(image, out); }, kernel_);
}

template class FilterCore<float>;
template class FilterCore<double>;

}  // namespace fftconv::detail
