#pragma once
// Helpers for the image-file and command-line tests: a scratch directory, random images of any
// pixel type, and running the `fftconv` program.
#include <fcntl.h>
#include <pty.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cmath>
#include <complex>
#include <csignal>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <limits>
#include <random>
#include <sstream>
#include <string>
#include <utility>
#include <vector>

#include "fftconv/fftconv.hpp"
#include "io/convert.hpp"
#include "io/files.hpp"
#include "io/image.hpp"

extern char** environ;

// Tests that limit a child's address space (RLIMIT_AS) check FFTCONV_TEST_SANITIZED: a
// sanitizer's shadow memory does not fit under such a limit (GCC says so with a macro, clang
// with __has_feature).
#if defined(__SANITIZE_ADDRESS__) || defined(__SANITIZE_THREAD__)
#define FFTCONV_TEST_SANITIZED 1
#elif defined(__has_feature)
#if __has_feature(address_sanitizer) || __has_feature(thread_sanitizer) || \
    __has_feature(memory_sanitizer)
#define FFTCONV_TEST_SANITIZED 1
#endif
#endif

namespace fftconv::test {

/// A fresh directory, removed with everything in it at the end of the test.
class TempDir {
 public:
  TempDir() {
    std::string pattern = (std::filesystem::temp_directory_path() / "fftconv-test-XXXXXX").string();
    if (!::mkdtemp(pattern.data())) throw std::runtime_error("mkdtemp failed");
    path_ = pattern;
  }
  ~TempDir() {
    std::error_code ec;
    std::filesystem::remove_all(path_, ec);
  }
  std::string operator/(const std::string& name) const { return (path_ / name).string(); }
  const std::filesystem::path& path() const { return path_; }
  /// Every file name in the directory (to check that nothing else was left behind).
  std::vector<std::string> files() const {
    std::vector<std::string> names;
    for (const auto& e : std::filesystem::directory_iterator(path_))
      names.push_back(e.path().filename().string());
    std::sort(names.begin(), names.end());
    return names;
  }

