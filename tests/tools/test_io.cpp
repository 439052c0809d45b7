// The image-file readers and writers: round trips for every format, pixel type and rank; files
// written by the format libraries themselves with the features our writers do not produce
// (tiles, compression, interlacing, BSCALE/BZERO/BLANK, extensions); and corrupt files.
#include <doctest/doctest.h>
#include <fitsio.h>
#include <png.h>
#include <sys/stat.h>
#include <tiffio.h>
#include <unistd.h>
#include <zlib.h>

#include <algorithm>
#include <cstdint>

#include <cmath>
#include <cstdio>
#include <cstring>
#include <limits>
#include <string>
#include <vector>

#include "io/convert.hpp"
#include "io/files.hpp"
#include "io/formats.hpp"
#include "tool_test_support.hpp"

using fftconv::Shape;
using fftconv::io::Image;
using fftconv::io::IoError;
using fftconv::io::PixelType;
using fftconv::test::npy_bytes;
using fftconv::test::TempDir;

namespace {

constexpr PixelType all_types[] = {PixelType::u8,  PixelType::i8,  PixelType::u16, PixelType::i16,
                                   PixelType::u32, PixelType::i32, PixelType::u64, PixelType::i64,
                                   PixelType::f32, PixelType::f64};

void check_same(const Image& a, const Image& b) {
  CHECK(a.shape == b.shape);
  CHECK(a.type == b.type);
  CHECK(a.bytes == b.bytes);
}

/// Values spanning the type's range where it is small (so sign and high bits are exercised).
Image spanning_image(const Shape& shape, PixelType type, std::uint64_t seed) {
  const bool small = fftconv::io::size_of(type) <= 2 && fftconv::io::is_integer(type);
  return fftconv::test::random_image(shape, type, seed, small ? fftconv::io::lowest(type) : -1e6,
                                     small ? fftconv::io::highest(type) : 1e6);
}

}  // namespace

TEST_CASE("npy, FITS and TIFF round trips: every pixel type, every rank they hold") {
  TempDir dir;
  const Shape shapes[] = {Shape{17}, Shape{5, 7}, Shape{3, 4, 6}};
  for (const char* ext : {".npy", ".fits", ".tif"})
    for (PixelType type : all_types)
      for (const Shape& shape : shapes) {
        if (std::string(ext) == ".tif" && shape.rank() == 1) continue;
        CAPTURE(ext);
        CAPTURE(fftconv::io::name(type));
        CAPTURE(fftconv::to_string(shape));
        const Image image = spanning_image(shape, type, 7);
        const std::string path = dir / (std::string("x") + ext);
        fftconv::io::write_image(path, image);
        check_same(fftconv::io::read_image(path), image);
      }
  CHECK(dir.files() == std::vector<std::string>{"x.fits", "x.npy", "x.tif"});
}

TEST_CASE("PNG round trip: uint8 and uint16 greyscale (other types and ranks are refused)") {
  TempDir dir;
  for (PixelType type : {PixelType::u8, PixelType::u16}) {
    const Image image = spanning_image(Shape{13, 21}, type, 3);
    fftconv::io::write_image(dir / "x.png", image);
    check_same(fftconv::io::read_image(dir / "x.png"), image);
  }
  CHECK_THROWS_WITH_AS(
      fftconv::io::write_image(dir / "y.png", spanning_image(Shape{2, 3}, PixelType::f32, 1)),
      doctest::Contains("PNG stores uint8 or uint16, not float32"), IoError);
  CHECK_THROWS_WITH_AS(
      fftconv::io::write_image(dir / "y.png", spanning_image(Shape{2, 3, 4}, PixelType::u8, 1)),
      doctest::Contains("PNG holds 2-D images"), IoError);
  CHECK_THROWS_AS(
      fftconv::io::write_image(dir / "y.tif", spanning_image(Shape{5}, PixelType::u8, 1)), IoError);
  // A failed write leaves neither the target nor a temporary behind.
  CHECK(dir.files() == std::vector<std::string>{"x.png"});
}

