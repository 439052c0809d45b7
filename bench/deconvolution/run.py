#!/usr/bin/python3
"""Deconvolution against scikit-image (issue 21, section 4): fftconv.restoration's drop-ins and
skimage.restoration's functions on the same data, the ratios measured in this run with the
contenders interleaved.

    PYTHONPATH=build/python /usr/bin/python3 bench/deconvolution/run.py [--only T1,T2]
        [--repeats N] [--json FILE]

Targets (--only names; 1 thread: fftconv's default threads=1, scipy.fft's one worker,
OMP_NUM_THREADS etc. = 1):
  rl2d    richardson_lucy, 2048 x 2048 float32, 63 x 63 Gaussian PSF, num_iter=30, clip=False:
          fftconv >= 5x faster than skimage.restoration.richardson_lucy
  rl3d    richardson_lucy, 64 x 256 x 256 float32, 31^3 Gaussian PSF, num_iter=20, clip=False:
          >= 5x
  wiener  wiener, 4096 x 4096 float64, 63 x 63 Gaussian PSF, balance=0.1, clip=False (the
          default Laplacian regularizer, periodic edges; skimage's wiener is 2-D only): >= 3x

Inputs: a flat background with a star on one pixel in 500 (exponential fluxes), blurred by the
PSF (a Gaussian of sigma = k / 6 per axis, normalized), Poisson noise, scaled to a maximum of 1;
the PSF in the image's dtype. Agreement first: each pair's results must agree in relative max
difference, max|a - b| / max|b|, within
    RL:     4 x num_iter x eps x log2(prod(n + k - 1))
            (per iteration two FFT convolutions, each with the FFT bound eps x log2(P) relative to
            the result's scale, on each of the two sides; errors adding up over the iterations:
            the multiplicative update does not amplify them near its fixed point)
    Wiener: 4 x eps x log2(prod(n))  (one forward and one inverse transform on each side)
with eps the dtype's (float32: 1.19e-7, float64: 2.2e-16); a pair that does not agree is
reported and not timed (one iteration fewer already differs by ~1e-2 on these inputs).
Timing: one warm-up each (the agreement call), then --repeats rounds (default 3: skimage's
2-D RL takes ~9 s) in which each contender is called once, the first rotating; medians. Exit
status 1 if a target is missed, 2 on a disagreement or usage error.
"""

import argparse
import datetime
import json
import math
import os
import platform
import shlex
import sys

for _variable in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ[_variable] = "1"

import numpy as np  # noqa: E402

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "python"))
import harness as h  # noqa: E402  (bench/python/harness.py: interleaving, tables)

TARGETS = ("rl2d", "rl3d", "wiener")
# target: (shape, PSF length, num_iter, dtype, needed ratio)
WORKLOADS = {
    "rl2d": ((2048, 2048), 63, 30, np.float32, 5.0),
    "rl3d": ((64, 256, 256), 31, 20, np.float32, 5.0),
    "wiener": ((4096, 4096), 63, None, np.float64, 3.0),
}
BALANCE = 0.1


def parse_args(argv):
    p = argparse.ArgumentParser(description=__doc__.split("\n")[0],
                                formatter_class=argparse.RawDescriptionHelpFormatter,
                                epilog=__doc__.split("\n", 2)[2])
    p.add_argument("--only", default=",".join(TARGETS),
                   help="targets to run, comma-separated (default: all): " + ", ".join(TARGETS))
    p.add_argument("--repeats", type=int, default=3,
                   help="timed rounds per target after the warm-up (default 3)")
    p.add_argument("--json", default=None, help="also write one JSON line per contender to FILE")
    args = p.parse_args(argv)
    args.only = [t.strip() for t in args.only.split(",") if t.strip()]
    for t in args.only:
        if t not in TARGETS:
            p.error(f"--only: unknown target {t!r} (choose from {', '.join(TARGETS)})")
    if args.repeats < 1:
        p.error("--repeats: must be >= 1")
    return args


