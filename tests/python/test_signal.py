"""fftconv's scipy.signal drop-ins (convolve, correlate, fftconvolve, oaconvolve,
choose_conv_method, next_fast_len) against scipy.signal 1.10 on randomized shapes, every mode,
dtype and method, with tolerances from conftest.tolerance; exact equality for integer and
boolean results."""

import itertools

import numpy as np
import pytest
import scipy.signal
from conftest import random_array, tolerance

import fftconv

MODES = ("full", "same", "valid")
FLOAT_DTYPES = (np.float32, np.float64, np.complex64, np.complex128)


def shapes(rng, ndim, larger_kernel=False):
    """An image shape and a kernel shape of `ndim` axes (odd and even lengths; the kernel
    longer than the image along every axis when `larger_kernel`)."""
    image = tuple(int(rng.integers(1, 12 if ndim < 3 else 6)) for _ in range(ndim))
    if larger_kernel:
        kernel = tuple(n + int(rng.integers(0, 4)) for n in image)
    else:
        kernel = tuple(int(rng.integers(1, n + 1)) for n in image)
    return image, kernel


def check_close(got, expected, image, kernel, dtype):
    assert got.dtype == expected.dtype
    assert got.shape == expected.shape
    if expected.size:
        np.testing.assert_allclose(got, expected, rtol=0,
                                   atol=tolerance(image, kernel, dtype))


@pytest.mark.parametrize("ndim", [1, 2, 3, 4])
@pytest.mark.parametrize("dtype", FLOAT_DTYPES)
@pytest.mark.parametrize("mode", MODES)
def test_convolve_and_correlate_match_scipy(rng, ndim, dtype, mode):
    """convolve/correlate equal scipy's for every mode, float/complex dtype and rank 1-4,
    including kernels larger than the image (valid mode swaps them, as scipy)."""
    for trial in range(6):
        image_shape, kernel_shape = shapes(rng, ndim, larger_kernel=trial % 3 == 2)
        a = random_array(rng, image_shape, dtype)
        k = random_array(rng, kernel_shape, dtype)
        for ours, theirs in ((fftconv.convolve, scipy.signal.convolve),
                             (fftconv.correlate, scipy.signal.correlate)):
            for method in ("auto", "direct", "fft"):
                check_close(ours(a, k, mode, method), theirs(a, k, mode), a, k, dtype)


@pytest.mark.parametrize("mode", MODES)
def test_fftconvolve_and_oaconvolve_match_scipy(rng, mode):
    """fftconvolve/oaconvolve equal scipy's, with scipy's result dtypes (each input promoted
    on its own: integers to float64, float32 stays float32)."""
    cases = [(np.float32, np.float32), (np.float64, np.float32), (np.int16, np.float32),
             (np.int32, np.int32), (np.bool_, np.bool_), (np.complex64, np.float32),
             (np.float32, np.complex128), (np.uint8, np.float16)]
    for (t1, t2), ndim in itertools.product(cases, (1, 2, 3)):
        image_shape, kernel_shape = shapes(rng, ndim)
        a = random_array(rng, image_shape, t1)
        k = random_array(rng, kernel_shape, t2)
        expected = scipy.signal.fftconvolve(a, k, mode)
        # (scipy transforms each input at its own precision: a float32 or float16 input carries
        # float32 rounding into a float64 result)
        single = {np.dtype(t) for t in (t1, t2)} & {np.dtype(np.float16), np.dtype(np.float32),
                                                     np.dtype(np.complex64)}
        precision = np.float32 if single else expected.dtype
        for ours, theirs in ((fftconv.fftconvolve, expected),
                             (fftconv.oaconvolve, scipy.signal.oaconvolve(a, k, mode))):
            got = ours(a, k, mode)
            check_close(got, theirs, a, k, precision)


def test_fftconvolve_axes_match_scipy(rng):
    """fftconvolve(axes=...) convolves along the listed axes and broadcasts the others."""
    a = rng.standard_normal((3, 10, 12))
    kernels = {(1, 2): rng.standard_normal((1, 4, 5)), (2,): rng.standard_normal((3, 1, 5)),
               -1: rng.standard_normal((1, 10, 4)), (0, 2): rng.standard_normal((2, 10, 3))}
    for (axes, kk), mode in itertools.product(kernels.items(), MODES):
        expected = scipy.signal.fftconvolve(a, kk, mode, axes=axes)
        check_close(fftconv.fftconvolve(a, kk, mode, axes=axes), expected, a, kk, np.float64)


