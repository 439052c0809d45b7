#pragma once
// Helpers for the image-file and command-line tests: a scratch directory, random images of any
// pixel type, and running the `fftconv` program.
#include <fcntl.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cmath>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <random>
#include <sstream>
#include <string>
#include <vector>

#include "io/convert.hpp"
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

inline void write_bytes(const std::string& path, const std::vector<unsigned char>& bytes) {
  std::ofstream f(path, std::ios::binary);
  f.write(reinterpret_cast<const char*>(bytes.data()), static_cast<std::streamsize>(bytes.size()));
}

struct RunResult {
  int exit_code = -1;
  std::string out, err;
};

/// Runs `program` with `args`, stdout and stderr captured (through files in `dir`); stdin is
/// this process's, or the file (or terminal) `stdin_path` names.
inline RunResult run_program(const std::string& program, const std::vector<std::string>& args,
                             const TempDir& dir, const std::string& stdin_path = "") {
  const std::string out_file =
      (dir.path().parent_path() / (dir.path().filename().string() + ".stdout")).string();
  const std::string err_file = out_file.substr(0, out_file.size() - 7) + ".stderr";
  std::vector<std::string> argv_strings{program};
  argv_strings.insert(argv_strings.end(), args.begin(), args.end());
  std::vector<char*> argv;
  for (std::string& s : argv_strings)
    argv.push_back(s.data());
  argv.push_back(nullptr);
  posix_spawn_file_actions_t actions;
  posix_spawn_file_actions_init(&actions);
  posix_spawn_file_actions_addopen(&actions, 1, out_file.c_str(), O_WRONLY | O_CREAT | O_TRUNC,
                                   0644);
  posix_spawn_file_actions_addopen(&actions, 2, err_file.c_str(), O_WRONLY | O_CREAT | O_TRUNC,
                                   0644);
  if (!stdin_path.empty())
    posix_spawn_file_actions_addopen(&actions, 0, stdin_path.c_str(), O_RDONLY | O_NOCTTY, 0);
  pid_t pid = 0;
  RunResult r;
  if (posix_spawn(&pid, argv[0], &actions, nullptr, argv.data(), environ) == 0) {
    int status = 0;
    ::waitpid(pid, &status, 0);
    r.exit_code = WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
  }
  posix_spawn_file_actions_destroy(&actions);
  r.out = read_text(out_file);
  r.err = read_text(err_file);
  std::remove(out_file.c_str());
  std::remove(err_file.c_str());
  return r;
}

/// run_program of this build's fftconv program.
inline RunResult run_fftconv(const std::vector<std::string>& args, const TempDir& dir,
                             const std::string& stdin_path = "") {
  return run_program(FFTCONV_CLI_PATH, args, dir, stdin_path);
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
