#pragma once
// What every C API function shares (c_api.cpp, c_api_deconvolve.cpp, c_api_frequency.cpp): the
// thread-local message of the last failure, the guard that turns every exception into a status,
// the checks of what C can get wrong (NULL pointers, ranks, shapes), the extensible options
// structs' struct_size rule, and the C++ types of the C complex elements.
#include <algorithm>
#include <complex>
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstring>
#include <iterator>
#include <new>
#include <string>

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

// A C flag (0 or 1) as a bool, or the error naming it (`name`: as the caller passed it).
inline bool read_flag(int value, const char* what, const char* name) {
  FFTCONV_CHECK(value == 0 || value == 1, invalid_argument, what, ": ", name,
                " must be 0 or 1, got ", value);
  return value == 1;
}

// ---- Extensible options structs (fftconv.h: fftconv_options' rule) ----------------------------
// `sizes`: the sizeof of every released layout of the struct, oldest first, the last this
// library's own; `type`: the struct's name, for messages ("fftconv_options").

// Refuses a struct_size that is no released layout's, naming it (`name`: how the caller passed
// it). A size beyond this library's struct is a newer header's and says so.
template <std::size_t N>
void check_struct_size(std::size_t size, const std::size_t (&sizes)[N], const char* type,
                       const char* what, const char* name) {
  FFTCONV_CHECK(size <= sizes[N - 1], invalid_argument, what, ": ", name, " is ", size,
                ", larger than the ", sizes[N - 1], " bytes of the ", type,
                " this library knows (a program built against a newer fftconv.h needs a library "
                "at least as new)");
  std::string known;  // "88, 96"
  for (std::size_t s : sizes)
    known += (known.empty() ? "" : ", ") + std::to_string(s);
  FFTCONV_CHECK(std::find(std::begin(sizes), std::end(sizes), size) != std::end(sizes),
                invalid_argument, what, ": ", name, " is ", size, ", not the size of an ", type,
                " layout this library knows (", known, "): set it with ", type, "_default");
}

// The caller's struct in this library's layout: the fields its struct_size covers, `defaults`
// after them (struct_size this library's own); NULL: the defaults.
template <class Struct, std::size_t N>
Struct read_struct(const Struct* options, Struct defaults, const std::size_t (&sizes)[N],
                   const char* type, const char* what) {
  if (!options) return defaults;
  const std::size_t size = options->struct_size;
  check_struct_size(size, sizes, type, what, "options.struct_size");
  std::memcpy(&defaults, options, size);
  defaults.struct_size = sizeof defaults;
  return defaults;
}

// The body of an _init function: the defaults written to the first struct_size bytes of
// *options (struct_size stored too); a NULL struct or a size of no released layout refused,
// nothing written.
template <class Struct, std::size_t N>
void init_struct(Struct* options, std::size_t struct_size, Struct defaults,
                 const std::size_t (&sizes)[N], const char* type, const char* what) {
  check_pointer(options, what, "options");
  check_struct_size(struct_size, sizes, type, what, "struct_size");
  defaults.struct_size = struct_size;
  // Only the caller's bytes: a struct of an older layout is smaller than this one.
  std::memcpy(options, &defaults, struct_size);
}

// ---- Complex elements -------------------------------------------------------------------------

// The C++ element type of a C one: fftconv_c64 / _c128 are layout-compatible with
// std::complex<float> / <double> (two members of the real type; std::complex is an array of two).
template <class C>
struct cpp_element {
  using type = C;
};
template <>
struct cpp_element<fftconv_c64> {
  using type = std::complex<float>;
};
template <>
struct cpp_element<fftconv_c128> {
  using type = std::complex<double>;
};
static_assert(sizeof(fftconv_c64) == sizeof(std::complex<float>) &&
              sizeof(fftconv_c128) == sizeof(std::complex<double>));
template <class C>
using cpp_t = typename cpp_element<C>::type;
template <class C>
const cpp_t<C>* cpp(const C* p) {
  return reinterpret_cast<const cpp_t<C>*>(p);
}
template <class C>
cpp_t<C>* cpp(C* p) {
  return reinterpret_cast<cpp_t<C>*>(p);
}

}  // namespace fftconv::detail::c_api
