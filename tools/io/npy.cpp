// The .npy format: "\x93NUMPY", version, header length, a Python dict literal
// {'descr': '<f8', 'fortran_order': False, 'shape': (3, 4), } padded with spaces, then the data.
#include <unistd.h>

#include <algorithm>
#include <cctype>
#include <cerrno>
#include <cstdint>
#include <cstdio>
#include <cstring>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "formats.hpp"
#include "placed_rows.hpp"
#include "printable.hpp"

namespace fftconv::io {

namespace {

constexpr unsigned char magic[] = {0x93, 'N', 'U', 'M', 'P', 'Y'};
constexpr bool host_little_endian = __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__;

/// A cursor over the header dict, with the few Python literals .npy headers use.
class DictParser {
 public:
  explicit DictParser(std::string text) : s_(std::move(text)) {}

  void skip_space() {
    while (i_ < s_.size() && std::isspace(static_cast<unsigned char>(s_[i_])))
      ++i_;
  }
  bool accept(char c) {
    skip_space();
    if (i_ < s_.size() && s_[i_] == c) {
      ++i_;
      return true;
    }
    return false;
  }
  void expect(char c) {
    if (!accept(c)) fail(std::string("expected '") + c + "'");
  }
  std::string string_literal() {
    skip_space();
    if (i_ >= s_.size() || (s_[i_] != '\'' && s_[i_] != '"')) fail("expected a string");
    const char quote = s_[i_++];
    const std::size_t end = s_.find(quote, i_);
    if (end == std::string::npos) fail("unterminated string");
    std::string value = s_.substr(i_, end - i_);
    i_ = end + 1;
    return value;
  }
  bool boolean() {
    skip_space();
    for (const char* word : {"True", "False"})
      if (s_.compare(i_, std::strlen(word), word) == 0) {
        i_ += std::strlen(word);
        return word[0] == 'T';
      }
    fail("expected True or False");
  }
  std::size_t integer() {
    skip_space();
    std::size_t value = 0, digits = 0;
    while (i_ < s_.size() && std::isdigit(static_cast<unsigned char>(s_[i_]))) {
      const auto d = static_cast<std::size_t>(s_[i_++] - '0');
      if (value > (static_cast<std::size_t>(-1) - d) / 10) fail("shape extent too large");
      value = value * 10 + d;
      ++digits;
    }
    if (digits == 0) fail("expected a non-negative integer");
    accept('L');  // Python 2 longs in old files
    return value;
  }
  /// (a, b, c) or (a,) or ().
  std::vector<std::size_t> tuple() {
    expect('(');
    std::vector<std::size_t> values;
    while (!accept(')')) {
      values.push_back(integer());
      if (!accept(',')) {
        expect(')');
        break;
      }
    }
    return values;
  }
  /// Fails on anything but a structured dtype's opening bracket, for a clearer message.
  bool at(char c) {
    skip_space();
    return i_ < s_.size() && s_[i_] == c;
  }
  [[noreturn]] void fail(const std::string& what) const {
    throw IoError("corrupt .npy header (" + what + " at offset " + std::to_string(i_) + ")");
  }

