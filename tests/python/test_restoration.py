"""fftconv.restoration against scikit-image 0.19 (Debian's python3-skimage): richardson_lucy and
wiener with the same arguments give the same results within 1e-10 (relative to the largest
value), on float64 2-D and 3-D data, odd and even PSFs; dtype rules; fftconv's extras; errors."""

import numpy as np
import pytest
import scipy.signal

import fftconv
import fftconv.restoration as fr

skimage_restoration = pytest.importorskip("skimage.restoration")

REL = 1e-10  # the criterion


def close(a, b):
    assert a.shape == b.shape
    assert np.abs(a - b).max() <= REL * np.abs(b).max()


def gaussian_psf(shape, sigma):
    grids = np.meshgrid(*[np.arange(n) - (n - 1) / 2 for n in shape], indexing="ij")
    p = np.exp(-sum(g * g for g in grids) / (2 * sigma * sigma))
    return p / p.sum()


def blurred_scene(rng, shape, psf):
    """Positive data in the range of the blur (a smooth scene blurred, plus a background): the
    iterations then converge, so rounding is not amplified (scikit-image's even-PSF
    back-projection diverges on data outside that range)."""
    truth = rng.random(shape) ** 4 * 5 + 0.1
    return scipy.signal.convolve(truth, psf, mode="same") + 0.2


PSFS_2D = [gaussian_psf((5, 5), 1.2), gaussian_psf((4, 6), 1.0), gaussian_psf((7, 3), 1.5),
           gaussian_psf((2, 2), 1.0)]


@pytest.mark.parametrize("psf", PSFS_2D, ids=lambda p: "x".join(map(str, p.shape)))
def test_richardson_lucy_2d(rng, psf):
    image = blurred_scene(rng, (40, 37), psf)
    got = fr.richardson_lucy(image, psf, num_iter=30, clip=False)
    want = skimage_restoration.richardson_lucy(image, psf, num_iter=30, clip=False)
    close(got, want)


@pytest.mark.parametrize("shape", [(5, 5, 5), (4, 4, 4), (3, 5, 4)])
def test_richardson_lucy_3d(rng, shape):
    psf = gaussian_psf(shape, 1.0)
    image = blurred_scene(rng, (16, 18, 15), psf)
    got = fr.richardson_lucy(image, psf, num_iter=30, clip=False)
    want = skimage_restoration.richardson_lucy(image, psf, num_iter=30, clip=False)
    close(got, want)


@pytest.mark.parametrize("filter_epsilon", [0.05, 0.5, 1.0])
def test_richardson_lucy_filter_epsilon(rng, filter_epsilon):
    psf = PSFS_2D[0]
    image = blurred_scene(rng, (30, 30), psf)
    image[10:14, 5:9] = 0  # dark patches, where the blur falls below epsilon
    got = fr.richardson_lucy(image, psf, num_iter=30, clip=False, filter_epsilon=filter_epsilon)
    want = skimage_restoration.richardson_lucy(image, psf, num_iter=30, clip=False,
                                               filter_epsilon=filter_epsilon)
    close(got, want)


def test_richardson_lucy_defaults_clip_and_dtypes(rng):
    psf = PSFS_2D[0]
    image = blurred_scene(rng, (24, 20), psf) / 8
    for dtype, result in [(np.float64, np.float64), (np.float32, np.float32),
                          (np.float16, np.float32), (np.uint8, np.float64),
                          (np.int32, np.float64)]:
        data = (image * 40).astype(dtype) if np.dtype(dtype).kind in "iu" else image.astype(dtype)
        got = fr.richardson_lucy(data, psf, 5)
        want = skimage_restoration.richardson_lucy(data, psf, 5)
        assert got.dtype == want.dtype == result
        tol = 1e-10 if result == np.float64 else 1e-5  # float32: skimage's float32 arithmetic
        assert np.abs(got - want).max() <= tol * np.abs(want).max()
    assert fr.richardson_lucy(image * 10, psf, 5).max() == 1.0  # clip=True: at most 1