def gaussian_psf(k, ndim, dtype):
    x = np.arange(k) - (k - 1) / 2
    g = np.exp(-0.5 * (x / (k / 6)) ** 2)
    psf = g
    for _ in range(ndim - 1):
        psf = np.multiply.outer(psf, g)
    return (psf / psf.sum()).astype(dtype)


def star_field(shape, psf, dtype, seed):
    """Background 10 plus a star (exponential flux, mean 2000) on one pixel in 500, blurred by
    `psf` ('same', float64), Poisson noise, scaled to max 1 (bench_deconvolution.cpp's kind)."""
    import scipy.signal
    rng = np.random.default_rng(seed)
    truth = np.full(shape, 10.0)
    n = math.prod(shape) // 500
    where = tuple(rng.integers(0, s, n) for s in shape)
    np.add.at(truth, where, rng.exponential(2000.0, n))
    blurred = scipy.signal.fftconvolve(truth, psf.astype(np.float64), mode="same")
    noisy = rng.poisson(np.maximum(blurred, 0.0)).astype(np.float64)
    return (noisy / noisy.max()).astype(dtype)


def relative_check(name, ours, theirs, tol):
    """max|ours - theirs| / max|theirs| within tol, same shape and dtype, all finite; else
    h.Disagreement."""
    if ours.shape != theirs.shape or ours.dtype != theirs.dtype:
        raise h.Disagreement(f"{name}: fftconv gives {ours.dtype} {ours.shape}, skimage "
                             f"{theirs.dtype} {theirs.shape}")
    a, b = ours.astype(np.float64), theirs.astype(np.float64)
    if not (np.isfinite(a).all() and np.isfinite(b).all()):
        raise h.Disagreement(f"{name}: non-finite values")
    rel = float(np.max(np.abs(a - b))) / max(float(np.max(np.abs(b))), 1e-300)
    if not rel <= tol:
        raise h.Disagreement(f"{name}: relative max difference {rel:.3g} > tolerance {tol:.3g}: "
                             "the two sides do not compute the same thing; not timed")
    return rel


class Run:
    def __init__(self, args):
        self.args = args
        self.records = []
        self.verdicts = []  # (target, ratio, needed, met)
        self.notes = []


def bench_target(run, target):
    import skimage.restoration as sk

    import fftconv.restoration as fr
    from fftconv import _fftconv
    from fftconv._arrays import options

    shape, k, num_iter, dtype, needed = WORKLOADS[target]
    ndim = len(shape)
    psf = gaussian_psf(k, ndim, dtype)
    image = star_field(shape, psf, dtype, seed=[21, ndim, k])
    eps = float(np.finfo(dtype).eps)
    if num_iter is not None:
        def ours():
            return fr.richardson_lucy(image, psf, num_iter=num_iter, clip=False)

        def theirs():
            return sk.richardson_lucy(image, psf, num_iter=num_iter, clip=False)
        tol = 4 * num_iter * eps * math.log2(math.prod(n + k - 1 for n in shape))
        formula = f"4 x {num_iter} x eps x log2(prod(n + k - 1))"
        method = _fftconv.chosen_method(psf, image.shape, options(mode="same"))
        call = f"richardson_lucy(image, psf, num_iter={num_iter}, clip=False)"
    else:
        def ours():
            return fr.wiener(image, psf, BALANCE, clip=False)

        def theirs():
            return sk.wiener(image, psf, BALANCE, clip=False)
        tol = 4 * eps * math.log2(math.prod(shape))
        formula = "4 x eps x log2(prod(n))"
        method = "spectral"
        call = f"wiener(image, psf, {BALANCE}, clip=False)"
    print(f"  {target}: warm-up and agreement...", file=sys.stderr, flush=True)
    result_ours, warm_ours = h.warm(ours)
    result_theirs, warm_theirs = h.warm(theirs)
    rel = relative_check(target, result_ours, result_theirs, tol)
    del result_ours, result_theirs
    contenders = [h.Timed("skimage", h.python_sampler(theirs)),
                  h.Timed("fftconv", h.python_sampler(ours))]
    rounds = run.args.repeats
    print(f"  {target}: {rounds} rounds (~{rounds * (warm_ours + warm_theirs):.0f} s)...",
          file=sys.stderr, flush=True)
    h.interleave(contenders, rounds)
    theirs_t, ours_t = contenders[0].median, contenders[1].median
    ratio = theirs_t / ours_t
    met = ratio >= needed
    run.verdicts.append((target, ratio, needed, met))
    workload = (f"{'x'.join(map(str, shape))} {np.dtype(dtype).name}, "
                f"{'x'.join([str(k)] * ndim)} Gaussian PSF")
    per_iter = (f"{h.ms(ours_t / num_iter)} / {h.ms(theirs_t / num_iter)}"
                if num_iter else "-")
    h.table(f"{target}: `fftconv.restoration.{call}` against `skimage.restoration.{call}`, "
            f"1 thread (medians of {rounds} interleaved rounds, ms; ratio = skimage / fftconv)",
            ["workload", "fftconv (method)", "skimage", "per iteration, fftconv / skimage",
             "ratio", "target", "result", "agreement (relative max difference)"],
            [[workload, f"{h.ms(ours_t)} ({method})", h.ms(theirs_t), per_iter,
              f"{ratio:.2f}", f">= {needed:g}", h.verdict(met),
              f"{rel:.1e} <= {tol:.1e} ({formula})"]])
    for c in contenders:
        run.records.append(dict(
            target=target, workload=workload, contender=c.name, median_s=c.median,
            best_s=c.best, samples=len(c.times), times_s=c.times, num_iter=num_iter,
            method=method if c.name == "fftconv" else None, ratio=ratio, needed=needed,
            relative_difference=rel, tolerance=tol))
    print(f"  {target}: fftconv {h.ms(ours_t)} ms, skimage {h.ms(theirs_t)} ms, {ratio:.2f}x",
          file=sys.stderr, flush=True)