 private:
  std::string s_;
  std::size_t i_ = 0;
};

struct Header {
  PixelType type = PixelType::f64;
  bool byte_swapped = false;
  bool fortran_order = false;
  std::vector<std::size_t> shape;
};

/// numpy's type codes (descr without its byte-order character) of the pixel types, in the
/// enum's order: the reader's and the writer's one table.
constexpr const char* type_codes[] = {"u1", "i1", "u2", "i2", "u4", "i4",
                                      "u8", "i8", "f4", "f8", "c8", "c16"};
static_assert(sizeof type_codes / sizeof type_codes[0] ==
                  static_cast<std::size_t>(pixel_type_count),
              "one code per PixelType");

/// How many bytes byte_swap reverses at a time: one number (a complex type's part).
std::size_t swap_unit(PixelType type) {
  return size_of(part_type(type));
}

/// numpy's descr string ('<f8', '|u1', '>i4', '|b1', '<c16') as a pixel type and byte order.
void parse_descr(const std::string& descr, Header& h) {
  if (descr.size() < 3) throw IoError("unsupported .npy dtype '" + printable(descr) + "'");
  const char order = descr[0];
  const std::string code = descr.substr(1);
  bool known = code == "b1";  // (bool: as uint8)
  if (known) h.type = PixelType::u8;
  for (int t = 0; t < pixel_type_count; ++t)
    if (code == type_codes[t]) {
      h.type = static_cast<PixelType>(t);
      known = true;
    }
  if (!known || (order != '<' && order != '>' && order != '|' && order != '='))
    throw IoError("unsupported .npy dtype '" + printable(descr) +
                  "' (supported: bool, int8..int64, uint8..uint64, float32, float64, complex64, "
                  "complex128)");
  h.byte_swapped = swap_unit(h.type) > 1 &&
                   ((order == '<' && !host_little_endian) || (order == '>' && host_little_endian));
}

Header parse_header(const std::string& text) {
  DictParser p(text);
  Header h;
  bool have_descr = false, have_order = false, have_shape = false;
  p.expect('{');
  while (!p.accept('}')) {
    const std::string key = p.string_literal();
    p.expect(':');
    if (key == "descr") {
      if (p.at('[')) throw IoError("unsupported .npy dtype: structured arrays are not images");
      parse_descr(p.string_literal(), h);
      have_descr = true;
    } else if (key == "fortran_order") {
      h.fortran_order = p.boolean();
      have_order = true;
    } else if (key == "shape") {
      h.shape = p.tuple();
      have_shape = true;
    } else {
      p.fail("unknown key '" + printable(key) + "'");
    }
    if (!p.accept(',')) {
      p.expect('}');
      break;
    }
  }
  if (!have_descr || !have_order || !have_shape)
    throw IoError("corrupt .npy header (needs descr, fortran_order and shape)");
  return h;
}

/// Fortran-order pixels (axis 0 fastest) to C order, into `dst` (element_count(shape) * size
/// bytes).
void to_c_order(const unsigned char* src, const Shape& shape, std::size_t size,
                unsigned char* dst) {
  // Pad to rank 3 with leading unit axes: shape (a, b, c), Fortran element (i, j, l) at
  // i + a*(j + b*l), C element at (i*b + j)*c + l.
  std::size_t e[3] = {1, 1, 1};
  for (int a = 0; a < shape.rank(); ++a)
    e[3 - shape.rank() + a] = shape[a];
  for (std::size_t i = 0; i < e[0]; ++i)
    for (std::size_t j = 0; j < e[1]; ++j)
      for (std::size_t l = 0; l < e[2]; ++l)
        std::memcpy(&dst[((i * e[1] + j) * e[2] + l) * size],
                    &src[(i + e[0] * (j + e[1] * l)) * size], size);
}

}  // namespace

namespace {

/// Where the header dict starts and how long it is, from the magic, version and length field at
/// the start of a file (`size` bytes of it at `data`; 12 are enough for every version).
struct Preamble {
  std::size_t dict_offset = 0, dict_length = 0;
};

Preamble parse_preamble(const unsigned char* data, std::size_t size) {
  if (size < 10 || std::memcmp(data, magic, sizeof magic) != 0)
    throw IoError("not a .npy file (no \\x93NUMPY magic)");
  const unsigned major = data[6];
  if (major < 1 || major > 3)
    throw IoError("unsupported .npy version " + std::to_string(major) + "." +
                  std::to_string(data[7]));
  Preamble p;
  if (major == 1) {
    p.dict_length = data[8] | static_cast<std::size_t>(data[9]) << 8;
    p.dict_offset = 10;
  } else {
    if (size < 12) throw IoError("truncated .npy header");
    for (int b = 3; b >= 0; --b)
      p.dict_length = p.dict_length << 8 | data[8 + b];
    p.dict_offset = 12;
  }
  return p;
}

/// The image's shape from the header (rank 1 to 3).
Shape shape_of(const Header& h) {
  if (h.shape.empty() || h.shape.size() > 3)
    throw IoError(".npy array has rank " + std::to_string(h.shape.size()) +
                  "; fftconv reads rank 1 to 3");
  Shape shape;
  for (std::size_t e : h.shape)
    shape.push_back(e);
  return shape;
}

/// decode_npy, with the pixel bytes copied by `copy(destination, file offset, count)` when they
/// need no reordering (C order or rank 1).
template <class CopyPixels>
Image decode_npy_with(const unsigned char* data, std::size_t size, const ReadLimits& limits,
                      CopyPixels copy) {
  const Preamble preamble = parse_preamble(data, size);
  std::size_t offset = preamble.dict_offset;
  if (preamble.dict_length > size - offset) throw IoError("truncated .npy header");
  const Header h =
      parse_header(std::string(reinterpret_cast<const char*>(data + offset), preamble.dict_length));
  offset += preamble.dict_length;

  Image image;
  image.type = h.type;
  image.shape = shape_of(h);
  // The budget first: a header declaring more than it is refused as such, truncated or not.
  const std::size_t bytes = checked_image_bytes(image.shape, image.type, limits);
  if (bytes > size - offset)
    throw IoError("truncated .npy data (" + std::to_string(size - offset) + " of " +
                  std::to_string(bytes) + " bytes)");
  const unsigned char* pixels = data + offset;
  allocate_pixels(image, bytes, NewPixels::unset);
  if (h.fortran_order && image.shape.rank() > 1) {
    to_c_order(pixels, image.shape, size_of(image.type), image.bytes.data());
  } else {
    copy(image.bytes.data(), offset, bytes);
  }
  if (h.byte_swapped)
    byte_swap(image.bytes.data(), image.bytes.size() / swap_unit(image.type),
              swap_unit(image.type));
  return image;
}

/// The header of a .npy file of `shape` and `type` (version 1, little-endian, C order), padded
/// so that the data starts at a multiple of 64 bytes.
std::string npy_header(const Shape& shape, PixelType type) {
  std::string extents;  // "3, 4" or "3," (Python's one-element tuple)
  for (std::size_t e : shape)
    extents += (extents.empty() ? "" : ", ") + std::to_string(e);
  if (shape.rank() == 1) extents += ',';
  const std::string descr =
      (swap_unit(type) > 1 ? "<" : "|") + std::string(type_codes[static_cast<int>(type)]);
  std::string header =
      "{'descr': '" + descr + "', 'fortran_order': False, 'shape': (" + extents + "), }";
  const std::size_t total = (10 + header.size() + 1 + 63) / 64 * 64;
  header.append(total - 10 - header.size() - 1, ' ');
  header += '\n';
  if (header.size() > 0xffff) throw IoError(".npy header too long");
  header.insert(
      0, std::string{'\x93', 'N', 'U', 'M', 'P', 'Y', 1, 0, static_cast<char>(header.size() & 0xff),
                     static_cast<char>(header.size() >> 8)});
  return header;
}

/// `count` pixels of `type` at `pixels` as the file stores them (little-endian).
const unsigned char* little_endian(const unsigned char* pixels, std::size_t bytes, PixelType type,
                                   PixelBytes& swapped) {
  return in_byte_order(pixels, bytes, type, true, swapped);
}

/// A C-order .npy file's rows, read with pread at their offsets.
class NpyRows final : public RowReader {
 public:
  NpyRows(int fd, ImageHeader header, std::size_t data_offset, bool byte_swapped)
      : fd_(fd),
        header_(std::move(header)),
        data_offset_(data_offset),
        byte_swapped_(byte_swapped) {}
  const ImageHeader& header() const override { return header_; }
  void read(std::size_t first, std::size_t count, unsigned char* out) override {
    if (!header_.rows_refused.empty()) throw IoError(header_.rows_refused);
    const std::size_t row = row_bytes(header_);
    read_exactly(fd_, out, count * row, static_cast<off_t>(data_offset_ + first * row));
    if (byte_swapped_)
      byte_swap(out, count * row / swap_unit(header_.type), swap_unit(header_.type));
  }