TEST_CASE("npy: Fortran order, big-endian, bool, version 2 and 3 headers") {
  // shape (2, 3) Fortran order: memory holds column by column.
  const std::vector<unsigned char> fortran{1, 4, 2, 5, 3, 6};
  Image a = fftconv::io::decode_npy(
      npy_bytes("{'descr': '|u1', 'fortran_order': True, 'shape': (2, 3), }", fortran).data(),
      npy_bytes("{'descr': '|u1', 'fortran_order': True, 'shape': (2, 3), }", fortran).size());
  CHECK(a.shape == Shape{2, 3});
  CHECK(a.bytes == fftconv::io::PixelBytes{1, 2, 3, 4, 5, 6});

  // (2, 2, 2) Fortran order, element (i, j, l) = 100 i + 10 j + l stored at i + 2 j + 4 l.
  std::vector<unsigned char> f3(8);
  for (int i = 0; i < 2; ++i)
    for (int j = 0; j < 2; ++j)
      for (int l = 0; l < 2; ++l)
        f3[static_cast<std::size_t>(i + 2 * j + 4 * l)] =
            static_cast<unsigned char>(100 * i + 10 * j + l);
  const auto b3 = npy_bytes("{'shape': (2, 2, 2), 'fortran_order': True, 'descr': '|u1'}", f3, 2);
  a = fftconv::io::decode_npy(b3.data(), b3.size());
  CHECK(a.bytes == fftconv::io::PixelBytes{0, 1, 10, 11, 100, 101, 110, 111});

  // Big-endian int16 and float64.
  const auto be16 = npy_bytes("{'descr': '>i2', 'fortran_order': False, 'shape': (2,), }",
                              {0x01, 0x02, 0xff, 0xfe});
  a = fftconv::io::decode_npy(be16.data(), be16.size());
  CHECK(fftconv::io::to_values<double>(a) == std::vector<double>{258, -2});
  const auto be64 = npy_bytes("{\"descr\": \">f8\", \"fortran_order\": False, \"shape\": (1,)}",
                              {0x3f, 0xf8, 0, 0, 0, 0, 0, 0}, 3);
  a = fftconv::io::decode_npy(be64.data(), be64.size());
  CHECK(fftconv::io::to_values<double>(a) == std::vector<double>{1.5});

  const auto boolean =
      npy_bytes("{'descr': '|b1', 'fortran_order': False, 'shape': (3,), }", {1, 0, 1});
  a = fftconv::io::decode_npy(boolean.data(), boolean.size());
  CHECK(a.type == PixelType::u8);
  CHECK(fftconv::io::to_values<double>(a) == std::vector<double>{1, 0, 1});
}

TEST_CASE("npy: corrupt and unsupported headers are refused with a reason") {
  const std::vector<unsigned char> data(64, 0);
  const std::pair<std::string, std::string> cases[] = {
      {"{'descr': '<c32', 'fortran_order': False, 'shape': (2,), }",
       "unsupported .npy dtype '<c32'"},
      {"{'descr': '<f2', 'fortran_order': False, 'shape': (2,), }", "unsupported .npy dtype '<f2'"},
      {"{'descr': [('a', '<f4')], 'fortran_order': False, 'shape': (2,), }", "structured"},
      {"{'descr': '<f4', 'fortran_order': False, 'shape': (), }", "rank 0"},
      {"{'descr': '<f4', 'fortran_order': False, 'shape': (1, 1, 1, 2), }", "rank 4"},
      {"{'descr': '<f4', 'fortran_order': False, 'shape': (2, 0), }", "empty image"},
      {"{'descr': '<f4', 'fortran_order': False, 'shape': (99,), }", "truncated .npy data"},
      {"{'descr': '<f4', 'fortran_order': False}", "needs descr, fortran_order and shape"},
      {"{'descr': '<f4', 'fortran_order': Maybe, 'shape': (2,)}", "expected True or False"},
      {"{'descr' '<f4', 'fortran_order': False, 'shape': (2,)}",
       "corrupt .npy header (expected ':'"},
      {"{'descr': '<f4', 'fortran_order': False, 'shape': (2,}", "expected a non-negative integer"},
      {"{'descr': '<f4', 'fortran_order': False, 'shape': (2,), ", "expected a string"},
      {"{'descr': '<f4', 'fortran_order': False, 'shape': (99999999999999999999999,)}",
       "extent too large"},
      {"{'descr': '<f4', 'fortran_order': False, 'shape': (4294967296, 4294967296, 4294967296)}",
       "too large to address"},
      {"{'descr': '<f4', 'color': 1}", "unknown key 'color'"},
  };
  for (const auto& c : cases) {
    const std::string& dict = c.first;  // (no structured binding: CAPTURE is a lambda)
    const std::string& message = c.second;
    CAPTURE(dict);
    const auto bytes = npy_bytes(dict, data);
    CHECK_THROWS_WITH_AS(fftconv::io::decode_npy(bytes.data(), bytes.size()),
                         doctest::Contains(message.c_str()), IoError);
  }
  auto bad_version = npy_bytes("{}", data, 4);
  CHECK_THROWS_WITH_AS(fftconv::io::decode_npy(bad_version.data(), bad_version.size()),
                       doctest::Contains("unsupported .npy version 4.0"), IoError);
  const unsigned char not_npy[] = "PK\x03\x04 a zip file, say";
  CHECK_THROWS_WITH_AS(fftconv::io::decode_npy(not_npy, sizeof not_npy),
                       doctest::Contains("not a .npy file"), IoError);
}

