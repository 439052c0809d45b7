"""The binding itself: arrays read in place (no copies), the GIL released during calls, calls
from many threads (a shared Filter too), errors, and no input crashing the interpreter
(hypothesis over shapes, strides, dtypes and options)."""

import threading
import time
import tracemalloc

import numpy as np
import pytest
import scipy.signal
from conftest import tolerance
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import fftconv


def test_version_and_error_type():
    """__version__ is the library's; Error is a ValueError subclass named fftconv.Error."""
    assert fftconv.__version__.count(".") == 2
    assert issubclass(fftconv.Error, ValueError)
    assert fftconv.Error.__module__ == "fftconv"


def test_inputs_are_read_in_place():
    """A large non-contiguous (strided, reversed) view costs no copy: the traced allocations
    stay far below its size. (tracemalloc sees numpy's allocations.)"""
    base = np.random.default_rng(1).standard_normal((2048, 2048))
    view = base[::-2, 1::2]  # 1024 x 1024 doubles, 8 MiB, non-contiguous, negative stride
    kernel = np.ones((5, 5)) / 25
    out = np.empty(view.shape)
    fftconv.convolve(view, kernel, "same", method="direct", out=out)  # (warm-up: plans etc.)
    tracemalloc.start()
    try:
        fftconv.convolve(view, kernel, "same", method="direct", out=out)
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert peak < view.nbytes / 16, peak
    np.testing.assert_allclose(out, scipy.signal.convolve(view, kernel, "same"),
                               atol=tolerance(view, kernel, np.float64))


def test_gil_is_released_during_a_call():
    """A second Python thread keeps running while a long convolution computes."""
    rng = np.random.default_rng(2)
    image = rng.standard_normal((1500, 1500))
    kernel = rng.standard_normal((41, 41))
    ticks = []
    done = threading.Event()

    def count():
        while not done.is_set():
            ticks.append(time.perf_counter())
            time.sleep(0.001)

    counter = threading.Thread(target=count)
    counter.start()
    start = time.perf_counter()
    fftconv.convolve(image, kernel, "same", method="direct")
    end = time.perf_counter()
    done.set()
    counter.join()
    during = [t for t in ticks if start < t < end]
    # A held GIL would let the counter run only at the call's ends.
    assert end - start > 0.05
    assert len(during) >= 5, (len(during), end - start)


def test_concurrent_calls_and_a_shared_filter_agree_with_serial_results():
    """Many threads calling convolve and one shared Filter.apply at once give the serial
    results bit for bit."""
    rng = np.random.default_rng(3)
    kernel = rng.standard_normal((9, 9))
    images = [rng.standard_normal((128, 128)) for _ in range(16)]
    shared = fftconv.Filter(kernel, (128, 128), method="fft")
    serial = [shared(im) for im in images]
    serial_direct = [fftconv.convolve(im, kernel, "same", method="direct") for im in images]
    results = [None] * len(images)
    direct = [None] * len(images)

    def work(i):
        results[i] = shared.apply(images[i])
        direct[i] = fftconv.convolve(images[i], kernel, "same", method="direct")

    threads = [threading.Thread(target=work, args=(i,)) for i in range(len(images))]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    for i in range(len(images)):
        np.testing.assert_array_equal(results[i], serial[i])
        np.testing.assert_array_equal(direct[i], serial_direct[i])


def test_read_only_and_wrong_outputs_are_refused():
    """A read-only out is refused before anything is written; so is a wrong shape."""
    a = np.ones((6, 6))
    out = np.zeros((6, 6))
    out.flags.writeable = False
    with pytest.raises(ValueError, match="read-only"):
        fftconv.convolve(a, a, "same", out=out)


DTYPES = st.sampled_from([np.float32, np.float64, np.complex64, np.complex128, np.int16,
                          np.uint8, np.bool_, np.float16, ">f8", "<c16"])


@st.composite
def strided_arrays(draw, ndim):
    """An array of `ndim` axes as a view with random steps and reversals of a larger one."""
    dtype = np.dtype(draw(DTYPES))
    shape = tuple(draw(st.integers(0, 6)) for _ in range(ndim))
    steps = tuple(draw(st.sampled_from([1, 2, -1, -2])) for _ in range(ndim))
    base_shape = tuple(max(1, n * abs(s)) for n, s in zip(shape, steps))
    values = draw(st.sampled_from(["small", "large", "special"]))
    rng = np.random.default_rng(draw(st.integers(0, 2**32 - 1)))
    base = rng.uniform(-4, 4, base_shape)
    if values == "large":
        base *= 1e30
    elif values == "special" and base.size:
        base.flat[rng.integers(0, base.size)] = draw(st.sampled_from([np.nan, np.inf, -np.inf]))
    with np.errstate(invalid="ignore", over="ignore"):
        base = base.astype(dtype)
    view = base[tuple(slice(None, None, s) for s in steps)]
    return view[tuple(slice(0, n) for n in shape)]


