"""Deconvolution: drop-ins for scikit-image's ``skimage.restoration`` functions.

``fftconv.restoration.richardson_lucy`` and ``fftconv.restoration.wiener`` take scikit-image
0.19's positional arguments and defaults and return its results (to rounding) when fftconv's
extras, keyword-only, keep their defaults. The PSF's spectrum is prepared once per call and
shared by every iteration; the GIL is released while the library computes.

Differences from scikit-image (README, "Deconvolution and frequency filters"):

* ``richardson_lucy`` refuses data or PSFs scikit-image accepts silently: negative or non-finite
  values (outside ``mask``), a PSF summing to 0. Richardson-Lucy is defined for counts.
* ``wiener`` works over every axis (scikit-image >= 0.20's N-D Wiener; 0.19 raises or mixes axes
  for 3-D data), and takes impulse responses only: a complex ``reg`` (a transfer function) or a
  ``psf`` given as a transfer function is refused.
"""

import numpy as np

from . import _fftconv
from ._arrays import check_numeric, skimage_float_type

__all__ = ["richardson_lucy", "wiener", "landweber"]

_EDGES = ("zero", "periodic", "extended")


def _float_type(dtype):
    """scikit-image's float type for real data (``skimage_float_type``); complex is refused, as
    scikit-image's restoration functions do."""
    if np.dtype(dtype).kind == "c":
        raise ValueError("complex valued input is not supported")
    return skimage_float_type(dtype)


def _input(a, name, dtype=None):
    a = np.asarray(a)
    check_numeric(a, name)
    if dtype is None:
        dtype = _float_type(a.dtype)
    return np.ascontiguousarray(a, dtype=dtype)


def _edges(edges):
    if edges not in _EDGES:
        raise ValueError(f"edges: must be one of {', '.join(_EDGES)}; got {edges!r}")
    return edges


def _rank(image, psf):
    if image.ndim not in (1, 2, 3):
        raise ValueError(f"image: must have 1 to 3 dimensions, got {image.ndim}")
    if psf.ndim != image.ndim:
        raise ValueError(f"psf: has {psf.ndim} dimensions, the image {image.ndim}")


def richardson_lucy(image, psf, num_iter=50, clip=True, filter_epsilon=None, *,
                    acceleration=None, edges="zero", mask=None, tv=0.0, threads=1,
                    progress=None):
    """Richardson-Lucy deconvolution, as ``skimage.restoration.richardson_lucy``.

    Parameters
    ----------
    image : ndarray
        The blurred data, rank 1 to 3, non-negative (counts).
    psf : ndarray
        The point-spread function, of the image's rank, non-negative with a positive sum; its
        centre is its tap ``(k - 1) // 2`` per axis (``scipy.signal.convolve``'s ``'same'``).
    num_iter : int, optional
        Iterations (>= 0).
    clip : bool, optional
        Clip the result to [-1, 1] at the end (scikit-image's default, for data in [0, 1]).
    filter_epsilon : float, optional
        Where the blurred estimate is below it, the ratio is 0 (None or 0: off).
    acceleration : {None, 'biggs-andrews'}, optional
        Biggs & Andrews (1997) vector extrapolation: the same result in about a third of the
        iterations.
    edges : {'zero', 'periodic', 'extended'}, optional
        What lies outside the image: 'zero' is scikit-image's (including its back-projection for
        even PSFs); 'periodic' circular; 'extended' reconstructs beyond the image's edge and
        compares with the data only inside it (no edge ringing).
    mask : ndarray of bool, optional
        Bad pixels (True), left out of the likelihood; their values are not read.
    tv : float, optional
        Total-variation regularization (0 <= tv < 1 / (2 ndim)), typically 1e-4 to 1e-2.
    threads : int, optional
        Threads (0: all).
    progress : callable, optional
        ``progress(iteration, relative_change)`` after each iteration; returning False stops.

    Returns
    -------
    ndarray
        The deconvolved image, of the image's shape, float32 for float16/float32 data, else
        float64.
    """
    image = _input(image, "image")
    psf = _input(psf, "psf", image.dtype)
    _rank(image, psf)
    if acceleration not in (None, "none", "biggs-andrews"):
        raise ValueError(f"acceleration: must be None or 'biggs-andrews', got {acceleration!r}")
    acceleration = "biggs_andrews" if acceleration == "biggs-andrews" else "none"
    if mask is not None:
        mask = np.ascontiguousarray(mask, dtype=bool)
        if mask.shape != image.shape:
            raise ValueError(f"mask: has shape {mask.shape}, the image {image.shape}")
    out = np.empty_like(image)
    progress_fn = None
    if progress is not None:
        progress_fn = lambda k, change: bool(progress(k, change) is not False)  # noqa: E731
    _fftconv.richardson_lucy(image, psf, out, int(num_iter), acceleration, _edges(edges),
                             float(filter_epsilon) if filter_epsilon else 0.0, bool(clip),
                             float(tv), mask, False, int(threads), "automatic", progress_fn)
    return out


