// The fftconv program's progress bar, its plane-by-plane path for stacks, and its FFTW wisdom
// cache, run as a user runs them (the data path's speed is measured by bench/bench_cli instead).
#include <doctest/doctest.h>
#include <sys/stat.h>

#include <set>
#include <sstream>
#include <string>
#include <vector>

#include "fftconv/fftconv.hpp"
#include "io/convert.hpp"
#include "io/files.hpp"
#include "tool_test_support.hpp"

using fftconv::Shape;
using fftconv::io::Image;
using fftconv::io::PixelType;
using fftconv::test::Launch;
using fftconv::test::run_fftconv;
using fftconv::test::TempDir;
using fftconv::test::with_environment;

namespace {

/// A 12-plane float32 stack and a 9x9 kernel; `separable`: the kernel is an outer product.
void write_stack_and_kernel(const TempDir& dir, bool separable = false) {
  fftconv::io::write_image(dir / "stack.npy",
                           fftconv::test::random_image(Shape{12, 64, 80}, PixelType::f32, 11));
  Image kernel = fftconv::test::random_image(Shape{9, 9}, PixelType::f32, 12, 0.5, 2);
  if (separable) {
    std::vector<float> v(81);
    for (std::size_t i = 0; i < 81; ++i)
      v[i] = static_cast<float>((1 + i / 9) * (2 + i % 9 % 4));
    fftconv::io::Conversion report;
    kernel = fftconv::io::from_values(Shape{9, 9}, v.data(), PixelType::f32, report);
  }
  fftconv::io::write_image(dir / "k.npy", kernel);
}

/// Writes the wisdom tests' a.npy (40 x 50) and k.npy (3 x 3) of `type` into `dir`, and returns
/// the arguments of their convolution by FFT planned with `planning` (which uses the wisdom).
std::vector<std::string> write_fft_run(const TempDir& dir, const std::string& planning,
                                       PixelType type = PixelType::f64) {
  fftconv::test::write_image_and_kernel(dir, Shape{40, 50}, Shape{3, 3}, type, "a.npy");
  return {"convolve", dir / "a.npy", dir / "k.npy", "-o",    dir / "o.npy",
          "--method", "fft",         "--planning",  planning};
}

std::vector<std::string> lines_of(const std::string& text) {
  std::vector<std::string> lines;
  std::istringstream in(text);
  for (std::string line; std::getline(in, line);)
    lines.push_back(line);
  return lines;
}

mode_t mode_of(const std::string& path) {
  struct stat st {};
  REQUIRE(::stat(path.c_str(), &st) == 0);
  return st.st_mode & 07777;
}

}  // namespace

TEST_CASE("progress: on a terminal the bar counts the planes of one stack, elapsed and time left") {
  if (!fftconv::test::pseudo_terminal_available()) return;
  const TempDir dir;
  write_stack_and_kernel(dir);
  const auto r = run_fftconv(
      {"convolve", dir / "stack.npy", dir / "k.npy", "-o", dir / "out.npy", "--method", "direct"},
      dir, fftconv::test::on_terminal());
  REQUIRE(r.exit_code == 0);
  // Every plane is a step of its own, in order, each drawn with the time elapsed; from the first
  // finished plane on, with the time left.
  std::size_t at = 0;
  for (int plane = 1; plane <= 12; ++plane) {
    const std::string step = "filtering stack.npy, plane " + std::to_string(plane) + "/12";
    const std::size_t found = r.err.find(step, at);
    REQUIRE_MESSAGE(found != std::string::npos, step << " not drawn in: " << r.err);
    const std::size_t end = r.err.find('\r', found);
    const std::string drawn = r.err.substr(found, end - found);
    CHECK(drawn.find(" elapsed") != std::string::npos);
    if (plane < 12) CHECK_MESSAGE(drawn.find(" left") != std::string::npos, drawn);
    at = found + 1;
  }
  CHECK(r.err.find("reading stack.npy") != std::string::npos);
  CHECK(r.err.find("writing out.npy") != std::string::npos);
  // The bar is erased at the end: the last thing on the terminal is an erased line.
  CHECK(r.err.size() >= 4);
  CHECK(r.err.substr(r.err.size() - 4) == "\r\033[K");
}

