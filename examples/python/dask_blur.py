#!/usr/bin/env python3
"""fftconv.dask on a chunked image: blur, masked blur and Richardson-Lucy, lazily, block by
block; then the blur checked against fftconv on the whole array. Run from a build tree:

    PYTHONPATH=build/python /usr/bin/python3 examples/python/dask_blur.py
"""

import sys

import dask.array as da
import numpy as np

import fftconv
import fftconv.dask

# README: dask
mosaic = da.random.RandomState(0).random((4096, 4096), chunks=1024).astype(np.float32)
y, x = np.mgrid[-15:16, -15:16]
psf = np.exp(-(x * x + y * y) / 50.0).astype(np.float32)
psf /= psf.sum()

blurred = fftconv.dask.convolve(mosaic, psf, boundary="reflect")  # lazy, the mosaic's chunks
bad = mosaic > 0.999                                              # a mask, lazy too
clean = fftconv.dask.convolve_masked(mosaic, psf, bad)            # bad pixels left out
sharp = fftconv.dask.richardson_lucy(blurred, psf, num_iter=10, clip=False)
result = blurred.compute()  # block by block on dask's threads (or a distributed.Client)
# README: end

whole = fftconv.convolve(mosaic.compute(), psf, "same", boundary="reflect")
difference = float(np.max(np.abs(result - whole)) / np.max(np.abs(whole)))
tolerance = 4 * np.finfo(np.float32).eps * np.log2((4096 + 30) ** 2)  # FFT rounding, both sides
print(f"{result.shape} {result.dtype} in {blurred.numblocks} blocks; relative difference from "
      f"the whole-array call {difference:.1e} (tolerance {tolerance:.1e})")
print(f"masked: {int(bad.sum().compute())} bad pixels, result {clean[:2, :4].compute()[0]}")
print(f"Richardson-Lucy, 10 iterations: {sharp.numblocks} blocks, {len(sharp.dask)} tasks")
sys.exit(0 if difference <= tolerance else 1)
