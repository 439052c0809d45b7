#pragma once
// Between an Image's stored pixels and the numbers fftconv computes with: float, double,
// std::complex<float> or std::complex<double>. Real pixels convert to complex numbers (the
// imaginary part 0); complex pixels never convert to real numbers (a std::logic_error: the
// callers check io::is_complex first, and refuse such files with a message of their own).
#include <cstddef>
#include <vector>

#include "image.hpp"

namespace fftconv::io {

/// The pixels as T, C order. Integers convert exactly up to T's mantissa.
template <class T>
std::vector<T> to_values(const Image& image);

/// `count` pixels of `type` at `bytes` (host byte order) as T into `out`: to_values on a part of
/// an image (a band of rows).
template <class T>
void to_values(const unsigned char* bytes, PixelType type, std::size_t count, T* out);

/// The pixels as T in place, without a copy, when they are stored as T (float32 for float,
/// float64 for double, complex64 and complex128 for the complex types); nullptr otherwise (convert
/// with to_values). Image::bytes comes from operator new, aligned for any scalar type.
template <class T>
const T* values_in_place(const Image& image);
template <class T>
T* values_in_place(Image& image);

/// What storing numbers as an integer type changed.
struct Conversion {
  std::size_t clipped = 0;    ///< finite values outside the type's range, stored as its min/max
  std::size_t nonfinite = 0;  ///< NaN (stored as 0) and +-Inf (stored as max/min)
};

/// Stores values as `type`: integers round to nearest (halves away from zero) and clip to the
/// type's range, counted in `report`; float32 from double rounds to nearest (complex: each part).
template <class T>
Image from_values(const Shape& shape, const T* values, PixelType type, Conversion& report);
/// from_values of `count` values into `out` (count * size_of(type) bytes).
template <class T>
void from_values(const T* values, std::size_t count, PixelType type, unsigned char* out,
                 Conversion& report);

}  // namespace fftconv::io