TEST_CASE("progress: nothing is drawn when stderr is not a terminal") {
  const TempDir dir;
  write_stack_and_kernel(dir);
  const auto r = run_fftconv(
      {"convolve", dir / "stack.npy", dir / "k.npy", "-o", dir / "out.npy", "--method", "direct"},
      dir, with_environment({"FFTCONV_PROGRESS_DELAY=0"}));
  REQUIRE(r.exit_code == 0);
  CHECK(r.err.empty());
}

TEST_CASE("a stack filtered by direct sums plane by plane equals the library's 3-D call") {
  for (const char* method : {"direct", "separable"}) {
    CAPTURE(method);
    const TempDir dir;
    write_stack_and_kernel(dir, std::string(method) == "separable");
    for (const char* boundary : {"zero", "reflect"}) {
      CAPTURE(boundary);
      const auto r = run_fftconv({"convolve", dir / "stack.npy", dir / "k.npy", "-o",
                                  dir / "out.npy", "--method", method, "--boundary", boundary},
                                 dir);
      REQUIRE(r.exit_code == 0);
      fftconv::Options options;
      options.method =
          std::string(method) == "direct" ? fftconv::Method::direct : fftconv::Method::separable;
      options.boundary =
          std::string(boundary) == "zero" ? fftconv::Boundary::zero : fftconv::Boundary::reflect;
      Shape shape;  // (the 2-D kernel applies to each plane of the 3-D stack)
      const std::vector<float> want = fftconv::test::library_result<float>(
          fftconv::io::read_image(dir / "stack.npy"), fftconv::io::read_image(dir / "k.npy"),
          fftconv::Operation::convolve, options, shape);
      const Image got = fftconv::io::read_image(dir / "out.npy");
      REQUIRE(got.type == PixelType::f32);
      REQUIRE(got.bytes.size() == want.size() * sizeof(float));
      CHECK(std::memcmp(got.bytes.data(), want.data(), got.bytes.size()) == 0);  // bit for bit
    }
  }
}

TEST_CASE("wisdom: --planning measure keeps FFTW wisdom in the user's cache, 0700, reloaded") {
  const TempDir dir;
  const std::string cache = dir / "cache";  // (does not exist yet)
  const Launch cached = with_environment({"XDG_CACHE_HOME=" + cache});
  fftconv::io::write_image(dir / "a.npy",
                           fftconv::test::random_image(Shape{100, 120}, PixelType::f64, 1));
  fftconv::io::write_image(dir / "b.npy",
                           fftconv::test::random_image(Shape{30, 44}, PixelType::f64, 2));
  fftconv::io::write_image(dir / "k.npy",
                           fftconv::test::random_image(Shape{5, 5}, PixelType::f64, 3));
  const std::string wisdom = cache + "/fftconv/wisdom";
  const auto first = run_fftconv({"convolve", dir / "a.npy", dir / "k.npy", "-o", dir / "o.npy",
                                  "--method", "fft", "--planning", "measure"},
                                 dir, cached);
  REQUIRE(first.exit_code == 0);
  CHECK(first.err.empty());
  REQUIRE(std::filesystem::exists(wisdom));
  CHECK(mode_of(cache) == 0700);
  CHECK(mode_of(cache + "/fftconv") == 0700);
  CHECK_NOTHROW(fftconv::import_wisdom_from_file(wisdom));  // FFTW wisdom, as the library reads
  const std::string after_first = fftconv::test::read_text(wisdom);
  CHECK(std::filesystem::directory_iterator(cache + "/fftconv")->path() == wisdom);  // (no temp)

  // A second run with another size loads the file and adds to it: what the first run learned
  // stays (a run that had not loaded it would save its own wisdom only).
  const auto second = run_fftconv({"convolve", dir / "b.npy", dir / "k.npy", "-o", dir / "o.npy",
                                   "--method", "fft", "--planning", "measure"},
                                  dir, cached);
  REQUIRE(second.exit_code == 0);
  const std::string after_second = fftconv::test::read_text(wisdom);
  CHECK(after_second != after_first);
  const std::vector<std::string> now = lines_of(after_second);
  const std::set<std::string> kept(now.begin(), now.end());
  for (const std::string& line : lines_of(after_first))
    CHECK_MESSAGE(kept.count(line) == 1, "lost after the second run: " << line);

  // Planning estimate neither reads nor writes it.
  std::filesystem::remove(wisdom);
  REQUIRE(run_fftconv(
              {"convolve", dir / "a.npy", dir / "k.npy", "-o", dir / "o.npy", "--method", "fft"},
              dir, cached)
              .exit_code == 0);
  CHECK(!std::filesystem::exists(wisdom));
}

