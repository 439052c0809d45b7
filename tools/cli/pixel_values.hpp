#pragma once
// The numbers a command computes with: in float or double (--precision and the image's type),
// real or complex (the files' types), and how many of them are not finite.
#include <algorithm>
#include <cmath>
#include <complex>
#include <cstddef>
#include <type_traits>

#include "io/pixel_type.hpp"
#include "job.hpp"

namespace fftconv::cli {

using io::is_complex_v;
using io::part_t;
using io::pixel_type_of;

/// Whether a job computes in double for an image of `image_type` (--precision; auto: float for
/// float32 and complex64 images, double for the others).
inline bool computes_in_double(Precision precision, io::PixelType image_type) {
  if (precision == Precision::automatic) return io::part_type(image_type) != io::PixelType::f32;
  return precision == Precision::double_precision;
}

/// The scalar of filtering an image of I with a kernel of K (both of one precision): complex if
/// either is.
template <class I, class K>
using result_t = std::conditional_t<is_complex_v<I> || is_complex_v<K>, std::complex<part_t<I>>, I>;

template <class T>
bool is_finite(T v) {
  if constexpr (is_complex_v<T>)
    return std::isfinite(v.real()) && std::isfinite(v.imag());
  else
    return std::isfinite(v);
}

/// How many values are NaN or infinite (a complex value: either part).
template <class T>
std::size_t count_nonfinite(const T* values, std::size_t count) {
  return static_cast<std::size_t>(
      std::count_if(values, values + count, [](const T& v) { return !is_finite(v); }));
}

}  // namespace fftconv::cli
