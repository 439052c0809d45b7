// Direct path. Every mode and both operations reduce to one kernel loop:
//   out[j] = sum_m E[j + m] * h[m]
// where E is the image extended once with zeros so that the window needs no bounds checks
// (E[t] = I[t + start - (k - 1)], zero outside the image) and h is the kernel flipped for
// convolution, as given for correlation (correlate(I, g) = convolve(I, flip(g))).
//
// The hot loop (OpenCV Filter2D style): for each output row, for each kernel row, for each
// non-zero tap, a contiguous multiply-add over a chunk of the row, which the compiler vectorizes.
// Each kernel row is summed into its own partial sums (kept in registers) before they are added
// to the output row, so the rounding error grows with k0*k1 + k2 terms rather than with
// k0*k1*k2 (this matters in float).
#include "direct_path.hpp"

#include <cstring>
#include <vector>

#include "../checked_math.hpp"
#include "../copy.hpp"
#include "../fft/memory.hpp"

namespace fftconv::detail {

template <class T>
std::size_t count_nonzero(const ConstView<T>& kernel3) {
  std::size_t count = 0;
  for (std::size_t i0 = 0; i0 < kernel3.extent(0); ++i0)
    for (std::size_t i1 = 0; i1 < kernel3.extent(1); ++i1) {
      const T* row = row_start(kernel3, i0, i1);
      for (std::size_t i2 = 0; i2 < kernel3.extent(2); ++i2)
        count += row[static_cast<std::ptrdiff_t>(i2) * kernel3.stride(2)] != T(0);
    }
  return count;
}

namespace {

template <class T>
struct Tap {
  std::size_t offset;  // along the row
  T value;
};

// sum[i] = sum over taps of value * src[offset + i], i < len: one kernel row's partial sums.
template <class T, std::size_t len>
inline void chunk_taps(const Tap<T>* taps, std::size_t tap_count, const T* __restrict src,
                       T* __restrict acc) {
  T sum[len] = {};  // stays in registers for the fixed length
  for (std::size_t t = 0; t < tap_count; ++t) {
    const T v = taps[t].value;
    const T* __restrict s = src + taps[t].offset;
    for (std::size_t i = 0; i < len; ++i)
      sum[i] += v * s[i];
  }
  for (std::size_t i = 0; i < len; ++i)
    acc[i] += sum[i];
}

// acc[x] += sum over the taps of one kernel row of value * src[x + offset], x < width. The row
// is done in chunks whose partial sums stay in registers while every tap is applied, so each tap
// costs one load per value instead of a load and a store of the accumulator.
template <class T>
void row_taps(const Tap<T>* taps, std::size_t tap_count, const T* src, T* acc, std::size_t width) {
  constexpr std::size_t chunk = 32 / sizeof(T) * 4;  // 32 floats / 16 doubles: 8 SSE registers
  std::size_t x = 0;
  for (; x + chunk <= width; x += chunk)
    chunk_taps<T, chunk>(taps, tap_count, src + x, acc + x);
  for (; x + 4 <= width; x += 4)
    chunk_taps<T, 4>(taps, tap_count, src + x, acc + x);
  for (; x < width; ++x)
    chunk_taps<T, 1>(taps, tap_count, src + x, acc + x);
}

}  // namespace

template <class T>
void direct_convolve(const Problem& p, const ConstView<T>& image, const ConstView<T>& kernel,
                     const View<T>& out) {
  const Axis* ax = p.axes.data();
  // Extended image: extent out + k - 1 per axis, image placed at k - 1 - start.
  std::array<std::size_t, 3> e{}, offset{};
  for (std::size_t a = 0; a < 3; ++a) {
    e[a] = ax[a].out + ax[a].k - 1;
    offset[a] = ax[a].k - 1 - ax[a].start;
  }
  const DenseStrides es{checked_mul(e[1], e[2], "extended image plane"), e[2], 1};
  const std::size_t e_count = checked_mul(e[0], es[0], "extended image size");
  AlignedBuffer<T> extended(e_count);
  std::memset(extended.data(), 0, e_count * sizeof(T));
  place(image, extended.data(), es, offset);

  // Dense h (flipped for convolution), then its non-zero taps grouped by kernel row.
  const std::size_t k0 = ax[0].k, k1 = ax[1].k, k2 = ax[2].k;
  std::vector<T> h(k0 * k1 * k2);
  place(p.correlate ? kernel : flipped(kernel), h.data(), {k1 * k2, k2, 1}, {0, 0, 0});
  std::vector<Tap<T>> taps;
  std::vector<std::size_t> row_begin(k0 * k1 + 1, 0);
  for (std::size_t r = 0; r < k0 * k1; ++r) {
    for (std::size_t b = 0; b < k2; ++b)
      if (h[r * k2 + b] != T(0)) taps.push_back({b, h[r * k2 + b]});
    row_begin[r + 1] = taps.size();
  }

  const std::size_t width = ax[2].out;
  AlignedBuffer<T> acc(width);
  for (std::size_t y0 = 0; y0 < ax[0].out; ++y0)
    for (std::size_t y1 = 0; y1 < ax[1].out; ++y1) {
      std::fill(acc.data(), acc.data() + width, T(0));
      for (std::size_t a0 = 0; a0 < k0; ++a0)
        for (std::size_t a1 = 0; a1 < k1; ++a1) {
          const std::size_t r = a0 * k1 + a1;
          const std::size_t tap_count = row_begin[r + 1] - row_begin[r];
          if (tap_count == 0) continue;
          const T* src = extended.data() + (y0 + a0) * es[0] + (y1 + a1) * es[1];
          row_taps(taps.data() + row_begin[r], tap_count, src, acc.data(), width);
        }
      store_row(acc.data(), width, row_start(out, y0, y1), out.stride(2));
    }
}

template std::size_t count_nonzero<float>(const ConstView<float>&);
template std::size_t count_nonzero<double>(const ConstView<double>&);
template void direct_convolve<float>(const Problem&, const ConstView<float>&,
                                     const ConstView<float>&, const View<float>&);
template void direct_convolve<double>(const Problem&, const ConstView<double>&,
                                      const ConstView<double>&, const View<double>&);

}  // namespace fftconv::detail
