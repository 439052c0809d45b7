"""fftconv.filters: butterworth against scikit-image 0.19 (within 1e-10, low and high pass,
orders 1 to 8, 1-D to 3-D, channel_axis, dtypes, complex data), frequency_filter against numpy's
FFT on the same grid, the other built-ins' properties, errors."""

import numpy as np
import pytest

import fftconv
import fftconv.filters as ff

skimage_filters = pytest.importorskip("skimage.filters")


def close(a, b, rel=1e-10):
    assert a.shape == b.shape and a.dtype == b.dtype
    assert np.abs(a - b).max() <= rel * np.abs(b).max()


@pytest.mark.parametrize("high_pass", [True, False])
@pytest.mark.parametrize("order", [1, 2, 3, 4, 5, 6, 7, 8])
def test_butterworth_2d(rng, high_pass, order):
    x = rng.random((33, 40))
    close(ff.butterworth(x, 0.1, high_pass, order),
          skimage_filters.butterworth(x, 0.1, high_pass, order))


@pytest.mark.parametrize("shape", [(64,), (9, 16, 7)])
def test_butterworth_1d_3d_and_defaults(rng, shape):
    x = rng.random(shape)
    close(ff.butterworth(x), skimage_filters.butterworth(x))
    close(ff.butterworth(x, 0.2, False, 2.5), skimage_filters.butterworth(x, 0.2, False, 2.5))


def test_butterworth_channels_dtypes_complex(rng):
    x = rng.random((20, 24, 3))
    for axis in (-1, 2):
        close(ff.butterworth(x, 0.15, channel_axis=axis),
              skimage_filters.butterworth(x, 0.15, channel_axis=axis))
    y = np.moveaxis(x, -1, 0)
    close(ff.butterworth(y, 0.15, channel_axis=0),
          skimage_filters.butterworth(y, 0.15, channel_axis=0))
    for dtype, rel in [(np.float32, 1e-5), (np.float16, 1e-3), (np.uint8, 1e-10),
                       (np.int16, 1e-10)]:
        data = (x[..., 0] * 100).astype(dtype)
        close(ff.butterworth(data, 0.1, False), skimage_filters.butterworth(data, 0.1, False),
              rel)
    z = x[..., 0] + 1j * x[..., 1]
    close(ff.butterworth(z, 0.1), skimage_filters.butterworth(z, 0.1))


def test_frequency_filter_against_numpy(rng):
    x = rng.random((18, 25))

    def h(fy, fx):  # not Hermitian: the real part of numpy's full-spectrum filtering
        return np.exp(-(fy ** 2 + fx ** 2) / 0.02) * np.exp(2j * np.pi * (0.3 * fy - 1.7 * fx))

    grid = np.meshgrid(np.fft.fftfreq(18), np.fft.fftfreq(25), indexing="ij")
    want = np.fft.ifftn(h(*grid) * np.fft.fftn(x)).real
    close(ff.frequency_filter(x, h), want)
    close(ff.frequency_filter(x, h(*grid)), want)  # the full spectrum as an array
    half = np.exp(-(grid[0][:, :13] ** 2 + grid[1][:, :13] ** 2) / 0.02)
    close(ff.frequency_filter(x, half), np.fft.irfftn(half * np.fft.rfftn(x), x.shape))
    # padded by reflection: the grid is the extended image, the result its window
    shape = ff.frequency_grid_shape(x.shape, boundary="reflect", padding=5)
    assert all(L >= n + 10 for L, n in zip(shape, x.shape))
    padded = ff.frequency_filter(x, lambda fy, fx: np.exp(-(fy ** 2 + fx ** 2) / 0.02),
                                 boundary="reflect", padding=5)
    assert padded.shape == x.shape


def test_shift_band_gaussian(rng):
    x = rng.random((15, 21))
    np.testing.assert_allclose(ff.fourier_shift(x, [2, -3]), np.roll(x, (2, -3), (0, 1)),
                               atol=1e-13)
    np.testing.assert_allclose(ff.fourier_shift(ff.fourier_shift(x, [0.4, 1.3]), [-0.4, -1.3]),
                               x, atol=1e-13)
    close(ff.band_pass(x, 0.05, 0.2, 3),
          ff.butterworth(x, 0.2, False, 3) - ff.butterworth(x, 0.05, False, 3), 1e-12)
    g = ff.gaussian_lowpass(x, 0.1)
    assert abs(g.mean() - x.mean()) <= 1e-12  # H(0) = 1


def test_errors(rng):
    x = rng.random((8, 8))
    with pytest.raises(fftconv.Error, match="cutoff"):
        ff.butterworth(x, -0.1)
    with pytest.raises(fftconv.Error, match="order"):
        ff.butterworth(x, 0.1, order=-1)
    with pytest.raises(ValueError, match="boundary"):
        ff.butterworth(x, 0.1, boundary="bogus")
    with pytest.raises(fftconv.Error, match="transfer"):
        ff.frequency_filter(x, np.ones((3, 3)))
    with pytest.raises(fftconv.Error, match="shift"):
        ff.fourier_shift(x, [1.0])
