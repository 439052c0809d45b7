#pragma once
// The pixel types the file formats store, with their names, sizes and ranges.
#include <complex>
#include <cstddef>
#include <string>
#include <type_traits>

namespace fftconv::io {

/// c64 and c128: complex64 and complex128 (numpy's names), a float32 or float64 real part then
/// imaginary part; only .npy stores them.
enum class PixelType { u8, i8, u16, i16, u32, i32, u64, i64, f32, f64, c64, c128 };
/// How many PixelType values there are (the last one's value + 1).
constexpr int pixel_type_count = static_cast<int>(PixelType::c128) + 1;

/// "uint8", "int16", "float32", "complex64", ...: numpy's names, used in messages and on the
/// command line.
const char* name(PixelType type);
/// Parses a name() or its short form ("u8", "f32", "c64"); false for anything else.
bool parse_pixel_type(const std::string& text, PixelType& type);
std::size_t size_of(PixelType type);
bool is_integer(PixelType type);
bool is_complex(PixelType type);
/// The type of a complex type's parts (complex64: float32); any other type itself.
PixelType part_type(PixelType type);
/// The complex type with parts of a floating-point type (float32: complex64); a complex type
/// itself. (Integer types have none: a logic error.)
PixelType complex_type(PixelType type);
/// The range an integer type holds, as doubles (exact for every type up to 2^53); for a
/// complex type, the range of each part.
double lowest(PixelType type);
double highest(PixelType type);

/// A scalar's part: T itself, or P for std::complex<P>.
template <class T>
struct PartOf {
  using type = T;
};
template <class P>
struct PartOf<std::complex<P>> {
  using type = P;
};
template <class T>
using part_t = typename PartOf<T>::type;
template <class T>
inline constexpr bool is_complex_v = !std::is_same_v<T, part_t<T>>;

/// The pixel type of a scalar the library computes with: float32, float64, complex64, complex128.
template <class T>
constexpr PixelType pixel_type_of() {
  static_assert(std::is_same_v<T, float> || std::is_same_v<T, double> ||
                    std::is_same_v<T, std::complex<float>> ||
                    std::is_same_v<T, std::complex<double>>,
                "float, double or std::complex of them");
  if constexpr (std::is_same_v<T, float>) return PixelType::f32;
  if constexpr (std::is_same_v<T, double>) return PixelType::f64;
  if constexpr (std::is_same_v<T, std::complex<float>>) return PixelType::c64;
  return PixelType::c128;
}

}  // namespace fftconv::io
