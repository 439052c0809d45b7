#pragma once
// Images read and written a band of rows at a time, for images larger than memory (the CLI's
// streaming, tools/cli/streaming.cpp). A row is one index along axis 0: a pixel of a 1-D
// image, a row of a 2-D one, a plane of a 3-D one; its bytes are the image's pixels of that
// index in C order, host byte order, of the header's type. npy implements both sides with
// pread/pwrite at offsets, FITS through cfitsio (codec.hpp); TIFF and PNG do not stream.
#include <cstddef>
#include <string>

#include "fftconv/shape.hpp"
#include "metadata.hpp"
#include "pixel_type.hpp"

namespace fftconv::io {

/// What a streaming reader learns before any pixel, and what a streaming writer needs first.
struct ImageHeader {
  Shape shape;
  PixelType type = PixelType::f64;
  Metadata metadata{};  ///< as Image::metadata
  /// Why the file's rows cannot be read a band at a time (a tile-compressed or gzip-compressed
  /// FITS file, a Fortran-order npy file), for messages; empty when they can.
  std::string rows_refused;
};

/// The bytes of one row of `header`'s image.
inline std::size_t row_bytes(const ImageHeader& header) {
  std::size_t bytes = size_of(header.type);
  for (int a = 1; a < header.shape.rank(); ++a)
    bytes *= header.shape[a];
  return bytes;
}

/// A file's rows, read in any order. Errors throw IoError (without the file name).
class RowReader {
 public:
  virtual ~RowReader() = default;
  virtual const ImageHeader& header() const = 0;
  /// Rows [first, first + count) into `out` (count * row_bytes(header()) bytes). Throws
  /// IoError when header().rows_refused is not empty.
  virtual void read(std::size_t first, std::size_t count, unsigned char* out) = 0;
};

/// A file being written row by row: created at its final size by its codec, rows written in any
/// order, each once, then finish() completes the file (the last write: errors found then throw).
class RowWriter {
 public:
  virtual ~RowWriter() = default;
  /// Rows [first, first + count) from `rows` (count * row_bytes of the header it was made for).
  virtual void write(std::size_t first, std::size_t count, const unsigned char* rows) = 0;
  virtual void finish() = 0;
};

}  // namespace fftconv::io
