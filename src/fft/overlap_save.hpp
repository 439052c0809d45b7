#pragma once
// Overlap-save: the output in tiles, each a valid-mode FFT problem on its own region of the
// extended image (tile + k - 1 values per axis), with one kernel spectrum made for the tile size
// and shared by every tile. Memory is bounded by the tile working set (per thread) instead of
// the whole padded image; threads take whole tiles.
#include <array>
#include <cstddef>

#include "core/problem.hpp"
#include "fft/fft_kernel.hpp"

namespace fftconv::detail {

/// The tiling of problem p's output, per canonical axis.
struct TileGrid {
  std::array<std::size_t, 3> input{};   ///< tile input length L (the tile problem's image)
  std::array<std::size_t, 3> output{};  ///< outputs per tile, L - k + 1
  std::array<std::size_t, 3> count{};   ///< tiles along the axis, ceil(out / output)
  std::size_t tiles = 0;
};

/// Tiles hold at most about this many points (2^22: 16 MiB of float per buffer) unless the
/// kernel needs more (a tile is at least 2k per axis): the memory bound of overlap-save.
constexpr std::size_t tile_points_limit = std::size_t{1} << 22;

/// Per axis, the tile input length L with the least transform work along the axis,
/// ceil(out / (L - k + 1)) * L * log2(2L): an FFT-friendly length in [2k, 16k] (at least 32), or
/// the whole extended axis (out + k - 1, one tile), at most the d-th root of tile_points_limit
/// (d the axes with more than one output) when 2k allows.
TileGrid tile_grid(const Problem& p);

/// The problem one tile solves: image of the tile input lengths, the kernel, valid mode, zero
/// boundary (the region comes already extended), one thread, p's parts.
Problem tile_problem(const Problem& p, const TileGrid& grid);

/// Bytes overlap-save allocates for problem p: per thread, the tile problem's fft working
/// memory (its spectrum counted once per thread: an upper bound), a tile input and a tile
/// output per part (complex data); the image's copy for an in-place call (real data); the index
/// maps.
std::size_t overlap_save_working_bytes(const Problem& p, std::size_t element_bytes);

/// The kernel prepared for overlap-save: the tile problem's FftKernel (plans and spectrum).
template <class T>
class OverlapSaveKernel {
 public:
  /// kernel (and kernel_im) as for FftKernel.
  OverlapSaveKernel(const Problem& p, const ConstView<T>& kernel,
                    const ConstView<T>& kernel_im = ConstView<T>());
  /// As FftKernel::apply.
  void apply(const ConstView<T>& image, const View<T>& out, T fill) const;
  /// As FftKernel::apply for complex data's parts (the spectral form), each tile so.
  void apply(const Parts<const T>& image, const Parts<T>& out, T fill) const;

 private:
  Problem p_;
  TileGrid grid_;
  FftKernel<T> tile_;
};

extern template class OverlapSaveKernel<float>;
extern template class OverlapSaveKernel<double>;

}  // namespace fftconv::detail
