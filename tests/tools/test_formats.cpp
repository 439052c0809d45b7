// FITS and TIFF as their users write them, and as an attacker would: huge images declared by
// tiny compressed files, truncated files, file text with control bytes in messages, the FITS
// header carried to the output, HDU selection, .fits.gz and BSCALE/BZERO.
#include <doctest/doctest.h>
#include <fitsio.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <tiffio.h>
#include <unistd.h>
#include <zlib.h>

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <cstring>
#include <functional>
#include <string>
#include <vector>

#include "fftconv/version.hpp"
#include "io/convert.hpp"
#include "io/files.hpp"
#include "io/fits_names.hpp"
#include "io/formats.hpp"
#include "tool_test_support.hpp"

using fftconv::Shape;
using fftconv::io::Image;
using fftconv::io::IoError;
using fftconv::io::PixelType;
using fftconv::io::ReadLimits;
using fftconv::test::planes_of;
using fftconv::test::read_bytes;
using fftconv::test::run_fftconv;
using fftconv::test::TempDir;
using fftconv::test::write_bytes;

namespace {

constexpr std::size_t one_gb = std::size_t{1} << 30;

/// The message of the IoError `decode` throws, run in a child process whose address space is
/// limited to `address_space` bytes: a reader that allocated what a header declares would fail
/// with "out of memory" (or be killed) instead of refusing with its own reason.
std::string refusal_under_memory_limit(const std::function<void()>& decode,
                                       std::size_t address_space) {
  int fds[2];
  REQUIRE(::pipe(fds) == 0);
  const pid_t pid = ::fork();
  REQUIRE(pid >= 0);
  if (pid == 0) {
    ::close(fds[0]);
#ifndef FFTCONV_TEST_SANITIZED  // (under a sanitizer: the refusal's own reason is still checked)
    const rlimit limit{address_space, address_space};
    ::setrlimit(RLIMIT_AS, &limit);
#else
    (void)address_space;
#endif
    std::string message = "decoded without an error";
    try {
      decode();
    } catch (const std::exception& e) {
      message = e.what();
    }
    const ssize_t written = ::write(fds[1], message.data(), message.size());
    ::_exit(written == static_cast<ssize_t>(message.size()) ? 0 : 1);
  }
  ::close(fds[1]);
  std::string message;
  char buffer[4096];
  for (ssize_t n; (n = ::read(fds[0], buffer, sizeof buffer)) > 0;)
    message.append(buffer, static_cast<std::size_t>(n));
  ::close(fds[0]);
  int status = 0;
  ::waitpid(pid, &status, 0);
  CHECK(WIFEXITED(status));
  return message;
}

/// Whether `text` holds a byte outside printable ASCII.
bool has_control_bytes(const std::string& text) {
  return std::any_of(text.begin(), text.end(),
                     [](unsigned char c) { return c < 0x20 || c >= 0x7f; });
}

/// Replaces the value of the 80-byte card `keyword` (e.g. "ZNAXIS1 =") in a FITS file's bytes
/// with `value`, right-aligned in columns 11-30.
void patch_card(std::vector<unsigned char>& fits, const std::string& keyword, long long value) {
  const auto at = std::search(fits.begin(), fits.end(), keyword.begin(), keyword.end());
  REQUIRE(at != fits.end());
  char text[32];
  std::snprintf(text, sizeof text, "%21lld", value);
  std::copy(text, text + 21, at + 9);
}

/// A Rice tile-compressed 100 x 100 int16 FITS file's bytes (tiles of one row).
std::vector<unsigned char> rice_fits(const TempDir& dir) {
  const std::string path = dir / "rice.fits";
  fitsfile* f = nullptr;
  int status = 0;
  fits_create_file(&f, path.c_str(), &status);
  fits_set_compression_type(f, RICE_1, &status);
  long axes[2] = {100, 100};
  fits_create_img(f, SHORT_IMG, 2, axes, &status);
  std::vector<short> v(10000);
  for (std::size_t i = 0; i < v.size(); ++i)
    v[i] = static_cast<short>(i % 1000);
  fits_write_img(f, TSHORT, 1, 10000, v.data(), &status);
  fits_close_file(f, &status);
  REQUIRE(status == 0);
  return read_bytes(path);
}

/// A FITS file made with cfitsio: `body` writes the HDUs.
template <class Body>
void write_fits_with(const std::string& path, Body body) {
  std::remove(path.c_str());
  fitsfile* f = nullptr;
  int status = 0;
  fits_create_file(&f, path.c_str(), &status);
  REQUIRE(status == 0);
  body(f, status);
  fits_close_file(f, &status);
  REQUIRE(status == 0);
}

/// The header cards of a FITS file's first HDU (80 characters each, up to END).
std::vector<std::string> primary_cards(const std::vector<unsigned char>& fits) {
  std::vector<std::string> cards;
  for (std::size_t at = 0; at + 80 <= fits.size(); at += 80) {
    cards.emplace_back(fits.begin() + static_cast<std::ptrdiff_t>(at),
                       fits.begin() + static_cast<std::ptrdiff_t>(at + 80));
    if (cards.back().compare(0, 4, "END ") == 0) break;
  }
  return cards;
}

bool has_card(const std::vector<std::string>& cards, const std::string& start) {
  return std::any_of(cards.begin(), cards.end(),
                     [&](const std::string& c) { return c.compare(0, start.size(), start) == 0; });
}

std::vector<unsigned char> gunzip_bytes(const std::vector<unsigned char>& gz) {
  z_stream z{};
  REQUIRE(inflateInit2(&z, 16 + MAX_WBITS) == Z_OK);
  std::vector<unsigned char> out(1 << 22);
  z.next_in = const_cast<unsigned char*>(gz.data());
  z.avail_in = static_cast<uInt>(gz.size());
  z.next_out = out.data();
  z.avail_out = static_cast<uInt>(out.size());
  CHECK(inflate(&z, Z_FINISH) == Z_STREAM_END);
  out.resize(z.total_out);
  inflateEnd(&z);
  return out;
}

std::vector<unsigned char> gzip_bytes(const std::vector<unsigned char>& data) {
  z_stream z{};
  REQUIRE(deflateInit2(&z, 6, Z_DEFLATED, 16 + MAX_WBITS, 8, Z_DEFAULT_STRATEGY) == Z_OK);
  std::vector<unsigned char> out(deflateBound(&z, static_cast<uLong>(data.size())) + 64);
  z.next_in = const_cast<unsigned char*>(data.data());
  z.avail_in = static_cast<uInt>(data.size());
  z.next_out = out.data();
  z.avail_out = static_cast<uInt>(out.size());
  CHECK(deflate(&z, Z_FINISH) == Z_STREAM_END);
  out.resize(z.total_out);
  deflateEnd(&z);
  return out;
}

/// A little-endian TIFF of `pages` deflate-compressed width x height uint8 pages that all point
/// to one strip of zeros (whose byte count may be overstated by `extra_count`).
std::vector<unsigned char> shared_strip_tiff(std::uint32_t width, std::uint32_t height, int pages,
                                             std::uint32_t extra_count = 0) {
  std::vector<unsigned char> zeros(std::size_t{width} * height, 0);
  uLongf strip_size = compressBound(static_cast<uLong>(zeros.size()));
  std::vector<unsigned char> strip(strip_size);
  REQUIRE(compress(strip.data(), &strip_size, zeros.data(), static_cast<uLong>(zeros.size())) ==
          Z_OK);
  strip.resize(strip_size + (strip_size % 2));
  std::vector<unsigned char> t{'I', 'I', 42, 0};
  const auto u16 = [&](std::uint32_t v) {
    t.push_back(static_cast<unsigned char>(v));
    t.push_back(static_cast<unsigned char>(v >> 8));
  };
  const auto u32 = [&](std::uint32_t v) {
    u16(v & 0xffff);
    u16(v >> 16);
  };
  u32(static_cast<std::uint32_t>(8 + strip.size()));
  t.insert(t.end(), strip.begin(), strip.end());
  const std::uint32_t entries[9][3] = {
      {256, 4, width},
      {257, 4, height},
      {258, 3, 8},
      {259, 3, COMPRESSION_ADOBE_DEFLATE},
      {262, 3, PHOTOMETRIC_MINISBLACK},
      {273, 4, 8},
      {277, 3, 1},
      {278, 4, height},
      {279, 4, static_cast<std::uint32_t>(strip_size) + extra_count}};
  for (int p = 0; p < pages; ++p) {
    u16(9);
    for (const auto& e : entries) {
      u16(e[0]);
      u16(e[1]);
      u32(1);
      if (e[1] == 3) {
        u16(e[2]);
        u16(0);
      } else {
        u32(e[2]);
      }
    }
    u32(p + 1 < pages ? static_cast<std::uint32_t>(t.size() + 4) : 0);
  }
  return t;
}

}  // namespace

