#pragma once
// Strategy halo_exchange: each rank receives the image rows its output reads (its own band of
// the extended image: neighbours' rows, and for wrap, reflect and mirror rows from the far edge
// or further when the kernel is longer than a slab), extends them along every axis by the
// boundary rule, and convolves the band in mode valid with the single-machine library.
#include <mpi.h>

#include <memory>
#include <optional>
#include <vector>

#include "fftconv/filter.hpp"
#include "mpi/extended_rows.hpp"
#include "mpi/problem.hpp"
#include "mpi/row_exchange.hpp"

namespace fftconv::detail::mpi {

template <class T>
class HaloExchange {
 public:
  /// Which rows the band reads (local, cheap).
  explicit HaloExchange(const DistributedProblem& p);
  /// Collective: plans the exchange.
  void plan(MPI_Comm comm, const DistributedProblem& p);
  /// Local, after plan (called inside agree(): may throw): the memory counted against
  /// options.max_memory_bytes, the band's Filter made.
  void prepare(const DistributedProblem& p, ConstView<T> kernel);
  /// Collective.
  void apply(const DistributedProblem& p, ConstView<T> local_image, View<T> local_out) const;

  /// The band this rank convolves (extended rows x extended columns).
  const Shape& band_shape() const { return band_shape_; }
  /// Bytes of image rows this rank receives from other ranks per apply (after plan()).
  std::size_t bytes_received() const;
  /// The method the band's Filter runs (none for a rank without output rows).
  std::optional<Method> method() const;

 private:
  /// preserve_nan over the band's output: NaN where the centre is a non-finite image pixel.
  void restore_missing(const DistributedProblem& p, View<T> local_out) const;

  RowSources sources_;
  PlaneExtension plane_;
  Shape band_shape_;
  std::optional<Filter<T>> filter_;
  RowExchange exchange_;
  std::size_t image_row_values_ = 0;
  bool preserve_nan_ = false;
  std::vector<std::size_t> foreign_;          // the rows other ranks send, in receiving order
  std::vector<std::ptrdiff_t> foreign_slot_;  // per wanted row: its index in foreign_, or -1
  // Kept between applies (a collective call, one at a time): fresh pages fault on every call.
  mutable std::vector<T> received_, band_, row_scratch_;
};

/// Copies row `local_row` of a rank's slab (rows x the other axes, any strides) to dst in C
/// order: the pack function of the exchanges that send image rows.
template <class T>
void copy_slab_row(const ConstView<T>& slab, std::size_t local_row, T* dst);

/// Whether a view is dense C order (its rows can be read in place).
template <class T>
bool is_dense(const ConstView<T>& view);

/// The band's own Options: the caller's with mode valid and nothing outside the band.
Options band_options(const Options& options);

/// Bytes halo exchange holds besides its band's Filter: the band, the rows other ranks send
/// (and the exchange's send and receive buffers), one row of scratch.
std::size_t halo_exchange_bytes(const DistributedProblem& p, const Shape& band_shape,
                                std::size_t value_bytes, std::size_t rows_sent,
                                std::size_t rows_from_others);

extern template class HaloExchange<float>;
extern template class HaloExchange<double>;

}  // namespace fftconv::detail::mpi
