#include "image.hpp"

#include <fcntl.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <limits>
#include <new>

namespace fftconv::io {

void byte_swap(unsigned char* p, std::size_t count, std::size_t size) {
  for (std::size_t i = 0; i < count; ++i, p += size)
    std::reverse(p, p + size);
}

const unsigned char* in_byte_order(const unsigned char* pixels, std::size_t bytes, PixelType type,
                                   bool little_endian, PixelBytes& swapped) {
  constexpr bool host_little_endian = __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__;
  const std::size_t unit = size_of(part_type(type));  // (a complex number's parts swap alone)
  if (little_endian == host_little_endian || unit == 1) return pixels;
  swapped.assign(pixels, pixels + bytes);
  byte_swap(swapped.data(), bytes / unit, unit);
  return swapped.data();
}

std::string more_than(const ReadLimits& limits) {
  return std::string("more than ") + limits.name + " of " + std::to_string(limits.max_bytes) +
         " bytes";
}

std::size_t checked_image_bytes(const Shape& shape, PixelType type, const ReadLimits& limits,
                                std::size_t overhead) {
  std::size_t bytes = size_of(type);
  for (std::size_t extent : shape) {
    if (extent == 0) throw IoError("empty image (shape " + to_string(shape) + ")");
    if (bytes > std::numeric_limits<std::size_t>::max() / extent)
      throw IoError("image of shape " + to_string(shape) + " is too large to address");
    bytes *= extent;
  }
  const std::size_t max = std::numeric_limits<std::size_t>::max();
  const std::size_t needed = overhead > max - bytes ? max : bytes + overhead;  // (saturated)
  if (needed > limits.max_bytes)
    throw IoError("image of shape " + to_string(shape) + " " + name(type) + " needs " +
                  std::to_string(needed) + " bytes to read, " + more_than(limits));
  return bytes;
}

void allocate_pixels(Image& image, std::size_t bytes, NewPixels initial) {
  try {
    image.bytes.reserve(bytes);
  } catch (const std::bad_alloc&) {
    throw IoError("out of memory while reading the image of shape " + to_string(image.shape) + " " +
                  name(image.type) + ": it needs " + std::to_string(bytes) + " bytes");
  } catch (const std::length_error&) {
    throw IoError("image of shape " + to_string(image.shape) + " is too large to address");
  }
  // (Within the reserved capacity: no allocation, nothing to throw.)
  if (initial == NewPixels::zero)
    image.bytes.resize(bytes, 0);
  else
    image.bytes.resize(bytes);
}

bool write_all(int fd, const void* data, std::size_t n, off_t offset) {
  const auto* p = static_cast<const unsigned char*>(data);
  while (n > 0) {
    const ssize_t written = ::pwrite(fd, p, n, offset);
    if (written < 0 && errno == EINTR) continue;
    if (written <= 0) {
      if (written == 0) errno = EIO;
      return false;
    }
    p += written;
    n -= static_cast<std::size_t>(written);
    offset += written;
  }
  return true;
}

void read_exactly(int fd, void* data, std::size_t n, off_t offset) {
  auto* p = static_cast<unsigned char*>(data);
  while (n > 0) {
    const ssize_t moved = ::pread(fd, p, n, offset);
    if (moved < 0 && errno == EINTR) continue;
    if (moved < 0) throw IoError(std::string("read failed: ") + std::strerror(errno));
    if (moved == 0) throw IoError("the file became shorter while read");
    p += moved;
    n -= static_cast<std::size_t>(moved);
    offset += moved;
  }
}

int duplicate_descriptor(int fd) {
  const int copy = ::fcntl(fd, F_DUPFD_CLOEXEC, 0);
  if (copy < 0)
    throw IoError(std::string("cannot duplicate the open file: ") + std::strerror(errno));
  return copy;
}

}  // namespace fftconv::io
