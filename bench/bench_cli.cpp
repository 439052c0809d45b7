// The fftconv program against the work it cannot avoid, on one image (README, "Benchmarks"):
// read = the .npy file read whole into a fresh buffer (open, read, close); call = the library
// call alone (fftconv::convolve into a fresh output buffer); write = the result written to a
// temporary and renamed into place, as the program does; program = the whole `fftconv convolve`
// process; start = `fftconv --version`, the program's fixed cost of starting and exiting.
// Medians of interleaved rounds, in wall-clock and CPU time. The program should take at
// most 1.5x (read + call + write); the ratio is printed.
//
//   bench_cli [SIZE [KERNEL [ROUNDS [PROGRAM]]]]
//     default 4096 5 7: a SIZE x SIZE float32 image, a KERNEL x KERNEL kernel, the fftconv
//     program of this build (PROGRAM: another one, e.g. an older build to compare with)
//
// Linked with the program's allocator (tools/cli/huge_pages.cpp), so the read and call buffers
// get the same huge-page advice as the program's: the ratio compares like with like.
#include <fcntl.h>
#include <spawn.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <ctime>
#include <filesystem>
#include <functional>
#include <memory>
#include <random>
#include <stdexcept>
#include <string>
#include <vector>

#include "fftconv/fftconv.hpp"
#include "io/files.hpp"

extern char** environ;

namespace {

void read_whole(const std::string& path) {
  const int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  struct stat st {};
  if (fd < 0 || ::fstat(fd, &st) != 0) throw std::runtime_error("cannot read " + path);
  const auto size = static_cast<std::size_t>(st.st_size);
  std::unique_ptr<unsigned char[]> buffer(new unsigned char[size]);  // (not zeroed)
  std::size_t done = 0;
  while (done < size) {
    const ssize_t n = ::read(fd, buffer.get() + done, size - done);
    if (n <= 0) throw std::runtime_error("cannot read " + path);
    done += static_cast<std::size_t>(n);
  }
  ::close(fd);
}

void write_whole(const std::string& path, const void* header, std::size_t header_size,
                 const void* data, std::size_t size) {
  const std::string temporary = path + ".tmp";
  const int fd = ::open(temporary.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
  if (fd < 0 || ::write(fd, header, header_size) != static_cast<ssize_t>(header_size))
    throw std::runtime_error("cannot write " + temporary);
  const auto* p = static_cast<const unsigned char*>(data);
  while (size > 0) {
    const ssize_t n = ::write(fd, p, size);
    if (n <= 0) throw std::runtime_error("cannot write " + temporary);
    p += n;
    size -= static_cast<std::size_t>(n);
  }
  if (::close(fd) != 0 || ::rename(temporary.c_str(), path.c_str()) != 0)
    throw std::runtime_error("cannot write " + path);
}

/// The process CPU time (user + system) f takes, in seconds.
double cpu_seconds_of(const std::function<void()>& f) {
  const auto now = [] {
    timespec t{};
    ::clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &t);
    return static_cast<double>(t.tv_sec) + 1e-9 * static_cast<double>(t.tv_nsec);
  };
  const double t0 = now();
  f();
  return now() - t0;
}

double median(std::vector<double> v) {
  std::sort(v.begin(), v.end());
  return v.size() % 2 ? v[v.size() / 2] : (v[v.size() / 2 - 1] + v[v.size() / 2]) / 2;
}

/// Runs a program to its end; its CPU time (user + system) in seconds.
double run(const std::vector<std::string>& args) {
  std::vector<char*> argv;
  std::vector<std::string> copy = args;
  for (std::string& a : copy)
    argv.push_back(a.data());
  argv.push_back(nullptr);
  posix_spawn_file_actions_t actions;  // (stdout to /dev/null: --version prints)
  posix_spawn_file_actions_init(&actions);
  posix_spawn_file_actions_addopen(&actions, 1, "/dev/null", O_WRONLY, 0);
  pid_t pid = 0;
  const int spawned = posix_spawn(&pid, argv[0], &actions, nullptr, argv.data(), environ);
  posix_spawn_file_actions_destroy(&actions);
  if (spawned != 0) throw std::runtime_error("cannot start " + args[0]);
  int status = 0;
  rusage usage{};
  ::wait4(pid, &status, 0, &usage);
  if (!WIFEXITED(status) || WEXITSTATUS(status) != 0) throw std::runtime_error(args[0] + " failed");
  const auto seconds = [](const timeval& t) {
    return static_cast<double>(t.tv_sec) + 1e-6 * static_cast<double>(t.tv_usec);
  };
  return seconds(usage.ru_utime) + seconds(usage.ru_stime);
}

}  // namespace

