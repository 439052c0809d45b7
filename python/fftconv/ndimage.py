"""scipy.ndimage's convolution filters, computed by fftconv: convolve, correlate,
gaussian_filter and uniform_filter with scipy.ndimage's arguments, modes, origins and dtypes.

Differences from scipy 1.10 (README, "Python"): results agree to rounding, not bit for bit
(fftconv may sum by FFT); a kernel reaching 4 or more image lengths beyond the edge in mode
'reflect' follows the documented extension where scipy 1.10's correlate/convolve read the wrong
element; float16 is computed in double where scipy refuses it; uniform_filter gives NaN only where
the window holds one (scipy's running sum keeps a NaN for the rest of the line).
"""

import numbers
import operator
import warnings

import numpy as np

from . import _fftconv, _ndimage_order
from ._arrays import as_array, options, readable, writable

# scipy.ndimage's mode names -> fftconv's boundary rules (the grid-* names are aliases for these
# filters).
_MODES = {"reflect": "reflect", "grid-mirror": "reflect", "mirror": "mirror",
          "nearest": "nearest", "wrap": "wrap", "grid-wrap": "wrap", "constant": "constant",
          "grid-constant": "constant"}


def _boundary(mode):
    if not isinstance(mode, str) or mode not in _MODES:
        raise RuntimeError(f"boundary mode not supported: {mode!r}")
    return _MODES[mode]


def _per_axis(value, ndim, name):
    """A scalar repeated over the axes, or a sequence of one value per axis."""
    if np.ndim(value) == 0:
        return [value] * ndim
    values = list(value)
    if len(values) != ndim:
        raise RuntimeError(f"sequence argument must have length equal to input rank ({name})")
    return values


def _output(output, input, complex_result=False):
    """scipy.ndimage's output rule: None -> the input's dtype in native byte order (complex:
    promoted with complex64); a dtype -> a new array of it (promoted to complex, with a
    warning, for a complex result); a dtype's name -> the same, refused for a complex result;
    an array -> itself (its shape checked)."""
    if output is None:
        dtype = np.dtype(input.dtype.name)
        if complex_result:
            dtype = np.promote_types(dtype, np.complex64)
        return np.empty(input.shape, dtype)
    if isinstance(output, np.ndarray):
        if output.shape != input.shape:
            raise RuntimeError("output shape not correct")
        if complex_result and output.dtype.kind != "c":
            raise RuntimeError("output must have complex dtype")
        return output
    dtype = np.dtype(output)
    if complex_result and dtype.kind != "c":
        if isinstance(output, str):
            raise RuntimeError("output must have complex dtype")
        warnings.warn("promoting specified output dtype to complex")
        dtype = np.promote_types(dtype, np.complex64)
    return np.empty(input.shape, dtype)


def _truncating(dtype):
    """Whether results stored in `dtype` are truncated toward zero (integers, and bool, a byte
    to scipy's C code): then a sum a hair from an integer decides the value, and it is computed
    in scipy's order (_ndimage_order)."""
    return np.dtype(dtype).kind in "biu"


def _store(target, values):
    """Writes values computed in floating point to `target` as scipy's C casts do."""
    if _truncating(target.dtype):
        return _ndimage_order.store(target, values)
    np.copyto(target, values, casting="unsafe")
    return target


def _same(values, weights, shifts, rule, cval, correlate, dtype, out=None):
    """The library's 'same' correlation or convolution of `values` (computed in `dtype`) with
    the window shifted by `shifts`, as ndimage's direct sums would give it: the direct method
    where a value or cval is not finite (an FFT would spread it everywhere), and a NaN cval
    (a number to the library) written out around the data."""
    values = readable(values, dtype if values.dtype.kind == "c" else np.dtype(np.float64))
    finite = bool(np.isfinite(cval)) and bool(np.isfinite(values).all())
    pads = None
    if rule == "constant" and np.isnan(cval):
        pads = [(k, k) for k in weights.shape]
        values = np.pad(values, pads, constant_values=np.nan)
        rule, cval = "zero", 0.0
    o = options(mode="same", boundary=rule, fill_value=float(np.real(cval)), origin=shifts,
                method="auto" if finite else "direct")
    if out is None or pads is not None or not writable(out, dtype):
        result = np.empty(values.shape, dtype)
    else:
        result = out
    _fftconv.convolve(values, weights, result, o, correlate)
    if pads is not None:
        result = result[tuple(slice(k, k + n) for (k, _), n in zip(
            pads, np.subtract(values.shape, 2 * np.array(weights.shape))))]
    return result


def _compute_dtype(input, weights):
    """Double, as scipy.ndimage computes (complex128 for complex data)."""
    return np.dtype(np.complex128) if "c" in (input.dtype.kind, weights.dtype.kind) else \
        np.dtype(np.float64)


