// output_shape and fft_shape: the geometry of a problem, as the library would make it.
#include "fftconv/shape.hpp"

#include "core/batch.hpp"
#include "core/enumerators.hpp"
#include "core/problem.hpp"
#include "fft/geometry.hpp"
#include "stages/boundary_extension.hpp"
#include "util/check.hpp"

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

std::ptrdiff_t boundary_index(Boundary rule, std::ptrdiff_t i, std::size_t n) {
  if (n == 0 || n > static_cast<std::size_t>(PTRDIFF_MAX / 2))
    detail::fail(ErrorCode::invalid_argument, "fftconv::boundary_index: n = ", n,
                 " is not an axis length (1 to PTRDIFF_MAX / 2)");
  if (!detail::is_enumerator(rule))
    detail::fail(ErrorCode::invalid_argument, "fftconv::boundary_index: rule has unknown value ",
                 static_cast<int>(rule));
  return detail::boundary_index(rule, i, static_cast<std::ptrdiff_t>(n));
}

ExtendedWindow extended_window(std::size_t n, std::size_t k, Mode mode, std::ptrdiff_t origin) {
  const char* what = "fftconv::extended_window";
  if (n == 0) detail::fail(ErrorCode::invalid_argument, what, ": n = 0 is not an axis length");
  if (k == 0) detail::fail(ErrorCode::invalid_argument, what, ": k = 0 is not a kernel length");
  if (origin != 0) {
    const auto lo = -static_cast<std::ptrdiff_t>((k - 1) / 2);
    const auto hi = static_cast<std::ptrdiff_t>(k / 2);
    if (mode != Mode::same)
      detail::fail(ErrorCode::invalid_argument, what, ": origin = ", origin,
                   " is only allowed in mode same");
    if (origin < lo || origin > hi)
      detail::fail(ErrorCode::invalid_argument, what, ": origin = ", origin, " is outside [", lo,
                   ", ", hi, "] for kernel length ", k);
  }
  const detail::Axis a = detail::make_axis(n, k, mode, origin);
  ExtendedWindow w;
  w.first = static_cast<std::ptrdiff_t>(a.start) - static_cast<std::ptrdiff_t>(k - 1);
  w.count = a.out + k - 1;
  return w;
}

}  // namespace fftconv