def main(argv):
    args = parse_args(argv)
    command = "PYTHONPATH=" + os.environ.get("PYTHONPATH", "") + " " + shlex.join(
        [sys.executable] + sys.argv)
    try:
        import fftconv
        import fftconv.restoration  # noqa: F401
    except ImportError as e:
        print(f"run.py: cannot import fftconv.restoration ({e}); run with "
              "PYTHONPATH=build/python", file=sys.stderr)
        return 2
    import scipy
    import skimage
    run = Run(args)
    print("## fftconv deconvolution against scikit-image (issue 21, section 4)\n")
    print(f"Command: `{command}`  ")
    print(f"Started {datetime.datetime.now(datetime.timezone.utc):%Y-%m-%d %H:%M UTC}, "
          f"{platform.node()}, {os.cpu_count()} CPUs, load average {h.load_average()}  ")
    print(f"Python {platform.python_version()}, numpy {np.__version__}, scipy {scipy.__version__}"
          f", scikit-image {skimage.__version__}, fftconv {fftconv.__version__} "
          f"({fftconv._fftconv.__file__}, {h.loaded_library(os.getpid())})")
    sys.stdout.flush()
    status = 0
    for target in args.only:
        load_before = h.load_average()
        try:
            bench_target(run, target)
        except h.Disagreement as e:
            print(f"\n**{target}: DISAGREEMENT** {e}")
            run.verdicts.append((target, float("nan"), WORKLOADS[target][4], False))
            status = 2
        print(f"\n(load average before {load_before}, after {h.load_average()})")
        sys.stdout.flush()
    missed = [t for t, _, _, met in run.verdicts if not met]
    print("\n### Summary\n")
    print("| target | skimage / fftconv | needed | result |\n|---|---|---|---|")
    for t, ratio, needed, met in run.verdicts:
        print(f"| {t} | {ratio:.2f} | >= {needed:g} | {h.verdict(met)} |")
    print(f"\nTargets checked: {len(run.verdicts)}, missed: {len(missed)}"
          + ("" if not missed else " (" + ", ".join(missed) + ")"))
    print(f"\nLoad average at the end: {h.load_average()}  \nCommand: `{command}`")
    if args.json:
        with open(args.json, "w") as f:
            for r in run.records:
                f.write(json.dumps(r) + "\n")
    if status:
        return status
    return 1 if missed else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
