#include "fft_path.hpp"

#include <algorithm>
#include <climits>
#include <cmath>
#include <cstring>

#include "boundary.hpp"
#include "check.hpp"
#include "checked_math.hpp"
#include "copy.hpp"
#include "fft/memory.hpp"
#include "fft/plans.hpp"

namespace fftconv::detail {

FftScheme fft_scheme(const Problem& p) {
  if (!p.extends_image()) return FftScheme::zero_padded;
  bool same = true;
  for (const Axis& a : p.axes)
    same = same && a.out == a.n && a.start == (a.k - 1) / 2;
  // Circular at exactly n only where n is itself a fast size: FFTW's prime-size algorithms at,
  // say, n = 999983 are several times slower than the extended scheme at a padded fast size.
  bool fast = true;
  for (const Axis& a : p.axes)
    fast = fast && next_fast_size(a.n) == a.n;
  return p.boundary == Boundary::wrap && same && fast ? FftScheme::circular : FftScheme::extended;
}

std::array<std::size_t, 3> transform_lengths(const Problem& p) {
  const FftScheme scheme = fft_scheme(p);
  std::array<std::size_t, 3> lengths{};
  for (std::size_t a = 0; a < 3; ++a) {
    const Axis& ax = p.axes[a];
    switch (scheme) {
      case FftScheme::zero_padded:
        lengths[a] = next_fast_size(p.min_transform_length(static_cast<int>(a)));
        break;
      case FftScheme::circular:  // exactly the period: no padding beyond the image
        lengths[a] = ax.n;
        break;
      case FftScheme::extended:  // a valid problem on the extended image of out + k - 1
        lengths[a] = next_fast_size(ax.out + ax.k - 1);
        break;
    }
  }
  return lengths;
}

FftGeometry fft_geometry(const Problem& p) {
  FftGeometry g;
  g.lengths = transform_lengths(p);
  const FftScheme scheme = fft_scheme(p);
  for (std::size_t a = 0; a < 3; ++a) {
    const Axis& ax = p.axes[a];
    const std::size_t P = g.lengths[a];
    const std::size_t k_mod = (ax.k - 1) % P;  // k may exceed P (circular scheme)
    if (scheme == FftScheme::extended) {
      // Buffer position t is extended position t + start - (k - 1); the problem is then valid
      // on it: window start k - 1 for convolution, lag 0 for correlation.
      g.image_maps[a] = boundary_map(
          p.boundary, static_cast<std::ptrdiff_t>(ax.start) - static_cast<std::ptrdiff_t>(ax.k - 1),
          ax.out + ax.k - 1, ax.n);
      g.shifts[a] = p.correlate ? 0 : k_mod;
    } else {
      // The image itself at the origin. Convolution: output j is full index j + start;
      // correlation (conjugate spectrum): the circular result is indexed by lag, full index i
      // is lag i - (k - 1).
      g.image_maps[a] = boundary_map(Boundary::zero, 0, ax.n, ax.n);
      g.shifts[a] = p.correlate ? (ax.start % P + P - k_mod) % P : ax.start % P;
    }
  }
  return g;
}

FftLayout fft_layout(const Problem& p) {
  FftLayout l;
  l.lengths = transform_lengths(p);
  for (int a = 0; a < 3; ++a)
    FFTCONV_CHECK(l.lengths[static_cast<std::size_t>(a)] <= static_cast<std::size_t>(INT_MAX),
                  invalid_argument, "transform length ", l.lengths[static_cast<std::size_t>(a)],
                  " in axis ", a - (3 - p.rank), " exceeds FFTW's limit ", INT_MAX);
  l.half = l.lengths[2] / 2 + 1;
  l.pitch = 2 * l.half;
  const std::size_t rows = checked_mul(l.lengths[0], l.lengths[1], "transform row count");
  l.reals = checked_mul(rows, l.pitch, "transform buffer size");
  l.complex_count = rows * l.half;
  return l;
}

std::size_t fft_working_bytes(const Problem& p, std::size_t element_bytes) {
  // Two transform buffers (the kernel spectrum, one per apply) and the image index maps (one
  // ptrdiff_t per buffer position and axis, kept with the spectrum).
  const FftLayout layout = fft_layout(p);
  std::size_t map_entries = 0;
  for (std::size_t a = 0; a < 3; ++a)
    map_entries = checked_add(map_entries, layout.lengths[a], "fft index maps");
  return checked_add(checked_mul(2 * element_bytes, layout.reals, "fft working memory in bytes"),
                     checked_mul(map_entries, sizeof(std::ptrdiff_t), "fft index maps"),
                     "fft working memory in bytes");
}

namespace {

// x *= g, over interleaved complex values.
template <class T>
void multiply_spectra(T* __restrict x, const T* __restrict g, std::size_t complex_count) {
  for (std::size_t i = 0; i < complex_count; ++i) {
    const T a = x[2 * i], b = x[2 * i + 1], c = g[2 * i], d = g[2 * i + 1];
    x[2 * i] = a * c - b * d;
    x[2 * i + 1] = b * c + a * d;
  }
}

fft::RealShape real_shape(const std::array<std::size_t, 3>& P) {
  fft::RealShape shape;
  int first = 0;  // leading axes of length 1 are not transformed
  while (first < 2 && P[static_cast<std::size_t>(first)] == 1)
    ++first;
  for (int a = first; a < 3; ++a)
    shape.n[static_cast<std::size_t>(shape.rank++)] =
        static_cast<int>(P[static_cast<std::size_t>(a)]);
  return shape;
}

DenseStrides buffer_strides(const FftLayout& layout) {
  return {layout.lengths[1] * layout.pitch, layout.pitch, 1};
}

}  // namespace

template <class T>
FftKernel<T>::FftKernel(const Problem& p, const ConstView<T>& kernel)
    : p_(p), layout_(fft_layout(p)), geometry_(fft_geometry(p)), spectrum_(layout_.reals) {
  const fft::RealShape shape = real_shape(layout_.lengths);
  // Planned on the spectrum buffer before it is filled (planning may overwrite its array); apply
  // runs the same plans on its own buffers through FFTW's new-array execute, from the same
  // allocator, so with the same alignment.
  forward_ =
      fft::real_plan<T>(fft::Direction::forward, shape, spectrum_.data(), p.planning, p.threads);
  inverse_ =
      fft::real_plan<T>(fft::Direction::inverse, shape, spectrum_.data(), p.planning, p.threads);
  std::memset(spectrum_.data(), 0, layout_.reals * sizeof(T));
  fold_into(kernel, spectrum_.data(), buffer_strides(layout_), layout_.lengths);
  fft::execute(*forward_, spectrum_.data());
  // Fold in the 1/N of the unnormalized inverse (pocketfft's explicit scale), and conjugate for
  // correlation: conj(G) is the spectrum of the flipped kernel, so nothing is flipped in space.
  const std::array<std::size_t, 3>& P = layout_.lengths;
  const T scale = static_cast<T>(
      1.0 / (static_cast<double>(P[0]) * static_cast<double>(P[1]) * static_cast<double>(P[2])));
  T* g = spectrum_.data();
  const T sign = p.correlate ? T(-1) : T(1);
  for (std::size_t i = 0; i < layout_.complex_count; ++i) {
    g[2 * i] *= scale;
    g[2 * i + 1] *= sign * scale;
  }
}

template <class T>
double FftKernel<T>::spectrum_max() const {
  const std::array<std::size_t, 3>& P = layout_.lengths;
  const double n =
      static_cast<double>(P[0]) * static_cast<double>(P[1]) * static_cast<double>(P[2]);
  const T* g = spectrum_.data();
  double most = 0;
  for (std::size_t i = 0; i < layout_.complex_count; ++i)
    most = std::max(most,
                    std::hypot(static_cast<double>(g[2 * i]), static_cast<double>(g[2 * i + 1])));
  return most * n;  // the stored spectrum has the 1/N folded in
}

template <class T>
void FftKernel<T>::apply(const ConstView<T>& image, const View<T>& out, T fill) const {
  const std::array<std::size_t, 3>& P = layout_.lengths;
  const DenseStrides strides = buffer_strides(layout_);
  AlignedBuffer<T> x(layout_.reals);
  std::memset(x.data(), 0, layout_.reals * sizeof(T));
  extend_into(image, geometry_.image_maps, fill, x.data(), strides);
  fft::execute(*forward_, x.data());
  multiply_spectra(x.data(), spectrum_.data(), layout_.complex_count);
  fft::execute(*inverse_, x.data());

  // Crop: output index j of each axis comes from circular index (j + shift) mod P; along the last
  // axis that is at most two contiguous runs.
  const std::array<std::size_t, 3>& shift = geometry_.shifts;
  const std::size_t n2 = p_.axes[2].out;
  const std::size_t first_run = std::min(n2, P[2] - shift[2]);
  for (std::size_t i0 = 0; i0 < p_.axes[0].out; ++i0)
    for (std::size_t i1 = 0; i1 < p_.axes[1].out; ++i1) {
      const T* row =
          x.data() + ((i0 + shift[0]) % P[0]) * strides[0] + ((i1 + shift[1]) % P[1]) * strides[1];
      T* to = row_start(out, i0, i1);
      store_row(row + shift[2], first_run, to, out.stride(2));
      if (n2 > first_run)  // (no pointer past the row is formed when there is no second run)
        store_row(row, n2 - first_run, to + static_cast<std::ptrdiff_t>(first_run) * out.stride(2),
                  out.stride(2));
    }
}

template class FftKernel<float>;
template class FftKernel<double>;

}  // namespace fftconv::detail
