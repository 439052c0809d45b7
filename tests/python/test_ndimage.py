"""fftconv.ndimage against scipy.ndimage 1.10 and against direct sums of the documented semantics
(docs/python-dropin-semantics.md, sections 2 and 3).

Per axis, input length n, weights length k, E the input extended by the mode:
    correlate(x, w, origin=o)[i] = sum_j conj(w[j]) E[i + j - (k//2 + o)]
    convolve(x, w, origin=o)[i]  = sum_m w[m] E[i - m + k//2 + o]
Integer and bool outputs: computed in double, truncated toward zero (bool: then non-zero).
scipy 1.10's correlate/convolve read the wrong element in mode 'reflect'/'grid-mirror' when
n > 1 and k//2 + o_eff >= 4n: comparisons with them stay out of that region (`scipy_safe`), and
`test_reflect_beyond_four_lengths_follows_documented_extension` checks fftconv there against
numpy.pad('symmetric') (equal pads), a direct sum and scipy's (correct) correlate1d / convolve1d.
"""

import warnings

import numpy as np
import pytest
import scipy.ndimage as sn
from hypothesis import given, settings, strategies as st
from numpy.lib.stride_tricks import sliding_window_view

from conftest import abs_sum_bound, eps, random_array, tolerance
from fftconv import ndimage as fn

MODES = ["reflect", "constant", "nearest", "mirror", "wrap", "grid-wrap", "grid-constant",
         "grid-mirror"]
REFLECT_MODES = ("reflect", "grid-mirror")
# scipy.ndimage mode -> numpy.pad mode giving the same extension
PAD_MODE = {"reflect": "symmetric", "grid-mirror": "symmetric", "mirror": "reflect",
            "nearest": "edge", "wrap": "wrap", "grid-wrap": "wrap", "constant": "constant",
            "grid-constant": "constant"}
FLOAT_DTYPES = [np.float32, np.float64, np.complex64, np.complex128]
HYPOTHESIS = dict(deadline=None, database=None)


# ---------------------------------------------------------------------------------------------
# references and helpers

def per_axis(value, ndim):
    return [value] * ndim if np.ndim(value) == 0 else list(value)


def extend_index(n, before, after, mode):
    """Indices into an axis of length n of its extension by (before, after) samples."""
    i = np.arange(-before, n + after)
    rule = PAD_MODE[mode]
    if rule == "edge":
        return np.clip(i, 0, n - 1)
    if rule == "wrap":
        return i % n
    if rule == "symmetric":  # half-sample: d c b a | a b c d | d c b a, period 2n
        m = i % (2 * n)
        return np.where(m < n, m, 2 * n - 1 - m)
    if n == 1:  # whole-sample mirror of one sample
        return np.zeros_like(i)
    m = i % (2 * n - 2)  # whole-sample: d c b | a b c d | c b a, period 2n - 2
    return np.where(m < n, m, 2 * n - 2 - m)


def extend(x, pads, mode, cval):
    """x extended by (before, after) samples per axis with `mode`'s rule: numpy.pad for
    'constant', index arithmetic otherwise (numpy 1.24's pad 'wrap'/'symmetric'/'reflect' are
    wrong for unequal pads longer than the axis, numpy gh-22464 / gh-25926:
    np.pad([0, 1], (1, 8), 'symmetric') ends 0 0 0, not 0 0 1)."""
    if PAD_MODE[mode] == "constant":
        return np.pad(x, pads, mode="constant", constant_values=cval)
    for axis, (before, after) in enumerate(pads):
        x = np.take(x, extend_index(x.shape[axis], before, after, mode), axis=axis)
    return x


def direct(x, w, mode="reflect", cval=0.0, origin=0, convolution=False):
    """The documented formula as a direct sum (float64, or complex128 if either is complex):
    exact for small integers and multiples of 1/8."""
    x = np.asarray(x)
    w = np.asarray(w)
    dtype = np.complex128 if "c" in (x.dtype.kind, w.dtype.kind) else np.float64
    pads = []
    for k, o in zip(w.shape, per_axis(origin, x.ndim)):
        c = k // 2 + o  # correlate reads E[i + j - c]; convolve reads E[i - m + c]
        before = k - 1 - c if convolution else c
        pads.append((before, k - 1 - before))
    kern = w.astype(dtype)
    kern = kern[(slice(None, None, -1),) * w.ndim] if convolution else np.conj(kern)
    windows = sliding_window_view(extend(x.astype(dtype), pads, mode, cval), w.shape)
    return np.tensordot(windows, kern, axes=(list(range(x.ndim, 2 * x.ndim)),
                                              list(range(w.ndim))))


def direct_1d(x, w1, axis, mode, cval=0.0, origin=0, convolution=False):
    """`direct` with 1-D weights along `axis`."""
    shape = [1] * x.ndim
    shape[axis] = len(w1)
    origins = [0] * x.ndim
    origins[axis] = origin
    return direct(x, np.reshape(w1, shape), mode, cval, origins, convolution)


def scipy_safe(shape, wshape, mode, origin, convolution):
    """False in scipy 1.10's defective region: reflect modes, n > 1, k//2 + o_eff >= 4n."""
    if mode not in REFLECT_MODES:
        return True
    for n, k, o in zip(shape, wshape, per_axis(origin, len(shape))):
        o_eff = -o - (k % 2 == 0) if convolution else o
        if n > 1 and k // 2 + o_eff >= 4 * n:
            return False
    return True


def tol(x, w, dtype, cval=0.0):
    """conftest.tolerance with the bound S taken over the image and cval (the extension)."""
    x = np.asarray(x)
    scale = max(abs_sum_bound(x, [1.0]), abs(cval))  # max |image|, |cval|
    return tolerance(np.full(x.shape, scale), w, dtype)


def assert_close(got, want, atol):
    err = float(np.abs(np.asarray(got, np.complex128) - np.asarray(want, np.complex128))
                .max(initial=0))
    assert err <= atol, f"max abs error {err:.3g} > tolerance {atol:.3g}"


def assert_truncated(got, exact, atol):
    """Integer `got` == trunc(exact) wherever exact is farther than atol from an integer; within
    atol of one, trunc of either side of it."""
    got = np.asarray(got).astype(np.float64)
    lo, hi = np.trunc(exact - atol), np.trunc(exact + atol)
    bad = (got < lo) | (got > hi)
    assert not bad.any(), (f"{int(bad.sum())} mismatches, first at {np.argwhere(bad)[0]}: "
                           f"got {got[bad][0]}, exact {exact[bad][0]!r}")


def both_raise(exc, call):
    """call(scipy.ndimage) and call(fftconv.ndimage) both raise `exc`."""
    with pytest.raises(exc):
        call(sn)
    with pytest.raises(exc):
        call(fn)