TEST_CASE("TIFF: pages sharing one compressed strip and strips past the end are refused") {
  // 200 pages of 4096 x 4096 (3.4 GB) declared by a 40 kB file.
  const std::vector<unsigned char> many = shared_strip_tiff(4096, 4096, 200);
  CHECK(many.size() < 60000);
  const std::vector<unsigned char> one = shared_strip_tiff(4096, 4096, 1);
  CHECK(fftconv::io::decode_tiff(one.data(), one.size()).shape == Shape{4096, 4096});
  ReadLimits limits;
  limits.max_bytes = one_gb;
  const std::string message = refusal_under_memory_limit(
      [&] { fftconv::io::decode_tiff(many.data(), many.size(), limits); }, one_gb);
  CHECK(message.find("TIFF pages 1 to ") == 0);
  CHECK(message.find(" bytes of strips or tiles, more than the " + std::to_string(many.size()) +
                     "-byte file holds: corrupt") != std::string::npos);

  // A strip whose byte count runs past the end of the file: libtiff would allocate it.
  const std::vector<unsigned char> long_strip = shared_strip_tiff(64, 64, 1, 1u << 30);
  CHECK_THROWS_WITH_AS(fftconv::io::decode_tiff(long_strip.data(), long_strip.size()),
                       doctest::Contains("TIFF strip 0 declares"), IoError);
}

