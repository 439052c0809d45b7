#pragma once
// A one-line progress display on stderr: shown only when stderr is a terminal (never on a pipe
// or file) and the work has taken more than a second, redrawn by a background thread and at
// every step, erased when done. Warnings go through it so they never interleave with the bar.
//
// The work is counted in files and, within a file, in the steps the program can observe: the
// planes of a stack that is filtered plane by plane, the iterations of a deconvolution. The bar
// shows the fraction done, the time elapsed and, once a step is done, the time left estimated from
// the rate so far (elapsed x remaining / done). A file filtered in one library call is one step:
// its bar shows the phase (reading, filtering, writing) and the elapsed time only.
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

  /// Item `done` of `total` (0-based), now doing `what` ("reading a.fits"); no steps yet.
  void update(std::size_t done, std::size_t total, std::string what);
  /// Within the current item: `done` of `total` steps ("plane" 3 of 40) finished.
  void step(std::size_t done, std::size_t total, const char* unit);
  /// As step, shown as `text` instead of "unit done/total" (deconvolve: "iteration 7/50,
  /// change 3.1e-03").
  void step(std::size_t done, std::size_t total, std::string text);
  /// Prints a line (a warning) above the bar.
  void print(const std::string& line);

  /// Whether stderr is a terminal (the default for `enabled`).
  static bool stderr_is_terminal();

 private:
  void run();
  bool due_locked() const;
  void draw_locked();
  void erase_locked();

  std::mutex mutex_;
  std::condition_variable wake_;
  bool enabled_, stop_ = false, drawn_ = false;
  std::size_t done_ = 0, total_ = 1;        // items (files)
  std::size_t steps_done_ = 0, steps_ = 0;  // within the item; steps_ 0: not counted
  const char* unit_ = "";
  std::string step_text_;  // shown instead of "unit done/total" when not empty
  std::string what_;
  std::chrono::steady_clock::duration delay_;  // before the bar appears
  std::chrono::steady_clock::time_point start_ = std::chrono::steady_clock::now();
  std::thread thread_;
};

}  // namespace fftconv::cli
