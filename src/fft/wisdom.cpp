// Wisdom export and import (FFTW manual, "Wisdom"): double and single precision wisdom are
// separate in FFTW; fftconv's string holds both, each as FFTW printed it, separated by a line.
#include <fftw3.h>

#include <unistd.h>

#include <atomic>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <sstream>
#include <string>

#include "fft/plans.hpp"
#include "fftconv/planning.hpp"
#include "util/check.hpp"

namespace fftconv {

namespace {

constexpr const char* separator = "\n;; fftconv: single precision wisdom follows\n";

std::string take(char* s) {  // FFTW's string, malloc'ed: the manual says to free() it
  std::string r = s ? s : "";
  std::free(s);
  return r;
}

std::atomic<unsigned> temporary_counter{0};

}  // namespace

std::string export_wisdom() {
  std::lock_guard<std::mutex> lock(detail::fft::planner_mutex());
  detail::fft::initialize_fftw_threads();
  return take(fftw_export_wisdom_to_string()) + separator + take(fftwf_export_wisdom_to_string());
}

void import_wisdom(const std::string& wisdom) {
  const std::size_t at = wisdom.find(separator);
  FFTCONV_CHECK(at != std::string::npos, invalid_argument,
                "fftconv::import_wisdom: not wisdom exported by fftconv (no precision separator)");
  const std::string double_part = wisdom.substr(0, at);
  const std::string float_part = wisdom.substr(at + std::string(separator).size());
  std::lock_guard<std::mutex> lock(detail::fft::planner_mutex());
  detail::fft::initialize_fftw_threads();
  FFTCONV_CHECK(double_part.empty() || fftw_import_wisdom_from_string(double_part.c_str()) != 0,
                invalid_argument,
                "fftconv::import_wisdom: FFTW rejected the double precision part");
  FFTCONV_CHECK(float_part.empty() || fftwf_import_wisdom_from_string(float_part.c_str()) != 0,
                invalid_argument,
                "fftconv::import_wisdom: FFTW rejected the single precision part");
}

void export_wisdom_to_file(const std::string& path) {
  const std::string wisdom = export_wisdom();
  // A name of its own per process and call, so concurrent exporters cannot mix their files.
  const std::string temporary =
      path + ".tmp." + std::to_string(::getpid()) + "." + std::to_string(temporary_counter++);
  {
    std::ofstream out(temporary, std::ios::binary | std::ios::trunc);
    out << wisdom;
    out.close();
    FFTCONV_CHECK(out.good(), invalid_argument, "fftconv::export_wisdom_to_file: cannot write ",
                  temporary);
  }
  if (std::rename(temporary.c_str(), path.c_str()) != 0) {
    std::remove(temporary.c_str());
    detail::fail(ErrorCode::invalid_argument, "fftconv::export_wisdom_to_file: cannot rename ",
                 temporary, " to ", path);
  }
}

void import_wisdom_from_file(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  FFTCONV_CHECK(in.good(), invalid_argument, "fftconv::import_wisdom_from_file: cannot read ",
                path);
  std::ostringstream contents;
  contents << in.rdbuf();
  try {
    import_wisdom(contents.str());
  } catch (const Error& e) {
    throw Error(e.code(), std::string(e.what()) + " (file " + path + ")");
  }
}

}  // namespace fftconv
