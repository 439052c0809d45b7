// FITS through cfitsio, read from memory (fits_open_memfile) so a file and a fuzzer's bytes take
// the same path.
#include <fitsio.h>

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <cstring>
#include <limits>
#include <string>
#include <vector>

#include "fftconv/version.hpp"
#include "formats.hpp"
#include "isolated.hpp"

namespace fftconv::io {

namespace {

/// cfitsio's status text and the first message on its error stack (cleared).
[[noreturn]] void throw_fits_error(int status, const char* doing) {
  char text[FLEN_STATUS] = "", detail[FLEN_ERRMSG] = "";
  fits_get_errstatus(status, text);
  const bool have_detail = fits_read_errmsg(detail) != 0;
  fits_clear_errmsg();
  std::string message = std::string("FITS error while ") + doing + ": " + text;
  if (have_detail && detail[0] != '\0' && std::string(detail) != text)
    message += std::string(" (") + detail + ")";
  throw IoError(message);
}

/// Closes the file however decode/write leave; errors on close after a failure are moot.
struct FitsFile {
  fitsfile* f = nullptr;
  ~FitsFile() {
    int status = 0;
    if (f) fits_close_file(f, &status);
  }
};

struct TypeMap {
  PixelType type;
  int image_type;  // BITPIX or cfitsio's equivalent-type code (USHORT_IMG, ...)
  int datatype;    // the cfitsio datatype of a C array of `type`
};

constexpr TypeMap type_map[] = {
    {PixelType::u8, BYTE_IMG, TBYTE},
    {PixelType::i8, SBYTE_IMG, TSBYTE},
    {PixelType::u16, USHORT_IMG, TUSHORT},
    {PixelType::i16, SHORT_IMG, TSHORT},
    {PixelType::u32, ULONG_IMG, TUINT},
    {PixelType::i32, LONG_IMG, TINT},
    {PixelType::u64, ULONGLONG_IMG, TULONGLONG},
    {PixelType::i64, LONGLONG_IMG, TLONGLONG},
    {PixelType::f32, FLOAT_IMG, TFLOAT},
    {PixelType::f64, DOUBLE_IMG, TDOUBLE},
};

const TypeMap* by_image_type(int image_type) {
  for (const TypeMap& m : type_map)
    if (m.image_type == image_type) return &m;
  return nullptr;
}

const TypeMap& by_pixel_type(PixelType type) {
  for (const TypeMap& m : type_map)
    if (m.type == type) return m;
  throw IoError("no FITS type for " + std::string(name(type)));
}

/// The real size of the buffer decode_fits hands cfitsio (read by its resize function).
thread_local std::size_t memory_file_size = 0;

/// Whether the current image HDU's axes are all non-zero (NAXIS1 = 0 is a legal "no data").
bool has_pixels(fitsfile* f, int naxis) {
  std::vector<LONGLONG> axes(static_cast<std::size_t>(naxis));
  int status = 0;
  if (fits_get_img_sizell(f, naxis, axes.data(), &status)) return true;  // reported later
  return std::all_of(axes.begin(), axes.end(), [](LONGLONG n) { return n != 0; });
}

/// Moves to the first HDU holding an image with at least one axis (the primary HDU is often
/// empty, with the image in an extension, possibly tile-compressed).
void move_to_image(fitsfile* f) {
  for (;;) {
    int status = 0, hdu_type = 0, naxis = 0;
    if (fits_get_hdu_type(f, &hdu_type, &status)) throw_fits_error(status, "reading the header");
    const bool image = hdu_type == IMAGE_HDU || fits_is_compressed_image(f, &status);
    if (image && fits_get_img_dim(f, &naxis, &status) == 0 && naxis > 0 && has_pixels(f, naxis))
      return;
    status = 0;
    if (fits_movrel_hdu(f, 1, nullptr, &status)) {
      if (status == END_OF_FILE) {
        fits_clear_errmsg();
        throw IoError("no image data in any HDU");
      }
      throw_fits_error(status, "moving to the next HDU");
    }
  }
}

/// The decoder itself, run in a child process by decode_fits.
Image decode_fits_here(const unsigned char* data, std::size_t size, const ReadLimits& limits) {
  // cfitsio reads whole 2880-byte records: from a buffer of another length (a truncated file)
  // it would read past the end, so such a buffer is copied into one padded with zeros.
  constexpr std::size_t record = 2880;
  std::vector<unsigned char> padded;
  if (size % record != 0) {
    padded.assign(data, data + size);
    padded.resize((size / record + 1) * record, 0);
    data = padded.data();
  }
  // cfitsio keeps pointers to these two for as long as the file is open.
  void* buffer = const_cast<unsigned char*>(data);  // READONLY: never written
  std::size_t buffer_size = padded.empty() ? size : padded.size();
  FitsFile file;
  int status = 0;
  // cfitsio "resizes" the file through this function (also on open, to the size it already
  // has). Without one, a header declaring data past the end would only raise cfitsio's idea of
  // the size, and it would read past the buffer; this one refuses to grow beyond the buffer.
  memory_file_size = buffer_size;
  const auto no_growth = [](void* p, std::size_t n) -> void* {
    return n <= memory_file_size ? p : nullptr;
  };
  if (fits_open_memfile(&file.f, "fits", READONLY, &buffer, &buffer_size, 0, no_growth, &status))
    throw_fits_error(status, "opening");
  move_to_image(file.f);

  int naxis = 0, raw_bitpix = 0, equiv_bitpix = 0;
  fits_get_img_dim(file.f, &naxis, &status);
  fits_get_img_type(file.f, &raw_bitpix, &status);
  fits_get_img_equivtype(file.f, &equiv_bitpix, &status);
  if (status) throw_fits_error(status, "reading the image header");
  std::vector<LONGLONG> axes(static_cast<std::size_t>(naxis));
  if (fits_get_img_sizell(file.f, naxis, axes.data(), &status))
    throw_fits_error(status, "reading the image size");
  // Degenerate trailing axes (NAXIS4 = 1 in radio cubes) carry no data.
  while (naxis > 3 && axes[static_cast<std::size_t>(naxis) - 1] == 1)
    --naxis;
  if (naxis > 3)
    throw IoError("FITS image has " + std::to_string(naxis) + " axes; fftconv reads 1 to 3");

  Image image;
  for (int a = naxis - 1; a >= 0; --a) {  // NAXIS1 varies fastest: the last C-order axis
    const LONGLONG n = axes[static_cast<std::size_t>(a)];
    if (n < 0) throw IoError("FITS image has a negative axis length");
    image.shape.push_back(static_cast<std::size_t>(n));
  }

  // Integer data with BLANK pixels read as floats, the blanks as NaN.
  LONGLONG blank = 0;
  bool has_blank = false;
  if (raw_bitpix > 0) {
    int key_status = 0;
    has_blank = fits_read_key(file.f, TLONGLONG, "BLANK", &blank, nullptr, &key_status) == 0;
    fits_clear_errmsg();
  }
  if (raw_bitpix == LONGLONG_IMG && equiv_bitpix == LONGLONG_IMG) {
    // cfitsio (4.2) reports BZERO = 2^63, the uint64 convention, as int64; reading as uint64
    // applies the offset.
    double bzero = 0, bscale = 1;
    int key_status = 0;
    fits_read_key(file.f, TDOUBLE, "BZERO", &bzero, nullptr, &key_status);
    key_status = 0;
    fits_read_key(file.f, TDOUBLE, "BSCALE", &bscale, nullptr, &key_status);
    fits_clear_errmsg();
    if (bscale == 1 && bzero == 9223372036854775808.0) equiv_bitpix = ULONGLONG_IMG;
  }
  const TypeMap* map = by_image_type(equiv_bitpix);
  if (!map) throw IoError("unsupported FITS BITPIX " + std::to_string(equiv_bitpix));
  if (has_blank && is_integer(map->type))
    map = &by_pixel_type(raw_bitpix <= 16 ? PixelType::f32 : PixelType::f64);
  image.type = map->type;

  const std::size_t bytes = checked_image_bytes(image.shape, image.type, ReadLimits{});
  const bool compressed = fits_is_compressed_image(file.f, &status) != 0;
  if (!compressed) {
    // The stored data must be in the file (it is raw_bitpix wide, not the equivalent type's).
    LONGLONG head_start = 0, data_start = 0, data_end = 0;
    if (fits_get_hduaddrll(file.f, &head_start, &data_start, &data_end, &status))
      throw_fits_error(status, "locating the data");
    const auto needed = static_cast<long double>(element_count(image.shape)) *
                        static_cast<long double>(std::abs(raw_bitpix) / 8);
    if (data_start < 0 ||
        static_cast<long double>(data_start) + needed > static_cast<long double>(size))
      throw IoError("truncated FITS data (the header declares " + to_string(image.shape) +
                    " pixels of BITPIX " + std::to_string(raw_bitpix) + ")");
  }
  checked_image_bytes(image.shape, image.type, limits);
  double nan_double = std::numeric_limits<double>::quiet_NaN();
  float nan_float = std::numeric_limits<float>::quiet_NaN();
  void* null_value = nullptr;
  if (has_blank)
    null_value = image.type == PixelType::f32 ? static_cast<void*>(&nan_float)
                                              : static_cast<void*>(&nan_double);
  const auto read_pixels = [&](void* out) {
    int any_null = 0, read_status = 0;
    fits_read_img(file.f, map->datatype, 1, static_cast<LONGLONG>(element_count(image.shape)),
                  null_value, out, &any_null, &read_status);
    return read_status;
  };
  image.bytes.resize(bytes);
  status = read_pixels(image.bytes.data());
  if (status) throw_fits_error(status, "reading the pixels");
  return image;
}

}  // namespace

Image decode_fits(const unsigned char* data, std::size_t size, const ReadLimits& limits) {
  return decode_isolated([&] { return decode_fits_here(data, size, limits); }, limits, "cfitsio");
}

void write_fits(const Image& image, const std::string& path) {
  const TypeMap& map = by_pixel_type(image.type);
  std::remove(path.c_str());  // cfitsio will not overwrite (the caller's fresh temporary)
  FitsFile file;
  int status = 0;
  // (diskfile: the path is a plain name, not cfitsio's extended "file.fits[1]" syntax)
  if (fits_create_diskfile(&file.f, path.c_str(), &status)) throw_fits_error(status, "creating");
  std::vector<LONGLONG> axes;
  for (int a = image.shape.rank() - 1; a >= 0; --a)
    axes.push_back(static_cast<LONGLONG>(image.shape[a]));
  const std::string history = "written by fftconv " + std::to_string(version_major) + "." +
                              std::to_string(version_minor) + "." + std::to_string(version_patch);
  fits_create_imgll(file.f, map.image_type, image.shape.rank(), axes.data(), &status);
  fits_write_history(file.f, history.c_str(), &status);
  fits_write_img(file.f, map.datatype, 1, static_cast<LONGLONG>(element_count(image.shape)),
                 const_cast<unsigned char*>(image.bytes.data()), &status);
  if (status) throw_fits_error(status, "writing");
  fits_close_file(file.f, &status);
  file.f = nullptr;
  if (status) throw_fits_error(status, "closing");
}

}  // namespace fftconv::io
