#pragma once
// The pixel types the file formats store, with their names, sizes and ranges.
#include <cstddef>
#include <string>

namespace fftconv::io {

enum class PixelType { u8, i8, u16, i16, u32, i32, u64, i64, f32, f64 };

/// "uint8", "int16", "float32", ...: numpy's names, used in messages and on the command line.
const char* name(PixelType type);
/// Parses a name() or its short form ("u8", "f32"); false for anything else.
bool parse_pixel_type(const std::string& text, PixelType& type);
std::size_t size_of(PixelType type);
bool is_integer(PixelType type);
/// The range an integer type holds, as doubles (exact for every type up to 2^53).
double lowest(PixelType type);
double highest(PixelType type);

}  // namespace fftconv::io