TEST_CASE("FITS: a tile-compressed file declaring a huge image is refused before allocating") {
  TempDir dir;
  const std::vector<unsigned char> rice = rice_fits(dir);
  CHECK(rice.size() < 40000);

  // ZNAXIS 60000 x 60000 (7.2 GB of int16) in a few kilobytes.
  std::vector<unsigned char> huge = rice;
  patch_card(huge, "ZNAXIS1 =", 60000);
  patch_card(huge, "ZNAXIS2 =", 60000);
  ReadLimits limits;
  limits.max_bytes = one_gb;
  CHECK_THROWS_WITH_AS(fftconv::io::decode_fits(huge.data(), huge.size(), limits),
                       "image of shape 60000x60000 int16 needs 7200000000 bytes to read, more "
                       "than the limit of 1073741824 bytes",
                       IoError);
  // Without a limit the declared tiles are checked against the table before any allocation:
  // 36 000 000 tiles of 100 pixels (ZTILE1 = 100), in a table of 100 rows.
  const std::string unlimited = refusal_under_memory_limit(
      [&] { fftconv::io::decode_fits(huge.data(), huge.size()); }, one_gb);
  CHECK(unlimited ==
        "tile-compressed FITS declares a 60000x60000 image in 36000000 tiles of 1x100 pixels but "
        "its table holds 100: "
        "corrupt or truncated");

  // One tile of 20000 x 20000 (an image of 800 MB, under the limit): cfitsio's buffers for the
  // tile (up to 8 bytes a pixel) are not.
  std::vector<unsigned char> big_tile = rice;
  for (const char* key : {"ZNAXIS1 =", "ZNAXIS2 =", "ZTILE1  =", "ZTILE2  ="})
    patch_card(big_tile, key, 20000);
  const std::string tile_message = refusal_under_memory_limit(
      [&] { fftconv::io::decode_fits(big_tile.data(), big_tile.size(), limits); }, one_gb);
  CHECK(tile_message ==
        "a compressed FITS tile of 20000x20000 pixels needs up to 3200000000 bytes of decoding "
        "buffers, more than the limit of 1073741824 bytes");

  // A tile whose compressed bytes would lie past the end of the file: cfitsio allocates what
  // the row declares.
  const std::vector<unsigned char> cut(rice.begin(), rice.begin() + 2880 * 2 + 100);
  CHECK_THROWS_WITH_AS(fftconv::io::decode_fits(cut.data(), cut.size()),
                       doctest::Contains("truncated FITS file"), IoError);
}

TEST_CASE("FITS: gzip data inflating beyond the limit is refused") {
  TempDir dir;
  const Image image = fftconv::test::random_image(Shape{200, 300}, PixelType::f32, 3);
  fftconv::io::write_image(dir / "a.fits", image);
  const std::vector<unsigned char> gz = gzip_bytes(read_bytes(dir / "a.fits"));
  ReadLimits limits;
  limits.max_bytes = 100000;
  CHECK_THROWS_WITH_AS(fftconv::io::decode_fits(gz.data(), gz.size(), limits),
                       "gzip-compressed FITS expands to more than the limit of 100000 bytes",
                       IoError);
}

TEST_CASE("a truncated FITS file names the file and how many bytes are missing") {
  TempDir dir;
  fftconv::io::write_image(dir / "a.fits",
                           fftconv::test::random_image(Shape{100, 100}, PixelType::f32, 1));
  const std::vector<unsigned char> whole = read_bytes(dir / "a.fits");
  REQUIRE(whole.size() == 43200);  // a header record and 40000 bytes of data, padded
  for (std::size_t kept : {std::size_t{2000}, std::size_t{2880}, std::size_t{20000}}) {
    CAPTURE(kept);
    write_bytes(dir / "cut.fits",
                std::vector<unsigned char>(whole.begin(),
                                           whole.begin() + static_cast<std::ptrdiff_t>(kept)));
    CHECK_THROWS_WITH_AS(
        fftconv::io::read_image(dir / "cut.fits"),
        (dir / "cut.fits: truncated FITS file: its header declares at least "
               "43200 bytes, the file has " +
         std::to_string(kept) + " (" + std::to_string(43200 - kept) + " bytes missing)")
            .c_str(),
        IoError);
  }
  fftconv::io::write_image(dir / "k.npy",
                           fftconv::test::random_image(Shape{3, 3}, PixelType::f64, 2));
  const auto r =
      run_fftconv({"convolve", dir / "cut.fits", dir / "k.npy", "-o", dir / "o.fits"}, dir);
  CHECK(r.exit_code == 1);
  CHECK(r.err == "fftconv: error: " + (dir / "cut.fits") +
                     ": truncated FITS file: its header declares at least 43200 bytes, the file "
                     "has 20000 (23200 bytes missing)\n");
  CHECK(!std::filesystem::exists(dir / "o.fits"));
}

