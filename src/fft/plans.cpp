#include "fft/plans.hpp"

#include <fftw3.h>

#include <algorithm>
#include <array>
#include <atomic>
#include <cassert>
#include <mutex>
#include <string>
#include <vector>

#include "fftconv/planning.hpp"
#include "fftconv/shape.hpp"
#include "util/check.hpp"

namespace fftconv::detail::fft {

namespace {

// Precision through traits, not macros.
template <class T>
struct fftw_traits;

template <>
struct fftw_traits<double> {
  using plan_type = fftw_plan;
  using complex_type = fftw_complex;
  static constexpr auto plan_r2c = fftw_plan_dft_r2c;
  static constexpr auto plan_c2r = fftw_plan_dft_c2r;
  static constexpr auto plan_many_dft = fftw_plan_many_dft;
  static constexpr auto execute_dft = fftw_execute_dft;
  static constexpr auto execute_r2c = fftw_execute_dft_r2c;
  static constexpr auto execute_c2r = fftw_execute_dft_c2r;
  static constexpr auto destroy = fftw_destroy_plan;
  static constexpr auto plan_with_nthreads = fftw_plan_with_nthreads;
};

template <>
struct fftw_traits<float> {
  using plan_type = fftwf_plan;
  using complex_type = fftwf_complex;
  static constexpr auto plan_r2c = fftwf_plan_dft_r2c;
  static constexpr auto plan_c2r = fftwf_plan_dft_c2r;
  static constexpr auto plan_many_dft = fftwf_plan_many_dft;
  static constexpr auto execute_dft = fftwf_execute_dft;
  static constexpr auto execute_r2c = fftwf_execute_dft_r2c;
  static constexpr auto execute_c2r = fftwf_execute_dft_c2r;
  static constexpr auto destroy = fftwf_destroy_plan;
  static constexpr auto plan_with_nthreads = fftwf_plan_with_nthreads;
};

// fftconv keeps its own planner lock (for its cache, and because fftw_plan_with_nthreads is a
// global setting it changes per plan, then resets to 1): fftw_make_planner_thread_safe is not
// called, so a host program that plans with FFTW from other threads must serialize with its own
// lock, as FFTW requires anyway.

}  // namespace
std::atomic<std::size_t> plan_count{0};  // plans made, for fftconv::fft_plans_created
namespace {

// What a plan transforms: a real row out of place (r2c / c2r), the columns of a complex block
// in place, or a real grid of rank 1..3 in place (r2c / c2r; the kind fixes the placement).
enum class Kind { real, columns, grid };

template <class T>
class TypedPlan final : public Plan {
 public:
  using traits = fftw_traits<T>;
  TypedPlan(typename traits::plan_type p, Kind kind, Direction d)
      : plan_(p), kind_(kind), direction_(d) {}
  ~TypedPlan() override {
    std::lock_guard<std::mutex> lock(planner_mutex());
    traits::destroy(plan_);
  }
  TypedPlan(const TypedPlan&) = delete;
  TypedPlan& operator=(const TypedPlan&) = delete;

  void execute(T* data) const {
    assert(kind_ == Kind::columns || kind_ == Kind::grid);
    assert(fftw_alignment_of(reinterpret_cast<double*>(data)) == 0);
    auto* spectrum = reinterpret_cast<typename traits::complex_type*>(data);
    if (kind_ == Kind::columns)
      traits::execute_dft(plan_, spectrum, spectrum);
    else if (direction_ == Direction::forward)
      traits::execute_r2c(plan_, data, spectrum);
    else
      traits::execute_c2r(plan_, spectrum, data);
  }
  void execute(T* real, T* spectrum_data) const {
    assert(kind_ == Kind::real);
    assert(fftw_alignment_of(reinterpret_cast<double*>(real)) == 0);
    assert(fftw_alignment_of(reinterpret_cast<double*>(spectrum_data)) == 0);
    auto* spectrum = reinterpret_cast<typename traits::complex_type*>(spectrum_data);
    if (direction_ == Direction::forward)
      traits::execute_r2c(plan_, real, spectrum);
    else
      traits::execute_c2r(plan_, spectrum, real);
  }

