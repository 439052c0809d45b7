#include "filter_core.hpp"

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
FilterCore<T>::FilterCore(const Problem& p, const ConstView<T>& kernel, Method method)
    : p_(p), method_(method), kernel_(prepare(p, kernel, method)) {}

template <class T>
void FilterCore<T>::apply(const ConstView<T>& image, const View<T>& out) const {
  std::visit([&](const auto& k) { k.apply(image, out); }, kernel_);
}

template class FilterCore<float>;
template class FilterCore<double>;

}  // namespace fftconv::detail