TEST_CASE("FITS header text in messages: control bytes escaped, long strings cut") {
  TempDir dir;
  // A BITPIX value holding ESC [2J (clear the screen), CR and LF: cfitsio quotes it.
  std::string header;
  const auto card = [&](const std::string& text) {
    header += (text + std::string(80, ' ')).substr(0, 80);
  };
  card("SIMPLE  =                    T");
  card("BITPIX  = \x1b[2J\r\nEVIL");
  card("NAXIS   =                    0");
  card("END");
  header.resize(2880, ' ');
  const std::vector<unsigned char> bytes(header.begin(), header.end());
  try {
    fftconv::io::decode_fits(bytes.data(), bytes.size());
    FAIL("decoded");
  } catch (const IoError& e) {
    const std::string message = e.what();
    CHECK(!has_control_bytes(message));
    CHECK(message.find("\\x1b[2J\\x0d\\x0aEVIL") != std::string::npos);
  }

  // An EXTNAME of 10 kB (a long string over CONTINUE cards) with ESC, CR and LF, listed when
  // the selected HDU does not exist. (cfitsio writes control bytes as spaces: patched in.)
  const std::string placeholder = "A#[31m%&";
  const std::string long_name = placeholder + std::string(10000, 'x');
  write_fits_with(dir / "long.fits", [&](fitsfile* f, int& status) {
    long axes[1] = {4};
    fits_create_img(f, FLOAT_IMG, 1, axes, &status);
    float v[4] = {1, 2, 3, 4};
    fits_write_img(f, TFLOAT, 1, 4, v, &status);
    fits_create_img(f, FLOAT_IMG, 1, axes, &status);
    fits_write_key_longstr(f, "EXTNAME", long_name.c_str(), nullptr, &status);
    fits_write_img(f, TFLOAT, 1, 4, v, &status);
  });
  std::vector<unsigned char> long_file = read_bytes(dir / "long.fits");
  const auto at =
      std::search(long_file.begin(), long_file.end(), placeholder.begin(), placeholder.end());
  REQUIRE(at != long_file.end());
  at[1] = 0x1b;
  at[6] = '\r';
  at[7] = '\n';
  write_bytes(dir / "long.fits", long_file);
  try {
    fftconv::io::read_image(dir / "long.fits[NOPE]");
    FAIL("decoded");
  } catch (const IoError& e) {
    const std::string message = e.what();
    CHECK(!has_control_bytes(message));
    CHECK(message.size() < 300);
    CHECK(message.find("1 'A\\x1b[31m\\x0d\\x0axxx") != std::string::npos);
  }
}

TEST_CASE("FITS HDU selection: file.fits[N], [EXTNAME], [EXTNAME,VER]") {
  TempDir dir;
  write_fits_with(dir / "multi.fits", [&](fitsfile* f, int& status) {
    fits_create_img(f, BYTE_IMG, 0, nullptr, &status);  // an empty primary HDU
    for (int e = 1; e <= 3; ++e) {
      long axes[2] = {3, 2};
      fits_create_img(f, SHORT_IMG, 2, axes, &status);
      fits_write_key_str(f, "EXTNAME", e == 3 ? "ERR" : "SCI", nullptr, &status);
      int version = e;
      fits_write_key(f, TINT, "EXTVER", &version, nullptr, &status);
      short v[6];
      for (short& x : v)
        x = static_cast<short>(10 * e);
      fits_write_img(f, TSHORT, 1, 6, v, &status);
    }
  });
  const auto first_value = [&](const std::string& path) {
    return fftconv::io::to_values<double>(fftconv::io::read_image(path))[0];
  };
  CHECK(first_value(dir / "multi.fits") == 10);  // the first HDU with data
  CHECK(first_value(dir / "multi.fits[1]") == 10);
  CHECK(first_value(dir / "multi.fits[2]") == 20);
  CHECK(first_value(dir / "multi.fits[SCI]") == 10);
  CHECK(first_value(dir / "multi.fits[SCI,2]") == 20);
  CHECK(first_value(dir / "multi.fits[err]") == 30);  // (cfitsio: names in any case)
  CHECK_THROWS_WITH_AS(fftconv::io::read_image(dir / "multi.fits[0]"),
                       (dir / "multi.fits[0]: HDU [0] holds no image data (its HDUs: 0 "
                              "(primary), 1 'SCI', 2 'SCI', 3 'ERR')")
                           .c_str(),
                       IoError);
  CHECK_THROWS_WITH_AS(fftconv::io::read_image(dir / "multi.fits[4]"),
                       doctest::Contains("no HDU [4] in the file"), IoError);
  CHECK_THROWS_WITH_AS(fftconv::io::read_image(dir / "multi.fits[SCI,x]"),
                       doctest::Contains("is not a number, NAME or NAME,VERSION"), IoError);
  CHECK_THROWS_WITH_AS(fftconv::io::read_image(dir / "missing.fits[1]"),
                       doctest::Contains("missing.fits: No such file"), IoError);

  // The split itself: only FITS names lose their bracket.
  CHECK(fftconv::io::split_hdu_selector("a/b.fits[SCI,2]").file == "a/b.fits");
  CHECK(fftconv::io::split_hdu_selector("a/b.fits[SCI,2]").hdu == "SCI,2");
  CHECK(fftconv::io::split_hdu_selector("b.FIT.gz[1]").file == "b.FIT.gz");
  CHECK(fftconv::io::split_hdu_selector("b.npy[1]").file == "b.npy[1]");
  CHECK(fftconv::io::split_hdu_selector("b.fits").hdu.empty());

  // On the command line: the selected HDU is filtered; -o DIR names the output after the file.
  fftconv::io::write_image(dir / "k.npy",
                           fftconv::test::random_image(Shape{1, 1}, PixelType::f64, 2, 1, 1));
  auto r =
      run_fftconv({"convolve", dir / "multi.fits[ERR]", dir / "k.npy", "-o", dir / "out/"}, dir);
  CHECK(r.exit_code == 0);
  CHECK(fftconv::io::to_values<double>(fftconv::io::read_image(dir / "out/multi.fits"))[0] == 30);
}

