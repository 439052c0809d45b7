#!/usr/bin/env bash
# The shared library exports only fftconv names: C++ symbols in namespace fftconv (and the
# typeinfo/vtable of its classes), and the C API's fftconv_* functions.
set -euo pipefail
lib=$1
symbols=$(nm -D --defined-only "$lib" | awk '{print $3}' | c++filt)
count=$(printf '%s\n' "$symbols" | grep -c . || true)
foreign=$(printf '%s\n' "$symbols" |
  grep -v -E '^(fftconv::|fftconv_|typeinfo for fftconv::|typeinfo name for fftconv::|vtable for fftconv::)' |
  grep -v -E '^FFTCONV_' || true)
if [[ -n $foreign ]]; then
  echo "exported symbols outside fftconv:"
  printf '%s\n' "$foreign"
  exit 1
fi
echo "$count exported symbols, all fftconv names"
