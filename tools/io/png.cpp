// PNG through libpng. libpng reports errors by longjmp, so the calls that can fail live in small
// functions holding only plain C data (png_header, png_rows, png_write): no C++ object's
// destructor is ever skipped. The C++ parts (buffers, exceptions) stay outside them.
#include <png.h>
#include <unistd.h>

#include <cerrno>
#include <csetjmp>
#include <cstdio>
#include <cstring>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "formats.hpp"
#include "printable.hpp"

namespace fftconv::io {

namespace {

constexpr bool host_little_endian = __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__;

/// What the libpng callbacks see: the input bytes and a place for the error message.
struct PngContext {
  const unsigned char* data = nullptr;
  std::size_t size = 0, pos = 0;
  char message[256] = "";
};

void on_error(png_structp png, png_const_charp message) {
  auto* ctx = static_cast<PngContext*>(png_get_error_ptr(png));
  std::snprintf(ctx->message, sizeof ctx->message, "%s", message);
  png_longjmp(png, 1);
}
void on_warning(png_structp, png_const_charp) {}

void read_bytes(png_structp png, png_bytep out, png_size_t n) {
  auto* ctx = static_cast<PngContext*>(png_get_io_ptr(png));
  if (n > ctx->size - ctx->pos) png_error(png, "truncated file");
  std::memcpy(out, ctx->data + ctx->pos, n);
  ctx->pos += n;
}

/// Runs a clean-up when the scope ends, however it ends.
template <class F>
class ScopeExit {
 public:
  explicit ScopeExit(F f) : f_(std::move(f)) {}
  ScopeExit(const ScopeExit&) = delete;
  ScopeExit& operator=(const ScopeExit&) = delete;
  ~ScopeExit() { f_(); }

