#!/usr/bin/python3
"""fftconv.dask against fftconv on the whole array and dask-image-style direct convolution.

Issue 22, section 3: a 16384 x 16384 float32 dask array in 2048 x 2048 chunks convolved with a
129 x 129 kernel (mode 'same', zero boundary) on dask's threaded scheduler, against
`fftconv.convolve` on the computed array (1 thread and all threads), and against what dask-image
does (`map_overlap` with `scipy.ndimage.convolve`, a direct sum). The direct sum is far too slow
to run whole here (129^2 multiply-adds per pixel: hours on 2 cores), so it is timed on one
block with its halo and multiplied by the number of blocks, and labelled as such.

    PYTHONPATH=build/python /usr/bin/python3 bench/dask/run.py [--size N] [--chunk C]
        [--kernel K] [--repeats R] [--workers W]

Prints a markdown table with the command, the load average before and after, medians (and
best) over the repeats, and the agreement with the whole-array result (relative max difference
against its tolerance 4 x eps x log2(prod(n + k - 1))). Needs python3-dask; scipy for the
direct row.
"""

import argparse
import math
import os
import statistics
import sys
import time

import numpy as np


def parse_args(argv):
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--size", type=int, default=16384)
    p.add_argument("--chunk", type=int, default=2048)
    p.add_argument("--kernel", type=int, default=129)
    p.add_argument("--repeats", type=int, default=3)
    p.add_argument("--workers", type=int, default=os.cpu_count())
    return p.parse_args(argv)


def timed(f, repeats):
    times = []
    for _ in range(repeats):
        start = time.perf_counter()
        f()  # (the result is dropped before the next call: one image-sized result at a time)
        times.append(time.perf_counter() - start)
    return times


def main(argv):
    import dask
    import dask.array as da

    import fftconv
    import fftconv.dask as fd

    args = parse_args(argv)
    n, c, k = args.size, args.chunk, args.kernel
    command = "PYTHONPATH=build/python /usr/bin/python3 bench/dask/run.py " + " ".join(argv)
    print(f"## fftconv.dask, {n} x {n} float32 in {c} x {c} chunks, {k} x {k} round kernel\n")
    print(f"Command: `{command.strip()}`  ")
    print(f"Load average before: {' '.join(f'{v:.2f}' for v in os.getloadavg())}  ")
    rng = np.random.default_rng(1)
    image = rng.random((n, n), dtype=np.float32)
    # a round, not separable kernel (a separable one would take fftconv's separable path)
    r = np.hypot(*np.meshgrid(np.arange(k) - k // 2, np.arange(k) - k // 2)) / (k / 2)
    kernel = np.maximum(1 - r * r, 0).astype(np.float32)
    kernel /= kernel.sum()
    x = da.from_array(image, chunks=c)

    whole = fftconv.convolve(image, kernel, "same")
    got = fd.convolve(x, kernel).compute(scheduler="threads", num_workers=args.workers)
    eps = float(np.finfo(np.float32).eps)
    tol = 4 * eps * math.log2((n + k - 1) ** 2)
    rel = float(np.max(np.abs(got - whole)) / np.max(np.abs(whole)))
    del got
    if rel > tol:
        print(f"disagreement: {rel:.2e} > {tol:.2e}", file=sys.stderr)
        return 2

    rows = []
    with dask.config.set(scheduler="threads", num_workers=args.workers):
        t = timed(lambda: fd.convolve(x, kernel).compute(), args.repeats)
    rows.append((f"fftconv.dask.convolve, threaded scheduler, {args.workers} workers", t))
    t = timed(lambda: fftconv.convolve(image, kernel, "same"), args.repeats)
    rows.append(("fftconv.convolve on the whole array, 1 thread", t))
    t = timed(lambda: fftconv.convolve(image, kernel, "same", threads=0), args.repeats)
    rows.append((f"fftconv.convolve on the whole array, threads=0 ({os.cpu_count()})", t))
    blocks = (n // c) ** 2
    try:
        import scipy.ndimage as ndi

        halo = k // 2
        block = image[:c + 2 * halo, :c + 2 * halo]
        t = timed(lambda: ndi.convolve(block, kernel, mode="constant"), 1)
        rows.append((f"dask-image style (map_overlap + scipy.ndimage.convolve): one "
                     f"{c + 2 * halo}^2 block x {blocks} blocks / {args.workers} workers "
                     f"(extrapolated)", [v * blocks / args.workers for v in t]))
    except ImportError:
        pass

    base = statistics.median(rows[0][1])
    print(f"Agreement with the whole-array call: relative max difference {rel:.1e} <= "
          f"{tol:.1e} (4 x eps x log2(prod(n + k - 1))).\n")
    print("| contender | median, s | best, s | / fftconv.dask |")
    print("|---|---|---|---|")
    for name, t in rows:
        m = statistics.median(t)
        print(f"| {name} | {m:.2f} | {min(t):.2f} | {m / base:.2f} |")
    print(f"\nLoad average after: {' '.join(f'{v:.2f}' for v in os.getloadavg())}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
