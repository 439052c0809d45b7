#pragma once
#include <cstddef>
#include <string>

#include "fftconv/dims.hpp"
#include "fftconv/export.hpp"
#include "fftconv/options.hpp"

namespace fftconv {

/// "4x5x6": for messages.
FFTCONV_API std::string to_string(const Shape& shape);

/// The shape of convolve/correlate's result, per axis (image length n, kernel length k):
/// full: n + k - 1; same: n; valid: max(n - k + 1, 0). Same as scipy.signal.convolve.
/// Throws fftconv::Error for a rank mismatch, rank 0 or above max_rank, or a zero extent.
FFTCONV_API Shape output_shape(const Shape& image_shape, const Shape& kernel_shape, Mode mode);
/// The same for options.mode along options.axes (every axis if empty); along the other (batch)
/// axes the larger of the image's and the kernel's length (README, "Axes and stacks"). Throws
/// fftconv::Error for axes or batch lengths convolve would refuse.
FFTCONV_API Shape output_shape(const Shape& image_shape, const Shape& kernel_shape,
                               const Options& options);

/// The transform shape the fft method uses for this problem (same for convolve and correlate,
/// float and double). Per axis a minimum length: zero boundary (or valid mode) the shortest
/// circular length that leaves the output window exact (full: n + k - 1; same:
/// n + ceil((k - 1) / 2); valid: max(n, k)); other rules out + k - 1 (the extended image the
/// window needs). Then, among the FFT-friendly lengths (next_fast_size) from each minimum up to
/// 1.25 times it, the combination the FFT path runs fastest by a table of this library's measured
/// FFTW costs (README, "Methods and the automatic choice"); if any axis's minimum is beyond the
/// table (above 32768), next_fast_size of every minimum. wrap in same mode on an image whose
/// lengths are FFT-friendly: exactly n
/// (circular convolution). Ranks 1 to 3 (a call along more than 3 axes transforms 3-D slabs:
/// ask for the last 3 axes' shapes).
FFTCONV_API Shape fft_shape(const Shape& image_shape, const Shape& kernel_shape,
                            const Options& options);

/// fft_shape for the zero boundary and the given mode.
inline Shape fft_shape(const Shape& image_shape, const Shape& kernel_shape, Mode mode) {
  Options options;
  options.mode = mode;
  return fft_shape(image_shape, kernel_shape, options);
}

/// The smallest n' >= n that FFTW transforms fast: 2^a 3^b 5^c 7^d times at most one 11 or 13.
/// next_fast_size(0) == 1. Throws fftconv::Error if no such size fits in std::size_t.
FFTCONV_API std::size_t next_fast_size(std::size_t n);

}  // namespace fftconv
