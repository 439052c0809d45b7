#include "convert.hpp"

#include <cmath>
#include <complex>
#include <cstdint>
#include <cstring>
#include <limits>
#include <stdexcept>
#include <string>
#include <type_traits>

namespace fftconv::io {

namespace {

template <class T>
struct Tag {
  using type = T;
};

/// Calls f(Tag<C type of `type`>{}).
template <class F>
decltype(auto) with_type(PixelType type, F&& f) {
  switch (type) {
    case PixelType::u8:
      return f(Tag<std::uint8_t>{});
    case PixelType::i8:
      return f(Tag<std::int8_t>{});
    case PixelType::u16:
      return f(Tag<std::uint16_t>{});
    case PixelType::i16:
      return f(Tag<std::int16_t>{});
    case PixelType::u32:
      return f(Tag<std::uint32_t>{});
    case PixelType::i32:
      return f(Tag<std::int32_t>{});
    case PixelType::u64:
      return f(Tag<std::uint64_t>{});
    case PixelType::i64:
      return f(Tag<std::int64_t>{});
    case PixelType::f32:
      return f(Tag<float>{});
    case PixelType::c64:
      return f(Tag<std::complex<float>>{});
    case PixelType::c128:
      return f(Tag<std::complex<double>>{});
    case PixelType::f64:
      break;
  }
  return f(Tag<double>{});
}

/// Refuses (a logic error: callers check io::is_complex first) to convert complex numbers of
/// `from` to a real type `to`, where the imaginary part would be lost.
[[noreturn]] void complex_to_real(PixelType from, PixelType to) {
  throw std::logic_error(std::string("fftconv::io: ") + name(from) + " values cannot be " +
                         name(to) + " (the imaginary part would be lost)");
}

/// s as T, where a complex s has a complex T (a real s gets the imaginary part 0); each part
/// converted as static_cast does.
template <class T, class S>
T converted(const S& s) {
  if constexpr (is_complex_v<T>) {
    using P = part_t<T>;
    if constexpr (is_complex_v<S>)
      return T(static_cast<P>(s.real()), static_cast<P>(s.imag()));
    else
      return T(static_cast<P>(s));
  } else {
    static_assert(!is_complex_v<S>, "checked by the callers: see complex_to_real");
    return static_cast<T>(s);
  }
}

/// v rounded and clipped into integer type S's range. The limits are compared in double, where
/// S's lowest (0 or -2^digits) and 2^digits (one past its max) are exact even for 64-bit types
/// (whose max itself is not).
template <class S, class T>
S to_integer(T v, Conversion& report) {
  if (std::isnan(v)) {
    ++report.nonfinite;
    return 0;
  }
  if (std::isinf(v)) ++report.nonfinite;
  const double r = std::round(static_cast<double>(v));
  if (r < static_cast<double>(std::numeric_limits<S>::lowest())) {
    if (std::isfinite(v)) ++report.clipped;
    return std::numeric_limits<S>::lowest();
  }
  if (r >= std::ldexp(1.0, std::numeric_limits<S>::digits)) {
    if (std::isfinite(v)) ++report.clipped;
    return std::numeric_limits<S>::max();
  }
  return static_cast<S>(r);
}

}  // namespace

template <class T>
const T* values_in_place(const Image& image) {
  constexpr PixelType same = pixel_type_of<T>();
  if (image.type != same || image.bytes.size() != element_count(image.shape) * sizeof(T) ||
      reinterpret_cast<std::uintptr_t>(image.bytes.data()) % alignof(T) != 0)
    return nullptr;
  return reinterpret_cast<const T*>(image.bytes.data());
}

template <class T>
T* values_in_place(Image& image) {
  return const_cast<T*>(values_in_place<T>(static_cast<const Image&>(image)));
}

template <class T>
void to_values(const unsigned char* bytes, PixelType type, std::size_t count, T* out) {
  with_type(type, [&](auto tag) {
    using S = typename decltype(tag)::type;
    if constexpr (is_complex_v<S> && !is_complex_v<T>) {
      complex_to_real(type, pixel_type_of<T>());
    } else {
      const unsigned char* p = bytes;
      for (std::size_t i = 0; i < count; ++i, p += sizeof(S)) {
        S s;
        std::memcpy(&s, p, sizeof(S));
        out[i] = converted<T>(s);
      }
    }
  });
}

template <class T>
std::vector<T> to_values(const Image& image) {
  std::vector<T> values(element_count(image.shape));
  to_values(image.bytes.data(), image.type, values.size(), values.data());
  return values;
}

template <class T>
void from_values(const T* values, std::size_t count, PixelType type, unsigned char* out,
                 Conversion& report) {
  with_type(type, [&](auto tag) {
    using S = typename decltype(tag)::type;
    if constexpr (is_complex_v<T> && !is_complex_v<S>) {
      complex_to_real(pixel_type_of<T>(), type);
    } else {
      unsigned char* p = out;
      for (std::size_t i = 0; i < count; ++i, p += sizeof(S)) {
        S s;
        if constexpr (std::is_integral_v<S>)
          s = to_integer<S>(values[i], report);
        else
          s = converted<S>(values[i]);
        std::memcpy(p, &s, sizeof(S));
      }
    }
  });
}

template <class T>
Image from_values(const Shape& shape, const T* values, PixelType type, Conversion& report) {
  Image image{shape, type, {}};
  const std::size_t n = element_count(shape);
  image.bytes.resize(n * size_of(type));
  from_values(values, n, type, image.bytes.data(), report);
  return image;
}

#define FFTCONV_IO_CONVERT(T)                                                 \
  template const T* values_in_place(const Image&);                            \
  template T* values_in_place(Image&);                                        \
  template std::vector<T> to_values(const Image&);                            \
  template void to_values(const unsigned char*, PixelType, std::size_t, T*);  \
  template Image from_values(const Shape&, const T*, PixelType, Conversion&); \
  template void from_values(const T*, std::size_t, PixelType, unsigned char*, Conversion&);
FFTCONV_IO_CONVERT(float)
FFTCONV_IO_CONVERT(double)
FFTCONV_IO_CONVERT(std::complex<float>)
FFTCONV_IO_CONVERT(std::complex<double>)
#undef FFTCONV_IO_CONVERT

}  // namespace fftconv::io