TEST_CASE("FITS: .fits.gz read and written") {
  TempDir dir;
  const Image image = fftconv::test::random_image(Shape{20, 30}, PixelType::f32, 5);
  fftconv::io::write_image(dir / "a.fits", image);
  write_bytes(dir / "b.fits.gz", gzip_bytes(read_bytes(dir / "a.fits")));
  CHECK(fftconv::io::read_image(dir / "b.fits.gz").bytes == image.bytes);
  CHECK(fftconv::io::format_of(dir / "b.FITS.GZ") == fftconv::io::Format::fits);
  CHECK_THROWS_AS(fftconv::io::format_of(dir / "b.npy.gz"), IoError);

  fftconv::io::write_image(dir / "c.fits.gz", image);
  const std::vector<unsigned char> written = read_bytes(dir / "c.fits.gz");
  REQUIRE(written.size() > 2);
  CHECK(written[0] == 0x1f);  // gzip's magic
  CHECK(written[1] == 0x8b);
  const std::vector<unsigned char> inflated = gunzip_bytes(written);
  CHECK(inflated.size() % 2880 == 0);
  CHECK(fftconv::io::decode_fits(inflated.data(), inflated.size()).bytes == image.bytes);
  CHECK(fftconv::io::read_image(dir / "c.fits.gz[0]").bytes == image.bytes);

  fftconv::io::write_image(dir / "k.npy",
                           fftconv::test::random_image(Shape{1, 1}, PixelType::f64, 2, 1, 1));
  const auto r =
      run_fftconv({"convolve", dir / "b.fits.gz", dir / "k.npy", "-o", dir / "d.fits.gz"}, dir);
  CHECK(r.exit_code == 0);
  CHECK(fftconv::io::read_image(dir / "d.fits.gz").bytes == image.bytes);
}

TEST_CASE("FITS: integer data with BSCALE/BZERO reads as physical values, 64-bit included") {
  TempDir dir;
  const auto scaled = [&](const std::string& name, int bitpix, double bscale, double bzero) {
    write_fits_with(dir / name, [&](fitsfile* f, int& status) {
      long axes[1] = {4};
      fits_create_img(f, bitpix, 1, axes, &status);
      fits_write_key(f, TDOUBLE, "BSCALE", &bscale, nullptr, &status);
      fits_write_key(f, TDOUBLE, "BZERO", &bzero, nullptr, &status);
      fits_set_bscale(f, 1.0, 0.0, &status);  // the raw integers as they are
      long long raw[4] = {0, 1, -3, 100};
      fits_write_img(f, TLONGLONG, 1, 4, raw, &status);
    });
    return fftconv::io::read_image(dir / name);
  };
  Image a = scaled("i16.fits", SHORT_IMG, 0.5, 100);
  CHECK(a.type == PixelType::f32);
  CHECK(fftconv::io::to_values<double>(a) == std::vector<double>{100, 100.5, 98.5, 150});
  a = scaled("i32.fits", LONG_IMG, 0.5, 100);
  CHECK(fftconv::io::to_values<double>(a) == std::vector<double>{100, 100.5, 98.5, 150});
  // cfitsio reports 64-bit data with any scaling as int64 (the scaling then lost).
  a = scaled("i64.fits", LONGLONG_IMG, 0.5, 100);
  CHECK(a.type == PixelType::f64);
  CHECK(fftconv::io::to_values<double>(a) == std::vector<double>{100, 100.5, 98.5, 150});
  a = scaled("i64_offset.fits", LONGLONG_IMG, 1, 0.5);
  CHECK(fftconv::io::to_values<double>(a) == std::vector<double>{0.5, 1.5, -2.5, 100.5});
  // BZERO 2^63 is the uint64 convention however the card spells it: read exactly (cfitsio
  // overflowed when reading it as int64).
  write_fits_with(dir / "u64.fits", [&](fitsfile* f, int& status) {
    long axes[1] = {4};
    fits_create_img(f, LONGLONG_IMG, 1, axes, &status);
    fits_write_record(f, "BZERO   =  9.223372036854775808E18", &status);
    fits_set_bscale(f, 1.0, 0.0, &status);
    long long raw[4] = {0, 1, -3, 100};
    fits_write_img(f, TLONGLONG, 1, 4, raw, &status);
  });
  a = fftconv::io::read_image(dir / "u64.fits");
  REQUIRE(a.type == PixelType::u64);
  std::uint64_t third = 0;
  std::memcpy(&third, a.bytes.data() + 16, 8);
  CHECK(third == (std::uint64_t{1} << 63) - 3);
  // 9.22337203685478E+18 is not 2^63: a scaling, read as float64 physical values.
  a = scaled("near_u64.fits", LONGLONG_IMG, 1, 9.22337203685478e18);
  CHECK(a.type == PixelType::f64);
  CHECK(fftconv::io::to_values<double>(a)[3] == 9.22337203685478e18 + 100);
}

