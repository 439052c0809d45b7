"""The accuracy tools: reference_convolve / reference_correlate, compare and error_bound."""

import collections

import numpy as np

from . import _fftconv
from ._arrays import as_array, operand, options


def _compute_dtype(image, kernel):
    dtype = np.result_type(image.dtype, kernel.dtype)
    if dtype.kind in "biu" or dtype == np.float16:
        return np.dtype(np.float64 if dtype.kind in "biu" else np.float32)
    return dtype


def _reference(image, kernel, mode, correlate, axes, boundary, fill_value, origin):
    image = as_array(image, "image")
    kernel = as_array(kernel, "kernel")
    dtype = _compute_dtype(image, kernel)
    o = options(mode=mode, axes=axes, boundary=boundary, fill_value=fill_value, origin=origin)
    out = np.empty(_fftconv.output_shape(image.shape, kernel.shape, o), dtype)
    _fftconv.reference(operand(image, dtype), operand(kernel, dtype), out, o, correlate)
    return out


_REFERENCE_DOC = """
    The exact result rounded once: every output is a double-double (about 106-bit) sum of
    the products, rounded to the data's type at the end: the yardstick for `compare` (C++
    reference_convolve). Its cost is the direct sum's; use it on test-sized problems.

    Parameters
    ----------
    image, kernel : array_like
    mode : {'same', 'full', 'valid'}, optional
        The C++ default 'same'.
    axes, boundary, fill_value : optional
        As in `fftconv.convolve`.
    origin : sequence of int, optional
        Shift of the 'same' window per axis (see the README, "Output size").

    Returns
    -------
    numpy.ndarray
        float32, float64, complex64 or complex128 as the inputs.
    """


def reference_convolve(image, kernel, mode="same", *, axes=None, boundary="zero",
                       fill_value=0.0, origin=None):
    return _reference(image, kernel, mode, False, axes, boundary, fill_value, origin)


def reference_correlate(image, kernel, mode="same", *, axes=None, boundary="zero",
                        fill_value=0.0, origin=None):
    return _reference(image, kernel, mode, True, axes, boundary, fill_value, origin)


reference_convolve.__doc__ = "convolve(image, kernel), exactly." + _REFERENCE_DOC
reference_correlate.__doc__ = "correlate(image, kernel), exactly." + _REFERENCE_DOC

ErrorStats = collections.namedtuple(
    "ErrorStats",
    ["count", "max_abs", "max_rel", "rms", "max_ulp", "median_ulp", "worst_position",
     "count_over"])
ErrorStats.__doc__ = """How far a result is from a reference (C++ fftconv::ErrorStats): pixels
compared, max |e|, max |e| / max |reference|, rms error, max and median error in units in the
last place of the result's type, the position of the worst pixel, and the number of pixels
whose relative error exceeds rel_tol."""


def compare(result, reference, rel_tol=0.0):
    """Error statistics of `result` against `reference` (same shape).

    Parameters
    ----------
    result : array_like
        float32, float64, complex64 or complex128.
    reference : array_like
        The same, or the double counterpart of a float32 result.
    rel_tol : float, optional
        Pixels whose own relative error exceeds it are counted in ``count_over``.

    Returns
    -------
    ErrorStats
    """
    result = as_array(result, "result")
    reference = as_array(reference, "reference")
    dtype = _compute_dtype(result, result)
    ref_dtype = np.result_type(dtype, _compute_dtype(reference, reference))
    return ErrorStats(**_fftconv.compare(operand(result, dtype), operand(reference, ref_dtype),
                                         float(rel_tol)))


def error_bound(image, kernel, mode="same", method="auto", *, correlate=False, axes=None,
                boundary="zero", fill_value=0.0, precision="native", origin=None,
                guarantee="worst_case"):
    """An a-priori bound on max |result - exact| for the method fftconv runs (C++ error_bound).

    Parameters
    ----------
    image, kernel : array_like
    mode, method, axes, boundary, fill_value, precision, origin : optional
        The call whose error is bounded.
    correlate : bool, optional
    guarantee : {'worst_case', 'probabilistic'}, optional
        'worst_case' is never exceeded; 'probabilistic' holds with probability 1 - 1e-9 under
        the model of independent rounding errors (about sqrt(N) tighter for the FFT).

    Returns
    -------
    float
    """
    if guarantee not in ("worst_case", "probabilistic"):
        raise ValueError(f"guarantee: {guarantee!r} is not 'worst_case' or 'probabilistic'")
    image = as_array(image, "image")
    kernel = as_array(kernel, "kernel")
    dtype = _compute_dtype(image, kernel)
    o = options(mode=mode, method=method, axes=axes, boundary=boundary, fill_value=fill_value,
                precision=precision, origin=origin)
    return _fftconv.error_bound(operand(image, dtype), operand(kernel, dtype), o, bool(correlate),
                                guarantee == "probabilistic")
