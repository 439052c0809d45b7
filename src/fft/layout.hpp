#pragma once
// The FFT path's layout: the shape its transforms run in (FftLayout), the work arrays and
// scratch arrays they use, the threads that run them, and the working memory all of it takes.
#include <array>
#include <cstddef>

#include "core/problem.hpp"
#include "util/copy.hpp"

namespace fftconv::detail {

// Why the transforms are run axis by axis rather than as one multi-dimensional FFTW plan:
//  - pruning: the padded image is zero beyond its rows, and the window needs only some rows of
//    the inverse, so the real transforms of the last axis run only where they matter (the
//    kernel's forward transform shrinks the most: k rows instead of P);
//  - the column transforms: FFTW_ESTIMATE plans for the columns of a whole padded array stride
//    through memory a row apart (2 x slower at 2048^2 and beyond than measured plans). Copying
//    `block` columns at a time into a small scratch array keeps every column pass in cache, and
//    lets the outer axis's forward transform, the product with the spectrum and the inverse run
//    on one block while it is there: the outer pass reads and writes the big array once.

/// How the FFT path runs its transforms (the why: above). The last axis goes through 1-D real
/// transforms, one row at a time, rows `pitch` reals apart: only rows that hold data are
/// transformed forward, only rows the output window reads are transformed back. The outermost
/// transformed axis (`outer`) goes through complex transforms of column blocks (`block` columns
/// side by side in a small scratch array), each fused with the product by the kernel spectrum
/// and its inverse; in 3-D the middle axis goes through column blocks too. Throws
/// fftconv::Error(invalid_argument) if a size overflows size_t or a length exceeds FFTW's int
/// limit.
struct FftLayout {
  std::array<std::size_t, 3> lengths{};  ///< transform length per canonical axis
  std::size_t half = 0;                  ///< complex values per row of the last axis
  std::size_t pitch = 0;                 ///< reals per row: 2 * half, rounded to 16 bytes
  int outer = 1;                         ///< 0 if lengths[0] > 1, else 1
  std::size_t columns = 0;  ///< complex values per outer-axis position (the outer pass's columns)
  std::size_t block = 0;    ///< columns per block of the outer pass (block_width)
  std::size_t middle_block = 0;      ///< columns per block of the middle axis's passes (3-D)
  std::size_t blocks = 0;            ///< ceil(columns / block)
  std::size_t spectrum_complex = 0;  ///< blocks * lengths[outer] * block
};
FftLayout fft_layout(const Problem& p, std::size_t element_bytes);

/// Bytes the fft method allocates for problem p, element size given: the kernel spectrum, one
/// work array and one scratch block per thread for each apply, the image index maps.
std::size_t fft_working_bytes(const Problem& p, std::size_t element_bytes);

/// Reals per transform row holding `half` complex values of `element_bytes` parts: 2 half rounded
/// up to a multiple of 16 bytes, so that every row starts as aligned as the array (FFTW's plans
/// made on one row then run on all). Throws fftconv::Error(invalid_argument) on overflow.
std::size_t row_pitch(std::size_t half, std::size_t element_bytes);

/// Threads are made per parallel region (parallel.hpp), tens of microseconds each: only worth it
/// for transforms of some size (`threads` from 2^16 points, else 1).
int threads_for(double points, int threads);
/// threads_for the problem's transform lengths and p.threads.
int threads_for(const Problem& p, const FftLayout& l);

/// The rows of real data a transform input holds along each axis: the image's buffer positions
/// (its index maps), or the kernel folded into the transform lengths.
using Extents = std::array<std::size_t, 3>;

/// The work array: rows of `pitch` reals, d0 x d1 of them. Along the outer axis it holds the
/// input's rows and, after the inverse outer pass, the output's (in output order); the middle
/// axis (outer 0) keeps all of its transform length.
struct WorkShape {
  std::size_t d0 = 1, d1 = 1;
  DenseStrides strides{};
  std::size_t reals = 0;
};
WorkShape work_shape(const FftLayout& l, const Extents& in, const Extents& out);

/// The positions the image fills per axis (its index maps' sizes, without building them).
Extents image_extents(const Problem& p);
Extents kernel_extents(const Problem& p, const FftLayout& l);
Extents output_extents(const Problem& p);

/// Blocks of the outer pass each thread holds at once: two when the kernel's spectrum is made
/// there (a single-use kernel) or when two parts of complex data are transformed together.
std::size_t outer_blocks(const Problem& p);

/// Reals of one thread's scratch array: outer_blocks blocks of the outer pass, a block of the 3-D
/// middle pass, or, for the threads that transform rows, a row, whichever is larger.
std::size_t scratch_reals(const Problem& p, const FftLayout& l, bool holds_row);

/// The threads that transform rows: at most one per row of the image, the output or the kernel
/// (a 1-D problem is one row, however many threads the outer pass has).
std::size_t row_slots(const Problem& p, const FftLayout& l);

/// The threads that run at all: at most one per row transformed (row_slots) or per block of a
/// column pass (the outer pass's blocks; in 3-D the middle pass's, per plane it transforms).
std::size_t thread_slots(const Problem& p, const FftLayout& l);

}  // namespace fftconv::detail
