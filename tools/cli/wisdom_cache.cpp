#include "wisdom_cache.hpp"

#include <sys/stat.h>

#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <sstream>
#include <utility>

#include "fftconv/error.hpp"
#include "fftconv/planning.hpp"

namespace fftconv::cli {

namespace {

/// The variable's value if it is an absolute path, else "".
std::string absolute_from_environment(const char* name) {
  const char* value = std::getenv(name);
  return value && value[0] == '/' ? value : "";
}

/// Creates `dir` with mode 0700 unless it exists; false (errno set) if it cannot.
bool make_private_directory(const std::string& dir) {
  if (::mkdir(dir.c_str(), 0700) == 0) return ::chmod(dir.c_str(), 0700) == 0;  // (umask)
  struct stat st {};
  return errno == EEXIST && ::stat(dir.c_str(), &st) == 0 && S_ISDIR(st.st_mode);
}

}  // namespace

std::string default_wisdom_path() {
  std::string cache = absolute_from_environment("XDG_CACHE_HOME");
  if (cache.empty()) {
    const std::string home = absolute_from_environment("HOME");
    if (home.empty()) return "";
    cache = home + "/.cache";
  }
  return cache + "/fftconv/wisdom";
}

WisdomCache::WisdomCache(const std::string& option, Planning planning,
                         std::function<void(const std::string&)> warn)
    : warn_(std::move(warn)) {
  if (planning == Planning::estimate || option == "none") return;
  default_location_ = option.empty();
  path_ = default_location_ ? default_wisdom_path() : option;
  if (path_.empty()) return;
  std::ifstream in(path_, std::ios::binary);
  if (!in) return;  // (none yet: the first run with this file)
  std::ostringstream contents;
  contents << in.rdbuf();
  try {
    import_wisdom(contents.str());
    loaded_ = contents.str();
  } catch (const Error& e) {
    warn_("fftconv: warning: " + path_ + ": not FFTW wisdom of this FFTW version, ignored (" +
          e.what() + "); it will be replaced");
  }
}

void WisdomCache::save() {
  if (path_.empty()) return;
  try {
    if (export_wisdom() == loaded_) return;  // nothing learned: leave the file alone
    if (default_location_) {
      // $XDG_CACHE_HOME (or ~/.cache) and its fftconv directory, private to the user.
      const std::string dir = path_.substr(0, path_.rfind('/'));
      const std::string cache = dir.substr(0, dir.rfind('/'));
      if (!make_private_directory(cache) || !make_private_directory(dir)) {
        warn_("fftconv: warning: " + dir + ": cannot create the wisdom directory (" +
              std::strerror(errno) + "); wisdom not saved");
        return;
      }
    }
    export_wisdom_to_file(path_);
  } catch (const Error& e) {
    warn_("fftconv: warning: wisdom not saved: " + std::string(e.what()));
  }
}

}  // namespace fftconv::cli
