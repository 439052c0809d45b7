#include "mpi/row_exchange.hpp"

#include <algorithm>
#include <climits>
#include <complex>
#include <cstdint>
#include <cstring>

#include "mpi/agreement.hpp"
#include "util/check.hpp"

namespace fftconv::detail::mpi {

namespace {

int to_int(std::size_t n, const char* what) {
  if (n > static_cast<std::size_t>(INT_MAX))
    fail(ErrorCode::invalid_argument, what, " = ", n, " exceeds what one MPI message can count");
  return static_cast<int>(n);
}

std::vector<int> offsets_of(const std::vector<int>& counts) {
  std::vector<int> offsets(counts.size(), 0);
  std::size_t sum = 0;
  for (std::size_t r = 0; r < counts.size(); ++r) {
    offsets[r] = to_int(sum, "rows exchanged");
    sum += static_cast<std::size_t>(counts[r]);
  }
  to_int(sum, "rows exchanged");
  return offsets;
}

template <class T>
MPI_Datatype mpi_type();
template <>
MPI_Datatype mpi_type<float>() {
  return MPI_FLOAT;
}
template <>
MPI_Datatype mpi_type<double>() {
  return MPI_DOUBLE;
}

}  // namespace

std::vector<RowRange> gather_row_ranges(MPI_Comm comm, RowRange mine) {
  int size = 0;
  check_mpi(MPI_Comm_size(comm, &size), "MPI_Comm_size");
  std::vector<std::uint64_t> all(2 * static_cast<std::size_t>(size));
  const std::uint64_t local[2] = {mine.first_row, mine.rows};
  check_mpi(MPI_Allgather(local, 2, MPI_UINT64_T, all.data(), 2, MPI_UINT64_T, comm),
            "MPI_Allgather");
  std::vector<RowRange> ranges(static_cast<std::size_t>(size));
  for (std::size_t r = 0; r < ranges.size(); ++r)
    ranges[r] = {static_cast<std::size_t>(all[2 * r]), static_cast<std::size_t>(all[2 * r + 1])};
  return ranges;
}

int owner_of(const std::vector<RowRange>& ranges, std::size_t row) {
  for (std::size_t r = 0; r < ranges.size(); ++r)
    if (row >= ranges[r].first_row && row - ranges[r].first_row < ranges[r].rows)
      return static_cast<int>(r);
  fail(ErrorCode::internal, "row ", row, " is held by no rank");
}

RowExchange::RowExchange(MPI_Comm comm, const std::vector<RowRange>& sources,
                         const std::vector<std::size_t>& wanted)
    : comm_(comm) {
  int rank = 0;
  check_mpi(MPI_Comm_rank(comm, &rank), "MPI_Comm_rank");
  const std::size_t size = sources.size();
  // Requests grouped by owner, in wanted order within each group.
  std::vector<std::vector<std::uint64_t>> requests(size);
  std::vector<std::vector<std::size_t>> positions(size);
  const RowRange own = sources[static_cast<std::size_t>(rank)];
  for (std::size_t i = 0; i < wanted.size(); ++i) {
    const auto owner = static_cast<std::size_t>(owner_of(sources, wanted[i]));
    if (owner == static_cast<std::size_t>(rank)) {  // copied locally, never through MPI
      own_rows_.push_back({wanted[i] - own.first_row, i});
      continue;
    }
    requests[owner].push_back(wanted[i]);
    positions[owner].push_back(i);
    ++rows_from_others_;
  }
  receive_counts_.resize(size);
  std::vector<std::uint64_t> flat_requests;
  for (std::size_t r = 0; r < size; ++r) {
    receive_counts_[r] = to_int(requests[r].size(), "rows requested");
    flat_requests.insert(flat_requests.end(), requests[r].begin(), requests[r].end());
    receive_order_.insert(receive_order_.end(), positions[r].begin(), positions[r].end());
  }
  receive_offsets_ = offsets_of(receive_counts_);
  send_counts_.resize(size);
  check_mpi(MPI_Alltoall(receive_counts_.data(), 1, MPI_INT, send_counts_.data(), 1, MPI_INT, comm),
            "MPI_Alltoall");
  send_offsets_ = offsets_of(send_counts_);
  std::vector<std::uint64_t> asked(static_cast<std::size_t>(send_offsets_.back()) +
                                   static_cast<std::size_t>(send_counts_.back()));
  check_mpi(MPI_Alltoallv(flat_requests.data(), receive_counts_.data(), receive_offsets_.data(),
                          MPI_UINT64_T, asked.data(), send_counts_.data(), send_offsets_.data(),
                          MPI_UINT64_T, comm),
            "MPI_Alltoallv");
  send_rows_.resize(asked.size());
  for (std::size_t i = 0; i < asked.size(); ++i)
    send_rows_[i] = static_cast<std::size_t>(asked[i]) - own.first_row;
}

template <class T>
void RowExchange::run(std::size_t row_values, const std::function<void(std::size_t, T*)>& pack,
                      T* received) const {
  for (const OwnRow& r : own_rows_)
    pack(r.local_row, received + r.position * row_values);
  // (Kept between runs: fresh pages cost a fault each, which on a VM is most of a copy.)
  const std::size_t out_values = send_rows_.size() * row_values;
  const std::size_t in_values = receive_order_.size() * row_values;
  if (scratch_.size() < (out_values + in_values) * sizeof(T))
    scratch_.resize((out_values + in_values) * sizeof(T));
  T* outgoing = reinterpret_cast<T*>(scratch_.data());
  T* incoming = outgoing + out_values;
  for (std::size_t i = 0; i < send_rows_.size(); ++i)
    pack(send_rows_[i], outgoing + i * row_values);
  MPI_Datatype row;
  check_mpi(MPI_Type_contiguous(to_int(row_values, "values per row"), mpi_type<T>(), &row),
            "MPI_Type_contiguous");
  check_mpi(MPI_Type_commit(&row), "MPI_Type_commit");
  const int status =
      MPI_Alltoallv(outgoing, send_counts_.data(), send_offsets_.data(), row, incoming,
                    receive_counts_.data(), receive_offsets_.data(), row, comm_);
  MPI_Type_free(&row);
  check_mpi(status, "MPI_Alltoallv");
  for (std::size_t s = 0; s < receive_order_.size(); ++s)
    std::memcpy(received + receive_order_[s] * row_values, incoming + s * row_values,
                row_values * sizeof(T));
}

template void RowExchange::run<float>(std::size_t, const std::function<void(std::size_t, float*)>&,
                                      float*) const;
template void RowExchange::run<double>(std::size_t,
                                       const std::function<void(std::size_t, double*)>&,
                                       double*) const;

}  // namespace fftconv::detail::mpi
