// Shape's own out-of-line functions (include/fftconv/shape.hpp), below everything that uses them:
// the problem's messages name shapes with to_string.
#include "fftconv/shape.hpp"

#include <string>

#include "util/check.hpp"

namespace fftconv {

namespace detail {
void throw_rank_too_large(std::size_t rank) {
  fail(ErrorCode::invalid_argument, "rank ", rank, " exceeds the maximum rank ", max_rank);
}
}  // namespace detail

std::string to_string(const Shape& shape) {
  std::string s;
  for (int i = 0; i < shape.rank(); ++i) {
    if (i > 0) s += 'x';
    s += std::to_string(shape[i]);
  }
  return shape.rank() == 0 ? "(rank 0)" : s;
}

}  // namespace fftconv
