#include "isolated.hpp"

#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <csignal>
#include <cstdint>
#include <cstdio>
#include <cstring>
#include <new>
#include <stdexcept>
#include <string>

namespace fftconv::io {

namespace {

/// What the child writes at the start of the memory file; the pixels follow.
struct Result {
  std::uint32_t ok = 0;  // 1: an image follows; 0: `message` says why not
  std::int32_t rank = 0, type = 0;
  std::uint64_t extent[3] = {0, 0, 0};
  std::uint64_t bytes = 0;
  std::uint64_t cards = 0;  // FITS header cards (80 bytes each) after the pixels
  char message[1024] = "";
};

/// Repeats pread until all n bytes have arrived; false on an error or the end of the file.
bool read_all(int fd, void* data, std::size_t n, off_t offset) {
  auto* p = static_cast<unsigned char*>(data);
  while (n > 0) {
    const ssize_t moved = ::pread(fd, p, n, offset);
    if (moved <= 0) return false;
    p += moved;
    n -= static_cast<std::size_t>(moved);
    offset += moved;
  }
  return true;
}

[[noreturn]] void child(int fd, pid_t parent, const std::function<Image()>& decode) {
  // A crash ends the child quietly (no inherited crash handlers): the parent reports it. The
  // parent's handlers for ending signals (which remove its output temporary) are not the
  // child's to run; if the parent dies, so does the child.
  for (int sig : {SIGSEGV, SIGBUS, SIGILL, SIGFPE, SIGABRT})
    std::signal(sig, SIG_DFL);
  for (int sig : {SIGINT, SIGTERM, SIGHUP}) {
    struct sigaction current {};
    if (::sigaction(sig, nullptr, &current) == 0 && current.sa_handler != SIG_IGN)
      std::signal(sig, SIG_DFL);
  }
  std::signal(SIGXFSZ, SIG_IGN);  // a file-size limit fails the write instead (exit 4 below)
  ::prctl(PR_SET_PDEATHSIG, SIGKILL);
  if (::getppid() != parent) ::_exit(5);  // the parent died before prctl
  Result r;
  try {
    const Image image = decode();
    r.ok = 1;
    r.rank = image.shape.rank();
    r.type = static_cast<std::int32_t>(image.type);
    for (int a = 0; a < r.rank; ++a)
      r.extent[a] = image.shape[a];
    r.bytes = image.bytes.size();
    if (!write_all(fd, image.bytes.data(), image.bytes.size(), sizeof r)) ::_exit(4);
    std::string cards;
    for (const std::string& card : image.metadata.fits_cards)
      cards += card.substr(0, 80) + std::string(80 - std::min<std::size_t>(card.size(), 80), ' ');
    r.cards = image.metadata.fits_cards.size();
    if (!write_all(fd, cards.data(), cards.size(), static_cast<off_t>(sizeof r + r.bytes)))
      ::_exit(4);
  } catch (const IoError& e) {
    std::snprintf(r.message, sizeof r.message, "%s", e.what());
  } catch (const std::bad_alloc&) {
    std::snprintf(r.message, sizeof r.message, "out of memory while decoding");
  } catch (...) {
    ::_exit(3);
  }
  ::_exit(write_all(fd, &r, sizeof r, 0) ? 0 : 4);
}

/// Closes the memory file however decode_isolated leaves.
struct Fd {
  int fd;
  ~Fd() { ::close(fd); }
};

}  // namespace

Image decode_isolated(const std::function<Image()>& decode, const ReadLimits& limits,
                      const char* what, bool pixels) {
  const Fd file{::memfd_create("fftconv-decode", MFD_CLOEXEC)};
  if (file.fd < 0) throw IoError("cannot create a memory file for the decoder");
  // The child must be waited for: an ignored SIGCHLD (inherited from a shell, or SA_NOCLDWAIT)
  // would reap it automatically, so the default disposition is restored while it runs.
  struct sigaction chld {
  }, saved{};
  chld.sa_handler = SIG_DFL;
  sigemptyset(&chld.sa_mask);
  ::sigaction(SIGCHLD, &chld, &saved);
  std::fflush(nullptr);  // nothing buffered is written twice
  const pid_t parent = ::getpid();
  const pid_t pid = ::fork();
  if (pid == 0) child(file.fd, parent, decode);
  int status = 0;
  pid_t waited = -1;
  if (pid > 0) do
      waited = ::waitpid(pid, &status, 0);
    while (waited < 0 && errno == EINTR);
  ::sigaction(SIGCHLD, &saved, nullptr);
  if (pid < 0) throw IoError("cannot start a process for the decoder");
  if (waited != pid) throw IoError("lost the decoder's process");
  if (WIFSIGNALED(status) && WTERMSIG(status) == SIGKILL)
    throw IoError(std::string("the ") + what +
                  " decoder was killed (out of memory, or by another process)");
  if (WIFSIGNALED(status))
    throw IoError(std::string("corrupt file: ") + what + " crashed on it (signal " +
                  std::to_string(WTERMSIG(status)) + ")");
  if (WIFEXITED(status) && WEXITSTATUS(status) == 4)
    throw IoError(std::string("the ") + what +
                  " decoder could not pass the image back (no memory or space for it)");
  if (!WIFEXITED(status) || WEXITSTATUS(status) != 0)
    throw std::logic_error(std::string("the ") + what + " decoder's process failed (exit " +
                           std::to_string(WEXITSTATUS(status)) + ")");
  Result r;
  if (!read_all(file.fd, &r, sizeof r, 0))
    throw std::logic_error(std::string("the ") + what + " decoder returned no result");
  r.message[sizeof r.message - 1] = '\0';
  if (!r.ok) throw IoError(r.message);

  Image image;
  if (r.rank < 1 || r.rank > 3 || r.type < 0 || r.type >= pixel_type_count)
    throw std::logic_error(std::string("the ") + what + " decoder returned a bad header");
  image.type = static_cast<PixelType>(r.type);
  for (int a = 0; a < r.rank; ++a)
    image.shape.push_back(static_cast<std::size_t>(r.extent[a]));
  const std::size_t bytes = pixels ? checked_image_bytes(image.shape, image.type, limits) : 0;
  if (bytes != r.bytes)
    throw std::logic_error(std::string("the ") + what + " decoder returned a bad size");
  allocate_pixels(image, bytes, NewPixels::unset);
  if (bytes > 0 && !read_all(file.fd, image.bytes.data(), bytes, sizeof r))
    throw std::logic_error(std::string("the ") + what + " decoder returned too few bytes");
  // (The cards came from the file's header, which is smaller than the file.)
  if (r.cards > limits.max_bytes / 80)
    throw std::logic_error(std::string("the ") + what + " decoder returned a bad card count");
  std::string cards(static_cast<std::size_t>(r.cards) * 80, ' ');
  if (!read_all(file.fd, cards.data(), cards.size(), static_cast<off_t>(sizeof r + bytes)))
    throw std::logic_error(std::string("the ") + what + " decoder returned too few cards");
  for (std::size_t i = 0; i < r.cards; ++i)
    image.metadata.fits_cards.push_back(cards.substr(i * 80, 80));
  return image;
}

}  // namespace fftconv::io
