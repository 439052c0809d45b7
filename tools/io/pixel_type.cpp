#include "pixel_type.hpp"

#include <cstdint>
#include <iterator>
#include <limits>

namespace fftconv::io {

namespace {

struct Info {
  PixelType type;
  const char* name;
  const char* short_name;
  std::size_t size;
  bool integer;
  double lowest, highest;
};

template <class T>
constexpr Info info(PixelType type, const char* name, const char* short_name) {
  return {type,
          name,
          short_name,
          sizeof(T),
          std::numeric_limits<T>::is_integer,
          static_cast<double>(std::numeric_limits<T>::lowest()),
          static_cast<double>(std::numeric_limits<T>::max())};
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
};

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
double lowest(PixelType type) {
  return lookup(type).lowest;
}
double highest(PixelType type) {
  return lookup(type).highest;
}

}  // namespace fftconv::io
