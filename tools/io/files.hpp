#pragma once
// Reading and writing image files by extension. Every error is an IoError whose message starts
// with the file name. A written file appears complete or not at all: it is written to a
// temporary in the same directory and renamed over the target.
#include <sys/types.h>

#include <cstddef>
#include <memory>
#include <string>

#include "image.hpp"
#include "rows.hpp"

namespace fftconv::io {

enum class Format { npy, fits, tiff, png };

/// The format for a path's extension (.npy, .fits/.fit/.fts, .tif/.tiff, .png; any case);
/// throws IoError for anything else.
Format format_of(const std::string& path);
const char* name(Format format);
/// Whether `format` can store pixels of `type` (PNG: uint8 and uint16 only; complex types: npy
/// only).
bool can_store(Format format, PixelType type);
/// Makes sure `format` can be read and written: in the fftconv program, FITS and TIFF support
/// are modules loaded on first use (codec.hpp), and a missing one is an IoError saying so.
/// Called for each output before the work, so that it fails at once rather than after it.
void require_support(Format format);

/// Decodes a file's bytes in `format` (formats.hpp's decoder for it).
Image decode(Format format, const unsigned char* data, std::size_t size,
             const ReadLimits& limits = {});

/// Reads a regular file (anything else, a FIFO included, is refused without blocking on it).
Image read_image(const std::string& path, const ReadLimits& limits = {});

/// The rows of the image file at `path`, for reading it a band at a time (rows.hpp): its header
/// read, its pixels not; the reader holds the file open and its errors name the file. nullptr
/// for a format that does not stream (TIFF, PNG). A file that does not stream or whose header
/// is refused has its reason in header().rows_refused (read_image then gives the error).
std::unique_ptr<RowReader> open_image_rows(const std::string& path);

/// A writer of rows in place into `file`, the temporary of an OutputFile to `path`
/// (writes_rows(path) must hold; OutputFile::temporary_path() names it to other processes)
/// whose start_rows had this same `header`: each write puts exactly its rows' bytes, so several
/// processes may write different rows at once (fftconv-mpi). Errors name `path`; the writer
/// closes the file.
std::unique_ptr<RowWriter> resume_image_rows(const std::string& path, const std::string& file,
                                             const ImageHeader& header);

/// Whether an output to `path` can be written row by row (OutputFile::start_rows): .npy and
/// FITS files, except gzip-compressed ones.
bool writes_rows(const std::string& path);

/// The file `path` names when written to: absolute and normalized, with every symlink followed,
/// a dangling one too (its target is the file written). Throws IoError on a symlink loop.
std::string write_target(const std::string& path);

/// A key equal for every spelling of one file (relative or absolute, ./ and .., symlinks, hard
/// links): its device and inode when it exists, else its write_target.
std::string file_identity(const std::string& path);

/// A file being written: the temporary exists from construction (so an unwritable directory is
/// found before any work), write() renames it over the target, and the destructor removes it
/// if write() never finished. While any are alive (up to 16 at once), SIGINT/SIGTERM/SIGHUP
/// remove all their temporaries too, then go to what handled them before (the default action
/// ends the process; a handler the host program installed runs); a signal the process ignores
/// stays ignored and removes nothing. write() writes through the temporary's descriptor and
/// refuses to rename one that was removed (by such a signal) or replaced meanwhile.
///
/// The target is write_target(path): a symlink, dangling or not, is written through and stays a
/// link. An existing target keeps its permission bits and group (the group where the process may
/// set it); a new file gets 0666 minus the umask. A target that exists but is not a regular
/// file (a directory, a FIFO, a device) is refused.
class OutputFile {
 public:
  explicit OutputFile(std::string path);
  OutputFile(const OutputFile&) = delete;
  OutputFile& operator=(const OutputFile&) = delete;
  ~OutputFile();

  /// Writes `image` in the target's format to the temporary, then renames it into place. Complex
  /// pixels into a format other than npy are refused before anything is written.
  void write(const Image& image);

  /// Instead of write(): starts writing an image of `header` row by row (writes_rows(path())
  /// must hold): the temporary is created at its final size; the writer's errors name the file.
  /// finish_rows() completes it and renames it into place once every row is written.
  RowWriter& start_rows(const ImageHeader& header);
  void finish_rows();

  const std::string& path() const { return path_; }
  /// The temporary written until it is renamed over the target.
  const std::string& temporary_path() const { return temporary_; }

 private:
  /// Gives the written temporary the target's mode and group, closes it and renames it over
  /// the target.
  void commit();

  std::string path_, target_, temporary_;  // target_: write_target(path_)
  int slot_ = -1;                          // in the list of temporaries a signal removes
  int fd_ = -1;                            // the temporary, open until write() finishes
  bool replaces_ = false;                  // the target exists: its mode and group are kept
  mode_t mode_ = 0;
  gid_t group_ = 0;
  bool committed_ = false;
  std::unique_ptr<RowWriter> rows_;  // start_rows's writer, until finish_rows
};

/// Writes `image` to `path` (an OutputFile for one image).
void write_image(const std::string& path, const Image& image);

}  // namespace fftconv::io
