#pragma once
// FFTW wisdom kept between runs of the program, so that `--planning measure` (or patient) pays
// its planning time once per transform size instead of on every run. The file is the user's
// cache ($XDG_CACHE_HOME/fftconv/wisdom, else $HOME/.cache/fftconv/wisdom; the directory made
// with mode 0700) or --wisdom FILE; --wisdom none neither reads nor writes one. With
// --planning estimate nothing is read or written (FFTW's estimate needs no wisdom).
#include <functional>
#include <string>

#include "fftconv/options.hpp"

namespace fftconv::cli {

/// $XDG_CACHE_HOME/fftconv/wisdom, else $HOME/.cache/fftconv/wisdom; empty when neither
/// variable holds an absolute path (the XDG rule: a relative XDG_CACHE_HOME is ignored).
std::string default_wisdom_path();

class WisdomCache {
 public:
  /// `option`: --wisdom's value (empty: the default path; "none": no file). Imports the file's
  /// wisdom when the planning uses it and the file exists; a file FFTW rejects is ignored with
  /// a warning through `warn`.
  WisdomCache(const std::string& option, Planning planning,
              std::function<void(const std::string&)> warn);

  /// After a successful run: writes the wisdom back (a temporary, then a rename) if this run
  /// added to it. A failure to write is a warning, not an error: the results are written.
  void save();

  /// The file read and written; empty when none is.
  const std::string& path() const { return path_; }

 private:
  std::string path_, loaded_;
  bool default_location_ = false;
  std::function<void(const std::string&)> warn_;
};

}  // namespace fftconv::cli
