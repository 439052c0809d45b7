"""fftconv.dask: block-by-block convolution of dask arrays equals fftconv on the whole array.

The reference is `fftconv.convolve` / `fftconv.correlate` on the computed array. Blocks may take
another method (or transform size) than the whole array, so the two agree to rounding: the
tolerance is 4 x eps x log2(prod(n + k - 1)) relative to max|result| (an FFT convolution's
error bound, README "Accuracy"), about 1e-14 for these float64 sizes and below the issue's 1e-15
only where both take the direct path; where both paths are direct the results are bit for bit.
"""

import math

import numpy as np
import pytest

da = pytest.importorskip("dask.array")

import fftconv  # noqa: E402
import fftconv.dask as fd  # noqa: E402

BOUNDARIES = ["zero", "constant", "reflect", "mirror", "nearest", "wrap"]


def tolerance(shape, kshape, dtype):
    eps = np.finfo(dtype).eps
    return 4 * eps * math.log2(math.prod(n + k - 1 for n, k in zip(shape, kshape)))


def relative(got, want):
    scale = np.max(np.abs(want))
    return np.max(np.abs(got - want)) / scale if scale else np.max(np.abs(got))


def reference(correlate, x, k, mode, **kw):
    return (fftconv.correlate if correlate else fftconv.convolve)(x, k, mode, **kw)


@pytest.mark.parametrize("correlate", [False, True])
@pytest.mark.parametrize("mode", ["same", "full", "valid"])
@pytest.mark.parametrize("boundary", BOUNDARIES)
@pytest.mark.parametrize("shape,chunks,kshape", [
    ((50, 37), (16, 10), (5, 4)),      # even kernel axis, chunks shorter than the halo merged
    ((40, 33), (7, 9), (9, 12)),       # kernel longer than every chunk
    ((30,), (8,), (45,)),              # kernel longer than the image: the rule repeats
    ((12, 10, 9), (5, 4, 9), (3, 4, 2)),
])
def test_small_arrays_equal_fftconv_bit_for_bit(correlate, mode, boundary, shape, chunks,
                                                 kshape):
    if mode == "valid" and any(n < k for n, k in zip(shape, kshape)):
        pytest.skip("valid needs the image at least as long as the kernel")
    rng = np.random.default_rng(list(shape) + list(kshape))
    x, k = rng.standard_normal(shape), rng.standard_normal(kshape)
    f = fd.correlate if correlate else fd.convolve
    result = f(da.from_array(x, chunks=chunks), k, mode, boundary=boundary, fill_value=2.5)
    got = result.compute(scheduler="synchronous")
    want = reference(correlate, x, k, mode, boundary=boundary, fill_value=2.5)
    assert got.shape == want.shape and got.dtype == want.dtype
    # (both direct at these sizes: the same sums in the same order)
    np.testing.assert_array_equal(got, want)


@pytest.mark.parametrize("scheduler", ["synchronous", "threads"])
@pytest.mark.parametrize("boundary", ["zero", "reflect", "wrap"])
@pytest.mark.parametrize("mode", ["same", "full", "valid"])
def test_fft_blocks_equal_fftconv_to_rounding(scheduler, boundary, mode):
    rng = np.random.default_rng(5)
    x, k = rng.standard_normal((300, 260)), rng.standard_normal((31, 40))
    result = fd.convolve(da.from_array(x, chunks=(100, 64)), k, mode, boundary=boundary)
    got = result.compute(scheduler=scheduler)
    want = fftconv.convolve(x, k, mode, boundary=boundary)
    assert fftconv.Filter(k, (130, 103), mode="valid").method != "direct"  # FFT blocks
    assert relative(got, want) <= tolerance(x.shape, k.shape, np.float64)


def test_same_keeps_the_chunks_and_merges_those_shorter_than_the_halo():
    x = da.zeros((300, 260), chunks=(100, 64))  # 260 = 4 x 64 + 4: the 4 cannot lend 39
    result = fd.convolve(x, np.ones((31, 40)))
    assert result.chunks == ((100, 100, 100), (64, 64, 64, 68))
    # full: the last chunk grows by k - 1 (4 + 39 = 43 can lend 39 now)
    full = fd.convolve(x, np.ones((31, 40)), "full")
    assert full.chunks == ((100, 100, 130), (64, 64, 64, 64, 43))


