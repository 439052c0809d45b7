// Complex pixels in the image-file library: complex64 and complex128 .npy files (both byte
// orders, C and Fortran order, round trips), their names and sizes, conversions to and from the
// numbers fftconv computes with, and the other formats refusing them.
#include <doctest/doctest.h>

#include <algorithm>
#include <complex>
#include <cstring>
#include <stdexcept>
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

/// The bytes of `v` with each `part`-byte number reversed (the other byte order).
template <class T>
std::vector<unsigned char> swapped_bytes(const std::vector<T>& v, std::size_t part) {
  std::vector<unsigned char> b(v.size() * sizeof(T));
  std::memcpy(b.data(), v.data(), b.size());
  for (std::size_t i = 0; i < b.size(); i += part)
    std::reverse(b.begin() + static_cast<std::ptrdiff_t>(i),
                 b.begin() + static_cast<std::ptrdiff_t>(i + part));
  return b;
}

template <class T>
std::vector<unsigned char> bytes_of(const std::vector<T>& v) {
  std::vector<unsigned char> b(v.size() * sizeof(T));
  std::memcpy(b.data(), v.data(), b.size());
  return b;
}

}  // namespace

TEST_CASE("complex pixel types: names, sizes, parts") {
  PixelType t = PixelType::u8;
  CHECK((fftconv::io::parse_pixel_type("complex64", t) && t == PixelType::c64));
  CHECK((fftconv::io::parse_pixel_type("c128", t) && t == PixelType::c128));
  CHECK(!fftconv::io::parse_pixel_type("complex256", t));
  CHECK(std::string(fftconv::io::name(PixelType::c64)) == "complex64");
  CHECK(fftconv::io::size_of(PixelType::c64) == 8);
  CHECK(fftconv::io::size_of(PixelType::c128) == 16);
  CHECK(fftconv::io::is_complex(PixelType::c128));
  CHECK(!fftconv::io::is_complex(PixelType::f64));
  CHECK(!fftconv::io::is_integer(PixelType::c64));
  CHECK(fftconv::io::part_type(PixelType::c64) == PixelType::f32);
  CHECK(fftconv::io::part_type(PixelType::c128) == PixelType::f64);
  CHECK(fftconv::io::part_type(PixelType::i16) == PixelType::i16);
  CHECK(fftconv::io::complex_type(PixelType::f32) == PixelType::c64);
  CHECK(fftconv::io::complex_type(PixelType::f64) == PixelType::c128);
  CHECK(fftconv::io::complex_type(PixelType::c64) == PixelType::c64);
  CHECK_THROWS_AS(fftconv::io::complex_type(PixelType::u8), std::logic_error);
  CHECK(fftconv::io::highest(PixelType::c64) == fftconv::io::highest(PixelType::f32));
  CHECK(fftconv::io::pixel_type_of<std::complex<double>>() == PixelType::c128);
}

TEST_CASE("npy: complex64 and complex128 in both byte orders, C and Fortran order") {
  using C64 = std::complex<float>;
  using C128 = std::complex<double>;
  const std::vector<C64> c64{{1.5f, -2.0f}, {-3.25f, 0.125f}, {1e30f, -1e-30f}};
  const std::vector<C128> c128{{1.5, -2.0}, {-3.25, 0.125}, {1e300, -1e-300}};
  const bool little = __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__;
  struct Case {
    std::string descr;
    std::vector<unsigned char> data;
    PixelType type;
    std::vector<unsigned char> want;  // native C-order bytes
  };
  const Case cases[] = {
      {"<c8", little ? bytes_of(c64) : swapped_bytes(c64, 4), PixelType::c64, bytes_of(c64)},
      {">c8", little ? swapped_bytes(c64, 4) : bytes_of(c64), PixelType::c64, bytes_of(c64)},
      {"<c16", little ? bytes_of(c128) : swapped_bytes(c128, 8), PixelType::c128, bytes_of(c128)},
      {">c16", little ? swapped_bytes(c128, 8) : bytes_of(c128), PixelType::c128, bytes_of(c128)},
  };
  for (const Case& c : cases) {
    CAPTURE(c.descr);
    const auto file =
        npy_bytes("{'descr': '" + c.descr + "', 'fortran_order': False, 'shape': (3,), }", c.data);
    const Image a = fftconv::io::decode_npy(file.data(), file.size());
    CHECK(a.type == c.type);
    CHECK(a.shape == Shape{3});
    CHECK(std::vector<unsigned char>(a.bytes.begin(), a.bytes.end()) == c.want);
  }
  // Shape (2, 2) in Fortran order: memory holds (0,0) (1,0) (0,1) (1,1); each element moves
  // whole (its two parts together).
  const std::vector<C128> fortran{{0, 1}, {10, 11}, {1, 2}, {11, 12}};
  const auto file = npy_bytes("{'descr': '<c16', 'fortran_order': True, 'shape': (2, 2), }",
                              little ? bytes_of(fortran) : swapped_bytes(fortran, 8));
  const Image f = fftconv::io::decode_npy(file.data(), file.size());
  CHECK(fftconv::io::to_values<C128>(f) == std::vector<C128>{{0, 1}, {1, 2}, {10, 11}, {11, 12}});
}

