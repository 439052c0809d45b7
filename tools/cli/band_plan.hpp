#pragma once
// Streaming (streaming.hpp): where each band of output rows reads the extended image, and how
// many output rows a band holds so that its buffers and the library's working memory fit the
// memory budget (--max-memory).
#include <cstddef>
#include <memory>
#include <string>
#include <vector>

#include "fftconv/filter.hpp"
#include "fftconv/options.hpp"
#include "fftconv/shape.hpp"

namespace fftconv::cli {

/// The extended image's windows per axis (fftconv::extended_window) and the sizes of one row
/// (an index along axis 0) of the image, of a band's extended input and of the output.
struct BandGeometry {
  Shape image, kernel, output;
  std::vector<ExtendedWindow> windows;  ///< per axis: the extended positions the output reads
  std::size_t image_row = 1, extended_row = 1, output_row = 1;  ///< elements
  /// The shape of a band's extended input for `rows` output rows: its halo (kernel[0] - 1
  /// rows) added along axis 0, the other axes' windows whole.
  Shape band_shape(std::size_t rows) const;
  /// The shape of `rows` output rows.
  Shape output_band_shape(std::size_t rows) const;
};

/// `kernel` has the image's rank (cli::promote); options.mode and origin give the windows.
BandGeometry band_geometry(const Shape& image, const Shape& kernel, const Options& options);

/// Bytes a run holds besides the library's working memory: `fixed` whatever the band height
/// (the kernel, the reader's row buffers, the halo rows), `per_row` for each output row of a
/// band (its extended input row and its output row, in each form it takes).
struct BandMemory {
  std::size_t fixed = 0, per_row = 0;
  /// fixed + rows * per_row, saturated at SIZE_MAX.
  std::size_t total(std::size_t rows) const;
};

/// The band height and the Filter (mode valid) that applies to each band.
template <class T>
struct BandPlan {
  std::size_t rows = 0;
  std::unique_ptr<Filter<T>> filter;
};

/// The tallest band (at most the output's rows) whose `memory` plus the Filter's working memory
/// (options.max_memory_bytes set to what remains of `budget`; the Filter refuses more, and its
/// method is chosen within it) fits `budget`. Throws io::IoError naming `image_name`,
/// --max-memory and the least budget that would work when even one output row does not fit.
template <class T>
BandPlan<T> plan_bands(const BandGeometry& geometry, const std::vector<T>& kernel,
                       Operation operation, Options options, std::size_t budget,
                       const BandMemory& memory, const std::string& image_name);

}  // namespace fftconv::cli
