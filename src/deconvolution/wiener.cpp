#include "deconvolution/wiener.hpp"

#include <algorithm>
#include <array>
#include <cmath>
#include <complex>
#include <vector>

#include "core/problem.hpp"
#include "fft/memory.hpp"
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

// The kernel v (of the grid's rank) placed with its first tap at the origin, then transformed:
// `blocks` gets its half spectrum in block order (RealGrid::forward_to_blocks), which only reads
// and transforms the rows the kernel occupies. Placed with its tap k / 2 at the origin
// (scikit-image's ir2tf) its transfer function would be this one times exp(2 pi i f.(k / 2)):
// the same magnitude, so the regularizer's is right as it is, and the PSF's phase is made up by
// rotating the image by k / 2 (run_wiener).
template <class T, class V>
void transfer_of(const ConstView<V>& v, fft::RealGrid<T>& grid,
                 AlignedBuffer<std::complex<T>>& blocks) {
  const ConstView<V> k = at_rank(v, 3);
  const auto lead = std::size_t(3 - grid.rank());
  std::array<std::ptrdiff_t, 3> s{0, 0, 0};
  for (int a = 0; a < grid.rank(); ++a)
    s[lead + std::size_t(a)] = grid.strides()[a];
  T* x = grid.data();
  for (std::size_t m0 = 0; m0 < k.extent(0); ++m0)
    for (std::size_t m1 = 0; m1 < k.extent(1); ++m1) {
      T* row = x + std::ptrdiff_t(m0) * s[0] + std::ptrdiff_t(m1) * s[1];
      std::fill(row, row + grid.pitch(), T(0));
      for (std::size_t m2 = 0; m2 < k.extent(2); ++m2)
        row[m2] = static_cast<T>(
            k.data()[std::ptrdiff_t(m0) * k.stride(0) + std::ptrdiff_t(m1) * k.stride(1) +
                     std::ptrdiff_t(m2) * k.stride(2)]);
    }
  grid.forward_to_blocks(v.shape(), blocks);
}

// The Laplacian's squared transfer function on the grid, R(f)^2 with R(f) = sum_a (2 - 2 cos(2 pi
// f_a)) (2 rank at the centre, -1 at the face neighbours: real), from one table per axis.
class LaplacianSquared {
 public:
  explicit LaplacianSquared(const Shape& lengths) {
    for (int a = 0; a < lengths.rank(); ++a) {
      std::vector<double>& t = terms_[std::size_t(a)];
      for (std::size_t k = 0; k < lengths[a]; ++k)
        t.push_back(2 - 2 * std::cos(2 * M_PI * fftfreq(k, lengths[a])));
    }
  }
  double operator()(const std::size_t* bin, int rank) const {
    double l = 0;
    for (int a = 0; a < rank; ++a)
      l += terms_[std::size_t(a)][bin[a]];
    return l * l;
  }

 private:
  std::array<std::vector<double>, 3> terms_;
};

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
  // The data's grid (counted by resolve_frequency_call), which first transforms the PSF (and the
  // regularizer), and their transfer functions in block order.
  const std::size_t spectrum_bytes =
      checked_mul(fft::RealGrid<T>::block_order_size(call.lengths), sizeof(std::complex<T>), what);
  const std::size_t extra = checked_mul(spectrum_bytes, custom ? 2 : 1, what);
  const std::size_t base = frequency_working_bytes<T>(call);
  FFTCONV_CHECK(extra <= o.max_memory_bytes && base <= o.max_memory_bytes - extra, out_of_memory,
                what, ": needs ", base + extra,
                " bytes, over max_memory_bytes = ", o.max_memory_bytes);
  with_call_errors(what, [&] {
    AlignedBuffer<std::complex<T>> h, reg;
    fft::RealGrid<T> x(call.lengths, call.threads, call.planning);
    if (custom) transfer_of(o.regularizer_kernel, x, reg);
    transfer_of(psf, x, h);
    std::array<std::size_t, 3> centre{0, 0, 0};  // the PSF's tap k / 2 (see transfer_of)
    for (int a = 0; a < psf.rank(); ++a)
      centre[std::size_t(a)] = psf.extent(a) / 2;
    load_grid(call, image, x, centre);
    const int r = image.rank();
    const LaplacianSquared laplacian(call.lengths);
    filter_spectrum(
        x,
        [&](const std::size_t* bin, const double*, std::size_t slot) {
          double r2 = 1;
          if (custom)
            r2 = std::norm(std::complex<double>(reg[slot]));
          else if (o.regularizer == Regularizer::laplacian)
            r2 = laplacian(bin, r);
          const std::complex<double> t(h[slot]);
          return std::conj(t) / (std::norm(t) + balance * r2);
        },
        TransferForm::half, true);
    store_window(call, x, out);
    if (o.clip) for_each_element(to_rank3(out), [](T& v) { v = std::clamp(v, T(-1), T(1)); });
  });
}

template void run_wiener(const ConstView<float>&, const ConstView<float>&, const View<float>&,
                         double, const WienerOptions&, const char*);
template void run_wiener(const ConstView<double>&, const ConstView<double>&, const View<double>&,
                         double, const WienerOptions&, const char*);

}  // namespace fftconv::detail
