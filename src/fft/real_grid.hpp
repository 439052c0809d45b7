#pragma once
// RealGrid<T>: a real domain of rank 1..3 held in one FFTW-aligned buffer in FFTW's in-place real
// layout (rows padded for the half spectrum), with forward (r2c) and inverse (c2r) transforms over
// all its axes. For whole-image spectral operations (frequency filters, Wiener deconvolution):
// fill the real samples, forward(), work on the half spectrum, inverse(), read the samples.
//
// Layout (axis 0 outermost, lengths L0 .. L(r-1), last axis fastest):
//   real samples:  sample (i0, .., i(r-1)) at data()[sum_a i_a * strides()[a]]; each row along the
//                  last axis is padded to pitch() >= 2 (L(r-1) / 2 + 1) reals, a multiple of 16
//                  bytes (the padding is scratch).
//   half spectrum: bin (k0, .., k(r-1)), 0 <= k(r-1) <= L(r-1) / 2, at
//                  spectrum()[sum_a k_a * spectrum_strides()[a]]: C order over spectrum_shape(),
//                  rows pitch() / 2 complex values apart, in the same memory as the samples.
// The other half of the full spectrum is implied: X[k] = conj(X[-k]) (indices modulo L).
//
// How the transforms run (rank 2 and 3; rank 1 is one FFTW plan, its threads splitting it): as
// the FFT path's (fft/layout.hpp has the why), axis by axis: 1-D real transforms of the rows, then
// complex transforms down the columns of each outer axis a block of columns at a time through a
// small scratch array (column_passes.hpp). FFTW_ESTIMATE's multi-dimensional plans stride through
// the whole grid for their column transforms: at 4096 x 4096 double a forward transform takes
// 240 to 280 ms that way against 130 to 165 ms in blocks (this VM, one thread). Rows and blocks
// are split over the grid's threads.
#include <array>
#include <complex>
#include <cstddef>
#include <functional>
#include <memory>
#include <vector>

#include "fft/memory.hpp"
#include "fft/plans.hpp"
#include "fftconv/dims.hpp"
#include "fftconv/options.hpp"

namespace fftconv::detail::fft {

template <class T>
class RealGrid {
 public:
  /// The bytes a grid of `lengths` on `threads` threads allocates besides its plans: the buffer,
  /// prod(L0 .. L(r-2)) x pitch x sizeof(T), and the transforms' scratch arrays, one per thread
  /// of at most 2 x max(pitch, L_a x block_width(L_a)) reals each (under 1 MiB). For checking a
  /// memory limit before constructing one. Throws fftconv::Error(invalid_argument) for a rank
  /// outside 1..3, a zero length, a length beyond FFTW's int, or a size beyond size_t.
  static std::size_t bytes(const Shape& lengths, int threads);

  /// Allocates the buffer (uninitialized; fftconv::Error(out_of_memory) naming the bytes if it
  /// cannot) and takes the forward and inverse plans from the plan cache, which makes them on
  /// this buffer under the planner lock when they are new: with Planning::measure or patient
  /// that overwrites the buffer, so fill data() after constructing. `threads`: the most threads
  /// a transform is split over (>= 1, already resolved by the caller: usable_threads); grids
  /// under 2^16 points use one. Throws what bytes(lengths) throws, and
  /// fftconv::Error(internal) if FFTW cannot plan.
  RealGrid(const Shape& lengths, int threads, Planning planning);

  int rank() const { return lengths_.rank(); }
  /// Reals per row along the last axis: 2 (L(r-1) / 2 + 1) rounded up to a multiple of 16 bytes.
  std::size_t pitch() const { return pitch_; }
  /// L per axis.
  const Shape& lengths() const { return lengths_; }
  /// prod(L): inverse(forward(x)) is size() x.
  std::size_t size() const { return size_; }
  /// The real samples (see the layout above); 64-byte aligned.
  T* data() const { return buffer_.data(); }
  /// Element strides of the real samples: 1 along the last axis, pitch() along the one before,
  /// and so on.
  const Strides& strides() const { return strides_; }
  /// The half spectrum's shape: the lengths with the last one L(r-1) / 2 + 1.
  const Shape& spectrum_shape() const { return spectrum_shape_; }
  /// The half spectrum, a view of the same buffer as data().
  std::complex<T>* spectrum() const { return reinterpret_cast<std::complex<T>*>(buffer_.data()); }
  /// Element strides (complex elements) of the half spectrum: 1 along the last axis, pitch() / 2
  /// along the one before, and so on.
  const Strides& spectrum_strides() const { return spectrum_strides_; }

