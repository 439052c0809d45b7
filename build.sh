#!/usr/bin/env bash
# The README's quick start. On Debian 12 with git, a C++ compiler and cmake:
#   ./build.sh demo   install missing Debian packages, build, run the main job (fftconv-starfield)
#   ./build.sh test   install missing Debian packages, build, run the whole test suite (CTest)
#   ./build.sh checks the reliability jobs CI runs besides `test` (about 10 minutes on 2 cores):
#                     the suite under AddressSanitizer + UndefinedBehaviorSanitizer, the
#                     concurrency tests under ThreadSanitizer, the libFuzzer targets (C++ API,
#                     C API, the npy/FITS/TIFF/PNG readers) for FUZZ_SECONDS each (default 60)
#                     from the committed corpora, the installed tree
#                     used by consumer projects (CMake and pkg-config), valgrind memcheck
# With CI=true, compiler warnings are errors.
set -euo pipefail
cd "$(dirname "$0")"

# (the Python package: pybind11 and Python's headers to build it; pytest, hypothesis, scipy and
# astropy and scikit-image for its tests, which compare it with scipy.signal, scipy.ndimage,
# astropy and skimage.restoration / skimage.filters; dask and distributed for fftconv.dask's;
# OpenMPI and FFTW's MPI libraries for libfftconv_mpi and fftconv-mpi)
packages=(make pkg-config libfftw3-dev libeigen3-dev doctest-dev
          libcli11-dev libcfitsio-dev libtiff-dev libpng-dev
          pybind11-dev python3-dev python3-numpy python3-pytest python3-hypothesis python3-scipy
          python3-astropy python3-skimage python3-dask python3-distributed
          libopenmpi-dev openmpi-bin libfftw3-mpi-dev)
check_packages=(clang libclang-rt-14-dev valgrind)