 private:
  std::filesystem::path path_;
};

/// Random pixels of `type` spread over [lo, hi] (clamped to the type's range), as an Image.
inline io::Image random_image(const Shape& shape, io::PixelType type, std::uint64_t seed,
                              double lo = 0, double hi = 200) {
  std::mt19937_64 rng(seed);
  lo = std::max(lo, io::lowest(type));
  hi = std::min(hi, io::highest(type));
  std::uniform_real_distribution<double> u(lo, hi);
  std::vector<double> v(element_count(shape));
  for (double& x : v)
    x = io::is_integer(type) ? std::floor(u(rng)) : u(rng);
  io::Conversion report;
  return io::from_values(shape, v.data(), type, report);
}

/// Random complex pixels of `type` (complex64 or complex128), each part spread over [lo, hi].
inline io::Image random_complex_image(const Shape& shape, io::PixelType type, std::uint64_t seed,
                                      double lo = -1, double hi = 1) {
  std::mt19937_64 rng(seed);
  std::uniform_real_distribution<double> u(lo, hi);
  std::vector<std::complex<double>> v(element_count(shape));
  for (std::complex<double>& x : v) {
    const double re = u(rng);
    x = {re, u(rng)};
  }
  io::Conversion report;
  return io::from_values(shape, v.data(), type, report);
}

/// The raw .npy bytes for a header dict and data.
inline std::vector<unsigned char> npy_bytes(const std::string& dict,
                                            const std::vector<unsigned char>& data,
                                            unsigned char version = 1) {
  std::vector<unsigned char> b{0x93, 'N', 'U', 'M', 'P', 'Y', version, 0};
  const std::size_t n = dict.size();
  b.push_back(static_cast<unsigned char>(n & 0xff));
  b.push_back(static_cast<unsigned char>(n >> 8));
  if (version > 1) {
    b.push_back(0);
    b.push_back(0);
  }
  b.insert(b.end(), dict.begin(), dict.end());
  b.insert(b.end(), data.begin(), data.end());
  return b;
}

/// A random image `image_name` (seed 1) and kernel k.npy (seed 2, values up to `kernel_max`) of
/// `type` in `dir`: the inputs of most runs of the program.
inline void write_image_and_kernel(const TempDir& dir, const Shape& image = Shape{8, 8},
                                   const Shape& kernel = Shape{3, 3},
                                   io::PixelType type = io::PixelType::f64,
                                   const std::string& image_name = "im.npy",
                                   double kernel_max = 200) {
  io::write_image(dir / image_name, random_image(image, type, 1));
  io::write_image(dir / "k.npy", random_image(kernel, type, 2, 0, kernel_max));
}

/// The planes [first, first + count) of a stack as an image of their own (2-D for one plane).
inline io::Image planes_of(const io::Image& image, std::size_t first, std::size_t count) {
  const std::size_t h = image.shape[1], w = image.shape[2];
  const std::size_t plane = h * w * io::size_of(image.type);
  io::Image part;
  part.type = image.type;
  part.shape = count == 1 ? Shape{h, w} : Shape{count, h, w};
  part.bytes.assign(image.bytes.begin() + static_cast<std::ptrdiff_t>(first * plane),
                    image.bytes.begin() + static_cast<std::ptrdiff_t>((first + count) * plane));
  return part;
}

/// The library's result for an image and kernel file pair, as the program computes it: in T,
/// through a Filter with `options` (a kernel of lower rank gets leading axes of length 1).
template <class T>
inline std::vector<T> library_result(const io::Image& image, const io::Image& kernel_file,
                                     Operation operation, const Options& options,
                                     Shape& out_shape) {
  const std::vector<T> in = io::to_values<T>(image);
  const std::vector<T> k = io::to_values<T>(kernel_file);
  Shape kernel_shape;
  for (int a = kernel_file.shape.rank(); a < image.shape.rank(); ++a)
    kernel_shape.push_back(1);
  for (std::size_t e : kernel_file.shape)
    kernel_shape.push_back(e);
  const Filter<T> filter(ConstView<T>(k.data(), kernel_shape), image.shape, operation, options);
  out_shape = filter.output_shape();
  std::vector<T> out(element_count(out_shape));
  filter.apply(ConstView<T>(in.data(), image.shape), View<T>(out.data(), out_shape));
  return out;
}

/// The largest |got - want| relative to the largest |want| (got: a file's values read as double).
template <class T>
inline double relative_difference(const io::Image& got, const std::vector<T>& want) {
  const std::vector<double> g = io::to_values<double>(got);
  if (g.size() != want.size()) return std::numeric_limits<double>::infinity();
  double diff = 0, scale = 0;
  for (std::size_t i = 0; i < g.size(); ++i) {
    diff = std::max(diff, std::abs(g[i] - static_cast<double>(want[i])));
    scale = std::max(scale, std::abs(static_cast<double>(want[i])));
  }
  return diff / std::max(scale, std::numeric_limits<double>::min());
}

/// a's strings followed by b's (a command line and its extra arguments).
inline std::vector<std::string> joined(std::vector<std::string> a,
                                       const std::vector<std::string>& b) {
  a.insert(a.end(), b.begin(), b.end());
  return a;
}

inline bool contains(const std::string& text, const std::string& part) {
  return text.find(part) != std::string::npos;
}

inline std::string read_text(const std::string& path) {
  std::ifstream f(path);
  std::stringstream s;
  s << f.rdbuf();
  return s.str();
}

inline std::vector<unsigned char> read_bytes(const std::string& path) {
  std::ifstream f(path, std::ios::binary);
  return {std::istreambuf_iterator<char>(f), std::istreambuf_iterator<char>()};
}

/// The contents of a FITS file's HISTORY cards, joined (cfitsio continues a long line on the
/// next card).
inline std::string fits_history(const std::string& path) {
  const std::vector<unsigned char> bytes = read_bytes(path);
  std::string history;
  for (std::size_t at = 0; at + 80 <= bytes.size(); at += 80) {
    const std::string card(bytes.begin() + static_cast<std::ptrdiff_t>(at),
                           bytes.begin() + static_cast<std::ptrdiff_t>(at + 80));
    if (card.compare(0, 3, "END") == 0 && card.find_first_not_of(' ', 3) == std::string::npos)
      break;
    if (card.compare(0, 8, "HISTORY ") == 0) history += card.substr(8);
  }
  return history;
}

inline void write_bytes(const std::string& path, const std::vector<unsigned char>& bytes) {
  std::ofstream f(path, std::ios::binary);
  f.write(reinterpret_cast<const char*>(bytes.data()), static_cast<std::streamsize>(bytes.size()));
}

struct RunResult {
  int exit_code = -1;  // 128 + signal when killed
  std::string out, err;
};

/// How run_fftconv starts the program; the defaults are a plain run.
struct Launch {
  std::string program;       // the program to run (empty: this build's fftconv)
  std::string cwd;           // working directory (empty: the test's)
  std::string stdin_path;    // a file or terminal opened as stdin (empty: the test's own stdin)
  bool terminal = false;     // stderr on a pseudo-terminal instead of a file (out stays a file)
  rlim_t address_space = 0;  // RLIMIT_AS in bytes (0: unchanged)
  unsigned timeout_seconds = 60;  // then SIGALRM (it survives exec) ends a hung run; 0: never
  std::vector<std::string> environment;  // NAME=VALUE set, a bare NAME unset, in the child only
};

inline Launch stdin_from(const std::string& path) {
  Launch how;
  how.stdin_path = path;
  return how;
}

inline Launch with_environment(std::vector<std::string> environment) {
  Launch how;
  how.environment = std::move(environment);
  return how;
}

/// stderr on a terminal, and the progress bar drawn from the start rather than after its delay.
inline Launch on_terminal() {
  Launch how = with_environment({"FFTCONV_PROGRESS_DELAY=0"});
  how.terminal = true;
  return how;
}

/// A started program: wait_fftconv collects it. (Spawning and waiting are apart so that a test
/// can signal `pid` in between.)
struct Child {
  pid_t pid = -1;
  int terminal = -1;  // the master side when Launch::terminal
  std::string out_file, err_file;
};

/// This process's environment with `changes` (Launch::environment) applied.
inline std::vector<std::string> changed_environment(const std::vector<std::string>& changes) {
  std::vector<std::string> env;
  for (char** e = environ; *e; ++e)
    env.emplace_back(*e);
  for (const std::string& change : changes) {
    const std::string name = change.substr(0, change.find('='));
    env.erase(std::remove_if(env.begin(), env.end(),
                             [&](const std::string& e) { return e.rfind(name + "=", 0) == 0; }),
              env.end());
    if (change.size() > name.size()) env.push_back(change);
  }
  return env;
}

/// argv or envp for exec: pointers into `strings`, then nullptr.
inline std::vector<char*> pointers_to(std::vector<std::string>& strings) {
  std::vector<char*> pointers;
  for (std::string& s : strings)
    pointers.push_back(s.data());
  pointers.push_back(nullptr);
  return pointers;
}

/// Starts the fftconv program with `args`; stdout and stderr go to files beside `dir` (not in
/// it: tests compare its listing). Fork, not posix_spawn: the child sets a limit and an alarm.
inline Child spawn_fftconv(const std::vector<std::string>& args, const TempDir& dir,
                           const Launch& how = {}) {
  Child child;
  child.out_file =
      (dir.path().parent_path() / (dir.path().filename().string() + ".stdout")).string();
  child.err_file = child.out_file.substr(0, child.out_file.size() - 7) + ".stderr";
  // (Everything allocated before fork: the child calls only async-signal-safe functions.)
  std::vector<std::string> arg_strings{how.program.empty() ? FFTCONV_CLI_PATH : how.program};
  arg_strings.insert(arg_strings.end(), args.begin(), args.end());
  std::vector<std::string> env_strings = changed_environment(how.environment);
  const std::vector<char*> argv = pointers_to(arg_strings), envp = pointers_to(env_strings);
  int slave = -1;
  if (how.terminal && ::openpty(&child.terminal, &slave, nullptr, nullptr, nullptr) != 0)
    return child;
  child.pid = ::fork();
  if (child.pid == 0) {
    // (O_CLOEXEC: what is opened here is left open only as 0, 1 and 2, which dup2 made.)
    constexpr int write_flags = O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC;
    if (!how.stdin_path.empty()) {
      const int in = ::open(how.stdin_path.c_str(), O_RDONLY | O_NOCTTY | O_CLOEXEC);
      if (in < 0 || ::dup2(in, 0) < 0) ::_exit(126);
    }
    const int out = ::open(child.out_file.c_str(), write_flags, 0644);
    const int err = how.terminal ? slave : ::open(child.err_file.c_str(), write_flags, 0644);
    if (out < 0 || err < 0 || ::dup2(out, 1) < 0 || ::dup2(err, 2) < 0) ::_exit(126);
    if (how.terminal) {
      ::close(child.terminal);
      if (slave > 2) ::close(slave);
    }
    if (!how.cwd.empty() && ::chdir(how.cwd.c_str()) != 0) ::_exit(126);
    if (how.address_space) {
      const rlimit limit{how.address_space, how.address_space};
      if (::setrlimit(RLIMIT_AS, &limit) != 0) ::_exit(126);
    }
    for (int sig : {SIGINT, SIGTERM, SIGHUP, SIGALRM})  // (not the test framework's handlers)
      std::signal(sig, SIG_DFL);
    ::alarm(how.timeout_seconds);
    ::execve(argv[0], argv.data(), envp.data());
    ::_exit(127);
  }
  if (slave >= 0) ::close(slave);
  return child;
}

/// Waits for `child` to end (reading its terminal until the program closes it) and returns
/// what it wrote and its exit code.
inline RunResult wait_fftconv(const Child& child) {
  RunResult r;
  if (child.terminal >= 0) {
    char buffer[4096];
    for (;;) {
      const ssize_t n = ::read(child.terminal, buffer, sizeof buffer);
      if (n > 0)
        r.err.append(buffer, static_cast<std::size_t>(n));
      else if (n < 0 && errno == EINTR)
        continue;
      else
        break;  // (EIO: the program closed the terminal)
    }
    ::close(child.terminal);
  }
  int status = 0;
  if (child.pid > 0 && ::waitpid(child.pid, &status, 0) == child.pid)
    r.exit_code = WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
  r.out = read_text(child.out_file);
  if (child.terminal < 0) r.err = read_text(child.err_file);
  std::remove(child.out_file.c_str());
  std::remove(child.err_file.c_str());
  return r;
}

/// Runs the fftconv program with `args` and returns its exit code, stdout and stderr.
inline RunResult run_fftconv(const std::vector<std::string>& args, const TempDir& dir,
                             const Launch& how = {}) {
  return wait_fftconv(spawn_fftconv(args, dir, how));
}

/// Whether this system gives a test a pseudo-terminal: the master (posix_openpt) and its slave
/// device both open (a chroot or container without /dev/pts has neither). A test that needs one
/// calls this first; without one it prints the marker CTest reports as a skip
/// (SKIP_REGULAR_EXPRESSION in tests/CMakeLists.txt) and returns, rather than failing on what
/// the system lacks or passing silently.
inline bool pseudo_terminal_available() {
  const int master = ::posix_openpt(O_RDWR | O_NOCTTY);
  bool ok = master >= 0 && ::grantpt(master) == 0 && ::unlockpt(master) == 0;
  const char* slave_name = ok ? ::ptsname(master) : nullptr;
  const int slave = slave_name ? ::open(slave_name, O_RDWR | O_NOCTTY) : -1;
  ok = slave >= 0;
  const int error = errno;
  if (slave >= 0) ::close(slave);
  if (master >= 0) ::close(master);
  if (!ok) std::printf("SKIPPED: no pseudo-terminal on this system (%s)\n", std::strerror(error));
  return ok;
}

}  // namespace fftconv::test
