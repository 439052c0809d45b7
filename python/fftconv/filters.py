"""Transfer-function filters: a drop-in for ``skimage.filters.butterworth`` and filtering by any
transfer function, with the boundary rules applied before the transform.

Every function multiplies the image's spectrum on a transform grid: by default (``boundary=
'wrap'``, ``padding=0``) the image itself, circular filtering as scikit-image and numpy do;
otherwise the image extended by ``padding`` samples at each end of every axis by the boundary
rule (then rounded up to a fast FFT length), so that a non-periodic image gets no wrap-around.
Frequencies are in cycles per sample, numpy.fft.fftfreq's convention. The GIL is released while
the library computes. README, "Deconvolution and frequency filters".
"""

import numpy as np

from . import _fftconv
from ._arrays import check_numeric, skimage_float_type

__all__ = ["butterworth", "frequency_filter", "frequency_grid_shape", "gaussian_lowpass",
           "band_pass", "fourier_shift"]

_BOUNDARIES = ("zero", "constant", "reflect", "mirror", "nearest", "wrap")


def _per_part(image, name, run):
    """run(real array) -> real array over the image's real type; complex images are filtered
    part by part (the filters are linear, and real on real data) and returned complex."""
    image = np.asarray(image)
    check_numeric(image, name)
    real = skimage_float_type(image.dtype)
    if image.dtype.kind == "c":
        re = run(np.ascontiguousarray(image.real, dtype=real))
        im = run(np.ascontiguousarray(image.imag, dtype=real))
        return re + 1j * im
    return run(np.ascontiguousarray(image, dtype=real))


def _grid_args(boundary, padding, fill_value, threads):
    if boundary not in _BOUNDARIES:
        raise ValueError(f"boundary: must be one of {', '.join(_BOUNDARIES)}; got {boundary!r}")
    if int(padding) < 0:
        raise ValueError(f"padding: must be >= 0, got {padding}")
    return boundary, int(padding), float(fill_value), int(threads)


def _over_axes(image, channel_axis, run):
    """run over the image, or over each channel along channel_axis."""
    if channel_axis is None:
        return run(image)
    image = np.moveaxis(image, channel_axis, -1)
    out = np.stack([run(np.ascontiguousarray(image[..., c])) for c in range(image.shape[-1])],
                   axis=-1)
    return np.moveaxis(out, -1, channel_axis)


def butterworth(image, cutoff_frequency_ratio=0.005, high_pass=True, order=2.0,
                channel_axis=None, *, boundary="wrap", padding=0, fill_value=0.0, threads=1):
    """Butterworth filter, as ``skimage.filters.butterworth`` (scikit-image 0.19).

    ``H(f) = 1 / (1 + (|f| / c)^(2 order))`` (low-pass), ``1 - H`` (high-pass), with ``|f|`` the
    Euclidean norm of the frequency vector in cycles per sample and ``c`` the cutoff.

    Parameters
    ----------
    image : ndarray
        1 to 3 filtered axes (plus ``channel_axis``); complex data is filtered part by part.
    cutoff_frequency_ratio : float, optional
        The cutoff ``c`` in cycles per sample (> 0).
    high_pass : bool, optional
        High-pass (True, the default) or low-pass.
    order : float, optional
        The order (>= 0; 0 gives half the image).
    channel_axis : int, optional
        An axis of channels filtered one by one.
    boundary, padding, fill_value : optional
        The transform grid (module docstring); the defaults are scikit-image's circular filter.
    threads : int, optional
        Threads (0: all).

    Returns
    -------
    ndarray
        float32 for float16/float32 data, complex for complex data, else float64.
    """
    args = _grid_args(boundary, padding, fill_value, threads)

    def run(x):
        out = np.empty_like(x)
        _fftconv.butterworth(x, out, float(cutoff_frequency_ratio), bool(high_pass),
                             float(order), *args)
        return out

    return _over_axes(np.asarray(image), channel_axis, lambda a: _per_part(a, "image", run))


def frequency_grid_shape(shape, *, boundary="wrap", padding=0):
    """The transform grid's shape for an image of `shape` (the module docstring)."""
    return tuple(_fftconv.frequency_grid_shape([int(n) for n in shape], boundary, int(padding)))


def frequency_filter(image, transfer, *, boundary="wrap", padding=0, fill_value=0.0, threads=1):
    """Filter `image` by a transfer function on its transform grid.

    Parameters
    ----------
    image : ndarray
        Real or complex data, 1 to 3 axes.
    transfer : callable or ndarray
        A callable ``transfer(*frequencies)`` taking one array per axis (numpy's open grid of
        the full spectrum's fftfreq values, broadcastable to the grid's shape) and returning H
        there, or an array of H on the grid's full spectrum (``numpy.fft.fftn``'s layout, shape
        `frequency_grid_shape`) or half spectrum (``rfftn``'s: last axis ``L // 2 + 1``). For a
        real image the Hermitian part of a full-spectrum H is applied: the result is
        ``numpy.fft.ifftn(H * numpy.fft.fftn(grid)).real``, windowed.
    boundary, padding, fill_value, threads : optional
        The transform grid (module docstring) and threads.

    Returns
    -------
    ndarray
        The filtered image (complex for complex data).
    """
    args = _grid_args(boundary, padding, fill_value, threads)
    image = np.asarray(image)
    grid = frequency_grid_shape(image.shape, boundary=boundary, padding=padding)
    if callable(transfer):
        frequencies = np.meshgrid(*[np.fft.fftfreq(n) for n in grid], indexing="ij",
                                  sparse=True)
        transfer = np.broadcast_to(np.asarray(transfer(*frequencies)), grid)
    transfer = np.asarray(transfer)
    check_numeric(transfer, "transfer")

    def run(x):
        out = np.empty_like(x)
        h = np.ascontiguousarray(transfer, dtype=np.result_type(x.dtype, np.complex64))
        _fftconv.frequency_filter(x, out, h, *args)
        return out

    return _per_part(image, "image", run)


def gaussian_lowpass(image, sigma_frequency, *, boundary="wrap", padding=0, fill_value=0.0,
                     threads=1):
    """Gaussian low-pass: ``H(f) = exp(-|f|^2 / (2 sigma^2))``, sigma in cycles per sample."""
    args = _grid_args(boundary, padding, fill_value, threads)

    def run(x):
        out = np.empty_like(x)
        _fftconv.gaussian_lowpass(x, out, float(sigma_frequency), *args)
        return out

    return _per_part(image, "image", run)


def band_pass(image, low_cutoff, high_cutoff, order=2.0, *, boundary="wrap", padding=0,
              fill_value=0.0, threads=1):
    """Band-pass: the Butterworth low-pass at `high_cutoff` minus the one at `low_cutoff`."""
    args = _grid_args(boundary, padding, fill_value, threads)

    def run(x):
        out = np.empty_like(x)
        _fftconv.band_pass(x, out, float(low_cutoff), float(high_cutoff), float(order), *args)
        return out

    return _per_part(image, "image", run)


def fourier_shift(image, shift, *, boundary="wrap", padding=0, fill_value=0.0, threads=1):
    """Shift by (sub-pixel) amounts per axis: ``out[x] = image[x - shift]``, by
    ``H(f) = exp(-2 pi i f . shift)`` (integer shifts with wrap are numpy.roll)."""
    args = _grid_args(boundary, padding, fill_value, threads)
    shift = [float(s) for s in np.atleast_1d(shift)]

    def run(x):
        out = np.empty_like(x)
        _fftconv.fourier_shift(x, out, shift, *args)
        return out

    return _per_part(image, "image", run)
