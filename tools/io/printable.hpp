#pragma once
// Text taken from a file (FITS keywords, .npy header text, TIFF tags) made safe to put in a
// message: a crafted file must not send newlines or terminal escape sequences to the user's
// terminal or logs, nor flood them.
#include <cstddef>
#include <string>
#include <string_view>

namespace fftconv::io {

/// `text` with every byte outside printable ASCII (0x20..0x7e) and the backslash written as a
/// \xNN escape (ESC -> \x1b, LF -> \x0a), cut after `max_bytes` bytes of the input with
/// "... (N more bytes)" appended. Quote the result in messages.
std::string printable(std::string_view text, std::size_t max_bytes = 80);

}  // namespace fftconv::io
