#include "deconvolution/wiener.hpp"

#include <algorithm>
#include <cmath>
#include <optional>
#include <vector>

#include "core/problem.hpp"
#include "fft/real_grid.hpp"
#include "frequency/grid.hpp"
#include "frequency/spectrum_product.hpp"
#include "util/check.hpp"
#include "util/checked_math.hpp"
#include "util/copy.hpp"

namespace fftconv::detail {

namespace {

// The grid's edge rule and padding for the deconvolution's edges: the image itself (periodic),
// or padded by the PSF's longest length with zeros (zero) or the mirror image (extended).
FrequencyOptions grid_options(const WienerOptions& o, const Shape& psf) {
  FrequencyOptions f;
  f.threads = o.threads;
  f.planning = o.planning;
  f.max_memory_bytes = o.max_memory_bytes;
  if (o.edges != DeconvolutionEdges::periodic) {
    f.boundary = o.edges == DeconvolutionEdges::zero ? Boundary::zero : Boundary::reflect;
    for (int a = 0; a < psf.rank(); ++a)
      f.padding = std::max(f.padding, psf[a]);
  }
  return f;
}

// The kernel v (of the grid's rank) placed with its tap k / 2 at the origin, wrapped modulo the
// grid's lengths (scikit-image's ir2tf), then transformed: grid's half spectrum is its transfer
// function. v's values are read as double.
template <class T, class V>
void transfer_of(const ConstView<V>& v, fft::RealGrid<T>& grid) {
  const int r = grid.rank();
  const ConstView<V> k = at_rank(v, 3);
  std::array<std::size_t, 3> L{1, 1, 1};
  std::array<std::ptrdiff_t, 3> s{0, 0, 0};
  for (int a = 0; a < r; ++a) {
    L[std::size_t(3 - r + a)] = grid.lengths()[a];
    s[std::size_t(3 - r + a)] = grid.strides()[a];
  }
  T* x = grid.data();
  std::fill(x, x + grid.lengths()[0] * static_cast<std::size_t>(grid.strides()[0]), T(0));
  for (std::size_t m0 = 0; m0 < k.extent(0); ++m0)
    for (std::size_t m1 = 0; m1 < k.extent(1); ++m1)
      for (std::size_t m2 = 0; m2 < k.extent(2); ++m2) {
        const std::array<std::size_t, 3> m{m0, m1, m2};
        std::ptrdiff_t at = 0;
        for (std::size_t a = 0; a < 3; ++a) {
          const std::size_t c = k.extent(int(a)) / 2;
          at += std::ptrdiff_t((m[a] + L[a] - c % L[a]) % L[a]) * s[a];
        }
        x[at] += static_cast<T>(
            k.data()[std::ptrdiff_t(m0) * k.stride(0) + std::ptrdiff_t(m1) * k.stride(1) +
                     std::ptrdiff_t(m2) * k.stride(2)]);
      }
  grid.forward();
}

// The half spectrum's value at bin (grid axes), C order over spectrum_shape.
template <class T>
std::complex<double> at_bin(const fft::RealGrid<T>& grid, const std::size_t* bin) {
  std::ptrdiff_t at = 0;
  for (int a = 0; a < grid.rank(); ++a)
    at += std::ptrdiff_t(bin[a]) * grid.spectrum_strides()[a];
  return std::complex<double>(grid.spectrum()[at]);
}

}  // namespace

template <class T>
void run_wiener(const ConstView<T>& image, const ConstView<T>& psf, const View<T>& out,
                double balance, const WienerOptions& o, const char* what) {
  const FrequencyOptions fo = grid_options(o, psf.shape());
  const FrequencyCall call = resolve_frequency_call<T>(image.shape(), fo, what);
  for (int a = 0; a < psf.rank(); ++a)
    FFTCONV_CHECK(psf.extent(a) <= call.lengths[a], invalid_argument, what, ": psf shape ",
                  to_string(psf.shape()), " is longer than the transform grid ",
                  to_string(call.lengths), " along axis ", a);
  const bool custom = o.regularizer_kernel.data() != nullptr;
  if (custom)
    for (int a = 0; a < psf.rank(); ++a)
      FFTCONV_CHECK(o.regularizer_kernel.extent(a) <= call.lengths[a], invalid_argument, what,
                    ": regularizer_kernel shape ", to_string(o.regularizer_kernel.shape()),
                    " is longer than the transform grid ", to_string(call.lengths), " along axis ",
                    a);
  // The data's grid (counted by resolve_frequency_call) and the PSF's (and regularizer's).
  const std::size_t grid_bytes = fft::RealGrid<T>::bytes(call.lengths);
  const std::size_t extra = checked_mul(grid_bytes, custom ? 2 : 1, what);
  const std::size_t base = frequency_working_bytes<T>(call);
  FFTCONV_CHECK(extra <= o.max_memory_bytes && base <= o.max_memory_bytes - extra, out_of_memory,
                what, ": needs ", base + extra,
                " bytes, over max_memory_bytes = ", o.max_memory_bytes);
  with_call_errors(what, [&] {
    fft::RealGrid<T> h(call.lengths, call.threads, call.planning);
    std::optional<fft::RealGrid<T>> reg;
    if (custom) {
      reg.emplace(call.lengths, call.threads, call.planning);
      transfer_of(o.regularizer_kernel, *reg);
    }
    fft::RealGrid<T> x(call.lengths, call.threads, call.planning);
    transfer_of(psf, h);
    load_grid(call, image, x);
    x.forward();
    const int r = image.rank();
    multiply_spectrum(
        x,
        [&](const std::size_t* bin, const double* f) {
          double r2 = 1;
          if (custom) {
            r2 = std::norm(at_bin(*reg, bin));
          } else if (o.regularizer == Regularizer::laplacian) {
            // The Laplacian (2 rank at the centre, -1 at the face neighbours):
            // R(f) = sum_a (2 - 2 cos(2 pi f_a)), real.
            double l = 0;
            for (int a = 0; a < r; ++a)
              l += 2 - 2 * std::cos(2 * M_PI * f[a]);
            r2 = l * l;
          }
          const std::complex<double> t = at_bin(h, bin);
          return std::conj(t) / (std::norm(t) + balance * r2);
        },
        TransferForm::half);
    x.inverse();
    store_window(call, x, out);
    if (o.clip) for_each_element(to_rank3(out), [](T& v) { v = std::clamp(v, T(-1), T(1)); });
  });
}

template void run_wiener(const ConstView<float>&, const ConstView<float>&, const View<float>&,
                         double, const WienerOptions&, const char*);
template void run_wiener(const ConstView<double>&, const ConstView<double>&, const View<double>&,
                         double, const WienerOptions&, const char*);

}  // namespace fftconv::detail