TEST_CASE("every prefix of a valid file either is refused or decodes to the whole image") {
  TempDir dir;
  const std::pair<const char*, PixelType> files[] = {{".npy", PixelType::f64},
                                                     {".fits", PixelType::i16},
                                                     {".tif", PixelType::f32},
                                                     {".png", PixelType::u16}};
  for (const auto& file : files) {
    const char* ext = file.first;
    const PixelType type = file.second;
    CAPTURE(ext);
    const Image image = spanning_image(Shape{9, 11}, type, 5);
    const std::string path = dir / (std::string("p") + ext);
    fftconv::io::write_image(path, image);
    const std::vector<unsigned char> whole = fftconv::test::read_bytes(path);
    const fftconv::io::Format format = fftconv::io::format_of(path);
    std::size_t refused = 0;
    for (std::size_t n = 0; n < whole.size(); ++n) {
      const std::vector<unsigned char> prefix(whole.begin(),
                                              whole.begin() + static_cast<std::ptrdiff_t>(n));
      try {
        check_same(fftconv::io::decode(format, prefix.data(), prefix.size()),
                   image);  // only trailing padding or chunks missing
      } catch (const IoError&) {
        ++refused;
      }
    }
    CHECK(refused > whole.size() / 2);
  }
}

TEST_CASE(
    "FITS written by cfitsio: scaling, unsigned conventions, BLANK, extensions, compression") {
  TempDir dir;
  const auto create = [&](const std::string& name) {
    fitsfile* f = nullptr;
    int status = 0;
    fits_create_file(&f, (dir / name).c_str(), &status);
    REQUIRE(status == 0);
    return f;
  };
  const auto close_and_read = [&](fitsfile* f, const std::string& name) {
    int status = 0;
    fits_close_file(f, &status);
    REQUIRE(status == 0);
    return fftconv::io::read_image(dir / name);
  };
  int status = 0;
  long axes[2] = {3, 2};  // NAXIS1 = 3 columns, NAXIS2 = 2 rows
  short raw[6] = {0, 1, 2, 3, -4, 5};

  // BITPIX 16 with BSCALE 0.5, BZERO 100: physical = 100 + 0.5 raw, read as float32.
  fitsfile* f = create("scaled.fits");
  fits_create_img(f, SHORT_IMG, 2, axes, &status);
  double bscale = 0.5, bzero = 100;
  fits_write_key(f, TDOUBLE, "BSCALE", &bscale, nullptr, &status);
  fits_write_key(f, TDOUBLE, "BZERO", &bzero, nullptr, &status);
  fits_set_bscale(f, 1.0, 0.0, &status);  // write the raw integers as they are
  fits_write_img(f, TSHORT, 1, 6, raw, &status);
  REQUIRE(status == 0);
  Image a = close_and_read(f, "scaled.fits");
  CHECK(a.shape == Shape{2, 3});
  CHECK(a.type == PixelType::f32);
  CHECK(fftconv::io::to_values<double>(a) ==
        std::vector<double>{100, 100.5, 101, 101.5, 98, 102.5});

  // BLANK in integer data reads as NaN.
  f = create("blank.fits");
  fits_create_img(f, SHORT_IMG, 2, axes, &status);
  long long blank = -4;
  fits_write_key(f, TLONGLONG, "BLANK", &blank, nullptr, &status);
  fits_write_img(f, TSHORT, 1, 6, raw, &status);
  a = close_and_read(f, "blank.fits");
  const std::vector<double> v = fftconv::io::to_values<double>(a);
  CHECK(std::isnan(v[4]));
  CHECK(v[5] == 5);

  // The image in the first extension after an empty primary HDU; its NAXIS4 = 1 is dropped,
  // NAXIS3 = 2 stays.
  f = create("ext.fits");
  fits_create_img(f, BYTE_IMG, 0, nullptr, &status);
  long axes4[4] = {3, 2, 2, 1};
  fits_create_img(f, USHORT_IMG, 4, axes4, &status);
  unsigned short u[12];
  for (int i = 0; i < 12; ++i)
    u[i] = static_cast<unsigned short>(60000 + i);
  fits_write_img(f, TUSHORT, 1, 12, u, &status);
  a = close_and_read(f, "ext.fits");
  CHECK(a.shape == Shape{2, 2, 3});
  CHECK(a.type == PixelType::u16);
  CHECK(fftconv::io::to_values<double>(a)[11] == 60011);

  // uint64 (BZERO 2^63) keeps its high bit.
  f = create("u64.fits");
  long one_axis[1] = {2};
  unsigned long long u64[2] = {1, 18446744073709551615ULL};
  fits_create_img(f, ULONGLONG_IMG, 1, one_axis, &status);
  fits_write_img(f, TULONGLONG, 1, 2, u64, &status);
  a = close_and_read(f, "u64.fits");
  CHECK(a.type == PixelType::u64);
  CHECK(std::memcmp(a.bytes.data() + 8, &u64[1], 8) == 0);

  // Rice tile compression.
  f = create("rice.fits");
  fits_set_compression_type(f, RICE_1, &status);
  long axes_big[2] = {40, 30};
  fits_create_img(f, LONG_IMG, 2, axes_big, &status);
  std::vector<int> ints(1200);
  for (std::size_t i = 0; i < ints.size(); ++i)
    ints[i] = static_cast<int>(i * 37 % 1000) - 500;
  fits_write_img(f, TINT, 1, 1200, ints.data(), &status);
  a = close_and_read(f, "rice.fits");
  CHECK(a.shape == Shape{30, 40});
  CHECK(a.type == PixelType::i32);
  CHECK(fftconv::io::to_values<double>(a)[1199] == ints[1199]);

  // A primary HDU with NAXIS1 = 0 ("no data") is skipped like an empty one.
  f = create("zero_axis.fits");
  long zero[1] = {0};
  fits_create_img(f, BYTE_IMG, 1, zero, &status);
  fits_create_img(f, SHORT_IMG, 2, axes, &status);
  fits_write_img(f, TSHORT, 1, 6, raw, &status);
  a = close_and_read(f, "zero_axis.fits");
  CHECK(a.shape == Shape{2, 3});
  CHECK(a.type == PixelType::i16);

  // A file with only a table has no image.
  f = create("table.fits");
  char* names[] = {const_cast<char*>("A")};
  char* forms[] = {const_cast<char*>("1E")};
  fits_create_tbl(f, BINARY_TBL, 0, 1, names, forms, nullptr, "T", &status);
  fits_close_file(f, &status);
  REQUIRE(status == 0);
  CHECK_THROWS_WITH_AS(fftconv::io::read_image(dir / "table.fits"),
                       doctest::Contains("no image data in any HDU"), IoError);
}

