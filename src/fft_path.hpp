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

/// The transform buffers of one problem: FFTW's in-place real layout, the last axis padded to
/// 2 * (P2 / 2 + 1) reals. Throws fftconv::Error(invalid_argument) if a size overflows size_t or a
/// length exceeds FFTW's int limit.
struct FftLayout {
  std::array<std::size_t, 3> lengths{};  ///< transform length per canonical axis
  std::size_t half = 0;                  ///< complex values along the last axis
  std::size_t pitch = 0;                 ///< reals per row (2 * half)
  std::size_t reals = 0;                 ///< reals per buffer
  std::size_t complex_count = 0;         ///< complex values per buffer
};
FftLayout fft_layout(const Problem& p);

/// Bytes the fft method allocates for problem p (two transform buffers), element size given.
std::size_t fft_working_bytes(const Problem& p, std::size_t element_bytes);

/// image, kernel and out are canonical rank-3 views of the problem's shapes.
template <class T>
void fft_convolve(const Problem& p, const ConstView<T>& image, const ConstView<T>& kernel,
                  const View<T>& out);

}  // namespace fftconv::detail
