#pragma once
// The element-wise work of the iterative deconvolutions on dense C-order arrays: split over the
// call's threads when large enough to pay for them, reductions summed in double over a fixed
// split (the same result whatever the thread count), and the copies between the caller's
// image-shaped views and the reconstruction domain.
#include <algorithm>
#include <array>
#include <cstddef>
#include <vector>

#include "core/problem.hpp"
#include "deconvolution/blur_operator.hpp"
#include "util/copy.hpp"
#include "util/parallel.hpp"

namespace fftconv::detail {

/// body(begin, end) over pieces of [0, count), on `threads` threads from 2^16 elements.
template <class F>
void for_ranges(std::size_t count, int threads, F&& body) {
  const int t = count < (std::size_t{1} << 16) ? 1 : threads;
  parallel_for(count, t,
               [&](std::size_t, std::size_t begin, std::size_t end) { body(begin, end); });
}

/// sum over [0, count) of partial(begin, end) (a double), in 64 fixed pieces added in order.
template <class F>
double sum_ranges(std::size_t count, int threads, F&& partial) {
  constexpr std::size_t pieces = 64;
  std::array<double, pieces> sums{};
  const int t = count < (std::size_t{1} << 16) ? 1 : threads;
  parallel_for(pieces, t, [&](std::size_t, std::size_t begin, std::size_t end) {
    for (std::size_t p = begin; p < end; ++p)
      sums[p] = partial(count * p / pieces, count * (p + 1) / pieces);
  });
  double total = 0;
  for (const double s : sums)
    total += s;
  return total;
}

/// The caller's image-shaped view `from` into the domain array `to` at `offset`; the domain's
/// pixels beyond the image take the nearest image pixel's value (clamped indices).
template <class T, class U>
void embed(const ConstView<U>& from, const Grid& domain, const std::array<std::size_t, 3>& offset,
           T* to) {
  const ConstView<U> v = to_rank3(from);
  for (std::size_t i0 = 0; i0 < domain.n[0]; ++i0)
    for (std::size_t i1 = 0; i1 < domain.n[1]; ++i1)
      for (std::size_t i2 = 0; i2 < domain.n[2]; ++i2) {
        const std::array<std::size_t, 3> at{i0, i1, i2};
        std::ptrdiff_t src = 0;
        for (std::size_t a = 0; a < 3; ++a) {
          const std::size_t j = std::min(at[a] - std::min(at[a], offset[a]), v.extent(int(a)) - 1);
          src += static_cast<std::ptrdiff_t>(j) * v.stride(int(a));
        }
        to[(i0 * domain.n[1] + i1) * domain.n[2] + i2] = static_cast<T>(v.data()[src]);
      }
}

/// The image's window of the domain array `from` (at `offset`) into the caller's view `to`,
/// clipped to [-1, 1] if asked.
template <class T>
void extract(const T* from, const Grid& domain, const std::array<std::size_t, 3>& offset, bool clip,
             const View<T>& to) {
  const View<T> v = to_rank3(to);
  for (std::size_t i0 = 0; i0 < v.extent(0); ++i0)
    for (std::size_t i1 = 0; i1 < v.extent(1); ++i1)
      for (std::size_t i2 = 0; i2 < v.extent(2); ++i2) {
        T x =
            from[((i0 + offset[0]) * domain.n[1] + i1 + offset[1]) * domain.n[2] + i2 + offset[2]];
        if (clip) x = std::clamp(x, T(-1), T(1));
        v.data()[static_cast<std::ptrdiff_t>(i0) * v.stride(0) +
                 static_cast<std::ptrdiff_t>(i1) * v.stride(1) +
                 static_cast<std::ptrdiff_t>(i2) * v.stride(2)] = x;
      }
}

/// The bad-pixel mask (true = bad) as one flag per image pixel in C order (empty: no mask).
inline std::vector<unsigned char> mask_flags(const ConstView<bool>& mask) {
  if (mask.data() == nullptr) return {};
  return dense_values<unsigned char>(to_rank3(mask),
                                     [](bool bad) { return static_cast<unsigned char>(bad); });
}

}  // namespace fftconv::detail
