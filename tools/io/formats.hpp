#pragma once
// The file formats, each a decoder (bytes in memory -> Image, so fuzzers and readers share it)
// and a writer (Image -> an open file). Errors throw IoError. files.hpp picks the format by
// the file's extension and adds the temporary-then-rename and the file name in messages.
//
// A writer writes through `fd`, an empty regular file open for reading and writing (libtiff
// reads back what it wrote), from its start, and leaves it open: it never opens a file by
// name, so what a name points to cannot change under it (OutputFile's temporary).
#include <cstddef>
#include <string>

#include <memory>

#include "image.hpp"
#include "rows.hpp"

namespace fftconv::io {

/// .npy, versions 1 to 3: integer, float and complex (complex64, complex128) types of any byte
/// order, C or Fortran order, rank 1 to 3 (bool reads as uint8). Writes version 1,
/// little-endian, C order. (The only format that holds complex pixels.)
Image decode_npy(const unsigned char* data, std::size_t size, const ReadLimits& limits = {});
void write_npy(const Image& image, int fd);
/// decode_npy of a file mapped at `data` and open as `fd`: the pixels are read with pread
/// straight into the image (cheaper than copying them out of the mapping).
Image read_npy(int fd, const unsigned char* data, std::size_t size, const ReadLimits& limits = {});

/// The rows of the .npy file open as `fd` (`size` bytes), its header read (refused as decode_npy
/// refuses it; a Fortran-order file's rows_refused says why it does not stream).
std::unique_ptr<RowReader> open_npy_rows(int fd, std::size_t size);
/// A writer of `header`'s image as .npy (write_npy's layout) into the empty file `fd`.
std::unique_ptr<RowWriter> create_npy_rows(const ImageHeader& header, int fd);
/// A writer of rows in place into a file create_npy_rows made for `header` (Codec::resume_rows).
std::unique_ptr<RowWriter> resume_npy_rows(const ImageHeader& header, int fd);

/// FITS (cfitsio): the first image HDU with data (tile-compressed ones included), or the one
/// `hdu` selects as cfitsio's "file.fits[hdu]" does ("1": the first extension, "0": the
/// primary HDU, "SCI" or "SCI,2": by EXTNAME and EXTVER); gzip-compressed data (.fits.gz) is
/// inflated first. Rank 1 to 3 (further axes of length 1 are dropped). BITPIX 8/16/32/64/-32/-64
/// read as physical values (BSCALE/BZERO applied): the unsigned conventions (BZERO 2^15, 2^31,
/// 2^63; -128 for int8) as unsigned/signed integers, other scalings as float64 (float32 for
/// 8/16-bit data). Integer data with BLANK reads as floats with NaN at the blank pixels.
/// The HDU's header cards go to image.metadata.fits_cards, except the structural ones (SIMPLE,
/// BITPIX, NAXISn, EXTEND, XTENSION, PCOUNT, GCOUNT, BSCALE/BZERO/BLANK, the tile-compression
/// Z* cards, CHECKSUM/DATASUM; of a tile-compressed HDU, also its table's column cards).
/// Refused before allocating: an image or one compressed tile's decoding buffers (8 bytes a
/// pixel) over limits.max_bytes, gzip data inflating beyond it, a compressed image whose
/// table has fewer rows than its tiles or rows pointing past the end of the file, and a
/// truncated file (the message says how many bytes are missing).
Image decode_fits(const unsigned char* data, std::size_t size, const ReadLimits& limits = {},
                  const std::string& hdu = "");
/// Writes a primary HDU of the image's type with image.metadata's cards and HISTORY lines
/// (or "written by fftconv X.Y.Z"); `gzip`: the file gzip-compressed (.fits.gz). The file is
/// made in memory first (cfitsio creates files only by name): peak memory is the image twice.
void write_fits(const Image& image, int fd, bool gzip = false);
/// The rows of the FITS file open as `fd` (`hdu` as decode_fits'), its header read in a child
/// process as decode_fits reads it (the same refusals), the rows then by cfitsio in this one.
/// rows_refused: a gzip-compressed file or a tile-compressed image (decoded whole), or the
/// header's problem (shape then empty: decode_fits reports it).
std::unique_ptr<RowReader> open_fits_rows(int fd, const ReadLimits& limits, const std::string& hdu);
/// A writer of `header`'s image as write_fits writes it (not gzip-compressed) into the empty
/// file `fd`: the header, the file sized, then the rows by cfitsio.
std::unique_ptr<RowWriter> create_fits_rows(const ImageHeader& header, int fd);
/// A writer of rows in place into a file create_fits_rows made for `header`: exact byte ranges
/// (big-endian), not cfitsio's whole records (Codec::resume_rows); types FITS stores with an
/// offset (BZERO: unsigned 16-64-bit, signed 8-bit) are refused.
std::unique_ptr<RowWriter> resume_fits_rows(const ImageHeader& header, int fd);

/// TIFF (libtiff): greyscale (MinIsBlack, 1 sample) and RGB(A) (3 or 4 samples, PlanarConfig
/// contiguous or separate) pages of 8/16/32/64-bit signed or unsigned integers or 32/64-bit
/// floats, strips or tiles, any compression libtiff decodes. One greyscale page is 2-D;
/// several pages of equal size and type are a 3-D stack (axis 0 = page). Pages that are more
/// than one volume say so in image.metadata.layout, their planes stored frame, channel, slice
/// (frame outermost): an ImageJ hyperstack (ImageDescription "ImageJ=...\nchannels=C\n
/// slices=Z\nframes=T", pages channel fastest; C*Z*T must equal the pages) and RGB(A) pages
/// (each colour sample a channel, each page a slice; the 4th sample is alpha). Refused before
/// allocating: an image or strip/tile buffer over limits.max_bytes, a strip or tile lying past
/// the end of the file, pages whose strips together exceed the file (pages sharing a strip),
/// and a page declaring more pixels than its compression can expand its strips into.
/// Writes uncompressed strips, one page per plane (BigTIFF beyond 2 GiB); a layout is
/// written back (an ImageJ description, or interleaved RGB(A) samples with alpha as an extra
/// sample).
Image decode_tiff(const unsigned char* data, std::size_t size, const ReadLimits& limits = {});
void write_tiff(const Image& image, int fd);

/// PNG (libpng): 8- and 16-bit greyscale, interlaced or not; 2-D only.
Image decode_png(const unsigned char* data, std::size_t size, const ReadLimits& limits = {});
void write_png(const Image& image, int fd);

}  // namespace fftconv::io
