// TIFF through libtiff, read from memory (TIFFClientOpen) so a file and a fuzzer's bytes take
// the same path.
#include <tiffio.h>
#include <unistd.h>

#include <algorithm>
#include <cstdarg>
#include <cstdint>
#include <cstdio>
#include <cstring>
#include <limits>
#include <memory>
#include <string>
#include <vector>

#include "codec.hpp"
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

/// How the current page stores its pixels.
struct PageFormat {
  PixelType type;
  std::size_t samples = 1;  ///< 1 (greyscale), 3 (RGB) or 4 (RGBA)
  bool separate = false;    ///< PlanarConfig separate: one strip/tile set per sample
  bool alpha = false;       ///< the 4th sample is alpha

  bool operator!=(const PageFormat& o) const {
    return type != o.type || samples != o.samples || separate != o.separate || alpha != o.alpha;
  }
};

/// The current page's format, or an IoError saying why it is not greyscale or RGB(A) data.
PageFormat page_format(TIFF* tif) {
  uint16_t samples = 1, bits = 1, format = SAMPLEFORMAT_UINT, photometric = PHOTOMETRIC_MINISBLACK,
           planar = PLANARCONFIG_CONTIG;
  TIFFGetFieldDefaulted(tif, TIFFTAG_SAMPLESPERPIXEL, &samples);
  TIFFGetFieldDefaulted(tif, TIFFTAG_BITSPERSAMPLE, &bits);
  TIFFGetFieldDefaulted(tif, TIFFTAG_SAMPLEFORMAT, &format);
  TIFFGetFieldDefaulted(tif, TIFFTAG_PLANARCONFIG, &planar);
  TIFFGetField(tif, TIFFTAG_PHOTOMETRIC, &photometric);
  const bool rgb = photometric == PHOTOMETRIC_RGB && (samples == 3 || samples == 4);
  if (!rgb && samples != 1)
    throw IoError("TIFF page has " + std::to_string(samples) +
                  " samples per pixel; fftconv reads greyscale (1 sample) and RGB(A) (3 or 4)");
  if (!rgb && photometric != PHOTOMETRIC_MINISBLACK)
    throw IoError("TIFF photometric interpretation " + std::to_string(photometric) +
                  " is not supported (greyscale MinIsBlack or RGB)");
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
    if (e.format == format && e.bits == bits)
      return PageFormat{e.type, samples, samples > 1 && planar == PLANARCONFIG_SEPARATE,
                        samples == 4};
  throw IoError("unsupported TIFF pixel type (" + std::to_string(bits) + "-bit, sample format " +
                std::to_string(format) + "; supported: 8/16/32/64-bit integers, 32/64-bit floats)");
}

/// An ImageJ hyperstack's channels, slices and frames from its ImageDescription
/// ("ImageJ=1.53t\nimages=24\nchannels=2\nslices=4\nframes=3\nhyperstack=true\n..."); all 1
/// when the page has no ImageJ description.
struct Hyperstack {
  std::size_t channels = 1, slices = 1, frames = 1;
};

Hyperstack imagej_layout(TIFF* tif) {
  Hyperstack h;
  const char* description = nullptr;
  if (!TIFFGetField(tif, TIFFTAG_IMAGEDESCRIPTION, &description) || !description ||
      std::strncmp(description, "ImageJ=", 7) != 0)
    return h;
  const std::string text(description);
  std::size_t start = 0;
  while (start < text.size()) {
    std::size_t end = text.find('\n', start);
    if (end == std::string::npos) end = text.size();
    const std::string line = text.substr(start, end - start);
    start = end + 1;
    const std::size_t eq = line.find('=');
    if (eq == std::string::npos) continue;
    const std::string key = line.substr(0, eq), value = line.substr(eq + 1);
    std::size_t* field = key == "channels" ? &h.channels
                         : key == "slices" ? &h.slices
                         : key == "frames" ? &h.frames
                                           : nullptr;
    if (!field) continue;
    const bool digits = !value.empty() && value.size() <= 9 &&
                        std::all_of(value.begin(), value.end(),
                                    [](unsigned char c) { return c >= '0' && c <= '9'; });
    if (!digits || std::stoul(value) == 0)
      throw IoError("TIFF ImageJ description has " + key + "='" + printable(value) +
                    "', not a positive count");
    *field = std::stoul(value);
  }
  return h;
}

