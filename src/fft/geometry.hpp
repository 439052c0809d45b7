#pragma once
// The FFT path's geometry: which scheme fills its transform buffer, the transform lengths, and
// where the image goes in the buffer and the window comes out of it. Three schemes share the
// FFT path's pipeline (fft_kernel.hpp) and differ in what fills the buffer:
//   zero_padded: zero boundary (or valid mode): the image at the origin, zeros after it, the
//                shortest length whose wrap-around misses the window;
//   circular:    wrap in same mode, image lengths that are fast sizes: circular convolution at
//                exactly the image length, the kernel folded modulo that length if longer;
//   extended:    any other rule: the extended image the window needs (out + k - 1 values per
//                axis) at the origin, then a valid-mode problem on it.
#include <array>
#include <cstddef>
#include <vector>

#include "core/problem.hpp"

namespace fftconv::detail {

enum class FftScheme { zero_padded, circular, extended };
FftScheme fft_scheme(const Problem& p);

/// How many buffer positions along canonical `axis` the image fills: n, or for the extended
/// scheme the extended image's out + k - 1 (the size of its index map).
std::size_t image_rows(const Problem& p, std::size_t axis);

/// The transform length per canonical axis for the problem's scheme.
std::array<std::size_t, 3> transform_lengths(const Problem& p);

/// What fills the image buffer and where the window is read back, per canonical axis.
struct FftGeometry {
  std::array<std::size_t, 3> lengths{};
  /// Buffer position t < map.size() holds image[map[t]] (or the fill value where -1); positions
  /// past the map hold 0.
  std::array<std::vector<std::ptrdiff_t>, 3> image_maps;
  /// Output index j comes from circular position (j + shift) mod length.
  std::array<std::size_t, 3> shifts{};
};
FftGeometry fft_geometry(const Problem& p);

}  // namespace fftconv::detail
