#!/usr/bin/env bash
# Builds and runs the consumers with pkg-config only (no CMake), against PREFIX.
#   examples/consumer/build_with_pkg_config.sh PREFIX OUTDIR
set -euo pipefail
prefix=$1 out=$2
here=$(cd "$(dirname "$0")" && pwd)
mkdir -p "$out"
export PKG_CONFIG_PATH="$prefix/lib/pkgconfig:$prefix/lib/x86_64-linux-gnu/pkgconfig:${PKG_CONFIG_PATH:-}"
c++ -std=c++17 "$here/consumer.cpp" -o "$out/consumer_cpp_pc" $(pkg-config --cflags --libs fftconv)
cc -std=c99 "$here/consumer.c" -o "$out/consumer_c_pc" $(pkg-config --cflags --libs fftconv) -lm
libdir=$(pkg-config --variable=libdir fftconv)
LD_LIBRARY_PATH="$libdir" "$out/consumer_cpp_pc"
LD_LIBRARY_PATH="$libdir" "$out/consumer_c_pc"