namespace {

/// A TIFF written directly with libtiff, each page configured by `setup`, pixels by row.
template <class Setup>
void write_tiff_with(const std::string& path, int pages, Setup setup) {
  TIFF* t = TIFFOpen(path.c_str(), "w");
  REQUIRE(t);
  for (int p = 0; p < pages; ++p) {
    setup(t, p);
    REQUIRE(TIFFWriteDirectory(t));
  }
  TIFFClose(t);
}

}  // namespace

TEST_CASE("TIFF written by libtiff: tiles with partial edges, compressed strips, bad layouts") {
  TempDir dir;
  const std::uint32_t w = 37, h = 23;
  const auto value = [](std::uint32_t x, std::uint32_t y, int p) {
    return static_cast<std::uint16_t>(1000 * static_cast<std::uint32_t>(p) + 40 * y + x);
  };
  // Tiled (16 x 16, so the right and bottom tiles are partial), deflate, 16-bit, two pages.
  write_tiff_with(dir / "tiled.tif", 2, [&](TIFF* t, int p) {
    TIFFSetField(t, TIFFTAG_IMAGEWIDTH, w);
    TIFFSetField(t, TIFFTAG_IMAGELENGTH, h);
    TIFFSetField(t, TIFFTAG_BITSPERSAMPLE, 16);
    TIFFSetField(t, TIFFTAG_SAMPLESPERPIXEL, 1);
    TIFFSetField(t, TIFFTAG_PHOTOMETRIC, PHOTOMETRIC_MINISBLACK);
    TIFFSetField(t, TIFFTAG_COMPRESSION, COMPRESSION_ADOBE_DEFLATE);
    TIFFSetField(t, TIFFTAG_TILEWIDTH, 16);
    TIFFSetField(t, TIFFTAG_TILELENGTH, 16);
    std::vector<std::uint16_t> tile(16 * 16);
    for (std::uint32_t ty = 0; ty < h; ty += 16)
      for (std::uint32_t tx = 0; tx < w; tx += 16) {
        for (std::uint32_t y = 0; y < 16; ++y)
          for (std::uint32_t x = 0; x < 16; ++x)
            tile[y * 16 + x] = value(tx + x, ty + y, p);
        REQUIRE(TIFFWriteTile(t, tile.data(), tx, ty, 0, 0) >= 0);
      }
  });
  Image a = fftconv::io::read_image(dir / "tiled.tif");
  CHECK(a.shape == Shape{2, h, w});
  CHECK(a.type == PixelType::u16);
  std::vector<double> v = fftconv::io::to_values<double>(a);
  bool all = true;
  for (int p = 0; p < 2; ++p)
    for (std::uint32_t y = 0; y < h; ++y)
      for (std::uint32_t x = 0; x < w; ++x)
        all = all && v[(static_cast<std::size_t>(p) * h + y) * w + x] == value(x, y, p);
  CHECK(all);

  // LZW strips of 5 rows (the last one partial), 32-bit signed.
  write_tiff_with(dir / "lzw.tif", 1, [&](TIFF* t, int) {
    TIFFSetField(t, TIFFTAG_IMAGEWIDTH, w);
    TIFFSetField(t, TIFFTAG_IMAGELENGTH, h);
    TIFFSetField(t, TIFFTAG_BITSPERSAMPLE, 32);
    TIFFSetField(t, TIFFTAG_SAMPLEFORMAT, SAMPLEFORMAT_INT);
    TIFFSetField(t, TIFFTAG_SAMPLESPERPIXEL, 1);
    TIFFSetField(t, TIFFTAG_PHOTOMETRIC, PHOTOMETRIC_MINISBLACK);
    TIFFSetField(t, TIFFTAG_COMPRESSION, COMPRESSION_LZW);
    TIFFSetField(t, TIFFTAG_ROWSPERSTRIP, 5);
    std::vector<std::int32_t> row(w);
    for (std::uint32_t y = 0; y < h; ++y) {
      for (std::uint32_t x = 0; x < w; ++x)
        row[x] = -static_cast<std::int32_t>(value(x, y, 0));
      REQUIRE(TIFFWriteScanline(t, row.data(), y, 0) >= 0);
    }
  });
  a = fftconv::io::read_image(dir / "lzw.tif");
  CHECK(a.shape == Shape{h, w});
  CHECK(a.type == PixelType::i32);
  CHECK(fftconv::io::to_values<double>(a)[h * w - 1] == -value(w - 1, h - 1, 0));

  // Two samples (grey and alpha), 1-bit and pages of different sizes are refused with a reason.
  // (RGB and RGBA are read: test_formats.cpp.)
  const auto page = [&](TIFF* t, std::uint32_t width, int samples, int bits) {
    TIFFSetField(t, TIFFTAG_IMAGEWIDTH, width);
    TIFFSetField(t, TIFFTAG_IMAGELENGTH, 2);
    TIFFSetField(t, TIFFTAG_BITSPERSAMPLE, bits);
    TIFFSetField(t, TIFFTAG_SAMPLESPERPIXEL, samples);
    TIFFSetField(t, TIFFTAG_PHOTOMETRIC, samples == 3 ? PHOTOMETRIC_RGB : PHOTOMETRIC_MINISBLACK);
    std::vector<unsigned char> row(width * 3 * 8);
    for (std::uint32_t y = 0; y < 2; ++y)
      REQUIRE(TIFFWriteScanline(t, row.data(), y, 0) >= 0);
  };
  write_tiff_with(dir / "grey_alpha.tif", 1, [&](TIFF* t, int) { page(t, 4, 2, 8); });
  CHECK_THROWS_WITH_AS(fftconv::io::read_image(dir / "grey_alpha.tif"),
                       doctest::Contains("2 samples per pixel"), IoError);
  write_tiff_with(dir / "bits.tif", 1, [&](TIFF* t, int) { page(t, 4, 1, 1); });
  CHECK_THROWS_WITH_AS(fftconv::io::read_image(dir / "bits.tif"),
                       doctest::Contains("unsupported TIFF pixel type (1-bit"), IoError);
  write_tiff_with(dir / "ragged.tif", 2, [&](TIFF* t, int p) { page(t, p == 0 ? 4 : 5, 1, 8); });
  CHECK_THROWS_WITH_AS(fftconv::io::read_image(dir / "ragged.tif"),
                       doctest::Contains("page 2 is 2x5 uint8, page 1 is 2x4 uint8"), IoError);
}

