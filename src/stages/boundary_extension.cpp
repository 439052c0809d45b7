#include "stages/boundary_extension.hpp"

#include <algorithm>

#include "util/checked_math.hpp"

namespace fftconv::detail {

namespace {
std::ptrdiff_t positive_mod(std::ptrdiff_t i, std::ptrdiff_t m) {
  const std::ptrdiff_t r = i % m;
  return r < 0 ? r + m : r;
}
}  // namespace

std::ptrdiff_t boundary_index(Boundary rule, std::ptrdiff_t i, std::ptrdiff_t n) {
  if (i >= 0 && i < n) return i;
  switch (rule) {
    case Boundary::zero:
    case Boundary::constant:
      return -1;
    case Boundary::nearest:
      return i < 0 ? 0 : n - 1;
    case Boundary::wrap:
      return positive_mod(i, n);
    case Boundary::reflect: {  // c b a | a b c d | d c b: period 2n, the edge repeated
      const std::ptrdiff_t m = positive_mod(i, 2 * n);
      return m < n ? m : 2 * n - 1 - m;
    }
    case Boundary::mirror: {  // d c b | a b c d | c b a: period 2n - 2, the edge not repeated
      if (n == 1) return 0;
      const std::ptrdiff_t m = positive_mod(i, 2 * n - 2);
      return m < n ? m : 2 * n - 2 - m;
    }
  }
  return -1;
}

std::vector<std::ptrdiff_t> boundary_map(Boundary rule, std::ptrdiff_t first, std::size_t count,
                                         std::size_t n) {
  std::vector<std::ptrdiff_t> map(count);
  for (std::size_t t = 0; t < count; ++t)
    map[t] = boundary_index(rule, first + static_cast<std::ptrdiff_t>(t),
                            static_cast<std::ptrdiff_t>(n));
  return map;
}

std::array<std::vector<std::ptrdiff_t>, 3> extension_maps(const Problem& p) {
  std::array<std::vector<std::ptrdiff_t>, 3> maps;
  for (std::size_t a = 0; a < 3; ++a) {
    const Axis& ax = p.axes[a];
    maps[a] = boundary_map(
        p.boundary, static_cast<std::ptrdiff_t>(ax.start) - static_cast<std::ptrdiff_t>(ax.k - 1),
        checked_add(ax.out, ax.k - 1, "extended extent"), ax.n);
  }
  return maps;
}

std::size_t extension_map_bytes(const Problem& p) {
  std::size_t entries = 0;
  for (const Axis& a : p.axes)
    entries = checked_add(entries, checked_add(a.out, a.k - 1, "extended extent"), "index maps");
  return checked_mul(entries, sizeof(std::ptrdiff_t), "index map bytes");
}

template <class T>
void extend_into(const ConstView<T>& image, const std::array<MapRun, 3>& maps, T fill, T* dst,
                 const DenseStrides& dst_strides) {
  extend_into(image, maps, last_axis_run(maps[2]), fill, dst, dst_strides);
}

LastAxisRun last_axis_run(const MapRun& m2) {
  LastAxisRun r;
  while (r.begin < m2.size() && m2[r.begin] < 0)
    ++r.begin;
  r.end = r.begin;
  while (r.end < m2.size() &&
         m2[r.end] == m2[r.begin] + static_cast<std::ptrdiff_t>(r.end - r.begin))
    ++r.end;
  return r;
}

template <class T>
void extend_into(const ConstView<T>& image, const std::array<MapRun, 3>& maps,
                 const LastAxisRun& run, T fill, T* dst, const DenseStrides& dst_strides) {
  const auto& m0 = maps[0];
  const auto& m1 = maps[1];
  const auto& m2 = maps[2];
  const std::ptrdiff_t s2 = image.stride(2);
  const std::size_t run_begin = run.begin, run_end = run.end;
  for (std::size_t t0 = 0; t0 < m0.size(); ++t0)
    for (std::size_t t1 = 0; t1 < m1.size(); ++t1) {
      T* to = dst + t0 * dst_strides[0] + t1 * dst_strides[1];
      if (m0[t0] < 0 || m1[t1] < 0) {
        std::fill(to, to + m2.size(), fill);
        continue;
      }
      const T* row = image.data() + m0[t0] * image.stride(0) + m1[t1] * image.stride(1);
      for (std::size_t t2 = 0; t2 < run_begin; ++t2)
        to[t2] = m2[t2] < 0 ? fill : row[m2[t2] * s2];
      if (run_end > run_begin) {
        const T* from = row + m2[run_begin] * s2;
        if (s2 == 1)
          std::copy(from, from + (run_end - run_begin), to + run_begin);
        else
          for (std::size_t t2 = run_begin; t2 < run_end; ++t2)
            to[t2] = from[static_cast<std::ptrdiff_t>(t2 - run_begin) * s2];
      }
      for (std::size_t t2 = run_end; t2 < m2.size(); ++t2)
        to[t2] = m2[t2] < 0 ? fill : row[m2[t2] * s2];
    }
}

template void extend_into<float>(const ConstView<float>&, const std::array<MapRun, 3>&, float,
                                 float*, const DenseStrides&);
template void extend_into<double>(const ConstView<double>&, const std::array<MapRun, 3>&, double,
                                  double*, const DenseStrides&);
template void extend_into<float>(const ConstView<float>&, const std::array<MapRun, 3>&,
                                 const LastAxisRun&, float, float*, const DenseStrides&);
template void extend_into<double>(const ConstView<double>&, const std::array<MapRun, 3>&,
                                  const LastAxisRun&, double, double*, const DenseStrides&);

}  // namespace fftconv::detail