@settings(max_examples=150, deadline=None, suppress_health_check=list(HealthCheck))
@given(ndim=st.integers(1, 4), data=st.data(),
       mode=st.sampled_from(["full", "same", "valid"]),
       method=st.sampled_from(["auto", "direct", "fft", "overlap_save", "separable"]),
       boundary=st.sampled_from(["zero", "constant", "reflect", "mirror", "nearest", "wrap"]),
       correlate=st.booleans(), threads=st.integers(-1, 3),
       max_memory=st.sampled_from([None, 0, 4096, 2**40]))
def test_any_input_gives_a_result_or_a_clean_exception(ndim, data, mode, method, boundary,
                                                       correlate, threads, max_memory):
    """Random shapes (zeros included), strides, dtypes and options: a result of the expected
    shape, or fftconv.Error / TypeError / ValueError; never a crash."""
    image = data.draw(strided_arrays(ndim))
    kernel = data.draw(strided_arrays(ndim))
    call = fftconv.correlate if correlate else fftconv.convolve
    try:
        with np.errstate(all="ignore"):
            result = call(image, kernel, mode, method, boundary=boundary, threads=threads,
                          max_memory=max_memory)
    except (fftconv.Error, TypeError, ValueError):
        return
    if image.size and kernel.size:
        assert result.dtype == np.result_type(image, kernel)
        if method == "direct" and boundary == "zero" and threads >= 0 and result.size and \
                np.isfinite(image.astype(np.complex128)).all() and abs(image).max() < 1e6:
            # (scipy's direct N-d path has no bool or float16 loop: its shapes are what count,
            # taken on float64 or complex128 copies)
            wide = np.result_type(image, kernel, np.float64)
            expected = (scipy.signal.correlate if correlate else scipy.signal.convolve)(
                image.astype(wide), kernel.astype(wide), mode, method="direct")
            assert result.shape == expected.shape


@settings(max_examples=60, deadline=None, suppress_health_check=list(HealthCheck))
@given(data=st.data(), ndim=st.integers(1, 3), leading=st.integers(0, 2),
       dtype=st.sampled_from([np.float32, np.float64, np.complex64, np.complex128]))
def test_filter_on_random_stacks(data, ndim, leading, dtype):
    """A Filter applied to a stack (extra leading axes, random strides) equals convolve on
    each frame."""
    rng = np.random.default_rng(data.draw(st.integers(0, 2**32 - 1)))
    frame = tuple(int(rng.integers(1, 9)) for _ in range(ndim))
    kernel = rng.uniform(-1, 1, tuple(int(rng.integers(1, n + 1)) for n in frame)).astype(dtype)
    stack = rng.uniform(-1, 1, (3,) * leading + frame).astype(dtype)
    if leading:
        stack = stack[::-1]
    f = fftconv.Filter(kernel, frame, dtype)
    got = f(stack)
    for index in np.ndindex(*stack.shape[:leading]):
        expected = fftconv.convolve(stack[index], kernel, "same")
        np.testing.assert_allclose(got[index], expected, rtol=0,
                                   atol=tolerance(stack[index], kernel, dtype))


def test_the_extension_refuses_a_dtype_it_was_not_asked_for():
    """The extension never reads an array as another type: a float32 array where the call
    computes in double is a TypeError (the package converts before; direct callers are
    protected too)."""
    from fftconv import _fftconv
    from fftconv._arrays import options
    with pytest.raises(TypeError, match="float32"):
        _fftconv.convolve_masked(np.random.rand(50), np.zeros(50, bool),
                                 np.ones(3, np.float32), np.empty(50), None,
                                 options(nan_policy="interpolate"))
    with pytest.raises(TypeError):
        _fftconv.match_template(np.random.rand(20), np.random.rand(5), None,
                                np.empty(16, np.float32), options())


def test_out_of_range_numbers_are_value_errors():
    """Numbers the library cannot represent raise ValueError naming the argument, not
    pybind11's argument-type error."""
    a = np.ones(8)
    with pytest.raises(ValueError, match="threads"):
        fftconv.convolve(a, a, threads=2**40)
    with pytest.raises(ValueError, match="max_memory"):
        fftconv.convolve(a, a, max_memory=2**70)
    with pytest.raises(ValueError, match="min_distance"):
        fftconv.find_peaks(a, min_distance=-1)
    with pytest.raises(ValueError, match="shape"):
        fftconv.Filter(np.ones(3), (-5,))


def test_submodules_on_first_use():
    """fftconv.ndimage and fftconv.astropy are reachable after `import fftconv`."""
    assert callable(fftconv.ndimage.convolve)
    assert callable(fftconv.astropy.convolve_fft)
