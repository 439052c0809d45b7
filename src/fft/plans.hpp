#pragma once
// FFTW plans behind opaque handles (no fftw3.h here). Plans are made once per key and cached;
// all planning and destruction holds one process-wide lock, because FFTW's planner is not
// thread-safe while its execute functions are (FFTW manual, "Thread safety"). Plans are made on
// buffers we own before they are filled, and executed with the new-array functions on other
// buffers of ours from the same allocator (same alignment), never on user memory.
#include <array>
#include <atomic>
#include <cstddef>
#include <memory>
#include <mutex>

#include "fftconv/options.hpp"

namespace fftconv::detail::fft {

enum class Direction { forward, inverse };  ///< real-to-complex / complex-to-real

/// The logical real shape of an in-place multi-dimensional real transform. The buffer holds
/// n[0] x ... x n[rank-2] x 2 * (n[rank-1] / 2 + 1) reals (FFTW's padded in-place layout).
struct RealShape {
  int rank = 0;
  std::array<int, 3> n{};
  friend bool operator==(const RealShape& a, const RealShape& b) {
    return a.rank == b.rank && a.n == b.n;
  }
};

class Plan {
 public:
  virtual ~Plan() = default;
};

/// The cached in-place plan for `shape` in precision T (float or double). If it is not cached it
/// is made on `buffer` (an AlignedBuffer of the padded layout), whose contents planning may
/// overwrite: call this before filling the buffer. Throws fftconv::Error(internal) if FFTW
/// cannot plan it.
template <class T>
std::shared_ptr<const Plan> real_plan(Direction direction, const RealShape& shape, T* buffer,
                                      Planning effort, int threads);

/// The cached in-place plan for a block of `width` columns stored one after the other (column c
/// at c * length, interleaved complex): `width` complex transforms of `length` contiguous points
/// (FFTW's advanced interface, distance `length`). With FFTW_ESTIMATE this runs 2 to 4 times
/// faster than the same transforms on columns interleaved element by element (stride `width`,
/// distance 1), for which FFTW estimates buffered plans that copy again (1050: 50 against 98 us,
/// 4480: 173 against 777 us, 16 float columns). Forward is FFTW's sign -1, inverse +1, both
/// unnormalized. Made on `buffer` (length * width complex values) like real_plan.
template <class T>
std::shared_ptr<const Plan> column_plan(Direction direction, int length, int width, T* buffer,
                                        Planning effort);

/// Runs a plan from real_plan<T> or column_plan<T> in place on `data` (an aligned buffer of the
/// plan's layout).
template <class T>
void execute(const Plan& plan, T* data);

/// The lock every FFTW planner, wisdom and plan-destroy call in fftconv holds.
std::mutex& planner_mutex();

/// FFTW's threads library for both precisions, set up once. FFTW requires fftw_init_threads
/// before any other FFTW call (exported wisdom names threaded solvers, so importing it needs
/// them). Call with planner_mutex() held.
void initialize_fftw_threads();

/// Plans made so far (fftconv::fft_plans_created).
extern std::atomic<std::size_t> plan_count;

}  // namespace fftconv::detail::fft
