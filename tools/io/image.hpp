#pragma once
// An image as a file stores it: rank 1..3, C order (axis 0 outermost), pixels of one type in
// host byte order. Readers produce it, writers consume it; convert.hpp turns it into numbers.
#include <sys/types.h>

#include <cstddef>
#include <memory>
#include <stdexcept>
#include <string>
#include <utility>
#include <vector>

#include "fftconv/shape.hpp"
#include "metadata.hpp"
#include "pixel_type.hpp"

namespace fftconv::io {

/// std::allocator, except that resize() leaves new elements uninitialized rather than zeroed:
/// a reader or the computation overwrites every pixel, and zeroing them first would cost a
/// pass over the image (64 MB of memset for a 4096 x 4096 float32 image, half the time of
/// reading it).
template <class T>
struct DefaultInitAllocator : std::allocator<T> {
  template <class U>
  struct rebind {
    using other = DefaultInitAllocator<U>;
  };
  DefaultInitAllocator() = default;
  template <class U>
  DefaultInitAllocator(const DefaultInitAllocator<U>&) noexcept {}
  template <class U, class... Args>
  void construct(U* p, Args&&... args) {
    if constexpr (sizeof...(Args) == 0)
      ::new (static_cast<void*>(p)) U;  // default-initialized: for bytes, left as they are
    else
      ::new (static_cast<void*>(p)) U(std::forward<Args>(args)...);
  }
};

/// An image's pixel bytes (see DefaultInitAllocator; readers size them with allocate_pixels).
using PixelBytes = std::vector<unsigned char, DefaultInitAllocator<unsigned char>>;

struct Image {
  Shape shape;
  PixelType type = PixelType::f64;
  PixelBytes bytes;     ///< element_count(shape) * size_of(type)
  Metadata metadata{};  ///< what a writer of the input's format carries over
};

/// A file that cannot be read or written: what is wrong, without the file name (the caller
/// adds it, so every message reads "FILE: problem").
class IoError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

/// Limits a reader checks before it allocates, so a small file cannot ask for a huge buffer.
struct ReadLimits {
  /// Of the decoded pixels, and of any buffer whose size a header declares (TIFF tiles).
  std::size_t max_bytes = static_cast<std::size_t>(-1);
  /// What max_bytes is, for messages ("the memory budget (--max-memory)").
  const char* name = "the limit";
};

/// "more than <limits.name> of N bytes": how every refusal over the limit ends.
std::string more_than(const ReadLimits& limits);

/// The byte count of `count` pixels of `type`, checked against overflow and `limits` (with
/// `overhead` bytes the reader needs besides, e.g. row pointers); throws IoError otherwise.
/// Every reader sizes its buffer with it.
std::size_t checked_image_bytes(const Shape& shape, PixelType type, const ReadLimits& limits,
                                std::size_t overhead = 0);

/// What a reader's new pixel buffer holds before the reader fills it.
enum class NewPixels {
  unset,  ///< as allocated: the reader itself writes every byte (npy, a copy of known size)
  zero,   ///< zeroed: a library decoder (cfitsio, libtiff, libpng) may leave pixels of a
          ///< corrupt file unset, and they must not show stale memory
};

/// Sizes image.bytes to `bytes` (from checked_image_bytes) for a reader to fill; running out of
/// memory is an IoError naming the image and the bytes it needs, not a bare std::bad_alloc.
void allocate_pixels(Image& image, std::size_t bytes, NewPixels initial);

/// `bytes` of pixels of `type` (host byte order) in little- or big-endian order: the pixels
/// themselves when the host's order is that already (or the type has one-byte numbers), else a
/// byte-swapped copy in `swapped` (each number, each part of a complex one, reversed).
const unsigned char* in_byte_order(const unsigned char* pixels, std::size_t bytes, PixelType type,
                                   bool little_endian, PixelBytes& swapped);

/// Reverses the bytes of each of `count` numbers of `size` bytes.
void byte_swap(unsigned char* p, std::size_t count, std::size_t size);

/// Writes all `n` bytes of `data` at `offset` in `fd` (pwrite, repeated after a short write or
/// an interrupting signal); false on an error, with errno set.
bool write_all(int fd, const void* data, std::size_t n, off_t offset);

/// Reads all `n` bytes at `offset` of `fd` into `data` (pread, repeated after a short read or an
/// interrupting signal); IoError on an error or when the file ends first.
void read_exactly(int fd, void* data, std::size_t n, off_t offset);

/// A second, close-on-exec descriptor of `fd`'s open file (same offset), for a writer whose
/// library closes the file it wrote (libtiff, libpng's stdio, zlib); IoError if none is left.
int duplicate_descriptor(int fd);

}  // namespace fftconv::io