namespace {

bool write_png_with(const std::string& path, png_uint_32 w, png_uint_32 h, int depth, int colour,
                    int interlace, const std::vector<unsigned char>& pixels) {
  std::FILE* f = std::fopen(path.c_str(), "wb");
  png_structp png = png_create_write_struct(PNG_LIBPNG_VER_STRING, nullptr, nullptr, nullptr);
  png_infop info = png_create_info_struct(png);
  if (setjmp(png_jmpbuf(png))) {
    png_destroy_write_struct(&png, &info);
    std::fclose(f);
    return false;
  }
  png_init_io(png, f);
  png_set_IHDR(png, info, w, h, depth, colour, interlace, PNG_COMPRESSION_TYPE_DEFAULT,
               PNG_FILTER_TYPE_DEFAULT);
  if (colour == PNG_COLOR_TYPE_PALETTE) {
    png_color palette[2] = {{0, 0, 0}, {255, 255, 255}};
    png_set_PLTE(png, info, palette, 2);
  }
  png_write_info(png, info);
  const std::size_t row_bytes = png_get_rowbytes(png, info);
  std::vector<png_bytep> rows(h);
  for (png_uint_32 y = 0; y < h; ++y)
    rows[y] = const_cast<png_bytep>(pixels.data()) + y * row_bytes;
  png_write_image(png, rows.data());
  png_write_end(png, nullptr);
  png_destroy_write_struct(&png, &info);
  std::fclose(f);
  return true;
}

}  // namespace

