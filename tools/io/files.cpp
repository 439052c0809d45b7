#include "files.hpp"

#include <fcntl.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cctype>
#include <cerrno>
#include <csignal>
#include <cstdlib>
#include <cstring>
#include <string>
#include <utility>

#include "fits_names.hpp"
#include "formats.hpp"

namespace fftconv::io {

namespace {

std::string lower_extension(const std::string& path) {
  const std::size_t slash = path.find_last_of('/');
  const std::size_t dot = path.find_last_of('.');
  if (dot == std::string::npos || (slash != std::string::npos && dot < slash) ||
      dot == (slash == std::string::npos ? 0 : slash + 1))
    return "";
  std::string ext = path.substr(dot);
  std::transform(ext.begin(), ext.end(), ext.begin(),
                 [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  return ext;
}

[[noreturn]] void fail(const std::string& path, const std::string& what) {
  throw IoError(path + ": " + what);
}

/// A read-only memory map of a whole file.
class MappedFile {
 public:
  explicit MappedFile(const std::string& path) {
    const int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
    if (fd < 0) fail(path, std::strerror(errno));
    struct stat st {};
    if (::fstat(fd, &st) != 0 || !S_ISREG(st.st_mode)) {
      ::close(fd);
      fail(path, "not a regular file");
    }
    size_ = static_cast<std::size_t>(st.st_size);
    if (size_ == 0) {
      ::close(fd);
      fail(path, "empty file");
    }
    void* p = ::mmap(nullptr, size_, PROT_READ, MAP_PRIVATE, fd, 0);
    const int map_errno = errno;
    if (p == MAP_FAILED) {
      ::close(fd);
      fail(path, std::string("cannot map: ") + std::strerror(map_errno));
    }
    data_ = static_cast<const unsigned char*>(p);
    fd_ = fd;
  }
  MappedFile(const MappedFile&) = delete;
  MappedFile& operator=(const MappedFile&) = delete;
  ~MappedFile() {
    ::munmap(const_cast<unsigned char*>(data_), size_);
    ::close(fd_);
  }
  const unsigned char* data() const { return data_; }
  std::size_t size() const { return size_; }
  /// The open file (kept for readers that copy large pixel data with pread: cheaper than
  /// through the mapping's page faults).
  int fd() const { return fd_; }

 private:
  const unsigned char* data_ = nullptr;
  std::size_t size_ = 0;
  int fd_ = -1;
};

// The temporary a signal must remove: a fixed buffer, since a handler may only call
// async-signal-safe functions (unlink, signal, raise) and read plain data.
char pending_temporary[4096];
volatile std::sig_atomic_t have_pending_temporary = 0;

extern "C" void remove_temporary_and_reraise(int sig) {
  if (have_pending_temporary) ::unlink(pending_temporary);
  std::signal(sig, SIG_DFL);
  std::raise(sig);
}

/// Installs the handler for the signals that end a run, except ones the caller ignores (nohup,
/// background jobs): those stay ignored.
void install_signal_cleanup() {
  static const bool installed = [] {
    for (int sig : {SIGINT, SIGTERM, SIGHUP}) {
      struct sigaction current {};
      if (::sigaction(sig, nullptr, &current) != 0 || current.sa_handler == SIG_IGN) continue;
      struct sigaction action {};
      action.sa_handler = remove_temporary_and_reraise;
      sigemptyset(&action.sa_mask);
      ::sigaction(sig, &action, nullptr);
    }
    return true;
  }();
  (void)installed;
}

/// The permissions a newly created file gets (0666 minus the umask); mkstemp uses 0600.
mode_t default_file_mode() {
  static const mode_t mode = [] {
    const mode_t mask = ::umask(0);
    ::umask(mask);
    return static_cast<mode_t>(0666 & ~mask);
  }();
  return mode;
}

}  // namespace

Format format_of(const std::string& path) {
  const std::string ext = lower_extension(path);
  if (ext == ".npy") return Format::npy;
  if (is_fits_name(path)) return Format::fits;  // (also .fits.gz)
  if (ext == ".tif" || ext == ".tiff") return Format::tiff;
  if (ext == ".png") return Format::png;
  fail(path, (ext.empty() ? std::string("no file extension") : "unknown extension '" + ext + "'") +
                 " (fftconv reads and writes .npy, .fits/.fit/.fts, .tif/.tiff and .png)");
}

const char* name(Format format) {
  switch (format) {
    case Format::npy:
      return "npy";
    case Format::fits:
      return "FITS";
    case Format::tiff:
      return "TIFF";
    case Format::png:
      break;
  }
  return "PNG";
}

bool can_store(Format format, PixelType type) {
  return format != Format::png || type == PixelType::u8 || type == PixelType::u16;
}

Image decode(Format format, const unsigned char* data, std::size_t size, const ReadLimits& limits) {
  switch (format) {
    case Format::npy:
      return decode_npy(data, size, limits);
    case Format::fits:
      return decode_fits(data, size, limits);
    case Format::tiff:
      return decode_tiff(data, size, limits);
    case Format::png:
      break;
  }
  return decode_png(data, size, limits);
}

Image read_image(const std::string& path, const ReadLimits& limits) {
  const InputPath input = split_hdu_selector(path);  // "a.fits[SCI]": a.fits, HDU SCI
  const Format format = format_of(input.file);
  const MappedFile file(input.file);
  try {
    if (format == Format::npy) return read_npy(file.fd(), file.data(), file.size(), limits);
    if (format == Format::fits) return decode_fits(file.data(), file.size(), limits, input.hdu);
    return decode(format, file.data(), file.size(), limits);
  } catch (const IoError& e) {
    fail(path, e.what());
  } catch (const std::bad_alloc&) {
    fail(path, "out of memory while reading");
  }
}

OutputFile::OutputFile(std::string path) : path_(std::move(path)), target_(path_) {
  format_of(path_);  // an unknown extension fails before anything is created
  // An existing symlink is followed (its target gets the result), and an existing file keeps
  // its permissions; a new file gets 0666 minus the umask.
  struct stat st {};
  if (::lstat(path_.c_str(), &st) == 0 && S_ISLNK(st.st_mode)) {
    if (char* resolved = ::realpath(path_.c_str(), nullptr)) {
      target_ = resolved;
      std::free(resolved);
    }
  }
  const mode_t mode = ::stat(target_.c_str(), &st) == 0 && S_ISREG(st.st_mode)
                          ? static_cast<mode_t>(st.st_mode & 07777)
                          : default_file_mode();
  const std::size_t slash = target_.find_last_of('/');
  const std::string dir = slash == std::string::npos ? "" : target_.substr(0, slash + 1);
  const std::string base = slash == std::string::npos ? target_ : target_.substr(slash + 1);
  std::string pattern = dir + "." + base + ".fftconv-XXXXXX";
  if (pattern.size() >= sizeof pending_temporary) fail(path_, "path too long");
  const int fd = ::mkstemp(pattern.data());
  if (fd < 0) fail(path_, std::string("cannot create a file there: ") + std::strerror(errno));
  ::fchmod(fd, mode);
  ::close(fd);
  temporary_ = pattern;
  install_signal_cleanup();
  have_pending_temporary = 0;
  std::memcpy(pending_temporary, temporary_.c_str(), temporary_.size() + 1);
  have_pending_temporary = 1;
}

OutputFile::~OutputFile() {
  have_pending_temporary = 0;
  if (!committed_) ::unlink(temporary_.c_str());
}

void OutputFile::write(const Image& image) {
  try {
    switch (format_of(path_)) {
      case Format::npy:
        write_npy(image, temporary_);
        break;
      case Format::fits:
        write_fits(image, temporary_, is_gzip_fits_name(path_));
        break;
      case Format::tiff:
        write_tiff(image, temporary_);
        break;
      case Format::png:
        write_png(image, temporary_);
        break;
    }
  } catch (const IoError& e) {
    fail(path_, e.what());
  } catch (const std::bad_alloc&) {
    fail(path_, "out of memory while writing");
  }
  if (::rename(temporary_.c_str(), target_.c_str()) != 0)
    fail(path_, std::string("cannot rename the finished file into place: ") + std::strerror(errno));
  committed_ = true;
  have_pending_temporary = 0;
}

void write_image(const std::string& path, const Image& image) {
  OutputFile(path).write(image);
}

}  // namespace fftconv::io
