#pragma once
// Column passes (layout.hpp has the why): complex transforms down the columns of an array of
// rows, a block of columns at a time copied into a small scratch array, split over threads, each
// with a scratch array of its own. The inner loops of the FFT path (fft_kernel.cpp) and of the
// whole-grid transforms (real_grid.cpp): in an unnamed namespace (internal linkage), so that the
// compiler inlines each into its callers in those files.
#include <algorithm>
#include <cstddef>
#include <vector>

#include "fft/memory.hpp"
#include "fft/plans.hpp"
#include "util/parallel.hpp"

namespace fftconv::detail {
namespace {

// One pass of complex transforms down the columns of `planes` arrays of rows (row_stride complex
// values apart, `columns` per row), `block` columns at a time through a scratch array holding
// the block's columns one after the other (column c at c * length: contiguous transforms, see
// column_plan). Rows in_rows.. of the input are zero (not read); the pass writes back out_rows
// rows, row j from transform position (j + shift) mod length.
struct ColumnPass {
  std::size_t length = 1;
  std::size_t columns = 0;
  std::size_t row_stride = 0;
  std::size_t in_rows = 0;
  std::size_t out_rows = 0;
  std::size_t shift = 0;
  std::size_t planes = 1;
  std::size_t plane_stride = 0;
  std::size_t block = 1;
};

// Reals, interleaved complex: column c of row r is at 2 (r row_stride + c) in the rows, at
// 2 (c length + r) in the scratch block. The copies run row by row through the rows (each row's
// `width` values are contiguous there) and scatter into the block's columns.
template <class T>
void load_block(const T* src, const ColumnPass& c, std::size_t col, std::size_t width, T* scratch) {
  const std::size_t L = c.length;
  for (std::size_t r = 0; r < c.in_rows; ++r) {
    const T* from = src + 2 * (r * c.row_stride + col);
    T* to = scratch + 2 * r;
    for (std::size_t k = 0; k < width; ++k) {
      to[2 * k * L] = from[2 * k];
      to[2 * k * L + 1] = from[2 * k + 1];
    }
  }
  for (std::size_t k = 0; k < width; ++k)  // the rows past the input
    std::fill(scratch + 2 * (k * L + c.in_rows), scratch + 2 * (k + 1) * L, T(0));
  std::fill(scratch + 2 * width * L, scratch + 2 * c.block * L, T(0));  // columns past the last
}

template <class T>
void store_block(const T* scratch, const ColumnPass& c, std::size_t col, std::size_t width,
                 T* dst) {
  const std::size_t L = c.length;
  for (std::size_t j = 0; j < c.out_rows; ++j) {
    const T* from = scratch + 2 * ((j + c.shift) % L);
    T* to = dst + 2 * (j * c.row_stride + col);
    for (std::size_t k = 0; k < width; ++k) {
      to[2 * k] = from[2 * k * L];
      to[2 * k + 1] = from[2 * k * L + 1];
    }
  }
}

// At least `slots` scratch arrays (one per thread that may run) of at least `reals` each: grown
// before any thread starts (an allocation failure then throws with nothing running).
template <class T>
void grow_scratch(std::vector<AlignedBuffer<T>>& scratch, std::size_t slots, std::size_t reals) {
  for (std::size_t i = 0; i < std::max<std::size_t>(slots, 1); ++i) {
    if (i == scratch.size()) scratch.emplace_back(reals);
    if (scratch[i].size() < reals) scratch[i] = AlignedBuffer<T>(reals);
  }
}

// Runs step(data of the plane, block index, first column, width, scratch) for every block of
// every plane, split over `threads` threads, each with its own scratch array of
// scratch_blocks blocks from `scratch` (grown here, before any thread starts, if a workspace was
// not prepared for it: an allocation failure then throws with nothing running).
template <class T, class Step>
void for_each_block(T* data, const ColumnPass& c, int threads,
                    std::vector<AlignedBuffer<T>>& scratch, Step&& step,
                    std::size_t scratch_blocks = 1) {
  const std::size_t blocks = (c.columns + c.block - 1) / c.block;
  const std::size_t items = c.planes * blocks;
  grow_scratch(scratch, std::min<std::size_t>(static_cast<std::size_t>(threads), items),
               2 * c.length * c.block * scratch_blocks);
  parallel_for(items, threads, [&](std::size_t chunk, std::size_t begin, std::size_t end) {
    for (std::size_t i = begin; i < end; ++i) {
      const std::size_t plane = i / blocks, b = i % blocks;
      const std::size_t col = b * c.block;
      step(data + 2 * plane * c.plane_stride, b, col, std::min(c.block, c.columns - col),
           scratch[chunk].data());
    }
  });
}

// A column pass that only transforms: load, transform, store back into the same array.
template <class T>
void transform_columns(T* data, const ColumnPass& c, const fft::Plan& plan, int threads,
                       std::vector<AlignedBuffer<T>>& scratch_arrays) {
  for_each_block(data, c, threads, scratch_arrays,
                 [&](T* plane, std::size_t, std::size_t col, std::size_t width, T* scratch) {
                   load_block(plane, c, col, width, scratch);
                   fft::execute(plan, scratch);
                   store_block(scratch, c, col, width, plane);
                 });
}

}  // namespace
}  // namespace fftconv::detail