TEST_CASE("npy: complex round trips, every rank, and the other formats refuse complex pixels") {
  TempDir dir;
  for (PixelType type : {PixelType::c64, PixelType::c128})
    for (const Shape& shape : {Shape{17}, Shape{5, 7}, Shape{3, 4, 6}}) {
      CAPTURE(fftconv::io::name(type));
      CAPTURE(fftconv::to_string(shape));
      const Image image = fftconv::test::random_complex_image(shape, type, 7, -1e6, 1e6);
      fftconv::io::write_image(dir / "x.npy", image);
      const Image back = fftconv::io::read_image(dir / "x.npy");
      CHECK(back.shape == image.shape);
      CHECK(back.type == image.type);
      CHECK(back.bytes == image.bytes);
      // The header numpy writes for the type.
      const std::string text = fftconv::test::read_text(dir / "x.npy");
      CHECK(text.find(type == PixelType::c64 ? "'<c8'" : "'<c16'") != std::string::npos);
    }
  const Image image = fftconv::test::random_complex_image(Shape{4, 5}, PixelType::c64, 1);
  for (const char* name : {"y.fits", "y.fits.gz", "y.tif", "y.png"}) {
    CAPTURE(name);
    std::string message;
    try {
      fftconv::io::write_image(dir / name, image);
    } catch (const IoError& e) {
      message = e.what();
    }
    CHECK(message.find(std::string(name) + ": ") != std::string::npos);
    CHECK(message.find("cannot hold complex64 pixels (complex data: .npy only)") !=
          std::string::npos);
    CHECK(!fftconv::io::can_store(fftconv::io::format_of(name), PixelType::c64));
  }
  CHECK(fftconv::io::can_store(fftconv::io::Format::npy, PixelType::c128));
  // A failed write leaves neither the target nor a temporary behind.
  CHECK(dir.files() == std::vector<std::string>{"x.npy"});
}

TEST_CASE("complex conversions: real pixels to complex numbers, never complex pixels to real") {
  const Image real = fftconv::test::random_image(Shape{6}, PixelType::i16, 3, -100, 100);
  const std::vector<double> values = fftconv::io::to_values<double>(real);
  const auto as_complex = fftconv::io::to_values<std::complex<float>>(real);
  for (std::size_t i = 0; i < values.size(); ++i)
    CHECK(as_complex[i] == std::complex<float>(static_cast<float>(values[i]), 0.0f));

  const Image c128 = fftconv::test::random_complex_image(Shape{6}, PixelType::c128, 4);
  const auto wide = fftconv::io::to_values<std::complex<double>>(c128);
  // complex128 to complex64: each part rounded to nearest, as static_cast<float> does.
  const auto narrow = fftconv::io::to_values<std::complex<float>>(c128);
  for (std::size_t i = 0; i < wide.size(); ++i)
    CHECK(narrow[i] == std::complex<float>(static_cast<float>(wide[i].real()),
                                           static_cast<float>(wide[i].imag())));
  CHECK(fftconv::io::values_in_place<std::complex<double>>(c128) != nullptr);
  CHECK(fftconv::io::values_in_place<std::complex<float>>(c128) == nullptr);
  CHECK(fftconv::io::values_in_place<double>(c128) == nullptr);

  fftconv::io::Conversion report;
  const Image stored = fftconv::io::from_values(Shape{6}, wide.data(), PixelType::c64, report);
  CHECK(stored.type == PixelType::c64);
  CHECK(fftconv::io::to_values<std::complex<float>>(stored) == narrow);
  // A real result stored as complex: imaginary parts 0.
  const Image promoted = fftconv::io::from_values(Shape{6}, values.data(), PixelType::c128, report);
  for (const std::complex<double>& v : fftconv::io::to_values<std::complex<double>>(promoted))
    CHECK(v.imag() == 0);

  CHECK_THROWS_WITH_AS(fftconv::io::to_values<double>(c128),
                       doctest::Contains("complex128 values cannot be float64"), std::logic_error);
  CHECK_THROWS_AS(fftconv::io::from_values(Shape{6}, wide.data(), PixelType::f64, report),
                  std::logic_error);
  CHECK_THROWS_AS(fftconv::io::from_values(Shape{6}, wide.data(), PixelType::u8, report),
                  std::logic_error);
}
