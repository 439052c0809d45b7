"""convolve, correlate, fftconvolve, oaconvolve, choose_conv_method, next_fast_len: the
scipy.signal functions of those names, computed by fftconv."""

import functools
import operator
import time

import numpy as np

from . import _fftconv
from ._arrays import as_array, operand, options, output_for, readable, writable

_MODES = ("full", "same", "valid")
# Integer results are exact when every partial sum is an integer below 2**53 (double's 53-bit
# significand): the direct sum in double then rounds nothing, and an FFT result within 0.5 of
# it rounds to it.
_EXACT_IN_DOUBLE = 2**53


def _max_abs(a):
    """max |a| as a Python int (exact for any integer dtype: no numpy abs overflow)."""
    return max(abs(int(a.max())), abs(int(a.min()))) if a.size else 0


def _beyond_double(a, k):
    """Whether integer sums of a and k may reach 2**53 (scipy's test for its direct path)."""
    return _max_abs(a) * _max_abs(k) * min(a.size, k.size) >= _EXACT_IN_DOUBLE


def _fft_promoted(dtype):
    """The dtype scipy's FFT functions transform an input in: each input on its own."""
    if dtype.kind in "biu":
        return np.dtype(np.float64)
    if dtype.kind == "f" and dtype.itemsize <= 4:
        return np.dtype(np.float32)
    return dtype


@functools.lru_cache(maxsize=256)
def _dtypes(dtype1, dtype2, fft_rule):
    """(result dtype, computation dtype) as scipy.signal.convolve (fft_rule False: numpy's
    result_type; integers and bool keep their type) or fftconvolve (each input promoted on its
    own: integers and bool to float64, float16 to float32) defines them."""
    if fft_rule:
        result = np.result_type(_fft_promoted(dtype1), _fft_promoted(dtype2))
    else:
        result = np.result_type(dtype1, dtype2)
    if result.kind in "biu":
        compute = np.dtype(np.float64)
    elif result == np.float16:
        compute = np.dtype(np.float32)
    else:
        compute = result
    return result, compute


def _convolved_axes(ndim, axes):
    """The axes `axes` names (None: all), as non-negative numbers."""
    if axes is None:
        return list(range(ndim))
    return [operator.index(a) % ndim for a in ([axes] if np.ndim(axes) == 0 else axes)]


def _swap_for_valid(shape1, shape2, axes):
    """True when scipy's 'valid' mode swaps the inputs (in2 at least as large along every
    convolved axis and larger along one); ValueError when neither contains the other."""
    ok1 = all(shape1[a] >= shape2[a] for a in axes)
    ok2 = all(shape2[a] >= shape1[a] for a in axes)
    if not (ok1 or ok2):
        raise ValueError("For 'valid' mode, one must be at least as large as the other in every "
                         "dimension")
    return not ok1


def _flipped(a, axes):
    """`a` reversed along `axes` (a view)."""
    index = [slice(None)] * a.ndim
    for ax in axes:
        index[ax] = slice(None, None, -1)
    return a[tuple(index)]


