#include "fft_path.hpp"

#include <algorithm>
#include <climits>
#include <cstring>

#include "check.hpp"
#include "checked_math.hpp"
#include "copy.hpp"
#include "fft/memory.hpp"
#include "fft/plans.hpp"

namespace fftconv::detail {

std::array<std::size_t, 3> transform_lengths(const Problem& p) {
  std::array<std::size_t, 3> lengths{};
  for (int a = 0; a < 3; ++a)
    lengths[static_cast<std::size_t>(a)] = next_fast_size(p.min_transform_length(a));
  return lengths;
}

namespace {

// Where output index j of an axis is found in the circular result of length P: at full-result
// index j + start for convolution; for correlation (product with the conjugate spectrum) the
// circular result is indexed by lag, and full index i is lag i - (k - 1).
std::size_t crop_shift(const Axis& a, std::size_t P, bool correlate) {
  return correlate ? (a.start + P - (a.k - 1)) % P : a.start % P;
}

// x *= g * scale (convolution) or x *= conj(g) * scale (correlation), over interleaved complex
// values. The 1/N of the unnormalized inverse transform is folded in here, once per value.
template <class T>
void multiply_spectra(T* x, const T* g, std::size_t complex_count, T scale, bool conjugate) {
  if (conjugate) {
    for (std::size_t i = 0; i < complex_count; ++i) {
      const T a = x[2 * i], b = x[2 * i + 1], c = g[2 * i] * scale, d = g[2 * i + 1] * scale;
      x[2 * i] = a * c + b * d;
      x[2 * i + 1] = b * c - a * d;
    }
  } else {
    for (std::size_t i = 0; i < complex_count; ++i) {
      const T a = x[2 * i], b = x[2 * i + 1], c = g[2 * i] * scale, d = g[2 * i + 1] * scale;
      x[2 * i] = a * c - b * d;
      x[2 * i + 1] = b * c + a * d;
    }
  }
}

}  // namespace

template <class T>
void fft_convolve(const Problem& p, const ConstView<T>& image, const ConstView<T>& kernel,
                  const View<T>& out) {
  const std::array<std::size_t, 3> P = transform_lengths(p);
  fft::RealShape shape;
  int first = 0;  // leading axes of length 1 are not transformed
  while (first < 2 && P[static_cast<std::size_t>(first)] == 1)
    ++first;
  for (int a = first; a < 3; ++a) {
    FFTCONV_CHECK(P[static_cast<std::size_t>(a)] <= static_cast<std::size_t>(INT_MAX),
                  invalid_argument, "transform length ", P[static_cast<std::size_t>(a)],
                  " in axis ", a - (3 - p.rank), " exceeds FFTW's limit ", INT_MAX);
    shape.n[static_cast<std::size_t>(shape.rank++)] =
        static_cast<int>(P[static_cast<std::size_t>(a)]);
  }

  // FFTW's in-place layout: the last axis padded to 2 * (P2 / 2 + 1) reals.
  const std::size_t half = P[2] / 2 + 1;
  const std::size_t pitch = 2 * half;
  const DenseStrides strides{P[1] * pitch, pitch, 1};
  const std::size_t rows = checked_mul(P[0], P[1], "transform row count");
  const std::size_t reals = checked_mul(rows, pitch, "transform buffer size");
  const std::size_t complex_count = rows * half;

  AlignedBuffer<T> x(reals);
  AlignedBuffer<T> g(reals);
  const auto forward = fft::real_plan<T>(fft::Direction::forward, shape);
  const auto inverse = fft::real_plan<T>(fft::Direction::inverse, shape);

  std::memset(x.data(), 0, reals * sizeof(T));
  std::memset(g.data(), 0, reals * sizeof(T));
  place(image, x.data(), strides, {0, 0, 0});
  place(kernel, g.data(), strides, {0, 0, 0});
  fft::execute(*forward, x.data());
  fft::execute(*forward, g.data());
  const double total =
      static_cast<double>(P[0]) * static_cast<double>(P[1]) * static_cast<double>(P[2]);
  multiply_spectra(x.data(), g.data(), complex_count, static_cast<T>(1.0 / total), p.correlate);
  fft::execute(*inverse, x.data());

  // Crop: output index j of each axis comes from circular index (j + shift) mod P; along the last
  // axis that is at most two contiguous runs.
  std::array<std::size_t, 3> shift{};
  for (std::size_t a = 0; a < 3; ++a)
    shift[a] = crop_shift(p.axes[a], P[a], p.correlate);
  const std::size_t n2 = p.axes[2].out;
  const std::size_t first_run = std::min(n2, P[2] - shift[2]);
  for (std::size_t i0 = 0; i0 < p.axes[0].out; ++i0)
    for (std::size_t i1 = 0; i1 < p.axes[1].out; ++i1) {
      const T* row =
          x.data() + ((i0 + shift[0]) % P[0]) * strides[0] + ((i1 + shift[1]) % P[1]) * strides[1];
      T* to = row_start(out, i0, i1);
      store_row(row + shift[2], first_run, to, out.stride(2));
      if (n2 > first_run)  // (no pointer past the row is formed when there is no second run)
        store_row(row, n2 - first_run, to + static_cast<std::ptrdiff_t>(first_run) * out.stride(2),
                  out.stride(2));
    }
}

template void fft_convolve<float>(const Problem&, const ConstView<float>&, const ConstView<float>&,
                                  const View<float>&);
template void fft_convolve<double>(const Problem&, const ConstView<double>&,
                                   const ConstView<double>&, const View<double>&);

}  // namespace fftconv::detail
