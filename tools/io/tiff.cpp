// TIFF through libtiff, read from memory (TIFFClientOpen) so a file and a fuzzer's bytes take
// the same path.
#include <tiffio.h>

#include <algorithm>
#include <cstdarg>
#include <cstdint>
#include <cstdio>
#include <cstring>
#include <limits>
#include <memory>
#include <string>
#include <vector>

#include "formats.hpp"
#include "printable.hpp"

namespace fftconv::io {

namespace {

// libtiff reports through process-wide handlers; the last error of this thread is kept here and
// thrown by the call that failed.
thread_local std::string last_tiff_error;

void record_error(const char* module, const char* format, va_list args) {
  char text[512];
  std::vsnprintf(text, sizeof text, format, args);
  last_tiff_error = module ? std::string(module) + ": " + text : std::string(text);
}

void ignore_warning(const char*, const char*, va_list) {}

/// Installs the handlers once (libtiff's defaults print to stderr).
void install_handlers() {
  static const bool installed = [] {
    TIFFSetErrorHandler(record_error);
    TIFFSetWarningHandler(ignore_warning);
    return true;
  }();
  (void)installed;
}

[[noreturn]] void throw_tiff_error(const std::string& doing) {
  std::string message = "TIFF error while " + doing;
  if (!last_tiff_error.empty()) message += ": " + printable(last_tiff_error, 200);
  last_tiff_error.clear();
  throw IoError(message);
}

/// The bytes libtiff reads through its client procedures.
struct MemoryStream {
  const unsigned char* data;
  std::size_t size;
  std::size_t pos = 0;
};

tmsize_t read_proc(thandle_t h, void* buf, tmsize_t n) {
  auto* s = static_cast<MemoryStream*>(h);
  if (n < 0) return -1;
  const std::size_t count =
      std::min(static_cast<std::size_t>(n), s->size - std::min(s->pos, s->size));
  if (count == 0) return 0;  // (an empty buffer's data may be null)
  std::memcpy(buf, s->data + s->pos, count);
  s->pos += count;
  return static_cast<tmsize_t>(count);
}
tmsize_t write_proc(thandle_t, void*, tmsize_t) {
  return -1;
}
toff_t seek_proc(thandle_t h, toff_t off, int whence) {
  auto* s = static_cast<MemoryStream*>(h);
  std::int64_t base = 0;
  if (whence == SEEK_CUR) base = static_cast<std::int64_t>(s->pos);
  if (whence == SEEK_END) base = static_cast<std::int64_t>(s->size);
  const auto offset = static_cast<std::int64_t>(off);  // SEEK_CUR/END offsets may be negative
  if ((offset > 0 && base > INT64_MAX - offset) || base + offset < 0)
    return static_cast<toff_t>(-1);
  s->pos = static_cast<std::size_t>(base + offset);
  return s->pos;
}
int close_proc(thandle_t) {
  return 0;
}
toff_t size_proc(thandle_t h) {
  return static_cast<MemoryStream*>(h)->size;
}

using TiffPtr = std::unique_ptr<TIFF, void (*)(TIFF*)>;

/// The pixel type of the current page, or an IoError saying why it is not greyscale data.
PixelType page_type(TIFF* tif) {
  uint16_t samples = 1, bits = 1, format = SAMPLEFORMAT_UINT, photometric = PHOTOMETRIC_MINISBLACK;
  TIFFGetFieldDefaulted(tif, TIFFTAG_SAMPLESPERPIXEL, &samples);
  TIFFGetFieldDefaulted(tif, TIFFTAG_BITSPERSAMPLE, &bits);
  TIFFGetFieldDefaulted(tif, TIFFTAG_SAMPLEFORMAT, &format);
  TIFFGetField(tif, TIFFTAG_PHOTOMETRIC, &photometric);
  if (samples != 1)
    throw IoError("TIFF page has " + std::to_string(samples) +
                  " samples per pixel; fftconv reads greyscale (1 sample)");
  if (photometric != PHOTOMETRIC_MINISBLACK)
    throw IoError("TIFF photometric interpretation " + std::to_string(photometric) +
                  " is not supported (greyscale MinIsBlack only)");
  struct Entry {
    uint16_t format, bits;
    PixelType type;
  };
  constexpr Entry entries[] = {
      {SAMPLEFORMAT_UINT, 8, PixelType::u8},     {SAMPLEFORMAT_INT, 8, PixelType::i8},
      {SAMPLEFORMAT_UINT, 16, PixelType::u16},   {SAMPLEFORMAT_INT, 16, PixelType::i16},
      {SAMPLEFORMAT_UINT, 32, PixelType::u32},   {SAMPLEFORMAT_INT, 32, PixelType::i32},
      {SAMPLEFORMAT_UINT, 64, PixelType::u64},   {SAMPLEFORMAT_INT, 64, PixelType::i64},
      {SAMPLEFORMAT_IEEEFP, 32, PixelType::f32}, {SAMPLEFORMAT_IEEEFP, 64, PixelType::f64}};
  for (const Entry& e : entries)
    if (e.format == format && e.bits == bits) return e.type;
  throw IoError("unsupported TIFF pixel type (" + std::to_string(bits) + "-bit, sample format " +
                std::to_string(format) + "; supported: 8/16/32/64-bit integers, 32/64-bit floats)");
}

/// A tile or strip buffer's size comes from the header: a tiny file may declare 4 GB tiles.
void check_buffer(const char* what, tmsize_t bytes, const ReadLimits& limits) {
  if (static_cast<std::size_t>(bytes) > limits.max_bytes)
    throw IoError(std::string("TIFF ") + what + " of " + std::to_string(bytes) +
                  " bytes is over the limit of " + std::to_string(limits.max_bytes));
}

/// The bytes the current page's strips (or tiles) occupy in the file, after checking that each
/// lies inside the file: libtiff allocates the byte count a strip declares.
std::size_t stored_bytes(TIFF* tif, std::size_t file_size) {
  const bool tiled = TIFFIsTiled(tif) != 0;
  const uint32_t count = tiled ? TIFFNumberOfTiles(tif) : TIFFNumberOfStrips(tif);
  uint64_t* offsets = nullptr;
  uint64_t* sizes = nullptr;
  if (!TIFFGetField(tif, tiled ? TIFFTAG_TILEOFFSETS : TIFFTAG_STRIPOFFSETS, &offsets) ||
      !TIFFGetField(tif, tiled ? TIFFTAG_TILEBYTECOUNTS : TIFFTAG_STRIPBYTECOUNTS, &sizes) ||
      !offsets || !sizes)
    throw_tiff_error(tiled ? "reading the tile offsets" : "reading the strip offsets");
  std::size_t total = 0;
  for (uint32_t i = 0; i < count; ++i) {
    if (offsets[i] > file_size || sizes[i] > file_size - offsets[i])
      throw IoError(std::string("TIFF ") + (tiled ? "tile " : "strip ") + std::to_string(i) +
                    " declares " + std::to_string(sizes[i]) + " bytes at offset " +
                    std::to_string(offsets[i]) + ", more than its " + std::to_string(file_size) +
                    "-byte file holds: corrupt or truncated");
    total += static_cast<std::size_t>(sizes[i]);
  }
  return total;
}

/// Refuses a page that declares more pixel data than its compression can expand its stored
/// strips or tiles into (uncompressed 1:1, PackBits 64:1, deflate 1032:1, LZW < 4096:1), before
/// allocating for it. Other compressions (JPEG, ZSTD, LZMA, ...) have no useful bound; the read
/// limits apply.
void check_expansion(TIFF* tif, std::size_t page_bytes, std::size_t stored) {
  uint16_t compression = COMPRESSION_NONE;
  TIFFGetFieldDefaulted(tif, TIFFTAG_COMPRESSION, &compression);
  std::size_t ratio = 0;
  switch (compression) {
    case COMPRESSION_NONE:
      ratio = 1;
      break;
    case COMPRESSION_PACKBITS:
      ratio = 64;
      break;
    case COMPRESSION_DEFLATE:
    case COMPRESSION_ADOBE_DEFLATE:
      ratio = 1032;
      break;
    case COMPRESSION_LZW:
      ratio = 4096;
      break;
    default:
      return;
  }
  if (page_bytes / ratio > stored)
    throw IoError("TIFF page declares " + std::to_string(page_bytes) +
                  " bytes of pixels, more than its " + std::to_string(stored) +
                  " stored bytes can hold with compression " + std::to_string(compression) +
                  ": corrupt or truncated");
}

/// Reads the current page into `out` (width * height pixels of `pixel` bytes, C order).
void read_page(TIFF* tif, uint32_t width, uint32_t height, std::size_t pixel, unsigned char* out,
               const ReadLimits& limits) {
  const std::size_t row_bytes = width * pixel;
  if (TIFFIsTiled(tif)) {
    uint32_t tw = 0, th = 0;
    TIFFGetField(tif, TIFFTAG_TILEWIDTH, &tw);
    TIFFGetField(tif, TIFFTAG_TILELENGTH, &th);
    const tmsize_t tile_size = TIFFTileSize(tif);
    if (tw == 0 || th == 0 || tile_size <= 0 ||
        static_cast<std::size_t>(tile_size) < std::size_t{tw} * th * pixel)
      throw_tiff_error("reading the tile layout");
    check_buffer("tile", tile_size, limits);
    std::vector<unsigned char> tile(static_cast<std::size_t>(tile_size));
    for (uint32_t y = 0; y < height; y += th)
      for (uint32_t x = 0; x < width; x += tw) {
        if (TIFFReadTile(tif, tile.data(), x, y, 0, 0) < 0) throw_tiff_error("reading a tile");
        const std::size_t w = std::min(tw, width - x) * pixel;
        for (uint32_t r = 0; r < th && y + r < height; ++r)
          std::memcpy(out + (y + r) * row_bytes + x * pixel, &tile[r * tw * pixel], w);
      }
    return;
  }
  uint32_t rows_per_strip = 0;
  TIFFGetFieldDefaulted(tif, TIFFTAG_ROWSPERSTRIP, &rows_per_strip);
  rows_per_strip = std::min(std::max<uint32_t>(rows_per_strip, 1), height);
  const tmsize_t strip_size = TIFFStripSize(tif);
  if (strip_size <= 0 || static_cast<std::size_t>(strip_size) < rows_per_strip * row_bytes)
    throw_tiff_error("reading the strip layout");
  check_buffer("strip", strip_size, limits);
  std::vector<unsigned char> strip(static_cast<std::size_t>(strip_size));
  for (uint32_t y = 0; y < height; y += rows_per_strip) {
    const uint32_t rows = std::min(rows_per_strip, height - y);
    const tmsize_t got = TIFFReadEncodedStrip(tif, TIFFComputeStrip(tif, y, 0), strip.data(),
                                              static_cast<tmsize_t>(rows * row_bytes));
    if (got < 0 || static_cast<std::size_t>(got) < rows * row_bytes)
      throw_tiff_error("reading a strip");
    std::memcpy(out + y * row_bytes, strip.data(), rows * row_bytes);
  }
}

}  // namespace

Image decode_tiff(const unsigned char* data, std::size_t size, const ReadLimits& limits) {
  install_handlers();
  last_tiff_error.clear();
  MemoryStream stream{data, size};
  // "m": no memory mapping (the client procedures are the only access).
  TiffPtr tif(TIFFClientOpen("tiff", "rm", &stream, read_proc, write_proc, seek_proc, close_proc,
                             size_proc, nullptr, nullptr),
              TIFFClose);
  if (!tif) throw_tiff_error("opening");

  // First every page's header, against the file and the limits; then one allocation for the
  // whole stack, and the pixels.
  Image image;
  uint32_t width = 0, height = 0;
  std::size_t page_bytes = 0, stored_total = 0;
  std::vector<tdir_t> pages;  // the directories that are stack pages (not thumbnails)
  for (tdir_t directory = 0;; ++directory) {
    uint32_t subfile_type = 0;
    TIFFGetField(tif.get(), TIFFTAG_SUBFILETYPE, &subfile_type);
    if (!(subfile_type & FILETYPE_REDUCEDIMAGE)) {  // thumbnails are not stack pages
      uint32_t w = 0, h = 0;
      if (!TIFFGetField(tif.get(), TIFFTAG_IMAGEWIDTH, &w) ||
          !TIFFGetField(tif.get(), TIFFTAG_IMAGELENGTH, &h))
        throw_tiff_error("reading the image size");
      const PixelType type = page_type(tif.get());
      if (pages.empty()) {
        width = w;
        height = h;
        image.type = type;
        page_bytes = checked_image_bytes(Shape{h, w}, type, limits);
      } else if (w != width || h != height || type != image.type) {
        throw IoError("TIFF page " + std::to_string(pages.size() + 1) + " is " + std::to_string(h) +
                      "x" + std::to_string(w) + " " + name(type) + ", page 1 is " +
                      std::to_string(height) + "x" + std::to_string(width) + " " +
                      name(image.type) + "; a stack needs pages of one size and type");
      }
      const std::size_t stored = stored_bytes(tif.get(), size);
      check_expansion(tif.get(), page_bytes, stored);
      // Pages that share their strips would let a small file declare any number of pages.
      stored_total += stored;
      if (stored_total > size)
        throw IoError("TIFF pages 1 to " + std::to_string(pages.size() + 1) + " declare " +
                      std::to_string(stored_total) + " bytes of strips or tiles, more than the " +
                      std::to_string(size) + "-byte file holds: corrupt");
      pages.push_back(directory);
      checked_image_bytes(Shape{pages.size(), height, width}, image.type, limits);
    }
    last_tiff_error.clear();
    if (!TIFFReadDirectory(tif.get())) {
      if (!last_tiff_error.empty()) throw_tiff_error("reading the next page's directory");
      break;
    }
  }
  if (pages.empty()) throw IoError("TIFF has only reduced-resolution (thumbnail) pages");
  image.shape = pages.size() == 1 ? Shape{height, width} : Shape{pages.size(), height, width};
  image.bytes.resize(pages.size() * page_bytes);
  for (std::size_t p = 0; p < pages.size(); ++p) {
    if (!TIFFSetDirectory(tif.get(), pages[p])) throw_tiff_error("returning to a page");
    read_page(tif.get(), width, height, size_of(image.type), image.bytes.data() + p * page_bytes,
              limits);
  }
  return image;
}

void write_tiff(const Image& image, const std::string& path) {
  install_handlers();
  last_tiff_error.clear();
  if (image.shape.rank() < 2) throw IoError("TIFF holds 2-D images and 3-D stacks, not 1-D");
  const std::size_t pages = image.shape.rank() == 3 ? image.shape[0] : 1;
  const std::size_t height = image.shape[image.shape.rank() - 2];
  const std::size_t width = image.shape[image.shape.rank() - 1];
  if (width > UINT32_MAX || height > UINT32_MAX || pages > UINT16_MAX)
    throw IoError("image of shape " + to_string(image.shape) + " is too large for TIFF");
  // Classic TIFF addresses 4 GiB; leave room for the directories.
  const char* mode = image.bytes.size() > (std::size_t{1} << 31) ? "w8" : "w";
  TiffPtr tif(TIFFOpen(path.c_str(), mode), TIFFClose);
  if (!tif) throw_tiff_error("creating");
  const std::size_t pixel = size_of(image.type);
  const uint16_t format = is_integer(image.type)
                              ? (lowest(image.type) < 0 ? SAMPLEFORMAT_INT : SAMPLEFORMAT_UINT)
                              : SAMPLEFORMAT_IEEEFP;
  for (std::size_t p = 0; p < pages; ++p) {
    TIFF* t = tif.get();
    TIFFSetField(t, TIFFTAG_IMAGEWIDTH, static_cast<uint32_t>(width));
    TIFFSetField(t, TIFFTAG_IMAGELENGTH, static_cast<uint32_t>(height));
    TIFFSetField(t, TIFFTAG_SAMPLESPERPIXEL, 1);
    TIFFSetField(t, TIFFTAG_BITSPERSAMPLE, static_cast<int>(8 * pixel));
    TIFFSetField(t, TIFFTAG_SAMPLEFORMAT, format);
    TIFFSetField(t, TIFFTAG_PHOTOMETRIC, PHOTOMETRIC_MINISBLACK);
    TIFFSetField(t, TIFFTAG_PLANARCONFIG, PLANARCONFIG_CONTIG);
    TIFFSetField(t, TIFFTAG_COMPRESSION, COMPRESSION_NONE);
    TIFFSetField(t, TIFFTAG_ROWSPERSTRIP, TIFFDefaultStripSize(t, 0));
    if (pages > 1) {
      TIFFSetField(t, TIFFTAG_SUBFILETYPE, FILETYPE_PAGE);
      TIFFSetField(t, TIFFTAG_PAGENUMBER, static_cast<uint16_t>(p), static_cast<uint16_t>(pages));
    }
    TIFFSetField(t, TIFFTAG_SOFTWARE, "fftconv");
    for (std::size_t y = 0; y < height; ++y) {
      auto* row = const_cast<unsigned char*>(&image.bytes[(p * height + y) * width * pixel]);
      if (TIFFWriteScanline(t, row, static_cast<uint32_t>(y), 0) < 0) throw_tiff_error("writing");
    }
    if (!TIFFWriteDirectory(t)) throw_tiff_error("writing a page directory");
  }
  TIFFClose(tif.release());
  if (!last_tiff_error.empty()) throw_tiff_error("closing");
}

}  // namespace fftconv::io
