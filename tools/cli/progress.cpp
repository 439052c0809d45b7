#include "progress.hpp"

#include <unistd.h>

#include <cstdio>
#include <cstdlib>

namespace fftconv::cli {

namespace {
constexpr auto period = std::chrono::milliseconds(200);
constexpr int bar_width = 30;

/// FFTCONV_PROGRESS_DELAY=SECONDS: how long the work runs before the bar appears (default 1).
std::chrono::steady_clock::duration delay_from_environment() {
  double seconds = 1;
  if (const char* text = std::getenv("FFTCONV_PROGRESS_DELAY")) {
    char* end = nullptr;
    const double v = std::strtod(text, &end);
    if (end != text && *end == '\0' && v >= 0 && v <= 3600) seconds = v;
  }
  return std::chrono::duration_cast<std::chrono::steady_clock::duration>(
      std::chrono::duration<double>(seconds));
}

/// "12 s", "4 min 05 s", "2 h 03 min".
std::string duration_text(double seconds) {
  const auto s = static_cast<long long>(seconds + 0.5);
  char text[48];
  if (s < 60)
    std::snprintf(text, sizeof text, "%lld s", s);
  else if (s < 3600)
    std::snprintf(text, sizeof text, "%lld min %02lld s", s / 60, s % 60);
  else
    std::snprintf(text, sizeof text, "%lld h %02lld min", s / 3600, s / 60 % 60);
  return text;
}

}  // namespace

Progress::Progress(bool enabled) : enabled_(enabled), delay_(delay_from_environment()) {
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
  steps_done_ = steps_ = 0;
  step_text_.clear();
  what_ = std::move(what);
  if (due_locked()) draw_locked();
}

void Progress::step(std::size_t done, std::size_t total, const char* unit) {
  std::lock_guard<std::mutex> lock(mutex_);
  steps_done_ = done;
  steps_ = total;
  unit_ = unit;
  step_text_.clear();
  if (due_locked()) draw_locked();
}

void Progress::step(std::size_t done, std::size_t total, std::string text) {
  std::lock_guard<std::mutex> lock(mutex_);
  steps_done_ = done;
  steps_ = total;
  step_text_ = std::move(text);
  if (due_locked()) draw_locked();
}

void Progress::print(const std::string& line) {
  std::lock_guard<std::mutex> lock(mutex_);
  erase_locked();
  std::fprintf(stderr, "%s\n", line.c_str());
  if (due_locked()) draw_locked();
}

void Progress::run() {
  std::unique_lock<std::mutex> lock(mutex_);
  while (!wake_.wait_for(lock, period, [this] { return stop_; }))
    if (due_locked()) draw_locked();
}

bool Progress::due_locked() const {
  return enabled_ && !stop_ && std::chrono::steady_clock::now() - start_ >= delay_;
}

void Progress::draw_locked() {
  const double elapsed =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - start_).count();
  const double within = steps_ ? static_cast<double>(steps_done_) / static_cast<double>(steps_) : 0;
  const double fraction = (static_cast<double>(done_) + within) / static_cast<double>(total_);
  std::string bar(static_cast<std::size_t>(bar_width * fraction), '=');
  bar.resize(bar_width, ' ');
  std::string line = "[" + bar + "] ";
  if (total_ > 1) line += std::to_string(done_ + 1) + "/" + std::to_string(total_) + " ";
  line += what_;
  if (!step_text_.empty())
    line += ", " + step_text_;
  else if (steps_)
    line += ", " + std::string(unit_) + " " + std::to_string(steps_done_) + "/" +
            std::to_string(steps_);
  line += "  " + duration_text(elapsed) + " elapsed";
  if (fraction > 0 && fraction < 1)
    line += ", ~" + duration_text(elapsed * (1 - fraction) / fraction) + " left";
  std::fprintf(stderr, "\r\033[K%s", line.c_str());
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