  /// In place: the real samples become their DFT's half spectrum, X[k] = sum_x x[x]
  /// exp(-2 pi i k.x / L) (FFTW's sign -1, unnormalized).
  void forward();
  /// forward() of a grid whose samples are zero outside the box of the first extents[a]
  /// positions of every axis a before the last (a kernel of `extents` taps placed at the
  /// origin), with its half spectrum left in `blocks` (resized to block_order_size(lengths())
  /// complex values) in block order, the order of the slots filter() names
  /// (SpectrumBlock::first_slot): a grid of the same lengths filtered with f then reads this
  /// one's bin at blocks[slot], sequentially, where reading spectrum() at the same bin would
  /// stride through memory a row at a time. Only the box is read (its rows' pitch() reals), and
  /// only the box's rows are transformed along the last axis (prod(k) / k(r-1) of prod(L) /
  /// L(r-1)); the column passes read only the box's rows. The grid's samples are left
  /// unspecified. `extents` has the grid's rank, each extent 1 to L_a (the last one unused).
  void forward_to_blocks(const Shape& extents, AlignedBuffer<std::complex<T>>& blocks);
  /// The complex values of the block order of a grid of `lengths` (checked as bytes() checks
  /// them): the outer axis's length x its block width x the blocks (the last one padded to the
  /// full width) x the planes (3-D: L1); at most the grid's reals.
  static std::size_t block_order_size(const Shape& lengths);
  /// In place: the half spectrum becomes the real samples sum_k X[k] exp(+2 pi i k.x / L) over
  /// the full spectrum the half implies (unnormalized: inverse(forward(x)) = size() x); the
  /// spectrum is overwritten. Any half spectrum is taken as numpy.fft.irfftn takes it: in the
  /// planes k(r-1) = 0 and, for even L(r-1), k(r-1) = L(r-1) / 2, which hold their own mirror
  /// bins, only the Hermitian part (X[k] + conj(X[-k])) / 2 acts. (The passes down the other
  /// axes are exact complex DFTs, and FFTW's 1-D c2r reads only the real part of a row's first
  /// and Nyquist bins: its halfcomplex form has no room for the imaginary ones.)
  void inverse();

  /// A block of the half spectrum as filter() holds it: `width` columns of `length` bins each,
  /// bin (i, c) at values[c * length + i] for i < length, c < width. Its bins: rank 1 (length 1)
  /// (first_column + c); rank 2 (i, first_column + c); rank 3 (i, plane, first_column + c).
  /// first_slot + c * length + i is the bin's position in block order (forward_to_blocks).
  struct SpectrumBlock {
    std::complex<T>* values;
    std::size_t length, width, plane, first_column, first_slot;
  };
  using BlockFunction = std::function<void(const SpectrumBlock&)>;

  /// forward(), then f on every block of the half spectrum (each bin in exactly one block, to be
  /// changed in place), then inverse(): the outer axis's forward pass, f and its inverse pass run
  /// on one column block while it is in cache, so the grid is swept once where forward(), a
  /// product and inverse() sweep it three times. With `concurrent` the blocks are split over the
  /// grid's threads (f must then be safe to call from several threads at once and must not
  /// throw); without, f runs on the calling thread and an exception from it propagates (the
  /// grid's samples are then unspecified).
  void filter(const BlockFunction& f, bool concurrent);

 private:
  Shape lengths_;
  Shape spectrum_shape_;
  Strides strides_;
  Strides spectrum_strides_;
  std::size_t size_ = 1;
  std::size_t pitch_ = 0;
  int threads_ = 1;
  AlignedBuffer<T> buffer_;
  // Rank 1: the in-place plans of the whole grid. Rank 2 and 3: the rows' out-of-place plans
  // (through a scratch row) and each outer axis's column-block plans (columns_[a], a < rank - 1).
  std::shared_ptr<const Plan> forward_;
  std::shared_ptr<const Plan> inverse_;
  std::array<std::shared_ptr<const Plan>, 2> columns_forward_, columns_inverse_;
  std::vector<AlignedBuffer<T>> scratch_;  // one per thread (grown before threads start)

  // The row transforms of rows (i0, .., i(r-2)) with i_a < box[a]; the column pass of `axis` over
  // the first `planes` planes (3-D, axis 1) reading `in_rows` rows.
  void rows(Direction direction, const Shape& box);
  void columns(int axis, Direction direction, std::size_t planes, std::size_t in_rows);
};

extern template class RealGrid<float>;
extern template class RealGrid<double>;

}  // namespace fftconv::detail::fft
