#!/usr/bin/env python3
"""fftconv's Python drop-ins beside the functions they replace: the same call, the same result
to rounding, and the time each takes. Run from a build tree:

    PYTHONPATH=build/python /usr/bin/python3 examples/python/dropin.py
"""

import time

import numpy as np

import fftconv
import fftconv.ndimage


def timed(function, *args, **kwargs):
    """(result, seconds): the best of three calls."""
    best = float("inf")
    for _ in range(3):
        start = time.perf_counter()
        result = function(*args, **kwargs)
        best = min(best, time.perf_counter() - start)
    return result, best


def show(name, ours, theirs):
    (a, ta), (b, tb) = ours, theirs
    error = np.max(np.abs(a - b)) / np.max(np.abs(b))
    print(f"{name:44s} fftconv {ta * 1e3:8.2f} ms   original {tb * 1e3:8.2f} ms   "
          f"x{tb / ta:5.1f}   max relative difference {error:.1e}")


def main():
    rng = np.random.default_rng(0)
    image = rng.standard_normal((1024, 1024))
    psf = fftconv.gaussian_kernel(6.0)  # 49 x 49, what ndimage.gaussian_filter(sigma=6) uses
    print(f"image {image.shape} float64, kernel {psf.shape}; fftconv {fftconv.__version__}")
    try:
        import scipy.ndimage
        import scipy.signal
    except ImportError:
        print("scipy is not installed (Debian: python3-scipy): fftconv only")
        out = fftconv.fftconvolve(image, psf, mode="same")
        print("fftconv.fftconvolve:", out.shape, out.dtype)
        return
    show("fftconvolve(image, psf, 'same')",
         timed(fftconv.fftconvolve, image, psf, mode="same"),
         timed(scipy.signal.fftconvolve, image, psf, mode="same"))
    show("convolve(image, psf, 'same')",
         timed(fftconv.convolve, image, psf, "same"),
         timed(scipy.signal.convolve, image, psf, "same"))
    small = rng.standard_normal((15, 15))
    show("ndimage.convolve(image, 15x15, mode='reflect')",
         timed(fftconv.ndimage.convolve, image, small),
         timed(scipy.ndimage.convolve, image, small))
    show("ndimage.gaussian_filter(image, 6)",
         timed(fftconv.ndimage.gaussian_filter, image, 6.0),
         timed(scipy.ndimage.gaussian_filter, image, 6.0))
    try:
        import astropy.convolution
    except ImportError:
        print("astropy is not installed (Debian: python3-astropy): its drop-ins skipped")
        return
    import fftconv.astropy as fftconv_astropy  # (its Kernel support needs astropy)
    holes = image.copy()
    holes[rng.uniform(size=image.shape) < 0.01] = np.nan
    show("astropy.convolve_fft(image with NaNs, psf)",
         timed(fftconv_astropy.convolve_fft, holes, psf),
         timed(astropy.convolution.convolve_fft, holes, psf))


if __name__ == "__main__":
    main()
