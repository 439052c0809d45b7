#pragma once
// Looking an enum value up in its names table (fftconv/names.hpp, src/core/names.cpp): the one
// loop behind to_string, validation's "unknown value" checks and the C API's names.
#include "fftconv/names.hpp"

namespace fftconv::detail {

/// The name of `value` if it is one of E's enumerators, else null: an enum field set from an
/// integer (the C API, a cast) may hold anything.
template <class E>
const char* enumerator_name(E value) noexcept {
  for (const EnumName<E>& entry : names<E>())
    if (entry.value == value) return entry.name;
  return nullptr;
}

template <class E>
bool is_enumerator(E value) noexcept {
  return enumerator_name(value) != nullptr;
}

}  // namespace fftconv::detail
