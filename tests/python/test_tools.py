"""Filter, convolve_masked, match_template, find_peaks, gaussian_kernel and the accuracy tools
(reference_convolve, reference_correlate, compare, error_bound), each against an independent
computation written here or in scipy."""

import numpy as np
import pytest
import scipy.ndimage
import scipy.signal
from conftest import eps, tolerance

import fftconv


def test_filter_properties_dtypes_and_out(rng):
    """Filter: method/shape/output_shape/dtype; apply equals convolve and correlate; images of
    another dtype are converted; out= is written in place; a wrong shape is refused."""
    kernel = rng.standard_normal((7, 5))
    f = fftconv.Filter(kernel, (40, 30))
    assert f.shape == (40, 30) and f.output_shape == (40, 30)
    assert f.dtype == np.float64 and f.method in ("direct", "fft", "separable", "overlap_save")
    image = rng.standard_normal((40, 30))
    np.testing.assert_allclose(f(image), scipy.signal.convolve(image, kernel, "same"),
                               atol=tolerance(image, kernel, np.float64))
    g = fftconv.Filter(kernel, (40, 30), correlate=True, mode="full", method="fft")
    assert g.output_shape == (46, 34) and g.method == "fft"
    np.testing.assert_allclose(g.apply(image.astype(np.float32)),
                               scipy.signal.correlate(image.astype(np.float32), kernel),
                               atol=tolerance(image, kernel, np.float32))
    out = np.empty((40, 30))
    assert f.apply(image, out=out) is out
    c = fftconv.Filter(kernel.astype(np.complex64), (40, 30))
    assert c.dtype == np.complex64
    with pytest.raises(fftconv.Error, match="shape"):
        f(np.ones((10, 10)))
    with pytest.raises(ValueError):
        f(image, out=np.empty((3, 3)))
    assert "Filter" in repr(f)


def test_convolve_masked_is_normalized_convolution(rng):
    """interpolate: conv(x*good, k) / conv(good, k) (computed here with scipy; outside the image
    the zero boundary's pixels are data, good with value 0); mask True marks a bad pixel; NaN
    pixels are bad too; the weight is conv(good, k) for a kernel of sum 1."""
    image = rng.uniform(0, 1, (30, 25))
    mask = rng.uniform(size=image.shape) < 0.1
    image[3, 4] = np.nan
    kernel = rng.uniform(0.5, 1, (5, 5))
    kernel /= kernel.sum()
    good = ~mask & np.isfinite(image)
    top = scipy.signal.convolve(np.where(good, image, 0), kernel, "same")
    bottom = scipy.signal.convolve(np.pad(good.astype(float), 2, constant_values=1), kernel,
                                   "valid")
    clean = np.where(good, image, 0)  # (the scale of the data for the tolerances)
    values, weight = fftconv.convolve_masked(image, kernel, mask, return_weight=True)
    # (the ratio: relative error of each part bounded by tolerance / bottom, bottom >= 0.1 here)
    keep = bottom > 0.1
    np.testing.assert_allclose(values[keep], (top / bottom)[keep], rtol=0,
                               atol=10 * tolerance(clean, kernel, np.float64) / 0.1)
    np.testing.assert_allclose(weight, bottom, atol=tolerance(clean, kernel, np.float64))
    filled = fftconv.convolve_masked(image, kernel, mask, nan_policy="fill", fill_value=0.0)
    np.testing.assert_allclose(filled, top, atol=tolerance(clean, kernel, np.float64))
    preserved = fftconv.convolve_masked(image, kernel, mask, preserve_nan=True)
    assert np.isnan(preserved[~good]).all() and not np.isnan(preserved[good]).any()
    with pytest.raises(TypeError):
        fftconv.convolve_masked(image.astype(complex), kernel)