def test_wiener_2d(rng):
    image = rng.random((32, 29))
    odd = rng.random((5, 5))
    even = rng.random((4, 6))
    for psf in (odd, even, PSFS_2D[0]):
        close(fr.wiener(image, psf, 0.1, clip=False),
              skimage_restoration.wiener(image, psf, 0.1, clip=False))
    for reg in (np.ones((1, 1)), np.array([[0, -1, 0], [-1, 4, -1], [0, -1, 0]]),
                rng.random((3, 2)), rng.random((4, 4))):
        close(fr.wiener(image, odd, 0.1, reg=reg, clip=False),
              skimage_restoration.wiener(image, odd, 0.1, reg=reg, clip=False))
    negative = odd - 0.3  # a PSF with negative values is accepted
    close(fr.wiener(image, negative, 0.1, clip=False),
          skimage_restoration.wiener(image, negative, 0.1, clip=False))
    close(fr.wiener(image, odd, 0.1), skimage_restoration.wiener(image, odd, 0.1))  # clip=True
    got = fr.wiener(image, odd, 0.1, is_real=False, clip=False)
    want = skimage_restoration.wiener(image, odd, 0.1, is_real=False, clip=False)
    assert got.dtype == want.dtype
    close(got, want)
    got32 = fr.wiener(image.astype(np.float32), odd, 0.1, clip=False)
    assert got32.dtype == np.float32
    assert np.abs(got32 - fr.wiener(image, odd, 0.1, clip=False)).max() <= 1e-5


def test_wiener_3d_is_the_all_axes_wiener(rng):
    """scikit-image 0.19 raises for 3-D data (is_real=True); fftconv's result is the N-D Wiener
    over every axis (scikit-image >= 0.20), checked against numpy's FFT."""
    image = rng.random((6, 7, 8))
    psf = rng.random((3, 2, 3))
    with pytest.raises(ValueError):
        skimage_restoration.wiener(image, psf, 0.1)
    got = fr.wiener(image, psf, 0.05, clip=False)
    padded = np.zeros(image.shape)
    padded[tuple(slice(0, k) for k in psf.shape)] = psf
    padded = np.roll(padded, [-(k // 2) for k in psf.shape], axis=(0, 1, 2))
    h = np.fft.fftn(padded)
    lap = sum(2 - 2 * np.cos(2 * np.pi * f) for f in
              np.meshgrid(*[np.fft.fftfreq(n) for n in image.shape], indexing="ij"))
    want = np.fft.ifftn(np.conj(h) * np.fft.fftn(image) / (np.abs(h) ** 2 + 0.05 * lap ** 2)).real
    close(got, want)


def test_extras_and_errors(rng):
    psf = PSFS_2D[0]
    image = blurred_scene(rng, (32, 32), psf)
    # Biggs-Andrews: the flux is kept (periodic), the result close to many more plain iterations
    fast = fr.richardson_lucy(image, psf, 20, clip=False, acceleration="biggs-andrews",
                              edges="periodic")
    assert abs(fast.sum() - image.sum()) <= 1e-9 * image.sum()
    # masked pixels are not read
    mask = np.zeros(image.shape, bool)
    mask[5, 7] = True
    bad = image.copy()
    bad[5, 7] = np.nan
    np.testing.assert_array_equal(fr.richardson_lucy(bad, psf, 5, mask=mask),
                                  fr.richardson_lucy(image, psf, 5, mask=mask))
    # progress: called per iteration, False stops
    seen = []
    stopped = fr.richardson_lucy(image, psf, 10, clip=False,
                                 progress=lambda k, change: seen.append((k, change)) or k < 3)
    assert [k for k, _ in seen] == [1, 2, 3]
    np.testing.assert_array_equal(stopped, fr.richardson_lucy(image, psf, 3, clip=False))
    tv = fr.richardson_lucy(image, psf, 10, clip=False, tv=0.01)
    assert tv.shape == image.shape and np.all(np.isfinite(tv))
    with pytest.raises(fftconv.Error, match="negative"):
        fr.richardson_lucy(image - 1, psf, 3)
    with pytest.raises(fftconv.Error, match="psf"):
        fr.richardson_lucy(image, -psf, 3)
    with pytest.raises(fftconv.Error, match="iterations"):
        fr.richardson_lucy(image, psf, -1)
    with pytest.raises(fftconv.Error, match="periodic"):
        fr.richardson_lucy(image[:4, :4], psf, 3, edges="periodic")
    with pytest.raises(ValueError, match="edges"):
        fr.richardson_lucy(image, psf, 3, edges="mirror")
    with pytest.raises(ValueError, match="complex"):
        fr.richardson_lucy(image.astype(complex), psf, 3)
    with pytest.raises(ValueError, match="transfer function"):
        fr.wiener(image, psf, 0.1, reg=np.ones((32, 17), complex))
    lw = fr.landweber(image, psf, 20)
    assert lw.min() >= 0 and lw.shape == image.shape
