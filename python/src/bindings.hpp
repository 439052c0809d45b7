#pragma once
// The extension's parts bound in files of their own (module.cpp binds the rest and calls these).
#include <pybind11/pybind11.h>

namespace fftconv_python {

/// richardson_lucy, landweber, wiener (fftconv/deconvolve.hpp).
void bind_restoration(pybind11::module_& m);

/// frequency_filter (an array transfer function), butterworth, gaussian_lowpass, band_pass,
/// fourier_shift, frequency_grid_shape (fftconv/frequency.hpp).
void bind_frequency(pybind11::module_& m);

}  // namespace fftconv_python
