#include "files.hpp"

#include <fcntl.h>
#include <pthread.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <cctype>
#include <cerrno>
#include <csignal>
#include <cstring>
#include <filesystem>
#include <memory>
#include <random>
#include <stdexcept>
#include <string>
#include <utility>

#include "codec.hpp"
#include "fits_names.hpp"
#include "formats.hpp"
#include "printable.hpp"

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

/// What a file that is not a regular one is, for messages.
const char* file_kind(mode_t mode) {
  if (S_ISDIR(mode)) return "a directory";
  if (S_ISFIFO(mode)) return "a FIFO";
  if (S_ISCHR(mode)) return "a character device";
  if (S_ISBLK(mode)) return "a block device";
  if (S_ISSOCK(mode)) return "a socket";
  return "a special file";
}

/// Opens the regular file at `path` for reading (anything else is refused without blocking
/// on it: opening a FIFO waits for a writer otherwise, forever); its size in `size`.
int open_regular_file(const std::string& path, std::size_t& size) {
  const int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC | O_NONBLOCK);
  if (fd < 0) fail(path, std::strerror(errno));
  struct stat st {};
  if (::fstat(fd, &st) != 0) {
    const int stat_errno = errno;
    ::close(fd);
    fail(path, std::strerror(stat_errno));
  }
  if (!S_ISREG(st.st_mode)) {
    ::close(fd);
    fail(path, std::string("not a regular file (") + file_kind(st.st_mode) + ")");
  }
  ::fcntl(fd, F_SETFL, ::fcntl(fd, F_GETFL) & ~O_NONBLOCK);
  size = static_cast<std::size_t>(st.st_size);
  if (size == 0) {
    ::close(fd);
    fail(path, "empty file");
  }
  return fd;
}

