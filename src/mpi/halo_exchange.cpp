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
void HaloExchange<T>::apply(const DistributedProblem& p, ConstView<T> local_image,
                            View<T> local_out) const {
  std::vector<T> received(sources_.wanted.size() * image_row_values_);
  exchange_.run<T>(
      image_row_values_,
      [&](std::size_t local_row, T* dst) { copy_slab_row(local_image, local_row, dst); },
      received.data());
  if (!filter_) return;
  const T fill =
      static_cast<T>(p.options.boundary == Boundary::constant ? p.options.fill_value : 0);
  const std::size_t plane_values = plane_.rows() * plane_.columns();
  std::vector<T> band(sources_.slot.size() * plane_values);
  for (std::size_t t = 0; t < sources_.slot.size(); ++t) {
    const std::ptrdiff_t s = sources_.slot[t];
    plane_.extend<T>(
        s < 0 ? nullptr : received.data() + static_cast<std::size_t>(s) * image_row_values_, fill,
        nullptr, band.data() + t * plane_values, plane_.columns());
  }
  filter_->apply(ConstView<T>(band.data(), band_shape_), local_out);
}

template class HaloExchange<float>;
template class HaloExchange<double>;
template void copy_slab_row<float>(const ConstView<float>&, std::size_t, float*);
template void copy_slab_row<double>(const ConstView<double>&, std::size_t, double*);

}  // namespace fftconv::detail::mpi