 private:
  typename traits::plan_type plan_;
  Kind kind_;
  Direction direction_;
};

// A complete key: everything that makes two plans different (STYLE.md: Eigen's FFT once reused
// an r2c plan for a c2c call because its key lacked the kind).
struct PlanKey {
  std::size_t precision = 0;  // sizeof(T)
  Kind kind = Kind::real;
  Direction direction = Direction::forward;
  int length = 0;  // the transform length: a row's, or each column's of a block
  int width = 0;   // columns: the block width (transforms per batch)
  int rank = 1;    // grid: its axes, whose lengths are `grid`
  std::array<int, 3> grid{};
  unsigned flags = 0;  // planning effort
  int threads = 1;
  int alignment = 0;  // fftw_alignment_of the buffers: 0 for fft/memory's, ours throughout
  friend bool operator==(const PlanKey& a, const PlanKey& b) {
    return a.precision == b.precision && a.kind == b.kind && a.direction == b.direction &&
           a.length == b.length && a.width == b.width && a.rank == b.rank && a.grid == b.grid &&
           a.flags == b.flags && a.threads == b.threads && a.alignment == b.alignment;
  }
};

// "real transform of length 12", "real grid transform of lengths 4x5x6": for messages.
std::string describe(const PlanKey& key) {
  if (key.kind != Kind::grid)
    return concat(key.kind == Kind::columns ? "column" : "real", " transform of length ",
                  key.length);
  Shape lengths;
  for (int a = 0; a < key.rank; ++a)
    lengths.push_back(static_cast<std::size_t>(key.grid[static_cast<std::size_t>(a)]));
  return "real grid transform of lengths " + to_string(lengths);
}

// Bounded LRU of shared plans (pocketfft/ducc style): built outside the cache lock, checked
// again before insert. Eviction only drops the cache's reference; a plan in use lives on.
class PlanCache {
 public:
  static constexpr std::size_t capacity = 64;

  // (`spectrum_buffer`: an out-of-place plan's complex buffer; in place, `buffer` holds all.)
  template <class T>
  std::shared_ptr<const Plan> get(const PlanKey& key, T* buffer, T* spectrum_buffer = nullptr) {
    {
      std::lock_guard<std::mutex> lock(mutex_);
      if (auto hit = find_and_touch(key)) return hit;
    }
    std::shared_ptr<const Plan> made =
        make<T>(key, buffer, spectrum_buffer != nullptr ? spectrum_buffer : buffer);
    std::vector<std::shared_ptr<const Plan>> evicted;  // released after the lock
    std::lock_guard<std::mutex> lock(mutex_);
    if (auto hit = find_and_touch(key)) return hit;
    entries_.insert(entries_.begin(), Entry{key, made});
    while (entries_.size() > capacity) {
      evicted.push_back(std::move(entries_.back().plan));
      entries_.pop_back();
    }
    return made;
  }

 private:
  struct Entry {
    PlanKey key;
    std::shared_ptr<const Plan> plan;
  };

  std::shared_ptr<const Plan> find_and_touch(const PlanKey& key) {
    auto it = std::find_if(entries_.begin(), entries_.end(),
                           [&](const Entry& e) { return e.key == key; });
    if (it == entries_.end()) return nullptr;
    std::rotate(entries_.begin(), it, it + 1);  // most recently used first
    return entries_.front().plan;
  }

  template <class T>
  static std::shared_ptr<const Plan> make(const PlanKey& key, T* buffer, T* spectrum_buffer) {
    using traits = fftw_traits<T>;
    const int* n = &key.length;
    auto* spectrum = reinterpret_cast<typename traits::complex_type*>(spectrum_buffer);
    typename traits::plan_type p;
    {
      std::lock_guard<std::mutex> lock(planner_mutex());
      initialize_fftw_threads();
      traits::plan_with_nthreads(key.threads);
      if (key.kind == Kind::columns)
        p = traits::plan_many_dft(
            1, n, key.width, spectrum, nullptr, 1, key.length, spectrum, nullptr, 1, key.length,
            key.direction == Direction::forward ? FFTW_FORWARD : FFTW_BACKWARD, key.flags);
      else if (key.kind == Kind::grid)
        p = key.direction == Direction::forward
                ? traits::plan_r2c(key.rank, key.grid.data(), buffer, spectrum, key.flags)
                : traits::plan_c2r(key.rank, key.grid.data(), spectrum, buffer, key.flags);
      else
        p = key.direction == Direction::forward
                ? traits::plan_r2c(1, n, buffer, spectrum, key.flags)
                : traits::plan_c2r(1, n, spectrum, buffer, key.flags);
      traits::plan_with_nthreads(1);  // leave FFTW's global setting as we found it
    }
    FFTCONV_CHECK(p != nullptr, internal, "FFTW could not plan a ", describe(key));
    ++plan_count;
    return std::make_shared<TypedPlan<T>>(p, key.kind, key.direction);
  }