TEST_CASE("wisdom: without XDG_CACHE_HOME the cache is ~/.cache/fftconv/wisdom") {
  const TempDir dir;
  const auto r = run_fftconv(write_fft_run(dir, "patient", PixelType::f32), dir,
                             with_environment({"XDG_CACHE_HOME", "HOME=" + dir.path().string()}));
  REQUIRE(r.exit_code == 0);
  CHECK(std::filesystem::exists(dir / ".cache/fftconv/wisdom"));
  CHECK(mode_of(dir / ".cache/fftconv") == 0700);
}

TEST_CASE("wisdom: a corrupt file is ignored with a warning and replaced, and the run succeeds") {
  const TempDir dir;
  std::filesystem::create_directory(dir / "fftconv");
  const std::string wisdom = dir / "fftconv/wisdom";
  fftconv::test::write_bytes(wisdom, {'(', 'f', 'f', 't', 'w', '-', 'n', 'o', 't', '\n'});
  const auto r = run_fftconv(write_fft_run(dir, "measure"), dir,
                             with_environment({"XDG_CACHE_HOME=" + dir.path().string()}));
  REQUIRE(r.exit_code == 0);
  CHECK(r.err.find("warning: " + wisdom + ": ") != std::string::npos);
  CHECK(r.err.find("ignored") != std::string::npos);
  CHECK(lines_of(r.err).size() == 1);
  CHECK(std::filesystem::exists(dir / "o.npy"));
  CHECK_NOTHROW(fftconv::import_wisdom_from_file(wisdom));  // replaced by real wisdom
}

TEST_CASE("wisdom: --wisdom FILE uses that file, --wisdom none no file at all") {
  const TempDir dir;
  const std::string cache = dir / "cache";
  const Launch cached = with_environment({"XDG_CACHE_HOME=" + cache});
  const std::vector<std::string> measure = write_fft_run(dir, "measure");
  auto args = measure;
  args.insert(args.end(), {"--wisdom", "none"});
  REQUIRE(run_fftconv(args, dir, cached).exit_code == 0);
  CHECK(!std::filesystem::exists(cache));

  args = measure;
  args.insert(args.end(), {"--wisdom", dir / "my.wisdom"});
  REQUIRE(run_fftconv(args, dir, cached).exit_code == 0);
  CHECK(!std::filesystem::exists(cache));
  REQUIRE(std::filesystem::exists(dir / "my.wisdom"));
  CHECK_NOTHROW(fftconv::import_wisdom_from_file(dir / "my.wisdom"));

  // The file is read: a corrupt one is reported by that name.
  fftconv::test::write_bytes(dir / "bad.wisdom", {'x', '\n'});
  args = measure;
  args.insert(args.end(), {"--wisdom", dir / "bad.wisdom"});
  const auto r = run_fftconv(args, dir, cached);
  REQUIRE(r.exit_code == 0);
  CHECK(r.err.find("warning: " + dir / "bad.wisdom" + ": ") != std::string::npos);
}
