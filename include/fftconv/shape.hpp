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

/// The image index that position i (any integer) of an axis of length n >= 1 takes its value
/// from when the image is extended by `rule` (the table at Boundary), or -1 where the rule gives
/// the fill value (zero, constant). The rule convolve and correlate apply, exposed for code that
/// extends pieces of an image itself (the CLI's streaming, fftconv::mpi's halo exchange).
/// Throws fftconv::Error for n == 0.
FFTCONV_API std::ptrdiff_t boundary_index(Boundary rule, std::ptrdiff_t i, std::size_t n);

/// The positions of the extended image that one axis of a result reads: positions
/// [first, first + count) (first may be negative or beyond n), so that the result along this axis
/// is the `valid` convolution (or correlation) of that window of the extended image with the
/// kernel. full: first = -(k - 1); same: first = (k - 1) / 2 + origin - (k - 1); valid: 0; count
/// = output length + k - 1 (k - 1 for an empty valid result).
struct ExtendedWindow {
  std::ptrdiff_t first = 0;
  std::size_t count = 0;
};
/// extended_window for an axis of image length n and kernel length k (both >= 1) in `mode`,
/// shifted by `origin` (Options::origin's rule: same mode only, in [-(k - 1) / 2, k / 2]).
/// Throws fftconv::Error naming the bad argument otherwise.
FFTCONV_API ExtendedWindow extended_window(std::size_t n, std::size_t k, Mode mode,
                                           std::ptrdiff_t origin = 0);

}  // namespace fftconv