/// A tile or strip buffer's size comes from the header: a tiny file may declare 4 GB tiles.
void check_buffer(const char* what, tmsize_t bytes, const ReadLimits& limits) {
  if (static_cast<std::size_t>(bytes) > limits.max_bytes)
    throw IoError(std::string("TIFF ") + what + " of " + std::to_string(bytes) + " bytes is " +
                  more_than(limits));
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

/// Reads the current page into `out` (width * height pixels of `pixel` bytes, C order): all
/// samples interleaved (`pixel` spans them), or with PlanarConfig separate sample `sample`.
void read_page(TIFF* tif, uint32_t width, uint32_t height, std::size_t pixel, uint16_t sample,
               unsigned char* out, const ReadLimits& limits) {
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
        if (TIFFReadTile(tif, tile.data(), x, y, 0, sample) < 0) throw_tiff_error("reading a tile");
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
    const tmsize_t got = TIFFReadEncodedStrip(tif, TIFFComputeStrip(tif, y, sample), strip.data(),
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
  PageFormat format{PixelType::u8};
  Hyperstack hyperstack;
  std::size_t page_bytes = 0, stored_total = 0;  // page_bytes: all samples
  std::vector<tdir_t> pages;                     // the directories that are stack pages
  for (tdir_t directory = 0;; ++directory) {
    uint32_t subfile_type = 0;
    TIFFGetField(tif.get(), TIFFTAG_SUBFILETYPE, &subfile_type);
    if (!(subfile_type & FILETYPE_REDUCEDIMAGE)) {  // thumbnails are not stack pages
      uint32_t w = 0, h = 0;
      if (!TIFFGetField(tif.get(), TIFFTAG_IMAGEWIDTH, &w) ||
          !TIFFGetField(tif.get(), TIFFTAG_IMAGELENGTH, &h))
        throw_tiff_error("reading the image size");
      const PageFormat f = page_format(tif.get());
      if (pages.empty()) {
        width = w;
        height = h;
        format = f;
        image.type = f.type;
        page_bytes = checked_image_bytes(Shape{f.samples, h, w}, f.type, limits);
        hyperstack = imagej_layout(tif.get());
      } else if (w != width || h != height || f != format) {
        const auto describe = [](uint32_t rows, uint32_t columns, const PageFormat& pf) {
          return std::to_string(rows) + "x" + std::to_string(columns) + " " + name(pf.type) +
                 (pf.samples > 1 ? " (" + std::to_string(pf.samples) + " samples)" : "");
        };
        throw IoError("TIFF page " + std::to_string(pages.size() + 1) + " is " + describe(h, w, f) +
                      ", page 1 is " + describe(height, width, format) +
                      "; a stack needs pages of one size and type");
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
      checked_image_bytes(Shape{pages.size() * format.samples, height, width}, image.type, limits);
    }
    last_tiff_error.clear();
    if (!TIFFReadDirectory(tif.get())) {
      if (!last_tiff_error.empty()) throw_tiff_error("reading the next page's directory");
      break;
    }
  }
  if (pages.empty()) throw IoError("TIFF has only reduced-resolution (thumbnail) pages");

  // The planes in Layout order (frame, channel, slice). An ImageJ hyperstack stores its pages
  // channel fastest, then slice, then frame; RGB pages are slices of 3 or 4 channels.
  Layout& layout = image.metadata.layout;
  std::size_t slices = pages.size();
  if (format.samples > 1) {
    if (hyperstack.channels > 1 || hyperstack.frames > 1)
      throw IoError(
          "TIFF is an RGB ImageJ hyperstack; fftconv reads RGB or greyscale "
          "hyperstacks, not both");
    layout.channels = format.samples;
    layout.rgb = true;
    layout.alpha = format.alpha;
  } else if (hyperstack.channels > 1 || hyperstack.frames > 1) {
    const std::size_t declared = hyperstack.channels * hyperstack.slices * hyperstack.frames;
    if (declared != pages.size())
      throw IoError(
          "TIFF ImageJ description declares channels=" + std::to_string(hyperstack.channels) +
          " slices=" + std::to_string(hyperstack.slices) +
          " frames=" + std::to_string(hyperstack.frames) + " (" + std::to_string(declared) +
          " images) but the file has " + std::to_string(pages.size()) + " pages");
    layout.channels = hyperstack.channels;
    layout.frames = hyperstack.frames;
    slices = hyperstack.slices;
  }
  const std::size_t planes = layout.frames * layout.channels * slices;
  const std::size_t plane_bytes = page_bytes / format.samples;
  image.shape = planes == 1 ? Shape{height, width} : Shape{planes, height, width};
  allocate_pixels(image, planes * plane_bytes, NewPixels::zero);
  const auto plane = [&](std::size_t frame, std::size_t channel, std::size_t slice) {
    return image.bytes.data() +
           ((frame * layout.channels + channel) * slices + slice) * plane_bytes;
  };
  const std::size_t pixel = size_of(image.type);
  std::vector<unsigned char> interleaved(format.samples > 1 && !format.separate ? page_bytes : 0);
  for (std::size_t p = 0; p < pages.size(); ++p) {
    if (!TIFFSetDirectory(tif.get(), pages[p])) throw_tiff_error("returning to a page");
    if (format.samples == 1) {
      const std::size_t c = p % layout.channels, z = (p / layout.channels) % slices,
                        t = p / (layout.channels * slices);
      read_page(tif.get(), width, height, pixel, 0, plane(t, c, z), limits);
    } else if (format.separate) {
      for (std::size_t c = 0; c < format.samples; ++c)
        read_page(tif.get(), width, height, pixel, static_cast<uint16_t>(c), plane(0, c, p),
                  limits);
    } else {
      read_page(tif.get(), width, height, pixel * format.samples, 0, interleaved.data(), limits);
      for (std::size_t c = 0; c < format.samples; ++c) {
        unsigned char* out = plane(0, c, p);
        for (std::size_t i = 0; i < std::size_t{width} * height; ++i)
          std::memcpy(out + i * pixel, &interleaved[(i * format.samples + c) * pixel], pixel);
      }
    }
  }
  return image;
}

void write_tiff(const Image& image, int fd) {
  install_handlers();
  last_tiff_error.clear();
  if (image.shape.rank() < 2) throw IoError("TIFF holds 2-D images and 3-D stacks, not 1-D");
  const std::size_t planes = image.shape.rank() == 3 ? image.shape[0] : 1;
  const std::size_t height = image.shape[image.shape.rank() - 2];
  const std::size_t width = image.shape[image.shape.rank() - 1];
  const Layout& layout = image.metadata.layout;
  const std::size_t volumes = layout.channels * layout.frames;
  if (volumes == 0 || planes % volumes != 0)
    throw IoError("image of " + std::to_string(planes) + " planes does not split into " +
                  std::to_string(layout.frames) + " frames of " + std::to_string(layout.channels) +
                  " channels");
  const std::size_t slices = planes / volumes;
  const std::size_t samples = layout.rgb ? layout.channels : 1;
  const std::size_t pages = planes / samples;
  if (width > UINT32_MAX || height > UINT32_MAX || pages > UINT16_MAX || samples > 4)
    throw IoError("image of shape " + to_string(image.shape) + " is too large for TIFF");
  // Classic TIFF addresses 4 GiB; leave room for the directories.
  const char* mode = image.bytes.size() > (std::size_t{1} << 31) ? "w8" : "w";
  const int copy = duplicate_descriptor(fd);  // (TIFFClose closes it)
  TiffPtr tif(TIFFFdOpen(copy, "output", mode), TIFFClose);
  if (!tif) {
    ::close(copy);
    throw_tiff_error("creating");
  }
  const std::size_t pixel = size_of(image.type);
  const uint16_t format = is_integer(image.type)
                              ? (lowest(image.type) < 0 ? SAMPLEFORMAT_INT : SAMPLEFORMAT_UINT)
                              : SAMPLEFORMAT_IEEEFP;
  // The first byte of a plane (frame, channel, slice), as decode_tiff lays them out.
  const auto plane = [&](std::size_t frame, std::size_t channel, std::size_t slice) {
    return &image.bytes[((frame * layout.channels + channel) * slices + slice) * height * width *
                        pixel];
  };
  // ImageJ reads a greyscale hyperstack from this description, its pages channel fastest.
  std::string imagej;
  if (!layout.rgb && layout.split())
    imagej = "ImageJ=1.11a\nimages=" + std::to_string(pages) +
             "\nchannels=" + std::to_string(layout.channels) +
             "\nslices=" + std::to_string(slices) + "\nframes=" + std::to_string(layout.frames) +
             "\nhyperstack=true\nmode=grayscale\n";
  std::vector<unsigned char> row(width * pixel * samples);
  for (std::size_t p = 0; p < pages; ++p) {
    TIFF* t = tif.get();
    TIFFSetField(t, TIFFTAG_IMAGEWIDTH, static_cast<uint32_t>(width));
    TIFFSetField(t, TIFFTAG_IMAGELENGTH, static_cast<uint32_t>(height));
    TIFFSetField(t, TIFFTAG_SAMPLESPERPIXEL, static_cast<int>(samples));
    TIFFSetField(t, TIFFTAG_BITSPERSAMPLE, static_cast<int>(8 * pixel));
    TIFFSetField(t, TIFFTAG_SAMPLEFORMAT, format);
    TIFFSetField(t, TIFFTAG_PHOTOMETRIC, layout.rgb ? PHOTOMETRIC_RGB : PHOTOMETRIC_MINISBLACK);
    if (layout.rgb && layout.alpha) {
      const uint16_t extra[1] = {EXTRASAMPLE_UNASSALPHA};
      TIFFSetField(t, TIFFTAG_EXTRASAMPLES, 1, extra);
    }
    TIFFSetField(t, TIFFTAG_PLANARCONFIG, PLANARCONFIG_CONTIG);
    TIFFSetField(t, TIFFTAG_COMPRESSION, COMPRESSION_NONE);
    TIFFSetField(t, TIFFTAG_ROWSPERSTRIP, TIFFDefaultStripSize(t, 0));
    if (pages > 1) {
      TIFFSetField(t, TIFFTAG_SUBFILETYPE, FILETYPE_PAGE);
      TIFFSetField(t, TIFFTAG_PAGENUMBER, static_cast<uint16_t>(p), static_cast<uint16_t>(pages));
    }
    if (p == 0 && !imagej.empty()) TIFFSetField(t, TIFFTAG_IMAGEDESCRIPTION, imagej.c_str());
    TIFFSetField(t, TIFFTAG_SOFTWARE, "fftconv");
    for (std::size_t y = 0; y < height; ++y) {
      if (layout.rgb) {  // page p is slice p, its channels interleaved
        for (std::size_t c = 0; c < samples; ++c) {
          const unsigned char* in = plane(0, c, p) + y * width * pixel;
          for (std::size_t x = 0; x < width; ++x)
            std::memcpy(&row[(x * samples + c) * pixel], in + x * pixel, pixel);
        }
      } else {  // page p is channel p % C, slice p / C % Z, frame p / (C Z)
        const std::size_t c = p % layout.channels, z = p / layout.channels % slices,
                          f = p / (layout.channels * slices);
        std::memcpy(row.data(), plane(f, c, z) + y * width * pixel, width * pixel);
      }
      if (TIFFWriteScanline(t, row.data(), static_cast<uint32_t>(y), 0) < 0)
        throw_tiff_error("writing");
    }
    if (!TIFFWriteDirectory(t)) throw_tiff_error("writing a page directory");
  }
  TIFFClose(tif.release());
  if (!last_tiff_error.empty()) throw_tiff_error("closing");
}

const Codec& tiff_codec() {
  static const Codec codec{[](const unsigned char* data, std::size_t size, const ReadLimits& limits,
                              const std::string&) { return decode_tiff(data, size, limits); },
                           [](const Image& image, int fd, bool) { write_tiff(image, fd); }, nullptr,
                           nullptr, nullptr};  // (TIFF does not stream)
  return codec;
}

}  // namespace fftconv::io
