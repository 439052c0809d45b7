#pragma once
// One kernel value of the direct path. Its own header because the per-instruction-set kernels
// (output_row_*.cpp) include nothing that defines inline functions: see output_row.inc.
#include <cstddef>

namespace fftconv::detail {

/// One non-zero kernel value and its offset along the row.
template <class T>
struct Tap {
  std::size_t offset;
  T value;
};

}  // namespace fftconv::detail
