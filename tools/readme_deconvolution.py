#!/usr/bin/python3
"""Makes the README's deconvolution picture, docs/deconvolution.png: a star field on a sky
background blurred by a Gaussian PSF with Poisson noise, its Richardson-Lucy deconvolution by
fftconv (Biggs-Andrews acceleration, extended edges) and the residual, data - PSF * estimate,
in units of the Poisson noise.

    PYTHONPATH=build/python /usr/bin/python3 tools/readme_deconvolution.py [OUT.png]

Needs numpy and matplotlib (apt-get install python3-matplotlib). The numbers it prints are
quoted in the README.
"""

import sys
import time

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402

import fftconv  # noqa: E402
import fftconv.restoration  # noqa: E402


def main():
    out = sys.argv[1] if len(sys.argv) > 1 else "docs/deconvolution.png"
    rng = np.random.default_rng(2026)
    n, margin, sky = 256, 24, 400.0
    big = n + 2 * margin
    truth = np.full((big, big), sky)
    stars = 220
    ys, xs = rng.integers(0, big, stars), rng.integers(0, big, stars)
    truth[ys, xs] += rng.pareto(1.5, stars) * 2e4 + 5e3  # many faint stars, a few bright ones
    size, sigma = 25, 3.0
    x = np.arange(size) - size // 2
    psf = np.exp(-(x[:, None] ** 2 + x[None, :] ** 2) / (2 * sigma ** 2))
    psf /= psf.sum()
    blurred = fftconv.convolve(truth, psf, mode="same")  # (the field beyond the image too)
    window = (slice(margin, margin + n),) * 2
    data = rng.poisson(np.maximum(blurred[window], 0)).astype(float)
    start = time.perf_counter()
    estimate = fftconv.restoration.richardson_lucy(data, psf, 40, clip=False,
                                                   acceleration="biggs-andrews",
                                                   edges="extended")
    seconds = time.perf_counter() - start
    # The residual inside the image's interior (the estimate beyond the image, which explains
    # the border, is not returned).
    h = size // 2
    model = fftconv.convolve(estimate, psf, mode="same")[h:-h, h:-h]
    residual = (data[h:-h, h:-h] - model) / np.sqrt(np.maximum(model, 1))
    print(f"{n}x{n} star field, {stars} stars, sky {sky:g}, Gaussian PSF sigma {sigma:g} "
          f"({size}x{size}); 40 Biggs-Andrews iterations, extended edges: {seconds * 1e3:.0f} ms; "
          f"residual RMS {np.sqrt(np.mean(residual ** 2)):.2f} sigma (interior)")

    fig, axes = plt.subplots(1, 3, figsize=(12, 4.3), constrained_layout=True)
    def stretch(a):  # asinh display stretch above the sky
        return np.arcsinh(np.maximum(a - sky * 0.8, 0) / (sky * 0.5))

    top = stretch(np.percentile(estimate, 99.8))
    for ax, image, title, args in [
            (axes[0], stretch(data), "blurred, Poisson noise", dict(cmap="gray", vmin=0, vmax=top)),
            (axes[1], stretch(estimate), "Richardson-Lucy (40 it., Biggs-Andrews)",
             dict(cmap="gray", vmin=0, vmax=top)),
            (axes[2], residual, "residual / noise (interior)",
             dict(cmap="RdBu_r", vmin=-4, vmax=4))]:
        shown = ax.imshow(image, interpolation="nearest", **args)
        ax.set_title(title)
        ax.set_xticks([])
        ax.set_yticks([])
        if title.startswith("residual"):
            fig.colorbar(shown, ax=ax, shrink=0.8)
    fig.savefig(out, dpi=80)
    print("wrote", out)


if __name__ == "__main__":
    main()
