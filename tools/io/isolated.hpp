#pragma once
// Runs a decoder in a child process, for libraries that cannot be trusted with corrupt input:
// Debian 12's cfitsio (4.2) divides by zero and reads out of bounds on some corrupt FITS
// headers and compressed tiles (found by fuzz_fits). In a child, such a crash is an IoError
// ("corrupt file"), not a crashed program, and whatever the library does to its memory stays
// there. The decoded image comes back through an anonymous memory file.
#include <functional>

#include "image.hpp"

namespace fftconv::io {

/// decode() in a forked child: its Image, or its IoError (message kept), or an IoError saying
/// the decoder crashed on the file (or was killed: out of memory). Peak memory is about three
/// times the image (the child's copy, the memory file, the parent's copy). Another failure in the
/// child (an exception other than IoError/bad_alloc, a sanitizer report) is a std::logic_error: a
/// bug, not bad input. `what` names the decoder in messages ("cfitsio").
/// `pixels` false: decode() returns only the header (shape, type, cards; no bytes), and so does
/// decode_isolated.
Image decode_isolated(const std::function<Image()>& decode, const ReadLimits& limits,
                      const char* what, bool pixels = true);

}  // namespace fftconv::io