def _filter(input, weights, output, mode, cval, origin, convolution):
    input = as_array(input, "input")
    weights = as_array(weights, "weights")
    if weights.ndim != input.ndim:
        raise RuntimeError("filter weights array has incorrect shape.")
    origins = [operator.index(o) for o in _per_axis(origin, input.ndim, "origin")]
    for k, o in zip(weights.shape, origins):
        if not -(k // 2) <= o <= (k - 1) // 2:
            raise ValueError("Invalid origin; origin must satisfy -(weights.shape[k] // 2) <= "
                             "origin[k] <= (weights.shape[k]-1) // 2")
    if np.iscomplexobj(cval) and np.imag(cval) != 0:
        raise NotImplementedError("a complex cval is not supported")
    boundary = _boundary(mode)
    # ndimage's origin o: correlate reads E[i + j - (k//2 + o)], the 'same' window shifted by
    # -o; convolve flips the weights and centres even ones at k // 2: the window shifted by
    # o + (k even). (Options::origin; README, "Output size".)
    shifts = [o + (k % 2 == 0) if convolution else -o for k, o in zip(weights.shape, origins)]
    complex_result = "c" in (input.dtype.kind, weights.dtype.kind)
    target = _output(output, input, complex_result)
    if input.size == 0:
        return target
    dtype = _compute_dtype(input, weights)
    if _truncating(target.dtype):
        # scipy's correlation of the flipped weights, its origin mirrored, for a convolution
        if convolution:
            weights = weights[(slice(None, None, -1),) * weights.ndim]
            origins = [-o - (k % 2 == 0) for k, o in zip(weights.shape, origins)]
        return _store(target, _ndimage_order.correlate(input, np.asarray(weights, np.float64),
                                                       boundary, float(np.real(cval)), origins))
    kernel = readable(weights, dtype if weights.dtype.kind == "c" else np.dtype(np.float64))
    values = _same(input, kernel, shifts, boundary, cval, not convolution, dtype, out=target)
    return target if values is target else _store(target, values)


def correlate(input, weights, output=None, mode="reflect", cval=0.0, origin=0):
    """Multidimensional correlation (scipy.ndimage.correlate).

    ``out[i] = sum_j w[j] E[i + j - (k // 2 + origin)]`` per axis, E the input extended by
    `mode`; complex weights are conjugated (as numpy.correlate).

    Parameters
    ----------
    input : array_like
    weights : array_like
        The same number of dimensions as `input`.
    output : array or dtype, optional
        The result's array or dtype (default: the input's; integer results are truncated
        toward zero, as scipy's C cast).
    mode : {'reflect', 'constant', 'nearest', 'mirror', 'wrap', 'grid-constant',
            'grid-mirror', 'grid-wrap'}, optional
        The extension beyond the edges (scipy.ndimage's names; default 'reflect', which is
        numpy.pad's 'symmetric').
    cval : scalar, optional
        The value outside the input for 'constant'.
    origin : int or sequence of int, optional
        Shifts the weights: ``-(k // 2) <= origin <= (k - 1) // 2``.

    Returns
    -------
    numpy.ndarray
    """
    return _filter(input, weights, output, mode, cval, origin, False)


def convolve(input, weights, output=None, mode="reflect", cval=0.0, origin=0):
    """Multidimensional convolution (scipy.ndimage.convolve).

    `correlate` with the weights flipped and the origin mirrored: an even-sized kernel is
    centred at ``k // 2`` (scipy.signal's 'same' centres it at ``(k - 1) // 2``).

    Parameters
    ----------
    input, weights, output, mode, cval, origin
        As `correlate`.

    Returns
    -------
    numpy.ndarray
    """
    return _filter(input, weights, output, mode, cval, origin, True)


def _line_pass(values, weights1d, axis, mode, cval, origin, convolution, dtype, in_order):
    """One 1-D filter pass along `axis` of `values` (computed in `dtype`), as scipy's
    correlate1d / convolve1d (in scipy's order of additions with `in_order`)."""
    k = weights1d.size
    if in_order:
        if convolution:
            weights1d, origin = weights1d[::-1], -origin - (k % 2 == 0)
        return _ndimage_order.correlate1d(values, weights1d, axis, _boundary(mode),
                                          float(np.real(cval)), origin)
    shape = [1] * values.ndim
    shape[axis] = k
    shifts = [0] * values.ndim
    shifts[axis] = origin + (k % 2 == 0) if convolution else -origin
    return _same(values, weights1d.reshape(shape), shifts, _boundary(mode), cval,
                 not convolution, dtype)


def _gaussian_weights(sigma, order, radius):
    """scipy's _gaussian_kernel1d: normalized exp(-x^2 / (2 sigma^2)) times the polynomial of
    its `order`-th derivative, for correlation (so reversed for a convolution)."""
    x = np.arange(-radius, radius + 1, dtype=np.float64)
    phi = np.exp(-0.5 / (sigma * sigma) * x * x)
    phi /= phi.sum()
    if order == 0:
        return phi
    # q_{j+1} = q_j' - x q_j / sigma^2, q_0 = 1, as polynomial coefficients (lowest first).
    q = np.zeros(order + 1)
    q[0] = 1
    d = np.diag(np.arange(1, order + 1), 1)  # differentiation
    p = np.diag(np.ones(order) / -(sigma * sigma), -1)  # multiplication by -x / sigma^2
    for _ in range(order):
        q = d.dot(q) + p.dot(q)
    return (x[:, None] ** np.arange(order + 1)).dot(q) * phi


def _separable(input, output, axes_weights, modes, cval, origins, convolution, divisors=None):
    """Sequential 1-D passes (axes with weights None skipped), each stored in the output's
    dtype as scipy's does; pass results divided by `divisors` (per axis) when given (the box
    filter: the window's sum, then one division, as scipy's running sum: exact for integers)."""
    input = as_array(input, "input")
    complex_result = input.dtype.kind == "c"
    target = _output(output, input, complex_result)
    dtype = np.dtype(np.complex128) if complex_result else np.dtype(np.float64)
    current = input
    passes = [a for a, w in enumerate(axes_weights) if w is not None]
    if not passes or input.size == 0:
        np.copyto(target, input, casting="unsafe")
        return target
    # (box filters sum integers exactly in any order: only the weighted passes need scipy's)
    in_order = _truncating(target.dtype) and divisors is None
    for axis in passes:
        values = _line_pass(current, axes_weights[axis], axis, modes[axis], cval,
                            origins[axis], convolution, dtype, in_order)
        if divisors is not None:
            values /= divisors[axis]
        if target.dtype == dtype:
            current = values
        else:
            current = _store(np.empty(input.shape, target.dtype), values)
    np.copyto(target, current, casting="unsafe")
    return target


def gaussian_filter(input, sigma, order=0, output=None, mode="reflect", cval=0.0, truncate=4.0,
                    *, radius=None):
    """Multidimensional Gaussian filter (scipy.ndimage.gaussian_filter).

    One 1-D pass per axis with ``sigma > 1e-15`` (each stored in the output's dtype, as
    scipy), of ``2 r + 1`` taps, ``r = int(truncate * sigma + 0.5)`` (or `radius`).

    Parameters
    ----------
    input : array_like
    sigma : scalar or sequence of scalars
        Standard deviation per axis.
    order : int or sequence of int, optional
        Derivative order per axis (0: smoothing; 1, 2, ...: derivatives of the Gaussian).
    output : array or dtype, optional
    mode : str or sequence of str, optional
        scipy.ndimage's mode names, per axis allowed.
    cval : scalar, optional
    truncate : float, optional
    radius : int or sequence of int, optional
        Overrides `truncate`.

    Returns
    -------
    numpy.ndarray
    """
    input = as_array(input, "input")
    ndim = input.ndim
    sigmas = _per_axis(sigma, ndim, "sigma")
    orders = [operator.index(v) for v in _per_axis(order, ndim, "order")]
    modes = _per_axis(mode, ndim, "mode")  # (a name is a scalar to numpy: repeated)
    radii = _per_axis(radius, ndim, "radius")
    weights = []
    for s, m, r in zip(sigmas, orders, radii):
        if float(s) <= 1e-15:
            weights.append(None)
            continue
        if m < 0:
            raise ValueError("order must be non-negative")
        if r is not None and (not isinstance(r, numbers.Integral) or r < 0):
            raise ValueError("Radius must be a nonnegative integer.")
        r = int(truncate * float(s) + 0.5) if r is None else int(r)
        # (scipy correlates with the reversed weights: a convolution with them)
        weights.append(_gaussian_weights(float(s), m, r))
    return _separable(input, output, weights, modes, cval, [0] * ndim, True)


def uniform_filter(input, size=3, output=None, mode="reflect", cval=0.0, origin=0):
    """Multidimensional uniform (box) filter (scipy.ndimage.uniform_filter).

    Per axis with ``size > 1``: ``out[i] = (sum_{j < size} E[i + j - size // 2 - origin]) /
    size``, each pass stored in the output's dtype (axes with ``size <= 1`` are skipped).

    Parameters
    ----------
    input : array_like
    size : int or sequence of int, optional
    output : array or dtype, optional
    mode : str or sequence of str, optional
    cval : scalar, optional
    origin : int or sequence of int, optional
        ``-(size // 2) <= origin <= (size - 1) // 2``.

    Returns
    -------
    numpy.ndarray
    """
    input = as_array(input, "input")
    ndim = input.ndim
    sizes = [operator.index(s) for s in _per_axis(size, ndim, "size")]
    origins = [operator.index(o) for o in _per_axis(origin, ndim, "origin")]
    modes = _per_axis(mode, ndim, "mode")  # (a name is a scalar to numpy: repeated)
    weights = []
    for s, o in zip(sizes, origins):
        if s <= 1:  # (skipped, its origin unchecked, as scipy)
            weights.append(None)
            continue
        if not 0 <= s // 2 + o < s:
            raise ValueError("invalid origin")
        weights.append(np.ones(s))
    return _separable(input, output, weights, modes, cval, origins, False,
                      divisors=[float(s) for s in sizes])
