// Header text from a file, made safe for messages (issue 17, item 10).
#include <doctest/doctest.h>

#include <string>

#include "io/printable.hpp"

using fftconv::io::printable;

TEST_CASE("printable: control bytes, ESC, CR, LF, backslash and high bytes are escaped") {
  CHECK(printable("SIMPLE") == "SIMPLE");
  CHECK(printable(std::string("a\x1b[2Jb\r\n\t") + '\0' + "\\\x7f\xff") ==
        "a\\x1b[2Jb\\x0d\\x0a\\x09\\x00\\x5c\\x7f\\xff");
}

TEST_CASE("printable: long text is cut at the cap and says how much was left out") {
  const std::string long_text(10000, 'A');
  const std::string shown = printable(long_text);
  CHECK(shown == std::string(80, 'A') + "... (9920 more bytes)");
  CHECK(printable("abcdef", 3) == "abc... (3 more bytes)");
  CHECK(printable("abc", 3) == "abc");
  // The cap counts input bytes: an escaped byte never lets more than max_bytes through.
  CHECK(printable(std::string(100, '\n'), 2) == "\\x0a\\x0a... (98 more bytes)");
}
