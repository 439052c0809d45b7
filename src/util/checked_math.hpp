#pragma once
// Size arithmetic that refuses to wrap around: a size that does not fit in std::size_t is an
// invalid argument (the caller asked for something no machine can hold), named in the message.
#include <cstddef>

#include "util/check.hpp"

namespace fftconv::detail {

inline std::size_t checked_add(std::size_t a, std::size_t b, const char* what) {
  std::size_t r = 0;
  FFTCONV_CHECK(!__builtin_add_overflow(a, b, &r), invalid_argument, what, " overflows size_t (", a,
                " + ", b, ")");
  return r;
}

inline std::size_t checked_mul(std::size_t a, std::size_t b, const char* what) {
  std::size_t r = 0;
  FFTCONV_CHECK(!__builtin_mul_overflow(a, b, &r), invalid_argument, what, " overflows size_t (", a,
                " x ", b, ")");
  return r;
}

}  // namespace fftconv::detail
