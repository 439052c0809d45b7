#pragma once
// fftw3-mpi's distributed real-to-complex transforms for libfftconv_mpi's distributed_fft
// strategy (the only FFTW-MPI code; no FFTW type leaves this file pair). A grid of lengths
// (rank 2 or 3) split into slabs along axis 0; the forward transform leaves the half spectrum
// transposed (FFTW_MPI_TRANSPOSED_OUT: split along axis 1), the inverse takes it so
// (FFTW_MPI_TRANSPOSED_IN): two spectra of one grid are multiplied in that layout, and no
// transpose is ever undone.
#include <mpi.h>

#include <complex>
#include <cstddef>
#include <memory>
#include <vector>

#include "fftconv/options.hpp"

namespace fftconv::detail::fft {

template <class T>
class MpiGrid {
 public:
  /// This rank's share of the grid (lengths: the real grid, rank 2 or 3): local, no plans yet.
  MpiGrid(MPI_Comm comm, const std::vector<std::size_t>& lengths);
  MpiGrid(MpiGrid&&) noexcept;
  ~MpiGrid();

  /// This rank's rows of the real grid: [first_row, first_row + rows).
  std::size_t first_row() const { return first_row_; }
  std::size_t rows() const { return rows_; }
  /// Reals between consecutive axis-0 rows of the real slab, and between rows along the last
  /// axis (2 (n_last / 2 + 1): the in-place padding).
  std::size_t row_pitch() const { return row_pitch_; }
  std::size_t last_pitch() const { return last_pitch_; }
  /// Complex values of this rank's part of the (transposed) half spectrum.
  std::size_t spectrum_values() const { return spectrum_values_; }
  /// Reals a buffer of this grid holds (the slab or the spectrum, whichever is larger).
  std::size_t buffer_values() const { return buffer_values_; }

  /// A buffer of buffer_values() reals, aligned as FFTW's planner assumed (zeroed).
  struct Free {
    void operator()(T* p) const;
  };
  using Buffer = std::unique_ptr<T[], Free>;
  Buffer allocate() const;

  /// Collective: the plans, made on `scratch` (a buffer from allocate(); overwritten by
  /// measure and patient planning). Holds fftconv's planner lock meanwhile: build grids from
  /// one thread of a process at a time.
  void plan(Planning planning, T* scratch);

  /// Collective, in place on a buffer from allocate(): the real slab to its transposed spectrum,
  /// and back (unnormalized: forward then backward multiplies by the grid's size).
  void forward(T* buffer) const;
  void backward(T* buffer) const;

 private:
  std::size_t first_row_ = 0, rows_ = 0, row_pitch_ = 0, last_pitch_ = 0;
  std::size_t spectrum_values_ = 0, buffer_values_ = 0;
  MPI_Comm comm_ = MPI_COMM_NULL;
  std::vector<std::size_t> lengths_;
  void* forward_plan_ = nullptr;
  void* backward_plan_ = nullptr;
};

extern template class MpiGrid<float>;
extern template class MpiGrid<double>;

}  // namespace fftconv::detail::fft
