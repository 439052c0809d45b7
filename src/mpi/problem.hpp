#pragma once
// The geometry of one distributed convolution, checked: the global image and kernel in
// canonical 3-D extents, the extended window per axis, this rank's image and output rows and
// every rank's image rows.
#include <mpi.h>

#include <array>
#include <cstddef>
#include <vector>

#include "fftconv/filter.hpp"
#include "fftconv/mpi.hpp"

namespace fftconv::detail::mpi {

using fftconv::mpi::RowRange;

struct DistributedProblem {
  Shape global, kernel_shape, global_out;
  std::array<std::size_t, 3> n{}, k{}, out{};  // canonical extents
  std::array<ExtendedWindow, 3> window{};      // per canonical axis
  RowRange image_rows, output_rows;
  std::vector<RowRange> image_ranges;  // every rank's image rows, in rank order
  Operation operation = Operation::convolve;
  Options options;

  /// Rows of the extended image along axis 0 that output rows [first, first + count) read.
  ExtendedWindow band(RowRange out_rows) const {
    return {window[0].first + static_cast<std::ptrdiff_t>(out_rows.first_row),
            out_rows.rows + k[0] - 1};
  }
  /// The extended image's shape in the image's own rank with band_rows rows along axis 0
  /// (band_shape(window[0].count): the whole window).
  Shape band_shape(std::size_t band_rows) const;
  std::size_t image_row_values() const { return n[1] * n[2]; }
  std::size_t output_row_values() const { return out[1] * out[2]; }
};

/// The canonical 3-D axis of axis a of a rank-`rank` shape.
inline std::size_t canonical_axis(int a, int rank) {
  return static_cast<std::size_t>(a == 0 ? 0 : 3 - rank + a);
}

/// Checks the arguments of this rank (throws fftconv::Error naming the bad one); ranges are
/// every rank's image rows (gather_row_ranges), checked to tile the image. No communication.
DistributedProblem make_problem(const Shape& kernel_shape, const Shape& global_shape,
                                RowRange image_rows, std::vector<RowRange> ranges,
                                Operation operation, const Options& options, const char* what);

}  // namespace fftconv::detail::mpi
