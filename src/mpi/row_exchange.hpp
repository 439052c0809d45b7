#pragma once
// Moving rows of a distributed array between ranks: each rank names the global rows it wants
// (of an array split into row ranges, one per rank), the owners send them. Planned once (who
// sends which rows to whom), run any number of times. The halo exchange, the distributed
// transform's input and its output all move their rows this way.
#include <mpi.h>

#include <cstddef>
#include <functional>
#include <vector>

#include "fftconv/mpi.hpp"

namespace fftconv::detail::mpi {

using fftconv::mpi::RowRange;

/// Every rank's row range of one distributed array, in rank order (MPI_Allgather).
std::vector<RowRange> gather_row_ranges(MPI_Comm comm, RowRange mine);

/// The rank whose range holds `row` (the ranges tile the rows; empty ranges hold nothing).
int owner_of(const std::vector<RowRange>& ranges, std::size_t row);

class RowExchange {
 public:
  RowExchange() = default;
  /// Collective. wanted: the global rows this rank receives, each once, in the order they are
  /// to arrive; sources: where the rows are (gather_row_ranges).
  RowExchange(MPI_Comm comm, const std::vector<RowRange>& sources,
              const std::vector<std::size_t>& wanted);

  /// Collective. pack(local_row, dst) writes row `local_row` of this rank's part (an index
  /// into its own range) as row_values values at dst; the wanted rows arrive at `received`,
  /// row_values apart, in `wanted`'s order. Rows this rank holds itself are packed there
  /// directly, not through MPI. Not for two threads at once (its send and receive buffers are
  /// kept between runs).
  template <class T>
  void run(std::size_t row_values, const std::function<void(std::size_t, T*)>& pack,
           T* received) const;

  std::size_t rows_sent() const { return send_rows_.size(); }
  /// Rows received from other ranks (not counting this rank's own).
  std::size_t rows_from_others() const { return rows_from_others_; }

 private:
  MPI_Comm comm_ = MPI_COMM_NULL;
  std::vector<std::size_t> send_rows_;  // local rows to pack, grouped by destination rank
  std::vector<int> send_counts_, send_offsets_, receive_counts_, receive_offsets_;
  // receive slot s of the Alltoallv (grouped by source) is wanted row receive_order_[s]
  std::vector<std::size_t> receive_order_;
  struct OwnRow {
    std::size_t local_row, position;  // this rank's row, and where in `wanted` it goes
  };
  std::vector<OwnRow> own_rows_;
  std::size_t rows_from_others_ = 0;
  mutable std::vector<unsigned char> scratch_;  // run's send and receive buffers
};

}  // namespace fftconv::detail::mpi
