#pragma once
// Wiener-Hunt deconvolution (fftconv/deconvolve.hpp, wiener) on validated arguments: the data's
// grid (frequency/grid.hpp, filled by the edge rule), the PSF's transfer function T on a grid of
// the same lengths (the PSF centred at its tap k / 2, scikit-image's ir2tf), the regularizer's
// |R|^2 (the Laplacian's in closed form, 1, or an explicit kernel's transform), and one product
// conj(T) / (|T|^2 + balance |R|^2) between the forward and inverse transforms.
#include "fftconv/deconvolve.hpp"

namespace fftconv::detail {

template <class T>
void run_wiener(const ConstView<T>& image, const ConstView<T>& psf, const View<T>& out,
                double balance, const WienerOptions& options, const char* what);

}  // namespace fftconv::detail
