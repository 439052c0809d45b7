"""convolve_masked, match_template, find_peaks and gaussian_kernel."""

import collections
import operator

import numpy as np

from . import _fftconv
from ._arrays import as_array, options, readable


def _real_dtype(*arrays):
    """float32 when every input is float32 (or smaller), else float64; TypeError for complex."""
    for a in arrays:
        if a.dtype.kind == "c":
            raise TypeError("complex data is not supported here (real float data only)")
    dtype = np.result_type(*[a.dtype for a in arrays])
    return np.dtype(np.float32) if dtype in (np.float16, np.float32) else np.dtype(np.float64)


def convolve_masked(image, kernel, mask=None, *, mode="same", nan_policy="interpolate",
                    min_weight=1e-3, preserve_nan=False, normalize_kernel=True, boundary="zero",
                    fill_value=0.0, method="auto", threads=1, return_weight=False):
    """Convolution that leaves out bad pixels: NaN, infinite, or True in `mask`.

    With ``nan_policy='interpolate'`` (normalized convolution, astropy's default):
    ``out = conv(E', k) / conv(M, k)``, E' the image with bad pixels set to 0 and M = 1 on good
    pixels; outputs whose weight ``conv(M, k)`` is below ``min_weight * sum(k)`` are NaN. This
    is the kernel-weighted mean of the good pixels (astropy's ``normalize_kernel=False``
    multiplies it by ``sum(k)``: `fftconv.astropy` does that).

    Parameters
    ----------
    image : array_like
        Real data (float32 stays float32; other dtypes compute in float64).
    kernel : array_like
        The kernel, of the image's rank.
    mask : array_like of bool, optional
        True marks a bad pixel (the numpy.ma convention).
    mode : {'same', 'full', 'valid'}, optional
    nan_policy : {'interpolate', 'fill', 'propagate'}, optional
        'fill' replaces bad pixels with `fill_value`; 'propagate' lets NaN spread.
    min_weight : float, optional
        See above (0 keeps every output with positive weight).
    preserve_nan : bool, optional
        Outputs centred on a bad pixel are NaN again.
    normalize_kernel : bool, optional
        Divide the kernel by its sum first (default True).
    boundary, fill_value, method, threads
        As in `fftconv.convolve`.
    return_weight : bool, optional
        Also return the coverage map ``conv(M, k)``.

    Returns
    -------
    values : numpy.ndarray
    weight : numpy.ndarray
        Only with ``return_weight=True``.
    """
    image = as_array(image, "image")
    kernel = as_array(kernel, "kernel")
    dtype = _real_dtype(image, kernel)
    if mask is None:
        bad = np.broadcast_to(np.False_, image.shape)  # (zero strides: nothing allocated)
    else:
        bad = np.asarray(mask)
        if bad.shape != image.shape:
            raise ValueError(f"mask: has shape {bad.shape}, the image {image.shape}")
        bad = readable(bad != 0 if bad.dtype != np.bool_ else bad, np.dtype(np.bool_))
    o = options(mode=mode, method=method, boundary=boundary, fill_value=fill_value,
                threads=threads, normalize_kernel=normalize_kernel, nan_policy=nan_policy,
                min_weight=min_weight, preserve_nan=preserve_nan)
    shape = _fftconv.output_shape(image.shape, kernel.shape, o)
    values = np.empty(shape, dtype)
    weight = np.empty(shape, dtype) if return_weight else None
    _fftconv.convolve_masked(readable(image, dtype), bad, readable(kernel, dtype), values, weight,
                             o)
    return (values, weight) if return_weight else values


def match_template(image, template, *, mask=None, min_overlap=None, threads=1):
    """Normalized cross-correlation of `template` with every window of `image` (zero-mean,
    unit-norm: 1 where the window is an affine copy of the template).

    Parameters
    ----------
    image, template : array_like
        Real data of the same rank (1 to 3).
    mask : array_like of bool, optional
        The template's shape; True marks the template's pixels (the others are ignored).
    min_overlap : int, optional
        With a mask: windows where fewer template pixels meet finite image pixels score 0.
    threads : int, optional

    Returns
    -------
    numpy.ndarray
        The score, of shape ``image.shape - template.shape + 1`` (the 'valid' positions).
    """
    image = as_array(image, "image")
    template = as_array(template, "template")
    dtype = _real_dtype(image, template)
    o = options(threads=threads, min_overlap=0 if min_overlap is None else min_overlap)
    valid = options(mode="valid")
    score = np.empty(_fftconv.output_shape(image.shape, template.shape, valid), dtype)
    m = None
    if mask is not None:
        m = np.asarray(mask)
        m = readable(m != 0 if m.dtype != np.bool_ else m, np.dtype(np.bool_))
    _fftconv.match_template(readable(image, dtype), readable(template, dtype), m, score, o)
    return score


Peak = collections.namedtuple("Peak", ["index", "position", "value"])
Peak.__doc__ = """A peak of a score map: the pixel `index` (a tuple), the sub-pixel `position`
(a tuple of floats within 0.5 of it) and the score `value` there."""


def find_peaks(score, threshold=None, min_distance=1, max_peaks=None):
    """Local maxima of a score map (rank 1 to 3), strongest first.

    Parameters
    ----------
    score : array_like
        Real data; NaN pixels are never peaks.
    threshold : float, optional
        Only peaks above it (default: every local maximum).
    min_distance : int, optional
        Peaks closer than this (Chebyshev distance) to a stronger one are dropped.
    max_peaks : int, optional
        At most this many.

    Returns
    -------
    list of Peak
    """
    score = as_array(score, "score")
    dtype = _real_dtype(score)
    if operator.index(min_distance) < 0:
        raise ValueError(f"min_distance: {min_distance} is negative")
    peaks = _fftconv.find_peaks(readable(score, dtype),
                                -np.inf if threshold is None else float(threshold),
                                operator.index(min_distance))
    if max_peaks is not None:
        peaks = peaks[:operator.index(max_peaks)]
    return [Peak(*p) for p in peaks]


def gaussian_kernel(sigma, truncate=4.0, ndim=2, dtype=np.float64):
    """A normalized Gaussian kernel, as scipy.ndimage.gaussian_filter builds it.

    Per axis ``2 r + 1`` taps with ``r = int(truncate * sigma + 0.5)``, values
    ``exp(-x^2 / (2 sigma^2))``, the N-D kernel their outer product divided by its sum.

    Parameters
    ----------
    sigma : float or sequence of float
        Standard deviation per axis (> 0).
    truncate : float, optional
        Radius in standard deviations (default 4).
    ndim : int, optional
        Dimensions when `sigma` is a scalar (default 2).
    dtype : dtype, optional

    Returns
    -------
    numpy.ndarray
    """
    sigmas = [float(sigma)] * operator.index(ndim) if np.ndim(sigma) == 0 else \
        [float(s) for s in sigma]
    kernel = np.ones((), np.float64)
    for s in sigmas:
        if not s > 0:
            raise ValueError(f"sigma: {s} is not positive")
        radius = int(truncate * s + 0.5)
        x = np.arange(-radius, radius + 1, dtype=np.float64)
        phi = np.exp(-0.5 / (s * s) * x * x)
        kernel = np.multiply.outer(kernel, phi / phi.sum())
    return (kernel / kernel.sum()).astype(dtype)
