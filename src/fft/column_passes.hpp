#pragma once
// The FFT path's column passes (layout.hpp has the why): complex transforms down the columns of
// its work array, a block of columns at a time copied into a small scratch array, split over
// threads, each with a scratch array of its own. They are the FFT path's inner loops, for
// fft_kernel.cpp only: in an unnamed namespace (internal linkage, as when they were written in
// that file), so that the compiler inlines each into its one caller there as it did then.
#include <algorithm>
#include <cstddef>
#include <vector>

#include "fft/layout.hpp"
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

// The 3-D middle axis's pass over the first `planes` planes of the work array: `in_rows` rows
// read, `out_rows` written back from circular position (j + shift) mod P1.
ColumnPass middle_pass(const FftLayout& l, const WorkShape& w, std::size_t planes,
                       std::size_t in_rows, std::size_t out_rows, std::size_t shift) {
  ColumnPass c;
  c.length = l.lengths[1];
  c.columns = l.pitch / 2;
  c.row_stride = l.pitch / 2;
  c.in_rows = in_rows;
  c.out_rows = out_rows;
  c.shift = shift;
  c.planes = planes;
  c.plane_stride = w.strides[0] / 2;
  c.block = l.middle_block;
  return c;
}

// The outer axis's pass, reading the work array's first `in_rows` outer positions.
ColumnPass outer_pass(const FftLayout& l, const WorkShape& w, std::size_t in_rows) {
  ColumnPass c;
  c.length = l.lengths[static_cast<std::size_t>(l.outer)];
  c.columns = l.columns;
  c.row_stride = w.strides[static_cast<std::size_t>(l.outer)] / 2;
  c.in_rows = in_rows;
  c.block = l.block;
  return c;
}

}  // namespace
}  // namespace fftconv::detail
