#pragma once
// Streaming (streaming.hpp): a band's extended input built from the file's rows. Each band row
// is extended position first + t along axis 0, read from the image row fftconv::boundary_index
// maps it to (or the fill value), converted to T and extended along the other axes by the same
// rule: the piece of the conceptually extended image that a `valid` convolution of the band
// turns into the output rows, as convolve's boundary stage would give it.
#include <cstddef>
#include <vector>

#include "band_plan.hpp"
#include "fftconv/options.hpp"
#include "io/image.hpp"
#include "io/rows.hpp"

namespace fftconv::cli {

template <class T>
class BandInput {
 public:
  /// `rows` must outlive this; `fill` is the value outside the image for zero and constant.
  BandInput(io::RowReader& rows, const BandGeometry& geometry, Boundary rule, T fill);

  /// The extended input of output rows [first_row, first_row + rows) (rows + kernel[0] - 1 band
  /// rows of geometry.extended_row values) into `band`.
  void fill(std::size_t first_row, std::size_t rows, T* band);

  /// How many of the image's pixels read so far were NaN or infinite (each row counted once).
  std::size_t nonfinite() const { return nonfinite_; }

  /// Bytes a BandInput holds for `geometry` and an image of `type` (its row buffers).
  static std::size_t bytes(const BandGeometry& geometry, io::PixelType type);

 private:
  /// Image row `source` into `out`, extended along the other axes.
  void extend_row(std::size_t source, T* out);

  io::RowReader& rows_;
  const BandGeometry& geometry_;
  Boundary rule_;
  T fill_;
  // The inner axes as two (a missing one of length 1): the image's lengths and, per extended
  // position, the image index it reads (-1: the fill value).
  std::size_t inner_length_[2] = {1, 1};
  std::vector<std::ptrdiff_t> inner_map_[2];
  io::PixelBytes raw_;                            // one image row as stored
  std::vector<T> values_;                         // the same as T
  std::size_t counted_rows_ = 0, nonfinite_ = 0;  // rows [0, counted_rows_) counted
};

extern template class BandInput<float>;
extern template class BandInput<double>;

}  // namespace fftconv::cli
