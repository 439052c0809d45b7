#include "core/parts.hpp"

namespace fftconv::detail {

namespace {

template <class E, class Z>
Parts<E> split(Z* data, const Shape& shape, const Strides& strides) {
  Strides doubled;
  for (std::ptrdiff_t s : strides)
    doubled.push_back(2 * s);
  E* re = reinterpret_cast<E*>(data);  // std::complex<T>: an array of two T ([complex.numbers])
  // (a null complex view: null parts, which validation refuses by name)
  return {View<E>(re, shape, doubled), View<E>(re == nullptr ? nullptr : re + 1, shape, doubled),
          true};
}

}  // namespace

template <class T>
Parts<const T> parts(const ConstView<std::complex<T>>& v) {
  return split<const T>(v.data(), v.shape(), v.strides());
}
template <class T>
Parts<T> parts(const View<std::complex<T>>& v) {
  return split<T>(v.data(), v.shape(), v.strides());
}

template Parts<const float> parts(const ConstView<std::complex<float>>&);
template Parts<const double> parts(const ConstView<std::complex<double>>&);
template Parts<float> parts(const View<std::complex<float>>&);
template Parts<double> parts(const View<std::complex<double>>&);

}  // namespace fftconv::detail
