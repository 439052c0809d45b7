#include "mpi/halo_exchange.hpp"

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

template <class T>
HaloExchange<T>::HaloExchange(const DistributedProblem& p, ConstView<T> kernel)
    : plane_(p.options.boundary, p.n[1], p.n[2], p.window[1], p.window[2]) {
  const ExtendedWindow band = p.band(p.output_rows);
  if (p.output_rows.rows > 0)
    sources_ = row_sources(p.options.boundary, band.first, band.count, p.n[0]);
  image_row_values_ = p.image_row_values();
  band_shape_ = p.band_shape(p.output_rows.rows > 0 ? band.count : 0);
  if (p.output_rows.rows == 0) return;
  Options o = band_options(p.options);
  // The band and the received rows are this call's too.
  const std::size_t own_bytes =
      (element_count(band_shape_) + sources_.wanted.size() * p.image_row_values()) * sizeof(T);
  FFTCONV_CHECK(own_bytes <= o.max_memory_bytes, out_of_memory, "fftconv::mpi: the band of ",
                to_string(band_shape_), " and its received rows need ", own_bytes,
                " bytes, over options.max_memory_bytes = ", o.max_memory_bytes);
  o.max_memory_bytes -= own_bytes;
  filter_.emplace(kernel, band_shape_, p.operation, o);
}

template <class T>
void HaloExchange<T>::plan(MPI_Comm comm, const DistributedProblem& p) {
  exchange_ = RowExchange(comm, p.image_ranges, sources_.wanted);
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
  // A dense slab's own rows are read where they are; only the others are received.
  const bool in_place = is_dense(local_image);
  const std::size_t received_values = sources_.wanted.size() * image_row_values_;
  if (received_values_ < received_values) {
    received_.reset(new T[received_values]);  // (untouched pages: own rows never fault in)
    received_values_ = received_values;
  }
  exchange_.run<T>(
      image_row_values_,
      [&](std::size_t local_row, T* dst) { copy_slab_row(local_image, local_row, dst); },
      received_.get(), !in_place);
  if (!filter_) return;
  const T fill =
      static_cast<T>(p.options.boundary == Boundary::constant ? p.options.fill_value : 0);
  const std::size_t plane_values = plane_.rows() * plane_.columns();
  band_.resize(sources_.slot.size() * plane_values);
  const RowRange own = p.image_rows;
  for (std::size_t t = 0; t < sources_.slot.size(); ++t) {
    const std::ptrdiff_t s = sources_.slot[t];
    const T* row = nullptr;
    if (s >= 0) {
      const std::size_t r = sources_.wanted[static_cast<std::size_t>(s)];
      row = in_place && r >= own.first_row && r - own.first_row < own.rows
                ? local_image.data() + (r - own.first_row) * image_row_values_
                : received_.get() + static_cast<std::size_t>(s) * image_row_values_;
    }
    plane_.extend<T>(row, fill, nullptr, band_.data() + t * plane_values, plane_.columns());
  }
  filter_->apply(ConstView<T>(band_.data(), band_shape_), local_out);
}

template class HaloExchange<float>;
template class HaloExchange<double>;
template void copy_slab_row<float>(const ConstView<float>&, std::size_t, float*);
template void copy_slab_row<double>(const ConstView<double>&, std::size_t, double*);
template bool is_dense<float>(const ConstView<float>&);
template bool is_dense<double>(const ConstView<double>&);

}  // namespace fftconv::detail::mpi
