#!/usr/bin/env bash
# Builds this project against the fftconv installed under PREFIX, once with CMake and once with
# pkg-config, and runs both programs, as the README's "Linking" section tells a user to: the
# lines between a "# README: NAME" marker and "# README: end" are its snippets, verbatim
# (tests/check_readme.sh compares them). No LD_LIBRARY_PATH: the programs find the library
# through their RPATH.
#   examples/consumer/build_and_run.sh PREFIX OUTDIR
set -euo pipefail
PREFIX=$(cd "$1" && pwd)
here=$(cd "$(dirname "$0")" && pwd)
mkdir -p "$2"
cp "$here/CMakeLists.txt" "$here/consumer.cpp" "$here/consumer.c" "$2/"
cd "$2"
unset LD_LIBRARY_PATH

# The program loads the libfftconv.so installed under PREFIX (not one in a system directory).
loads_from_prefix() {
  local lib
  lib=$(ldd "$1" | awk '$1 ~ /^libfftconv\.so/ { print $3 }')
  [[ -n $lib && $(realpath "$lib") == "$(realpath "$PREFIX")"/* ]] ||
    { echo "$1 loads libfftconv from '${lib:-nowhere}', not from $PREFIX" >&2; exit 1; }
}

echo "== CMake"
# README: cmake
cmake -S . -B build -DCMAKE_PREFIX_PATH="$PREFIX"
cmake --build build
build/consumer_cpp
build/consumer_c
# README: end
loads_from_prefix build/consumer_cpp && loads_from_prefix build/consumer_c

echo "== pkg-config"
# README: pkg-config
export PKG_CONFIG_PATH="$PREFIX/lib/pkgconfig"
c++ -std=c++17 consumer.cpp -o consumer_cpp $(pkg-config --cflags --libs fftconv) \
  -Wl,-rpath,"$(pkg-config --variable=libdir fftconv)"
cc -std=c99 consumer.c -o consumer_c $(pkg-config --cflags --libs fftconv) -lm \
  -Wl,-rpath,"$(pkg-config --variable=libdir fftconv)"
./consumer_cpp
./consumer_c
# README: end
loads_from_prefix consumer_cpp && loads_from_prefix consumer_c
