// libFuzzer target for one image-file reader, chosen at compile time by FFTCONV_FUZZ_FORMAT
// (0 npy, 1 FITS, 2 TIFF, 3 PNG). Arbitrary bytes must give an image or an IoError, never a
// crash, a hang or an allocation beyond the limit. A decoded image must be consistent (rank 1
// to 3, no zero extent, a pixel type in range, complex pixels only from npy, as many bytes as
// pixels) and survive a round trip through the writer of its own format unchanged, so the
// writers are fuzzed with every shape and type the readers produce (npy's complex64 and
// complex128 included).
#include <unistd.h>

#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <string>

#include "io/files.hpp"

namespace {

[[noreturn]] void fail(const char* why) {
  std::fprintf(stderr, "fuzz_read: %s\n", why);
  std::abort();
}

using fftconv::io::Format;

constexpr Format format = static_cast<Format>(FFTCONV_FUZZ_FORMAT);
constexpr const char* extension[] = {".npy", ".fits", ".tif", ".png"};
// Enough for every seed and far below libFuzzer's 2 GB memory limit.
constexpr fftconv::io::ReadLimits limits{std::size_t{64} << 20};
// Round trips write a file: only for small images, to keep the target fast.
constexpr std::size_t round_trip_bytes = std::size_t{1} << 20;

}  // namespace

// cfitsio sizes some buffers from header values (binary-table columns) and handles a failed
// allocation; ASan would instead abort on requests beyond its maximum. Our own code never gets
// there: its buffers are checked against `limits` first, and a bad_alloc escaping it would
// still abort (only IoError is caught).
extern "C" const char* __asan_default_options() {
  return "allocator_may_return_null=1";
}

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  fftconv::io::Image image;
  try {
    image = fftconv::io::decode(format, data, size, limits);
  } catch (const fftconv::io::IoError&) {
    return 0;
  }
  const int type = static_cast<int>(image.type);
  if (type < 0 || type >= fftconv::io::pixel_type_count) fail("pixel type out of range");
  if (format != Format::npy && fftconv::io::is_complex(image.type))
    fail("complex pixels from a format that cannot hold them");
  const int rank = image.shape.rank();
  if (rank < 1 || rank > 3) fail("rank outside 1..3");
  for (std::size_t e : image.shape)
    if (e == 0) fail("zero extent");
  if (image.bytes.size() != fftconv::element_count(image.shape) * fftconv::io::size_of(image.type))
    fail("byte count differs from the shape");
  if (image.bytes.size() > round_trip_bytes) return 0;
  if (format == Format::tiff && rank == 1) fail("TIFF decoded a 1-D image");
  if (format == Format::png && rank != 2) fail("PNG decoded a non-2-D image");

  static const std::string path =
      "/tmp/fftconv-fuzz-read-" + std::to_string(::getpid()) + extension[static_cast<int>(format)];
  fftconv::io::write_image(path, image);
  const fftconv::io::Image back = fftconv::io::read_image(path);
  std::remove(path.c_str());
  if (back.shape != image.shape || back.type != image.type || back.bytes != image.bytes)
    fail("the round trip through the writer changed the image");
  return 0;
}