TEST_CASE("PNG written by libpng: interlaced 16-bit read (colour, palette and 4-bit refused)") {
  TempDir dir;
  const png_uint_32 w = 19, h = 11;
  std::vector<unsigned char> big_endian(w * h * 2);
  for (std::size_t i = 0; i < w * h; ++i) {
    big_endian[2 * i] = static_cast<unsigned char>(i >> 8 | 0x80);
    big_endian[2 * i + 1] = static_cast<unsigned char>(i);
  }
  REQUIRE(write_png_with(dir / "adam7.png", w, h, 16, PNG_COLOR_TYPE_GRAY, PNG_INTERLACE_ADAM7,
                         big_endian));
  const Image a = fftconv::io::read_image(dir / "adam7.png");
  CHECK(a.shape == Shape{h, w});
  CHECK(a.type == PixelType::u16);
  const std::vector<double> v = fftconv::io::to_values<double>(a);
  CHECK(v[0] == 0x8000);
  CHECK(v[w * h - 1] == static_cast<double>((w * h - 1) | 0x8000));

  const std::vector<unsigned char> bytes(w * h * 3);
  REQUIRE(write_png_with(dir / "rgb.png", w, h, 8, PNG_COLOR_TYPE_RGB, PNG_INTERLACE_NONE, bytes));
  CHECK_THROWS_WITH_AS(fftconv::io::read_image(dir / "rgb.png"),
                       doctest::Contains("PNG colour type 2 is not supported"), IoError);
  REQUIRE(
      write_png_with(dir / "pal.png", w, h, 1, PNG_COLOR_TYPE_PALETTE, PNG_INTERLACE_NONE, bytes));
  CHECK_THROWS_WITH_AS(fftconv::io::read_image(dir / "pal.png"),
                       doctest::Contains("PNG colour type 3 is not supported"), IoError);
  REQUIRE(
      write_png_with(dir / "grey4.png", w, h, 4, PNG_COLOR_TYPE_GRAY, PNG_INTERLACE_NONE, bytes));
  CHECK_THROWS_WITH_AS(fftconv::io::read_image(dir / "grey4.png"),
                       doctest::Contains("PNG bit depth 4 is not supported"), IoError);
}

