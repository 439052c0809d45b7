"""fftconv.astropy's convolve_fft and convolve against astropy.convolution 5.2 (the semantics of
docs/python-dropin-semantics.md section 4): ranks 1-3, odd and even kernels, kernels larger
than the array, every boundary, NaN interpolation and filling, kernel normalization, refusals,
preserve_nan, masks, infinities, float32, astropy Kernel objects. NaN (and inf) placement must
match exactly; values agree within tolerances derived from eps and the problem size
(conftest.tolerance), divided by the local kernel weight for interpolated results."""

import warnings

import numpy as np
import pytest
from conftest import random_array, tolerance
from hypothesis import given, settings, strategies as st

pytest.importorskip("astropy")

from astropy.convolution import Box1DKernel, Gaussian2DKernel, Kernel  # noqa: E402
from astropy.convolution import convolve as ap_convolve  # noqa: E402
from astropy.convolution import convolve_fft as ap_convolve_fft  # noqa: E402
from astropy.convolution.utils import KernelSizeError  # noqa: E402
from astropy.utils.exceptions import AstropyUserWarning  # noqa: E402

from fftconv import astropy as fa  # noqa: E402

SHAPES = {1: ((37,), (5,), (4,)), 2: ((19, 14), (5, 3), (4, 2)), 3: ((9, 8, 7), (3, 5, 3),
                                                                       (2, 3, 4))}


# ----------------------------------------------------------------------------- helpers

def positive_kernel(rng, shape):
    """Kernel taps in [0.1, 1.1): no zero tap, so every non-empty subset has weight >= 0.1."""
    return 0.1 + np.abs(random_array(rng, shape, np.float64))


def with_nans(rng, x, fraction):
    """A copy of `x` with about `fraction` of its pixels NaN."""
    x = np.array(x, dtype=float)
    x[rng.random(x.shape) < fraction] = np.nan
    return x


def raised(call):
    """The type of the exception `call()` raises (the test fails if it raises none)."""
    with pytest.raises(Exception) as info:
        call()
    return type(info.value)


