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

# Bad pixels: the same field with NaN defects (scattered pixels, a bad column, a 6x6 block; shown
# black), blurred as is (NaN spreads over every kernel footprint it touches) and with normalized
# convolution (--nan interpolate).
field="--size 384 --stars 250 --sky 12 --noise 3 --max-flux 4e4 --bad-pixels 150"
"$build/examples/fftconv-write-starfield" docs/starfield_bad.png $field --type uint8
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
"$build/examples/fftconv-write-starfield" "$tmp/bad.npy" $field --type float32
"$build/tools/fftconv" blur "$tmp/bad.npy" --sigma 2 --boundary reflect --method direct \
  -o docs/starfield_bad_propagate.png --type uint8 -q
"$build/tools/fftconv" blur "$tmp/bad.npy" --sigma 2 --boundary reflect --nan interpolate \
  -o docs/starfield_bad_interpolate.png --type uint8 -q