TEST_CASE("fftconv keeps the FITS header (WCS, BUNIT, EXPTIME) and adds a HISTORY card") {
  TempDir dir;
  write_fits_with(dir / "in.fits", [&](fitsfile* f, int& status) {
    fits_create_img(f, BYTE_IMG, 0, nullptr, &status);
    fits_write_key_str(f, "TELESCOP", "HST", nullptr, &status);
    long axes[2] = {20, 10};
    fits_create_img(f, SHORT_IMG, 2, axes, &status);
    fits_write_key_str(f, "EXTNAME", "SCI", nullptr, &status);
    fits_write_key_str(f, "BUNIT", "ELECTRONS/S", "pixel unit", &status);
    double exptime = 300.5, crpix1 = 10.5, crpix2 = 5, crval1 = 150.1;
    fits_write_key(f, TDOUBLE, "EXPTIME", &exptime, "seconds", &status);
    fits_write_key_str(f, "CTYPE1", "RA---TAN", nullptr, &status);
    fits_write_key(f, TDOUBLE, "CRPIX1", &crpix1, "reference pixel", &status);
    fits_write_key(f, TDOUBLE, "CRPIX2", &crpix2, nullptr, &status);
    fits_write_key(f, TDOUBLE, "CRVAL1", &crval1, nullptr, &status);
    fits_write_comment(f, "reduced by the pipeline", &status);
    double bscale = 0.5, bzero = 100;
    fits_write_key(f, TDOUBLE, "BSCALE", &bscale, nullptr, &status);
    fits_write_key(f, TDOUBLE, "BZERO", &bzero, nullptr, &status);
    fits_set_bscale(f, 1.0, 0.0, &status);
    std::vector<short> v(200);
    for (std::size_t i = 0; i < v.size(); ++i)
      v[i] = static_cast<short>(i);
    fits_write_img(f, TSHORT, 1, 200, v.data(), &status);
    fits_write_chksum(f, &status);
  });
  fftconv::io::write_image(dir / "psf.npy",
                           fftconv::test::random_image(Shape{3, 5}, PixelType::f64, 4, 0, 1));
  auto r = run_fftconv({"convolve", dir / "in.fits[SCI]", dir / "psf.npy", "-o", dir / "same.fits",
                        "--boundary", "reflect"},
                       dir);
  REQUIRE(r.exit_code == 0);
  std::vector<std::string> cards = primary_cards(read_bytes(dir / "same.fits"));
  CHECK(has_card(cards, "BUNIT   = 'ELECTRONS/S'"));
  CHECK(has_card(cards, "EXPTIME =                300.5 / seconds"));
  CHECK(has_card(cards, "CTYPE1  = 'RA---TAN'"));
  CHECK(has_card(cards, "CRPIX1  =                 10.5 / reference pixel"));
  CHECK(has_card(cards, "CRPIX2  =                   5."));
  CHECK(has_card(cards, "CRVAL1  =                150.1"));
  CHECK(has_card(cards, "EXTNAME = 'SCI     '"));
  CHECK(has_card(cards, "COMMENT reduced by the pipeline"));
  CHECK(has_card(cards, "HISTORY fftconv " + std::to_string(fftconv::version_major) + "." +
                            std::to_string(fftconv::version_minor) + "." +
                            std::to_string(fftconv::version_patch) +
                            " convolve kernel=psf.npy mode=same boundary=reflect"));
  for (const char* gone : {"BSCALE", "BZERO", "CHECKSUM", "DATASUM", "XTENSION", "PCOUNT"})
    CHECK_MESSAGE(!has_card(cards, gone), gone);
  CHECK(std::count_if(cards.begin(), cards.end(), [](const std::string& c) {
          return c.find("Flexible Image Transport System") != std::string::npos;
        }) == 1);
  CHECK(std::count(cards.begin(), cards.end(), cards[1]) == 1);  // one BITPIX
  // The pixels are physical values (100 + 0.5 raw) convolved.
  const Image out = fftconv::io::read_image(dir / "same.fits");
  CHECK(out.shape == Shape{10, 20});
  CHECK(out.type == PixelType::f32);

  // Full mode: the output starts (k-1)/2 pixels before the image, so CRPIXn moves by that;
  // valid mode: k/2 pixels after it. (The kernel is 5 along NAXIS1, 3 along NAXIS2.)
  r = run_fftconv(
      {"convolve", dir / "in.fits", dir / "psf.npy", "-o", dir / "full.fits.gz", "--mode", "full"},
      dir);
  REQUIRE(r.exit_code == 0);
  cards = primary_cards(gunzip_bytes(read_bytes(dir / "full.fits.gz")));
  CHECK(has_card(cards, "CRPIX1  =                 12.5 / reference pixel"));
  CHECK(has_card(cards, "CRPIX2  =                    6"));
  r = run_fftconv({"blur", dir / "in.fits", "--sigma", "1", "--size", "3", "-o", dir / "valid.fits",
                   "--mode", "valid"},
                  dir);
  REQUIRE(r.exit_code == 0);
  cards = primary_cards(read_bytes(dir / "valid.fits"));
  CHECK(has_card(cards, "CRPIX1  =                  9.5 / reference pixel"));
  CHECK(has_card(cards, "CRPIX2  =                    4"));
  CHECK(has_card(cards, "HISTORY fftconv"));
  CHECK(std::any_of(cards.begin(), cards.end(), [](const std::string& c) {
    return c.find(" blur sigma=1 mode=valid") != std::string::npos;
  }));
}

