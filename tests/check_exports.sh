#!/usr/bin/env bash
# The shared library exports only fftconv names: C++ symbols in namespace fftconv (and the
# typeinfo/vtable of its classes), and the C API's fftconv_* functions.
set -euo pipefail
lib=$1
# (Judged by the mangled names, as cmake/fftconv.map is: a demangled template function starts
# with its return type, std::optional<...> fftconv::try_parse<...>.)
symbols=$(nm -D --defined-only "$lib" | awk '{print $3}')
count=$(printf '%s\n' "$symbols" | grep -c . || true)
foreign=$(printf '%s\n' "$symbols" |
  grep -v -E '^(_ZN7fftconv|_ZNK7fftconv|_ZTIN7fftconv|_ZTSN7fftconv|_ZTVN7fftconv|fftconv_)' |
  grep -v -E '^FFTCONV_' | c++filt || true)
if [[ -n $foreign ]]; then
  echo "exported symbols outside fftconv:"
  printf '%s\n' "$foreign"
  exit 1
fi
echo "$count exported symbols, all fftconv names"
