#include "mpi/distributed_fft.hpp"

#include <algorithm>
#include <climits>
#include <complex>
#include <cstring>

#include "mpi/halo_exchange.hpp"
#include "util/check.hpp"
#include "util/copy.hpp"

namespace fftconv::detail::mpi {

const char* distributed_fft_refusal(const DistributedProblem& p) {
  const Options& o = p.options;
  if (p.global.rank() < 2) return "it transforms ranks 2 and 3 only";
  if (o.method != Method::automatic && o.method != Method::fft)
    return "options.method is neither automatic nor fft";
  if (o.nan_policy == NanPolicy::interpolate) return "options.nan_policy = interpolate";
  if (o.compute_precision != Precision::native) return "options.compute_precision is not native";
  if (o.normalize_kernel) return "options.normalize_kernel is set";
  if (o.preserve_nan) return "options.preserve_nan is set";
  return nullptr;
}

std::vector<std::size_t> distributed_fft_lengths(const DistributedProblem& p) {
  std::vector<std::size_t> lengths;
  for (int a = 0; a < p.global.rank(); ++a)
    lengths.push_back(next_fast_size(p.window[canonical_axis(a, p.global.rank())].count));
  return lengths;
}

namespace {

/// This rank's rows of the distributed grid as a RowRange.
template <class T>
RowRange grid_rows(const fft::MpiGrid<T>& grid) {
  return {grid.first_row(), grid.rows()};
}

/// The window rows among this rank's grid rows: [first, first + count) of the window.
template <class T>
RowRange window_rows(const fft::MpiGrid<T>& grid, const DistributedProblem& p) {
  const std::size_t end = std::min(grid.first_row() + grid.rows(), p.window[0].count);
  return {grid.first_row(), end > grid.first_row() ? end - grid.first_row() : 0};
}

/// This rank's memory: the grid's buffer and the kernel's spectrum, the image rows received
/// (and about as many sent: the rank's own) and the output rows (each once more in the
/// exchanges' buffers).
template <class T>
std::size_t working_bytes(const fft::MpiGrid<T>& grid, const RowSources& sources,
                          const DistributedProblem& p) {
  const std::size_t received = sources.wanted.size() * p.image_row_values();
  const std::size_t sent = p.image_rows.rows * p.image_row_values();
  const std::size_t out = p.output_rows.rows * p.output_row_values();
  return (2 * grid.buffer_values() + 2 * received + sent + 3 * out) * sizeof(T);
}

/// The image rows this rank's grid rows inside the window read.
template <class T>
RowSources grid_sources(const fft::MpiGrid<T>& grid, const DistributedProblem& p) {
  const RowRange inside = window_rows(grid, p);
  return row_sources(p.options.boundary,
                     p.window[0].first + static_cast<std::ptrdiff_t>(inside.first_row), inside.rows,
                     p.n[0]);
}

}  // namespace

template <class T>
std::size_t distributed_fft_bytes(MPI_Comm comm, const DistributedProblem& p) {
  const fft::MpiGrid<T> grid(comm, distributed_fft_lengths(p));
  return working_bytes(grid, grid_sources(grid, p), p);
}

template <class T>
DistributedFft<T>::DistributedFft(MPI_Comm comm, const DistributedProblem& p)
    : grid_(comm, distributed_fft_lengths(p)),
      plane_(p.options.boundary, p.n[1], p.n[2], p.window[1], p.window[2]) {
  sources_ = grid_sources(grid_, p);
  const std::size_t bytes = working_bytes(grid_, sources_, p);
  FFTCONV_CHECK(
      bytes <= p.options.max_memory_bytes, out_of_memory,
      "fftconv::mpi: the distributed transform needs ", bytes,
      " bytes on this rank, over options.max_memory_bytes = ", p.options.max_memory_bytes);
  FFTCONV_CHECK(sources_.wanted.size() <= static_cast<std::size_t>(INT_MAX) &&
                    p.image_row_values() <= static_cast<std::size_t>(INT_MAX),
                invalid_argument, "fftconv::mpi: rows beyond what MPI messages can count");
  kernel_spectrum_ = grid_.allocate();
  buffer_ = grid_.allocate();
}

template <class T>
void DistributedFft<T>::prepare(MPI_Comm comm, const DistributedProblem& p, ConstView<T> kernel) {
  grid_.plan(p.options.planning, buffer_.get());
  const std::vector<std::size_t> lengths = distributed_fft_lengths(p);
  // The kernel (flipped for correlation: correlate is convolve with flip(kernel)) in this rank's
  // rows of the grid, scaled by 1 / (grid size), transformed.
  const ConstView<T> k = kernel;
  const int rank = k.rank();
  const bool flip = p.operation == Operation::correlate;
  double points = 1;
  for (std::size_t l : lengths)
    points *= static_cast<double>(l);
  const T scale = static_cast<T>(1 / points);
  for (std::size_t w = grid_.first_row(); w < grid_.first_row() + grid_.rows() && w < p.k[0]; ++w) {
    T* row = kernel_spectrum_.get() + (w - grid_.first_row()) * grid_.row_pitch();
    for (std::size_t i = 0; i < p.k[1]; ++i)
      for (std::size_t j = 0; j < p.k[2]; ++j) {
        const std::size_t a = flip ? p.k[0] - 1 - w : w;
        const std::size_t b = flip ? p.k[1] - 1 - i : i;
        const std::size_t c = flip ? p.k[2] - 1 - j : j;
        std::ptrdiff_t at = static_cast<std::ptrdiff_t>(a) * k.stride(0) +
                            static_cast<std::ptrdiff_t>(c) * k.stride(rank - 1);
        if (rank == 3) at += static_cast<std::ptrdiff_t>(b) * k.stride(1);
        row[i * grid_.last_pitch() + j] = k.data()[at] * scale;
      }
  }
  grid_.forward(kernel_spectrum_.get());

  input_ = RowExchange(comm, p.image_ranges, sources_.wanted);
  // Output row o is grid row o + k0 - 1 (the valid part of the window's convolution).
  std::vector<std::size_t> wanted(p.output_rows.rows);
  for (std::size_t r = 0; r < wanted.size(); ++r)
    wanted[r] = p.output_rows.first_row + r + p.k[0] - 1;
  output_ = RowExchange(comm, gather_row_ranges(comm, grid_rows(grid_)), wanted);
}

template <class T>
void DistributedFft<T>::apply(const DistributedProblem& p, ConstView<T> local_image,
                              View<T> local_out) const {
  const std::size_t row_values = p.image_row_values();
  received_.resize(sources_.wanted.size() * row_values);
  input_.run<T>(
      row_values, [&](std::size_t r, T* dst) { copy_slab_row(local_image, r, dst); },
      received_.data());
  // The padding and the rows past the window are 0.
  T* buffer = buffer_.get();
  std::fill(buffer, buffer + grid_.buffer_values(), T(0));
  const T outside =
      static_cast<T>(p.options.boundary == Boundary::constant ? p.options.fill_value : 0);
  const T replacement = static_cast<T>(p.options.fill_value);
  const T* nonfinite = p.options.nan_policy == NanPolicy::fill ? &replacement : nullptr;
  for (std::size_t t = 0; t < sources_.slot.size(); ++t) {
    const std::ptrdiff_t s = sources_.slot[t];
    plane_.extend<T>(s < 0 ? nullptr : received_.data() + static_cast<std::size_t>(s) * row_values,
                     outside, nonfinite, buffer + t * grid_.row_pitch(), grid_.last_pitch());
  }
  grid_.forward(buffer);
  auto* spectrum = reinterpret_cast<std::complex<T>*>(buffer);
  const auto* kernel = reinterpret_cast<const std::complex<T>*>(kernel_spectrum_.get());
  for (std::size_t i = 0; i < grid_.spectrum_values(); ++i)
    spectrum[i] *= kernel[i];
  grid_.backward(buffer);

  // The valid part's rows to their owners, cropped to the output's extents.
  const std::size_t out_values = p.output_row_values();
  rows_.resize(p.output_rows.rows * out_values);
  std::vector<T>& rows = rows_;
  output_.run<T>(
      out_values,
      [&](std::size_t r, T* dst) {
        const T* row = buffer + r * grid_.row_pitch();
        for (std::size_t i = 0; i < p.out[1]; ++i) {
          const T* src = row + (i + p.k[1] - 1) * grid_.last_pitch() + (p.k[2] - 1);
          std::copy(src, src + p.out[2], dst + i * p.out[2]);
        }
      },
      rows.data());
  if (p.options.nonnegative)  // (NaN stays NaN)
    for (T& v : rows)
      v = std::max(v, T(0));
  store_dense(rows.data(), local_out);  // (rows: local_out's values in C order)
}

template std::size_t distributed_fft_bytes<float>(MPI_Comm, const DistributedProblem&);
template std::size_t distributed_fft_bytes<double>(MPI_Comm, const DistributedProblem&);
template class DistributedFft<float>;
template class DistributedFft<double>;

}  // namespace fftconv::detail::mpi