def test_complex_float32_and_stacks():
    rng = np.random.default_rng(7)
    x = (rng.standard_normal((120, 90)) + 1j * rng.standard_normal((120, 90))).astype(np.complex64)
    k = (rng.standard_normal((7, 5)) + 1j * rng.standard_normal((7, 5))).astype(np.complex64)
    got = fd.correlate(da.from_array(x, chunks=40), k).compute()
    want = fftconv.correlate(x, k, "same")
    assert got.dtype == np.complex64
    assert relative(got, want) <= tolerance(x.shape, k.shape, np.float32)
    stack, kernel = rng.standard_normal((6, 80, 70)), rng.standard_normal((9, 9))
    got = fd.convolve(da.from_array(stack, chunks=(2, 30, 70)), kernel, axes=(1, 2),
                      boundary="mirror").compute()
    np.testing.assert_array_equal(
        got, fftconv.convolve(stack, kernel, "same", axes=(1, 2), boundary="mirror"))


def test_integers_compute_in_float64_and_numpy_input_is_one_chunk():
    x = np.arange(60, dtype=np.int16).reshape(6, 10)
    got = fd.convolve(x, np.ones((3, 3), np.int16), boundary="nearest")
    assert got.dtype == np.float64 and got.numblocks == (1, 1)
    np.testing.assert_array_equal(
        got.compute(), fftconv.convolve(x.astype(float), np.ones((3, 3)), "same",
                                        boundary="nearest"))


def test_the_kernel_is_prepared_once_per_block_shape(monkeypatch):
    made = []

    class CountingFilter(fftconv.Filter):
        def __init__(self, kernel, shape, *args, **kwargs):
            made.append(tuple(shape))
            super().__init__(kernel, shape, *args, **kwargs)

    monkeypatch.setattr(fd, "Filter", CountingFilter)
    rng = np.random.default_rng(11)
    x = da.from_array(rng.standard_normal((64, 64)), chunks=16)
    result = fd.convolve(x, rng.standard_normal((5, 5)))
    result.compute(scheduler="threads")
    # 16 blocks, each 16 + 4 long per axis (the halo, or the last block's own tail): one
    # Filter, made when the graph was built and shared by the 16 blocks
    assert made == [(20, 20)]


def test_refusals_name_the_argument():
    x = da.zeros((20, 20), chunks=10)
    with pytest.raises(ValueError, match="mode"):
        fd.convolve(x, np.ones((3, 3)), "middle")
    with pytest.raises(ValueError, match="boundary"):
        fd.convolve(x, np.ones((3, 3)), boundary="periodic")
    with pytest.raises(ValueError, match="kernel"):
        fd.convolve(x, np.ones(3))
    with pytest.raises(ValueError, match="axis 1, which is not convolved"):
        fd.convolve(x, np.ones((3, 3)), axes=0)
    with pytest.raises(ValueError, match="valid"):
        fd.convolve(x, np.ones((30, 3)), "valid")
    with pytest.raises(ValueError, match="axes"):
        fd.convolve(x, np.ones((3, 3)), axes=(0, 2))
    with pytest.raises(fftconv.Error, match="fill_value"):
        fd.convolve(x, np.ones((3, 3)), boundary="constant", fill_value=np.nan)


def test_distributed_local_cluster_equals_fftconv():
    distributed = pytest.importorskip("distributed")
    rng = np.random.default_rng(13)
    x, k = rng.standard_normal((200, 180)), rng.standard_normal((21, 21))
    with distributed.LocalCluster(n_workers=2, threads_per_worker=1, processes=True,
                                  dashboard_address=None, host="127.0.0.1") as cluster, \
            distributed.Client(cluster) as client:
        got = client.compute(
            fd.convolve(da.from_array(x, chunks=(64, 64)), k, boundary="reflect")).result()
    want = fftconv.convolve(x, k, "same", boundary="reflect")
    assert relative(got, want) <= tolerance(x.shape, k.shape, np.float64)


@pytest.mark.parametrize("nan_policy", ["interpolate", "fill", "propagate"])
@pytest.mark.parametrize("boundary", BOUNDARIES)
@pytest.mark.parametrize("mode", ["same", "full", "valid"])
def test_convolve_masked_equals_fftconv(nan_policy, boundary, mode):
    rng = np.random.default_rng(17)
    x = rng.standard_normal((40, 35))
    x[3, 4] = x[20, 34] = np.nan
    mask = np.zeros(x.shape, bool)
    mask[10, 0] = mask[0, 16] = mask[39, 20] = True
    k = rng.random((5, 4))
    for preserve_nan in (False, True):
        got = fd.convolve_masked(da.from_array(x, chunks=(12, 10)), k, mask, mode,
                                 nan_policy=nan_policy, boundary=boundary, fill_value=2.5,
                                 preserve_nan=preserve_nan).compute()
        want = fftconv.convolve_masked(x, k, mask, mode=mode, nan_policy=nan_policy,
                                       boundary=boundary, fill_value=2.5,
                                       preserve_nan=preserve_nan)
        np.testing.assert_array_equal(got, want)  # (NaN where fftconv has NaN)


