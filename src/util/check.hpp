#pragma once
// Argument checks at the API boundary: FFTCONV_CHECK(cond, code, parts...) throws
// fftconv::Error(code, "parts...") when cond is false. The parts are streamed, so a message
// names the argument and its value: FFTCONV_CHECK(n > 0, invalid_argument, "image extent ", n).
// Hot loops use assert only; every user-facing check goes through this macro.
#include <new>
#include <sstream>
#include <string>

#include "fftconv/error.hpp"

namespace fftconv::detail {

template <class... Parts>
std::string concat(const Parts&... parts) {
  std::ostringstream os;
  (os << ... << parts);
  return os.str();
}

template <class... Parts>
[[noreturn]] void fail(ErrorCode code, const Parts&... parts) {
  throw Error(code, concat(parts...));
}

/// Runs f (the work of a public call after validation), turning std::bad_alloc into
/// Error(out_of_memory) and prefixing errors raised below (allocation, planning) with the call.
template <class F>
void with_call_errors(const char* what, F&& f) {
  try {
    f();
  } catch (const std::bad_alloc&) {
    fail(ErrorCode::out_of_memory, what, ": out of memory");
  } catch (const Error& e) {
    throw Error(e.code(), std::string(what) + ": " + e.what());
  }
}

}  // namespace fftconv::detail

#define FFTCONV_CHECK(cond, code, ...)                                             \
  do {                                                                             \
    if (!(cond)) ::fftconv::detail::fail(::fftconv::ErrorCode::code, __VA_ARGS__); \
  } while (false)
