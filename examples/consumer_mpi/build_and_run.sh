#!/usr/bin/env bash
# Builds this project against the libfftconv_mpi installed under PREFIX, with CMake
# (find_package(fftconv COMPONENTS mpi)) and with pkg-config (fftconv-mpi), and runs both on
# two ranks, as the README's "MPI" section tells a user to (its snippets are the lines between
# "# README: NAME" and "# README: end", verbatim).
#   examples/consumer_mpi/build_and_run.sh PREFIX OUTDIR
set -euo pipefail
PREFIX=$(cd "$1" && pwd)
here=$(cd "$(dirname "$0")" && pwd)
mkdir -p "$2"
cp "$here/CMakeLists.txt" "$here/consumer_mpi.cpp" "$2/"
cd "$2"
unset LD_LIBRARY_PATH
# (As root in a container OpenMPI wants --allow-run-as-root; more ranks than cores need
# --oversubscribe.)
mpirun_flags=(--oversubscribe)
[[ $(id -u) -eq 0 ]] && mpirun_flags+=(--allow-run-as-root)

echo "== CMake (COMPONENTS mpi)"
# README: mpi-cmake
cmake -S . -B build -DCMAKE_PREFIX_PATH="$PREFIX"
cmake --build build
mpirun -n 2 "${mpirun_flags[@]}" build/consumer_mpi
# README: end

echo "== pkg-config (fftconv-mpi)"
# README: mpi-pkg-config
export PKG_CONFIG_PATH="$PREFIX/lib/pkgconfig"
mpicxx -std=c++17 consumer_mpi.cpp -o consumer_mpi $(pkg-config --cflags --libs fftconv-mpi) \
  -Wl,-rpath,"$(pkg-config --variable=libdir fftconv-mpi)"
mpirun -n 2 "${mpirun_flags[@]}" ./consumer_mpi
# README: end
