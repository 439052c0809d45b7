// Direct path. Every mode and both operations reduce to one kernel loop:
//   out[j] = sum_m E[j + m] * h[m]
// where E is the image extended once by the boundary rule so that the window needs no bounds
// checks (E[t] = ext(I)[t + start - (k - 1)]) and h is the kernel flipped for
// convolution, as given for correlation (correlate(I, g) = convolve(I, flip(g))).
//
// The hot loop (OpenCV Filter2D style): for each output row, for each kernel row, for each
// non-zero tap, a contiguous multiply-add over a chunk of the row, which the compiler vectorizes.
// Each kernel row is summed into its own partial sums (kept in registers) before they are added
// to the output row, so the rounding error grows with k0*k1 + k2 terms rather than with
// k0*k1*k2 (this matters in float).
#include "direct_path.hpp"

#include <algorithm>
#include <cstring>
#include <new>
#include <vector>

#include "../boundary.hpp"
#include "../check.hpp"
#include "../checked_math.hpp"
#include "../copy.hpp"
#include "../fft/memory.hpp"
#include "../parallel.hpp"

namespace fftconv::detail {

template <class T>
std::size_t count_nonzero(const ConstView<T>& kernel3) {
  std::size_t count = 0;
  for_each_element(kernel3, [&](T x) { count += x != T(0); });
  return count;
}

DirectLayout direct_layout(const Problem& p) {
  DirectLayout l;
  for (std::size_t a = 0; a < 3; ++a) {
    l.extent[a] = checked_add(p.axes[a].out, p.axes[a].k - 1, "extended image extent");
  }
  l.strides = {checked_mul(l.extent[1], l.extent[2], "extended image plane"), l.extent[2], 1};
  l.count = checked_mul(l.extent[0], l.strides[0], "extended image size");
  return l;
}

template <class T>
AlignedBuffer<T> extended_image(const Problem& p, const ConstView<T>& image, T fill) {
  const DirectLayout layout = direct_layout(p);
  AlignedBuffer<T> extended(layout.count);
  std::array<std::vector<std::ptrdiff_t>, 3> maps;
  for (std::size_t a = 0; a < 3; ++a)  // extended position t is t + start - (k - 1)
    maps[a] = boundary_map(
        p.boundary,
        static_cast<std::ptrdiff_t>(p.axes[a].start) - static_cast<std::ptrdiff_t>(p.axes[a].k - 1),
        layout.extent[a], p.axes[a].n);
  extend_into(image, maps, fill, extended.data(), layout.strides);
  return extended;
}

template AlignedBuffer<float> extended_image(const Problem&, const ConstView<float>&, float);
template AlignedBuffer<double> extended_image(const Problem&, const ConstView<double>&, double);

namespace {

// 16-byte SIMD vectors (SSE2, the x86-64 baseline, so the .so stays portable) through the
// GCC/Clang vector extension: the kernel below is written in vectors so that its shape does not
// depend on the auto-vectorizer (which, left alone, vectorized the double version across taps
// with gathers, 5x slower than along the row).
template <class T>
struct Simd;
template <>
struct Simd<float> {
  typedef float type __attribute__((vector_size(16)));
};
template <>
struct Simd<double> {
  typedef double type __attribute__((vector_size(16)));
};

template <class T>
using Vec = typename Simd<T>::type;
template <class T>
constexpr std::size_t lanes = sizeof(Vec<T>) / sizeof(T);

template <class T>
inline Vec<T> load(const T* p) {
  Vec<T> v;
  std::memcpy(&v, p, sizeof v);  // an unaligned vector load
  return v;
}
template <class T>
inline void store(T* p, Vec<T> v) {
  std::memcpy(p, &v, sizeof v);
}

// acc[i] += sum over taps of value * src[offset + i], i < regs * lanes: one kernel row's partial
// sums, in `regs` vector registers while every tap is applied, then added to acc once.
template <class T, std::size_t regs>
inline void chunk_taps(const Tap<T>* taps, std::size_t tap_count, const T* src, T* acc) {
  constexpr std::size_t L = lanes<T>;
  Vec<T> sum[regs] = {};
  for (std::size_t t = 0; t < tap_count; ++t) {
    const Vec<T> v = Vec<T>{} + taps[t].value;  // broadcast
    const T* s = src + taps[t].offset;
    for (std::size_t r = 0; r < regs; ++r)
      sum[r] += v * load(s + r * L);
  }
  for (std::size_t r = 0; r < regs; ++r)
    store(acc + r * L, load(acc + r * L) + sum[r]);
}

// acc[x] += sum over the taps of one kernel row of value * src[x + offset], x < width, in chunks
// of 8 vectors, then single vectors, then a scalar tail.
template <class T>
void row_taps(const Tap<T>* taps, std::size_t tap_count, const T* src, T* acc, std::size_t width) {
  constexpr std::size_t L = lanes<T>;
  std::size_t x = 0;
  for (; x + 8 * L <= width; x += 8 * L)
    chunk_taps<T, 8>(taps, tap_count, src + x, acc + x);
  for (; x + L <= width; x += L)
    chunk_taps<T, 1>(taps, tap_count, src + x, acc + x);
  for (; x < width; ++x) {
    T sum = 0;
    for (std::size_t t = 0; t < tap_count; ++t)
      sum += taps[t].value * src[x + taps[t].offset];
    acc[x] += sum;
  }
}

}  // namespace

std::size_t direct_working_bytes(const Problem& p, std::size_t element_bytes) {
  const std::size_t taps =
      checked_mul(checked_mul(p.axes[0].k, p.axes[1].k, "kernel size"), p.axes[2].k, "kernel size");
  // extended image + dense kernel + accumulator rows, then the tap list and its row index
  std::size_t elements = checked_add(direct_layout(p).count, taps, "direct working memory");
  elements = checked_add(
      elements,  // one accumulator row per thread
      checked_mul(p.axes[2].out, static_cast<std::size_t>(p.threads), "accumulator rows"),
      "direct working memory");
  std::size_t bytes = checked_mul(elements, element_bytes, "direct working memory in bytes");
  // (Tap<double> is the larger tap: an upper bound for float too)
  bytes = checked_add(bytes, checked_mul(taps, sizeof(Tap<double>), "tap list"),
                      "direct working memory");
  bytes = checked_add(bytes,
                      checked_mul(p.axes[0].k * p.axes[1].k + 1, sizeof(std::size_t), "tap rows"),
                      "direct working memory");
  // the extended image's index maps: one ptrdiff_t per position and axis
  const DirectLayout layout = direct_layout(p);
  std::size_t map_entries = 0;
  for (std::size_t a = 0; a < 3; ++a)
    map_entries = checked_add(map_entries, layout.extent[a], "direct index maps");
  return checked_add(bytes, checked_mul(map_entries, sizeof(std::ptrdiff_t), "direct index maps"),
                     "direct working memory");
}

template <class T>
DirectKernel<T>::DirectKernel(const Problem& p, const ConstView<T>& kernel) : p_(p) {
  const std::size_t k0 = p.axes[0].k, k1 = p.axes[1].k, k2 = p.axes[2].k;
  AlignedBuffer<T> h(k0 * k1 * k2);  // dense, flipped for convolution
  place(p.correlate ? kernel : flipped(kernel), h.data(), {k1 * k2, k2, 1});
  const std::size_t nonzero = count_nonzero(kernel);  // flipping does not change it
  try {
    taps_.reserve(nonzero);
    row_begin_.assign(k0 * k1 + 1, 0);
  } catch (const std::bad_alloc&) {
    fail(ErrorCode::out_of_memory, "could not allocate ",
         nonzero * sizeof(Tap<T>) + (k0 * k1 + 1) * sizeof(std::size_t), " bytes for the taps");
  }
  for (std::size_t r = 0; r < k0 * k1; ++r) {
    for (std::size_t b = 0; b < k2; ++b)
      if (h[r * k2 + b] != T(0)) taps_.push_back({b, h[r * k2 + b]});
    row_begin_[r + 1] = taps_.size();
  }
}

template <class T>
void DirectKernel<T>::apply(const ConstView<T>& image, const View<T>& out, T fill) const {
  const Axis* ax = p_.axes.data();
  const DirectLayout layout = direct_layout(p_);
  const DenseStrides& es = layout.strides;
  const AlignedBuffer<T> extended = extended_image(p_, image, fill);

  const std::size_t k0 = ax[0].k, k1 = ax[1].k;
  const std::size_t width = ax[2].out;
  const std::size_t rows = ax[0].out * ax[1].out;
  // Threads only pay off for real work (each costs tens of microseconds to start): about a
  // million multiply-adds per thread. Every output row is computed the same way whichever thread
  // runs it, so the result does not depend on the thread count.
  const double work = static_cast<double>(rows) * static_cast<double>(width) *
                      static_cast<double>(std::max<std::size_t>(taps_.size(), 1));
  const int threads = static_cast<int>(std::min<double>(p_.threads, std::max(1.0, work / 1e6)));
  std::vector<AlignedBuffer<T>> accumulators;  // all allocated before any row is written
  for (int t = 0; t < threads; ++t)
    accumulators.emplace_back(width);
  parallel_for(rows, threads, [&](std::size_t chunk, std::size_t begin, std::size_t end) {
    T* acc = accumulators[chunk].data();
    for (std::size_t row = begin; row < end; ++row) {
      const std::size_t y0 = row / ax[1].out, y1 = row % ax[1].out;
      std::fill(acc, acc + width, T(0));
      for (std::size_t a0 = 0; a0 < k0; ++a0)
        for (std::size_t a1 = 0; a1 < k1; ++a1) {
          const std::size_t r = a0 * k1 + a1;
          const std::size_t tap_count = row_begin_[r + 1] - row_begin_[r];
          if (tap_count == 0) continue;
          const T* src = extended.data() + (y0 + a0) * es[0] + (y1 + a1) * es[1];
          row_taps(taps_.data() + row_begin_[r], tap_count, src, acc, width);
        }
      store_row(acc, width, row_start(out, y0, y1), out.stride(2));
    }
  });
}

template std::size_t count_nonzero<float>(const ConstView<float>&);
template std::size_t count_nonzero<double>(const ConstView<double>&);
template class DirectKernel<float>;
template class DirectKernel<double>;

}  // namespace fftconv::detail
