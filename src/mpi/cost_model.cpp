#include "mpi/cost_model.hpp"

#include <cstdlib>
#include <limits>

#include "fftconv/error.hpp"

#include "fftconv/predict.hpp"
#include "mpi/agreement.hpp"
#include "mpi/distributed_fft.hpp"
#include "mpi/extended_rows.hpp"
#include "mpi/halo_exchange.hpp"

namespace fftconv::detail::mpi {

namespace {
// A transpose's local passes over a rank's share of the spectrum, at this memory bandwidth
// (bytes/s). Fitted to bench/bench_mpi on the development VM: fftw3-mpi's transposed transforms
// on 2 ranks took 41-54 ms more than half the 1-rank time on 4096^2 images with 65^2 and 1025^2
// kernels (69 and 105 MB of spectrum), 3 passes at 5 GB/s.
constexpr double transpose_passes = 3;
constexpr double memory_bandwidth = 5e9;
}  // namespace

double network_bandwidth() {
  if (const char* text = std::getenv("FFTCONV_MPI_BANDWIDTH")) {
    char* end = nullptr;
    const double b = std::strtod(text, &end);
    if (end != text && *end == '\0' && b > 0) return b;
  }
  return 12.5e9;
}

namespace {

/// The distributed transform: the whole window's FFT shared evenly, plus its two transposes of
/// the half spectrum: each rank's share goes through memory about three times (pack, the
/// transfer, unpack) even on one node, and its (1 - 1/P) part leaving the node over the
/// network; plus the rows moved in and out. Infinity where it cannot run or does not fit.
template <class T>
double distributed_cost(MPI_Comm comm, const DistributedProblem& p, ConstView<T> kernel,
                        int ranks) {
  if (distributed_fft_refusal(p) != nullptr ||
      distributed_fft_bytes<T>(comm, p) > p.options.max_memory_bytes)
    return std::numeric_limits<double>::infinity();
  const double bandwidth = network_bandwidth();
  const double row_bytes = static_cast<double>(p.image_row_values() * sizeof(T));
  const Shape window_shape = p.band_shape(p.window[0].count);
  Options o = band_options(p.options);
  o.method = Method::fft;
  o.max_memory_bytes = std::numeric_limits<std::size_t>::max();  // (checked above)
  double spectrum_bytes = 2.0 * sizeof(T);
  for (std::size_t l : distributed_fft_lengths(p))
    spectrum_bytes *= static_cast<double>(l);
  spectrum_bytes /= 2;  // the half spectrum
  const double share = 1.0 / ranks;
  return predicted_seconds(Method::fft, kernel, window_shape, o) * share +
         2 * spectrum_bytes * share *
             (transpose_passes / memory_bandwidth + (1 - share) / bandwidth) +
         2 * static_cast<double>(p.image_rows.rows) * row_bytes / bandwidth;
}

}  // namespace

template <class T>
StrategyCosts strategy_costs(MPI_Comm comm, const DistributedProblem& p, ConstView<T> kernel,
                             int ranks) {
  StrategyCosts costs;
  const double bandwidth = network_bandwidth();
  const double row_bytes = static_cast<double>(p.image_row_values() * sizeof(T));
  // Halo exchange: this rank's band with the method the library would pick for it, and the
  // band's rows it does not hold.
  if (p.output_rows.rows > 0) {
    const ExtendedWindow band = p.band(p.output_rows);
    const Shape band_shape = p.band_shape(band.count);
    Options o = band_options(p.options);
    const RowSources s = row_sources(p.options.boundary, band.first, band.count, p.n[0]);
    // (What does not fit this rank's max_memory_bytes costs infinity: the band and its rows,
    // then the band's method within what they leave.)
    std::size_t foreign = 0;
    for (std::size_t row : s.wanted)
      if (row < p.image_rows.first_row || row - p.image_rows.first_row >= p.image_rows.rows)
        ++foreign;
    // (the rows sent unknown before the exchange is planned: about as many as received)
    const std::size_t own = halo_exchange_bytes(p, band_shape, sizeof(T), foreign, foreign);
    if (own > o.max_memory_bytes)
      return {std::numeric_limits<double>::infinity(), distributed_cost(comm, p, kernel, ranks)};
    o.max_memory_bytes -= own;
    Method method;
    try {
      method = chosen_method(kernel, band_shape, o);
    } catch (const Error& e) {
      if (e.code() != ErrorCode::out_of_memory) throw;
      return {std::numeric_limits<double>::infinity(), distributed_cost(comm, p, kernel, ranks)};
    }
    costs.halo_exchange = predicted_seconds(method, kernel, band_shape, o) +
                          static_cast<double>(foreign) * row_bytes / bandwidth;
  }
  costs.distributed_fft = distributed_cost(comm, p, kernel, ranks);
  return costs;
}

fftconv::mpi::Strategy choose_strategy(MPI_Comm comm, StrategyCosts mine) {
  double costs[2] = {mine.halo_exchange, mine.distributed_fft};
  check_mpi(MPI_Allreduce(MPI_IN_PLACE, costs, 2, MPI_DOUBLE, MPI_MAX, comm), "MPI_Allreduce");
  return costs[1] < costs[0] ? fftconv::mpi::Strategy::distributed_fft
                             : fftconv::mpi::Strategy::halo_exchange;
}

template StrategyCosts strategy_costs<float>(MPI_Comm, const DistributedProblem&, ConstView<float>,
                                             int);
template StrategyCosts strategy_costs<double>(MPI_Comm, const DistributedProblem&,
                                              ConstView<double>, int);

}  // namespace fftconv::detail::mpi
