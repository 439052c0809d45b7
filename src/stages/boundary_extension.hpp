#pragma once
// Boundary rules: where each position of the conceptually extended image comes from. One index
// map per axis, one filler for any dense block of the extended image; the direct path builds its
// extended image with them, the FFT path fills its transform buffer with them.
#include <array>
#include <cstddef>
#include <vector>

#include "core/problem.hpp"
#include "fftconv/options.hpp"
#include "fftconv/view.hpp"
#include "util/copy.hpp"

namespace fftconv::detail {

/// Image index of extended position i (any integer) of an axis of length n >= 1 under `rule`,
/// or -1 where the rule gives the fill value (zero, constant).
std::ptrdiff_t boundary_index(Boundary rule, std::ptrdiff_t i, std::ptrdiff_t n);

/// boundary_index for positions first, first + 1, ..., first + count - 1.
std::vector<std::ptrdiff_t> boundary_map(Boundary rule, std::ptrdiff_t first, std::size_t count,
                                         std::size_t n);

/// A run of entries of an index map: a whole boundary_map or part of one.
struct MapRun {
  const std::ptrdiff_t* first = nullptr;
  std::size_t count = 0;
  std::size_t size() const { return count; }
  std::ptrdiff_t operator[](std::size_t i) const { return first[i]; }
};

/// dst[t0][t1][t2] = image[map0[t0]][map1[t1]][map2[t2]], or `fill` where a map is -1, for the
/// dense block of extents map.size() at dst (strides dst_strides). image is canonical rank 3.
template <class T>
void extend_into(const ConstView<T>& image, const std::array<MapRun, 3>& maps, T fill, T* dst,
                 const DenseStrides& dst_strides);

/// The interior of a last-axis map: [begin, end) maps onto consecutive image elements (copied as
/// a block; only the margins go through the map). Empty if no position is inside.
struct LastAxisRun {
  std::size_t begin = 0, end = 0;
};
LastAxisRun last_axis_run(const MapRun& m2);

/// extend_into with maps[2]'s interior found beforehand (last_axis_run(maps[2])): for callers
/// that fill a block row by row, where finding it again for every row would read the map as
/// often as the image.
template <class T>
void extend_into(const ConstView<T>& image, const std::array<MapRun, 3>& maps,
                 const LastAxisRun& run, T fill, T* dst, const DenseStrides& dst_strides);

/// extend_into over whole maps.
template <class T>
void extend_into(const ConstView<T>& image, const std::array<std::vector<std::ptrdiff_t>, 3>& maps,
                 T fill, T* dst, const DenseStrides& dst_strides) {
  extend_into(image,
              {MapRun{maps[0].data(), maps[0].size()}, MapRun{maps[1].data(), maps[1].size()},
               MapRun{maps[2].data(), maps[2].size()}},
              fill, dst, dst_strides);
}

/// The boundary map of each canonical axis over the extended extents out + k - 1 of problem p:
/// position t of axis a is extended position t + start - (k - 1), so an output j reads positions
/// j .. j + k - 1 (the direct path's and overlap-save's view of the image).
std::array<std::vector<std::ptrdiff_t>, 3> extension_maps(const Problem& p);

/// Bytes extension_maps(p) holds (one ptrdiff_t per extended position and axis), without
/// building it. Throws fftconv::Error if the count overflows size_t.
std::size_t extension_map_bytes(const Problem& p);

}  // namespace fftconv::detail
