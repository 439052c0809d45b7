// The entry point of a codec module (fftconv-fits.so, fftconv-tiff.so): the codec that
// FFTCONV_MODULE_CODEC names, found by the program with dlsym (see codec.hpp). The module's
// references to the file layer bind to the program's own copy, which exports it.
#include "codec.hpp"

extern "C" __attribute__((visibility("default"))) const fftconv::io::Codec* FFTCONV_CODEC_ENTRY() {
  return &fftconv::io::FFTCONV_MODULE_CODEC();
}
