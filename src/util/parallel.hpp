#pragma once
// parallel_for: [0, count) split into pieces that `threads` threads claim in turn, the calling
// thread one of them. No pool: threads are made per call, which costs tens of microseconds, so
// callers only ask for more than one thread when the work is large (see the direct path).
#include <algorithm>
#include <atomic>
#include <cstddef>
#include <fstream>
#include <string>
#include <thread>
#include <vector>
#ifdef __linux__
#include <sched.h>
#endif

namespace fftconv::detail {

#ifdef __linux__
/// The CPUs the cgroup v2 CPU quota of this process allows, rounded up (cpu.max "quota period":
/// ceil(quota / period)), the smallest along its cgroup and the cgroups above it; 0 when there is
/// no quota ("max") or it cannot be read (no cgroup v2 mounted at /sys/fs/cgroup, cgroup v1).
inline int cgroup_cpu_limit() {
  std::ifstream self("/proc/self/cgroup");
  std::string line, path;
  while (std::getline(self, line))
    if (line.compare(0, 3, "0::") == 0) path = line.substr(3);  // the v2 hierarchy's entry
  if (path.empty() || path[0] != '/') return 0;
  int limit = 0;
  for (;;) {  // this cgroup, then each parent up to the root
    std::ifstream max("/sys/fs/cgroup" + (path == "/" ? std::string() : path) + "/cpu.max");
    std::string quota;
    unsigned long long period = 0;
    if (max >> quota >> period && quota != "max" && period > 0) {
      try {
        const unsigned long long q = std::stoull(quota);
        const unsigned long long cpus = std::max(1ull, (q + period - 1) / period);
        if (cpus < static_cast<unsigned long long>(limit) || limit == 0)
          limit = static_cast<int>(std::min<unsigned long long>(cpus, 1u << 20));
      } catch (...) {  // (not a number: no limit read)
      }
    }
    if (path == "/") break;
    path.erase(path.find_last_of('/'));
    if (path.empty()) path = "/";
  }
  return limit;
}
#endif

/// The threads this process can run at once: std::thread::hardware_concurrency (1 if it does not
/// know); on Linux the CPUs of its affinity mask (sched_getaffinity: taskset, cpusets, container
/// --cpuset-cpus) instead, and at most its cgroup v2 CPU quota rounded up (container --cpus),
/// which is read once per process (the affinity at every call).
inline int hardware_threads() {
  int count = static_cast<int>(std::max(1u, std::thread::hardware_concurrency()));
#ifdef __linux__
  cpu_set_t set;
  CPU_ZERO(&set);
  if (sched_getaffinity(0, sizeof set, &set) == 0) count = std::max(1, CPU_COUNT(&set));
  static const int quota = cgroup_cpu_limit();
  if (quota > 0) count = std::min(count, quota);
#endif
  return count;
}

/// The threads a call runs on for Options::threads = `requested` (>= 0): 0 means the hardware's
/// count, and more than it is clamped to it, so that nothing sized per thread (scratch arrays,
/// FFTW's threads) grows beyond the machine; each path then uses at most one thread per piece of
/// work it has (parallel_for's slots).
inline int usable_threads(int requested) {
  const int hardware = hardware_threads();
  return requested == 0 ? hardware : std::min(requested, hardware);
}

/// Pieces per thread: enough that a thread the system delays (a neighbour on a shared machine,
/// page faults on first touch) leaves its share to the others instead of making them wait at
/// the end, few enough that claiming one (an atomic increment) costs nothing.
constexpr std::size_t pieces_per_thread = 8;

/// Runs body(slot, begin, end) over pieces covering [0, count), each exactly once, on at most
/// `threads` threads; slot (< threads) names the thread running the piece, so body may use
/// per-slot working memory. A thread runs any number of pieces, in increasing order, and which
/// thread runs which piece is not fixed: body must give the same result wherever it runs. body
/// must not throw. If a thread cannot be started (no thread or no memory for it), the others
/// take its pieces: no exception leaves with threads still running.
template <class Body>
void parallel_for(std::size_t count, int threads, Body&& body) {
  const std::size_t slots = std::min<std::size_t>(static_cast<std::size_t>(std::max(threads, 1)),
                                                  std::max<std::size_t>(count, 1));
  if (slots == 1) {  // (no thread, no allocation: callable where nothing may throw)
    body(std::size_t{0}, std::size_t{0}, count);
    return;
  }
  const std::size_t pieces = std::min(count, slots * pieces_per_thread);
  std::atomic<std::size_t> next{0};
  const auto work = [&body, &next, count, pieces](std::size_t slot) {
    for (std::size_t i = next.fetch_add(1); i < pieces; i = next.fetch_add(1))
      body(slot, count * i / pieces, count * (i + 1) / pieces);
  };
  std::vector<std::thread> workers;
  try {
    workers.reserve(slots - 1);
  } catch (...) {  // (nothing started: the calling thread does it all)
    work(0);
    return;
  }
  for (std::size_t s = 1; s < slots; ++s) {
    try {  // std::system_error, or std::bad_alloc for the thread's state
      workers.emplace_back(work, s);
    } catch (...) {
      break;  // the threads running take this slot's pieces
    }
  }
  work(0);
  for (std::thread& w : workers)
    w.join();
}

}  // namespace fftconv::detail
