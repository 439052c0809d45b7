#pragma once
// parallel_for: [0, count) split into `threads` contiguous chunks, the calling thread taking the
// first. No pool: threads are made per call, which costs tens of microseconds, so callers only
// ask for more than one thread when the work is large (see the direct path).
#include <algorithm>
#include <cstddef>
#include <thread>
#include <vector>

namespace fftconv::detail {

/// Runs body(chunk, begin, end) for `threads` chunks covering [0, count). body must not throw.
/// If a thread cannot be started (no thread or no memory for it), its chunk runs on the calling
/// thread: every chunk runs exactly once and no exception leaves with threads still running.
template <class Body>
void parallel_for(std::size_t count, int threads, Body&& body) {
  const std::size_t chunks = std::min<std::size_t>(static_cast<std::size_t>(std::max(threads, 1)),
                                                   std::max<std::size_t>(count, 1));
  if (chunks == 1) {  // (no thread, no allocation: callable where nothing may throw)
    body(std::size_t{0}, std::size_t{0}, count);
    return;
  }
  auto range = [&](std::size_t c) {
    return std::pair<std::size_t, std::size_t>{count * c / chunks, count * (c + 1) / chunks};
  };
  std::vector<std::thread> workers;
  std::vector<std::size_t> inline_chunks;
  workers.reserve(chunks);  // (may throw, but before any thread starts)
  inline_chunks.reserve(chunks);
  for (std::size_t c = 1; c < chunks; ++c) {
    try {  // std::system_error, or std::bad_alloc for the thread's state
      workers.emplace_back([&body, c, r = range(c)] { body(c, r.first, r.second); });
    } catch (...) {
      inline_chunks.push_back(c);  // (capacity reserved: does not throw)
    }
  }
  const auto first = range(0);
  body(std::size_t{0}, first.first, first.second);
  for (std::size_t c : inline_chunks)
    body(c, range(c).first, range(c).second);
  for (std::thread& w : workers)
    w.join();
}

}  // namespace fftconv::detail