TEST_CASE("storing numbers as integers rounds to nearest, clips to the range and counts both") {
  const double in[] = {-1.5,
                       0.4,
                       0.5,
                       2.5,
                       254.5,
                       255.4,
                       255.6,
                       300,
                       -0.0,
                       std::numeric_limits<double>::quiet_NaN(),
                       std::numeric_limits<double>::infinity()};
  fftconv::io::Conversion report;
  const Image u8 = fftconv::io::from_values(Shape{11}, in, PixelType::u8, report);
  CHECK(u8.bytes == fftconv::io::PixelBytes{0, 0, 1, 3, 255, 255, 255, 255, 0, 0, 255});
  CHECK(report.clipped == 3);  // -1.5 (rounds to -2), 255.6, 300
  CHECK(report.nonfinite == 2);

  const double big[] = {1e20, -1e20, 9007199254740992.0, -129, 127.5};
  fftconv::io::Conversion r64;
  const Image i64 = fftconv::io::from_values(Shape{3}, big, PixelType::i64, r64);
  const std::vector<double> back = fftconv::io::to_values<double>(i64);
  CHECK(back[0] == 9223372036854775807.0);
  CHECK(back[1] == -9223372036854775808.0);
  CHECK(back[2] == 9007199254740992.0);
  CHECK(r64.clipped == 2);
  fftconv::io::Conversion r8;
  const Image i8 = fftconv::io::from_values(Shape{2}, big + 3, PixelType::i8, r8);
  CHECK(fftconv::io::to_values<double>(i8) == std::vector<double>{-128, 127});
  CHECK(r8.clipped == 2);  // -129 and 127.5 (rounds to 128)
}

