#pragma once
// A one-line progress display on stderr: shown only when stderr is a terminal and the work has
// taken more than a second, redrawn by a background thread, erased when done. Warnings go
// through it so they never interleave with the bar.
#include <chrono>
#include <condition_variable>
#include <cstddef>
#include <mutex>
#include <string>
#include <thread>

namespace fftconv::cli {

class Progress {
 public:
  /// `enabled` false (--quiet, or stderr not a terminal) draws nothing.
  explicit Progress(bool enabled);
  Progress(const Progress&) = delete;
  Progress& operator=(const Progress&) = delete;
  ~Progress();

  /// Item `done` of `total` (0-based), now doing `what` ("reading a.fits").
  void update(std::size_t done, std::size_t total, std::string what);
  /// Prints a line (a warning) above the bar.
  void print(const std::string& line);

  /// Whether stderr is a terminal (the default for `enabled`).
  static bool stderr_is_terminal();

 private:
  void run();
  void draw_locked();
  void erase_locked();

  std::mutex mutex_;
  std::condition_variable wake_;
  bool enabled_, stop_ = false, drawn_ = false;
  std::size_t done_ = 0, total_ = 1;
  std::string what_;
  std::chrono::steady_clock::time_point start_ = std::chrono::steady_clock::now();
  std::thread thread_;
};

}  // namespace fftconv::cli