@pytest.mark.parametrize("dtype", [np.int8, np.uint8, np.int16, np.int32, np.int64, np.uint64])
@pytest.mark.parametrize("mode", MODES)
def test_integer_results_are_exact_and_typed_as_scipy(rng, dtype, mode):
    """Integer inputs give scipy's integer dtype and exactly its values (wrapping as its
    integer arithmetic), for every method."""
    for ndim in (1, 2, 3):
        image_shape, kernel_shape = shapes(rng, ndim)
        a = random_array(rng, image_shape, dtype)
        k = random_array(rng, kernel_shape, dtype)
        for ours, theirs in ((fftconv.convolve, scipy.signal.convolve),
                             (fftconv.correlate, scipy.signal.correlate)):
            expected = theirs(a, k, mode, method="direct")
            for method in ("auto", "direct", "fft"):
                got = ours(a, k, mode, method)
                assert got.dtype == expected.dtype
                np.testing.assert_array_equal(got, expected)


def test_integer_products_beyond_2_53_take_the_exact_path():
    """Integers whose sums do not fit a double's significand are summed exactly (as scipy's
    direct path; an FFT in double would lose the low bits)."""
    a = np.array([2**40 + 1, 3, 2**41 + 7, -5], dtype=np.int64)
    k = np.array([2**20 + 3, -(2**21) + 1, 7], dtype=np.int64)
    for mode in MODES:
        for ours, theirs in ((fftconv.convolve, scipy.signal.convolve),
                             (fftconv.correlate, scipy.signal.correlate)):
            expected = theirs(a, k, mode, method="direct")
            got = ours(a, k, mode)
            assert got.dtype == np.int64
            np.testing.assert_array_equal(got, expected)
    assert fftconv.choose_conv_method(a, k) == "direct"


def test_integer_fft_falls_back_to_direct_when_rounding_could_err():
    """With method='auto', an integer result is computed by FFT only when the error bound
    promises it rounds to the exact integer; a large dynamic range gets the direct sum."""
    rng = np.random.default_rng(3)
    a = rng.integers(-2**20, 2**20, size=(200, 200), dtype=np.int64)
    k = rng.integers(-2**10, 2**10, size=(31, 31), dtype=np.int64)
    expected = scipy.signal.convolve(a, k, "same", method="direct")
    np.testing.assert_array_equal(fftconv.convolve(a, k, "same"), expected)


@pytest.mark.parametrize("mode", MODES)
def test_bool_inputs_give_the_boolean_convolution(rng, mode):
    """bool x bool is True where any product is True (numpy.convolve's result for 1-D;
    scipy's FFT path turns rounding noise into True, which fftconv does not)."""
    for ndim in (1, 2):
        image_shape, kernel_shape = shapes(rng, ndim)
        a = random_array(rng, image_shape, np.bool_)
        k = random_array(rng, kernel_shape, np.bool_)
        exact = scipy.signal.convolve(a.astype(np.int64), k.astype(np.int64), mode,
                                      method="direct") > 0
        got = fftconv.convolve(a, k, mode)
        assert got.dtype == np.bool_
        np.testing.assert_array_equal(got, exact)


def test_mixed_and_small_dtypes_follow_result_type(rng):
    """Mixed dtypes give numpy.result_type; float16 is computed in float32 and returned as
    float16; int8 with float32 stays float32 (scipy.signal.convolve's rule)."""
    a = random_array(rng, (9, 7), np.float32)
    for other, expected_dtype in ((np.float64, np.float64), (np.int8, np.float32),
                                  (np.int64, np.float64), (np.complex64, np.complex64),
                                  (np.int32, np.float64), (np.bool_, np.float32)):
        k = random_array(rng, (3, 4), other)
        got = fftconv.convolve(a, k)
        assert got.dtype == expected_dtype, other
        expected = scipy.signal.convolve(a, k)
        assert expected.dtype == expected_dtype
        check_close(got, expected, a, k, expected_dtype)
    h = random_array(rng, (20,), np.float16)
    got = fftconv.convolve(h, h)
    assert got.dtype == np.float16
    np.testing.assert_allclose(got, np.convolve(h.astype(np.float64), h.astype(np.float64)),
                               atol=float(np.finfo(np.float16).eps) * 20)


def test_layouts_and_byte_orders(rng):
    """Fortran order, slices, negative strides, broadcast views and big-endian data give the
    same result as a C-order copy."""
    base = rng.standard_normal((30, 40))
    k = rng.standard_normal((5, 6))
    views = [np.asfortranarray(base), base[::2, 1::3], base[::-1, ::-2],
             np.broadcast_to(base[:1], (30, 40)), base.astype(">f8"),
             base.astype(np.float32)[3:20, ::-1]]
    for v in views:
        expected = scipy.signal.convolve(np.ascontiguousarray(v), k, "same")
        for kern in (k, k[::-1, ::2], k.astype(">f8")):
            got = fftconv.convolve(v, kern, "same")
            # (scipy's FFT transforms a float32 input in float32: its rounding sets the scale)
            check_close(got, scipy.signal.convolve(np.ascontiguousarray(v),
                                                   np.ascontiguousarray(kern), "same"), v, kern,
                        v.dtype if v.dtype == np.float32 else got.dtype)
        assert expected.shape == v.shape


