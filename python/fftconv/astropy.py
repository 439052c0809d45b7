"""astropy.convolution's convolve_fft and convolve, computed by fftconv.

The same arguments, defaults, boundary names ('fill', 'wrap', 'extend', None), NaN treatment,
kernel normalization and results as astropy 5.2 (differences: README, "Python"). NaN pixels
(and, in convolve_fft, infinite ones) and ``mask`` pixels are missing data;
``nan_treatment='interpolate'`` gives the kernel-weighted mean of the valid pixels, times the
kernel's sum when ``normalize_kernel=False`` (astropy rescales by it, where
fftconv.convolve_masked returns the mean itself). astropy `Kernel` objects and numpy masked
arrays are accepted.
"""

import warnings

import numpy as np

from . import _fftconv
from ._arrays import options

try:  # (optional: Kernel objects, and astropy's own exception and warning types)
    from astropy.convolution import Kernel as _Kernel
    from astropy.convolution.utils import KernelSizeError
    from astropy.utils.exceptions import AstropyUserWarning
except ImportError:  # pragma: no cover - astropy is optional
    _Kernel = None

    class KernelSizeError(Exception):
        """A kernel of even size along an axis (astropy's convolve needs odd sizes)."""

    class AstropyUserWarning(UserWarning):
        """astropy's warning class, when astropy is not installed."""

# astropy's limit: a kernel whose sum is below 1 / MAX_NORMALIZATION is refused where it must
# be normalized.
_MAX_NORMALIZATION = 100
_NOT_NORMALIZABLE = ("The kernel can't be normalized, because its sum is close to zero. The sum "
                     f"of the given kernel is < {1.0 / _MAX_NORMALIZATION}")


def _inputs(array, kernel, mask):
    """(data, kernel, masked): Kernel objects unwrapped, a masked array's mask merged with
    `mask` (non-zero = missing); data as float64 (complex: its real part, with a missing map
    from both parts), the kernel as float64."""
    if _Kernel is not None:
        if isinstance(array, _Kernel) and isinstance(kernel, _Kernel):
            raise TypeError("Can't convolve two kernels with convolve_fft.  Use convolve "
                            "instead.")
        array = array.array if isinstance(array, _Kernel) else array
        kernel = kernel.array if isinstance(kernel, _Kernel) else kernel
    masked = np.zeros(np.shape(array), bool)
    if np.ma.isMaskedArray(array):
        masked |= np.ma.getmaskarray(array)
        array = np.ma.getdata(array)
    if mask is not None:
        masked |= np.asarray(mask) != 0
    array = np.asarray(array)
    kernel = np.asarray(kernel)
    for a, name in ((array, "array"), (kernel, "kernel")):
        if a.dtype.kind not in "biufc":
            raise TypeError(f"{name}: dtype {a.dtype} is not numeric")
    if kernel.dtype.kind == "c":
        raise TypeError("kernel: complex kernels are not supported")
    if array.ndim != kernel.ndim:
        raise ValueError("Image and kernel must have same number of dimensions")
    if array.dtype.kind == "c":
        masked = masked | ~np.isfinite(array)
        array = array.real  # (astropy returns the real part of the complex convolution)
    return (np.asarray(array, dtype=np.float64), np.asarray(kernel, dtype=np.float64), masked)


def _masked(data, masked, kernel, mode, rule, fill, origin, nan_policy, normalize=False,
            method="auto", with_weight=False):
    """The library's masked convolution (NaN and infinite pixels of `data` and `masked` pixels
    missing): values and the coverage weight."""
    o = options(mode=mode, boundary=rule, fill_value=fill, origin=origin, method=method,
                nan_policy=nan_policy, min_weight=0.0, normalize_kernel=normalize)
    shape = _fftconv.output_shape(data.shape, kernel.shape, o)
    values = np.empty(shape)
    weight = np.empty(shape) if with_weight else None
    bad = masked if masked.any() else np.broadcast_to(np.False_, data.shape)
    _fftconv.convolve_masked(data, bad, kernel, values, weight, o)
    return values, weight


def _window(shape, offsets):
    """The region of `shape` starting at `offsets` (an array inside its padding)."""
    return tuple(slice(o, o + n) for o, n in zip(offsets, shape))