def _integer_direct(image, kernel, mode, correlate):
    """The exact integer sum for products beyond 2**53, in uint64 arithmetic: it wraps modulo
    2**64, which cast to the result's integer type gives what scipy's integer direct path does."""
    if correlate:
        kernel = _flipped(kernel, range(kernel.ndim))
    image64 = image.astype(np.uint64)  # (negative values wrap: two's complement modulo 2**64)
    kernel64 = kernel.astype(np.uint64)
    full = np.zeros([n + k - 1 for n, k in zip(image.shape, kernel.shape)], np.uint64)
    for tap in np.ndindex(kernel.shape):
        weight = kernel64[tap]
        if weight:
            full[tuple(slice(t, t + n) for t, n in zip(tap, image.shape))] += image64 * weight
    window = []
    for n, k in zip(image.shape, kernel.shape):
        start = {"full": 0, "same": (k - 1) // 2, "valid": k - 1}[mode]
        length = {"full": n + k - 1, "same": n, "valid": max(n - k + 1, 0)}[mode]
        window.append(slice(start, start + length))
    return full[tuple(window)]


def _run(in1, in2, mode, method, correlate, out, axes, fft_rule, extras, name):
    """The shared body of the scipy.signal drop-ins (see convolve)."""
    in1 = as_array(in1, "in1")
    in2 = as_array(in2, "in2")
    if mode not in _MODES:
        raise ValueError("acceptable mode flags are 'valid', 'same', or 'full'")
    if in1.ndim == 0 and in2.ndim == 0:
        return _deliver(np.asarray(in1 * (np.conj(in2) if correlate else in2)), out)
    if axes is None and in1.ndim != in2.ndim:
        raise ValueError("in1 and in2 should have the same dimensionality")
    if in1.size == 0 or in2.size == 0:
        return _deliver(np.array([]), out)
    result_dtype, compute = _dtypes(in1.dtype, in2.dtype, fft_rule)
    image, kernel = in1, in2
    if mode == "valid" and in1.ndim == in2.ndim and _swap_for_valid(
            in1.shape, in2.shape, conv_axes := _convolved_axes(in1.ndim, axes)):
        # scipy's valid result for a larger in2: the same window of the full result (starting
        # at the smaller length - 1). Convolution commutes; correlate(a, g) is
        # convolve(a, conj(flip(g))) = convolve(conj(flip(g)), a).
        if correlate:
            image = _flipped(np.conj(in2) if in2.dtype.kind == "c" else in2, conv_axes)
            correlate = False
        else:
            image = in2
        kernel = in1

    if result_dtype.kind in "iu":
        if _beyond_double(in1, in2):
            if axes is not None or extras.get("boundary", "zero") != "zero":
                raise ValueError(f"{name}: integer inputs whose products reach 2**53 are summed "
                                 "exactly only with the default axes and boundary")
            result = _integer_direct(image, kernel, mode, correlate).astype(result_dtype)
            return _deliver(result, out)

    o = options(mode=mode, method=method, axes=axes, **extras)
    image_c = operand(image, compute)
    kernel_c = operand(kernel, compute)
    if result_dtype.kind in "biu" and o.method not in ("direct", "separable"):
        # An integer or boolean result rounds the computed sum: exact when the error is below
        # 0.5. The automatic choice falls back to the direct sum (exact in double here) when the
        # FFT's error bound does not promise that; a requested FFT is rounded as scipy does.
        if method in ("auto", "automatic") and _fftconv.error_bound(
                image_c, kernel_c, o, correlate, False) >= 0.5:
            o = options(mode=mode, method="direct", axes=axes, **extras)
    shape = _fftconv.output_shape(image.shape, kernel.shape, o)
    out_dtype = compute  # (complex exactly when an operand is)
    if out is not None and result_dtype == out_dtype:
        target = output_for(out, shape, out_dtype)
        if writable(target, out_dtype):
            _fftconv.convolve(image_c, kernel_c, target, o, correlate)
            return target
    result = np.empty(shape, out_dtype)
    _fftconv.convolve(image_c, kernel_c, result, o, correlate)
    if result_dtype.kind == "b":
        result = result > 0.5  # a count of products of 0 and 1: any is True
    elif result_dtype.kind in "iu":
        # (int64 holds every value below 2**53 exactly; the cast to a narrower type wraps as
        # scipy's integer arithmetic does)
        result = np.rint(result).astype(np.int64).astype(result_dtype)
    elif result.dtype != result_dtype:
        result = result.astype(result_dtype)
    return _deliver(result, out)


def _deliver(result, out):
    if out is None:
        return result
    target = output_for(out, result.shape, result.dtype)
    np.copyto(target, result, casting="same_kind")
    return target


_EXTRAS_DOC = """
    axes : int or sequence of int, optional
        The axes to convolve along (default: all). Along the others image and kernel
        broadcast as in numpy (equal lengths, or 1 in one of them).
    boundary : {'zero', 'constant', 'reflect', 'mirror', 'nearest', 'wrap'}, optional
        Values outside `in1` (fftconv's boundary rules; 'zero' is scipy's behaviour). 'reflect'
        is numpy.pad's 'symmetric', 'mirror' numpy.pad's 'reflect'. Ignored by 'valid'.
    fill_value : float, optional
        The value outside `in1` for boundary='constant'.
    threads : int, optional
        Threads for this call (0: all the process may use).
    precision : {'native', 'double'}, optional
        'double' computes float32 data in double and rounds once.
    normalize_kernel : bool, optional
        Divide `in2` by its sum first.
    nonnegative : bool, optional
        A promise that both inputs are >= 0: the result is clamped at 0 (removes FFT noise).
    max_memory : int, optional
        Working-memory limit in bytes: a call needing more raises fftconv.Error
        (code 'out_of_memory'); method='auto' picks a method that fits.
    out : numpy.ndarray, optional
        Where to write the result (its shape; any strides; cast with 'same_kind' rules)."""


def convolve(in1, in2, mode="full", method="auto", *, axes=None, boundary="zero",
             fill_value=0.0, threads=1, precision="native", normalize_kernel=False,
             nonnegative=False, max_memory=None, out=None):
    """Convolve two N-dimensional arrays (scipy.signal.convolve, computed by fftconv).

    ``out[n] = sum_m in1[n - m] in2[m]`` over the window `mode` selects.

    Parameters
    ----------
    in1 : array_like
        The image (first input).
    in2 : array_like
        The kernel; the same number of dimensions as `in1` (unless `axes` is given).
    mode : {'full', 'valid', 'same'}, optional
        'full' (default): every overlap, shape ``n + k - 1``. 'same': the size of `in1`,
        centred as scipy (window start ``(k - 1) // 2``). 'valid': where one input covers
        the other; if `in2` is the larger in every dimension the inputs are swapped, as scipy.
    method : {'auto', 'direct', 'fft', 'separable', 'overlap_save'}, optional
        'auto' (default) uses fftconv's cost model (see README, "Methods").
    """ + _EXTRAS_DOC + """

    Returns
    -------
    numpy.ndarray
        ``numpy.result_type(in1, in2)``, as scipy: integer and boolean inputs give exact
        integer and boolean results (summed in double where that is exact, else on an exact
        integer path). float16 is computed in float32.

    Raises
    ------
    fftconv.Error
        (a ValueError) for arguments the library refuses, with the message and ``.code``.
    TypeError
        for unsupported dtypes (object, str, extended precision).
    """
    extras = dict(boundary=boundary, fill_value=fill_value, threads=threads,
                  precision=precision, normalize_kernel=normalize_kernel,
                  nonnegative=nonnegative, max_memory=max_memory)
    return _run(in1, in2, mode, method, False, out, axes, False, extras, "convolve")


def correlate(in1, in2, mode="full", method="auto", *, axes=None, boundary="zero",
              fill_value=0.0, threads=1, precision="native", normalize_kernel=False,
              nonnegative=False, max_memory=None, out=None):
    """Cross-correlate two N-dimensional arrays (scipy.signal.correlate, computed by fftconv).

    ``out = convolve(in1, conj(flip(in2)))``: `in2` is not flipped, and is conjugated for
    complex data. The same window as `convolve` for each `mode` (scipy's; only
    scipy.signal.correlate2d centres even kernels differently).

    Parameters
    ----------
    in1, in2 : array_like
        The image and the template.
    mode : {'full', 'valid', 'same'}, optional
        As `convolve`.
    method : {'auto', 'direct', 'fft', 'separable', 'overlap_save'}, optional
        As `convolve`.
    """ + _EXTRAS_DOC + """

    Returns
    -------
    numpy.ndarray
        As `convolve`.
    """
    extras = dict(boundary=boundary, fill_value=fill_value, threads=threads,
                  precision=precision, normalize_kernel=normalize_kernel,
                  nonnegative=nonnegative, max_memory=max_memory)
    return _run(in1, in2, mode, method, True, out, axes, False, extras, "correlate")


def _fft_method(in1, in2, mode, axes):
    """The faster of fftconv's two FFT paths (whole-image fft or overlap-save tiles) for these
    inputs, by the library's cost model."""
    a = np.asarray(in1)
    k = np.asarray(in2)
    if a.ndim == 0 or a.size == 0 or k.size == 0 or (axes is None and a.ndim != k.ndim):
        return "fft"
    o = options(mode="same" if mode == "valid" else mode, axes=axes)
    kernel = k.real if k.dtype.kind == "c" else k
    kernel = readable(kernel, np.dtype(np.float64) if kernel.dtype != np.float32 else
                      np.dtype(np.float32))
    try:
        chosen = _fftconv.chosen_method(kernel, a.shape, o)
    except _fftconv.Error:
        return "fft"  # (the call itself reports the problem)
    return "overlap_save" if chosen == "overlap_save" else "fft"


def fftconvolve(in1, in2, mode="full", axes=None):
    """Convolve two N-dimensional arrays using FFTs (scipy.signal.fftconvolve).

    fftconv takes the faster of its FFT paths (one transform of the whole image, or
    overlap-save tiles) by its cost model.

    Parameters
    ----------
    in1, in2 : array_like
        Inputs of the same number of dimensions.
    mode : {'full', 'valid', 'same'}, optional
        As scipy (default 'full').
    axes : int or sequence of int, optional
        The axes to convolve along (default: all); the others broadcast.

    Returns
    -------
    numpy.ndarray
        scipy's dtype: each input promoted on its own (integers and bool to float64, float16
        and float32 to float32), then combined; empty inputs give ``numpy.array([])``.
    """
    a = as_array(in1, "in1")
    k = as_array(in2, "in2")
    if a.ndim != k.ndim or a.ndim == 0 or a.size == 0 or k.size == 0 or mode not in _MODES:
        return _run(a, k, mode, "fft", False, None, axes, True, {}, "fftconvolve")  # (refusals)
    # scipy convolves only along the listed axes where neither input has length 1 (the others
    # broadcast), and its 'same' then centres every axis on in1's length.
    kept = [x for x in _convolved_axes(a.ndim, axes) if a.shape[x] != 1 and k.shape[x] != 1]
    if not kept:
        result = a * k  # (scipy's product, in numpy's dtype)
    else:
        result = _run(a, k, mode, _fft_method(a, k, mode, kept), False, None, kept, True, {},
                      "fftconvolve")
    if mode == "same" and result.shape != a.shape:
        result = result[tuple(slice((m - n) // 2, (m - n) // 2 + n)
                              for m, n in zip(result.shape, a.shape))].copy()
    return result


def oaconvolve(in1, in2, mode="full", axes=None):
    """Convolve two N-dimensional arrays using overlap-add (scipy.signal.oaconvolve).

    Same result as `fftconvolve`; fftconv picks between its whole-image FFT and its
    overlap-save tiles (the tiled counterpart of overlap-add) by its cost model.

    Parameters
    ----------
    in1, in2 : array_like
        Inputs of the same number of dimensions.
    mode : {'full', 'valid', 'same'}, optional
        As scipy (default 'full').
    axes : int or sequence of int, optional
        The axes to convolve along (default: all).

    Returns
    -------
    numpy.ndarray
        As `fftconvolve`.
    """
    return fftconvolve(in1, in2, mode=mode, axes=axes)


def choose_conv_method(in1, in2, mode="full", measure=False):
    """The method `convolve` would use: 'fft' or 'direct' (scipy.signal.choose_conv_method).

    Parameters
    ----------
    in1, in2 : array_like
        The inputs.
    mode : {'full', 'valid', 'same'}, optional
        The mode of the call.
    measure : bool, optional
        Time both methods (fftconv's direct and its FFT path, median of 3 runs of
        `convolve`) and return the faster with the times.

    Returns
    -------
    method : str
        'fft' (fftconv's fft or overlap_save) or 'direct' (direct or separable): fftconv's
        cost model, or for integer inputs the exact choice `convolve` makes.
    times : dict
        Only with ``measure=True``: ``{'fft': seconds, 'direct': seconds}``.
    """
    a = as_array(in1, "in1")
    k = as_array(in2, "in2")
    if measure:
        times = {}
        for m in ("fft", "direct"):
            runs = []
            for _ in range(3):
                start = time.perf_counter()
                convolve(a, k, mode=mode, method=m)
                runs.append(time.perf_counter() - start)
            times[m] = sorted(runs)[1]
        return min(times, key=times.get), times
    if a.ndim != k.ndim or a.size == 0 or k.size == 0 or a.ndim == 0:
        return "direct"
    result_dtype, compute = _dtypes(a.dtype, k.dtype, False)
    if result_dtype.kind in "iu":
        if _beyond_double(a, k):
            return "direct"
    image, kernel = a, k
    if mode == "valid" and _swap_for_valid(a.shape, k.shape, range(a.ndim)):
        image, kernel = k, a
    o = options(mode=mode)
    kernel_real = kernel.real if kernel.dtype.kind == "c" else kernel
    chosen = _fftconv.chosen_method(operand(kernel_real, compute), image.shape, o)
    if chosen in ("direct", "separable"):
        return "direct"
    if result_dtype.kind in "biu" and _fftconv.error_bound(
            operand(image, compute), operand(kernel, compute), o, False, False) >= 0.5:
        return "direct"
    return "fft"


def next_fast_len(target, real=False):
    """The length fftconv transforms an axis of at least `target` points at.

    The smallest ``n >= target`` of the form 2^a 3^b 5^c 7^d times at most one 11 or 13, for
    real and complex transforms alike (scipy.fft.next_fast_len's signature; its complex sizes
    also allow 11 and 13 together and its real ones only 2, 3 and 5).

    Parameters
    ----------
    target : int
        A non-negative length (0 gives 0, as scipy).
    real : bool, optional
        Accepted for compatibility; fftconv uses the same lengths for both.

    Returns
    -------
    int
    """
    del real  # (the same sizes for real and complex transforms)
    target = operator.index(target)
    if target < 0:
        raise ValueError("Target length must be positive")
    return 0 if target == 0 else _fftconv.next_fast_size(target)