 private:
  int fd_;
  ImageHeader header_;
  std::size_t data_offset_;
  bool byte_swapped_;
};

}  // namespace

Image decode_npy(const unsigned char* data, std::size_t size, const ReadLimits& limits) {
  return decode_npy_with(data, size, limits,
                         [data](unsigned char* to, std::size_t offset, std::size_t count) {
                           std::memcpy(to, data + offset, count);
                         });
}

Image read_npy(int fd, const unsigned char* data, std::size_t size, const ReadLimits& limits) {
  return decode_npy_with(data, size, limits,
                         [fd](unsigned char* to, std::size_t offset, std::size_t count) {
                           read_exactly(fd, to, count, static_cast<off_t>(offset));
                         });
}

std::unique_ptr<RowReader> open_npy_rows(int fd, std::size_t size) {
  unsigned char start[12] = {};
  read_exactly(fd, start, std::min<std::size_t>(size, sizeof start), 0);
  const Preamble preamble = parse_preamble(start, std::min<std::size_t>(size, sizeof start));
  if (preamble.dict_length > size - preamble.dict_offset) throw IoError("truncated .npy header");
  std::string dict(preamble.dict_length, ' ');
  read_exactly(fd, dict.data(), dict.size(), static_cast<off_t>(preamble.dict_offset));
  const Header h = parse_header(dict);
  ImageHeader header;
  header.shape = shape_of(h);
  header.type = h.type;
  const std::size_t offset = preamble.dict_offset + preamble.dict_length;
  const std::size_t bytes = checked_image_bytes(header.shape, header.type, ReadLimits{});
  if (bytes > size - offset)
    throw IoError("truncated .npy data (" + std::to_string(size - offset) + " of " +
                  std::to_string(bytes) + " bytes)");
  if (h.fortran_order && header.shape.rank() > 1)
    header.rows_refused = "a Fortran-order .npy file is read whole, not a band of rows at a time";
  return std::make_unique<NpyRows>(fd, std::move(header), offset, h.byte_swapped);
}

std::unique_ptr<RowWriter> create_npy_rows(const ImageHeader& header, int fd) {
  // The header, then the file sized to its data (zeros until the rows are written).
  const std::string text = npy_header(header.shape, header.type);
  const std::size_t bytes = checked_image_bytes(header.shape, header.type, ReadLimits{});
  if (!write_all(fd, text.data(), text.size(), 0) ||
      ::ftruncate(fd, static_cast<off_t>(text.size() + bytes)) != 0)
    throw IoError(std::string("write failed: ") + std::strerror(errno));
  return resume_npy_rows(header, fd);
}

std::unique_ptr<RowWriter> resume_npy_rows(const ImageHeader& header, int fd) {
  return placed_rows(header, fd, npy_header(header.shape, header.type).size(), true);
}

void write_npy(const Image& image, int fd) {
  const std::string header = npy_header(image.shape, image.type);
  PixelBytes swapped;
  const unsigned char* pixels =
      little_endian(image.bytes.data(), image.bytes.size(), image.type, swapped);
  if (!write_all(fd, header.data(), header.size(), 0) ||
      !write_all(fd, pixels, image.bytes.size(), static_cast<off_t>(header.size())))
    throw IoError(std::string("write failed: ") + std::strerror(errno));
}

}  // namespace fftconv::io
