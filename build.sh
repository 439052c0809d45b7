#!/usr/bin/env bash
# The README's quick start. On Debian 12 with git, a C++ compiler and cmake:
#   ./build.sh demo   install missing Debian packages, build, run the main job (fftconv-starfield)
#   ./build.sh test   install missing Debian packages, build, run the whole test suite (CTest)
# With CI=true, compiler warnings are errors.
set -euo pipefail
cd "$(dirname "$0")"

packages=(make pkg-config libfftw3-dev libeigen3-dev doctest-dev)

install_missing() {
  local missing=() p
  for p in "${packages[@]}"; do
    dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
  done
  if ((${#missing[@]})); then
    echo "build.sh: installing ${missing[*]}"
    local sudo=""
    [[ $(id -u) -eq 0 ]] || sudo=sudo
    $sudo apt-get update -q
    $sudo env DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends "${missing[@]}"
  fi
}

build() {
  local werror=OFF
  [[ ${CI:-} == true ]] && werror=ON
  cmake -S . -B build -DCMAKE_BUILD_TYPE=Release -DFFTCONV_WERROR="$werror" \
    -DFFTCONV_BUILD_TESTS=ON -DFFTCONV_BUILD_EXAMPLES=ON
  cmake --build build -j "$(nproc)"
}

case "${1:-}" in
  demo)
    install_missing
    build
    ./build/examples/fftconv-starfield
    ;;
  test)
    install_missing
    build
    ctest --test-dir build --output-on-failure --no-tests=error -j "$(nproc)"
    ;;
  *)
    echo "usage: ./build.sh demo|test" >&2
    exit 2
    ;;
esac
