#pragma once
// What a command's failures name: the file a library error concerns, and what was being
// allocated when memory ran out.
#include <cstddef>
#include <string>
#include <utility>

#include "fftconv/error.hpp"
#include "fftconv/shape.hpp"
#include "io/image.hpp"
#include "io/pixel_type.hpp"

namespace fftconv::cli {

/// Prefixes a library error with the file it concerns.
[[noreturn]] inline void rethrow_for(const std::string& file, const Error& e) {
  throw Error(e.code(), file + ": " + e.what());
}

/// What a command is allocating, for the message when memory runs out: a bare std::bad_alloc
/// names neither the file nor the buffer.
class Allocating {
 public:
  /// Now doing `what` ("allocating the 512x512 float64 result", "filtering"), which allocates
  /// `bytes` (0: not known, as for a library call's working memory).
  void operator()(std::string what, std::size_t bytes = 0) {
    what_ = std::move(what);
    bytes_ = bytes;
  }
  [[noreturn]] void fail(const std::string& file) const {
    throw io::IoError(file + ": out of memory while " + what_ +
                      (bytes_ ? " (" + std::to_string(bytes_) + " bytes)" : std::string()));
  }

 private:
  std::string what_ = "allocating";
  std::size_t bytes_ = 0;
};

/// "the 512x512 float64 <what>" and its bytes, for Allocating.
inline std::string described(const char* what, const Shape& shape, io::PixelType type) {
  return std::string("allocating the ") + to_string(shape) + " " + io::name(type) + " " + what;
}

}  // namespace fftconv::cli
