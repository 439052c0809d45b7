#pragma once
// The FFT path: zero-pad image and kernel into transform buffers of fast sizes, real-to-complex
// transforms, pointwise product with the kernel spectrum (its conjugate for correlation, so the
// kernel is never flipped in space here), complex-to-real inverse, crop the window.
#include <array>
#include <cstddef>

#include "fftconv/view.hpp"
#include "problem.hpp"

namespace fftconv::detail {

/// The transform length per canonical axis: the next fast size at or above the shortest
/// length whose circular wrap-around leaves the requested window exact.
std::array<std::size_t, 3> transform_lengths(const Problem& p);

/// image, kernel and out are canonical rank-3 views of the problem's shapes.
template <class T>
void fft_convolve(const Problem& p, const ConstView<T>& image, const ConstView<T>& kernel,
                  const View<T>& out);

}  // namespace fftconv::detail
