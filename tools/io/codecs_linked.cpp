// codec() for programs that link FITS and TIFF support (tests, fuzzers, benchmarks): the
// codecs themselves, no module loaded (see codec.hpp).
#include <stdexcept>

#include "codec.hpp"
#include "files.hpp"

namespace fftconv::io {

const Codec& codec(Format format) {
  if (format == Format::fits) return fits_codec();
  if (format == Format::tiff) return tiff_codec();
  throw std::logic_error("fftconv::io::codec: no codec module for this format");
}

}  // namespace fftconv::io