def landweber(image, psf, num_iter=50, alpha=1.0, positivity=True, clip=False, *, edges="zero",
              mask=None, threads=1, progress=None):
    """Landweber deconvolution (least squares by gradient steps), as ITK's (Projected)
    LandweberDeconvolutionImageFilter with its step relative to the largest stable one.

    Parameters
    ----------
    image, psf : ndarray
        As for `richardson_lucy` (the data may be negative).
    num_iter : int, optional
        Iterations (>= 0); the start is the data itself.
    alpha : float, optional
        The step relative to 1 / sum(psf)^2; converges for 0 < alpha < 2 (ITK's default 0.1).
    positivity : bool, optional
        Project onto non-negative values after each step.
    clip, edges, mask, threads, progress
        As for `richardson_lucy`.

    Returns
    -------
    ndarray
        The deconvolved image.
    """
    image = _input(image, "image")
    psf = _input(psf, "psf", image.dtype)
    _rank(image, psf)
    if mask is not None:
        mask = np.ascontiguousarray(mask, dtype=bool)
    out = np.empty_like(image)
    progress_fn = None
    if progress is not None:
        progress_fn = lambda k, change: bool(progress(k, change) is not False)  # noqa: E731
    _fftconv.landweber(image, psf, out, int(num_iter), float(alpha), bool(positivity),
                       _edges(edges), bool(clip), mask, False, int(threads), "automatic",
                       progress_fn)
    return out


def _symmetrized(reg):
    """The kernel whose transfer function is the real part of `reg`'s (scikit-image keeps only
    ``reg.real`` after the transform): (r + flip(r)) / 2 about the centre k // 2, even axes
    first grown by a zero at their end (so that the centre stays at k // 2)."""
    pad = [(0, 1 - n % 2) for n in reg.shape]
    r = np.pad(reg, pad)
    return 0.5 * (r + np.flip(r))


def wiener(image, psf, balance, reg=None, is_real=True, clip=True, *, edges="periodic",
           threads=1):
    """Wiener-Hunt deconvolution, as ``skimage.restoration.wiener``.

    ``F = conj(H) G / (|H|^2 + balance |R|^2)`` with H the PSF's transfer function (its centre
    at tap ``k // 2``, scikit-image's), R the regularizer's (the Laplacian by default), G the
    data's spectrum.

    Parameters
    ----------
    image : ndarray
        The data, rank 1 to 3 (every axis is transformed).
    psf : ndarray
        The impulse response, of the image's rank (negative values allowed).
    balance : float
        The regularization weight (>= 0).
    reg : ndarray, optional
        The regularizer's impulse response (default: the Laplacian). Only the real part of its
        transfer function is used, as scikit-image does.
    is_real : bool, optional
        False returns a complex array (its imaginary part 0), as scikit-image's complex path.
    clip : bool, optional
        Clip the result to [-1, 1].
    edges : {'periodic', 'zero', 'extended'}, optional
        'periodic' is scikit-image's circular deconvolution; 'zero' pads with zeros and
        'extended' with the image's mirror image (less ringing at the edges).
    threads : int, optional
        Threads (0: all).

    Returns
    -------
    ndarray
        The deconvolved image.
    """
    image = _input(image, "image")
    psf = np.asarray(psf)
    if np.iscomplexobj(psf):
        psf = psf.real  # (scikit-image's psf.real)
    psf = _input(psf, "psf", image.dtype)
    _rank(image, psf)
    regularizer, kernel = "laplacian", None
    if reg is None:
        tf_shape = image.shape[:-1] + (image.shape[-1] // 2 + 1,) if is_real else image.shape
        if psf.shape == tf_shape:
            raise ValueError(f"psf: has the shape of the regularizer's transfer function "
                             f"{tf_shape}, which scikit-image reads as a transfer function; "
                             "fftconv takes impulse responses only")
    else:
        reg = np.asarray(reg)
        if np.iscomplexobj(reg):
            raise ValueError("reg: transfer functions (complex reg) are not supported; pass the "
                             "regularizer's impulse response")
        if reg.ndim != image.ndim:
            raise ValueError(f"reg: has {reg.ndim} dimensions, the image {image.ndim}")
        kernel = np.ascontiguousarray(_symmetrized(reg.astype(np.float64)))
    if float(balance) < 0 or not np.isfinite(float(balance)):
        raise ValueError(f"balance: must be finite and >= 0, got {balance}")
    out = np.empty_like(image)
    _fftconv.wiener(image, psf, out, float(balance), regularizer, kernel, _edges(edges),
                    bool(clip), int(threads))
    if not is_real:
        return out.astype(np.result_type(out.dtype, np.complex64))
    return out
