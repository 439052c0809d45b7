"""Shared helpers of the Python package's tests: random data and tolerances derived from the
precision and the problem size.

Run from the build tree: PYTHONPATH=<build dir>/python /usr/bin/python3 -m pytest tests/python
(CTest does this, one test per file).
"""

import math

import numpy as np
import pytest
from hypothesis import settings

# No example database in the source tree (CI runs on a clean clone; failures print their
# reproducing example), and no per-example deadline on a shared, noisy machine.
settings.register_profile("fftconv", database=None, deadline=None)
settings.load_profile("fftconv")


@pytest.fixture
def rng():
    return np.random.default_rng(20261203)


def eps(dtype):
    """Unit roundoff scale of a dtype's computation: float32 (and complex64, float16, computed
    in float32) or double otherwise."""
    dtype = np.dtype(dtype)
    if dtype in (np.float16, np.float32, np.complex64):
        return float(np.finfo(np.float32).eps)
    return float(np.finfo(np.float64).eps)


def abs_sum_bound(image, kernel):
    """S: an upper bound of sum |image term| |kernel term| over any output, max|image| sum|kernel|
    (a boundary rule's extension repeats image values, so it holds for every rule)."""
    image = np.abs(np.asarray(image, dtype=np.complex128))
    kernel = np.abs(np.asarray(kernel, dtype=np.complex128))
    return float(image.max(initial=0)) * float(kernel.sum())


def tolerance(image, kernel, dtype, factor=32):
    """Absolute tolerance for two FFT or direct computations of one convolution in `dtype`:
        factor * eps * log2(2 P) * S
    P the product over axes of (n + k) (the transform size's order: the FFT's error grows by
    about eps per butterfly stage, log2 P of them in each of three transforms), S = abs_sum_bound.
    factor 32: 16 for one computation against the exact sum (the C++ suite's constant: three
    transforms and the spread of the maximum), doubled because both sides (fftconv and scipy)
    carry their own rounding."""
    image = np.asarray(image)
    kernel = np.asarray(kernel)
    P = 1.0
    for n, k in zip(image.shape[-kernel.ndim:] if kernel.ndim else (), kernel.shape):
        P *= n + k
    return factor * eps(dtype) * math.log2(2 * P) * abs_sum_bound(image, kernel)


def random_array(rng, shape, dtype):
    """Values in [-1, 1) (integers in [-20, 20], bool random) of `dtype`."""
    dtype = np.dtype(dtype)
    if dtype.kind == "b":
        return rng.integers(0, 2, size=shape).astype(bool)
    if dtype.kind in "iu":
        low = 0 if dtype.kind == "u" else -20
        return rng.integers(low, 21, size=shape).astype(dtype)
    if dtype.kind == "c":
        return (rng.uniform(-1, 1, shape) + 1j * rng.uniform(-1, 1, shape)).astype(dtype)
    return rng.uniform(-1, 1, shape).astype(dtype)
