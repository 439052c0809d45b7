#include "mpi/problem.hpp"

#include <algorithm>

#include "mpi/extended_rows.hpp"
#include "util/check.hpp"

namespace fftconv::detail::mpi {

namespace {

void check_tiling(std::vector<RowRange> ranges, std::size_t n0, const char* what) {
  ranges.erase(
      std::remove_if(ranges.begin(), ranges.end(), [](const RowRange& r) { return r.rows == 0; }),
      ranges.end());
  std::sort(ranges.begin(), ranges.end(),
            [](const RowRange& a, const RowRange& b) { return a.first_row < b.first_row; });
  std::size_t next = 0;
  for (const RowRange& r : ranges) {
    if (r.first_row != next)
      fail(ErrorCode::invalid_argument, what, ": the ranks' image rows do not tile axis 0 (",
           r.first_row > next ? "rows missing before row " : "rows held twice at row ",
           std::min(r.first_row, next), ")");
    next = r.first_row + r.rows;
  }
  if (next != n0)
    fail(ErrorCode::invalid_argument, what, ": the ranks' image rows cover ", next,
         " rows of global_shape's ", n0);
}

}  // namespace

Shape DistributedProblem::band_shape(std::size_t band_rows) const {
  Shape s = global;
  s[0] = band_rows;
  for (int a = 1; a < global.rank(); ++a)
    s[a] = window[canonical_axis(a, global.rank())].count;
  return s;
}

DistributedProblem make_problem(const Shape& kernel_shape, const Shape& global_shape,
                                RowRange image_rows, std::vector<RowRange> ranges,
                                Operation operation, const Options& options, const char* what) {
  DistributedProblem p;
  const int rank = global_shape.rank();
  FFTCONV_CHECK(rank >= 1 && rank <= 3, invalid_argument, what, ": global_shape ",
                to_string(global_shape), " has rank ", rank, " (1 to 3 supported)");
  FFTCONV_CHECK(kernel_shape.rank() == rank, invalid_argument, what, ": kernel shape ",
                to_string(kernel_shape), " does not have global_shape's rank ", rank);
  FFTCONV_CHECK(options.axes.empty(), invalid_argument, what,
                ": options.axes is not supported (every axis is convolved)");
  FFTCONV_CHECK(options.mode != Mode::full, invalid_argument, what,
                ": options.mode = full is not supported (same or valid)");
  FFTCONV_CHECK(operation == Operation::convolve || operation == Operation::correlate,
                invalid_argument, what, ": operation has unknown value ",
                static_cast<int>(operation));
  FFTCONV_CHECK(options.origin.empty() || options.origin.rank() == rank, invalid_argument, what,
                ": options.origin has ", options.origin.rank(), " entries for rank ", rank);
  // The library's own checks of the shapes, mode and origin.
  p.global_out = output_shape(global_shape, kernel_shape, options);
  FFTCONV_CHECK(image_rows.first_row <= global_shape[0] &&
                    image_rows.rows <= global_shape[0] - image_rows.first_row,
                invalid_argument, what, ": image rows [", image_rows.first_row, ", ",
                image_rows.first_row + image_rows.rows, ") are outside global_shape ",
                to_string(global_shape));
  check_tiling(ranges, global_shape[0], what);
  p.global = global_shape;
  p.kernel_shape = kernel_shape;
  p.n = canonical_extents(global_shape);
  p.k = canonical_extents(kernel_shape);
  p.out = canonical_extents(p.global_out);
  for (int a = 0; a < rank; ++a) {
    const std::size_t c = canonical_axis(a, rank);
    const std::ptrdiff_t origin = options.origin.empty() ? 0 : options.origin[a];
    p.window[c] = extended_window(global_shape[a], kernel_shape[a], options.mode, origin);
  }
  for (std::size_t c = 1; c < static_cast<std::size_t>(4 - rank); ++c)
    p.window[c] = {0, 1};  // the axes a lower rank does not have
  p.image_rows = image_rows;
  p.output_rows = fftconv::mpi::output_rows(global_shape, kernel_shape, options.mode, image_rows);
  p.image_ranges = std::move(ranges);
  p.operation = operation;
  p.options = options;
  return p;
}

}  // namespace fftconv::detail::mpi