/// A read-only memory map of a whole file.
class MappedFile {
 public:
  explicit MappedFile(const std::string& path) {
    const int fd = open_regular_file(path, size_);
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

// The temporaries a signal must remove, one slot per live OutputFile. A handler may only call
// async-signal-safe functions (unlink, sigaction, raise) and read plain data, hence fixed
// buffers: a slot's path is complete before its `pending` flag is set (the signal fence keeps
// the compiler from reordering the two), and the flag is cleared before the path changes.
constexpr int max_temporaries = 16;
char temporary_paths[max_temporaries][4096];
volatile std::sig_atomic_t temporary_pending[max_temporaries];
bool slot_taken[max_temporaries];  // (by an OutputFile; not read by the handler)

constexpr int ending_signals[] = {SIGINT, SIGTERM, SIGHUP};
constexpr int ending_signal_count = sizeof ending_signals / sizeof ending_signals[0];
// What each ending signal did before the handler replaced it (written while the handler is not
// installed for that signal, so never while it runs).
struct sigaction previous_actions[ending_signal_count];
// Whether the handler passed the signal on since it was installed: a handler that passes it
// back (one that saved ours as its previous) then gets the default action, not an endless
// round between the two.
volatile std::sig_atomic_t passed_on[ending_signal_count];

// A signal sent to the process may be handled on any thread, while others go on. So the
// handler first sets `process_ending` (no temporary is created after it: create_temporary checks it
// once counted in), then waits until no thread is between creating a temporary and listing
// it (they block the signals meanwhile), then removes what is listed. (Sequentially
// consistent: either a creating thread sees `process_ending`, or the handler sees it counted.)
std::atomic<bool> process_ending{false};
std::atomic<int> temporaries_being_created{0};
static_assert(std::atomic<int>::is_always_lock_free && std::atomic<bool>::is_always_lock_free,
              "used by a signal handler");

/// The ending signals, for blocking them.
sigset_t ending_signal_set() {
  sigset_t set;
  sigemptyset(&set);
  for (int sig : ending_signals)
    sigaddset(&set, sig);
  return set;
}

/// Removes the temporaries, then gives the signal to what handled it before: the default
/// action (the process ends as the signal says) or a handler the host program installed.
extern "C" void remove_temporaries_and_reraise(int sig) {
  process_ending.store(true);
  while (temporaries_being_created.load() != 0) {
  }  // (a thread that has signals blocked, inside open(): microseconds)
  for (int i = 0; i < max_temporaries; ++i)
    if (temporary_pending[i]) ::unlink(temporary_paths[i]);
  for (int i = 0; i < ending_signal_count; ++i) {
    if (ending_signals[i] != sig) continue;
    if (passed_on[i]) {
      std::signal(sig, SIG_DFL);
    } else {
      passed_on[i] = 1;
      ::sigaction(sig, &previous_actions[i], nullptr);
      // A handler of the host program's gets the signal: the process may go on, and then
      // create temporaries again. (The default action ends it: `process_ending` stays.)
      const struct sigaction& next = previous_actions[i];
      if ((next.sa_flags & SA_SIGINFO) || next.sa_handler != SIG_DFL) process_ending.store(false);
    }
  }
  std::raise(sig);  // (delivered once this handler returns)
}

/// In the child of a fork, no thread is creating a temporary (only the forking thread goes on)
/// and no signal is being handled.
extern "C" void reset_signal_state_in_child() {
  temporaries_being_created.store(0);
  process_ending.store(false);
}

/// Installs the handler for the signals that end a run, except ones the process ignores (nohup,
/// background jobs): those stay ignored. Called for every OutputFile, so that a handler some
/// other code installed meanwhile (a test framework's) does not leave a temporary behind; the
/// handler it replaces is kept and gets the signal after the temporaries are removed.
void install_signal_cleanup() {
  static const bool at_fork = ::pthread_atfork(nullptr, nullptr, reset_signal_state_in_child) == 0;
  (void)at_fork;
  for (int i = 0; i < ending_signal_count; ++i) {
    struct sigaction current {};
    if (::sigaction(ending_signals[i], nullptr, &current) != 0 ||
        (!(current.sa_flags & SA_SIGINFO) &&
         (current.sa_handler == SIG_IGN || current.sa_handler == remove_temporaries_and_reraise)))
      continue;
    struct sigaction action {};
    action.sa_handler = remove_temporaries_and_reraise;
    sigemptyset(&action.sa_mask);
    passed_on[i] = 0;
    ::sigaction(ending_signals[i], &action, &previous_actions[i]);
  }
}

/// Puts `path` in `slot` for the handler (empty: takes it out).
void set_pending(int slot, const std::string& path) {
  temporary_pending[slot] = 0;
  std::atomic_signal_fence(std::memory_order_seq_cst);
  if (path.empty()) return;
  std::memcpy(temporary_paths[slot], path.c_str(), path.size() + 1);
  std::atomic_signal_fence(std::memory_order_seq_cst);
  temporary_pending[slot] = 1;
}

/// Creates DIR/.BASE.fftconv-XXXXXX (random letters), new and with `mode` minus the umask, and
/// lists it in `slot` once created (a name some other process holds is never listed: a signal
/// would remove their file). The ending signals are blocked in between on this thread, and a
/// handler on another waits until the file is listed (temporaries_being_created), so none can
/// leave the new file behind; once a handler has run, none is created (EINTR). Returns its
/// descriptor, open for reading and writing, and sets `name`.
int create_temporary(const std::string& dir, const std::string& base, mode_t mode, int slot,
                     std::string& name) {
  static const char letters[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789";
  std::random_device seed;
  std::uniform_int_distribution<int> pick(0, sizeof letters - 2);
  for (int attempt = 0; attempt < 100; ++attempt) {
    name = dir + "." + base + ".fftconv-";
    for (int i = 0; i < 6; ++i)
      name += letters[pick(seed)];
    if (name.size() >= sizeof temporary_paths[0]) {
      errno = ENAMETOOLONG;
      return -1;
    }
    const sigset_t ending = ending_signal_set();
    sigset_t mask;
    ::pthread_sigmask(SIG_BLOCK, &ending, &mask);
    ++temporaries_being_created;
    // (Not created while a signal is being handled: the process ends.)
    const bool refused = process_ending.load();
    const int fd = refused ? -1 : ::open(name.c_str(), O_RDWR | O_CREAT | O_EXCL | O_CLOEXEC, mode);
    const int open_errno = refused ? EINTR : errno;
    if (fd >= 0) set_pending(slot, name);
    --temporaries_being_created;  // (after the listing: a handler waiting on it then sees it)
    ::pthread_sigmask(SIG_SETMASK, &mask, nullptr);
    if (fd >= 0) return fd;
    if (open_errno != EEXIST) {
      errno = open_errno;
      return -1;
    }
  }
  errno = EEXIST;
  return -1;
}

/// A format's RowReader that owns its open file and names it in its errors.
class FileRows final : public RowReader {
 public:
  FileRows(std::string path, int fd) : path_(std::move(path)), fd_(fd) {}
  FileRows(const FileRows&) = delete;
  FileRows& operator=(const FileRows&) = delete;
  ~FileRows() override {
    rows_.reset();  // (before the file it reads is closed)
    ::close(fd_);
  }
  int fd() const { return fd_; }
  void open(std::unique_ptr<RowReader> rows) { rows_ = std::move(rows); }
  const ImageHeader& header() const override { return rows_->header(); }
  void read(std::size_t first, std::size_t count, unsigned char* out) override {
    try {
      rows_->read(first, count, out);
    } catch (const IoError& e) {
      fail(path_, e.what());
    }
  }

 private:
  std::string path_;
  int fd_;
  std::unique_ptr<RowReader> rows_;
};

/// A format's RowWriter whose errors name the file written (and which closes `owned_fd`, the
/// file it writes, when it has opened it itself).
class NamedRowWriter final : public RowWriter {
 public:
  NamedRowWriter(std::string path, std::unique_ptr<RowWriter> rows, int owned_fd = -1)
      : path_(std::move(path)), rows_(std::move(rows)), owned_fd_(owned_fd) {}
  NamedRowWriter(const NamedRowWriter&) = delete;
  NamedRowWriter& operator=(const NamedRowWriter&) = delete;
  ~NamedRowWriter() override {
    rows_.reset();  // (before the file it writes is closed)
    if (owned_fd_ >= 0) ::close(owned_fd_);
  }
  void write(std::size_t first, std::size_t count, const unsigned char* rows) override {
    try {
      rows_->write(first, count, rows);
    } catch (const IoError& e) {
      fail(path_, e.what());
    }
  }
  void finish() override {
    try {
      rows_->finish();
    } catch (const IoError& e) {
      fail(path_, e.what());
    }
  }

 private:
  std::string path_;
  std::unique_ptr<RowWriter> rows_;
  int owned_fd_;
};

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
  if (is_complex(type)) return format == Format::npy;
  return format != Format::png || type == PixelType::u8 || type == PixelType::u16;
}

void require_support(Format format) {
  if (format == Format::fits || format == Format::tiff) codec(format);
}

Image decode(Format format, const unsigned char* data, std::size_t size, const ReadLimits& limits) {
  switch (format) {
    case Format::npy:
      return decode_npy(data, size, limits);
    case Format::fits:
    case Format::tiff:
      return codec(format).decode(data, size, limits, "");
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
    if (format == Format::fits)
      return codec(format).decode(file.data(), file.size(), limits, input.hdu);
    return decode(format, file.data(), file.size(), limits);
  } catch (const IoError& e) {
    fail(path, e.what());
  } catch (const std::bad_alloc&) {
    fail(path,
         "out of memory while reading (the file holds " + std::to_string(file.size()) + " bytes)");
  }
}

std::unique_ptr<RowReader> open_image_rows(const std::string& path) {
  const InputPath input = split_hdu_selector(path);  // "a.fits[SCI]": a.fits, HDU SCI
  const Format format = format_of(input.file);
  if (format != Format::npy && format != Format::fits) return nullptr;
  std::size_t size = 0;
  auto rows = std::make_unique<FileRows>(path, open_regular_file(input.file, size));
  try {
    if (format == Format::npy)
      rows->open(open_npy_rows(rows->fd(), size));
    else
      rows->open(codec(format).open_rows(rows->fd(), ReadLimits{}, input.hdu));
  } catch (const IoError& e) {
    fail(path, e.what());
  }
  return rows;
}

std::unique_ptr<RowWriter> resume_image_rows(const std::string& path, const std::string& file,
                                             const ImageHeader& header) {
  if (!writes_rows(path))
    throw std::logic_error("fftconv::io: " + path + " is not written by rows");
  const int fd = ::open(file.c_str(), O_WRONLY | O_CLOEXEC);
  if (fd < 0) fail(path, std::strerror(errno));
  std::unique_ptr<RowWriter> rows;
  try {
    rows = format_of(path) == Format::npy ? resume_npy_rows(header, fd)
                                          : codec(Format::fits).resume_rows(header, fd);
  } catch (const IoError& e) {
    ::close(fd);
    fail(path, e.what());
  }
  return std::make_unique<NamedRowWriter>(path, std::move(rows), fd);
}

bool writes_rows(const std::string& path) {
  const Format format = format_of(path);
  return format == Format::npy || (format == Format::fits && !is_gzip_fits_name(path));
}

std::string write_target(const std::string& path) {
  namespace fs = std::filesystem;
  std::error_code ec;
  fs::path p = fs::absolute(path, ec);
  if (ec) fail(path, ec.message());
  for (int links = 0;; ++links) {
    if (!fs::is_symlink(fs::symlink_status(p, ec))) break;  // (also when it does not exist)
    if (links == 40) fail(path, "too many levels of symbolic links");
    const fs::path to = fs::read_symlink(p, ec);
    if (ec) fail(path, "cannot read the symlink " + p.string() + ": " + ec.message());
    p = to.is_absolute() ? to : p.parent_path() / to;
  }
  // The directories' symlinks resolved too, and . and .. gone.
  const fs::path resolved = fs::weakly_canonical(p, ec);
  return (ec ? p.lexically_normal() : resolved).string();
}

std::string file_identity(const std::string& path) {
  struct stat st {};
  if (::stat(path.c_str(), &st) == 0)
    return "inode " + std::to_string(st.st_dev) + ":" + std::to_string(st.st_ino);
  return "path " + write_target(path);
}

OutputFile::OutputFile(std::string path) : path_(std::move(path)) {
  format_of(path_);  // an unknown extension fails before anything is created
  target_ = write_target(path_);
  struct stat st {};
  const bool exists = ::stat(target_.c_str(), &st) == 0;
  if (exists && !S_ISREG(st.st_mode))
    fail(path_, std::string("not a regular file (") + file_kind(st.st_mode) +
                    "); fftconv writes regular files only");
  const std::size_t slash = target_.find_last_of('/');  // (target_ is absolute)
  const std::string dir = target_.substr(0, slash + 1), base = target_.substr(slash + 1);
  for (int i = 0; i < max_temporaries && slot_ < 0; ++i)
    if (!slot_taken[i]) slot_ = i;
  if (slot_ < 0)
    fail(path_, "more than " + std::to_string(max_temporaries) + " output files open at once");
  slot_taken[slot_] = true;
  install_signal_cleanup();
  const int fd = create_temporary(dir, base, exists ? 0600 : 0666, slot_, temporary_);
  if (fd < 0) {
    const int create_errno = errno;
    slot_taken[slot_] = false;
    const bool link = target_ != std::filesystem::absolute(path_).lexically_normal().string();
    if (create_errno == EINTR)  // (create_temporary: a signal is ending the process)
      fail(path_, "not created: a signal is ending the program");
    fail(path_, std::string("cannot create a file there") +
                    (link ? " (in " + printable(dir, 256) + ", where the link points)" : "") +
                    ": " + std::strerror(create_errno));
  }
  fd_ = fd;
  if (exists) {
    replaces_ = true;
    mode_ = st.st_mode & 0777;  // (set-id bits not kept: the new file's owner may differ)
    group_ = st.st_gid;
  }
}

OutputFile::~OutputFile() {
  rows_.reset();  // (a writer left unfinished, before its file is closed and removed)
  if (fd_ >= 0) ::close(fd_);
  if (!committed_) ::unlink(temporary_.c_str());
  set_pending(slot_, "");
  slot_taken[slot_] = false;
}

void OutputFile::write(const Image& image) {
  if (fd_ < 0) fail(path_, "written already");
  const Format format = format_of(path_);
  // (The other refusals are the writers' own: PNG's types, TIFF's and PNG's ranks.)
  if (is_complex(image.type) && !can_store(format, image.type))
    fail(path_, std::string(name(format)) + " cannot hold " + name(image.type) +
                    " pixels (complex data: .npy only)");
  // Through the descriptor of the file create_temporary made: its name is never opened again,
  // so a symlink planted there (in a directory others may write to) cannot redirect the data.
  try {
    switch (format) {
      case Format::npy:
        write_npy(image, fd_);
        break;
      case Format::fits:
      case Format::tiff:
        codec(format).write(image, fd_, is_gzip_fits_name(path_));
        break;
      case Format::png:
        write_png(image, fd_);
        break;
    }
  } catch (const IoError& e) {
    fail(path_, e.what());
  } catch (const std::bad_alloc&) {
    fail(path_, "out of memory while writing");
  }
  commit();
}

RowWriter& OutputFile::start_rows(const ImageHeader& header) {
  if (fd_ < 0 || rows_) fail(path_, "written already");
  if (!writes_rows(path_))
    throw std::logic_error("fftconv::io: " + path_ + " is not written by rows");
  std::unique_ptr<RowWriter> rows;
  try {
    rows = format_of(path_) == Format::npy ? create_npy_rows(header, fd_)
                                           : codec(Format::fits).create_rows(header, fd_);
  } catch (const IoError& e) {
    fail(path_, e.what());
  }
  rows_ = std::make_unique<NamedRowWriter>(path_, std::move(rows));
  return *rows_;
}

void OutputFile::finish_rows() {
  if (!rows_) throw std::logic_error("fftconv::io: finish_rows without start_rows");
  rows_->finish();
  rows_.reset();
  commit();
}

void OutputFile::commit() {
  if (replaces_) {
    // The group first (changing it may clear set-id bits); a group the process may not give is
    // left as is.
    [[maybe_unused]] const int group_kept = ::fchown(fd_, static_cast<uid_t>(-1), group_);
    ::fchmod(fd_, mode_);
  }
  // What is renamed into place is the name: it must still be the file written (someone who may
  // write to the directory could have put another file or a symlink there).
  struct stat written {};
  struct stat named {};
  const bool same = ::fstat(fd_, &written) == 0 && ::lstat(temporary_.c_str(), &named) == 0 &&
                    written.st_dev == named.st_dev && written.st_ino == named.st_ino;
  const int closed = ::close(fd_);  // (where a network file system reports a failed write)
  fd_ = -1;
  if (closed != 0) fail(path_, std::string("write failed: ") + std::strerror(errno));
  if (!same)
    fail(path_, "the temporary " + printable(temporary_, 256) +
                    " was removed or replaced while written; nothing was written");
  if (::rename(temporary_.c_str(), target_.c_str()) != 0)
    fail(path_, std::string("cannot rename the finished file into place: ") + std::strerror(errno));
  committed_ = true;
  set_pending(slot_, "");
}

void write_image(const std::string& path, const Image& image) {
  OutputFile(path).write(image);
}

}  // namespace fftconv::io
