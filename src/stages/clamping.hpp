#pragma once
// Options::nonnegative: negative results set to 0, the last stage (after any rounding to float,
// so a widened result is clamped once, in the caller's precision).
#include "fftconv/view.hpp"
#include "util/copy.hpp"

namespace fftconv::detail {

template <class T>
void clamp_negative(const View<T>& out) {
  for_each_element(out, [](T& v) {
    if (v < T(0)) v = T(0);  // (NaN compares false and stays)
  });
}

}  // namespace fftconv::detail
