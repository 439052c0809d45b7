#include "pixel_type.hpp"

#include <complex>
#include <cstdint>
#include <iterator>
#include <limits>
#include <stdexcept>

namespace fftconv::io {

namespace {

struct Info {
  PixelType type;
  const char* name;
  const char* short_name;
  std::size_t size;
  bool integer;
  PixelType part;  ///< a complex type's part type; else the type itself
  double lowest, highest;
};

template <class T>
constexpr Info info(PixelType type, const char* name, const char* short_name, PixelType part) {
  using P = part_t<T>;
  return {type,
          name,
          short_name,
          sizeof(T),
          std::numeric_limits<T>::is_integer,
          part,
          static_cast<double>(std::numeric_limits<P>::lowest()),
          static_cast<double>(std::numeric_limits<P>::max())};
}
template <class T>
constexpr Info info(PixelType type, const char* name, const char* short_name) {
  return info<T>(type, name, short_name, type);
}

constexpr Info table[] = {
    info<std::uint8_t>(PixelType::u8, "uint8", "u8"),
    info<std::int8_t>(PixelType::i8, "int8", "i8"),
    info<std::uint16_t>(PixelType::u16, "uint16", "u16"),
    info<std::int16_t>(PixelType::i16, "int16", "i16"),
    info<std::uint32_t>(PixelType::u32, "uint32", "u32"),
    info<std::int32_t>(PixelType::i32, "int32", "i32"),
    info<std::uint64_t>(PixelType::u64, "uint64", "u64"),
    info<std::int64_t>(PixelType::i64, "int64", "i64"),
    info<float>(PixelType::f32, "float32", "f32"),
    info<double>(PixelType::f64, "float64", "f64"),
    info<std::complex<float>>(PixelType::c64, "complex64", "c64", PixelType::f32),
    info<std::complex<double>>(PixelType::c128, "complex128", "c128", PixelType::f64),
};
static_assert(std::size(table) == static_cast<std::size_t>(pixel_type_count),
              "one entry per PixelType");

constexpr bool table_matches_enum() {
  for (int i = 0; i < static_cast<int>(std::size(table)); ++i)
    if (table[i].type != static_cast<PixelType>(i)) return false;
  return true;
}
static_assert(table_matches_enum(), "lookup() indexes the table by the enum's value");

const Info& lookup(PixelType type) {
  return table[static_cast<int>(type)];
}

}  // namespace

const char* name(PixelType type) {
  return lookup(type).name;
}

bool parse_pixel_type(const std::string& text, PixelType& type) {
  for (const Info& i : table)
    if (text == i.name || text == i.short_name) {
      type = i.type;
      return true;
    }
  return false;
}

std::size_t size_of(PixelType type) {
  return lookup(type).size;
}
bool is_integer(PixelType type) {
  return lookup(type).integer;
}
bool is_complex(PixelType type) {
  return lookup(type).part != type;
}
PixelType part_type(PixelType type) {
  return lookup(type).part;
}
PixelType complex_type(PixelType type) {
  for (const Info& i : table)
    if (i.part == part_type(type) && i.part != i.type && !is_integer(type)) return i.type;
  throw std::logic_error(std::string("no complex type has ") + name(type) + " parts");
}
double lowest(PixelType type) {
  return lookup(type).lowest;
}
double highest(PixelType type) {
  return lookup(type).highest;
}

}  // namespace fftconv::io