def test_convolve_masked_refusals():
    x = da.zeros((20, 20), chunks=10)
    with pytest.raises(ValueError, match="mask"):
        fd.convolve_masked(x, np.ones((3, 3)), np.zeros((20, 19), bool))
    with pytest.raises(ValueError, match="NanPolicy name \"drop\""):
        fd.convolve_masked(x, np.ones((3, 3)), nan_policy="drop")


@pytest.mark.parametrize("edges", ["zero", "periodic"])
@pytest.mark.parametrize("kshape", [(7, 7), (6, 8), (5, 4)])
def test_richardson_lucy_equals_fftconv_restoration(edges, kshape):
    from fftconv import restoration

    rng = np.random.default_rng(19)
    truth = np.zeros((90, 70))
    truth[rng.integers(0, 90, 40), rng.integers(0, 70, 40)] = rng.exponential(50, 40)
    psf = np.outer(np.hanning(kshape[0] + 2)[1:-1], np.hanning(kshape[1] + 2)[1:-1])
    psf /= psf.sum()
    image = rng.poisson(fftconv.convolve(truth, psf, "same", boundary="wrap") + 1.0) / 60.0
    for filter_epsilon, clip in ((None, False), (1e-3, True)):
        got = fd.richardson_lucy(da.from_array(image, chunks=(32, 25)), psf, num_iter=15,
                                 clip=clip, filter_epsilon=filter_epsilon, edges=edges)
        want = restoration.richardson_lucy(image, psf, num_iter=15, clip=clip,
                                           filter_epsilon=filter_epsilon, edges=edges)
        # two convolutions an iteration, each rounding differently on blocks than on the whole
        # array, and the iterations carry the differences on (the benchmarks' formula)
        tol = 4 * 15 * tolerance(image.shape, psf.shape, np.float64)
        assert relative(got.compute(), want) <= tol


def test_richardson_lucy_float32_and_refusals():
    from fftconv import restoration

    rng = np.random.default_rng(23)
    image = rng.random((40, 40)).astype(np.float32)
    psf = np.ones((3, 3), np.float32) / 9
    got = fd.richardson_lucy(da.from_array(image, chunks=16), psf, num_iter=5).compute()
    want = restoration.richardson_lucy(image, psf, num_iter=5)
    assert got.dtype == np.float32
    assert relative(got, want) <= 4 * 5 * tolerance(image.shape, psf.shape, np.float32)
    with pytest.raises(ValueError, match="edges"):
        fd.richardson_lucy(image, psf, edges="extended")
    with pytest.raises(ValueError, match="iterations is -1"):  # (the library's words)
        fd.richardson_lucy(image, psf, num_iter=-1)
    with pytest.raises(ValueError, match="psf"):
        fd.richardson_lucy(image, -psf)


def test_review_cases():
    """Cases a review found: a lower-rank kernel lines up with the last axes; convolve_masked's
    dtype from image and kernel; preserve_nan leaves 'propagate' alone; empty chunks; a
    periodic PSF longer than the image."""
    x = np.arange(24.).reshape(8, 3)
    got = fd.convolve(da.from_array(x, chunks=4), np.array([1., 2., 3.]), axes=1)
    assert got.shape == (8, 3)
    np.testing.assert_array_equal(got.compute(),
                                  fftconv.convolve(x, np.array([1., 2., 3.]), "same", axes=1))
    with pytest.raises(ValueError, match="not convolved"):  # (it would line up with axis 1)
        fd.convolve(da.from_array(x, chunks=4), np.array([1., 2., 3.]), axes=0)
    x32 = np.random.default_rng(3).random((8, 8)).astype(np.float32)
    masked = fd.convolve_masked(da.from_array(x32, chunks=4), np.ones((3, 3)))
    assert masked.dtype == masked.compute().dtype == np.float64
    np.testing.assert_array_equal(masked.compute(), fftconv.convolve_masked(x32, np.ones((3, 3))))
    inf = np.zeros(7)
    inf[3] = np.inf
    got = fd.convolve_masked(da.from_array(inf, chunks=3), np.ones(3), nan_policy="propagate",
                             preserve_nan=True).compute()
    np.testing.assert_array_equal(got, fftconv.convolve_masked(inf, np.ones(3),
                                                               nan_policy="propagate",
                                                               preserve_nan=True))
    np.testing.assert_array_equal(
        fd.convolve(da.from_array(np.arange(10.), chunks=((6, 0, 4),)), np.ones(1)).compute(),
        np.arange(10.))
    with pytest.raises(ValueError, match="psf"):
        fd.richardson_lucy(np.ones(10), np.ones(13) / 13, edges="periodic")
    with pytest.raises(ValueError, match="kernel"):  # (with a lower rank and every axis too)
        fd.convolve(da.zeros((6, 6), chunks=3), np.ones(3))
