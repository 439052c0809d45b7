// output_shape and fft_shape: the geometry of a problem, as the library would make it.
#include "fftconv/shape.hpp"

#include "core/batch.hpp"
#include "core/problem.hpp"
#include "fft/geometry.hpp"

namespace fftconv {

Shape output_shape(const Shape& image_shape, const Shape& kernel_shape, Mode mode) {
  return detail::make_batch(image_shape, kernel_shape, Axes(), mode, "fftconv::output_shape")
      .output;
}

Shape output_shape(const Shape& image_shape, const Shape& kernel_shape, const Options& options) {
  return detail::make_batch(image_shape, kernel_shape, options.axes, options.mode,
                            "fftconv::output_shape")
      .output;
}

Shape fft_shape(const Shape& image_shape, const Shape& kernel_shape, const Options& options) {
  const char* what = "fftconv::fft_shape";
  const detail::Batch batch =
      detail::make_batch(image_shape, kernel_shape, Axes(), options.mode, what, options.origin);
  detail::Problem p = detail::make_problem(image_shape, kernel_shape, options.mode, false, what,
                                           batch.frame_origin());
  p.boundary = options.boundary;
  const auto lengths = detail::transform_lengths(p);
  Shape shape;
  for (int i = detail::core_rank - p.rank; i < detail::core_rank; ++i)
    shape.push_back(lengths[static_cast<std::size_t>(i)]);
  return shape;
}

}  // namespace fftconv
