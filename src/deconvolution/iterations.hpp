#pragma once
// The iterative deconvolutions' loops (fftconv/deconvolve.hpp), on validated arguments:
// src/api/deconvolve.cpp checks everything first, so these only allocate (within the memory
// limit, counted before anything is allocated) and compute; `out` is written once, at the end.
#include "fftconv/deconvolve.hpp"

namespace fftconv::detail {

/// psf_sum: the PSF's sum as validation computed it (check_deconvolution).
template <class T>
void run_richardson_lucy(const ConstView<T>& image, const ConstView<T>& psf, long double psf_sum,
                         const View<T>& out, const RichardsonLucyOptions& options,
                         const char* what);

template <class T>
void run_landweber(const ConstView<T>& image, const ConstView<T>& psf, long double psf_sum,
                   const View<T>& out, const LandweberOptions& options, const char* what);

}  // namespace fftconv::detail
