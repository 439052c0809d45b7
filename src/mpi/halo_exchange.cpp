#include "mpi/halo_exchange.hpp"

#include <array>
#include <cmath>
#include <limits>
#include <vector>

#include "util/check.hpp"

namespace fftconv::detail::mpi {

Options band_options(const Options& options) {
  Options o = options;
  o.mode = Mode::valid;
  o.boundary = Boundary::zero;  // valid never looks outside the band
  o.origin = Offsets();
  return o;
}

std::size_t halo_exchange_bytes(const DistributedProblem& p, const Shape& band_shape,
                                std::size_t value_bytes, std::size_t rows_sent,
                                std::size_t rows_from_others) {
  // (the rows from others twice: the exchange's receive buffer and their slots; one row of
  // scratch for the rank's own rows of a strided slab)
  const std::size_t values =
      element_count(band_shape) + (rows_sent + 2 * rows_from_others + 1) * p.image_row_values();
  return values * value_bytes;
}

template <class T>
HaloExchange<T>::HaloExchange(const DistributedProblem& p)
    : plane_(p.options.boundary, p.n[1], p.n[2], p.window[1], p.window[2]) {
  const ExtendedWindow band = p.band(p.output_rows);
  if (p.output_rows.rows > 0)
    sources_ = row_sources(p.options.boundary, band.first, band.count, p.n[0]);
  image_row_values_ = p.image_row_values();
  // The rows other ranks hold are received (compactly, in this order); the rank's own are read
  // from its slab.
  foreign_slot_.assign(sources_.wanted.size(), -1);
  for (std::size_t s = 0; s < sources_.wanted.size(); ++s) {
    const std::size_t row = sources_.wanted[s];
    if (row < p.image_rows.first_row || row - p.image_rows.first_row >= p.image_rows.rows) {
      foreign_slot_[s] = static_cast<std::ptrdiff_t>(foreign_.size());
      foreign_.push_back(row);
    }
  }
  band_shape_ = p.band_shape(p.output_rows.rows > 0 ? band.count : 0);
}

template <class T>
void HaloExchange<T>::plan(MPI_Comm comm, const DistributedProblem& p) {
  exchange_ = RowExchange(comm, p.image_ranges, foreign_);
}

template <class T>
void HaloExchange<T>::prepare(const DistributedProblem& p, ConstView<T> kernel) {
  Options o = band_options(p.options);
  // The band, the received rows and the exchange's buffers are this call's too.
  const std::size_t own_bytes =
      halo_exchange_bytes(p, band_shape_, sizeof(T), exchange_.rows_sent(), foreign_.size());
  FFTCONV_CHECK(own_bytes <= o.max_memory_bytes, out_of_memory, "fftconv::mpi: the band of ",
                to_string(band_shape_), " and the rows exchanged need ", own_bytes,
                " bytes, over options.max_memory_bytes = ", o.max_memory_bytes);
  if (p.output_rows.rows == 0) return;
  o.max_memory_bytes -= own_bytes;
  // preserve_nan marks outputs centred on a missing *image* pixel: the band's copies of one
  // beyond the image's edges (reflect, mirror, wrap) do not count, so it is applied here.
  preserve_nan_ = o.preserve_nan && o.nan_policy != NanPolicy::propagate;
  o.preserve_nan = false;
  filter_.emplace(kernel, band_shape_, p.operation, o);
}

template <class T>
std::size_t HaloExchange<T>::bytes_received() const {
  return exchange_.rows_from_others() * image_row_values_ * sizeof(T);
}

template <class T>
std::optional<Method> HaloExchange<T>::method() const {
  if (!filter_) return std::nullopt;
  return filter_->method();
}

template <class T>
void copy_slab_row(const ConstView<T>& slab, std::size_t local_row, T* dst) {
  const int rank = slab.rank();
  const T* row = slab.data() + static_cast<std::ptrdiff_t>(local_row) * slab.stride(0);
  if (rank == 1) {
    *dst = *row;
    return;
  }
  const std::size_t n1 = rank == 3 ? slab.extent(1) : 1;
  const std::ptrdiff_t s1 = rank == 3 ? slab.stride(1) : 0;
  const std::size_t n2 = slab.extent(rank - 1);
  const std::ptrdiff_t s2 = slab.stride(rank - 1);
  for (std::size_t i = 0; i < n1; ++i)
    for (std::size_t j = 0; j < n2; ++j)
      *dst++ = row[static_cast<std::ptrdiff_t>(i) * s1 + static_cast<std::ptrdiff_t>(j) * s2];
}

template <class T>
bool is_dense(const ConstView<T>& view) {
  std::ptrdiff_t step = 1;
  for (int a = view.rank() - 1; a >= 0; --a) {
    if (view.extent(a) > 1 && view.stride(a) != step) return false;
    step *= static_cast<std::ptrdiff_t>(view.extent(a));
  }
  return true;
}

template <class T>
void HaloExchange<T>::apply(const DistributedProblem& p, ConstView<T> local_image,
                            View<T> local_out) const {
  received_.resize(foreign_.size() * image_row_values_);
  exchange_.run<T>(
      image_row_values_,
      [&](std::size_t local_row, T* dst) { copy_slab_row(local_image, local_row, dst); },
      received_.data());
  if (!filter_) return;
  const T fill =
      static_cast<T>(p.options.boundary == Boundary::constant ? p.options.fill_value : 0);
  const std::size_t plane_values = plane_.rows() * plane_.columns();
  band_.resize(sources_.slot.size() * plane_values);
  // A dense slab's own rows are read where they are, a strided one's through one row.
  const bool dense = is_dense(local_image);
  row_scratch_.resize(dense ? 0 : image_row_values_);
  const RowRange own = p.image_rows;
  for (std::size_t t = 0; t < sources_.slot.size(); ++t) {
    const std::ptrdiff_t s = sources_.slot[t];
    const T* row = nullptr;
    if (s >= 0) {
      const auto slot = static_cast<std::size_t>(s);
      if (foreign_slot_[slot] >= 0) {
        row = received_.data() + static_cast<std::size_t>(foreign_slot_[slot]) * image_row_values_;
      } else if (dense) {
        row = local_image.data() + (sources_.wanted[slot] - own.first_row) * image_row_values_;
      } else {
        copy_slab_row(local_image, sources_.wanted[slot] - own.first_row, row_scratch_.data());
        row = row_scratch_.data();
      }
    }
    plane_.extend<T>(row, fill, nullptr, band_.data() + t * plane_values, plane_.columns());
  }
  filter_->apply(ConstView<T>(band_.data(), band_shape_), local_out);
  if (preserve_nan_) restore_missing(p, local_out);
}

template <class T>
void HaloExchange<T>::restore_missing(const DistributedProblem& p, View<T> local_out) const {
  // Output (r, i, j) is centred on band pixel (r + k0/2, i + k1/2, j + k2/2) (valid mode), the
  // extended image's position band.first + that along each axis: an image pixel if inside.
  const ExtendedWindow band = p.band(p.output_rows);
  const std::array<std::ptrdiff_t, 3> first{band.first, p.window[1].first, p.window[2].first};
  const std::array<std::size_t, 3> out{p.output_rows.rows, p.out[1], p.out[2]};
  const std::array<std::size_t, 3> extent{band.count, plane_.rows(), plane_.columns()};
  const auto inside = [&](std::size_t axis, std::size_t at) {
    const std::ptrdiff_t position = first[axis] + static_cast<std::ptrdiff_t>(at);
    return position >= 0 && position < static_cast<std::ptrdiff_t>(p.n[axis]);
  };
  const int rank = local_out.rank();
  for (std::size_t r = 0; r < out[0]; ++r) {
    const std::size_t br = r + p.k[0] / 2;
    if (!inside(0, br)) continue;
    for (std::size_t i = 0; i < out[1]; ++i) {
      const std::size_t bi = i + p.k[1] / 2;
      if (!inside(1, bi)) continue;
      for (std::size_t j = 0; j < out[2]; ++j) {
        const std::size_t bj = j + p.k[2] / 2;
        if (!inside(2, bj) || std::isfinite(band_[(br * extent[1] + bi) * extent[2] + bj]))
          continue;
        std::ptrdiff_t at = static_cast<std::ptrdiff_t>(r) * local_out.stride(0);
        if (rank >= 2) at += static_cast<std::ptrdiff_t>(j) * local_out.stride(rank - 1);
        if (rank == 3) at += static_cast<std::ptrdiff_t>(i) * local_out.stride(1);
        local_out.data()[at] = std::numeric_limits<T>::quiet_NaN();
      }
    }
  }
}

template class HaloExchange<float>;
template class HaloExchange<double>;
template void copy_slab_row<float>(const ConstView<float>&, std::size_t, float*);
template void copy_slab_row<double>(const ConstView<double>&, std::size_t, double*);
template bool is_dense<float>(const ConstView<float>&);
template bool is_dense<double>(const ConstView<double>&);

}  // namespace fftconv::detail::mpi
