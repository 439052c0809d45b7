#pragma once
// Strategy::automatic's choice (docs/mpi_cost_model.md): for each strategy, the seconds the
// slowest rank computes (the single-machine library's own model, predicted_seconds) plus the
// bytes it moves over the network bandwidth; the cheaper wins.
#include <mpi.h>

#include <cstddef>

#include "fftconv/mpi.hpp"
#include "mpi/problem.hpp"

namespace fftconv::detail::mpi {

/// Bytes per second a rank sends or receives: FFTCONV_MPI_BANDWIDTH, default 12.5e9 (100 Gb/s).
double network_bandwidth();

/// This rank's predicted seconds for each strategy (+infinity where it cannot run or does not
/// fit options.max_memory_bytes). Local (no communication).
struct StrategyCosts {
  double halo_exchange = 0;
  double distributed_fft = 0;
};
template <class T>
StrategyCosts strategy_costs(MPI_Comm comm, const DistributedProblem& p, ConstView<T> kernel,
                             int ranks);

/// Collective: the slowest rank's costs decide.
fftconv::mpi::Strategy choose_strategy(MPI_Comm comm, StrategyCosts mine);

}  // namespace fftconv::detail::mpi