int main(int argc, char** argv) {
  const std::size_t size = argc > 1 ? std::stoul(argv[1]) : 4096;
  const std::size_t ksize = argc > 2 ? std::stoul(argv[2]) : 5;
  const int rounds = argc > 3 ? std::stoi(argv[3]) : 7;
  namespace fs = std::filesystem;
  std::string dir_pattern = (fs::temp_directory_path() / "bench_cli-XXXXXX").string();
  if (!::mkdtemp(dir_pattern.data())) return 1;
  const fs::path dir = dir_pattern;
  const std::string image_path = dir / "image.npy", kernel_path = dir / "kernel.npy",
                    out_path = dir / "out.npy", call_out_path = dir / "written.npy";

  const fftconv::Shape shape{size, size}, kshape{ksize, ksize};
  std::mt19937 rng(1);
  std::uniform_real_distribution<float> u(0, 1);
  fftconv::io::Image image{shape, fftconv::io::PixelType::f32, {}}, kernel = image;
  kernel.shape = kshape;
  for (auto* im : {&image, &kernel}) {
    std::vector<float> v(fftconv::element_count(im->shape));
    for (float& x : v)
      x = u(rng);
    im->bytes.resize(v.size() * sizeof(float));
    std::memcpy(im->bytes.data(), v.data(), im->bytes.size());
  }
  fftconv::io::write_image(image_path, image);
  fftconv::io::write_image(kernel_path, kernel);
  const std::vector<unsigned char> file = [&] {
    std::FILE* f = std::fopen(image_path.c_str(), "rb");
    std::vector<unsigned char> bytes(fs::file_size(image_path));
    const bool ok = f && std::fread(bytes.data(), 1, bytes.size(), f) == bytes.size();
    if (f) std::fclose(f);
    if (!ok) throw std::runtime_error("cannot read " + image_path);
    return bytes;
  }();
  const std::size_t header = file.size() - image.bytes.size();  // the .npy header written
  const auto* pixels = reinterpret_cast<const float*>(image.bytes.data());
  const auto* taps = reinterpret_cast<const float*>(kernel.bytes.data());
  const std::size_t n = size * size;
  std::unique_ptr<float[]> result(new float[n]);
  fftconv::convolve(fftconv::ConstView<float>(pixels, shape),
                    fftconv::ConstView<float>(taps, kshape),
                    fftconv::View<float>(result.get(), shape));

  const std::string cli = argc > 4 ? argv[4] : FFTCONV_CLI_PATH;
  const std::vector<std::string> program{cli,  "convolve", image_path, kernel_path,
                                         "-o", out_path,   "-q"};
  run(program);  // (a warm-up: the files in the page cache, the program's libraries loaded)
  // Interleaved rounds (as bench/timing.hpp's time_interleaved), each step timed in wall-clock
  // and CPU time (user + system; the program's from wait4): on a shared machine the CPU times
  // are the steadier comparison.
  const std::vector<std::function<double()>> steps{
      [&] { return cpu_seconds_of([&] { read_whole(image_path); }); },
      [&] {
        return cpu_seconds_of([&] {
          std::unique_ptr<float[]> out(new float[n]);  // (fresh: its first touch is counted)
          fftconv::convolve(fftconv::ConstView<float>(pixels, shape),
                            fftconv::ConstView<float>(taps, kshape),
                            fftconv::View<float>(out.get(), shape));
        });
      },
      [&] {
        return cpu_seconds_of([&] {
          write_whole(call_out_path, file.data(), header, result.get(), n * sizeof(float));
        });
      },
      [&] { return run(program); },
      [&] {
        return run({cli, "--version"});
      }};
  std::vector<std::vector<double>> wall(steps.size()), cpu(steps.size());
  for (int r = 0; r < rounds; ++r)
    for (std::size_t i = 0; i < steps.size(); ++i) {
      const std::size_t which = (i + static_cast<std::size_t>(r)) % steps.size();
      const auto t0 = std::chrono::steady_clock::now();
      cpu[which].push_back(steps[which]() * 1e3);
      wall[which].push_back(
          std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - t0).count());
    }
  const char* const names[] = {"read", "call", "write"};
  double wall_sum = 0, cpu_sum = 0;
  std::printf("image %zux%zu float32, kernel %zux%zu, medians of %d interleaved rounds\n", size,
              size, ksize, ksize, rounds);
  std::printf("%-10s %10s %10s\n", "", "wall ms", "cpu ms");
  for (std::size_t i = 0; i < 3; ++i) {
    wall_sum += median(wall[i]);
    cpu_sum += median(cpu[i]);
    std::printf("%-10s %10.1f %10.1f\n", names[i], median(wall[i]), median(cpu[i]));
  }
  std::printf("%-10s %10.1f %10.1f\n", "sum", wall_sum, cpu_sum);
  std::printf("%-10s %10.1f %10.1f  (fftconv convolve IMAGE KERNEL -o OUT -q)\n", "program",
              median(wall[3]), median(cpu[3]));
  std::printf("%-10s %10.2f %10.2f  (program / sum; goal <= 1.5)\n", "ratio",
              median(wall[3]) / wall_sum, median(cpu[3]) / cpu_sum);
  // The program's fixed cost: loading it and its shared libraries (cfitsio brings libcurl and
  // its TLS, Kerberos and LDAP libraries) and exiting.
  std::printf("%-10s %10.1f %10.1f  (fftconv --version: start and exit)\n", "start",
              median(wall[4]), median(cpu[4]));
  std::printf("%-10s %10.2f %10.2f  ((program - start) / sum)\n", "ratio",
              (median(wall[3]) - median(wall[4])) / wall_sum,
              (median(cpu[3]) - median(cpu[4])) / cpu_sum);
  std::error_code ec;
  fs::remove_all(dir, ec);
  return 0;
}
