#pragma once
// Which compiled copy of the direct path's inner loop runs: the widest vectors the CPU has
// (checked at run time, so the .so stays portable), unless FFTCONV_SIMD asks for narrower ones.
#include <cstddef>

#include "direct/tap.hpp"

namespace fftconv::detail {

enum class SimdLevel { baseline, avx2, avx512 };

/// Chosen at the first call and fixed for the process: the widest level the CPU supports (AVX2
/// and AVX-512 need FMA too), capped by the environment variable FFTCONV_SIMD ("baseline",
/// "avx2" or "avx512"; other values are ignored).
SimdLevel simd_level();

/// "baseline", "avx2" or "avx512".
const char* simd_name(SimdLevel level);

/// One output row of the direct path: out[x] = sum over kernel rows r (in order) of
/// sum over row r's taps of value * src[r][x + offset], x < width. Row r's taps are
/// taps[row_ends[r - 1] .. row_ends[r]) (from 0 for r = 0).
template <class T>
using OutputRow = void (*)(const Tap<T>* taps, const std::size_t* row_ends, std::size_t rows,
                           const T* const* src, T* out, std::size_t width);

/// The inner loop compiled for `level` (which the CPU must support).
template <class T>
OutputRow<T> output_row_for(SimdLevel level);

}  // namespace fftconv::detail
