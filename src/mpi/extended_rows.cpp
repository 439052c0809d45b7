#include "mpi/extended_rows.hpp"

#include <algorithm>
#include <cmath>

#include "util/check.hpp"

namespace fftconv::detail::mpi {

std::array<std::size_t, 3> canonical_extents(const Shape& shape) {
  std::array<std::size_t, 3> e{1, 1, 1};
  const int rank = shape.rank();
  e[0] = shape[0];
  for (int a = 1; a < rank; ++a)
    e[static_cast<std::size_t>(3 - rank + a)] = shape[a];
  return e;
}

RowSources row_sources(Boundary rule, std::ptrdiff_t first, std::size_t count, std::size_t n0) {
  RowSources s;
  s.slot.resize(count);
  std::vector<std::ptrdiff_t> source(count);
  for (std::size_t t = 0; t < count; ++t) {
    source[t] = boundary_index(rule, first + static_cast<std::ptrdiff_t>(t), n0);
    if (source[t] >= 0) s.wanted.push_back(static_cast<std::size_t>(source[t]));
  }
  std::sort(s.wanted.begin(), s.wanted.end());
  s.wanted.erase(std::unique(s.wanted.begin(), s.wanted.end()), s.wanted.end());
  for (std::size_t t = 0; t < count; ++t)
    s.slot[t] = source[t] < 0 ? -1
                              : std::lower_bound(s.wanted.begin(), s.wanted.end(),
                                                 static_cast<std::size_t>(source[t])) -
                                    s.wanted.begin();
  return s;
}

PlaneExtension::PlaneExtension(Boundary rule, std::size_t n1, std::size_t n2, ExtendedWindow w1,
                               ExtendedWindow w2)
    : n1_(n1), n2_(n2), map1_(w1.count), map2_(w2.count) {
  for (std::size_t i = 0; i < w1.count; ++i)
    map1_[i] = boundary_index(rule, w1.first + static_cast<std::ptrdiff_t>(i), n1);
  for (std::size_t j = 0; j < w2.count; ++j)
    map2_[j] = boundary_index(rule, w2.first + static_cast<std::ptrdiff_t>(j), n2);
  // The longest stretch mapping to consecutive image columns from the first inside position.
  while (interior_begin_ < map2_.size() && map2_[interior_begin_] < 0)
    ++interior_begin_;
  interior_end_ = interior_begin_;
  while (interior_end_ < map2_.size() &&
         map2_[interior_end_] ==
             map2_[interior_begin_] + static_cast<std::ptrdiff_t>(interior_end_ - interior_begin_))
    ++interior_end_;
  if (interior_begin_ == map2_.size()) interior_begin_ = interior_end_ = 0;  // none inside
}

template <class T>
void PlaneExtension::extend(const T* row, T outside, const T* nonfinite_replacement, T* dst,
                            std::size_t dst_pitch) const {
  for (std::size_t i = 0; i < map1_.size(); ++i) {
    T* out = dst + i * dst_pitch;
    if (row == nullptr || map1_[i] < 0) {
      std::fill(out, out + map2_.size(), outside);
      continue;
    }
    const T* in = row + static_cast<std::size_t>(map1_[i]) * n2_;
    if (nonfinite_replacement == nullptr) {  // the interior as one block, the margins mapped
      for (std::size_t j = 0; j < interior_begin_; ++j)
        out[j] = map2_[j] < 0 ? outside : in[map2_[j]];
      if (interior_end_ > interior_begin_)
        std::copy_n(in + map2_[interior_begin_], interior_end_ - interior_begin_,
                    out + interior_begin_);
      for (std::size_t j = interior_end_; j < map2_.size(); ++j)
        out[j] = map2_[j] < 0 ? outside : in[map2_[j]];
      continue;
    }
    for (std::size_t j = 0; j < map2_.size(); ++j) {
      const T v = map2_[j] < 0 ? outside : in[map2_[j]];
      out[j] = !std::isfinite(v) ? *nonfinite_replacement : v;
    }
  }
}

template void PlaneExtension::extend<float>(const float*, float, const float*, float*,
                                            std::size_t) const;
template void PlaneExtension::extend<double>(const double*, double, const double*, double*,
                                             std::size_t) const;

}  // namespace fftconv::detail::mpi
