#include "progress.hpp"

#include <unistd.h>

#include <cstdio>

namespace fftconv::cli {

namespace {
constexpr auto delay = std::chrono::seconds(1);
constexpr auto period = std::chrono::milliseconds(200);
constexpr int bar_width = 30;
}  // namespace

Progress::Progress(bool enabled) : enabled_(enabled) {
  if (enabled_) thread_ = std::thread([this] { run(); });
}

Progress::~Progress() {
  {
    std::lock_guard<std::mutex> lock(mutex_);
    stop_ = true;
    erase_locked();
  }
  wake_.notify_all();
  if (thread_.joinable()) thread_.join();
}

bool Progress::stderr_is_terminal() {
  return ::isatty(STDERR_FILENO) == 1;
}

void Progress::update(std::size_t done, std::size_t total, std::string what) {
  std::lock_guard<std::mutex> lock(mutex_);
  done_ = done;
  total_ = total == 0 ? 1 : total;
  what_ = std::move(what);
}

void Progress::print(const std::string& line) {
  std::lock_guard<std::mutex> lock(mutex_);
  erase_locked();
  std::fprintf(stderr, "%s\n", line.c_str());
  if (enabled_ && std::chrono::steady_clock::now() - start_ >= delay) draw_locked();
}

void Progress::run() {
  std::unique_lock<std::mutex> lock(mutex_);
  while (!wake_.wait_for(lock, period, [this] { return stop_; }))
    if (std::chrono::steady_clock::now() - start_ >= delay) draw_locked();
}

void Progress::draw_locked() {
  const auto elapsed =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - start_).count();
  const auto filled = static_cast<int>(bar_width * done_ / total_);
  std::string bar(static_cast<std::size_t>(filled), '=');
  bar.resize(bar_width, ' ');
  std::fprintf(stderr, "\r\033[K[%s] %zu/%zu %s  %.0f s", bar.c_str(), done_, total_, what_.c_str(),
               elapsed);
  std::fflush(stderr);
  drawn_ = true;
}

void Progress::erase_locked() {
  if (!drawn_) return;
  std::fprintf(stderr, "\r\033[K");
  std::fflush(stderr);
  drawn_ = false;
}

}  // namespace fftconv::cli