TEST_CASE("a failed write leaves an existing file untouched and no temporary behind") {
  TempDir dir;
  const Image good = spanning_image(Shape{4, 4}, PixelType::u8, 1);
  fftconv::io::write_image(dir / "keep.png", good);
  const auto before = fftconv::test::read_bytes(dir / "keep.png");
  CHECK_THROWS_AS(
      fftconv::io::write_image(dir / "keep.png", spanning_image(Shape{4, 4}, PixelType::f64, 2)),
      IoError);
  CHECK(fftconv::test::read_bytes(dir / "keep.png") == before);
  CHECK(dir.files() == std::vector<std::string>{"keep.png"});
  CHECK_THROWS_WITH_AS(fftconv::io::write_image(dir / "x.jpg", good),
                       doctest::Contains("unknown extension '.jpg'"), IoError);
  CHECK_THROWS_WITH_AS(fftconv::io::read_image(dir / "missing.npy"),
                       doctest::Contains("missing.npy: No such file or directory"), IoError);
}

TEST_CASE("a small file declaring a huge image is refused before the allocation") {
  // PNG: a valid IHDR for 60000 x 60000 8-bit greyscale and a 10-byte IDAT.
  std::vector<unsigned char> png{0x89, 'P', 'N', 'G', 13, 10, 26, 10};
  const auto chunk = [&](const char* type, std::vector<unsigned char> data) {
    const auto n = static_cast<std::uint32_t>(data.size());
    for (int s = 24; s >= 0; s -= 8)
      png.push_back(static_cast<unsigned char>(n >> s));
    std::vector<unsigned char> body(type, type + 4);
    body.insert(body.end(), data.begin(), data.end());
    png.insert(png.end(), body.begin(), body.end());
    const auto crc =
        static_cast<std::uint32_t>(crc32(0, body.data(), static_cast<uInt>(body.size())));
    for (int s = 24; s >= 0; s -= 8)
      png.push_back(static_cast<unsigned char>(crc >> s));
  };
  chunk("IHDR", {0, 0, 0xea, 0x60, 0, 0, 0xea, 0x60, 8, 0, 0, 0, 0});
  chunk("IDAT", std::vector<unsigned char>(10, 0));
  chunk("IEND", {});
  CHECK_THROWS_WITH_AS(fftconv::io::decode_png(png.data(), png.size()),
                       doctest::Contains("PNG declares 60000x60000 pixels, more than its"),
                       IoError);

  // TIFF: an uncompressed page cannot hold more bytes than the file.
  TempDir dir;
  fftconv::io::write_image(dir / "t.tif", spanning_image(Shape{4, 4}, PixelType::u8, 1));
  auto tif = fftconv::test::read_bytes(dir / "t.tif");
  // ImageWidth (tag 256) as written, SHORT 4; made LONG 65536.
  const std::vector<unsigned char> width_tag{0, 1, 3, 0, 1, 0, 0, 0, 4, 0};
  const auto at = std::search(tif.begin(), tif.end(), width_tag.begin(), width_tag.end());
  REQUIRE(at != tif.end());
  at[2] = 4;
  at[8] = 0;
  at[9] = 0;
  at[10] = 1;
  at[11] = 0;
  CHECK_THROWS_WITH_AS(fftconv::io::decode_tiff(tif.data(), tif.size()),
                       doctest::Contains("more than its"), IoError);
}

TEST_CASE("writing over a file keeps its permissions and follows a symlink") {
  TempDir dir;
  const Image image = spanning_image(Shape{3, 3}, PixelType::f32, 1);
  fftconv::io::write_image(dir / "private.npy", image);
  ::chmod((dir / "private.npy").c_str(), 0600);
  fftconv::io::write_image(dir / "private.npy", image);
  struct stat st {};
  REQUIRE(::stat((dir / "private.npy").c_str(), &st) == 0);
  CHECK((st.st_mode & 0777) == 0600);

  REQUIRE(::symlink((dir / "private.npy").c_str(), (dir / "link.npy").c_str()) == 0);
  const Image other = spanning_image(Shape{2, 2}, PixelType::f64, 2);
  fftconv::io::write_image(dir / "link.npy", other);
  REQUIRE(::lstat((dir / "link.npy").c_str(), &st) == 0);
  CHECK(S_ISLNK(st.st_mode));
  check_same(fftconv::io::read_image(dir / "private.npy"), other);
}