namespace {

/// Pages of `width` x `height` float32 pixels, `value(page, y, x)`, with an optional
/// ImageDescription on the first page.
template <class Value>
void write_float_pages(const std::string& path, std::uint32_t width, std::uint32_t height,
                       int pages, const std::string& description, Value value) {
  TIFF* t = TIFFOpen(path.c_str(), "w");
  REQUIRE(t);
  std::vector<float> row(width);
  for (int p = 0; p < pages; ++p) {
    TIFFSetField(t, TIFFTAG_IMAGEWIDTH, width);
    TIFFSetField(t, TIFFTAG_IMAGELENGTH, height);
    TIFFSetField(t, TIFFTAG_BITSPERSAMPLE, 32);
    TIFFSetField(t, TIFFTAG_SAMPLEFORMAT, SAMPLEFORMAT_IEEEFP);
    TIFFSetField(t, TIFFTAG_SAMPLESPERPIXEL, 1);
    TIFFSetField(t, TIFFTAG_PHOTOMETRIC, PHOTOMETRIC_MINISBLACK);
    if (p == 0 && !description.empty())
      TIFFSetField(t, TIFFTAG_IMAGEDESCRIPTION, description.c_str());
    for (std::uint32_t y = 0; y < height; ++y) {
      for (std::uint32_t x = 0; x < width; ++x)
        row[x] = value(p, y, x);
      REQUIRE(TIFFWriteScanline(t, row.data(), y, 0) >= 0);
    }
    REQUIRE(TIFFWriteDirectory(t));
  }
  TIFFClose(t);
}

}  // namespace

TEST_CASE("TIFF ImageJ hyperstack: each channel and frame convolved alone with a 3-D kernel") {
  TempDir dir;
  constexpr int channels = 2, slices = 4, frames = 3;
  // Pages channel fastest, then slice, then frame (ImageJ's order); channel c of frame t is a
  // constant volume, 10 (c + 1) + t.
  write_float_pages(dir / "hyper.tif", 9, 8, channels * slices * frames,
                    "ImageJ=1.53t\nimages=24\nchannels=2\nslices=4\nframes=3\nhyperstack=true\n"
                    "mode=composite\nloop=false\n",
                    [](int p, std::uint32_t, std::uint32_t) {
                      const int c = p % channels, t = p / (channels * slices);
                      return static_cast<float>(10 * (c + 1) + t);
                    });
  const Image hyper = fftconv::io::read_image(dir / "hyper.tif");
  CHECK(hyper.shape == Shape{24, 8, 9});
  CHECK(hyper.metadata.layout.channels == 2);
  CHECK(hyper.metadata.layout.frames == 3);
  CHECK(fftconv::io::to_values<double>(planes_of(hyper, 4, 1))[0] == 20);  // frame 0, channel 1

  fftconv::io::write_image(dir / "k.npy",
                           fftconv::test::random_image(Shape{3, 3, 3}, PixelType::f64, 7, 0, 1));
  auto r = run_fftconv({"convolve", dir / "hyper.tif", dir / "k.npy", "-o", dir / "out.tif"}, dir);
  REQUIRE(r.exit_code == 0);
  const Image out = fftconv::io::read_image(dir / "out.tif");
  CHECK(out.shape == Shape{24, 8, 9});
  CHECK(out.metadata.layout.channels == 2);
  CHECK(out.metadata.layout.frames == 3);
  for (int t = 0; t < frames; ++t)
    for (int c = 0; c < channels; ++c) {
      CAPTURE(t);
      CAPTURE(c);
      const std::size_t first = static_cast<std::size_t>((t * channels + c) * slices);
      fftconv::io::write_image(dir / "alone.npy", planes_of(hyper, first, slices));
      r = run_fftconv({"convolve", dir / "alone.npy", dir / "k.npy", "-o", dir / "alone_out.npy"},
                      dir);
      REQUIRE(r.exit_code == 0);
      CHECK(fftconv::io::read_image(dir / "alone_out.npy").bytes ==
            planes_of(out, first, slices).bytes);
    }
}

