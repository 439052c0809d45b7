// codec() for the fftconv program: FITS and TIFF support are modules (fftconv-fits.so,
// fftconv-tiff.so) loaded the first time a file of that format is read or written, so a run
// on .npy or .png files never loads cfitsio, libtiff or what they bring (see io/codec.hpp).
// A module is looked up only in the directory installed for it, relative to the program's own
// file (FFTCONV_MODULE_DIR, e.g. ../lib/x86_64-linux-gnu/fftconv): never in the working
// directory or on a search path. The build tree has the same layout.
#include <dlfcn.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <filesystem>
#include <stdexcept>
#include <string>

#include "io/codec.hpp"
#include "io/files.hpp"

namespace fftconv::io {

namespace {

std::string program_directory() {
  std::string path(4096, '\0');
  const ssize_t n = ::readlink("/proc/self/exe", path.data(), path.size());
  if (n <= 0 || static_cast<std::size_t>(n) >= path.size())
    throw IoError(std::string("cannot find the fftconv program's own file (/proc/self/exe): ") +
                  std::strerror(errno));
  path.resize(static_cast<std::size_t>(n));
  return path.substr(0, path.rfind('/'));
}

const Codec& load(const char* module, const char* format) {
  const std::string path =
      (std::filesystem::path(program_directory()) / FFTCONV_MODULE_DIR / module).lexically_normal();
  // (Never closed: the codec's code must stay for the rest of the run.)
  void* handle = ::dlopen(path.c_str(), RTLD_NOW | RTLD_LOCAL);
  if (!handle)
    throw IoError(std::string(format) + " support is missing: its module cannot be loaded (" +
                  ::dlerror() + ")");
  using Entry = const Codec* (*)();
  const auto entry =
      reinterpret_cast<Entry>(::dlsym(handle, FFTCONV_STRING_OF(FFTCONV_CODEC_ENTRY)));
  if (!entry)
    throw IoError(std::string(format) + " support is missing: " + path +
                  " is not this version's module (" + ::dlerror() + ")");
  return *entry();
}

}  // namespace

const Codec& codec(Format format) {
  // (Function-local statics: loaded once, thread-safe; a failed load is retried next time.)
  if (format == Format::fits) {
    static const Codec& fits = load("fftconv-fits.so", "FITS");
    return fits;
  }
  if (format == Format::tiff) {
    static const Codec& tiff = load("fftconv-tiff.so", "TIFF");
    return tiff;
  }
  throw std::logic_error("fftconv::io::codec: no codec module for this format");
}

}  // namespace fftconv::io