def convolve_fft(array, kernel, boundary="fill", fill_value=0.0, nan_treatment="interpolate",
                 normalize_kernel=True, normalization_zero_tol=1e-8, preserve_nan=False,
                 mask=None):
    """Convolve an array with a kernel, treating NaN and inf as missing (astropy's
    convolve_fft).

    Parameters
    ----------
    array : array_like, numpy.ma.MaskedArray or astropy Kernel
        The data; NaN and infinite values are missing.
    kernel : array_like or astropy Kernel
        The kernel, of the same rank; even sizes are centred at ``k // 2``, as astropy.
    boundary : {'fill', 'wrap', None}, optional
        'fill' (default): outside the array is `fill_value` (NaN: missing); 'wrap': periodic,
        with period max(n, k) per axis as astropy (the array padded with zeros where the
        kernel is longer); None: 'fill', with astropy's warning. 'extend' is not implemented
        for the FFT, as in astropy.
    fill_value : float, optional
    nan_treatment : {'interpolate', 'fill'}, optional
        'interpolate': each output is the kernel-weighted mean of the valid pixels under the
        kernel (0 where there is none); 'fill': missing pixels take `fill_value`.
    normalize_kernel : bool or callable, optional
        True (default): the kernel is divided by its sum (refused below 0.01). A callable f:
        the result is the normalized one times ``f(kernel)``. False: times the kernel's sum
        (interpolation is refused when the sum is within `normalization_zero_tol` of 0).
    normalization_zero_tol : float, optional
    preserve_nan : bool, optional
        Missing pixels are NaN in the result.
    mask : array_like, optional
        Non-zero marks a missing pixel.

    Returns
    -------
    numpy.ndarray
        float64, of the array's shape (astropy has no size limit here: no ``allow_huge``).
    """
    if boundary is None:
        warnings.warn("The convolve_fft version of boundary=None is equivalent to the convolve "
                      "boundary='fill'.  There is no FFT equivalent to convolve's "
                      "zero-if-kernel-leaves-boundary", AstropyUserWarning)
        boundary = "fill"
    if boundary == "extend":
        raise NotImplementedError("The 'extend' option is not implemented for fft-based "
                                  "convolution")
    if boundary not in ("fill", "wrap"):
        raise ValueError(f"Invalid boundary option: {boundary!r}")
    if nan_treatment not in ("interpolate", "fill"):
        raise ValueError("nan_treatment must be one of 'interpolate','fill'")
    data, kernel, masked = _inputs(array, kernel, mask)
    shape = data.shape
    kernel_sum = kernel.sum()
    # The factor astropy multiplies the normalized result by, and whether 'fill' divides the
    # kernel by its sum.
    if normalize_kernel is True:
        if kernel_sum < 1.0 / _MAX_NORMALIZATION:
            raise Exception(_NOT_NORMALIZABLE)  # (astropy's type: a bare Exception)
        factor = 1.0
    elif normalize_kernel:
        factor = normalize_kernel(kernel)
    elif np.abs(kernel_sum) < normalization_zero_tol:
        if nan_treatment == "interpolate":
            raise ValueError("Cannot interpolate NaNs with an unnormalizable kernel")
        factor = None
    else:
        factor = kernel_sum
    missing = masked | ~np.isfinite(data)
    if nan_treatment == "fill":
        # Missing pixels take fill_value first (astropy: before any padding, whose value may
        # differ); a NaN fill value for NaN data is refused, as astropy does.
        if np.isnan(fill_value) and missing.any():
            raise ValueError("Encountered NaNs in convolve.  This is disallowed.")
        data = np.where(missing, fill_value, data)
        masked = np.zeros(shape, bool)
    offsets = [0] * data.ndim
    if boundary == "wrap":
        # Periodic over max(n, k) per axis: the array padded with zeros (valid data) to it.
        pads = [(0, max(k - n, 0)) for n, k in zip(shape, kernel.shape)]
        data, masked = np.pad(data, pads), np.pad(masked, pads)
        rule, fill = "wrap", 0.0
    elif np.isnan(fill_value) and nan_treatment == "fill":
        rule, fill = "zero", 0.0  # (astropy: clean data and a NaN fill value pad with zeros)
    elif np.isnan(fill_value):
        # Missing pixels all around: padded explicitly (the library's fill value is a number).
        pads = [(k, k) for k in kernel.shape]
        data = np.pad(data, pads, constant_values=np.nan)
        masked = np.pad(masked, pads)
        offsets = list(kernel.shape)
        rule, fill = "zero", 0.0
    else:
        rule, fill = "constant", float(fill_value)
    origin = [int(k % 2 == 0) for k in kernel.shape]  # (astropy centres even kernels at k // 2)
    if nan_treatment == "interpolate":
        # The weighted mean does not depend on the kernel's scale (a negative sum is flipped:
        # the library's weights must be positive). astropy's weight is conv(valid, k / s), s
        # the kernel's sum (or f(kernel) for a callable); it gives 0 where that is below 10 eps.
        sign = -1.0 if kernel_sum < 0 else 1.0
        values, weight = _masked(data, masked, sign * kernel, "same", rule, fill, origin,
                                 "interpolate", with_weight=True)
        s = normalize_kernel(kernel) if callable(normalize_kernel) else kernel_sum
        astropy_weight = weight * sign / s
        result = np.where(astropy_weight < 10 * np.finfo(np.float64).eps, 0.0, values) * factor
    else:
        values, _ = _masked(data, masked, kernel, "same", rule, fill, origin, "propagate",
                            normalize=normalize_kernel is True)
        result = values
    result = result[_window(shape, offsets)]
    if preserve_nan:
        result[missing] = np.nan
    return result


