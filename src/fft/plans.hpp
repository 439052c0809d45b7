#pragma once
// FFTW plans behind opaque handles (no fftw3.h here). Plans are made once per key and cached;
// all planning and destruction holds one process-wide lock, because FFTW's planner is not
// thread-safe while its execute functions are (FFTW manual, "Thread safety"). Plans are made on
// buffers we own before they are filled, and executed with the new-array functions on other
// buffers of ours from the same allocator (same alignment), never on user memory.
#include <atomic>
#include <cstddef>
#include <memory>
#include <mutex>

#include "fftconv/options.hpp"

namespace fftconv::detail::fft {

enum class Direction { forward, inverse };  ///< real-to-complex / complex-to-real

class Plan {
 public:
  virtual ~Plan() = default;
};

/// The cached in-place plan for a block of `width` columns stored one after the other (column c
/// at c * length, interleaved complex): `width` complex transforms of `length` contiguous points
/// (FFTW's advanced interface, distance `length`). With FFTW_ESTIMATE this runs 2 to 4 times
/// faster than the same transforms on columns interleaved element by element (stride `width`,
/// distance 1), for which FFTW estimates buffered plans that copy again (1050: 50 against 98 us,
/// 4480: 173 against 777 us, 16 float columns). Forward is FFTW's sign -1, inverse +1, both
/// unnormalized. If it is not cached it is made on `buffer` (an AlignedBuffer of length * width
/// complex values), whose contents planning may overwrite: call this before filling the buffer.
/// Throws fftconv::Error(internal) if FFTW cannot plan it.
template <class T>
std::shared_ptr<const Plan> column_plan(Direction direction, int length, int width, T* buffer,
                                        Planning effort);

/// The cached out-of-place plan for a rank-1 real transform of n points between `real` (n
/// reals) and `spectrum` (n / 2 + 1 complex values), two aligned buffers, made like column_plan
/// (threads > 1: FFTW's threads split the transform).
/// With FFTW_ESTIMATE the in-place plan of a row copies it through a buffer of its own
/// ("dft-buffered"; 10% of a 1024^2 float one-shot call in perf); out of place it does not, and
/// the row is copied in or out anyway. The inverse overwrites `spectrum`.
template <class T>
std::shared_ptr<const Plan> row_plan(Direction direction, int n, T* real, T* spectrum,
                                     Planning effort, int threads);

/// The cached in-place plan for a real transform over a whole grid of `rank` (1..3) axes of
/// `lengths` (C order, the last axis fastest), stored as FFTW's in-place real layout: rows along
/// the last axis padded to 2 (n / 2 + 1) reals. forward (r2c) turns the real samples into the
/// half spectrum (n / 2 + 1 complex values per row, FFTW's sign -1) in the same buffer; inverse
/// (c2r) the other way, unnormalized, overwriting the spectrum. Made like column_plan, on
/// `buffer` (threads > 1: FFTW's threads split the transform).
template <class T>
std::shared_ptr<const Plan> grid_plan(Direction direction, int rank, const int* lengths, T* buffer,
                                      Planning effort, int threads);

/// Runs a plan from column_plan<T> or grid_plan<T> in place on `data` (an aligned buffer of the
/// plan's layout).
template <class T>
void execute(const Plan& plan, T* data);

/// Runs a plan from row_plan<T> between `real` and `spectrum` (aligned buffers of its layout).
template <class T>
void execute(const Plan& plan, T* real, T* spectrum);

/// The lock every FFTW planner, wisdom and plan-destroy call in fftconv holds (exported, with
/// initialize_fftw_threads, for libfftconv_mpi, whose fftw3-mpi plans take the same lock).
FFTCONV_API std::mutex& planner_mutex();

/// FFTW's threads library for both precisions, set up once. FFTW requires fftw_init_threads
/// before any other FFTW call (exported wisdom names threaded solvers, so importing it needs
/// them). Call with planner_mutex() held.
FFTCONV_API void initialize_fftw_threads();

/// Plans made so far (fftconv::fft_plans_created).
extern std::atomic<std::size_t> plan_count;

}  // namespace fftconv::detail::fft
