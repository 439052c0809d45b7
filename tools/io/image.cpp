#include "image.hpp"

#include <limits>

namespace fftconv::io {

std::size_t checked_image_bytes(const Shape& shape, PixelType type, const ReadLimits& limits) {
  std::size_t bytes = size_of(type);
  for (std::size_t extent : shape) {
    if (extent == 0) throw IoError("empty image (shape " + to_string(shape) + ")");
    if (bytes > std::numeric_limits<std::size_t>::max() / extent)
      throw IoError("image of shape " + to_string(shape) + " is too large to address");
    bytes *= extent;
  }
  if (bytes > limits.max_bytes)
    throw IoError("image of shape " + to_string(shape) + " " + name(type) + " needs " +
                  std::to_string(bytes) + " bytes, over the limit of " +
                  std::to_string(limits.max_bytes));
  return bytes;
}

}  // namespace fftconv::io
