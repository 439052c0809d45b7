// FITS through cfitsio, read from memory (fits_open_memfile) so a file and a fuzzer's bytes take
// the same path.
#include <fitsio.h>
#include <sys/stat.h>
#include <unistd.h>
#include <zlib.h>

#include <algorithm>
#include <cctype>
#include <cerrno>
#include <cmath>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <initializer_list>
#include <limits>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "codec.hpp"
#include "fftconv/version.hpp"
#include "formats.hpp"
#include "isolated.hpp"
#include "placed_rows.hpp"
#include "printable.hpp"

namespace fftconv::io {

namespace {

/// The input's real length and the largest length cfitsio asked it to have (through the
/// resize function of decode_fits_here): a header declaring more bytes than the file has.
thread_local std::size_t input_size = 0;
thread_local std::size_t declared_size = 0;

[[noreturn]] void throw_truncated(std::size_t declared, std::size_t size) {
  throw IoError("truncated FITS file: its header declares at least " + std::to_string(declared) +
                " bytes, the file has " + std::to_string(size) + " (" +
                std::to_string(declared - size) + " bytes missing)");
}

/// cfitsio's status text and the first message on its error stack (cleared; it may quote the
/// file's header, hence printable), or the truncation that caused it.
[[noreturn]] void throw_fits_error(int status, const char* doing) {
  char text[FLEN_STATUS] = "", detail[FLEN_ERRMSG] = "";
  fits_get_errstatus(status, text);
  const bool have_detail = fits_read_errmsg(detail) != 0;
  fits_clear_errmsg();
  if (declared_size > input_size) throw_truncated(declared_size, input_size);
  std::string message = std::string("FITS error while ") + doing + ": " + text;
  if (have_detail && detail[0] != '\0' && std::string(detail) != text)
    message += " (" + printable(detail) + ")";
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

/// The size of the buffer decode_fits_here hands cfitsio (read by its resize function).
thread_local std::size_t memory_file_size = 0;

/// A gzip-compressed file (.fits.gz) inflated, at most limits.max_bytes of it: a few kilobytes
/// of gzip can expand to gigabytes.
std::vector<unsigned char> gunzip(const unsigned char* data, std::size_t size,
                                  const ReadLimits& limits) {
  const std::size_t max_bytes = limits.max_bytes;
  z_stream z{};
  if (inflateInit2(&z, 16 + MAX_WBITS) != Z_OK) throw IoError("cannot start gzip decoding");
  struct End {
    z_stream& z;
    ~End() { inflateEnd(&z); }
  } end{z};
  std::vector<unsigned char> out;
  std::size_t used = 0;
  z.next_in = const_cast<unsigned char*>(data);
  z.avail_in = 0;
  std::size_t in_left = size;
  for (;;) {
    if (used == out.size()) {
      if (out.size() >= max_bytes)
        throw IoError("gzip-compressed FITS expands to " + more_than(limits));
      const std::size_t grown = std::max<std::size_t>({out.size() * 2, size * 4, 1 << 20});
      out.resize(std::min(grown, max_bytes));
    }
    if (z.avail_in == 0) {
      z.avail_in = static_cast<uInt>(std::min<std::size_t>(in_left, 1u << 30));
      in_left -= z.avail_in;
    }
    z.next_out = out.data() + used;
    z.avail_out = static_cast<uInt>(std::min<std::size_t>(out.size() - used, 1u << 30));
    const uInt before = z.avail_out;
    const int rc = inflate(&z, Z_NO_FLUSH);
    used += before - z.avail_out;
    if (rc == Z_STREAM_END) {
      if (z.avail_in == 0 && in_left == 0) break;
      if (inflateReset(&z) != Z_OK) throw IoError("corrupt gzip data");  // another member
      continue;
    }
    if (rc == Z_BUF_ERROR && z.avail_in == 0 && in_left == 0)
      throw IoError("truncated gzip data (the compressed stream ends early)");
    if (rc != Z_OK && rc != Z_BUF_ERROR)
      throw IoError(std::string("corrupt gzip data") + (z.msg ? std::string(": ") + z.msg : ""));
  }
  out.resize(used);
  return out;
}

/// Whether the current image HDU's axes are all non-zero (NAXIS1 = 0 is a legal "no data").
bool has_pixels(fitsfile* f, int naxis) {
  std::vector<LONGLONG> axes(static_cast<std::size_t>(naxis));
  int status = 0;
  if (fits_get_img_sizell(f, naxis, axes.data(), &status)) return true;  // reported later
  return std::all_of(axes.begin(), axes.end(), [](LONGLONG n) { return n != 0; });
}

/// Whether the current HDU holds an image with at least one pixel.
bool is_image_with_data(fitsfile* f) {
  int status = 0, hdu_type = 0, naxis = 0;
  if (fits_get_hdu_type(f, &hdu_type, &status)) throw_fits_error(status, "reading the header");
  const bool image = hdu_type == IMAGE_HDU || fits_is_compressed_image(f, &status);
  return image && fits_get_img_dim(f, &naxis, &status) == 0 && naxis > 0 && has_pixels(f, naxis);
}

/// Moves to the first HDU holding an image with at least one axis (the primary HDU is often
/// empty, with the image in an extension, possibly tile-compressed).
void move_to_image(fitsfile* f) {
  while (!is_image_with_data(f)) {
    int status = 0;
    if (fits_movrel_hdu(f, 1, nullptr, &status)) {
      if (status == END_OF_FILE) {
        fits_clear_errmsg();
        throw IoError("no image data in any HDU");
      }
      throw_fits_error(status, "moving to the next HDU");
    }
  }
}

std::string trim(const std::string& s) {
  const std::size_t first = s.find_first_not_of(' ');
  if (first == std::string::npos) return "";
  return s.substr(first, s.find_last_not_of(' ') - first + 1);
}

/// "0 (primary), 1 'SCI', 2 'ERR', ...": the HDUs a selector can name, for a message.
std::string hdu_list(fitsfile* f) {
  int count = 0, status = 0;
  fits_get_num_hdus(f, &count, &status);
  std::string list;
  for (int i = 1; i <= count && i <= 10; ++i) {
    status = 0;
    if (fits_movabs_hdu(f, i, nullptr, &status)) break;
    list += (list.empty() ? "" : ", ") + std::to_string(i - 1);
    char* extname = nullptr;  // (a long string may go on over CONTINUE cards)
    if (fits_read_key_longstr(f, "EXTNAME", &extname, nullptr, &status) == 0)
      list += " '" + printable(extname, 32) + "'";
    else if (i == 1)
      list += " (primary)";
    if (extname) fits_free_memory(extname, &status);
  }
  fits_clear_errmsg();
  if (count > 10) list += ", ... (" + std::to_string(count) + " HDUs)";
  return list;
}

/// Moves to the HDU that cfitsio's selector names: a number (0 = primary, 1 = the first
/// extension) or EXTNAME, optionally with ",EXTVER".
void move_to_selected(fitsfile* f, const std::string& selector) {
  const std::string shown = "[" + printable(selector) + "]";
  const std::string text = trim(selector);
  const bool number =
      !text.empty() && text.size() < 9 &&
      std::all_of(text.begin(), text.end(), [](unsigned char c) { return std::isdigit(c) != 0; });
  int status = 0;
  if (number) {
    fits_movabs_hdu(f, std::stoi(text) + 1, nullptr, &status);
  } else {
    const std::size_t comma = text.find(',');
    std::string name = trim(text.substr(0, comma));
    int version = 0;
    if (comma != std::string::npos) {
      const std::string v = trim(text.substr(comma + 1));
      if (v.empty() || v.size() > 8 ||
          !std::all_of(v.begin(), v.end(), [](unsigned char c) { return std::isdigit(c) != 0; }))
        throw IoError("HDU selector " + shown + " is not a number, NAME or NAME,VERSION");
      version = std::stoi(v);
    }
    if (name.empty() || name.size() >= FLEN_VALUE)
      throw IoError("HDU selector " + shown + " is not a number, NAME or NAME,VERSION");
    fits_movnam_hdu(f, ANY_HDU, name.data(), version, &status);
  }
  if (status) {
    fits_clear_errmsg();
    if (status != END_OF_FILE && status != BAD_HDU_NUM) throw_fits_error(status, "finding the HDU");
    throw IoError("no HDU " + shown + " in the file (its HDUs: " + hdu_list(f) + ")");
  }
  if (!is_image_with_data(f))
    throw IoError("HDU " + shown + " holds no image data (its HDUs: " + hdu_list(f) + ")");
}

/// Whether `keyword` is one of `prefixes` followed by digits (NAXIS1, TFORM3).
bool is_indexed(const std::string& keyword, std::initializer_list<const char*> prefixes) {
  for (const char* prefix : prefixes) {
    const std::size_t n = std::strlen(prefix);
    if (keyword.size() > n && keyword.compare(0, n, prefix) == 0 &&
        std::all_of(keyword.begin() + static_cast<std::ptrdiff_t>(n), keyword.end(),
                    [](unsigned char c) { return std::isdigit(c) != 0; }))
      return true;
  }
  return false;
}

/// Cards of the input's header that describe the stored data rather than the image, so a
/// written file has its own: SIMPLE, BITPIX, NAXISn, EXTEND, XTENSION, PCOUNT, GCOUNT, the
/// tile-compression cards, CHECKSUM/DATASUM, and BSCALE/BZERO/BLANK (the pixels are read as
/// physical values, NaN for BLANK, and the writer stores them as they are).
bool is_structural(const std::string& keyword) {
  static const char* const exact[] = {
      "SIMPLE",   "BITPIX",  "NAXIS",    "EXTEND",   "XTENSION", "PCOUNT",   "GCOUNT",
      "BSCALE",   "BZERO",   "BLANK",    "CHECKSUM", "DATASUM",  "END",      "ZIMAGE",
      "ZCMPTYPE", "ZBITPIX", "ZNAXIS",   "ZSIMPLE",  "ZTENSION", "ZEXTEND",  "ZBLOCKED",
      "ZPCOUNT",  "ZGCOUNT", "ZHECKSUM", "ZDATASUM", "ZQUANTIZ", "ZDITHER0", "ZBLANK",
      "ZSCALE",   "ZZERO",   "ZMASKCMP", "TFIELDS",  "THEAP"};
  for (const char* k : exact)
    if (keyword == k) return true;
  return is_indexed(keyword, {"NAXIS", "ZNAXIS", "ZTILE", "ZNAME", "ZVAL"});
}

/// A compressed image is stored as a binary table: its column cards are not the image's.
bool is_table_column_card(const std::string& keyword) {
  return is_indexed(keyword,
                    {"TTYPE", "TFORM", "TUNIT", "TSCAL", "TZERO", "TNULL", "TDIM", "TDISP"});
}

/// A card's keyword as cfitsio's writer stores it and a reader then sees it: fits_write_record
/// upper-cases the name (up to the '=', or the first 8 characters without one), so a card
/// "bzero = 5" that the input's reader ignored is BZERO in the output; and a HIERARCH card's
/// name is what follows HIERARCH.
std::string written_keyword(const std::string& card) {
  std::size_t end = card.find('=');
  if (end == std::string::npos) end = std::min<std::size_t>(8, card.size());
  std::string name = card.substr(0, end);
  for (char& c : name)
    c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  name = trim(name);
  if (name.compare(0, 9, "HIERARCH ") == 0) name = trim(name.substr(9));
  return name;
}

/// The image HDU's header cards that an output keeps (see is_structural). Cards holding bytes
/// FITS does not allow are left out (cfitsio would refuse to write them). (Not
/// fits_convert_hdr2str for a compressed HDU: it sizes a memory file for the whole image.)
std::vector<std::string> kept_cards(fitsfile* f, bool compressed) {
  char* header = nullptr;
  int count = 0, status = 0;
  if (fits_hdr2str(f, 0, nullptr, 0, &header, &count, &status))
    throw_fits_error(status, "reading the header cards");
  std::vector<std::string> cards;
  for (int i = 0; i < count; ++i) {
    const std::string card(header + 80 * static_cast<std::size_t>(i), 80);
    // (By the keyword in the input and as it will be written: either may be structural.)
    const std::string keyword = trim(card.substr(0, 8)), written = written_keyword(card);
    if (is_structural(keyword) || is_structural(written) ||
        (compressed && (is_table_column_card(keyword) || is_table_column_card(written))))
      continue;
    if (keyword == "EXTNAME" && card.find("'COMPRESSED_IMAGE'") != std::string::npos) continue;
    // cfitsio writes these two lines into every primary header it creates.
    if (keyword == "COMMENT" &&
        (card.find("FITS (Flexible Image Transport System) format is") != std::string::npos ||
         card.find("and Astrophysics', volume 376, page 359") != std::string::npos))
      continue;
    if (!std::all_of(card.begin(), card.end(),
                     [](unsigned char c) { return c >= 0x20 && c < 0x7f; }))
      continue;
    cards.push_back(card);
  }
  fits_free_memory(header, &status);
  return cards;
}

/// A count computed in long double (it may exceed every integer type), as an integer.
std::string count_text(long double n) {
  char text[64];
  std::snprintf(text, sizeof text, "%.0Lf", n);
  return text;
}

/// A tile-compressed image's header against the file, before cfitsio allocates for it: the
/// table has a row for every tile the header's shape and tile size imply, every tile's
/// compressed bytes lie inside the file (cfitsio allocates the length a row declares), and
/// one tile's decoding buffers (up to 8 bytes a pixel) fit the limit.
void check_compressed(fitsfile* f, const std::vector<LONGLONG>& axes, std::size_t file_size,
                      const ReadLimits& limits) {
  int status = 0;
  LONGLONG rows = 0, row_bytes = 0, heap = 0, head_start = 0, data_start = 0, data_end = 0;
  fits_get_num_rowsll(f, &rows, &status);
  fits_read_key(f, TLONGLONG, "NAXIS1", &row_bytes, nullptr, &status);
  fits_get_hduaddrll(f, &head_start, &data_start, &data_end, &status);
  if (status) throw_fits_error(status, "reading the compressed image's table");
  if (fits_read_key(f, TLONGLONG, "THEAP", &heap, nullptr, &status)) {
    status = 0;
    fits_clear_errmsg();
    heap = row_bytes * rows;
  }
  long double tiles = 1, tile_pixels = 1;
  std::string tile_shape, image_shape;
  for (std::size_t a = 0; a < axes.size(); ++a) {
    LONGLONG tile = a == 0 ? axes[0] : 1;  // the default: one row a tile
    const std::string key = "ZTILE" + std::to_string(a + 1);
    if (fits_read_key(f, TLONGLONG, key.c_str(), &tile, nullptr, &status)) {
      status = 0;
      fits_clear_errmsg();
    }
    if (tile < 1) throw IoError("tile-compressed FITS has " + key + " = " + std::to_string(tile));
    tile = std::min(tile, axes[a]);
    tiles *= static_cast<long double>((axes[a] + tile - 1) / tile);
    tile_pixels *= static_cast<long double>(tile);
    tile_shape = std::to_string(tile) + (tile_shape.empty() ? "" : "x") + tile_shape;
    image_shape = std::to_string(axes[a]) + (image_shape.empty() ? "" : "x") + image_shape;
  }
  if (tiles > static_cast<long double>(rows))
    throw IoError("tile-compressed FITS declares a " + image_shape + " image in " +
                  count_text(tiles) + " tiles of " + tile_shape + " pixels but its table holds " +
                  std::to_string(rows) + ": corrupt or truncated");
  if (tile_pixels * 8 > static_cast<long double>(limits.max_bytes))
    throw IoError("a compressed FITS tile of " + tile_shape + " pixels needs up to " +
                  count_text(tile_pixels * 8) + " bytes of decoding buffers, " + more_than(limits));
  for (const char* column : {"COMPRESSED_DATA", "GZIP_COMPRESSED_DATA", "UNCOMPRESSED_DATA"}) {
    int col = 0, type = 0;
    LONGLONG repeat = 0, width = 0;
    if (fits_get_colnum(f, CASEINSEN, const_cast<char*>(column), &col, &status)) {
      status = 0;
      fits_clear_errmsg();
      continue;
    }
    if (fits_get_coltypell(f, col, &type, &repeat, &width, &status))
      throw_fits_error(status, "reading the compressed image's table");
    if (type >= 0) continue;  // not a variable-length array column
    const LONGLONG element = std::max<LONGLONG>(width, 1);
    for (LONGLONG row = 1; row <= static_cast<LONGLONG>(tiles); ++row) {
      LONGLONG length = 0, offset = 0;
      if (fits_read_descriptll(f, col, row, &length, &offset, &status))
        throw_fits_error(status, "reading the compressed image's table");
      const long double end = static_cast<long double>(data_start) + heap + offset +
                              static_cast<long double>(length) * element;
      if (length < 0 || offset < 0 || end > static_cast<long double>(file_size))
        throw_truncated(static_cast<std::size_t>(std::min<long double>(end, 1e18L)), file_size);
    }
  }
}

/// The current image HDU's shape (C order: NAXIS1 last; degenerate axes beyond the third
/// dropped), and every axis as the header declares it (`all_axes`, FITS order).
Shape image_shape(fitsfile* f, std::vector<LONGLONG>& all_axes) {
  int naxis = 0, status = 0;
  if (fits_get_img_dim(f, &naxis, &status)) throw_fits_error(status, "reading the image header");
  std::vector<LONGLONG> axes(static_cast<std::size_t>(naxis));
  if (fits_get_img_sizell(f, naxis, axes.data(), &status))
    throw_fits_error(status, "reading the image size");
  for (LONGLONG n : axes)
    if (n < 0) throw IoError("FITS image has a negative axis length");
  all_axes = axes;
  // Degenerate trailing axes (NAXIS4 = 1 in radio cubes) carry no data.
  while (naxis > 3 && axes[static_cast<std::size_t>(naxis) - 1] == 1)
    --naxis;
  if (naxis > 3)
    throw IoError("FITS image has " + std::to_string(naxis) + " axes; fftconv reads 1 to 3");
  Shape shape;
  for (int a = naxis - 1; a >= 0; --a)  // NAXIS1 varies fastest: the last C-order axis
    shape.push_back(static_cast<std::size_t>(axes[static_cast<std::size_t>(a)]));
  return shape;
}

/// How the current image HDU's pixels are stored and read: `type`, the physical values'
/// pixel type, and what reading them as that type takes.
struct StoredPixels {
  int raw_bitpix = 0;            ///< BITPIX: the stored numbers' width and kind
  const TypeMap* map = nullptr;  ///< the type read as (`type`)
  PixelType type = PixelType::f64;
  bool has_blank = false;      ///< integer data with BLANK: read as floats, NaN at blanks
  bool uint64_offset = false;  ///< BZERO 2^63: read raw, the offset applied by read_pixels
};

StoredPixels stored_pixels(fitsfile* f) {
  StoredPixels s;
  int equiv_bitpix = 0, status = 0;
  fits_get_img_type(f, &s.raw_bitpix, &status);
  fits_get_img_equivtype(f, &equiv_bitpix, &status);
  if (status) throw_fits_error(status, "reading the image header");
  // Integer data with BLANK pixels read as floats, the blanks as NaN.
  LONGLONG blank = 0;
  if (s.raw_bitpix > 0) {
    int key_status = 0;
    s.has_blank = fits_read_key(f, TLONGLONG, "BLANK", &blank, nullptr, &key_status) == 0;
    fits_clear_errmsg();
  }
  // cfitsio (4.2) reports every scaling of 64-bit data as int64: BZERO = 2^63 is the uint64
  // convention (read raw, the offset applied below: cfitsio overflows when the card does not
  // spell 2^63 exactly), any other BSCALE/BZERO gives float64 physical values.
  if (s.raw_bitpix == LONGLONG_IMG) {
    double bzero = 0, bscale = 1;
    int key_status = 0;
    fits_read_key(f, TDOUBLE, "BZERO", &bzero, nullptr, &key_status);
    key_status = 0;
    fits_read_key(f, TDOUBLE, "BSCALE", &bscale, nullptr, &key_status);
    fits_clear_errmsg();
    s.uint64_offset = bscale == 1 && bzero == 9223372036854775808.0 && !s.has_blank;
    if (s.uint64_offset)
      equiv_bitpix = ULONGLONG_IMG;
    else if (bscale != 1 || bzero != 0)
      equiv_bitpix = DOUBLE_IMG;
  }
  s.map = by_image_type(equiv_bitpix);
  if (!s.map) throw IoError("unsupported FITS BITPIX " + std::to_string(equiv_bitpix));
  if (s.has_blank && is_integer(s.map->type))
    s.map = &by_pixel_type(s.raw_bitpix <= 16 ? PixelType::f32 : PixelType::f64);
  s.type = s.map->type;
  return s;
}

/// Pixels [first, first + count) (0-based, in file order) of the current image HDU into `out`,
/// as `s.type`.
void read_pixels(fitsfile* f, const StoredPixels& s, std::size_t first, std::size_t count,
                 unsigned char* out) {
  double nan_double = std::numeric_limits<double>::quiet_NaN();
  float nan_float = std::numeric_limits<float>::quiet_NaN();
  void* null_value = nullptr;
  if (s.has_blank)
    null_value =
        s.type == PixelType::f32 ? static_cast<void*>(&nan_float) : static_cast<void*>(&nan_double);
  int any_null = 0, status = 0;
  if (s.uint64_offset) fits_set_bscale(f, 1.0, 0.0, &status);
  if (fits_read_img(f, s.uint64_offset ? TLONGLONG : s.map->datatype,
                    static_cast<LONGLONG>(first) + 1, static_cast<LONGLONG>(count), null_value, out,
                    &any_null, &status))
    throw_fits_error(status, "reading the pixels");
  if (s.uint64_offset)  // raw + 2^63 as uint64: the top bit flipped
    for (std::size_t i = 0; i < count * 8; i += 8) {
      std::uint64_t v = 0;
      std::memcpy(&v, &out[i], 8);
      v ^= std::uint64_t{1} << 63;
      std::memcpy(&out[i], &v, 8);
    }
}

/// An uncompressed image's stored data must be in the file (`size` bytes; it is raw_bitpix
/// wide, not the physical type's).
void check_data_in_file(fitsfile* f, const Shape& shape, int raw_bitpix, std::size_t size) {
  LONGLONG head_start = 0, data_start = 0, data_end = 0;
  int status = 0;
  if (fits_get_hduaddrll(f, &head_start, &data_start, &data_end, &status))
    throw_fits_error(status, "locating the data");
  const auto needed = static_cast<long double>(element_count(shape)) *
                          static_cast<long double>(std::abs(raw_bitpix) / 8) +
                      static_cast<long double>(data_start);
  if (data_start < 0 || needed > static_cast<long double>(size))
    throw_truncated(static_cast<std::size_t>(std::min<long double>(needed, 1e18L)), size);
}

/// Moves to the HDU `hdu` selects (decode_fits's rule: "" the first image with data).
void move_to_hdu(fitsfile* f, const std::string& hdu) {
  if (hdu.empty())
    move_to_image(f);
  else
    move_to_selected(f, hdu);
}

/// The decoder itself, run in a child process by decode_fits.
Image decode_fits_here(const unsigned char* data, std::size_t size, const ReadLimits& limits,
                       const std::string& hdu) {
  std::vector<unsigned char> inflated;
  if (size >= 2 && data[0] == 0x1f && data[1] == 0x8b) {  // gzip (.fits.gz)
    inflated = gunzip(data, size, limits);
    data = inflated.data();
    size = inflated.size();
  }
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
  // the size, and it would read past the buffer; this one refuses to grow beyond the buffer
  // and remembers the size asked for (the file is truncated).
  memory_file_size = buffer_size;
  input_size = size;
  declared_size = 0;
  const auto no_growth = [](void* p, std::size_t n) -> void* {
    if (n <= memory_file_size) return p;
    declared_size = std::max(declared_size, n);
    return nullptr;
  };
  if (fits_open_memfile(&file.f, "fits", READONLY, &buffer, &buffer_size, 0, no_growth, &status))
    throw_fits_error(status, "opening");
  move_to_hdu(file.f, hdu);

  std::vector<LONGLONG> all_axes;
  Image image;
  image.shape = image_shape(file.f, all_axes);
  const StoredPixels stored = stored_pixels(file.f);
  image.type = stored.type;

  checked_image_bytes(image.shape, image.type, ReadLimits{});
  const bool compressed = fits_is_compressed_image(file.f, &status) != 0;
  if (!compressed) check_data_in_file(file.f, image.shape, stored.raw_bitpix, size);
  const std::size_t bytes = checked_image_bytes(image.shape, image.type, limits);
  if (compressed) check_compressed(file.f, all_axes, size, limits);
  image.metadata.fits_cards = kept_cards(file.f, compressed);
  allocate_pixels(image, bytes, NewPixels::zero);
  read_pixels(file.f, stored, 0, element_count(image.shape), image.bytes.data());
  return image;
}

/// Starts a primary HDU of `shape` and `type` in the open, empty file `f`: its header with
/// `metadata`'s cards and HISTORY lines (or "written by fftconv X.Y.Z"); status as cfitsio's.
void create_hdu(fitsfile* f, const Shape& shape, PixelType type, const Metadata& metadata,
                int& status) {
  const TypeMap& map = by_pixel_type(type);
  std::vector<LONGLONG> axes;
  for (int a = shape.rank() - 1; a >= 0; --a)
    axes.push_back(static_cast<LONGLONG>(shape[a]));
  fits_create_imgll(f, map.image_type, shape.rank(), axes.data(), &status);
  // A kept card cfitsio refuses to write (a keyword with an embedded space or an illegal
  // character: its checks are the writer's own, so they are asked here, card by card) is left
  // out rather than failing the output; a refused card writes nothing.
  for (const std::string& card : metadata.fits_cards) {
    if (status != 0) break;
    int card_status = 0;
    fits_write_record(f, card.c_str(), &card_status);
    if (card_status != 0) fits_clear_errmsg();
  }
  std::vector<std::string> history = metadata.history;
  if (history.empty())
    history.push_back("written by fftconv " + std::to_string(version_major) + "." +
                      std::to_string(version_minor) + "." + std::to_string(version_patch));
  for (const std::string& line : history)  // (cfitsio continues a long line on more cards)
    fits_write_history(f, line.c_str(), &status);
}

/// Writes `image` as a primary HDU to the open, empty file `f`.
void write_hdu(fitsfile* f, const Image& image) {
  int status = 0;
  create_hdu(f, image.shape, image.type, image.metadata, status);
  fits_write_img(f, by_pixel_type(image.type).datatype, 1,
                 static_cast<LONGLONG>(element_count(image.shape)),
                 const_cast<unsigned char*>(image.bytes.data()), &status);
  if (status) throw_fits_error(status, "writing");
}

/// cfitsio's name for the file open as `fd` (cfitsio opens files by name only; this one names
/// the open file itself, so the name cannot be redirected to another).
std::string descriptor_name(int fd) {
  return "/proc/self/fd/" + std::to_string(fd);
}

/// A cfitsio memory file's buffer (grown by std::realloc), freed however the writer leaves:
/// declared before the FitsFile using it, so that the file is closed first.
struct MemoryBuffer {
  void* data = nullptr;
  std::size_t size = 0;
  MemoryBuffer() = default;
  MemoryBuffer(const MemoryBuffer&) = delete;
  MemoryBuffer& operator=(const MemoryBuffer&) = delete;
  ~MemoryBuffer() { std::free(data); }
};

/// The header write_hdu would write for an image of `header` (padded to whole 2880-byte
/// records), made without its data: in a memory file the image is declared one pixel per axis
/// while cards are written (cfitsio would otherwise allocate the whole data unit when it closes
/// the file), the real axes only for the copy taken.
std::string fits_header_text(const ImageHeader& header) {
  MemoryBuffer memory;
  FitsFile file;
  int status = 0;
  if (fits_create_memfile(&file.f, &memory.data, &memory.size, 64 * 2880, std::realloc, &status))
    throw_fits_error(status, "creating the header");
  Shape ones;
  for (int a = 0; a < header.shape.rank(); ++a)
    ones.push_back(1);
  create_hdu(file.f, ones, header.type, header.metadata, status);
  const auto set_axes = [&file](const Shape& shape, int& set_status) {
    for (int a = 0; a < shape.rank(); ++a) {
      LONGLONG n = static_cast<LONGLONG>(shape[shape.rank() - 1 - a]);
      fits_update_key(file.f, TLONGLONG, ("NAXIS" + std::to_string(a + 1)).c_str(), &n, nullptr,
                      &set_status);
    }
  };
  set_axes(header.shape, status);
  char* cards = nullptr;
  int count = 0;
  fits_hdr2str(file.f, 0, nullptr, 0, &cards, &count, &status);
  const std::string copied = status == 0 ? cards : "";  // (ends with the END card)
  int restore_status = 0;
  if (cards) fits_free_memory(cards, &restore_status);
  set_axes(ones, restore_status);  // (before any throw: the file closes with one pixel)
  if (status || restore_status)
    throw_fits_error(status ? status : restore_status, "creating the header");
  std::string text = copied;
  constexpr std::size_t record = 2880;
  text.resize((text.size() + record - 1) / record * record, ' ');
  return text;
}

/// A FITS image HDU's rows, read by cfitsio from the open file (its header checked by a child
/// process first: see open_fits_rows).
class FitsRows final : public RowReader {
 public:
  FitsRows(int fd, ImageHeader header, const std::string& hdu) : header_(std::move(header)) {
    if (!header_.rows_refused.empty()) return;
    int status = 0;
    if (fits_open_diskfile(&file_.f, descriptor_name(fd).c_str(), READONLY, &status))
      throw_fits_error(status, "opening");
    move_to_hdu(file_.f, hdu);
    stored_ = stored_pixels(file_.f);
  }
  const ImageHeader& header() const override { return header_; }
  void read(std::size_t first, std::size_t count, unsigned char* out) override {
    if (!header_.rows_refused.empty()) throw IoError(header_.rows_refused);
    const std::size_t row = row_bytes(header_) / size_of(header_.type);
    read_pixels(file_.f, stored_, first * row, count * row, out);
  }

 private:
  ImageHeader header_;
  FitsFile file_;
  StoredPixels stored_;
};

/// A FITS file written row by row: write_hdu's header, the file sized to the whole data unit
/// (zeros: also the padding of its last record), then the rows by cfitsio.
class FitsRowWriter final : public RowWriter {
 public:
  FitsRowWriter(const ImageHeader& header, int fd)
      : row_(row_bytes(header) / size_of(header.type)),
        datatype_(by_pixel_type(header.type).datatype) {
    const std::string text = fits_header_text(header);
    constexpr std::size_t record = 2880;
    const std::size_t data = checked_image_bytes(header.shape, header.type, ReadLimits{});
    if (!write_all(fd, text.data(), text.size(), 0) ||
        ::ftruncate(fd, static_cast<off_t>(text.size() + (data + record - 1) / record * record)) !=
            0)
      throw IoError(std::string("write failed: ") + std::strerror(errno));
    int status = 0;
    if (fits_open_diskfile(&file_.f, descriptor_name(fd).c_str(), READWRITE, &status))
      throw_fits_error(status, "opening the written file");
  }
  void write(std::size_t first, std::size_t count, const unsigned char* rows) override {
    int status = 0;
    if (fits_write_img(file_.f, datatype_, static_cast<LONGLONG>(first * row_) + 1,
                       static_cast<LONGLONG>(count * row_), const_cast<unsigned char*>(rows),
                       &status))
      throw_fits_error(status, "writing");
  }
  void finish() override {
    int status = 0;
    fits_close_file(file_.f, &status);
    file_.f = nullptr;
    if (status) throw_fits_error(status, "closing");
  }

 private:
  std::size_t row_;  // pixels a row
  int datatype_;
  FitsFile file_;
};

/// Writes `bytes` gzip-compressed to `fd`.
void write_gzip(const unsigned char* bytes, std::size_t size, int fd) {
  const int copy = duplicate_descriptor(fd);  // (gzclose closes it)
  gzFile out = gzdopen(copy, "wb6");
  if (!out) {
    ::close(copy);
    throw IoError("cannot start the gzip compression");
  }
  bool ok = true;
  while (ok && size > 0) {
    const unsigned chunk = static_cast<unsigned>(std::min<std::size_t>(size, 1u << 30));
    ok = gzwrite(out, bytes, chunk) == static_cast<int>(chunk);
    bytes += chunk;
    size -= chunk;
  }
  if (gzclose(out) != Z_OK || !ok) throw IoError("cannot write the gzip-compressed file");
}

}  // namespace

Image decode_fits(const unsigned char* data, std::size_t size, const ReadLimits& limits,
                  const std::string& hdu) {
  return decode_isolated([&] { return decode_fits_here(data, size, limits, hdu); }, limits,
                         "cfitsio");
}

void write_fits(const Image& image, int fd, bool gzip) {
  by_pixel_type(image.type);  // (an unknown type fails before anything is written)
  // Made in memory (cfitsio creates a disk file only by name), then written through `fd`.
  MemoryBuffer memory;
  int status = 0;
  {
    FitsFile file;
    // Grown by about the whole file at once, not a 2880-byte block at a time.
    const std::size_t growth = image.bytes.size() + 64 * 2880;
    if (fits_create_memfile(&file.f, &memory.data, &memory.size, growth, std::realloc, &status))
      throw_fits_error(status, "creating");
    write_hdu(file.f, image);
    fits_close_file(file.f, &status);
    file.f = nullptr;
    if (status) throw_fits_error(status, "closing");
  }
  // The memory file's size is the allocation; the FITS file ends after its last record.
  LONGLONG used = 0;
  {
    FitsFile file;
    if (fits_open_memfile(&file.f, "fits", READONLY, &memory.data, &memory.size, 0, nullptr,
                          &status))
      throw_fits_error(status, "re-reading");
    int count = 0;
    LONGLONG head = 0, data = 0;
    fits_get_num_hdus(file.f, &count, &status);
    fits_movabs_hdu(file.f, count, nullptr, &status);
    fits_get_hduaddrll(file.f, &head, &data, &used, &status);
    if (status) throw_fits_error(status, "re-reading");
  }
  const auto* bytes = static_cast<const unsigned char*>(memory.data);
  if (gzip) return write_gzip(bytes, static_cast<std::size_t>(used), fd);
  if (!write_all(fd, bytes, static_cast<std::size_t>(used), 0))
    throw IoError(std::string("write failed: ") + std::strerror(errno));
}

std::unique_ptr<RowReader> open_fits_rows(int fd, const ReadLimits& limits,
                                          const std::string& hdu) {
  ImageHeader header;
  unsigned char start[2] = {};
  struct stat st {};
  if (::fstat(fd, &st) != 0) throw IoError(std::string("cannot read: ") + std::strerror(errno));
  const auto size = static_cast<std::size_t>(st.st_size);
  read_exactly(fd, start, std::min<std::size_t>(size, 2), 0);
  if (size >= 2 && start[0] == 0x1f && start[1] == 0x8b) {
    header.rows_refused = "a gzip-compressed FITS file is read whole, not a band of rows at a time";
    return std::make_unique<FitsRows>(fd, std::move(header), hdu);
  }
  // The header is read as decode_fits reads it, in a child (cfitsio crashes on some corrupt
  // headers); an uncompressed image's rows are then plain reads within the file.
  const auto probe = [&]() -> Image {
    FitsFile file;
    int status = 0;
    if (fits_open_diskfile(&file.f, descriptor_name(fd).c_str(), READONLY, &status))
      throw_fits_error(status, "opening");
    move_to_hdu(file.f, hdu);
    Image image;
    std::vector<LONGLONG> all_axes;
    image.shape = image_shape(file.f, all_axes);
    const StoredPixels stored = stored_pixels(file.f);
    image.type = stored.type;
    checked_image_bytes(image.shape, image.type, ReadLimits{});
    if (fits_is_compressed_image(file.f, &status))
      throw IoError("a tile-compressed FITS image is read whole, not a band of rows at a time");
    check_data_in_file(file.f, image.shape, stored.raw_bitpix, size);
    image.metadata.fits_cards = kept_cards(file.f, false);
    return image;
  };
  try {
    Image image = decode_isolated(probe, limits, "cfitsio", false);
    header.shape = image.shape;
    header.type = image.type;
    header.metadata = std::move(image.metadata);
  } catch (const IoError& e) {
    header.rows_refused = e.what();  // (decode_fits, reading the file whole, says it again)
  }
  return std::make_unique<FitsRows>(fd, std::move(header), hdu);
}

std::unique_ptr<RowWriter> create_fits_rows(const ImageHeader& header, int fd) {
  return std::make_unique<FitsRowWriter>(header, fd);
}

std::unique_ptr<RowWriter> resume_fits_rows(const ImageHeader& header, int fd) {
  // Exact byte ranges (big-endian) at the data unit's offset, which the header create_fits_rows
  // wrote for this same ImageHeader fixes; not cfitsio, whose buffered I/O rewrites whole
  // 2880-byte records and would lose rows another process wrote into the same record. Types
  // stored as themselves only (no BZERO).
  const int image_type = by_pixel_type(header.type).image_type;
  if (image_type != BYTE_IMG && image_type != SHORT_IMG && image_type != LONG_IMG &&
      image_type != LONGLONG_IMG && image_type != FLOAT_IMG && image_type != DOUBLE_IMG)
    throw IoError(std::string("FITS stores ") + name(header.type) +
                  " with an offset (BZERO): its rows are not written in place by several "
                  "processes");
  return placed_rows(header, fd, fits_header_text(header).size(), false);
}

const Codec& fits_codec() {
  static const Codec codec{
      decode_fits, [](const Image& image, int fd, bool gzip) { write_fits(image, fd, gzip); },
      open_fits_rows, create_fits_rows, resume_fits_rows};
  return codec;
}

}  // namespace fftconv::io
