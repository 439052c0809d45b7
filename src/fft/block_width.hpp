#pragma once
// How many columns the FFT path's column passes transform side by side (column_passes.hpp), shared
// with bench/calibrate_lengths, which measures the same blocks. Header-only, no dependencies.
#include <cstddef>

namespace fftconv::detail {

/// 128 bytes of complex values per scratch row (16 float, 8 double: whole cache lines, room for
/// FFTW's SIMD codelets across columns), halved (to 2 at least) while the scratch block of
/// length x width complex values exceeds 512 KiB: beyond a core's L2 share a column pass runs at
/// half speed (16384 and 32768-point columns in the calibration).
constexpr std::size_t block_width(std::size_t length, std::size_t element_bytes) {
  std::size_t width = 128 / (2 * element_bytes);
  while (width > 2 && length * width * 2 * element_bytes > (std::size_t{512} << 10))
    width /= 2;
  return width;
}

}  // namespace fftconv::detail
