#pragma once
// Reading and writing image files by extension. Every error is an IoError whose message starts
// with the file name. A written file appears complete or not at all: it is written to a
// temporary in the same directory and renamed over the target.
#include <cstddef>
#include <string>

#include "image.hpp"

namespace fftconv::io {

enum class Format { npy, fits, tiff, png };

/// The format for a path's extension (.npy, .fits/.fit/.fts, .tif/.tiff, .png; any case);
/// throws IoError for anything else.
Format format_of(const std::string& path);
const char* name(Format format);
/// Whether `format` can store pixels of `type` (PNG: uint8 and uint16 only).
bool can_store(Format format, PixelType type);

/// Decodes a file's bytes in `format` (formats.hpp's decoder for it).
Image decode(Format format, const unsigned char* data, std::size_t size,
             const ReadLimits& limits = {});

Image read_image(const std::string& path, const ReadLimits& limits = {});

/// A file being written: the temporary exists from construction (so an unwritable directory is
/// found before any work), write() renames it over the target, and the destructor removes it
/// if write() never finished. While one is alive (one at a time), SIGINT/SIGTERM/SIGHUP remove
/// the temporary too (unless the process ignores them). An existing target keeps its
/// permissions; a symlink is followed.
class OutputFile {
 public:
  explicit OutputFile(std::string path);
  OutputFile(const OutputFile&) = delete;
  OutputFile& operator=(const OutputFile&) = delete;
  ~OutputFile();

  /// Writes `image` in the target's format to the temporary, then renames it into place.
  void write(const Image& image);

  const std::string& path() const { return path_; }

 private:
  std::string path_, target_, temporary_;  // target_: path_ with a symlink resolved
  bool committed_ = false;
};

/// Writes `image` to `path` (an OutputFile for one image).
void write_image(const std::string& path, const Image& image);

}  // namespace fftconv::io