def origin_choices(wshape, rng):
    """0, scalars (random and the extremes valid on every axis), per-axis extremes
    -(k//2) and (k-1)//2, and random per-axis sequences (list, tuple, ndarray)."""
    lo = [-(k // 2) for k in wshape]
    hi = [(k - 1) // 2 for k in wshape]
    rand = [int(rng.integers(a, b + 1)) for a, b in zip(lo, hi)]
    slo, shi = max(lo), min(hi)
    return [0, int(rng.integers(slo, shi + 1)), slo, shi, lo, hi, rand, tuple(rand),
            np.array(rand)]


def gaussian_kernel(sigma, order, radius):
    """The documented Gaussian weights: phi = exp(-x^2 / 2 sigma^2) / sum, times
    -x/s^2 (order 1) or x^2/s^4 - 1/s^2 (order 2); a convolution kernel."""
    x = np.arange(-radius, radius + 1, dtype=np.float64)
    phi = np.exp(-x * x / (2 * sigma * sigma))
    phi /= phi.sum()
    s2 = sigma * sigma
    return {0: phi, 1: -x / s2 * phi, 2: (x * x / (s2 * s2) - 1 / s2) * phi}[order]


def gaussian_reference(x, sigma, order=0, mode="reflect", cval=0.0, truncate=4.0, radius=None):
    """Sequential direct convolutions along the axes with sigma > 1e-15; returns the result and
    the separable kernel (outer product) for the tolerance."""
    x = np.asarray(x)
    out = x.astype(np.complex128 if x.dtype.kind == "c" else np.float64)
    kern = np.ones([1] * x.ndim)
    for axis, (s, m, md, r) in enumerate(zip(per_axis(sigma, x.ndim), per_axis(order, x.ndim),
                                             per_axis(mode, x.ndim),
                                             per_axis(radius, x.ndim))):
        if s <= 1e-15:
            continue
        r = int(truncate * s + 0.5) if r is None else r
        w1 = gaussian_kernel(s, m, r)
        out = direct_1d(out, w1, axis, md, cval, 0, convolution=True)
        shape = [1] * x.ndim
        shape[axis] = w1.size
        kern = kern * w1.reshape(shape)
    return out, kern


def box_reference(x, size, mode="reflect", cval=0.0, origin=0, store=None):
    """Sequential box means (1/size) sum_{j<size} E[i + j - size//2 - origin] along the axes
    with size > 1, each pass stored by `store` (None: float); returns result and kernel."""
    x = np.asarray(x)
    out = x.astype(np.complex128 if x.dtype.kind == "c" else np.float64)
    kern = np.ones([1] * x.ndim)
    for axis, (s, o, md) in enumerate(zip(per_axis(size, x.ndim), per_axis(origin, x.ndim),
                                          per_axis(mode, x.ndim))):
        if s <= 1:
            continue
        # the window sum of integers is exact; /s is correctly rounded, so its truncation
        # is the exact one
        out = direct_1d(out, np.ones(s), axis, md, cval, o) / s
        if store is not None:
            out = store(out)
        shape = [1] * x.ndim
        shape[axis] = s
        kern = kern * np.full(shape, 1.0 / s)
    return out, kern


def test_reference_extension_matches_numpy_pad():
    """The tests' extension equals numpy.pad where numpy 1.24 is right (pads <= n, or equal)."""
    for mode in MODES:
        for n in range(1, 6):
            x = np.arange(n) + 1
            for before, after in [(b, a) for b in range(n + 1) for a in range(n + 1)] + \
                    [(b, b) for b in range(n, 4 * n + 3)]:
                want = np.pad(x, (before, after), mode=PAD_MODE[mode]) if \
                    PAD_MODE[mode] != "constant" else np.pad(x, (before, after))
                np.testing.assert_array_equal(extend(x, [(before, after)], mode, 0), want)


def check_filter(fname, x, w, mode, cval, origin):
    """fftconv's correlate/convolve against the direct sum and (outside scipy's defect)
    scipy: same dtype, within tolerance."""
    convolution = fname == "convolve"
    got = getattr(fn, fname)(x, w, mode=mode, cval=cval, origin=origin)
    ref = direct(x, w, mode, cval, origin, convolution)
    atol = tol(x, w, got.dtype, cval)
    assert_close(got, ref, atol)
    if scipy_safe(x.shape, w.shape, mode, origin, convolution):
        want = getattr(sn, fname)(x, w, mode=mode, cval=cval, origin=origin)
        assert got.dtype == want.dtype
        assert got.shape == want.shape
        assert_close(got, want, atol)
    return got


# ---------------------------------------------------------------------------------------------
# correlate / convolve: modes, origins, shapes

CASES = [
    ((13,), (4,)),
    ((11,), (5,)),
    ((6,), (9,)),               # weights longer than the input
    ((2,), (7,)),
    ((1,), (4,)),               # length-1 axis
    ((9, 8), (3, 4)),
    ((5, 4), (7, 2)),
    ((3, 2), (6, 5)),           # longer on both axes
    ((4, 5, 6), (3, 2, 5)),
    ((3, 4, 3, 5), (2, 3, 3, 2)),
    ((2, 3, 2, 3), (5, 1, 4, 3)),
]


@pytest.mark.parametrize("fname", ["correlate", "convolve"])
@pytest.mark.parametrize("mode", MODES)
@pytest.mark.parametrize("shape,wshape", CASES)
def test_modes_origins_shapes(rng, fname, mode, shape, wshape):
    """Every mode, cval, scalar/per-axis/extreme origins, 1-D to 4-D, odd/even/long weights."""
    x = random_array(rng, shape, np.float64)
    w = random_array(rng, wshape, np.float64)
    for origin in origin_choices(wshape, rng):
        for cval in (0.0, 1.75):
            check_filter(fname, x, w, mode, cval, origin)


@pytest.mark.parametrize("mode", ["reflect", "grid-mirror"])
@pytest.mark.parametrize("fname", ["correlate", "convolve"])
def test_reflect_beyond_four_lengths_follows_documented_extension(rng, fname, mode):
    """reflect, k//2 + o_eff >= 4n (scipy 1.10 errs): the 'symmetric' extension, as correlate1d."""
    convolution = fname == "convolve"
    # the doc's example: a delta at tap 0 of 9 taps, origin 4, reads x itself
    w = np.zeros(9)
    w[0] = 1
    got = fn.correlate(np.array([1.0, 10.0]), w, mode=mode, origin=4)
    assert_close(got, [1.0, 10.0], tol([1.0, 10.0], w, np.float64))
    # odd k, origin 0, k//2 >= 4n: equal pads, where numpy.pad('symmetric') is right
    for n, k in [(2, 17), (3, 31), (2, 41)]:
        x = random_array(rng, (n,), np.float64)
        w = random_array(rng, (k,), np.float64)
        padded = np.pad(x, (k // 2, k // 2), mode="symmetric")
        kern = w[::-1] if convolution else w
        want = np.array([np.dot(kern, padded[i:i + k]) for i in range(n)])
        assert not scipy_safe(x.shape, w.shape, mode, 0, convolution)
        assert_close(getattr(fn, fname)(x, w, mode=mode), want, tol(x, w, np.float64))
    checked = 0
    for n, k in [(2, 17), (2, 24), (3, 25), (3, 30), (1, 12)]:
        x = random_array(rng, (n,), np.float64)
        w = random_array(rng, (k,), np.float64)
        for o in range(-(k // 2), (k - 1) // 2 + 1):
            got = getattr(fn, fname)(x, w, mode=mode, origin=o)
            atol = tol(x, w, np.float64)
            assert_close(got, direct(x, w, mode, 0.0, o, convolution), atol)
            one_d = sn.convolve1d if convolution else sn.correlate1d
            assert_close(got, one_d(x, w, mode=mode, origin=o), atol)
            checked += not scipy_safe(x.shape, w.shape, mode, o, convolution)
        # 2-D: a kernel long on axis 0 only (correlate1d along axis 0), and a full 2-D one
        x2 = random_array(rng, (n, 4), np.float64)
        w2 = random_array(rng, (k, 3), np.float64)
        for o in (-(k // 2), (k - 1) // 2):
            got = getattr(fn, fname)(x2, w2[:, :1], mode=mode, origin=(o, 0))
            assert_close(got, one_d(x2, w2[:, 0], axis=0, mode=mode, origin=o),
                         tol(x2, w2[:, :1], np.float64))
            got = getattr(fn, fname)(x2, w2, mode=mode, origin=(o, 1))
            assert_close(got, direct(x2, w2, mode, 0.0, (o, 1), convolution),
                         tol(x2, w2, np.float64))
    assert checked > 0  # the loop did reach scipy's defective region


# ---------------------------------------------------------------------------------------------
# dtypes

@pytest.mark.parametrize("fname", ["correlate", "convolve"])
@pytest.mark.parametrize("wdtype", FLOAT_DTYPES)
@pytest.mark.parametrize("xdtype", FLOAT_DTYPES)
def test_float_and_complex_dtypes(rng, xdtype, wdtype, fname):
    """float32/64, complex64/128 input and weights: scipy's dtype and values (conjugating)."""
    x = random_array(rng, (7, 6), xdtype)
    w = random_array(rng, (3, 4), wdtype)
    for mode, origin in [("reflect", (1, -2)), ("constant", (0, 1)), ("wrap", (-1, 0)),
                         ("mirror", 0), ("nearest", (1, 1))]:
        check_filter(fname, x, w, mode, 0.5, origin)


def test_complex_weights_conjugated_by_correlate_only():
    """correlate reads conj(w) (as numpy.correlate); convolve uses w as is."""
    w = np.array([1 + 2j, 3 - 1j, -2j])
    for x in (np.array([0, 0, 0, 1, 0, 0, 0], np.complex128), np.array([0, 0, 0, 1.0, 0, 0, 0])):
        got = fn.correlate(x, w, mode="constant")
        want = np.zeros(7, np.complex128)
        want[2:5] = np.conj(w[::-1])
        assert got.dtype == np.complex128
        assert_close(got, want, tol(x, w, np.complex128))
        got = fn.convolve(x, w, mode="constant")
        want[2:5] = w
        assert_close(got, want, tol(x, w, np.complex128))
    x = np.array([1 + 1j, 2 - 1j, 0.5j], np.complex64)
    got = fn.correlate(x, w, mode="wrap")
    assert got.dtype == np.complex64
    assert_close(got, sn.correlate(x, w, mode="wrap"), tol(x, w, np.complex64))


INT_DTYPES = [np.int8, np.int16, np.int32, np.int64, np.uint8, np.uint16, np.uint32, np.uint64]


@pytest.mark.parametrize("mode", ["reflect", "constant", "nearest", "mirror", "wrap"])
@pytest.mark.parametrize("fname", ["correlate", "convolve"])
@pytest.mark.parametrize("dtype", INT_DTYPES)
def test_integer_input_integer_weights_exact(rng, dtype, fname, mode):
    """Integer input, integer weights: exact integers in the input dtype, equal to scipy."""
    x = random_array(rng, (6, 7), dtype)
    signed = np.dtype(dtype).kind == "i"
    # |result| <= 6 taps * 20 (+cval): no overflow even for int8, no negative for unsigned
    w = rng.integers(-1 if signed else 0, 2, (2, 3))
    for origin in (0, (-1, -1), (0, 1), (-1, 1)):
        got = getattr(fn, fname)(x, w, mode=mode, cval=3, origin=origin)
        want = getattr(sn, fname)(x, w, mode=mode, cval=3, origin=origin)
        assert got.dtype == np.dtype(dtype)
        np.testing.assert_array_equal(got, want)
        ref = direct(x, w, mode, 3, origin, fname == "convolve")
        np.testing.assert_array_equal(got, ref.astype(dtype))


@pytest.mark.parametrize("mode", ["constant", "reflect", "wrap"])
@pytest.mark.parametrize("fname", ["correlate", "convolve"])
def test_integer_input_integer_weights_exact_large(rng, fname, mode):
    """As above, sizes where fftconv may sum by FFT: still exact integers, equal to scipy."""
    x = random_array(rng, (64, 64), np.int32)
    w = rng.integers(-5, 6, (15, 15))
    got = getattr(fn, fname)(x, w, mode=mode)
    want = getattr(sn, fname)(x, w, mode=mode)
    assert got.dtype == np.int32
    diff = got.astype(np.int64) - want
    assert not diff.any(), (f"{np.count_nonzero(diff)} of {diff.size} differ (by "
                            f"{np.unique(diff)}), e.g. at {np.argwhere(diff)[0]}: got "
                            f"{got[tuple(np.argwhere(diff)[0])]}, scipy "
                            f"{want[tuple(np.argwhere(diff)[0])]}")


@pytest.mark.parametrize("fname", ["correlate", "convolve"])
@pytest.mark.parametrize("dtype", [np.int8, np.int16, np.int32, np.int64, np.uint8, np.uint16])
def test_integer_input_eighth_weights_truncate_toward_zero(rng, dtype, fname):
    """Integer input, weights k/8 (exact double sums): trunc toward zero of the exact value."""
    x = random_array(rng, (7, 5), dtype)
    signed = np.dtype(dtype).kind == "i"
    w = rng.integers(-8 if signed else 0, 9, (3, 2)) / 8
    for mode in ("reflect", "constant", "wrap", "mirror", "nearest"):
        for origin in (0, (-1, -1), (1, 0)):
            got = getattr(fn, fname)(x, w, mode=mode, cval=2.5, origin=origin)
            want = getattr(sn, fname)(x, w, mode=mode, cval=2.5, origin=origin)
            assert got.dtype == np.dtype(dtype)
            np.testing.assert_array_equal(got, want)
            exact = direct(x, w, mode, 2.5, origin, fname == "convolve")
            np.testing.assert_array_equal(got, np.trunc(exact).astype(dtype))


def test_truncation_toward_zero_examples():
    """0.875 x for x = 1, -1, 2, -2, 3 gives 0, 0, 1, -1, 2 (truncation, not floor or rounding)."""
    x = np.array([1, -1, 2, -2, 3], np.int32)
    np.testing.assert_array_equal(fn.correlate(x, [0.875]), [0, 0, 1, -1, 2])
    x = np.array([1, 2, 3, 4, 5], np.int16)
    got = fn.correlate(x, [0.5, 0.5, 0.0], mode="nearest")
    np.testing.assert_array_equal(got, [1, 1, 2, 3, 4])
    np.testing.assert_array_equal(fn.correlate(-x, [0.5, 0.5, 0.0], mode="nearest"),
                                  [-1, -1, -2, -3, -4])
    assert got.dtype == np.int16


def test_unsigned_negative_result_wraps():
    """A negative result in uint8 wraps as scipy's C cast: -5 -> 251, -5.5 -> 251."""
    x = np.array([0, 5, 0, 11], np.uint8)
    got = fn.correlate(x, [-1.0], mode="constant")
    np.testing.assert_array_equal(got, [0, 251, 0, 245])
    np.testing.assert_array_equal(got, sn.correlate(x, [-1.0], mode="constant"))
    got = fn.correlate(x, [-0.5], mode="constant")
    np.testing.assert_array_equal(got, [0, 254, 0, 251])
    np.testing.assert_array_equal(got, sn.correlate(x, [-0.5], mode="constant"))
    assert got.dtype == np.uint8


@pytest.mark.parametrize("weights", ["integer", "eighths"])
@pytest.mark.parametrize("fname", ["correlate", "convolve"])
def test_bool_input(rng, fname, weights):
    """bool input gives bool output: truncated toward zero, then non-zero (scipy's C cast)."""
    x = random_array(rng, (6, 7), bool)
    w = rng.integers(-2, 3, (2, 3)) / (8 if weights == "eighths" else 1)
    for mode in ("reflect", "constant", "wrap"):
        for origin in (0, (-1, 1)):
            got = getattr(fn, fname)(x, w, mode=mode, origin=origin)
            assert got.dtype == np.bool_
            ref = np.trunc(direct(x, w, mode, 0.0, origin, fname == "convolve")) != 0
            want = getattr(sn, fname)(x, w, mode=mode, origin=origin)
            np.testing.assert_array_equal(want.view(np.uint8) != 0, ref)  # the reference is scipy's
            np.testing.assert_array_equal(got, ref)


# ---------------------------------------------------------------------------------------------
# output=

@pytest.mark.parametrize("fname", ["correlate", "convolve"])
def test_output_as_dtype(rng, fname):
    """output=dtype (type, dtype or name): float from int, float32 from float64, int truncated."""
    f, s = getattr(fn, fname), getattr(sn, fname)
    conv = fname == "convolve"
    xi = random_array(rng, (5, 6), np.int16)
    w = random_array(rng, (3, 2), np.float64)
    for out in (np.float64, np.dtype(np.float64), "float64"):
        got = f(xi, w, output=out, mode="wrap")
        assert got.dtype == np.float64
        assert_close(got, s(xi, w, output=out, mode="wrap"), tol(xi, w, np.float64))
    xf = random_array(rng, (5, 6), np.float64)
    got = f(xf, w, output=np.float32, mode="mirror")
    assert got.dtype == np.float32
    assert_close(got, direct(xf, w, "mirror", 0.0, 0, conv), tol(xf, w, np.float32))
    # (scipy 1.10 refuses a complex output for a real result: "array type not supported")
    got = f(xf, w, output=np.complex128, mode="mirror")
    assert got.dtype == np.complex128
    assert_close(got, direct(xf, w, "mirror", 0.0, 0, conv), tol(xf, w, np.float64))
    # float input and weights in multiples of 1/8: exact products, exact truncation into int32
    x8 = rng.integers(-40, 41, (5, 6)) / 8
    w8 = rng.integers(-8, 9, (3, 2)) / 8
    got = f(x8, w8, output=np.int32, mode="nearest", origin=(1, 0))
    assert got.dtype == np.int32
    want = s(x8, w8, output=np.int32, mode="nearest", origin=(1, 0))
    np.testing.assert_array_equal(got, want)
    np.testing.assert_array_equal(got, np.trunc(direct(x8, w8, "nearest", 0.0, (1, 0), conv)))


@pytest.mark.parametrize("fname", ["correlate", "convolve"])
def test_output_real_dtype_for_complex_result_promoted(rng, fname):
    """output=<real dtype> with complex weights: scipy warns and promotes it to complex."""
    x = random_array(rng, (5, 6), np.float64)
    w = random_array(rng, (3, 2), np.complex128)
    with pytest.warns(UserWarning, match="promoting"):
        want = getattr(sn, fname)(x, w, output=np.float64)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        got = getattr(fn, fname)(x, w, output=np.float64)
    assert got.dtype == want.dtype == np.complex128
    assert_close(got, want, tol(x, w, np.complex128))


@pytest.mark.parametrize("fname", ["correlate", "convolve"])
@pytest.mark.parametrize("kind", ["c-order", "fortran", "strided", "negative", "float32",
                                  "int32", "complex"])
def test_output_preallocated_array(rng, fname, kind):
    """output=<array>: the result is written into it (any layout/dtype) and it is returned."""
    shape = (6, 5)
    x = random_array(rng, shape, np.float64)
    w = random_array(rng, (3, 4), np.complex128 if kind == "complex" else np.float64)
    if kind == "int32":
        x = rng.integers(-40, 41, shape) / 8
        w = rng.integers(-8, 9, (3, 4)) / 8
    make = {
        "c-order": lambda: np.zeros(shape),
        "fortran": lambda: np.zeros(shape, order="F"),
        "strided": lambda: np.zeros((12, 15))[::2, ::3],
        "negative": lambda: np.zeros(shape)[::-1, ::-1],
        "float32": lambda: np.zeros(shape, np.float32),
        "int32": lambda: np.zeros(shape, np.int32),
        "complex": lambda: np.zeros(shape, np.complex64),
    }[kind]
    out = make()
    got = getattr(fn, fname)(x, w, output=out, mode="reflect", origin=(0, -1))
    assert got is out
    want = getattr(sn, fname)(x, w, output=make(), mode="reflect", origin=(0, -1))
    if kind == "int32":
        np.testing.assert_array_equal(out, want)
    else:
        assert_close(out, want, tol(x, w, out.dtype))


def test_output_array_wrong_shape_or_real_for_complex_raises(rng):
    """output array of another shape, or real for a complex result: RuntimeError as scipy."""
    x = random_array(rng, (5, 6), np.float64)
    w = random_array(rng, (3, 3), np.float64)
    both_raise(RuntimeError, lambda m: m.correlate(x, w, output=np.zeros((6, 5))))
    both_raise(RuntimeError, lambda m: m.convolve(x, w + 1j, output=np.zeros((5, 6))))
    both_raise(RuntimeError, lambda m: m.uniform_filter(x, 3, output=np.zeros((5, 5))))
    both_raise(RuntimeError, lambda m: m.gaussian_filter(x, 1.0, output=np.zeros((5, 7))))


def test_output_is_input_in_place(rng):
    """output= the input array itself (in place) gives the same values as a separate output."""
    for shape, wshape in [((9, 8), (3, 4)), ((64, 64), (15, 15))]:  # direct and FFT sizes
        x = random_array(rng, shape, np.float64)
        w = random_array(rng, wshape, np.float64)
        calls = [(lambda m, a, o: m.correlate(a, w, output=o, mode="wrap"), w),
                 (lambda m, a, o: m.convolve(a, w, output=o), w),
                 (lambda m, a, o: m.uniform_filter(a, 3, output=o), np.full((3, 3), 1 / 9)),
                 (lambda m, a, o: m.gaussian_filter(a, 1.5, output=o),
                  gaussian_reference(x, 1.5)[1])]
        for call, kern in calls:
            want = call(sn, x, None)
            y = x.copy()
            got = call(fn, y, y)
            assert got is y
            assert_close(y, want, tol(x, kern, np.float64))


# ---------------------------------------------------------------------------------------------
# memory layouts and byte order

def _layout(rng, layout):
    base = random_array(rng, (10, 14), np.float64)
    w = random_array(rng, (3, 4), np.float64)
    if layout == "strided":
        return base[1::2, ::3], w
    if layout == "fortran":
        return np.asfortranarray(base), w
    if layout == "negative":
        return base[::-1, ::-2], w
    if layout == "big-endian":
        return base.astype(">f8"), w.astype(">f8")
    if layout == "big-endian-complex":
        return random_array(rng, (5, 6), np.complex128).astype(">c16"), w
    if layout == "big-endian-int":
        return random_array(rng, (5, 6), np.int32).astype(">i4"), rng.integers(-2, 3, (3, 4))
    if layout == "broadcast":
        return np.broadcast_to(base[0], (6, 14)), w
    if layout == "weights-strided":
        return base, random_array(rng, (6, 12), np.float64)[::2, ::-3]
    if layout == "weights-fortran-f32":
        return base, np.asfortranarray(w.astype(np.float32))
    raise AssertionError(layout)


LAYOUTS = ["strided", "fortran", "negative", "big-endian", "big-endian-complex",
           "big-endian-int", "broadcast", "weights-strided", "weights-fortran-f32"]


@pytest.mark.parametrize("layout", LAYOUTS)
def test_layouts_and_byte_order(rng, layout):
    """Strided, Fortran, negative/zero-stride, big-endian inputs/weights: scipy's values."""
    x, w = _layout(rng, layout)
    x_before = x.copy()
    w_before = w.copy()
    exact = x.dtype.kind == "i"
    for fname in ("correlate", "convolve"):
        for mode, origin in (("reflect", 0), ("constant", (1, -2)), ("wrap", (-1, 1))):
            got = getattr(fn, fname)(x, w, mode=mode, origin=origin, cval=0.5)
            want = getattr(sn, fname)(x, w, mode=mode, origin=origin, cval=0.5)
            assert got.shape == want.shape
            assert got.dtype.kind == want.dtype.kind and got.dtype.itemsize == want.dtype.itemsize
            if exact:
                np.testing.assert_array_equal(got, want)
            else:
                assert_close(got, want, tol(x, w, want.dtype, 0.5))
    if not exact:
        got = fn.gaussian_filter(x, (1.0, 0.7), order=(0, 1), mode="mirror")
        want = sn.gaussian_filter(x, (1.0, 0.7), order=(0, 1), mode="mirror")
        _, kern = gaussian_reference(x, (1.0, 0.7), (0, 1), "mirror")
        assert_close(got, want, tol(x, kern, want.dtype))
        got = fn.uniform_filter(x, (2, 3), mode="nearest", origin=(-1, 1))
        want = sn.uniform_filter(x, (2, 3), mode="nearest", origin=(-1, 1))
        assert_close(got, want, tol(x, np.full((2, 3), 1 / 6), want.dtype))
    np.testing.assert_array_equal(x, x_before)
    np.testing.assert_array_equal(w, w_before)


@pytest.mark.parametrize("func", ["correlate", "gaussian_filter", "uniform_filter"])
def test_big_endian_input_result_dtype_as_scipy(rng, func):
    """A '>f8' input gives scipy's output dtype (zeros(dtype=input.dtype.name): native float64)."""
    x = random_array(rng, (5, 6), np.float64).astype(">f8")
    args = {"correlate": (np.ones((3, 3)),), "gaussian_filter": (1.0,),
            "uniform_filter": (3,)}[func]
    want = getattr(sn, func)(x, *args)
    got = getattr(fn, func)(x, *args)
    assert got.dtype == want.dtype, f"got {got.dtype.str}, scipy {want.dtype.str}"


# ---------------------------------------------------------------------------------------------
# errors

@pytest.mark.parametrize("fname", ["correlate", "convolve"])
def test_invalid_origin_raises_value_error(rng, fname):
    """origin outside [-(k//2), (k-1)//2] on any axis (scalar or sequence): ValueError as scipy."""
    x = random_array(rng, (6, 7), np.float64)
    w = random_array(rng, (4, 3), np.float64)
    for origin in [(-3, 0), (2, 0), (0, -2), (0, 2), -3, 2, [5, 0]]:
        both_raise(ValueError, lambda m: getattr(m, fname)(x, w, origin=origin))
    for origin in [(-2, -1), (1, 1), (-2, 1), -1, 1]:  # extremes are valid
        check_filter(fname, x, w, "reflect", 0.0, origin)
    w1 = random_array(rng, (7,), np.float64)
    for origin in (-4, 4):
        both_raise(ValueError, lambda m: getattr(m, fname)(x[0], w1, origin=origin))


def test_argument_errors_as_scipy(rng):
    """Weights rank mismatch, wrong-length sequences, bad or sequence mode: RuntimeError."""
    x = random_array(rng, (6, 7), np.float64)
    for f in ("correlate", "convolve"):
        both_raise(RuntimeError, lambda m: getattr(m, f)(x, np.ones(3)))
        both_raise(RuntimeError, lambda m: getattr(m, f)(x, np.ones((3, 3, 3))))
        both_raise(RuntimeError, lambda m: getattr(m, f)(x[0], np.ones((3, 3))))
        both_raise(RuntimeError, lambda m: getattr(m, f)(x, np.ones((3, 3)), origin=(0, 0, 0)))
        both_raise(RuntimeError, lambda m: getattr(m, f)(x, np.ones((3, 3)), mode="edge"))
        both_raise(RuntimeError, lambda m: getattr(m, f)(x, np.ones((3, 3)),
                                                         mode=["wrap", "wrap"]))
    both_raise(RuntimeError, lambda m: m.gaussian_filter(x, (1.0, 1.0, 1.0)))
    both_raise(RuntimeError, lambda m: m.gaussian_filter(x, 1.0, mode="symmetric"))
    both_raise(RuntimeError, lambda m: m.gaussian_filter(x, 1.0, mode=["wrap"]))
    both_raise(RuntimeError, lambda m: m.uniform_filter(x, (3, 3, 3)))
    both_raise(RuntimeError, lambda m: m.uniform_filter(x, 3, mode="foo"))


def test_uniform_filter_invalid_origin_raises_value_error(rng):
    """uniform_filter origin with size//2 + origin outside [0, size): ValueError as scipy."""
    x = random_array(rng, (6, 7), np.float64)
    for size, origin in [(3, 2), (3, -2), (4, 2), (4, -3), ((3, 4), (0, -3)), ((3, 4), (0, 2))]:
        both_raise(ValueError, lambda m: m.uniform_filter(x, size, origin=origin))


@pytest.mark.parametrize("radius", [-1, 2.5])
def test_gaussian_filter_invalid_radius_raises_value_error(rng, radius):
    """radius= negative or not an integer: ValueError('Radius must be a nonnegative integer.')."""
    x = random_array(rng, (6, 7), np.float64)
    both_raise(ValueError, lambda m: m.gaussian_filter(x, 1.0, radius=radius))


# ---------------------------------------------------------------------------------------------
# gaussian_filter

GAUSS_CASES = [
    ((20,), 1.0, 0, "reflect", {}),
    ((20,), 1.5, 1, "constant", dict(cval=0.5)),
    ((17,), 0.8, 2, "mirror", {}),
    ((9, 12), (1.0, 0.7), (0, 1), ("nearest", "wrap"), {}),
    ((9, 12), (0.0, 1.2), (1, 2), "grid-mirror", {}),            # sigma 0: axis skipped
    ((6, 7, 8), (0.6, 0.0, 1.1), (2, 0, 1), ("grid-wrap", "reflect", "grid-constant"),
     dict(cval=-0.25)),
    ((4, 5, 3, 6), (0.5, 1.0, 0.0, 0.8), 0, "mirror", dict(truncate=3.0)),
    ((4, 5, 3, 6), 0.7, (1, 0, 2, 1), ("wrap", "constant", "nearest", "reflect"), {}),
    ((10, 11), (2.0, 1.0), (0, 0), "reflect", dict(radius=(3, 1))),
    ((10, 11), 1.0, 1, "wrap", dict(radius=2)),
    ((10, 11), (1.0, 1.0), 0, "nearest", dict(radius=(0, 5))),     # radius 0: identity pass
    ((5, 6), 3.0, 0, "reflect", {}),                               # radius 12 > n
    ((3,), 2.0, 1, "mirror", {}),                                  # radius 8 > n
    ((2, 5), (5.0, 1.0), (2, 0), ("reflect", "grid-mirror"), {}),  # radius 20 >= 4n (1-D path)
]


@pytest.mark.parametrize("dtype", [np.float64, np.float32, np.complex128])
@pytest.mark.parametrize("shape,sigma,order,mode,kw", GAUSS_CASES)
def test_gaussian_filter(rng, shape, sigma, order, mode, kw, dtype):
    """Per-axis sigma (0 skipped), order 0/1/2, modes, truncate, radius: scipy, doc's kernel."""
    x = random_array(rng, shape, dtype)
    got = fn.gaussian_filter(x, sigma, order, mode=mode, **kw)
    want = sn.gaussian_filter(x, sigma, order, mode=mode, **kw)
    ref, kern = gaussian_reference(x, sigma, order, mode, **kw)
    assert got.dtype == want.dtype == np.dtype(dtype)
    atol = tol(x, kern, dtype, kw.get("cval", 0.0))
    assert_close(got, want, atol)
    assert_close(got, ref, atol)


@pytest.mark.parametrize("sigma,truncate,radius", [
    (2.0, 1.2, 2), (2.0, 1.25, 3), (1.0, 1.5, 2), (1.0, 1.49, 1), (0.5, 0.99, 0),
    (0.5, 1.0, 1), (3.0, 1.0, 3)])
def test_gaussian_filter_radius_rule(sigma, truncate, radius):
    """The kernel has 2r + 1 taps, r = int(truncate sigma + 0.5): an impulse's support."""
    x = np.zeros(25)
    x[12] = 1
    got = fn.gaussian_filter(x, sigma, mode="constant", truncate=truncate)
    support = np.flatnonzero(np.abs(got) > 1e-3)
    np.testing.assert_array_equal(support, np.arange(12 - radius, 13 + radius))
    got = fn.gaussian_filter(x, sigma, mode="constant", radius=radius)  # radius= overrides
    np.testing.assert_array_equal(np.flatnonzero(np.abs(got) > 1e-3),
                                  np.arange(12 - radius, 13 + radius))
    assert_close(got, sn.gaussian_filter(x, sigma, mode="constant", radius=radius),
                 tol(x, gaussian_kernel(sigma, 0, radius), np.float64))


def test_gaussian_filter_all_axes_skipped_copies(rng):
    """All sigma <= 1e-15 (or negative): a copy of the input in its dtype (ints unchanged)."""
    for dtype in (np.float32, np.int16, np.complex64):
        x = random_array(rng, (4, 5), dtype)
        for sigma in (0.0, (0.0, 1e-16), -1.0):
            got = fn.gaussian_filter(x, sigma, order=1)
            assert got.dtype == np.dtype(dtype)
            np.testing.assert_array_equal(got, x)
            np.testing.assert_array_equal(got, sn.gaussian_filter(x, sigma, order=1))
            assert not np.shares_memory(got, x)


def test_gaussian_filter_order1_is_a_convolution():
    """Order 1 on a ramp gives +slope (the kernel is convolved, not correlated)."""
    x = np.arange(40.0) * 2
    got = fn.gaussian_filter(x, 1.0, order=1)
    k1 = gaussian_kernel(1.0, 1, 4)
    assert_close(got[5:-5], 2 * np.sum(-np.arange(-4, 5) * k1), tol(x, k1, np.float64))
    assert got[20] > 1.99


def test_gaussian_filter_integer_single_pass(rng):
    """Integer input, one active axis: trunc of the exact value (either side if near an integer)."""
    for dtype, orders in ((np.int16, (0, 1, 2)), (np.int64, (0, 1, 2)), (np.uint8, (0,))):
        x = random_array(rng, (7, 30), dtype)
        for sigma in ((0.0, 1.3), (0.9, 0.0)):
            for order in orders:
                got = fn.gaussian_filter(x, sigma, order, mode="nearest")
                assert got.dtype == np.dtype(dtype)
                exact, kern = gaussian_reference(x, sigma, order, "nearest")
                atol = tol(x, kern, np.float64)
                assert_truncated(got, exact, atol)
                assert_truncated(sn.gaussian_filter(x, sigma, order, mode="nearest"), exact,
                                 atol)


def test_gaussian_filter_integer_passes_each_truncated(rng):
    """Integer input, several axes: each pass stored (truncated) in the input dtype, as scipy."""
    np.testing.assert_array_equal(fn.gaussian_filter(np.array([0, 0, 10, 0, 0]), 1.0),
                                  [0, 2, 3, 2, 0])
    x = random_array(rng, (9, 11), np.int32) * 5
    sigma = (1.2, 0.8)
    got = fn.gaussian_filter(x, sigma, mode="reflect")
    first = fn.gaussian_filter(x, (sigma[0], 0), mode="reflect")
    second = fn.gaussian_filter(first, (0, sigma[1]), mode="reflect")
    assert got.dtype == np.int32
    np.testing.assert_array_equal(got, second)
    exact1, k1 = gaussian_reference(x, (sigma[0], 0), 0, "reflect")
    assert_truncated(first, exact1, tol(x, k1, np.float64))
    exact2, k2 = gaussian_reference(first, (0, sigma[1]), 0, "reflect")
    assert_truncated(second, exact2, tol(first, k2, np.float64))


def test_gaussian_filter_output_array_and_dtype(rng):
    """gaussian_filter output= array (returned, passes stored in it) and dtype (float from int)."""
    x = random_array(rng, (8, 9), np.int16)
    out = np.zeros((8, 9), np.float32)
    got = fn.gaussian_filter(x, (1.0, 2.0), (0, 1), output=out, mode="wrap")
    assert got is out
    ref, kern = gaussian_reference(x, (1.0, 2.0), (0, 1), "wrap")
    assert_close(out, ref, tol(x, kern, np.float32))
    assert_close(out, sn.gaussian_filter(x, (1.0, 2.0), (0, 1), output=np.float32, mode="wrap"),
                 tol(x, kern, np.float32))
    got = fn.gaussian_filter(x, 1.0, output=np.float64)
    assert got.dtype == np.float64
    ref, kern = gaussian_reference(x, 1.0)
    assert_close(got, ref, tol(x, kern, np.float64))


# ---------------------------------------------------------------------------------------------
# uniform_filter

UNIFORM_CASES = [
    ((15,), 3, 0, "reflect", 0.0),
    ((15,), 4, -2, "constant", 0.5),
    ((15,), 4, 1, "grid-constant", -1.0),
    ((8, 9), (2, 5), (0, 2), ("wrap", "mirror"), 0.0),
    ((8, 9), (2, 5), (-1, -2), ("grid-wrap", "grid-mirror"), 0.0),
    ((5, 6, 7), (1, 3, 4), (0, -1, 1), "nearest", 0.0),
    ((3, 4, 2, 5), (2, 1, 3, 6), (-1, 0, 1, 2), ("reflect", "wrap", "mirror", "constant"), 2.0),
    ((4,), 9, 4, "reflect", 0.0),                      # size > n
    ((4, 5), (7, 12), (-3, 5), ("grid-mirror", "mirror"), 0.0),
    ((2, 3), (20, 3), (9, 0), "reflect", 0.0),         # 4n and beyond (1-D path)
]


@pytest.mark.parametrize("dtype", [np.float64, np.float32, np.complex128])
@pytest.mark.parametrize("shape,size,origin,mode,cval", UNIFORM_CASES)
def test_uniform_filter(rng, shape, size, origin, mode, cval, dtype):
    """Per-axis size (1 skipped), origin (extremes), modes, cval: scipy and the box mean."""
    x = random_array(rng, shape, dtype)
    got = fn.uniform_filter(x, size, mode=mode, cval=cval, origin=origin)
    want = sn.uniform_filter(x, size, mode=mode, cval=cval, origin=origin)
    ref, kern = box_reference(x, size, mode, cval, origin)
    assert got.dtype == want.dtype == np.dtype(dtype)
    atol = tol(x, kern, dtype, cval)
    assert_close(got, want, atol)
    assert_close(got, ref, atol)


def test_uniform_filter_documented_examples():
    """[0 0 10 0 0]: size 3, size 2, size 2 origin -1, size 4 give the doc's results."""
    x = np.array([0, 0, 10, 0, 0])
    np.testing.assert_array_equal(fn.uniform_filter(x, 3), [0, 3, 3, 3, 0])
    np.testing.assert_array_equal(fn.uniform_filter(x, 2), [0, 0, 5, 5, 0])
    np.testing.assert_array_equal(fn.uniform_filter(x, 2, origin=-1), [0, 5, 5, 0, 0])
    assert_close(fn.uniform_filter(x.astype(float), 4), [0, 2.5, 2.5, 2.5, 2.5],
                 tol(x, np.full(4, 0.25), np.float64))


@pytest.mark.parametrize("dtype", [np.uint8, np.int16, np.int32])
@pytest.mark.parametrize("shape,size,origin,mode", [
    ((20,), 3, 0, "reflect"),
    ((6, 7), (3, 5), (1, -2), ("constant", "wrap")),
    ((5, 4, 3), (2, 3, 4), (0, 1, -2), "nearest"),
])
def test_uniform_filter_integer_exact(rng, dtype, shape, size, origin, mode):
    """Integer input: each pass trunc(window sum / size), exactly as scipy (sum / size is exact)."""
    x = random_array(rng, shape, dtype)

    def store(v):
        return np.trunc(v)
    exact, _ = box_reference(x, size, mode, 4, origin, store)
    want = sn.uniform_filter(x, size, mode=mode, cval=4, origin=origin)
    np.testing.assert_array_equal(want, exact)  # the reference is scipy's
    got = fn.uniform_filter(x, size, mode=mode, cval=4, origin=origin)
    assert got.dtype == np.dtype(dtype)
    diff = got.astype(np.int64) - want
    assert not diff.any(), (f"{np.count_nonzero(diff)} of {diff.size} differ, e.g. at "
                            f"{np.argwhere(diff)[0]}: got {got[tuple(np.argwhere(diff)[0])]}, "
                            f"scipy {want[tuple(np.argwhere(diff)[0])]}")


@pytest.mark.parametrize("size", [3, 5, 6, 7])
def test_uniform_filter_constant_uint8_image_unchanged(size):
    """A constant uint8 image stays constant (scipy: sum / size is exact)."""
    x = np.full((9, 9), 100, np.uint8)
    np.testing.assert_array_equal(sn.uniform_filter(x, size), x)
    np.testing.assert_array_equal(fn.uniform_filter(x, size), x)


def test_uniform_filter_bool(rng):
    """bool input: each pass trunc(mean) != 0, i.e. true only where the whole window is true."""
    x = random_array(rng, (8, 9), bool)
    x[2:7, 2:8] = True
    for size in (2, 3, (2, 3)):
        exact, _ = box_reference(x, size, "reflect", 0.0, 0, lambda v: np.trunc(v) != 0)
        np.testing.assert_array_equal(sn.uniform_filter(x, size).view(np.uint8) != 0, exact)
        got = fn.uniform_filter(x, size)
        assert got.dtype == np.bool_
        np.testing.assert_array_equal(got, exact)


@pytest.mark.parametrize("size,origin", [(0, 0), ((0, 3), (0, 1)), ((1, 3), (1, 0))])
def test_uniform_filter_skips_axes_of_size_at_most_1(rng, size, origin):
    """Axes with size <= 1 are skipped as in scipy (no error, their origin unused)."""
    x = random_array(rng, (6, 7), np.float64)
    want = sn.uniform_filter(x, size, origin=origin)
    got = fn.uniform_filter(x, size, origin=origin)
    assert_close(got, want, tol(x, np.full((1, 3), 1 / 3), np.float64))


def test_uniform_filter_output_array_and_complex(rng):
    """uniform_filter output= array is returned; complex input stays complex."""
    x = random_array(rng, (6, 7), np.complex64)
    out = np.zeros((6, 7), np.complex128)
    got = fn.uniform_filter(x, (3, 2), output=out, mode="wrap")
    assert got is out
    ref, kern = box_reference(x, (3, 2), "wrap")
    assert_close(out, ref, tol(x, kern, np.complex64))
    got = fn.uniform_filter(x, 3)
    assert got.dtype == np.complex64
    assert_close(got, sn.uniform_filter(x, 3), tol(x, np.full((3, 3), 1 / 9), np.complex64))


# ---------------------------------------------------------------------------------------------
# randomized properties

@st.composite
def filter_problems(draw):
    ndim = draw(st.integers(1, 4))
    shape = tuple(draw(st.integers(1, 6 if ndim < 4 else 3)) for _ in range(ndim))
    wshape = tuple(draw(st.integers(1, 9 if ndim < 3 else 4)) for _ in range(ndim))
    origin = tuple(draw(st.integers(-(k // 2), (k - 1) // 2)) for k in wshape)
    mode = draw(st.sampled_from(MODES))
    cval = draw(st.sampled_from([0.0, -1.5, 3.0]))
    dtype = draw(st.sampled_from([np.float64, np.float32, np.complex128]))
    wdtype = draw(st.sampled_from([np.float64, np.float32, np.complex128]))
    convolution = draw(st.booleans())
    seed = draw(st.integers(0, 2**32 - 1))
    return shape, wshape, origin, mode, cval, dtype, wdtype, convolution, seed


@settings(max_examples=150, **HYPOTHESIS)
@given(filter_problems())
def test_property_correlate_convolve_direct_sum(problem):
    """Random 1-4-D problems (mode, origin, cval, dtype): direct sum, scipy outside its defect."""
    shape, wshape, origin, mode, cval, dtype, wdtype, convolution, seed = problem
    g = np.random.default_rng(seed)
    x = random_array(g, shape, dtype)
    w = random_array(g, wshape, wdtype)
    check_filter("convolve" if convolution else "correlate", x, w, mode, cval, origin)


@st.composite
def box_problems(draw):
    ndim = draw(st.integers(1, 3))
    shape = tuple(draw(st.integers(1, 7)) for _ in range(ndim))
    size = tuple(draw(st.integers(1, 9)) for _ in range(ndim))
    origin = tuple(draw(st.integers(-(s // 2), (s - 1) // 2)) for s in size)
    mode = tuple(draw(st.sampled_from(MODES)) for _ in range(ndim))
    seed = draw(st.integers(0, 2**32 - 1))
    return shape, size, origin, mode, seed


@settings(max_examples=80, **HYPOTHESIS)
@given(box_problems())
def test_property_uniform_filter(problem):
    """Random uniform_filter problems (per-axis size, origin, mode): scipy and the box mean."""
    shape, size, origin, mode, seed = problem
    x = random_array(np.random.default_rng(seed), shape, np.float64)
    got = fn.uniform_filter(x, size, mode=mode, cval=0.75, origin=origin)
    ref, kern = box_reference(x, size, mode, 0.75, origin)
    atol = tol(x, kern, np.float64, 0.75)
    assert_close(got, ref, atol)
    assert_close(got, sn.uniform_filter(x, size, mode=mode, cval=0.75, origin=origin), atol)


def test_non_finite_values_stay_in_the_footprint():
    """A NaN in the input (or an infinite cval) reaches only the outputs whose weights cover
    it, as scipy's direct sums: never spread by an FFT over the whole output."""
    x = np.random.default_rng(7).random((120, 130))
    x[60, 70] = np.nan
    w = np.ones((31, 31))
    np.testing.assert_array_equal(np.isnan(fn.correlate(x, w)), np.isnan(sn.correlate(x, w)))
    np.testing.assert_array_equal(np.isnan(fn.gaussian_filter(x, 5.0)),
                                  np.isnan(sn.gaussian_filter(x, 5.0)))
    clean = np.random.default_rng(8).random((60, 50))
    got = fn.correlate(clean, w, mode="constant", cval=np.inf)
    np.testing.assert_array_equal(np.isinf(got),
                                  np.isinf(sn.correlate(clean, w, mode="constant", cval=np.inf)))


def test_nan_cval():
    """cval=NaN: outputs reaching outside the input are NaN, the others exact (scipy's)."""
    for f, s in ((fn.correlate, sn.correlate), (fn.convolve, sn.convolve)):
        got = f(np.arange(5.0), [1.0, 1, 1], mode="constant", cval=np.nan)
        np.testing.assert_array_equal(got, s(np.arange(5.0), [1.0, 1, 1], mode="constant",
                                             cval=np.nan))
    x = np.random.default_rng(9).random((20, 30))
    got = fn.gaussian_filter(x, 2, mode="constant", cval=np.nan)
    expected = sn.gaussian_filter(x, 2, mode="constant", cval=np.nan)
    np.testing.assert_array_equal(np.isnan(got), np.isnan(expected))
    keep = ~np.isnan(expected)
    np.testing.assert_allclose(got[keep], expected[keep], rtol=0,
                               atol=tolerance(x, np.ones((17, 17)), np.float64))
    # uniform_filter: NaN exactly where the window reaches outside (scipy's running sum keeps
    # a NaN for the rest of the line once one entered it: a known difference, README)
    line = fn.uniform_filter(np.arange(8.0), 3, mode="constant", cval=np.nan)
    np.testing.assert_array_equal(np.isnan(line), [1, 0, 0, 0, 0, 0, 0, 1])
    np.testing.assert_allclose(line[1:-1], np.arange(1.0, 7.0), rtol=0, atol=8 * eps(np.float64))


def test_truncated_outputs_follow_scipys_order_of_additions():
    """Integer results of weighted sums a hair from an integer (a flat image through a
    normalized kernel) truncate as scipy's: its sums are formed in its order."""
    flat = np.ones((64, 64), np.uint8)
    np.testing.assert_array_equal(fn.gaussian_filter(flat, 2), sn.gaussian_filter(flat, 2))
    v = np.full((8, 8), 5, np.uint8)
    w = np.ones((3, 3)) / 9
    np.testing.assert_array_equal(fn.correlate(v, w), sn.correlate(v, w))
    rng = np.random.default_rng(10)
    for dtype in (np.uint8, np.int16, np.int32, np.uint16):
        x = rng.integers(0, 200, (40, 50)).astype(dtype)
        for sigma in (0.7, 1.5, 3.0):
            for order in (0, 1):
                np.testing.assert_array_equal(fn.gaussian_filter(x, sigma, order=order),
                                              sn.gaussian_filter(x, sigma, order=order))
        k = rng.random((3, 4))
        for mode in ("reflect", "constant", "nearest", "mirror", "wrap"):
            np.testing.assert_array_equal(fn.correlate(x, k, mode=mode, cval=3),
                                          sn.correlate(x, k, mode=mode, cval=3))
            np.testing.assert_array_equal(fn.convolve(x, k, mode=mode, origin=-1),
                                          sn.convolve(x, k, mode=mode, origin=-1))


def test_uint64_outputs_beyond_2_63():
    """Unsigned 64-bit results above 2**63 are stored exactly (scipy casts to unsigned)."""
    x = np.array([2**63 + 2**62], np.uint64)
    np.testing.assert_array_equal(fn.correlate(x, [1.0]), sn.correlate(x, [1.0]))