  std::mutex mutex_;
  std::vector<Entry> entries_;
};

PlanCache& cache() {
  static PlanCache& c = *new PlanCache;
  return c;
}

}  // namespace

// The lock and the cache are never destroyed: a call from a static destructor or from a thread
// still running at exit must not find them gone (the OS reclaims the plans).
std::mutex& planner_mutex() {
  static std::mutex& m = *new std::mutex;
  return m;
}

void initialize_fftw_threads() {
  static bool done = false;  // guarded by planner_mutex()
  if (done) return;
  FFTCONV_CHECK(fftw_init_threads() != 0 && fftwf_init_threads() != 0, internal,
                "FFTW could not initialize its threads");
  done = true;
}

namespace {
unsigned fftw_flags(Planning effort) {
  switch (effort) {
    case Planning::measure:
      return FFTW_MEASURE;
    case Planning::patient:
      return FFTW_PATIENT;
    case Planning::estimate:
      break;
  }
  return FFTW_ESTIMATE;
}
}  // namespace

template <class T>
std::shared_ptr<const Plan> column_plan(Direction direction, int length, int width, T* buffer,
                                        Planning effort) {
  PlanKey key;
  key.precision = sizeof(T);
  key.kind = Kind::columns;
  key.direction = direction;
  key.length = length;
  key.width = width;
  key.flags = fftw_flags(effort);
  key.threads = 1;
  key.alignment = 0;
  return cache().get<T>(key, buffer);
}

template <class T>
std::shared_ptr<const Plan> row_plan(Direction direction, int n, T* real, T* spectrum,
                                     Planning effort, int threads) {
  PlanKey key;
  key.precision = sizeof(T);
  key.direction = direction;
  key.length = n;
  key.flags = fftw_flags(effort);
  key.threads = threads;
  key.alignment = 0;
  return cache().get<T>(key, real, spectrum);
}

template <class T>
std::shared_ptr<const Plan> grid_plan(Direction direction, int rank, const int* lengths, T* buffer,
                                      Planning effort, int threads) {
  assert(rank >= 1 && rank <= 3);
  PlanKey key;
  key.precision = sizeof(T);
  key.kind = Kind::grid;
  key.direction = direction;
  key.rank = rank;
  std::copy(lengths, lengths + rank, key.grid.begin());
  key.flags = fftw_flags(effort);
  key.threads = threads;
  key.alignment = 0;
  return cache().get<T>(key, buffer);
}

template <class T>
void execute(const Plan& plan, T* data) {
  static_cast<const TypedPlan<T>&>(plan).execute(data);
}

template <class T>
void execute(const Plan& plan, T* real, T* spectrum) {
  static_cast<const TypedPlan<T>&>(plan).execute(real, spectrum);
}

template std::shared_ptr<const Plan> column_plan<float>(Direction, int, int, float*, Planning);
template std::shared_ptr<const Plan> column_plan<double>(Direction, int, int, double*, Planning);
template std::shared_ptr<const Plan> row_plan<float>(Direction, int, float*, float*, Planning, int);
template std::shared_ptr<const Plan> row_plan<double>(Direction, int, double*, double*, Planning,
                                                      int);
template std::shared_ptr<const Plan> grid_plan<float>(Direction, int, const int*, float*, Planning,
                                                      int);
template std::shared_ptr<const Plan> grid_plan<double>(Direction, int, const int*, double*,
                                                       Planning, int);
template void execute<float>(const Plan&, float*);
template void execute<double>(const Plan&, double*);
template void execute<float>(const Plan&, float*, float*);
template void execute<double>(const Plan&, double*, double*);

}  // namespace fftconv::detail::fft

namespace fftconv {
std::size_t fft_plans_created() {
  return detail::fft::plan_count.load();
}
}  // namespace fftconv
