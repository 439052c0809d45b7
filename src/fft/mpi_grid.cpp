#include "fft/mpi_grid.hpp"

#include <fftw3-mpi.h>

#include <algorithm>
#include <cstring>
#include <mutex>
#include <utility>

#include "fft/plans.hpp"
#include "util/check.hpp"

namespace fftconv::detail::fft {

namespace {

template <class T>
struct MpiTraits;
template <>
struct MpiTraits<double> {
  using plan = fftw_plan;
  using complex = fftw_complex;
  static constexpr auto local_size = fftw_mpi_local_size_transposed;
  static constexpr auto plan_r2c = fftw_mpi_plan_dft_r2c;
  static constexpr auto plan_c2r = fftw_mpi_plan_dft_c2r;
  static constexpr auto execute_r2c = fftw_mpi_execute_dft_r2c;
  static constexpr auto execute_c2r = fftw_mpi_execute_dft_c2r;
  static constexpr auto destroy = fftw_destroy_plan;
  static constexpr auto alloc = fftw_alloc_real;
  static constexpr auto free = fftw_free;
};
template <>
struct MpiTraits<float> {
  using plan = fftwf_plan;
  using complex = fftwf_complex;
  static constexpr auto local_size = fftwf_mpi_local_size_transposed;
  static constexpr auto plan_r2c = fftwf_mpi_plan_dft_r2c;
  static constexpr auto plan_c2r = fftwf_mpi_plan_dft_c2r;
  static constexpr auto execute_r2c = fftwf_mpi_execute_dft_r2c;
  static constexpr auto execute_c2r = fftwf_mpi_execute_dft_c2r;
  static constexpr auto destroy = fftwf_destroy_plan;
  static constexpr auto alloc = fftwf_alloc_real;
  static constexpr auto free = fftwf_free;
};

unsigned planner_flags(Planning planning) {
  switch (planning) {
    case Planning::measure:
      return FFTW_MEASURE;
    case Planning::patient:
      return FFTW_PATIENT;
    default:
      return FFTW_ESTIMATE;
  }
}

}  // namespace

template <class T>
MpiGrid<T>::MpiGrid(MPI_Comm comm, const std::vector<std::size_t>& lengths)
    : comm_(comm), lengths_(lengths) {
  using M = MpiTraits<T>;
  const int rank = static_cast<int>(lengths.size());
  FFTCONV_CHECK(rank == 2 || rank == 3, internal, "MpiGrid: rank ", rank);
  std::vector<ptrdiff_t> half(lengths.begin(), lengths.end());
  half.back() = half.back() / 2 + 1;
  ptrdiff_t n0 = 0, start0 = 0, n1 = 0, start1 = 0, alloc = 0;
  {
    std::lock_guard<std::mutex> lock(planner_mutex());
    initialize_fftw_threads();      // FFTW wants its threads set up before fftw_mpi_init
    static bool mpi_ready = false;  // guarded by planner_mutex()
    if (!mpi_ready) {
      fftw_mpi_init();
      fftwf_mpi_init();
      mpi_ready = true;
    }
    // (Arithmetic on the sizes only: no communication.)
    alloc = M::local_size(rank, half.data(), comm, &n0, &start0, &n1, &start1);
  }
  first_row_ = static_cast<std::size_t>(start0);
  rows_ = static_cast<std::size_t>(n0);
  last_pitch_ = 2 * static_cast<std::size_t>(half.back());
  row_pitch_ = last_pitch_ * (rank == 3 ? lengths[1] : 1);
  spectrum_values_ = static_cast<std::size_t>(n1) * lengths[0] *
                     (rank == 3 ? static_cast<std::size_t>(half[2]) : 1);
  buffer_values_ = std::max<std::size_t>(2 * static_cast<std::size_t>(alloc), 1);
}

template <class T>
void MpiGrid<T>::plan(Planning planning, T* scratch) {
  using M = MpiTraits<T>;
  const int rank = static_cast<int>(lengths_.size());
  std::vector<ptrdiff_t> real(lengths_.begin(), lengths_.end());
  const unsigned flags = planner_flags(planning);
  auto* complex = reinterpret_cast<typename M::complex*>(scratch);
  std::lock_guard<std::mutex> lock(planner_mutex());
  forward_plan_ =
      M::plan_r2c(rank, real.data(), scratch, complex, comm_, flags | FFTW_MPI_TRANSPOSED_OUT);
  backward_plan_ =
      M::plan_c2r(rank, real.data(), complex, scratch, comm_, flags | FFTW_MPI_TRANSPOSED_IN);
  FFTCONV_CHECK(forward_plan_ != nullptr && backward_plan_ != nullptr, internal,
                "fftw3-mpi could not plan the distributed transform");
}

template <class T>
MpiGrid<T>::MpiGrid(MpiGrid&& other) noexcept
    : first_row_(other.first_row_),
      rows_(other.rows_),
      row_pitch_(other.row_pitch_),
      last_pitch_(other.last_pitch_),
      spectrum_values_(other.spectrum_values_),
      buffer_values_(other.buffer_values_),
      comm_(other.comm_),
      lengths_(std::move(other.lengths_)),
      forward_plan_(std::exchange(other.forward_plan_, nullptr)),
      backward_plan_(std::exchange(other.backward_plan_, nullptr)) {}

template <class T>
MpiGrid<T>::~MpiGrid() {
  if (forward_plan_ == nullptr && backward_plan_ == nullptr) return;
  std::lock_guard<std::mutex> lock(planner_mutex());
  using FftwPlan = typename MpiTraits<T>::plan;
  if (forward_plan_) MpiTraits<T>::destroy(static_cast<FftwPlan>(forward_plan_));
  if (backward_plan_) MpiTraits<T>::destroy(static_cast<FftwPlan>(backward_plan_));
}

template <class T>
void MpiGrid<T>::Free::operator()(T* p) const {
  MpiTraits<T>::free(p);
}

template <class T>
typename MpiGrid<T>::Buffer MpiGrid<T>::allocate() const {
  T* p = MpiTraits<T>::alloc(buffer_values_);
  if (p == nullptr)
    fail(ErrorCode::out_of_memory, "fftconv::mpi: out of memory for a transform buffer of ",
         buffer_values_ * sizeof(T), " bytes");
  std::memset(p, 0, buffer_values_ * sizeof(T));
  return Buffer(p);
}

template <class T>
void MpiGrid<T>::forward(T* buffer) const {
  using M = MpiTraits<T>;
  M::execute_r2c(static_cast<typename M::plan>(forward_plan_), buffer,
                 reinterpret_cast<typename M::complex*>(buffer));
}

template <class T>
void MpiGrid<T>::backward(T* buffer) const {
  using M = MpiTraits<T>;
  M::execute_c2r(static_cast<typename M::plan>(backward_plan_),
                 reinterpret_cast<typename M::complex*>(buffer), buffer);
}

template class MpiGrid<float>;
template class MpiGrid<double>;

}  // namespace fftconv::detail::fft
