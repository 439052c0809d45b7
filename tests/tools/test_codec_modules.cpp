// FITS and TIFF support in the fftconv program are modules loaded on first use (issue 17,
// item 19: loading cfitsio's forty-odd libraries cost a small job more than its computation).
// What a run loads is what the dynamic loader reports (LD_DEBUG=files).
#include <doctest/doctest.h>

#include <filesystem>
#include <string>
#include <vector>

#include "io/files.hpp"
#include "tool_test_support.hpp"

using fftconv::test::run_fftconv;
using fftconv::test::TempDir;
using fftconv::test::write_image_and_kernel;

namespace {

/// The loader's report of every object a run of the program with `args` loaded, and the run's
/// exit code.
fftconv::test::RunResult loaded_by(const std::vector<std::string>& args, const TempDir& dir) {
  return run_fftconv(args, dir, fftconv::test::with_environment({"LD_DEBUG=files"}));
}

}  // namespace

TEST_CASE("the program loads cfitsio and libtiff only for FITS and TIFF files") {
  const TempDir dir;
  write_image_and_kernel(dir);
  const auto npy = loaded_by({"convolve", dir / "im.npy", dir / "k.npy", "-o", dir / "o.npy"}, dir);
  REQUIRE(npy.exit_code == 0);
  REQUIRE(npy.err.find("file=") != std::string::npos);  // (the loader did report)
  CHECK(npy.err.find("libcfitsio") == std::string::npos);
  CHECK(npy.err.find("libtiff") == std::string::npos);
  CHECK(npy.err.find("fftconv-fits.so") == std::string::npos);

  const auto fits =
      loaded_by({"convolve", dir / "im.npy", dir / "k.npy", "-o", dir / "o.fits"}, dir);
  REQUIRE(fits.exit_code == 0);
  CHECK(fits.err.find("fftconv-fits.so") != std::string::npos);
  CHECK(fits.err.find("libcfitsio") != std::string::npos);
  CHECK(fits.err.find("libtiff") == std::string::npos);

  const auto tiff = loaded_by({"blur", dir / "o.fits", "--sigma", "1", "-o", dir / "o.tif"}, dir);
  REQUIRE(tiff.exit_code == 0);
  CHECK(tiff.err.find("fftconv-tiff.so") != std::string::npos);
  CHECK(tiff.err.find("libtiff") != std::string::npos);
  // (What the modules wrote reads back as the npy result.)
  const auto a = fftconv::io::read_image(dir / "o.npy"),
             b = fftconv::io::read_image(dir / "o.fits");
  CHECK(a.bytes == b.bytes);
}

TEST_CASE("without its modules the program still reads npy, and says what is missing for FITS") {
  const TempDir dir;
  write_image_and_kernel(dir);
  // A copy of the program alone in a bin/ directory: no lib/.../fftconv/ beside it.
  std::filesystem::create_directory(dir.path() / "bin");
  const std::string copy = dir / "bin/fftconv";
  std::filesystem::copy_file(FFTCONV_CLI_PATH, copy);
  const std::vector<std::string> fits_out{"convolve", dir / "im.npy", dir / "k.npy", "-o",
                                          dir / "o.fits"};
  fftconv::test::Launch the_copy;
  the_copy.program = copy;
  const auto r = run_fftconv(fits_out, dir, the_copy);
  CHECK(r.exit_code == 1);
  CHECK(r.err.find("o.fits: FITS support is missing: its module cannot be loaded (") !=
        std::string::npos);
  CHECK(r.err.find("fftconv-fits.so") != std::string::npos);
  CHECK(!std::filesystem::exists(dir / "o.fits"));
  CHECK(run_fftconv({"convolve", dir / "im.npy", dir / "k.npy", "-o", dir / "o.npy"}, dir, the_copy)
            .exit_code == 0);
}
