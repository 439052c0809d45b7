#pragma once
// Strategy distributed_fft: the window of the extended image the result reads, padded to FFT
// lengths, lives in fftw3-mpi's slabs (its rows brought there by a row exchange), is multiplied
// by the kernel's spectrum in the transposed layout (fft/mpi_grid.hpp) and transformed back;
// the valid part's rows then go to the ranks that own them (a second row exchange).
#include <mpi.h>

#include <optional>
#include <vector>

#include "fft/mpi_grid.hpp"
#include "mpi/extended_rows.hpp"
#include "mpi/problem.hpp"
#include "mpi/row_exchange.hpp"

namespace fftconv::detail::mpi {

/// Why distributed_fft cannot run this problem, or null: it supports ranks 2 and 3, options.method
/// automatic or fft, nan_policy propagate or fill, native precision, no normalize_kernel, no
/// preserve_nan.
const char* distributed_fft_refusal(const DistributedProblem& p);

/// The transform lengths: next_fast_size of each axis's window.
std::vector<std::size_t> distributed_fft_lengths(const DistributedProblem& p);

/// The bytes a DistributedFft of this problem holds on this rank (local: no communication).
template <class T>
std::size_t distributed_fft_bytes(MPI_Comm comm, const DistributedProblem& p);

template <class T>
class DistributedFft {
 public:
  /// Local (called inside agree()): this rank's share of the grid, its memory counted against
  /// options.max_memory_bytes, its buffers.
  DistributedFft(MPI_Comm comm, const DistributedProblem& p);
  /// Collective: the plans, the kernel's spectrum, both exchanges.
  void prepare(MPI_Comm comm, const DistributedProblem& p, ConstView<T> kernel);
  /// Collective.
  void apply(const DistributedProblem& p, ConstView<T> local_image, View<T> local_out) const;

 private:
  fft::MpiGrid<T> grid_;
  typename fft::MpiGrid<T>::Buffer kernel_spectrum_;
  RowSources sources_;  // image rows of this rank's grid rows inside the window
  PlaneExtension plane_;
  RowExchange input_, output_;
  // Kept between applies (a collective call, one at a time): fresh pages fault on every call.
  typename fft::MpiGrid<T>::Buffer buffer_;
  mutable std::vector<T> received_, rows_;
};

extern template class DistributedFft<float>;
extern template class DistributedFft<double>;

}  // namespace fftconv::detail::mpi
