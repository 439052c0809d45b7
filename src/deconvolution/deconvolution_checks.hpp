#pragma once
// The argument checks the deconvolutions share (fftconv/deconvolve.hpp): views, ranks, the PSF's
// values, the data's values outside the mask, the start, the edge rule's limits.
#include "fftconv/deconvolve.hpp"

namespace fftconv::detail {

template <class T>
struct DeconvolutionArguments {
  ConstView<T> image;
  ConstView<T> psf;
  View<T> out;
  ConstView<bool> mask;
  DeconvolutionEdges edges = DeconvolutionEdges::zero;
  bool start_from_out = false;
  bool nonnegative_psf = false;   ///< refuse negative PSF values
  bool nonnegative_data = false;  ///< refuse negative data (outside the mask)
};

/// fftconv::Error naming the bad argument: image rank 1..3 with extents > 0, valid strides and
/// data; the PSF of the image's rank, finite, (non-negative,) with a positive sum; out of the
/// image's shape, not overlapping itself (and, with start_from_out, sharing no memory with the
/// image, PSF or mask; finite, non-negative values); the mask of the image's shape; the data
/// finite (non-negative) outside the mask; a known edge rule, and with `periodic` a PSF no
/// longer than the image along any axis. Returns the PSF's sum (long double).
template <class T>
long double check_deconvolution(const DeconvolutionArguments<T>& a, const char* what);

/// Every value of v finite (v called `name` in the message).
template <class V>
void check_finite(const ConstView<V>& v, const char* name, const char* what);

/// Iterations >= 0, threads >= 0, known planning and method enumerators.
void check_iteration_setup(int iterations, int threads, Planning planning, Method method,
                           const char* what);

extern template long double check_deconvolution(const DeconvolutionArguments<float>&, const char*);
extern template long double check_deconvolution(const DeconvolutionArguments<double>&, const char*);
extern template void check_finite(const ConstView<double>&, const char*, const char*);

}  // namespace fftconv::detail