def test_out_argument(rng):
    """out= receives the result in place (any strides), is returned, and is checked."""
    a = rng.standard_normal((12, 13))
    k = rng.standard_normal((3, 4))
    out = np.zeros((13, 12)).T  # (Fortran-ordered view)
    got = fftconv.convolve(a, k, "same", out=out)
    assert got is out
    check_close(out, scipy.signal.convolve(a, k, "same"), a, k, np.float64)
    out32 = np.zeros((14, 16), np.float32)
    fftconv.correlate(a, k, "full", out=out32)  # cast with same_kind rules
    check_close(out32.astype(np.float64), scipy.signal.correlate(a, k), a, k, np.float32)
    with pytest.raises(ValueError, match="shape"):
        fftconv.convolve(a, k, "same", out=np.zeros((3, 3)))
    with pytest.raises(TypeError):
        fftconv.convolve(a, k, "same", out=np.zeros((12, 13), np.int32))


def test_scipy_edge_cases():
    """0-d inputs multiply; empty inputs give array([]); 'valid' with neither input containing
    the other raises scipy's ValueError; unknown modes raise ValueError; differing ranks too."""
    assert fftconv.convolve(np.array(3.0), np.array(2.0)) == 6.0
    assert fftconv.correlate(np.array(1 + 1j), np.array(1j)) == scipy.signal.correlate(
        np.array(1 + 1j), np.array(1j))
    assert fftconv.convolve(np.zeros((0, 3)), np.ones((2, 2))).shape == (0,)
    assert fftconv.fftconvolve(np.zeros(0), np.ones(2)).shape == (0,)
    with pytest.raises(ValueError, match="at least as large"):
        fftconv.convolve(np.ones((5, 2)), np.ones((2, 5)), "valid")
    with pytest.raises(ValueError, match="acceptable mode"):
        fftconv.convolve(np.ones(5), np.ones(2), "middle")
    with pytest.raises(ValueError, match="dimensionality"):
        fftconv.convolve(np.ones((5, 5)), np.ones(2))


def test_correlate_conjugates_only_in2():
    """correlate(a, g) = convolve(a, conj(flip(g))), as scipy (only in2 conjugated)."""
    a = np.array([1, 0, 0], complex)
    g = np.array([1 + 1j, 2])
    np.testing.assert_allclose(fftconv.correlate(a, g), [2, 1 - 1j, 0, 0], atol=1e-15)


