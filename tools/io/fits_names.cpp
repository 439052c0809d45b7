#include "fits_names.hpp"

#include <cctype>

namespace fftconv::io {

namespace {

bool ends_with_nocase(const std::string& s, const char* suffix) {
  const std::string tail(suffix);
  if (s.size() < tail.size()) return false;
  for (std::size_t i = 0; i < tail.size(); ++i)
    if (std::tolower(static_cast<unsigned char>(s[s.size() - tail.size() + i])) != tail[i])
      return false;
  return true;
}

/// Whether `path` ends in a FITS extension with a file name before it.
bool has_fits_extension(const std::string& path) {
  for (const char* ext : {".fits", ".fit", ".fts"})
    if (ends_with_nocase(path, ext)) {
      const std::size_t stem_end = path.size() - std::string(ext).size();
      return stem_end > 0 && path[stem_end - 1] != '/';
    }
  return false;
}

}  // namespace

bool is_gzip_fits_name(const std::string& path) {
  return ends_with_nocase(path, ".gz") && has_fits_extension(path.substr(0, path.size() - 3));
}

bool is_fits_name(const std::string& path) {
  return has_fits_extension(path) || is_gzip_fits_name(path);
}

InputPath split_hdu_selector(const std::string& path) {
  const std::size_t open = path.rfind('[');
  if (path.empty() || path.back() != ']' || open == std::string::npos ||
      !is_fits_name(path.substr(0, open)))
    return {path, ""};
  return {path.substr(0, open), path.substr(open + 1, path.size() - open - 2)};
}

}  // namespace fftconv::io
