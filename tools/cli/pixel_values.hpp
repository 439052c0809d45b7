#pragma once
// The numbers a command computes with: in float or double (--precision and the image's type),
// and how many of them are not finite.
#include <algorithm>
#include <cmath>
#include <cstddef>
#include <type_traits>

#include "io/pixel_type.hpp"
#include "job.hpp"

namespace fftconv::cli {

/// Whether a job computes in double for an image of `image_type` (--precision; auto: float for
/// float32 images, double for the others).
inline bool computes_in_double(Precision precision, io::PixelType image_type) {
  if (precision == Precision::automatic) return image_type != io::PixelType::f32;
  return precision == Precision::double_precision;
}

/// The pixel type of the precision T.
template <class T>
constexpr io::PixelType pixel_type_of() {
  return std::is_same_v<T, float> ? io::PixelType::f32 : io::PixelType::f64;
}

template <class T>
std::size_t count_nonfinite(const T* values, std::size_t count) {
  return static_cast<std::size_t>(
      std::count_if(values, values + count, [](T v) { return !std::isfinite(v); }));
}

}  // namespace fftconv::cli
