#include "fftconv/shape.hpp"

#include <string>

#include "core/problem.hpp"
#include "fft/geometry.hpp"
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

Shape output_shape(const Shape& image_shape, const Shape& kernel_shape, Mode mode) {
  return detail::make_problem(image_shape, kernel_shape, mode, false, "fftconv::output_shape")
      .output_shape();
}

Shape fft_shape(const Shape& image_shape, const Shape& kernel_shape, const Options& options) {
  detail::Problem p =
      detail::make_problem(image_shape, kernel_shape, options.mode, false, "fftconv::fft_shape");
  p.boundary = options.boundary;
  const auto lengths = detail::transform_lengths(p);
  Shape shape;
  for (int i = max_rank - p.rank; i < max_rank; ++i)
    shape.push_back(lengths[static_cast<std::size_t>(i)]);
  return shape;
}

}  // namespace fftconv