install_missing() {
  local missing=() p
  for p in "$@"; do
    # (a match, not "| grep -q": grep's early exit can kill a writer with SIGPIPE, which pipefail
    # counts as a failure; "contains", as grep did, since a package installed for two architectures
    # prints one status per architecture)
    [[ $(dpkg-query -W -f='${Status}' "$p" 2>/dev/null) == *"install ok installed"* ]] || missing+=("$p")
  done
  if ((${#missing[@]})); then
    echo "build.sh: installing ${missing[*]}"
    local sudo=""
    [[ $(id -u) -eq 0 ]] || sudo=sudo
    $sudo apt-get update -q
    $sudo env DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends "${missing[@]}"
  fi
}

werror() { [[ ${CI:-} == true ]] && echo ON || echo OFF; }

build() {
  cmake -S . -B build -DCMAKE_BUILD_TYPE=Release -DFFTCONV_WERROR="$(werror)" \
    -DFFTCONV_BUILD_TESTS=ON -DFFTCONV_BUILD_EXAMPLES=ON
  cmake --build build -j "$(nproc)"
}

# A clang build with sanitizers in build-NAME: optimized (-O1) so the suite stays fast, with
# assertions on (no NDEBUG), every sanitizer finding fatal.
sanitizer_build() {
  local name=$1 flags=$2
  shift 2
  # (C and C++ alike: the C API test is a C program linked against the instrumented library.)
  CC=clang CXX=clang++ cmake -S . -B "build-$name" -DCMAKE_BUILD_TYPE=Debug \
    -DCMAKE_C_FLAGS_DEBUG="-g -O1" -DCMAKE_CXX_FLAGS_DEBUG="-g -O1" \
    -DCMAKE_C_FLAGS="$flags -fno-omit-frame-pointer" \
    -DCMAKE_CXX_FLAGS="$flags -fno-omit-frame-pointer" -DFFTCONV_WERROR="$(werror)" \
    -DFFTCONV_BUILD_TESTS=ON -DFFTCONV_BUILD_BENCH=OFF -DFFTCONV_BUILD_EXAMPLES=OFF \
    -DFFTCONV_BUILD_PYTHON=OFF "$@"
}

checks() {
  local jobs
  jobs=$(nproc)
  echo "== AddressSanitizer + UndefinedBehaviorSanitizer: the whole suite"
  sanitizer_build asan "-fsanitize=address,undefined -fno-sanitize-recover=all"
  cmake --build build-asan -j "$jobs"
  ASAN_OPTIONS=detect_leaks=1:strict_string_checks=1 UBSAN_OPTIONS=print_stacktrace=1 \
    ctest --test-dir build-asan --output-on-failure --no-tests=error -j "$jobs" -E "^(tools|mpi):"
  # The fftconv program's tests without LeakSanitizer: on Debian 12 (GCC 12's libasan, glibc
  # 2.36) its tracer reads a garbage dynamic-TLS range ("DTLS 9 at 0x1033-0x2100002135") in the
  # program, which dlopens its codec modules, and crashes ("Tracer caught signal 11") at exit.
  # The MPI tests likewise: OpenMPI keeps its own allocations to the end of the process by
  # design. AddressSanitizer and UBSan still check every run; the library's leaks are checked
  # above.
  ASAN_OPTIONS=detect_leaks=0:strict_string_checks=1 UBSAN_OPTIONS=print_stacktrace=1 \
    ctest --test-dir build-asan --output-on-failure --no-tests=error -j "$jobs" -R "^(tools|mpi):"

  echo "== ThreadSanitizer: the concurrency tests"
  sanitizer_build tsan "-fsanitize=thread"
  cmake --build build-tsan -j "$jobs" --target fftconv_tests
  TSAN_OPTIONS=halt_on_error=1 ctest --test-dir build-tsan --output-on-failure --no-tests=error \
    -R "threads|thread count|alias"

  sanitizer_build fuzz "-fsanitize=address,undefined,fuzzer-no-link -fno-sanitize-recover=all" \
    -DBUILD_SHARED_LIBS=OFF -DFFTCONV_FUZZ=ON
  local targets=(api c_api npy fits tiff png) target
  cmake --build build-fuzz -j "$jobs" --target "${targets[@]/#/fuzz_}"
  for target in "${targets[@]}"; do
    echo "== libFuzzer: fuzz_$target for ${FUZZ_SECONDS:-60} s from tests/fuzz/corpus/$target"
    rm -rf "build-fuzz/corpus-$target" && mkdir -p "build-fuzz/corpus-$target" build-fuzz/artifacts
    cp "tests/fuzz/corpus/$target"/* "build-fuzz/corpus-$target/"  # the committed corpus stays
    # (fits: cfitsio may ask for huge buffers from a corrupt header and handles the failure;
    # libFuzzer's 2 GB malloc limit would call that a crash. RSS stays limited to 2 GB.)
    local limit=()
    [[ $target == fits ]] && limit=(-malloc_limit_mb=2147483647)
    if ! "build-fuzz/tests/fuzz_$target" -max_total_time="${FUZZ_SECONDS:-60}" "${limit[@]}" \
        -print_final_stats=1 -artifact_prefix=build-fuzz/artifacts/ "build-fuzz/corpus-$target"; then
      echo "fuzz_$target found a failing input (build-fuzz/artifacts/): commit it to" \
        "tests/fuzz/corpus/$target/ as a regression test once fixed" >&2
      return 1
    fi
  done

  echo "== install, then the consumer project built and run against it as the README says"
  rm -rf build-install && cmake --install build --prefix "$PWD/build-install/prefix" > /dev/null
  # (CMake and pkg-config, the README's commands verbatim, without LD_LIBRARY_PATH.)
  examples/consumer/build_and_run.sh build-install/prefix build-install/consumer
  # ... and libfftconv_mpi through find_package(fftconv COMPONENTS mpi) and pkg-config
  # fftconv-mpi, run on two ranks; the installed fftconv-mpi finds its libraries.
  examples/consumer_mpi/build_and_run.sh build-install/prefix build-install/consumer_mpi
  env -u LD_LIBRARY_PATH build-install/prefix/bin/fftconv-mpi --help > /dev/null
  # The installed program finds the installed library (RPATH relative to bin/).
  env -u LD_LIBRARY_PATH build-install/prefix/bin/fftconv --version
  env -u LD_LIBRARY_PATH build-install/prefix/bin/fftconv blur tests/fuzz/corpus/png/u8.png \
    --sigma 1 -o build-install/blurred.png
  # ... and its FITS and TIFF modules (LIBDIR/fftconv, found relative to bin/).
  env -u LD_LIBRARY_PATH build-install/prefix/bin/fftconv blur tests/fuzz/corpus/fits/i16_2d.fits \
    --sigma 1 -o build-install/blurred.tif
  # The Python package: importable from the installed tree (the extension finds the installed
  # library relative to itself), and the default prefix's directory is on /usr/bin/python3's path.
  local pydir
  pydir=$(sed -n 's/^FFTCONV_INSTALL_PYTHONDIR:STRING=//p' build/CMakeCache.txt)
  (cd build-install && env -u LD_LIBRARY_PATH PYTHONPATH="$PWD/prefix/$pydir" /usr/bin/python3 -c \
    "import fftconv, numpy; print('installed fftconv', fftconv.__version__, fftconv.__file__);
assert fftconv.convolve(numpy.ones(3), numpy.ones(2)).tolist() == [1, 2, 2, 1]")
  /usr/bin/python3 -c "import site, sys; d = '/usr/local/' + sys.argv[1]
assert d in site.getsitepackages(), d + ' is not on the path'" "$pydir"

  echo "== valgrind memcheck: a subset of the Release suite"
  local vg=(valgrind --error-exitcode=1 --leak-check=full --errors-for-leak-kinds=definite,indirect
            --quiet)
  # (Not the fuzz corpus: valgrind computes x87 long double in 64 bits, which breaks the fuzz
  # target's long double reference on its adversarial inputs; ASan covers the corpus.)
  "${vg[@]}" build/tests/fftconv_tests \
    -tc="hand-computed*,bad input*,options.max_memory*,Eigen layouts*,1x1*,NaN and Inf*,the output may alias*,Filter::apply*,the a b c d*"
  "${vg[@]}" build/tests/fftconv_exit_order
  echo "checks: all passed"
}

case "${1:-}" in
  demo)
    install_missing "${packages[@]}"
    build
    ./build/examples/fftconv-starfield
    ;;
  test)
    install_missing "${packages[@]}"
    build
    ctest --test-dir build --output-on-failure --no-tests=error -j "$(nproc)"
    ;;
  checks)
    install_missing "${packages[@]}" "${check_packages[@]}"
    [[ -x build/tests/fftconv_tests ]] || build
    checks
    ;;
  *)
    echo "usage: ./build.sh demo|test|checks" >&2
    exit 2
    ;;
esac
