// find_peaks: local maxima of a score map, strongest first, thinned by distance, with a
// sub-pixel parabola per axis. See include/fftconv/match.hpp.
#include <algorithm>
#include <cmath>
#include <vector>

#include "core/problem.hpp"
#include "fftconv/match.hpp"
#include "util/check.hpp"
#include "util/copy.hpp"

namespace fftconv {

namespace {

constexpr const char* peaks_name = "fftconv::find_peaks";

template <class T>
std::vector<Peak> peaks(const ConstView<T>& score, double threshold, std::size_t min_distance) {
  FFTCONV_CHECK(score.rank() >= 1 && score.rank() <= detail::core_rank, invalid_argument,
                peaks_name, ": score has rank ", score.rank(), "; expected 1 to ", detail::core_rank);
  FFTCONV_CHECK(score.strides().rank() == score.rank(), invalid_argument, peaks_name,
                ": score has ", score.strides().rank(), " strides for rank ", score.rank());
  FFTCONV_CHECK(!std::isnan(threshold), invalid_argument, peaks_name, ": threshold is NaN");
  std::vector<Peak> result;
  if (score.size() == 0) return result;
  FFTCONV_CHECK(score.data() != nullptr, invalid_argument, peaks_name, ": score data is null");
  const ConstView<T> s3 = detail::to_rank3(score);
  const std::array<std::size_t, 3> n{s3.extent(0), s3.extent(1), s3.extent(2)};
  const std::vector<double> v = detail::dense_values<double>(s3, [](T x) { return double(x); });
  auto at = [&](std::size_t i0, std::size_t i1, std::size_t i2) {
    return v[(i0 * n[1] + i1) * n[2] + i2];
  };

  // Candidates: >= threshold and >= every neighbour (NaN neighbours ignored).
  std::vector<std::size_t> candidates;
  for (std::size_t i0 = 0; i0 < n[0]; ++i0)
    for (std::size_t i1 = 0; i1 < n[1]; ++i1)
      for (std::size_t i2 = 0; i2 < n[2]; ++i2) {
        const double c = at(i0, i1, i2);
        if (!(c >= threshold)) continue;  // (NaN fails)
        bool top = true;
        for (std::size_t j0 = i0 ? i0 - 1 : 0; top && j0 <= std::min(i0 + 1, n[0] - 1); ++j0)
          for (std::size_t j1 = i1 ? i1 - 1 : 0; top && j1 <= std::min(i1 + 1, n[1] - 1); ++j1)
            for (std::size_t j2 = i2 ? i2 - 1 : 0; top && j2 <= std::min(i2 + 1, n[2] - 1); ++j2)
              top = !(at(j0, j1, j2) > c);
        if (top) candidates.push_back((i0 * n[1] + i1) * n[2] + i2);
      }
  // Strongest first, ties in C order. Each candidate's plateau (the connected pixels of its
  // value) is a maximum only if no pixel next to it is higher: a flat step on a slope is not a
  // peak. A kept peak claims every pixel within min_distance along all axes; a plateau touching
  // a claimed pixel is suppressed.
  std::stable_sort(candidates.begin(), candidates.end(),
                   [&](std::size_t a, std::size_t b) { return v[a] > v[b]; });
  std::vector<unsigned char> claimed(v.size(), 0), visited(v.size(), 0);
  const auto index_of = [&](std::size_t c) {
    return std::array<std::size_t, 3>{c / (n[1] * n[2]), (c / n[2]) % n[1], c % n[2]};
  };
  // f(j) for every pixel j within `radius` of pixel c along all axes.
  const auto for_each_near = [&](std::size_t c, std::size_t radius, auto f) {
    const std::array<std::size_t, 3> idx = index_of(c);
    for (std::size_t j0 = idx[0] >= radius ? idx[0] - radius : 0;
         j0 <= std::min(idx[0] + radius, n[0] - 1); ++j0)
      for (std::size_t j1 = idx[1] >= radius ? idx[1] - radius : 0;
           j1 <= std::min(idx[1] + radius, n[1] - 1); ++j1)
        for (std::size_t j2 = idx[2] >= radius ? idx[2] - radius : 0;
             j2 <= std::min(idx[2] + radius, n[2] - 1); ++j2)
          f((j0 * n[1] + j1) * n[2] + j2);
  };
  const int rank = score.rank();
  std::vector<std::size_t> plateau;
  for (std::size_t candidate : candidates) {
    if (visited[candidate] || claimed[candidate]) continue;
    // Flood the plateau: its first pixel in C order, whether it is a maximum, whether a stronger
    // peak already claimed part of it.
    std::size_t c = candidate;
    bool maximum = true, suppressed = false;
    plateau.assign(1, candidate);
    visited[candidate] = 1;
    while (!plateau.empty()) {
      const std::size_t q = plateau.back();
      plateau.pop_back();
      c = std::min(c, q);
      suppressed = suppressed || claimed[q];
      for_each_near(q, 1, [&](std::size_t j) {
        if (v[j] > v[candidate]) maximum = false;
        if (v[j] == v[candidate] && !visited[j]) {
          visited[j] = 1;
          plateau.push_back(j);
        }
      });
    }
    if (!maximum || suppressed) continue;
    const std::array<std::size_t, 3> idx = index_of(c);
    for_each_near(c, min_distance, [&](std::size_t j) { claimed[j] = 1; });
    Peak peak;
    peak.rank = rank;
    peak.value = v[c];
    for (int a = 0; a < rank; ++a) {
      const std::size_t axis = static_cast<std::size_t>(3 - rank + a);
      peak.index[static_cast<std::size_t>(a)] = idx[axis];
      double offset = 0;
      if (idx[axis] > 0 && idx[axis] + 1 < n[axis]) {
        std::array<std::size_t, 3> lo = idx, hi = idx;
        --lo[axis];
        ++hi[axis];
        const double f0 = v[c], fm = at(lo[0], lo[1], lo[2]), fp = at(hi[0], hi[1], hi[2]);
        const double curvature = fm - 2 * f0 + fp;
        // The vertex of the parabola through the three values; flat or non-finite: none.
        if (curvature < 0 && std::isfinite(fm) && std::isfinite(fp))
          offset = std::clamp(0.5 * (fm - fp) / curvature, -0.5, 0.5);
      }
      peak.position[static_cast<std::size_t>(a)] = static_cast<double>(idx[axis]) + offset;
    }
    result.push_back(peak);
  }
  return result;
}

}  // namespace

std::vector<Peak> find_peaks(ConstView<float> score, double threshold, std::size_t min_distance) {
  return peaks(score, threshold, min_distance);
}
std::vector<Peak> find_peaks(ConstView<double> score, double threshold, std::size_t min_distance) {
  return peaks(score, threshold, min_distance);
}

}  // namespace fftconv