def convolve(array, kernel, boundary="fill", fill_value=0.0, nan_treatment="interpolate",
             normalize_kernel=True, mask=None, preserve_nan=False,
             normalization_zero_tol=1e-8):
    """Convolve an array with a kernel (astropy's direct convolve), NaN as missing data.

    fftconv computes it with its fastest method (the result agrees with the direct sum to
    rounding; infinite values, which astropy lets propagate, force the direct sum so they
    stay where the kernel reaches them).

    Parameters
    ----------
    array : array_like, numpy.ma.MaskedArray or astropy Kernel
        1 to 3 dimensions.
    kernel : array_like or astropy Kernel
        Odd sizes along every axis (KernelSizeError otherwise, as astropy).
    boundary : {'fill', 'wrap', 'extend', None}, optional
        'fill' (default): outside is `fill_value`; 'wrap': periodic; 'extend': the edge value
        repeated; None: 0 wherever the kernel reaches outside the array.
    fill_value : float, optional
    nan_treatment : {'interpolate', 'fill'}, optional
        'interpolate' (when the data hold a NaN): the kernel-weighted mean of the valid
        pixels; 'fill': NaN pixels take `fill_value`.
    normalize_kernel : bool, optional
        True (default): the result is divided by the kernel's sum; False with interpolation:
        the weighted mean times the kernel's sum. A sum below 0.01 is refused where either
        applies.
    mask : array_like, optional
        Non-zero marks a missing pixel (set to NaN first).
    preserve_nan : bool, optional
        Pixels that were NaN are NaN in the result.
    normalization_zero_tol : float, optional

    Returns
    -------
    numpy.ndarray
        The array's float dtype (float32 stays float32), float64 for other inputs.
    """
    if boundary not in (None, "fill", "wrap", "extend"):
        raise ValueError(f"Invalid boundary option: must be one of [None, 'fill', 'wrap', "
                         f"'extend'], got {boundary!r}")
    if nan_treatment not in ("interpolate", "fill"):
        raise ValueError("nan_treatment must be one of 'interpolate','fill'")
    original = array.array if _Kernel is not None and isinstance(array, _Kernel) else array
    out_dtype = np.asarray(np.ma.getdata(original)).dtype
    out_dtype = out_dtype if out_dtype.kind == "f" else np.dtype(np.float64)
    data, kernel, masked = _inputs(array, kernel, mask)
    if data.ndim not in (1, 2, 3):
        raise NotImplementedError("convolve only supports 1, 2, and 3-dimensional arrays at "
                                  "this time")
    if any(k % 2 == 0 for k in kernel.shape):
        raise KernelSizeError("Kernel size must be odd in all axes.")
    if boundary is None and any(n <= 2 * (k // 2) for n, k in zip(data.shape, kernel.shape)):
        raise KernelSizeError("Kernel is larger than the array (boundary=None needs the "
                              "array larger than the kernel along every axis)")
    if masked.any():
        data = np.where(masked, np.nan, data)
    nans = np.isnan(data)
    shape = data.shape
    with np.errstate(invalid="ignore"):  # (astropy's test: inf - inf counts as a NaN too)
        nan_interpolate = nan_treatment == "interpolate" and bool(np.isnan(data.sum()))
    kernel_sum = kernel.sum()
    if (normalize_kernel or nan_interpolate) and (
            kernel_sum < 1.0 / _MAX_NORMALIZATION
            or np.isclose(kernel_sum, 0, atol=normalization_zero_tol)):
        raise ValueError(_NOT_NORMALIZABLE)
    no_mask = np.broadcast_to(np.False_, data.shape)
    offsets = [0] * data.ndim
    if boundary is None:
        mode, rule, fill = "valid", "zero", 0.0
    elif boundary == "fill" and np.isnan(fill_value):
        pads = [(k, k) for k in kernel.shape]
        data = np.pad(data, pads, constant_values=np.nan)
        no_mask = np.broadcast_to(np.False_, data.shape)
        offsets = list(kernel.shape)
        mode, rule, fill = "same", "zero", 0.0
    else:
        mode = "same"
        rule = {"fill": "constant", "wrap": "wrap", "extend": "nearest"}[boundary]
        fill = float(fill_value) if boundary == "fill" else 0.0
    # (NaN is missing only when interpolating; infinities always enter the sum, as in astropy,
    # and need the direct sum to stay local)
    # (infinities, in the data or around it, need the direct sum to stay where the kernel
    # reaches them)
    method = "direct" if np.isinf(fill).any() or np.isinf(data).any() else "auto"
    if nan_interpolate and (method == "direct" or (kernel < 0).any()):
        # astropy's sum over the non-NaN pixels divided by their kernel weight, as two sums:
        # infinities are data to it (missing to the library's interpolation), and with negative
        # taps its weight may be negative (no output to the library's).
        values, _ = _masked(np.where(np.isnan(data), 0.0, data), no_mask, kernel, mode, rule,
                            fill, None, "propagate", method="direct")
        weight, _ = _masked((~np.isnan(data)).astype(np.float64), no_mask, kernel, mode, rule,
                            1.0 if rule == "constant" else 0.0, None, "propagate")
        with np.errstate(divide="ignore", invalid="ignore"):
            values = np.where(weight == 0, np.nan, values / weight)
    elif nan_interpolate:
        values, weight = _masked(data, no_mask, kernel, mode, rule, fill, None, "interpolate",
                                 method=method, with_weight=True)
    if nan_interpolate:
        # No weight: astropy takes the (extended) input value under the kernel's centre.
        empty = np.isnan(values) & (weight == 0)
        if empty.any():
            centre = data if mode == "same" else data[_window(values.shape, [
                k // 2 for k in kernel.shape])]
            values = np.where(empty, centre, values)
            warnings.warn("nan_treatment='interpolate', however, NaN values detected "
                          "post convolution. A contiguous region of NaN values, larger than "
                          "the kernel size, are present in the input array. Increase the "
                          "kernel size to avoid this.", AstropyUserWarning)
        if not normalize_kernel:
            values = values * kernel_sum
    else:
        filled = data
        if nans.any():
            filled = np.where(np.isnan(data), fill_value if nan_treatment == "fill" else np.nan,
                              data)
        values, _ = _masked(filled, no_mask, kernel, mode, rule, fill, None, "propagate",
                            normalize=bool(normalize_kernel),
                            method="direct" if np.isnan(filled).any() else method)
    if boundary is None:
        result = np.zeros(data.shape)
        result[tuple(slice(k // 2, k // 2 + v) for k, v in zip(kernel.shape, values.shape))] = \
            values
    else:
        result = values[_window(shape, offsets)]
    if preserve_nan:
        result[nans] = np.nan
    return result.astype(out_dtype, copy=False)
