#pragma once
// The seam between the file layer and the formats built on libraries with long dependency
// chains (FITS: cfitsio, which brings libcurl and some forty libraries; TIFF: libtiff and its
// codecs). Loading those costs the fftconv program more start-up time than a small job's
// computation, so the program loads each as a module on first use (tools/cli/codec_modules.cpp);
// the tests, fuzzers and benchmarks link them (codecs_linked.cpp). files.cpp reaches both
// formats only through codec(): which of the two definitions it gets is decided at link time.
#include <cstddef>
#include <memory>
#include <string>

#include "fftconv/version.hpp"
#include "image.hpp"
#include "rows.hpp"

namespace fftconv::io {

/// One format's decoder and writer (see formats.hpp for what each does).
struct Codec {
  /// Bytes in memory to an image; `selector` is FITS's HDU ("" for the first image HDU;
  /// other formats take "").
  Image (*decode)(const unsigned char* data, std::size_t size, const ReadLimits& limits,
                  const std::string& selector);
  /// The image to the open, empty file `fd`; `gzip`: gzip-compressed (FITS only).
  void (*write)(const Image& image, int fd, bool gzip);
  /// Streaming (rows.hpp): the rows of the image file open as `fd` (`selector` as decode's),
  /// its header read, not its pixels; the caller keeps `fd` open while the reader lives.
  /// nullptr in a codec whose format does not stream (TIFF).
  std::unique_ptr<RowReader> (*open_rows)(int fd, const ReadLimits& limits,
                                          const std::string& selector);
  /// Streaming: a writer of `header`'s image into the open, empty file `fd` (as `write` with
  /// gzip false); nullptr where the format does not stream.
  std::unique_ptr<RowWriter> (*create_rows)(const ImageHeader& header, int fd);
  /// Streaming from several processes: a writer into the file `fd` that create_rows made (in
  /// this process or another) for this same `header`, writing each row's bytes in place and
  /// nothing else, so processes may write different rows of one file at once; nullptr where the
  /// format does not stream.
  std::unique_ptr<RowWriter> (*resume_rows)(const ImageHeader& header, int fd);
};

/// The codecs of the formats above (defined by fits.cpp and tiff.cpp).
const Codec& fits_codec();
const Codec& tiff_codec();

/// FITS's or TIFF's codec for files.cpp (another format is a logic error). Throws IoError
/// when a module cannot be loaded, naming the module and why.
enum class Format;
const Codec& codec(Format format);

/// The symbol a codec module exports: its Codec (extern "C": found with dlsym by name). It
/// carries the version, as the Codec and Image layouts may change between releases: a module
/// left from another version is refused as not found rather than called.
#define FFTCONV_CODEC_ENTRY_NAME(major, minor, patch) fftconv_io_codec_##major##_##minor##_##patch
#define FFTCONV_CODEC_ENTRY_OF(major, minor, patch) FFTCONV_CODEC_ENTRY_NAME(major, minor, patch)
#define FFTCONV_CODEC_ENTRY \
  FFTCONV_CODEC_ENTRY_OF(FFTCONV_VERSION_MAJOR, FFTCONV_VERSION_MINOR, FFTCONV_VERSION_PATCH)
#define FFTCONV_STRING(x) #x
#define FFTCONV_STRING_OF(x) FFTCONV_STRING(x)

}  // namespace fftconv::io
