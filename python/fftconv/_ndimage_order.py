"""scipy.ndimage's sums in scipy's own order, for results stored in integer or bool arrays.

Such outputs truncate toward zero, so a sum a hair below an integer gives the integer below it:
the value then depends on the order of the additions, and matching scipy means adding in its
order. These functions do that in numpy (one pass over the output per weight), as scipy 1.10's
C code does: the N-D correlation adds weight x value over the weights in C order, skipping
weights with |w| <= DBL_EPSILON, from 0.0; the 1-D correlation (gaussian_filter's passes) starts
from the centre tap and adds symmetric or antisymmetric pairs from the outermost inward when the
weights are (anti)symmetric, else starts from the last tap and adds the others in order. The
library's direct path sums in its own (SIMD) order and is used for every other output type.
"""

import numpy as np

_DBL_EPSILON = float(np.finfo(np.float64).eps)


def extension_indices(n, before, after, rule):
    """For positions -before .. n + after - 1 of an axis of length n: the index each reads under
    the boundary rule (fftconv's names), and a mask of the positions that take the constant."""
    i = np.arange(-before, n + after)
    outside = (i < 0) | (i >= n)
    if rule == "constant":
        return np.clip(i, 0, n - 1), outside
    none = np.zeros_like(outside)
    if n == 1 or rule == "nearest":
        return np.clip(i, 0, n - 1), none
    if rule == "wrap":
        return np.mod(i, n), none
    if rule == "reflect":  # d c b a | a b c d | d c b a
        j = np.mod(i, 2 * n)
        return np.where(j >= n, 2 * n - 1 - j, j), none
    j = np.mod(i, 2 * n - 2)  # mirror: d c b | a b c d | c b a
    return np.where(j >= n, 2 * n - 2 - j, j), none


def extended(values, befores, afters, rule, cval):
    """`values` (as float64) extended along every axis by the rule (cval for 'constant')."""
    out = np.asarray(values, dtype=np.float64)
    for axis, (before, after) in enumerate(zip(befores, afters)):
        index, constant = extension_indices(out.shape[axis], before, after, rule)
        out = np.take(out, index, axis=axis)
        if constant.any():
            where = [slice(None)] * out.ndim
            where[axis] = constant
            out[tuple(where)] = cval
    return out


def correlate(values, weights, rule, cval, origins):
    """scipy's NI_Correlate: out[i] = sum over taps j (C order, |w| > DBL_EPSILON) of
    w[j] * E[i + j - (k // 2 + origin)], accumulated from 0.0 in that order."""
    befores = [k // 2 + o for k, o in zip(weights.shape, origins)]
    afters = [k - 1 - b for k, b in zip(weights.shape, befores)]
    ext = extended(values, befores, afters, rule, cval)
    out = np.zeros(values.shape)
    for tap in np.ndindex(*weights.shape):
        w = float(weights[tap])
        if abs(w) > _DBL_EPSILON:
            out += w * ext[tuple(slice(t, t + n) for t, n in zip(tap, values.shape))]
    return out


def correlate1d(values, weights, axis, rule, cval, origin):
    """scipy's NI_Correlate1D along `axis` (its symmetric and antisymmetric shortcuts
    included), from out[i] = sum_j w[j] E[i + j - (k // 2 + origin)]."""
    k = weights.size
    size1 = k // 2
    size2 = k - size1 - 1
    befores = [0] * values.ndim
    afters = [0] * values.ndim
    befores[axis] = size1 + origin
    afters[axis] = size2 - origin
    ext = extended(values, befores, afters, rule, cval)
    n = values.shape[axis]

    def line(jj):  # iline[jj]: the input at offset jj from each output's centre tap
        where = [slice(None)] * values.ndim
        where[axis] = slice(size1 + jj, size1 + jj + n)
        return ext[tuple(where)]

    w = [float(v) for v in weights]
    symmetric = 0
    if k % 2:
        if all(abs(w[size1 + i] - w[size1 - i]) <= _DBL_EPSILON for i in range(1, size1 + 1)):
            symmetric = 1
        elif all(abs(w[size1 + i] + w[size1 - i]) <= _DBL_EPSILON for i in range(1, size1 + 1)):
            symmetric = -1
    if symmetric:
        out = line(0) * w[size1]
        for jj in range(-size1, 0):
            pair = line(jj) + line(-jj) if symmetric > 0 else line(jj) - line(-jj)
            out += pair * w[size1 + jj]
        return out
    out = line(size2) * w[size1 + size2]
    for jj in range(-size1, size2):
        out += line(jj) * w[size1 + jj]
    return out


def store(target, values):
    """`values` written to an integer or bool `target` as scipy's C casts do: truncation toward
    zero; unsigned types (and bool, a byte) take -(type)(-v) for v <= -1, wrapping."""
    values = np.where(np.isfinite(values), np.trunc(values), 0.0)
    kind = target.dtype.kind
    if kind == "i":
        result = values.astype(np.int64)
    else:
        magnitude = np.abs(values).astype(np.uint64)
        result = np.where(values > -1, magnitude, -magnitude)
        if kind == "b":
            result = (result & np.uint64(0xFF)) != 0
    np.copyto(target, result, casting="unsafe")
    return target
