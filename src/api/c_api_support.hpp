#pragma once
// What every C API function shares (c_api.cpp, c_api_deconvolve.cpp): the thread-local message
// of the last failure, the guard that turns every exception into a status, and the checks of
// what C can get wrong (NULL pointers, ranks, shapes).
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <new>

#include "fftconv/fftconv.h"
#include "fftconv/shape.hpp"
#include "util/check.hpp"
#include "util/checked_math.hpp"

namespace fftconv::detail::c_api {

// The message of this thread's last call: a fixed buffer, so storing it never allocates or throws
// (a bad_alloc while reporting a bad_alloc must not escape the noexcept boundary).
// (The buffer is a function-local thread_local of c_api.cpp: one definition, internal linkage.)
char* last_error_buffer() noexcept;
constexpr std::size_t last_error_size = 512;

inline void set_error(const char* message) noexcept {
  std::snprintf(last_error_buffer(), last_error_size, "%s", message);
}

// Runs f; returns FFTCONV_OK, or the status of the exception it threw with its message kept.
template <class F>
int guarded(F&& f) noexcept {
  try {
    f();
    last_error_buffer()[0] = '\0';
    return FFTCONV_OK;
  } catch (const fftconv::Error& e) {
    set_error(e.what());
    switch (e.code()) {
      case fftconv::ErrorCode::invalid_argument:
        return FFTCONV_INVALID_ARGUMENT;
      case fftconv::ErrorCode::out_of_memory:
        return FFTCONV_OUT_OF_MEMORY;
      case fftconv::ErrorCode::internal:
        break;
    }
    return FFTCONV_INTERNAL_ERROR;
  } catch (const std::bad_alloc&) {
    set_error("out of memory");
    return FFTCONV_OUT_OF_MEMORY;
  } catch (const std::exception& e) {
    std::snprintf(last_error_buffer(), last_error_size, "internal error: %s", e.what());
    return FFTCONV_INTERNAL_ERROR;
  } catch (...) {
    set_error("internal error: unknown exception");
    return FFTCONV_INTERNAL_ERROR;
  }
}

inline void check_pointer(const void* p, const char* what, const char* name) {
  FFTCONV_CHECK(p != nullptr, invalid_argument, what, ": ", name, " is NULL");
}

inline fftconv::Shape to_shape(int rank, const size_t* shape, const char* what, const char* name) {
  FFTCONV_CHECK(rank >= 1 && rank <= fftconv::max_rank, invalid_argument, what,
                ": rank must be 1 to ", fftconv::max_rank, ", got ", rank);
  check_pointer(shape, what, name);
  fftconv::Shape s;
  std::size_t count = 1;
  for (int i = 0; i < rank; ++i) {
    s.push_back(shape[i]);
    count = fftconv::detail::checked_mul(count, shape[i], name);  // names the shape on overflow
  }
  FFTCONV_CHECK(count <= static_cast<std::size_t>(PTRDIFF_MAX), invalid_argument, what, ": ", name,
                " has ", count, " elements, more than an array can index");
  return s;
}

}  // namespace fftconv::detail::c_api