 private:
  F f_;
};

struct PngHeader {
  png_uint_32 width, height;
  int bit_depth, color_type;
};

/// Reads the signature and header chunks. False on a libpng error (message in the context).
bool png_header(png_structp png, png_infop info, PngHeader* h) {
  if (setjmp(png_jmpbuf(png))) return false;
  png_set_read_fn(png, png_get_error_ptr(png), read_bytes);
  png_read_info(png, info);
  png_get_IHDR(png, info, &h->width, &h->height, &h->bit_depth, &h->color_type, nullptr, nullptr,
               nullptr);
  return true;
}

/// Reads every row (de-interlacing) into rows[], 16-bit samples in host byte order.
bool png_rows(png_structp png, png_infop info, png_bytepp rows, int bit_depth) {
  if (setjmp(png_jmpbuf(png))) return false;
  if (bit_depth == 16 && host_little_endian) png_set_swap(png);
  png_set_interlace_handling(png);
  png_read_update_info(png, info);
  png_read_image(png, rows);
  return true;
}

}  // namespace

Image decode_png(const unsigned char* data, std::size_t size, const ReadLimits& limits) {
  if (size < 8 || png_sig_cmp(data, 0, 8) != 0) throw IoError("not a PNG file (bad signature)");
  PngContext ctx{data, size};
  png_structp png = png_create_read_struct(PNG_LIBPNG_VER_STRING, &ctx, on_error, on_warning);
  if (!png) throw IoError("libpng could not start");
  png_infop info = png_create_info_struct(png);
  const ScopeExit cleanup([&] { png_destroy_read_struct(&png, &info, nullptr); });
  if (!info) throw IoError("libpng could not start");
  // (libpng's default limit, 1,000,000 pixels a side, would refuse images we can hold.)
  png_set_user_limits(png, PNG_UINT_31_MAX, PNG_UINT_31_MAX);
  PngHeader h{};
  if (!png_header(png, info, &h)) throw IoError("corrupt PNG: " + printable(ctx.message));
  if (h.color_type != PNG_COLOR_TYPE_GRAY)
    throw IoError("PNG colour type " + std::to_string(h.color_type) +
                  " is not supported (8/16-bit greyscale without alpha only)");
  if (h.bit_depth != 8 && h.bit_depth != 16)
    throw IoError("PNG bit depth " + std::to_string(h.bit_depth) +
                  " is not supported (8/16-bit greyscale only)");
  Image image;
  image.shape = Shape{h.height, h.width};
  image.type = h.bit_depth == 8 ? PixelType::u8 : PixelType::u16;
  // (The row pointers count too.)
  const std::size_t bytes = checked_image_bytes(image.shape, image.type, limits,
                                                std::size_t{h.height} * sizeof(png_bytep));
  // The rows (plus a filter byte each) are deflate-compressed, and deflate expands at most
  // 1032:1: a header declaring more than that is corrupt, found before allocating for it.
  if ((bytes + h.height) / 1032 > size)
    throw IoError("PNG declares " + std::to_string(h.height) + "x" + std::to_string(h.width) +
                  " pixels, more than its " + std::to_string(size) +
                  " bytes can hold (deflate expands at most 1032:1): corrupt or truncated");
  allocate_pixels(image, bytes, NewPixels::zero);
  std::vector<png_bytep> rows(h.height);
  for (std::size_t y = 0; y < h.height; ++y)
    rows[y] = image.bytes.data() + y * h.width * size_of(image.type);
  if (!png_rows(png, info, rows.data(), h.bit_depth))
    throw IoError("corrupt PNG: " + printable(ctx.message));
  return image;
}

namespace {

bool png_write(png_structp png, png_infop info, std::FILE* f, const PngHeader* h, png_bytepp rows) {
  if (setjmp(png_jmpbuf(png))) return false;
  png_init_io(png, f);
  png_set_IHDR(png, info, h->width, h->height, h->bit_depth, PNG_COLOR_TYPE_GRAY,
               PNG_INTERLACE_NONE, PNG_COMPRESSION_TYPE_DEFAULT, PNG_FILTER_TYPE_DEFAULT);
  png_write_info(png, info);
  if (h->bit_depth == 16 && host_little_endian) png_set_swap(png);
  png_write_image(png, rows);
  png_write_end(png, nullptr);
  return true;
}

}  // namespace

void write_png(const Image& image, int fd) {
  if (image.shape.rank() != 2)
    throw IoError("PNG holds 2-D images; this one is " + std::to_string(image.shape.rank()) +
                  "-D (write .tif, .fits or .npy)");
  if (image.type != PixelType::u8 && image.type != PixelType::u16)
    throw IoError(std::string("PNG stores uint8 or uint16, not ") + name(image.type));
  if (image.shape[0] > PNG_UINT_31_MAX || image.shape[1] > PNG_UINT_31_MAX)
    throw IoError("image of shape " + to_string(image.shape) + " is too large for PNG");
  const PngHeader h{static_cast<png_uint_32>(image.shape[1]),
                    static_cast<png_uint_32>(image.shape[0]), image.type == PixelType::u8 ? 8 : 16,
                    PNG_COLOR_TYPE_GRAY};
  std::vector<png_bytep> rows(image.shape[0]);
  for (std::size_t y = 0; y < image.shape[0]; ++y)
    rows[y] = const_cast<png_bytep>(image.bytes.data()) + y * image.shape[1] * size_of(image.type);

  const int copy = duplicate_descriptor(fd);
  std::unique_ptr<std::FILE, int (*)(std::FILE*)> f(::fdopen(copy, "wb"), std::fclose);
  if (!f) {
    const int open_errno = errno;
    ::close(copy);
    throw IoError(std::string("cannot write: ") + std::strerror(open_errno));
  }
  PngContext ctx;
  png_structp png = png_create_write_struct(PNG_LIBPNG_VER_STRING, &ctx, on_error, on_warning);
  if (!png) throw IoError("libpng could not start");
  png_infop info = png_create_info_struct(png);
  const ScopeExit cleanup([&] { png_destroy_write_struct(&png, &info); });
  if (!info) throw IoError("libpng could not start");
  // libpng allows images up to 1,000,000 pixels a side by default; ours may be larger.
  png_set_user_limits(png, PNG_UINT_31_MAX, PNG_UINT_31_MAX);
  if (!png_write(png, info, f.get(), &h, rows.data()))
    throw IoError(std::string("PNG error while writing: ") + ctx.message);
  if (std::fclose(f.release()) != 0)
    throw IoError(std::string("write failed: ") + std::strerror(errno));
}

}  // namespace fftconv::io
