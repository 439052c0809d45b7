// fftconv::mpi's public functions: the distributed Filter (checks agreed on by every rank, the
// strategy chosen, its set-up), convolve / correlate as a Filter used once, the row splits.
#include <cstdint>
#include <limits>
#include <optional>

#include "fftconv/mpi.hpp"
#include "mpi/agreement.hpp"
#include "mpi/cost_model.hpp"
#include "mpi/distributed_fft.hpp"
#include "mpi/halo_exchange.hpp"
#include "mpi/problem.hpp"
#include "mpi/row_exchange.hpp"
#include "util/check.hpp"
#include "util/copy.hpp"

namespace fftconv::mpi {

using detail::mpi::agree;
using detail::mpi::check_mpi;

RowRange balanced_rows(MPI_Comm comm, const Shape& global_shape) {
  FFTCONV_CHECK(global_shape.rank() >= 1, invalid_argument,
                "fftconv::mpi::balanced_rows: global_shape has rank 0");
  int rank = 0, size = 1;
  check_mpi(MPI_Comm_rank(comm, &rank), "MPI_Comm_rank");
  check_mpi(MPI_Comm_size(comm, &size), "MPI_Comm_size");
  const std::size_t n0 = global_shape[0];
  const auto r = static_cast<std::size_t>(rank);
  const auto p = static_cast<std::size_t>(size);
  const std::size_t base = n0 / p, extra = n0 % p;
  return {r * base + std::min(r, extra), base + (r < extra ? 1 : 0)};
}

RowRange output_rows(const Shape& global_shape, const Shape& kernel_shape, Mode mode,
                     RowRange image_rows) {
  const char* what = "fftconv::mpi::output_rows";
  FFTCONV_CHECK(mode != Mode::full, invalid_argument, what,
                ": mode full is not supported (same or valid)");
  const Shape out = output_shape(global_shape, kernel_shape, mode);
  FFTCONV_CHECK(image_rows.first_row <= global_shape[0] &&
                    image_rows.rows <= global_shape[0] - image_rows.first_row,
                invalid_argument, what, ": image rows [", image_rows.first_row, ", ",
                image_rows.first_row + image_rows.rows, ") are outside global_shape ",
                to_string(global_shape));
  if (mode == Mode::same || image_rows.rows == 0) return image_rows;
  const std::size_t half = kernel_shape[0] / 2;
  const std::size_t first = image_rows.first_row > half ? image_rows.first_row - half : 0;
  const std::size_t end_unclipped = image_rows.first_row + image_rows.rows;
  const std::size_t end = std::min(end_unclipped > half ? end_unclipped - half : 0, out[0]);
  return {std::min(first, end), end > first ? end - first : 0};
}

const char* to_string(Strategy strategy) noexcept {
  switch (strategy) {
    case Strategy::automatic:
      return "automatic";
    case Strategy::halo_exchange:
      return "halo_exchange";
    case Strategy::distributed_fft:
      return "distributed_fft";
  }
  return "unknown";
}

namespace {

int communicator_size(MPI_Comm comm) {
  int size = 1;
  check_mpi(MPI_Comm_size(comm, &size), "MPI_Comm_size");
  return size;
}

/// FNV-1a over the bytes of a value.
template <class V>
void mix(std::uint64_t& h, const V& value) {
  const auto* bytes = reinterpret_cast<const unsigned char*>(&value);
  for (std::size_t i = 0; i < sizeof value; ++i)
    h = (h ^ bytes[i]) * 1099511628211u;
}

/// What every rank must agree on, as one number.
template <class T>
std::uint64_t problem_digest(ConstView<T> kernel, const Shape& global_shape, Operation operation,
                             const Options& o, Strategy strategy) {
  std::uint64_t h = 14695981039346656037u;
  for (std::size_t n : global_shape)
    mix(h, n);
  for (std::size_t n : kernel.shape())
    mix(h, n);
  for (const T v : detail::dense_copy(kernel))  // the values, in C order
    mix(h, v);
  mix(h, operation);
  mix(h, strategy);
  mix(h, o.mode);
  mix(h, o.method);
  mix(h, o.boundary);
  mix(h, o.fill_value);
  mix(h, o.planning);
  mix(h, o.compute_precision);
  mix(h, o.nonnegative);
  mix(h, o.normalize_kernel);
  mix(h, o.nan_policy);
  mix(h, o.min_weight);
  mix(h, o.preserve_nan);
  for (std::ptrdiff_t v : o.origin)
    mix(h, v);
  return h;
}

/// Local checks and the problem; the verdict agreed by every rank.
template <class T>
detail::mpi::DistributedProblem agreed_problem(MPI_Comm comm, ConstView<T> kernel,
                                               const Shape& global_shape, RowRange image_rows,
                                               Operation operation, const Options& options,
                                               Strategy strategy, const char* what) {
  std::vector<RowRange> ranges = detail::mpi::gather_row_ranges(comm, image_rows);
  detail::mpi::DistributedProblem p;
  agree(comm, [&] {
    FFTCONV_CHECK(kernel.data() != nullptr || kernel.size() == 0, invalid_argument, what,
                  ": kernel has no data");
    FFTCONV_CHECK(strategy == Strategy::automatic || strategy == Strategy::halo_exchange ||
                      strategy == Strategy::distributed_fft,
                  invalid_argument, what, ": strategy has unknown value ",
                  static_cast<int>(strategy));
    p = detail::mpi::make_problem(kernel.shape(), global_shape, image_rows, ranges, operation,
                                  options, what);
    if (strategy == Strategy::distributed_fft)
      if (const char* why = detail::mpi::distributed_fft_refusal(p))
        detail::fail(ErrorCode::invalid_argument, what,
                     ": strategy distributed_fft refused: ", why);
    // The kernel's values and the options (fill_value with the caller's boundary, origin), as
    // the single-machine library checks them on the whole image; memory is each rank's own,
    // checked on its part later.
    Options unbounded = options;
    unbounded.max_memory_bytes = std::numeric_limits<std::size_t>::max();
    chosen_method(kernel, global_shape, unbounded);
  });
  // Every rank must pass the same problem: a rank with other options or another strategy would
  // wait in other collectives (or compute something else) than the rest.
  std::uint64_t digest[2];
  digest[0] = digest[1] = problem_digest(kernel, global_shape, operation, options, strategy);
  check_mpi(MPI_Allreduce(MPI_IN_PLACE, &digest[0], 1, MPI_UINT64_T, MPI_MIN, comm),
            "MPI_Allreduce");
  check_mpi(MPI_Allreduce(MPI_IN_PLACE, &digest[1], 1, MPI_UINT64_T, MPI_MAX, comm),
            "MPI_Allreduce");
  FFTCONV_CHECK(digest[0] == digest[1], invalid_argument, what,
                ": the ranks passed different kernels, shapes, operations, options or "
                "strategies (every rank must pass the same; only the image rows differ)");
  return p;
}

template <class T>
Strategy resolved_strategy(MPI_Comm comm, const detail::mpi::DistributedProblem& p,
                           ConstView<T> kernel, Strategy strategy) {
  if (strategy != Strategy::automatic) return strategy;
  detail::mpi::StrategyCosts costs;
  agree(comm,
        [&] { costs = detail::mpi::strategy_costs(comm, p, kernel, communicator_size(comm)); });
  return detail::mpi::choose_strategy(comm, costs);
}

}  // namespace

template <class T>
struct Filter<T>::Impl {
  MPI_Comm comm;
  detail::mpi::DistributedProblem problem;
  Strategy strategy;
  std::optional<detail::mpi::HaloExchange<T>> halo;
  std::optional<detail::mpi::DistributedFft<T>> distributed;
};

template <class T>
Filter<T>::Filter(MPI_Comm comm, ConstView<T> kernel, const Shape& global_shape,
                  RowRange image_rows, Operation operation, const Options& options,
                  Strategy strategy) {
  const char* what = "fftconv::mpi::Filter";
  auto impl = std::make_unique<Impl>();
  impl->comm = comm;
  impl->problem =
      agreed_problem(comm, kernel, global_shape, image_rows, operation, options, strategy, what);
  const detail::mpi::DistributedProblem& p = impl->problem;
  impl->strategy = resolved_strategy(comm, p, kernel, strategy);
  // Local set-up (allocation, the band's Filter) agreed on before the collective part.
  if (impl->strategy == Strategy::halo_exchange) {
    impl->halo.emplace(p);
    impl->halo->plan(comm, p);
    agree(comm, [&] { impl->halo->prepare(p, kernel); });
  } else {
    agree(comm, [&] { impl->distributed.emplace(comm, p); });
    impl->distributed->prepare(comm, p, kernel);
  }
  impl_ = std::move(impl);
}

template <class T>
Filter<T>::Filter(Filter&&) noexcept = default;
template <class T>
Filter<T>& Filter<T>::operator=(Filter&&) noexcept = default;
template <class T>
Filter<T>::~Filter() = default;

template <class T>
void Filter<T>::apply(ConstView<T> local_image, View<T> local_out) const {
  const Impl& m = impl();
  const char* what = "fftconv::mpi::Filter::apply";
  agree(m.comm, [&] {
    FFTCONV_CHECK(local_image.shape() == local_image_shape(), invalid_argument, what,
                  ": local_image has shape ", to_string(local_image.shape()), ", expected ",
                  to_string(local_image_shape()));
    FFTCONV_CHECK(local_out.shape() == local_output_shape(), invalid_argument, what,
                  ": local_out has shape ", to_string(local_out.shape()), ", expected ",
                  to_string(local_output_shape()));
    FFTCONV_CHECK(local_image.data() != nullptr || local_image.size() == 0, invalid_argument, what,
                  ": local_image has no data");
    FFTCONV_CHECK(local_out.data() != nullptr || local_out.size() == 0, invalid_argument, what,
                  ": local_out has no data");
  });
  if (m.halo)
    m.halo->apply(m.problem, local_image, local_out);
  else
    m.distributed->apply(m.problem, local_image, local_out);
}

template <class T>
const typename Filter<T>::Impl& Filter<T>::impl() const {
  FFTCONV_CHECK(impl_ != nullptr, invalid_argument, "fftconv::mpi::Filter: used after a move");
  return *impl_;
}
template <class T>
Strategy Filter<T>::strategy() const {
  return impl().strategy;
}
template <class T>
RowRange Filter<T>::image_rows() const {
  return impl().problem.image_rows;
}
template <class T>
RowRange Filter<T>::output_rows() const {
  return impl().problem.output_rows;
}
template <class T>
const Shape& Filter<T>::global_shape() const {
  return impl().problem.global;
}
template <class T>
const Shape& Filter<T>::global_output_shape() const {
  return impl().problem.global_out;
}
template <class T>
Shape Filter<T>::local_image_shape() const {
  Shape s = impl().problem.global;
  s[0] = impl().problem.image_rows.rows;
  return s;
}
template <class T>
Shape Filter<T>::local_output_shape() const {
  Shape s = impl().problem.global_out;
  s[0] = impl().problem.output_rows.rows;
  return s;
}

template class Filter<float>;
template class Filter<double>;

Strategy chosen_strategy(MPI_Comm comm, const Shape& kernel_shape, const Shape& global_shape,
                         RowRange image_rows, const Options& options) {
  // The cost model needs kernel values only to find the band's method: a dense kernel of the
  // given shape that is neither separable nor low-rank (pseudo-random values) stands in.
  std::vector<double> stand_in(element_count(kernel_shape));
  std::uint64_t state = 1;
  for (double& v : stand_in) {
    state = state * 6364136223846793005u + 1442695040888963407u;  // (Knuth's MMIX LCG)
    v = 0.5 + static_cast<double>(state >> 11) * 0x1p-54;
  }
  const ConstView<double> kernel(stand_in.data(), kernel_shape);
  const auto p = agreed_problem(comm, kernel, global_shape, image_rows, Operation::convolve,
                                options, Strategy::automatic, "fftconv::mpi::chosen_strategy");
  return resolved_strategy(comm, p, kernel, Strategy::automatic);
}

namespace {

template <class T>
void run_once(MPI_Comm comm, ConstView<T> local_image, const Shape& global_shape,
              std::size_t first_row, ConstView<T> kernel, View<T> local_out, Operation operation,
              const Options& options, Strategy strategy) {
  const Filter<T> filter(comm, kernel, global_shape, {first_row, local_image.extent(0)}, operation,
                         options, strategy);
  filter.apply(local_image, local_out);
}

}  // namespace

void convolve(MPI_Comm comm, ConstView<float> local_image, const Shape& global_shape,
              std::size_t first_row, ConstView<float> kernel, View<float> local_out,
              const Options& options, Strategy strategy) {
  run_once(comm, local_image, global_shape, first_row, kernel, local_out, Operation::convolve,
           options, strategy);
}
void convolve(MPI_Comm comm, ConstView<double> local_image, const Shape& global_shape,
              std::size_t first_row, ConstView<double> kernel, View<double> local_out,
              const Options& options, Strategy strategy) {
  run_once(comm, local_image, global_shape, first_row, kernel, local_out, Operation::convolve,
           options, strategy);
}
void correlate(MPI_Comm comm, ConstView<float> local_image, const Shape& global_shape,
               std::size_t first_row, ConstView<float> kernel, View<float> local_out,
               const Options& options, Strategy strategy) {
  run_once(comm, local_image, global_shape, first_row, kernel, local_out, Operation::correlate,
           options, strategy);
}
void correlate(MPI_Comm comm, ConstView<double> local_image, const Shape& global_shape,
               std::size_t first_row, ConstView<double> kernel, View<double> local_out,
               const Options& options, Strategy strategy) {
  run_once(comm, local_image, global_shape, first_row, kernel, local_out, Operation::correlate,
           options, strategy);
}

}  // namespace fftconv::mpi
