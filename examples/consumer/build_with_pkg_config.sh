#!/usr/bin/env bash
# Builds and runs the consumers with pkg-config only (no CMake), against PREFIX.
#   examples/consumer/build_with_pkg_config.sh PREFIX OUTDIR
set -euo pipefail
prefix=$1 out=$2
here=$(cd "$(dirname "$0")" && pwd)
mkdir -p "$out"
pc=$(find "$prefix" -name fftconv.pc -path '*/pkgconfig/*' | head -n 1)
[[ -n $pc ]] || { echo "no fftconv.pc under $prefix" >&2; exit 1; }
export PKG_CONFIG_PATH="$(dirname "$pc"):${PKG_CONFIG_PATH:-}"
libdir=$(pkg-config --variable=libdir fftconv)
static=()
[[ -e $libdir/libfftconv.so ]] || static=(--static)  # only the archive installed
c++ -std=c++17 "$here/consumer.cpp" -o "$out/consumer_cpp_pc" $(pkg-config "${static[@]}" --cflags --libs fftconv)
cc -std=c99 "$here/consumer.c" -o "$out/consumer_c_pc" $(pkg-config "${static[@]}" --cflags --libs fftconv) -lm
LD_LIBRARY_PATH="$libdir" "$out/consumer_cpp_pc"
LD_LIBRARY_PATH="$libdir" "$out/consumer_c_pc"
