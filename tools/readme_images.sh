#!/usr/bin/env bash
# Makes the README's before/after pictures with the fftconv program itself: a synthetic star
# field (8-bit PNG) and its Gaussian blur. Run after a build (./build.sh demo or test):
#   tools/readme_images.sh [BUILD_DIR]    (default: build)
set -euo pipefail
cd "$(dirname "$0")/.."
build=${1:-build}
"$build/examples/fftconv-write-starfield" docs/starfield.png --size 384 --stars 250 --sky 12 \
  --noise 3 --max-flux 4e4 --type uint8
"$build/tools/fftconv" blur docs/starfield.png --sigma 3 --boundary reflect \
  -o docs/starfield_blurred.png