def quiet(function, *args, **kwargs):
    """`function(*args, **kwargs)` with astropy's (and our) AstropyUserWarnings silenced."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", AstropyUserWarning)
        return function(*args, **kwargs)


def unpack(array, kernel, mask):
    """(data float64, masked pixels, kernel float64) as both libraries see them."""
    if isinstance(kernel, Kernel):
        kernel = kernel.array
    if isinstance(array, Kernel):
        array = array.array
    masked = np.zeros(np.shape(array), bool)
    if np.ma.isMaskedArray(array):
        masked |= np.ma.getmaskarray(array)
        array = np.ma.getdata(array)
    if mask is not None:
        masked |= np.asarray(mask) != 0
    return (np.asarray(array, dtype=np.float64), masked,
            np.asarray(kernel, dtype=np.float64))


def bound_image(x, boundary, fill_value):
    """An image whose max |value| bounds the data terms of a sum: `x` with non-finite values
    replaced by 0 (outputs they reach are non-finite on both sides and compared by placement
    only), raised to |fill_value| where 'fill' pads with it (conftest.abs_sum_bound takes
    max |image| times sum |kernel|)."""
    x = np.where(np.isfinite(x), np.abs(x), 0.0)
    if boundary in ("fill", None) and np.isfinite(fill_value):
        x = np.maximum(x, abs(fill_value))
    return x


def fft_coverage(missing, kn, boundary, fill_value):
    """astropy convolve_fft's weight image conv(valid, kn): 1 on valid pixels, 0 on missing
    ones; outside the array 1 for a finite fill_value and 0 for NaN; 'wrap' is periodic over
    max(n, k) per axis with the zero padding counting as valid."""
    valid = (~missing).astype(np.float64)
    if boundary == "wrap":
        pads = [(0, max(k - n, 0)) for n, k in zip(valid.shape, kn.shape)]
        w = ap_convolve_fft(np.pad(valid, pads, constant_values=1.0), kn, boundary="wrap",
                            nan_treatment="fill", normalize_kernel=False)
        return w[tuple(slice(0, n) for n in valid.shape)]
    outside = 0.0 if np.isnan(fill_value) else 1.0
    return ap_convolve_fft(valid, kn, boundary="fill", fill_value=outside,
                           nan_treatment="fill", normalize_kernel=False)


def direct_coverage(missing, kn, boundary, fill_value):
    """astropy convolve's interpolation weight sum(kn over valid pixels): padding by 'fill' is
    valid for a finite fill_value and missing for NaN; 'extend'/'wrap' repeat the validity of
    the pixels they copy (boundary=None: the interior, as 'fill')."""
    valid = (~missing).astype(np.float64)
    outside = 0.0 if np.isnan(fill_value) else 1.0
    return ap_convolve(valid, kn, boundary="fill" if boundary is None else boundary,
                       fill_value=outside, nan_treatment="fill", normalize_kernel=False)


def mean_tolerance(x0, kn, expected, weight, scale, boundary, fill_value, dtype):
    """Tolerance of an interpolated result scale * q, q = N / W the kernel-weighted mean with
    kn = kernel / sum(kernel): N = conv(x0, kn) (missing pixels 0), W = conv(valid, kn).
    Both sides compute N and W with errors dN <= tolerance(x0, kn) and dW <= tolerance(valid,
    kn) (max |valid| = 1), so |dq| <= (dN + |q| dW) / W to first order; we take W = its
    minimum over the compared outputs (those with a positive weight: for kernels with no zero
    tap a non-empty weight is >= min(kn) > 0, an empty one is exactly 0 on both sides, where
    both libraries return 0 or NaN) and |q| = max |expected| / |scale| over them."""
    ones = np.ones(x0.shape)
    taps = np.abs(kn[kn != 0])
    compared = np.isfinite(expected) & (weight > 0.5 * taps.min(initial=1.0))
    w_min = float(weight[compared].min(initial=1.0))
    q_max = float(np.abs(expected[compared]).max(initial=0.0)) / abs(scale)
    return abs(scale) * (tolerance(bound_image(x0, boundary, fill_value), kn, dtype)
                         + q_max * tolerance(ones, kn, dtype)) / w_min


def fft_tolerance(array, kernel, expected, boundary="fill", fill_value=0.0,
                  nan_treatment="interpolate", normalize_kernel=True, mask=None, **_):
    """The tolerance of convolve_fft's result (astropy's formulas, section 4)."""
    x, masked, k = unpack(array, kernel, mask)
    missing = masked | ~np.isfinite(x)
    boundary = "fill" if boundary is None else boundary
    pad_value = 0.0 if boundary == "wrap" else fill_value  # (astropy forces 0 for 'wrap')
    s = k.sum()
    if nan_treatment == "fill":
        # A plain convolution of the filled data with k / sum (True) or k (False, callable:
        # the callable's scale cancels).
        filled = np.where(missing, fill_value, x)
        used = k / s if normalize_kernel is True else k
        return tolerance(bound_image(filled, boundary, pad_value), used, expected.dtype)
    if normalize_kernel is True:
        scale = 1.0
    elif normalize_kernel:
        scale = float(normalize_kernel(k))
    else:
        scale = s
    kn = k / s
    weight = fft_coverage(missing, kn, boundary, fill_value)
    x0 = np.where(missing, 0.0, x)
    return mean_tolerance(x0, kn, expected, weight, scale, boundary, pad_value, np.float64)


def direct_tolerance(array, kernel, expected, boundary="fill", fill_value=0.0,
                     nan_treatment="interpolate", normalize_kernel=True, mask=None, **_):
    """The tolerance of convolve's result in its output dtype (a float32 result is rounded
    from float64 on both sides: half an ulp each, within tolerance(..., float32))."""
    x, masked, k = unpack(array, kernel, mask)
    x = np.where(masked, np.nan, x)
    nan = np.isnan(x)
    s = k.sum()
    dtype = expected.dtype
    if not (nan_treatment == "interpolate" and nan.any()):
        filled = np.where(nan, fill_value if nan_treatment == "fill" else 0.0, x)
        used = k / s if normalize_kernel else k
        return tolerance(bound_image(filled, boundary, fill_value), used, dtype)
    kn = k / s
    weight = direct_coverage(nan, kn, boundary, fill_value)
    x0 = np.where(nan, 0.0, x)
    return mean_tolerance(x0, kn, expected, weight, 1.0 if normalize_kernel else s, boundary,
                          fill_value, dtype)


def check(got, expected, tol):
    """Same shape and dtype, NaN and +-inf at exactly the same places, finite values within
    `tol`."""
    assert isinstance(got, np.ndarray)
    assert got.shape == expected.shape
    assert got.dtype == expected.dtype
    np.testing.assert_array_equal(np.isnan(got), np.isnan(expected), "NaN placement")
    np.testing.assert_array_equal(np.isposinf(got), np.isposinf(expected), "+inf placement")
    np.testing.assert_array_equal(np.isneginf(got), np.isneginf(expected), "-inf placement")
    finite = np.isfinite(expected)
    err = float(np.abs(got[finite] - expected[finite]).max(initial=0.0))
    assert err <= tol, f"max |fftconv - astropy| = {err:.3g} > tolerance {tol:.3g}"


def compare_fft(array, kernel, **kwargs):
    """convolve_fft of fftconv and astropy agree; returns (ours, astropy's)."""
    expected = quiet(ap_convolve_fft, array, kernel, **kwargs)
    got = quiet(fa.convolve_fft, array, kernel, **kwargs)
    check(got, expected, fft_tolerance(array, kernel, expected, **kwargs))
    return got, expected


def compare_direct(array, kernel, **kwargs):
    """convolve of fftconv and astropy agree; returns (ours, astropy's)."""
    expected = quiet(ap_convolve, array, kernel, **kwargs)
    got = quiet(fa.convolve, array, kernel, **kwargs)
    check(got, expected, direct_tolerance(array, kernel, expected, **kwargs))
    return got, expected


# ----------------------------------------------------------------------------- ranks, boundaries

@pytest.mark.parametrize("ndim", [1, 2, 3])
@pytest.mark.parametrize("parity", ["odd", "even"])
@pytest.mark.parametrize("boundary", ["fill", "wrap"])
@pytest.mark.parametrize("nan_fraction", [0.0, 0.2])
def test_convolve_fft_matches_astropy_by_rank(rng, ndim, parity, boundary, nan_fraction):
    """convolve_fft equals astropy's for ranks 1-3, odd and even kernels, 'fill'/'wrap'."""
    shape, odd, even = SHAPES[ndim]
    x = with_nans(rng, random_array(rng, shape, np.float64), nan_fraction)
    k = positive_kernel(rng, odd if parity == "odd" else even)
    compare_fft(x, k, boundary=boundary)
    compare_fft(x, k, boundary=boundary, fill_value=0.75)


@pytest.mark.parametrize("ndim", [1, 2, 3])
@pytest.mark.parametrize("boundary", ["fill", "wrap", "extend", None])
@pytest.mark.parametrize("nan_fraction", [0.0, 0.2])
def test_convolve_matches_astropy_by_rank(rng, ndim, boundary, nan_fraction):
    """convolve equals astropy's for ranks 1-3 and every boundary rule."""
    shape, odd, _ = SHAPES[ndim]
    x = with_nans(rng, random_array(rng, shape, np.float64), nan_fraction)
    k = positive_kernel(rng, odd)
    compare_direct(x, k, boundary=boundary)
    compare_direct(x, k, boundary=boundary, fill_value=-0.5)


def test_convolve_fft_centres_even_kernels_at_half_size():
    """An impulse spreads to the window starting k // 2 before it, per axis (even and odd)."""
    x = np.zeros((7, 8))
    x[3, 4] = 1.0
    k = np.arange(1.0, 7.0).reshape(2, 3)
    got, _ = compare_fft(x, k, normalize_kernel=False)
    expected = np.zeros_like(x)
    start = (3 - 2 // 2, 4 - 3 // 2)  # out[i] = sum_m k[m] x[i - m + k // 2]
    expected[start[0]:start[0] + 2, start[1]:start[1] + 3] = k
    np.testing.assert_allclose(got, expected, rtol=0, atol=tolerance(x, k, np.float64))


@pytest.mark.parametrize("shape", [(4,), (3, 6), (2, 5), (3, 3, 2)])
def test_convolve_refuses_even_kernels_with_kernel_size_error(rng, shape):
    """convolve raises astropy's KernelSizeError for an even length along any axis."""
    x = random_array(rng, (9,) * len(shape), np.float64)
    k = positive_kernel(rng, shape)
    with pytest.raises(KernelSizeError):
        ap_convolve(x, k)
    assert raised(lambda: fa.convolve(x, k)) is KernelSizeError  # (the class itself)


@pytest.mark.parametrize("boundary", ["fill", "wrap"])
@pytest.mark.parametrize("nan_fraction", [0.0, 0.3])
def test_convolve_fft_kernel_larger_than_array(rng, boundary, nan_fraction):
    """convolve_fft with kernels longer than the array ('wrap': period max(n, k))."""
    for shape, kshape in (((5,), (9,)), ((5,), (12,)), ((4, 6), (7, 9)), ((3, 2, 4), (5, 4, 7))):
        x = with_nans(rng, random_array(rng, shape, np.float64), nan_fraction)
        k = positive_kernel(rng, kshape)
        compare_fft(x, k, boundary=boundary)
        compare_fft(x, k, boundary=boundary, fill_value=2.0)


@pytest.mark.parametrize("boundary", ["fill", "wrap", "extend"])
@pytest.mark.parametrize("nan_fraction", [0.0, 0.3])
def test_convolve_kernel_larger_than_array(rng, boundary, nan_fraction):
    """convolve with kernels longer than the array ('wrap': true period n)."""
    for shape, kshape in (((5,), (9,)), ((3,), (11,)), ((4, 6), (7, 9)), ((3, 2, 4), (5, 5, 7))):
        x = with_nans(rng, random_array(rng, shape, np.float64), nan_fraction)
        k = positive_kernel(rng, kshape)
        compare_direct(x, k, boundary=boundary)
        compare_direct(x, k, boundary=boundary, fill_value=2.0)


def test_convolve_boundary_none_refuses_large_kernels(rng):
    """boundary=None needs n > 2 (k // 2) on every axis: KernelSizeError otherwise."""
    for shape, kshape in (((4,), (5,)), ((9, 4), (3, 5)), ((6, 6, 2), (3, 3, 3))):
        x = random_array(rng, shape, np.float64)
        k = positive_kernel(rng, kshape)
        assert raised(lambda: ap_convolve(x, k, boundary=None)) is KernelSizeError
        assert raised(lambda: fa.convolve(x, k, boundary=None)) is KernelSizeError
    compare_direct(random_array(rng, (5,), np.float64), positive_kernel(rng, (5,)),
                   boundary=None)


def test_convolve_boundary_none_zero_where_kernel_leaves(rng):
    """convolve with boundary=None is exactly 0 wherever the kernel reaches outside."""
    x = with_nans(rng, random_array(rng, (12, 11), np.float64), 0.2)
    k = positive_kernel(rng, (5, 3))
    got, _ = compare_direct(x, k, boundary=None)
    interior = np.zeros(x.shape, bool)
    interior[2:-2, 1:-1] = True
    assert (got[~interior] == 0).all()
    assert np.isfinite(got[interior]).any()


def test_convolve_fft_boundary_none_warns_and_fills(rng):
    """convolve_fft with boundary=None warns AstropyUserWarning and equals 'fill'."""
    x = with_nans(rng, random_array(rng, (15, 9), np.float64), 0.2)
    k = positive_kernel(rng, (5, 4))
    with pytest.warns(AstropyUserWarning):
        ap_convolve_fft(x, k, boundary=None)
    with pytest.warns(AstropyUserWarning):
        ours = fa.convolve_fft(x, k, boundary=None, fill_value=0.5)
    fill, _ = compare_fft(x, k, boundary="fill", fill_value=0.5)
    np.testing.assert_array_equal(ours, fill)
    compare_fft(x, k, boundary=None, fill_value=0.5)


def test_convolve_fft_refuses_extend(rng):
    """boundary='extend' raises NotImplementedError in convolve_fft, as astropy."""
    x = random_array(rng, (10,), np.float64)
    k = positive_kernel(rng, (3,))
    assert raised(lambda: ap_convolve_fft(x, k, boundary="extend")) is NotImplementedError
    assert raised(lambda: fa.convolve_fft(x, k, boundary="extend")) is NotImplementedError


# ----------------------------------------------------------------------------- NaN handling

@pytest.mark.parametrize("nan_fraction", [0.0, 0.25])
def test_fill_value_nan(rng, nan_fraction):
    """fill_value=NaN: convolve_fft renormalizes at the edges; convolve gives NaN edges on
    clean data and renormalizes them when the data hold a NaN."""
    for shape, kshape in (((17,), (5,)), ((11, 9), (3, 5)), ((6, 5, 7), (3, 3, 5))):
        x = with_nans(rng, random_array(rng, shape, np.float64), nan_fraction)
        k = positive_kernel(rng, kshape)
        compare_fft(x, k, fill_value=np.nan)
        compare_fft(x, k[..., :-1], fill_value=np.nan)
        got, _ = compare_direct(x, k, fill_value=np.nan)
        assert np.isnan(got).any() == (nan_fraction == 0.0)


@pytest.mark.parametrize("boundary", ["fill", "wrap"])
@pytest.mark.parametrize("fill_value", [0.0, 1.5])
def test_convolve_fft_nan_treatment_fill(rng, boundary, fill_value):
    """convolve_fft with nan_treatment='fill': missing pixels take fill_value."""
    x = with_nans(rng, random_array(rng, (13, 10), np.float64), 0.2)
    k = positive_kernel(rng, (3, 4))
    for normalize in (True, False, np.max):
        compare_fft(x, k, boundary=boundary, fill_value=fill_value, nan_treatment="fill",
                    normalize_kernel=normalize)


@pytest.mark.parametrize("boundary", ["fill", "wrap", "extend", None])
@pytest.mark.parametrize("fill_value", [0.0, 1.5, np.nan])
def test_convolve_nan_treatment_fill(rng, boundary, fill_value):
    """convolve with nan_treatment='fill': NaN pixels take fill_value (NaN propagates)."""
    x = with_nans(rng, random_array(rng, (13, 10), np.float64), 0.2)
    k = positive_kernel(rng, (3, 5))
    for normalize in (True, False):
        compare_direct(x, k, boundary=boundary, fill_value=fill_value, nan_treatment="fill",
                       normalize_kernel=normalize)


def test_convolve_fft_nan_fill_value_with_nan_treatment_fill(rng):
    """nan_treatment='fill' with fill_value=NaN: clean data convolve with zero padding;
    NaN data raise astropy's ValueError ('Encountered NaNs in convolve')."""
    x = random_array(rng, (12,), np.float64)
    k = positive_kernel(rng, (3,))
    compare_fft(x, k, fill_value=np.nan, nan_treatment="fill")
    x[4] = np.nan
    for boundary in ("fill", "wrap"):
        kwargs = dict(boundary=boundary, fill_value=np.nan, nan_treatment="fill")
        assert raised(lambda: ap_convolve_fft(x, k, **kwargs)) is ValueError
        assert raised(lambda: fa.convolve_fft(x, k, **kwargs)) is ValueError


def test_nan_hole_wider_than_kernel(rng):
    """Outputs with no valid pixel: convolve_fft gives 0; convolve keeps the NaN and warns."""
    x = random_array(rng, (30,), np.float64)
    x[8:16] = np.nan
    k = positive_kernel(rng, (3,))
    got, _ = compare_fft(x, k)
    assert (got[10:14] == 0).all()
    got, _ = compare_direct(x, k)
    assert np.isnan(got[10:14]).all()
    with pytest.warns(AstropyUserWarning):
        ap_convolve(x, k)
    with pytest.warns(AstropyUserWarning):
        fa.convolve(x, k)


@pytest.mark.parametrize("ndim", [1, 2, 3])
def test_preserve_nan(rng, ndim):
    """preserve_nan puts NaN back on the missing pixels (convolve_fft: inf ones too)."""
    shape, odd, even = SHAPES[ndim]
    x = with_nans(rng, random_array(rng, shape, np.float64), 0.2)
    x.flat[3] = np.inf
    for kwargs in (dict(), dict(nan_treatment="fill", fill_value=0.5),
                   dict(normalize_kernel=False), dict(boundary="wrap")):
        got, _ = compare_fft(x, positive_kernel(rng, even), preserve_nan=True, **kwargs)
        np.testing.assert_array_equal(np.isnan(got), ~np.isfinite(x))
    x.flat[3] = 0.25
    for kwargs in (dict(), dict(nan_treatment="fill", fill_value=0.5),
                   dict(normalize_kernel=False), dict(boundary="extend")):
        got, _ = compare_direct(x, positive_kernel(rng, odd), preserve_nan=True, **kwargs)
        np.testing.assert_array_equal(np.isnan(got), np.isnan(x))


# ----------------------------------------------------------------------------- normalization

@pytest.mark.parametrize("nan_fraction", [0.0, 0.2])
def test_normalize_kernel_false(rng, nan_fraction):
    """normalize_kernel=False: the plain sum, or sum(k) times the interpolated mean."""
    x = with_nans(rng, random_array(rng, (14, 12), np.float64), nan_fraction)
    k = 3.0 * positive_kernel(rng, (3, 5))
    for boundary in ("fill", "wrap"):
        compare_fft(x, k, boundary=boundary, normalize_kernel=False)
        compare_fft(x, k[:, 1:], boundary=boundary, normalize_kernel=False, fill_value=1.0)
    for boundary in ("fill", "wrap", "extend", None):
        compare_direct(x, k, boundary=boundary, normalize_kernel=False)


@pytest.mark.parametrize("nan_fraction", [0.0, 0.2])
def test_convolve_fft_normalize_kernel_callable(rng, nan_fraction):
    """normalize_kernel=np.max: the normalized result times max(kernel)."""
    x = with_nans(rng, random_array(rng, (9, 8, 6), np.float64), nan_fraction)
    k = positive_kernel(rng, (3, 2, 3))
    for boundary in ("fill", "wrap"):
        compare_fft(x, k, boundary=boundary, normalize_kernel=np.max)
        compare_fft(x, -k, boundary=boundary, normalize_kernel=np.max)
    compare_fft(x, k, fill_value=np.nan, normalize_kernel=np.max)


@pytest.mark.parametrize("nan_fraction", [0.0, 0.2])
def test_negative_sum_kernels_without_normalization(rng, nan_fraction):
    """Kernels with a negative sum and normalize_kernel=False (all-negative with NaNs, mixed
    signs on clean data) equal astropy's; convolve refuses to interpolate NaNs with them."""
    x = with_nans(rng, random_array(rng, (40,), np.float64), nan_fraction)
    negative = -positive_kernel(rng, (5,))
    mixed = np.array([0.5, -2.0, 0.25, -1.0, 0.5])
    for k in [negative] if nan_fraction else [negative, mixed]:
        for boundary in ("fill", "wrap"):
            compare_fft(x, k, boundary=boundary, normalize_kernel=False)
            compare_fft(x, k[1:], boundary=boundary, normalize_kernel=False, fill_value=0.5)
            compare_fft(x, k, boundary=boundary, normalize_kernel=False,
                        nan_treatment="fill")
        for boundary in ("fill", "wrap", "extend", None):
            compare_direct(x, k, boundary=boundary, normalize_kernel=False,
                           nan_treatment="fill", fill_value=0.5)
            if nan_fraction:  # (interpolation needs sum >= 0.01 in convolve)
                assert raised(lambda: ap_convolve(x, k, boundary=boundary,
                                                  normalize_kernel=False)) is ValueError
                assert raised(lambda: fa.convolve(x, k, boundary=boundary,
                                                  normalize_kernel=False)) is ValueError
            else:
                compare_direct(x, k, boundary=boundary, normalize_kernel=False)


def test_convolve_fft_callable_normalization_of_negative_sum_kernel(rng):
    """A callable normalization of a mixed-sign, negative-sum kernel gives astropy's result
    (its weights conv(1, k / max(k)) are negative: 0 everywhere)."""
    x = random_array(rng, (16,), np.float64)
    k = np.array([1.0, -4.0, 1.0])
    got, expected = compare_fft(x, k, normalize_kernel=np.max)
    np.testing.assert_array_equal(expected, 0.0)


def test_convolve_mixed_sign_kernel_with_nans(rng):
    """convolve with a mixed-sign kernel and NaN data: astropy's top / bot wherever bot != 0,
    negative local weights included (a NaN centre under [-1, 3, -1] has bot = -2)."""
    x = np.array([1.0, 2.0, np.nan, 4.0, 5.0, 6.0, 7.0])
    k = np.array([-1.0, 3.0, -1.0])
    expected = ap_convolve(x, k)
    assert expected[2] == 3.0  # (-2 - 4) / -2
    compare_direct(x, k)


# ----------------------------------------------------------------------------- refusals

@pytest.mark.parametrize("k", [[1.0, -2.0, 1.0], [0.002, 0.003, 0.002], [-1.0, -1.0, -1.0]],
                         ids=["zero-sum", "tiny-sum", "negative-sum"])
def test_unnormalizable_kernels_are_refused(rng, k):
    """A kernel sum < 0.01 with normalize_kernel=True: convolve_fft raises a bare Exception,
    convolve a ValueError, as astropy."""
    k = np.array(k)
    for x in (random_array(rng, (11,), np.float64), with_nans(rng, np.ones(11), 0.3)):
        assert raised(lambda: ap_convolve_fft(x, k)) is Exception
        assert raised(lambda: fa.convolve_fft(x, k)) is Exception
        assert raised(lambda: ap_convolve(x, k)) is ValueError
        assert raised(lambda: fa.convolve(x, k)) is ValueError


def test_zero_sum_kernels_without_normalization(rng):
    """normalize_kernel=False with a zero-sum kernel: interpolation is refused (ValueError;
    convolve_fft even on clean data), 'fill' and clean data give the plain sum."""
    k = np.array([[1.0, -2.0, 1.0], [2.0, -4.0, 2.0], [1.0, -2.0, 1.0]])
    clean = random_array(rng, (10, 9), np.float64)
    holey = with_nans(rng, clean, 0.2)
    assert raised(lambda: ap_convolve_fft(clean, k, normalize_kernel=False)) is ValueError
    assert raised(lambda: fa.convolve_fft(clean, k, normalize_kernel=False)) is ValueError
    assert raised(lambda: ap_convolve(holey, k, normalize_kernel=False)) is ValueError
    assert raised(lambda: fa.convolve(holey, k, normalize_kernel=False)) is ValueError
    for boundary in ("fill", "wrap"):
        compare_fft(holey, k, boundary=boundary, normalize_kernel=False, nan_treatment="fill")
    compare_direct(clean, k, normalize_kernel=False)
    compare_direct(holey, k, normalize_kernel=False, nan_treatment="fill", fill_value=0.5)


# ----------------------------------------------------------------------------- masks, inf

@pytest.mark.parametrize("kwargs", [dict(), dict(preserve_nan=True),
                                    dict(nan_treatment="fill", fill_value=2.0)],
                         ids=["interpolate", "preserve_nan", "fill"])
def test_mask_argument(rng, kwargs):
    """mask= (non-zero = missing) marks pixels missing, as astropy."""
    x = with_nans(rng, random_array(rng, (13, 12), np.float64), 0.1)
    mask = rng.integers(0, 3, x.shape) * (rng.random(x.shape) < 0.3)
    k = positive_kernel(rng, (3, 5))
    compare_fft(x, k, mask=mask, **kwargs)
    compare_fft(x, k[:2], mask=mask.astype(bool), **{"fill_value": -0.5, **kwargs})
    if "fill_value" not in kwargs:  # ('wrap' with nan_treatment='fill': its own test above)
        compare_fft(x, k[:2], mask=mask.astype(bool), boundary="wrap", **kwargs)
    compare_direct(x, k, mask=mask, **kwargs)
    compare_direct(x, k, mask=mask.astype(float), boundary="extend", **kwargs)
    compare_direct(x, k, mask=mask.astype(bool), boundary="wrap", **kwargs)


def test_masked_arrays(rng):
    """numpy masked arrays: masked pixels are missing (also merged with mask=)."""
    data = random_array(rng, (10, 11), np.float64)
    x = np.ma.masked_array(data, mask=rng.random(data.shape) < 0.25)
    extra = rng.random(data.shape) < 0.1
    k = positive_kernel(rng, (5, 3))
    for kwargs in (dict(), dict(mask=extra), dict(preserve_nan=True),
                   dict(nan_treatment="fill", fill_value=-1.0)):
        compare_fft(x, k, **kwargs)
        compare_direct(x, k, **kwargs)
    compare_direct(np.ma.masked_array(data.astype(np.float32), mask=x.mask), k)


def test_convolve_fft_infinities_are_missing(rng):
    """convolve_fft treats +-inf as missing data, like NaN."""
    x = random_array(rng, (9, 10, 6), np.float64)
    x[1, 2, 3], x[5, 5, 0], x[7, 1, 5] = np.inf, -np.inf, np.nan
    k = positive_kernel(rng, (3, 4, 3))
    for kwargs in (dict(), dict(nan_treatment="fill", fill_value=0.5), dict(boundary="wrap")):
        got, _ = compare_fft(x, k, **kwargs)
        assert np.isfinite(got).all()


def test_convolve_infinities_propagate(rng):
    """convolve lets +-inf propagate (inf - inf = NaN), with and without NaN interpolation
    (kernels with no zero tap)."""
    for nan_fraction in (0.0, 0.15):
        x = with_nans(rng, random_array(rng, (20, 18), np.float64), nan_fraction)
        x[3, 4], x[12, 9], x[13, 10] = np.inf, np.inf, -np.inf
        k = positive_kernel(rng, (3, 5))
        for boundary in ("fill", "wrap", "extend", None):
            got, _ = compare_direct(x, k, boundary=boundary)
            assert np.isposinf(got[3, 4])
            assert np.isnan(got[12:14, 9:11]).all()


def test_convolve_inf_under_zero_tap_is_the_one_difference():
    """The documented difference: astropy gives NaN where a zero tap meets inf (inf * 0);
    fftconv skips zero taps. Everywhere else the results are equal."""
    x = np.array([1.0, 2.0, np.inf, 4.0, 5.0, 6.0, 7.0])
    k = np.array([1.0, 0.0, 1.0])
    expected = ap_convolve(x, k)
    got = fa.convolve(x, k)
    assert np.isnan(expected[2]) and got[2] == (2.0 + 4.0) / 2
    others = np.arange(x.size) != 2
    np.testing.assert_allclose(got[others], expected[others], rtol=0,
                               atol=tolerance(np.where(np.isfinite(x), x, 0), k, np.float64))


# ----------------------------------------------------------------------------- dtypes, kernels

@pytest.mark.parametrize("dtype", [np.float32, np.float64, np.int32])
def test_result_dtypes(rng, dtype):
    """convolve keeps float32 (float64 for integers); convolve_fft always returns float64."""
    x = random_array(rng, (15, 14), dtype)
    if np.dtype(dtype).kind == "f":
        x = with_nans(rng, x, 0.2).astype(dtype)
    k = positive_kernel(rng, (3, 3))
    got, _ = compare_direct(x, k)
    assert got.dtype == (np.float32 if dtype == np.float32 else np.float64)
    got, _ = compare_fft(x, k)
    assert got.dtype == np.float64


def test_astropy_kernel_objects(rng):
    """Gaussian2DKernel and Box1DKernel objects are accepted as kernels."""
    image = with_nans(rng, random_array(rng, (24, 21), np.float64), 0.15)
    gauss = Gaussian2DKernel(1.5)
    compare_fft(image, gauss)
    compare_direct(image, gauss)
    compare_direct(image, gauss, boundary="extend", normalize_kernel=False)
    signal = with_nans(rng, random_array(rng, (40,), np.float64), 0.15)
    for box in (Box1DKernel(5), Box1DKernel(4)):
        compare_fft(signal, box, boundary="wrap")
        compare_direct(signal, box)
    with pytest.raises(TypeError):
        fa.convolve_fft(Box1DKernel(5), Box1DKernel(3))


# ----------------------------------------------------------------------------- property

@settings(max_examples=60, deadline=None)
@given(data=st.data(),
       ndim=st.integers(1, 3),
       nan_fraction=st.sampled_from([0.0, 0.05, 0.3, 0.6]),
       boundary=st.sampled_from(["fill", "wrap", None]),
       fill_value=st.sampled_from([0.0, -1.25, np.nan]),
       normalize_kernel=st.booleans(),
       seed=st.integers(0, 2**32 - 1))
def test_property_convolve_fft_matches_astropy(data, ndim, nan_fraction, boundary, fill_value,
                                               normalize_kernel, seed):
    """convolve_fft equals astropy's (NaN placement exact) over random shapes, kernel sizes
    (odd, even, larger than the array), NaN fractions, boundaries and fill values."""
    max_n = (40, 12, 7)[ndim - 1]
    shape = tuple(data.draw(st.lists(st.integers(1, max_n), min_size=ndim, max_size=ndim)))
    kshape = tuple(data.draw(st.lists(st.integers(1, max_n // 2 + 2), min_size=ndim,
                                      max_size=ndim)))
    gen = np.random.default_rng(seed)
    x = with_nans(gen, random_array(gen, shape, np.float64), nan_fraction)
    k = positive_kernel(gen, kshape)
    compare_fft(x, k, boundary=boundary, fill_value=fill_value,
                normalize_kernel=normalize_kernel, preserve_nan=nan_fraction > 0.2)


def test_convolve_infinite_fill_value_stays_at_the_border():
    """convolve with fill_value=inf: infinite where the kernel reaches outside, finite inside
    (the direct sum; an FFT would spread the infinity everywhere)."""
    x = np.random.default_rng(11).random((60, 60))
    k = np.ones((11, 11))
    got = fa.convolve(x, k, fill_value=np.inf)
    expected = ap_convolve(x, k, fill_value=np.inf)
    np.testing.assert_array_equal(np.isinf(got), np.isinf(expected))
