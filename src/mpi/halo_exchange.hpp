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
  /// Local set-up only (the band's Filter): may throw, called inside agree().
  HaloExchange(const DistributedProblem& p, ConstView<T> kernel);
  /// Collective: plans the exchange.
  void plan(MPI_Comm comm, const DistributedProblem& p);
  /// Collective.
  void apply(const DistributedProblem& p, ConstView<T> local_image, View<T> local_out) const;

  /// The band this rank convolves (extended rows x extended columns).
  const Shape& band_shape() const { return band_shape_; }
  /// Bytes of image rows this rank receives from other ranks per apply (after plan()).
  std::size_t bytes_received() const;
  /// The method the band's Filter runs (none for a rank without output rows).
  std::optional<Method> method() const;

 private:
  RowSources sources_;
  PlaneExtension plane_;
  Shape band_shape_;
  std::optional<Filter<T>> filter_;
  RowExchange exchange_;
  std::size_t image_row_values_ = 0;
  // Kept between applies (a collective call, one at a time): fresh pages fault on every call.
  mutable std::unique_ptr<T[]> received_;
  mutable std::size_t received_values_ = 0;
  mutable std::vector<T> band_;
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

extern template class HaloExchange<float>;
extern template class HaloExchange<double>;

}  // namespace fftconv::detail::mpi