def test_match_template_and_find_peaks(rng):
    """The score is the normalized cross-correlation (computed here directly): 1 where the
    template was planted; find_peaks finds it first."""
    image = rng.standard_normal((40, 50))
    template = image[10:17, 20:29].copy()
    score = fftconv.match_template(image, template)
    assert score.shape == (34, 42)
    t = template - template.mean()
    expected = np.empty(score.shape)
    for i in range(score.shape[0]):
        for j in range(score.shape[1]):
            w = image[i:i + 7, j:j + 9]
            w = w - w.mean()
            expected[i, j] = (w * t).sum() / np.sqrt((w * w).sum() * (t * t).sum())
    # (a ratio of sums of products of 63 unit-scale values: 64 roundings of each, relative)
    np.testing.assert_allclose(score, expected, atol=1e4 * eps(np.float64))
    peaks = fftconv.find_peaks(score, threshold=0.5, max_peaks=3)
    assert peaks[0].index == (10, 20) and abs(peaks[0].value - 1) < 1e-9
    assert len(peaks[0].position) == 2
    assert len(fftconv.find_peaks(score, min_distance=3)) >= len(peaks)
    masked = fftconv.match_template(image, template, mask=np.ones(template.shape, bool))
    np.testing.assert_allclose(masked, score, atol=1e4 * eps(np.float64))


def test_gaussian_kernel_is_ndimages():
    """gaussian_kernel(sigma) is what scipy.ndimage.gaussian_filter applies: the filter of a
    centred impulse, radius int(truncate * sigma + 0.5)."""
    for sigma, ndim in ((1.0, 2), (2.5, 1), ((1.0, 1.5, 0.75), 3)):
        k = fftconv.gaussian_kernel(sigma, ndim=ndim)
        impulse = np.zeros(k.shape)
        impulse[tuple(n // 2 for n in k.shape)] = 1
        expected = scipy.ndimage.gaussian_filter(impulse, sigma, mode="constant")
        np.testing.assert_allclose(k, expected, atol=10 * eps(np.float64))
        assert abs(k.sum() - 1) < 10 * eps(np.float64)
    assert fftconv.gaussian_kernel(1.0, truncate=2).shape == (5, 5)
    assert fftconv.gaussian_kernel(1.0, dtype=np.float32).dtype == np.float32
    with pytest.raises(ValueError):
        fftconv.gaussian_kernel(0.0)


def test_accuracy_tools(rng):
    """reference_convolve is the exact sum rounded once (compared with exact integer sums);
    compare measures the error; error_bound bounds the FFT's."""
    a = rng.integers(-1000, 1000, (40, 30)).astype(np.float64)
    k = rng.integers(-100, 100, (9, 7)).astype(np.float64)
    exact = scipy.signal.convolve(a.astype(np.int64), k.astype(np.int64), "same")
    ref = fftconv.reference_convolve(a, k)
    np.testing.assert_array_equal(ref, exact)
    np.testing.assert_array_equal(fftconv.reference_correlate(a, k, "full"),
                                  scipy.signal.correlate(a.astype(np.int64),
                                                         k.astype(np.int64)))
    x = rng.standard_normal((50, 40))
    g = rng.standard_normal((11, 11))
    fft = fftconv.convolve(x, g, "same", method="fft")
    stats = fftconv.compare(fft, fftconv.reference_convolve(x, g))
    assert stats.count == fft.size and stats.max_abs > 0
    assert stats.max_abs <= fftconv.error_bound(x, g, method="fft")
    probable = fftconv.error_bound(x, g, method="fft", guarantee="probabilistic")
    assert stats.max_abs <= probable <= fftconv.error_bound(x, g, method="fft")
    single = fftconv.compare(fft.astype(np.float32), fft, rel_tol=eps(np.float32))
    assert single.max_ulp <= 0.5 and single.count_over == 0  # (rounding: at most half an ulp)
    assert len(single.worst_position) == 2
    with pytest.raises(ValueError):
        fftconv.error_bound(x, g, guarantee="sometimes")
