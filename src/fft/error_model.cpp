#include "fft/error_model.hpp"

#include <algorithm>
#include <cmath>

#include "fft/fft_kernel.hpp"
#include "fft/geometry.hpp"
#include "fft/overlap_save.hpp"
#include "stages/boundary_extension.hpp"
#include "util/copy.hpp"
#include "util/rounding_error.hpp"

namespace fftconv::detail {

namespace {

/// log2 N + d: the radix-2 stages of the transforms of problem p plus one per transformed axis.
double stages(const Problem& p) {
  double s = 0;
  for (std::size_t n : transform_lengths(p))
    if (n > 1) s += std::log2(static_cast<double>(n)) + 1;
  return s;
}

double transform_size(const Problem& p) {
  double n = 1;
  for (std::size_t l : transform_lengths(p))
    n *= static_cast<double>(l);
  return n;
}

}  // namespace

Problem transformed_problem(const Problem& p, bool tiled) {
  return tiled ? tile_problem(p, tile_grid(p)) : p;
}

std::array<std::vector<std::ptrdiff_t>, 3> transformed_image_maps(const Problem& p, bool tiled) {
  return tiled ? extension_maps(p) : fft_geometry(p).image_maps;
}

template <class T>
void region_norms(const std::array<std::vector<std::ptrdiff_t>, 3>& m, double fill_value,
                  const ConstView<T>& image3, Norms& norms) {
  const double fill = std::fabs(fill_value);
  long double sum = 0, l1 = 0;  // (long double: squares of large doubles do not overflow)
  for (std::ptrdiff_t t0 : m[0])
    for (std::ptrdiff_t t1 : m[1]) {
      const bool row_inside = t0 >= 0 && t1 >= 0;
      const T* row =
          row_inside ? row_start(image3, static_cast<std::size_t>(t0), static_cast<std::size_t>(t1))
                     : nullptr;
      for (std::ptrdiff_t t2 : m[2]) {
        const double v = row_inside && t2 >= 0
                             ? std::fabs(static_cast<double>(row[t2 * image3.stride(2)]))
                             : fill;
        sum += static_cast<long double>(v) * v;
        norms.a_max = std::max(norms.a_max, v);
        l1 += v;
      }
    }
  norms.a2 = static_cast<double>(std::sqrt(sum));
  norms.a1 = static_cast<double>(l1);
}

double kernel_norms(const Problem& p, const ConstView<double>& abs_kernel3, Norms& norms) {
  const std::array<std::size_t, 3> P = transform_lengths(p);
  double shared = 1;
  for (int a = 0; a < 3; ++a)
    shared *= std::ceil(static_cast<double>(abs_kernel3.extent(a)) /
                        static_cast<double>(P[static_cast<std::size_t>(a)]));
  const double* k = abs_kernel3.data();  // (dense)
  std::vector<long double> folded;
  if (shared > 1) {  // (|folded value| <= sum of the |values| folded into it)
    folded.assign(std::min(P[0], abs_kernel3.extent(0)) * std::min(P[1], abs_kernel3.extent(1)) *
                      std::min(P[2], abs_kernel3.extent(2)),
                  0.0L);
    const std::size_t e1 = std::min(P[1], abs_kernel3.extent(1)),
                      e2 = std::min(P[2], abs_kernel3.extent(2));
    std::size_t i = 0;
    for (std::size_t i0 = 0; i0 < abs_kernel3.extent(0); ++i0)
      for (std::size_t i1 = 0; i1 < abs_kernel3.extent(1); ++i1)
        for (std::size_t i2 = 0; i2 < abs_kernel3.extent(2); ++i2)
          folded[((i0 % P[0]) * e1 + i1 % P[1]) * e2 + i2 % P[2]] += k[i++];
  } else {
    folded.assign(k, k + abs_kernel3.size());
  }
  long double sum = 0, l1 = 0;  // (long double: squares of large doubles do not overflow)
  for (long double v : folded) {
    sum += v * v;
    l1 += v;
  }
  norms.b2 = static_cast<double>(std::sqrt(sum));
  norms.b1 = static_cast<double>(l1);
  return shared;
}

template <class T>
double kernel_spectrum_max(const Problem& p, const ConstView<T>& kernel3) {
  const std::vector<double> k =
      dense_values<double>(kernel3, [](T x) { return static_cast<double>(x); });
  const Shape shape{kernel3.extent(0), kernel3.extent(1), kernel3.extent(2)};
  Problem stored = p;  // (a spectrum to read: not single-use; this one kernel part's)
  stored.single_use = false;
  stored.image_parts = 1;
  stored.kernel_parts = 1;
  return FftKernel<double>(stored, ConstView<double>(k.data(), shape)).spectrum_max() * (1 + 1e-12);
}

namespace {
/// The product's rounding, in u: 4, or 8 for complex data's spectral form (fft_kernel.hpp),
/// whose products of the parts' spectra are summed in the frequency domain (x g - y h: each
/// term's product gains at most one more complex addition's rounding, |x g| 4u by the same
/// Cauchy-Schwarz step) before the one inverse per output part.
double product_rounding(const Problem& p) {
  return p.output_parts() > 1 ? 8 : 4;
}
}  // namespace

double fft_bound(const Problem& p, const Norms& n, double u) {
  return (24 * stages(p) + product_rounding(p)) * u * n.a2 * n.b2;
}

double fft_probable(const Problem& p, const Norms& n, double u, double outputs) {
  return lambda(outputs) *
         (8 * u * std::sqrt(stages(p)) * (2 * n.a2 * n.b2 + n.a2 * n.b_hat) +
          product_rounding(p) * u * n.a2 * n.b_hat) /
         std::sqrt(transform_size(p));
}

double fft_underflow(const Problem& p, const Norms& n, double tiny) {
  return (stages(p) + 2) * transform_size(p) * tiny * (n.a1 + n.b1 + 1);  // (+2: product, 1/N)
}

template void region_norms<float>(const std::array<std::vector<std::ptrdiff_t>, 3>&, double,
                                  const ConstView<float>&, Norms&);
template void region_norms<double>(const std::array<std::vector<std::ptrdiff_t>, 3>&, double,
                                   const ConstView<double>&, Norms&);
template double kernel_spectrum_max<float>(const Problem&, const ConstView<float>&);
template double kernel_spectrum_max<double>(const Problem&, const ConstView<double>&);

}  // namespace fftconv::detail
