#pragma once
// RealGrid<T>: a real domain of rank 1..3 held in one FFTW-aligned buffer in FFTW's in-place real
// layout, with the cached plans of its forward (r2c) and inverse (c2r) transforms over all its
// axes at once. For whole-image spectral operations (frequency filters, Wiener deconvolution):
// fill the real samples, forward(), work on the half spectrum, inverse(), read the samples.
//
// Layout (axis 0 outermost, lengths L0 .. L(r-1), last axis fastest):
//   real samples:  sample (i0, .., i(r-1)) at data()[sum_a i_a * strides()[a]]; each row along the
//                  last axis is padded to 2 (L(r-1) / 2 + 1) reals (the padding is scratch).
//   half spectrum: bin (k0, .., k(r-1)), 0 <= k(r-1) <= L(r-1) / 2, at
//                  spectrum()[sum_a k_a * spectrum_strides()[a]]: dense C order over
//                  spectrum_shape(), in the same memory as the samples.
// The other half of the full spectrum is implied: X[k] = conj(X[-k]) (indices modulo L).
#include <complex>
#include <cstddef>
#include <memory>

#include "fft/memory.hpp"
#include "fft/plans.hpp"
#include "fftconv/dims.hpp"
#include "fftconv/options.hpp"

namespace fftconv::detail::fft {

template <class T>
class RealGrid {
 public:
  /// The bytes the buffer of a grid of `lengths` takes (all a grid allocates besides its plans):
  /// prod(L0 .. L(r-2)) x 2 (L(r-1) / 2 + 1) x sizeof(T). For checking a memory limit before
  /// constructing one. Throws fftconv::Error(invalid_argument) for a rank outside 1..3, a zero
  /// length, a length beyond FFTW's int, or a size beyond size_t.
  static std::size_t bytes(const Shape& lengths);

  /// Allocates the buffer (uninitialized; fftconv::Error(out_of_memory) naming the bytes if it
  /// cannot) and takes the forward and inverse plans from the plan cache, which makes them on
  /// this buffer under the planner lock when they are new: with Planning::measure or patient
  /// that overwrites the buffer, so fill data() after constructing. `threads`: the most threads
  /// FFTW may split a transform over (>= 1, already resolved by the caller: usable_threads);
  /// grids under 2^16 points use one. Throws what bytes(lengths) throws, and
  /// fftconv::Error(internal) if FFTW cannot plan.
  RealGrid(const Shape& lengths, int threads, Planning planning);

  int rank() const { return lengths_.rank(); }
  /// L per axis.
  const Shape& lengths() const { return lengths_; }
  /// prod(L): inverse(forward(x)) is size() x.
  std::size_t size() const { return size_; }
  /// The real samples (see the layout above); 64-byte aligned.
  T* data() const { return buffer_.data(); }
  /// Element strides of the real samples: 1 along the last axis, 2 (L(r-1) / 2 + 1) along the
  /// one before, and so on.
  const Strides& strides() const { return strides_; }
  /// The half spectrum's shape: the lengths with the last one L(r-1) / 2 + 1.
  const Shape& spectrum_shape() const { return spectrum_shape_; }
  /// The half spectrum, a view of the same buffer as data().
  std::complex<T>* spectrum() const { return reinterpret_cast<std::complex<T>*>(buffer_.data()); }
  /// Element strides (complex elements) of the half spectrum: dense C order.
  const Strides& spectrum_strides() const { return spectrum_strides_; }

  /// In place: the real samples become their DFT's half spectrum, X[k] = sum_x x[x]
  /// exp(-2 pi i k.x / L) (FFTW's sign -1, unnormalized).
  void forward();
  /// In place: the half spectrum becomes the real samples sum_k X[k] exp(+2 pi i k.x / L) over
  /// the full spectrum the half implies (unnormalized: inverse(forward(x)) = size() x); the
  /// spectrum is overwritten. The planes k(r-1) = 0 and, for even L(r-1), k(r-1) = L(r-1) / 2
  /// hold their own mirror bins and must be Hermitian within themselves (X[k] = conj(X[-k])), as
  /// forward() leaves them and make_planes_hermitian() makes them; otherwise what FFTW computes
  /// there is not specified.
  void inverse();

  /// Makes those planes Hermitian: X[k] <- (X[k] + conj(X[-k])) / 2 in them (-k modulo L), the
  /// part numpy.fft.irfftn uses implicitly. After it, inverse() computes exactly what irfftn
  /// computes from any half spectrum (unnormalized); a spectrum multiplied by a transfer
  /// function that is not Hermitian there needs it.
  void make_planes_hermitian();

 private:
  Shape lengths_;
  Shape spectrum_shape_;
  Strides strides_;
  Strides spectrum_strides_;
  std::size_t size_ = 1;
  AlignedBuffer<T> buffer_;
  std::shared_ptr<const Plan> forward_;
  std::shared_ptr<const Plan> inverse_;
};

extern template class RealGrid<float>;
extern template class RealGrid<double>;

}  // namespace fftconv::detail::fft
