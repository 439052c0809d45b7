#pragma once
// Complex data as its real parts: a view of std::complex<T> is two strided views of T into the
// same memory (std::complex<T> is an array of two T, [complex.numbers]), its real and imaginary
// parts. The complex paths (core/complex_pipeline.hpp, the FFT paths' spectral form) work on
// them.
#include <complex>

#include "fftconv/view.hpp"
#include "util/copy.hpp"

namespace fftconv::detail {

/// The real and imaginary parts of a view: for a complex view two strided views of T into its
/// memory; for a real view the view itself and no imaginary part.
template <class E>
struct Parts {
  View<E> re, im;
  bool is_complex = false;
};

template <class T>
Parts<const T> parts(const ConstView<std::complex<T>>& v);
template <class T>
Parts<T> parts(const View<std::complex<T>>& v);
template <class E>
Parts<E> parts(const View<E>& v) {
  return {v, View<E>(), false};
}

/// Whether any part of `in` may share memory with a part of `out` (an output written part by part
/// while the input's parts are still read).
template <class T>
bool parts_share_memory(const Parts<const T>& in, const Parts<T>& out) {
  for (const ConstView<T>& i : {in.re, in.im}) {
    if (i.data() == nullptr) continue;  // (a real input's absent part)
    for (const View<T>& o : {out.re, out.im})
      if (o.data() != nullptr && may_share_memory(i, o)) return true;
  }
  return false;
}

}  // namespace fftconv::detail