def test_fftconv_extras(rng):
    """The keyword-only extras: boundary rules (against numpy.pad + scipy 'valid'),
    normalize_kernel, nonnegative, precision, threads and axes."""
    a = rng.uniform(0, 1, (20, 17))
    k = rng.uniform(0, 1, (5, 4))
    pads = {"reflect": "symmetric", "mirror": "reflect", "nearest": "edge", "wrap": "wrap"}
    for boundary, numpy_mode in pads.items():
        # same window start (k-1)//2: output i reads E[i - k//2 .. i + (k-1)//2], so pad k//2
        # before and (k-1)//2 after, then 'valid'
        padded = np.pad(a, [(n // 2, (n - 1) // 2) for n in k.shape], mode=numpy_mode)
        expected = scipy.signal.convolve(padded, k, "valid")
        check_close(fftconv.convolve(a, k, "same", boundary=boundary), expected, a, k,
                    np.float64)
    padded = np.pad(a, [(n // 2, (n - 1) // 2) for n in k.shape], constant_values=2.5)
    check_close(fftconv.convolve(a, k, "same", boundary="constant", fill_value=2.5),
                scipy.signal.convolve(padded, k, "valid"), a, k, np.float64)
    check_close(fftconv.convolve(a, k, normalize_kernel=True),
                scipy.signal.convolve(a, k / k.sum()), a, k, np.float64)
    assert (fftconv.convolve(a, k, method="fft", nonnegative=True) >= 0).all()
    a32 = a.astype(np.float32)
    exact = scipy.signal.convolve(a, k.astype(np.float32).astype(np.float64))
    double = fftconv.convolve(a32, k.astype(np.float32), precision="double")
    # computed in double and rounded once: within one float32 rounding of the exact values
    np.testing.assert_allclose(double, exact, rtol=float(np.finfo(np.float32).eps),
                               atol=tolerance(a, k, np.float64))
    check_close(fftconv.convolve(a, k, threads=2), scipy.signal.convolve(a, k), a, k,
                np.float64)
    stack = rng.standard_normal((4, 9, 8))
    check_close(fftconv.convolve(stack, k, "same", axes=(1, 2)),
                scipy.signal.fftconvolve(stack, k[None], "same", axes=(1, 2)), stack, k,
                np.float64)


def test_choose_conv_method(rng):
    """'direct' for tiny kernels and exact-integer cases, 'fft' for large kernels; measure=True
    times both and returns the faster with the times."""
    a = rng.standard_normal((256, 256))
    assert fftconv.choose_conv_method(a, rng.standard_normal((2, 2))) == "direct"
    assert fftconv.choose_conv_method(a, rng.standard_normal((64, 64))) == "fft"
    method, times = fftconv.choose_conv_method(a[:64, :64], rng.standard_normal((3, 3)),
                                               measure=True)
    assert method in ("fft", "direct") and set(times) == {"fft", "direct"}
    assert times[method] == min(times.values())


def test_next_fast_len():
    """The library's transform lengths: 2^a 3^b 5^c 7^d times at most one 11 or 13; 0 -> 0;
    negative -> ValueError; non-integers -> TypeError."""
    assert fftconv.next_fast_len(0) == 0
    assert fftconv.next_fast_len(1) == 1
    assert fftconv.next_fast_len(97) == 98
    assert fftconv.next_fast_len(2049, real=True) == 2058
    for n in range(1, 300):
        m = fftconv.next_fast_len(n)
        assert m >= n
        r = m
        for p in (2, 3, 5, 7):
            while r % p == 0:
                r //= p
        assert r in (1, 11, 13)
    with pytest.raises(ValueError):
        fftconv.next_fast_len(-1)
    with pytest.raises(TypeError):
        fftconv.next_fast_len(2.5)


def test_errors_carry_the_library_message_and_code():
    """fftconv.Error is a ValueError with the message and .code; unsupported dtypes raise
    TypeError."""
    a = np.ones((8, 8))
    with pytest.raises(fftconv.Error) as info:
        fftconv.convolve(a, a, "same", boundary="sideways")
    assert isinstance(info.value, ValueError)
    assert info.value.code == "invalid_argument"
    assert "sideways" in str(info.value)
    with pytest.raises(fftconv.Error) as info:
        fftconv.convolve(np.ones((256, 256)), np.ones((64, 64)), "same", method="fft",
                         max_memory=1000)
    assert info.value.code == "out_of_memory"
    for bad in (np.array(["a", "b"]), np.array([object(), 1]), np.ones(3, np.longdouble)):
        with pytest.raises(TypeError):
            fftconv.convolve(bad, np.ones(2))


def test_fftconvolve_length_one_axes_as_scipy(rng):
    """fftconvolve drops axes where an input has length 1 (they broadcast) and centres every
    axis on in1 in 'same', as scipy: shapes and values for the awkward cases."""
    cases = [((1,), (6,)), ((5, 1), (1, 3)), ((1, 8), (3, 5)), ((1, 4), (5, 3)),
             ((4, 1, 6), (1, 3, 2)), ((3,), (1,))]
    for (s1, s2), mode in itertools.product(cases, MODES):
        for axes in (None, [len(s1) - 1]):
            a = rng.standard_normal(s1)
            k = rng.standard_normal(s2)
            try:
                expected = scipy.signal.fftconvolve(a, k, mode, axes=axes)
            except ValueError:
                with pytest.raises(ValueError):
                    fftconv.fftconvolve(a, k, mode, axes=axes)
                continue
            check_close(fftconv.fftconvolve(a, k, mode, axes=axes), expected, a, k, np.float64)


def test_misaligned_and_odd_stride_inputs_are_copied():
    """A field of a packed structured array (misaligned, stride 9 bytes) is copied, not
    refused."""
    r = np.zeros(10, [("t", "i1"), ("v", "f8")])
    r["v"] = np.arange(10.0)
    np.testing.assert_allclose(fftconv.convolve(r["v"], [1.0, 1, 1], "same"),
                               np.convolve(np.arange(10.0), [1.0, 1, 1], "same"))
    c = np.zeros(6, [("t", "f8"), ("z", "c16")])
    c["z"] = np.arange(6) * (1 + 1j)
    np.testing.assert_allclose(fftconv.convolve(c["z"], [1.0, 2.0]),
                               np.convolve(np.arange(6) * (1 + 1j), [1.0, 2.0]), atol=1e-14)