TEST_CASE("TIFF RGB(A): each colour channel filtered alone, alpha unchanged") {
  TempDir dir;
  constexpr std::uint32_t w = 11, h = 7;
  const auto sample = [](std::uint32_t x, std::uint32_t y, std::uint32_t c) {
    return static_cast<std::uint8_t>((37 * x + 11 * y + 60 * c) % 256);
  };
  // RGBA, contiguous (interleaved) samples, 8-bit.
  TIFF* t = TIFFOpen((dir / "rgba.tif").c_str(), "w");
  REQUIRE(t);
  TIFFSetField(t, TIFFTAG_IMAGEWIDTH, w);
  TIFFSetField(t, TIFFTAG_IMAGELENGTH, h);
  TIFFSetField(t, TIFFTAG_BITSPERSAMPLE, 8);
  TIFFSetField(t, TIFFTAG_SAMPLESPERPIXEL, 4);
  TIFFSetField(t, TIFFTAG_PHOTOMETRIC, PHOTOMETRIC_RGB);
  TIFFSetField(t, TIFFTAG_PLANARCONFIG, PLANARCONFIG_CONTIG);
  const uint16_t extra[1] = {EXTRASAMPLE_UNASSALPHA};
  TIFFSetField(t, TIFFTAG_EXTRASAMPLES, 1, extra);
  std::vector<std::uint8_t> row(w * 4);
  for (std::uint32_t y = 0; y < h; ++y) {
    for (std::uint32_t x = 0; x < w; ++x)
      for (std::uint32_t c = 0; c < 4; ++c)
        row[x * 4 + c] = sample(x, y, c);
    REQUIRE(TIFFWriteScanline(t, row.data(), y, 0) >= 0);
  }
  TIFFClose(t);
  // RGB, separate planes, 16-bit.
  t = TIFFOpen((dir / "rgb_planar.tif").c_str(), "w");
  REQUIRE(t);
  TIFFSetField(t, TIFFTAG_IMAGEWIDTH, w);
  TIFFSetField(t, TIFFTAG_IMAGELENGTH, h);
  TIFFSetField(t, TIFFTAG_BITSPERSAMPLE, 16);
  TIFFSetField(t, TIFFTAG_SAMPLESPERPIXEL, 3);
  TIFFSetField(t, TIFFTAG_PHOTOMETRIC, PHOTOMETRIC_RGB);
  TIFFSetField(t, TIFFTAG_PLANARCONFIG, PLANARCONFIG_SEPARATE);
  TIFFSetField(t, TIFFTAG_ROWSPERSTRIP, 3);
  std::vector<std::uint16_t> plane_row(w);
  for (std::uint16_t c = 0; c < 3; ++c)
    for (std::uint32_t y = 0; y < h; ++y) {
      for (std::uint32_t x = 0; x < w; ++x)
        plane_row[x] = static_cast<std::uint16_t>(sample(x, y, c) * 100);
      REQUIRE(TIFFWriteScanline(t, plane_row.data(), y, c) >= 0);
    }
  TIFFClose(t);

  for (const char* name : {"rgba.tif", "rgb_planar.tif"}) {
    CAPTURE(name);
    const Image in = fftconv::io::read_image(dir / name);
    const std::size_t channels = std::string(name) == "rgba.tif" ? 4 : 3;
    CHECK(in.shape == Shape{channels, h, w});
    CHECK(in.metadata.layout.rgb);
    CHECK(in.metadata.layout.alpha == (channels == 4));
    CHECK(fftconv::io::to_values<double>(planes_of(in, 1, 1))[w + 2] ==
          sample(2, 1, 1) * (channels == 4 ? 1 : 100));
    auto r = run_fftconv({"blur", dir / name, "--sigma", "1.5", "-o", dir / "out.tif"}, dir);
    REQUIRE(r.exit_code == 0);
    const Image out = fftconv::io::read_image(dir / "out.tif");
    CHECK(out.shape == in.shape);
    CHECK(out.metadata.layout.rgb);
    CHECK(out.metadata.layout.alpha == (channels == 4));
    for (std::size_t c = 0; c < channels; ++c) {
      CAPTURE(c);
      const Image alone = planes_of(in, c, 1);
      if (c == 3) {  // alpha: the input's values, in the output's type
        CHECK(fftconv::io::to_values<double>(planes_of(out, c, 1)) ==
              fftconv::io::to_values<double>(alone));
        continue;
      }
      fftconv::io::write_image(dir / "alone.tif", alone);
      r = run_fftconv({"blur", dir / "alone.tif", "--sigma", "1.5", "-o", dir / "alone_out.tif"},
                      dir);
      REQUIRE(r.exit_code == 0);
      CHECK(fftconv::io::read_image(dir / "alone_out.tif").bytes == planes_of(out, c, 1).bytes);
    }
  }
  // The alpha channel cannot be carried over when the output's size changes.
  const auto r = run_fftconv(
      {"blur", dir / "rgba.tif", "--sigma", "1", "--mode", "full", "-o", dir / "full.tif"}, dir);
  CHECK(r.exit_code == 2);
  CHECK(r.err.find("alpha channel") != std::string::npos);
}

TEST_CASE("TIFF ImageJ description text in messages: control bytes escaped, long values cut") {
  TempDir dir;
  const std::string description =
      "ImageJ=1.53t\nimages=2\nchannels=\x1b[2J\r" + std::string(10000, '7') + "\nslices=1\n";
  write_float_pages(dir / "evil.tif", 4, 4, 2, description,
                    [](int, std::uint32_t, std::uint32_t) { return 1.0f; });
  try {
    fftconv::io::read_image(dir / "evil.tif");
    FAIL("decoded");
  } catch (const IoError& e) {
    const std::string message = e.what();
    CHECK(!has_control_bytes(message));
    CHECK(message.size() < 300);
    CHECK(message.find("channels='\\x1b[2J\\x0d777") != std::string::npos);
  }
  // A description whose counts do not match the pages.
  write_float_pages(dir / "short.tif", 4, 4, 5, "ImageJ=1.53t\nchannels=2\nslices=3\n",
                    [](int, std::uint32_t, std::uint32_t) { return 1.0f; });
  CHECK_THROWS_WITH_AS(fftconv::io::read_image(dir / "short.tif"),
                       doctest::Contains("declares channels=2 slices=3 frames=1 (6 images) but "
                                         "the file has 5 pages"),
                       IoError);
}
