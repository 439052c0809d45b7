#include "placed_rows.hpp"

#include <cerrno>
#include <cstring>

#include "image.hpp"

namespace fftconv::io {

namespace {

class PlacedRows final : public RowWriter {
 public:
  PlacedRows(const ImageHeader& header, int fd, std::size_t data_offset, bool little_endian)
      : fd_(fd), header_(header), data_offset_(data_offset), little_endian_(little_endian) {}
  void write(std::size_t first, std::size_t count, const unsigned char* rows) override {
    const std::size_t row = row_bytes(header_);
    PixelBytes swapped;
    const unsigned char* pixels =
        in_byte_order(rows, count * row, header_.type, little_endian_, swapped);
    if (!write_all(fd_, pixels, count * row, static_cast<off_t>(data_offset_ + first * row)))
      throw IoError(std::string("write failed: ") + std::strerror(errno));
  }
  void finish() override {}

 private:
  int fd_;
  ImageHeader header_;
  std::size_t data_offset_;
  bool little_endian_;
};

}  // namespace

std::unique_ptr<RowWriter> placed_rows(const ImageHeader& header, int fd, std::size_t data_offset,
                                       bool little_endian) {
  return std::make_unique<PlacedRows>(header, fd, data_offset, little_endian);
}

}  // namespace fftconv::io
