#!/usr/bin/python3
"""scipy.signal.fftconvolve and cv2.filter2D on the benchmark grid, for bench/compare_peers.py.

    /usr/bin/python3 bench/peers.py [--threads 1] [--only 1024x1024:31,...] > peers.jsonl

Needs Debian's python3-scipy and python3-opencv (run with /usr/bin/python3: a python3 found
first on PATH, e.g. a pyenv build, does not see Debian's modules). One JSON line per workload,
peer and dtype on stdout (the fields bench_grid writes), progress on stderr.

bench_grid's workloads, 'same' mode, zero boundary, true convolution; image U[0,1) and kernel
N(0,1)/k from one seed per workload; one warm-up call, then clamp(budget / warm-up time, 5, 15)
timed calls in this process with the garbage collector off; best and median wall time (the
method of bench/timing.hpp, with at least 5 calls). filter2D correlates, so it gets the flipped kernel (OpenCV switches to
its DFT path when k*k >= 130 in float32, >= 50 in float64). Thread counts are fixed before numpy,
scipy and OpenCV are imported.
"""
import argparse
import json
import os
import sys
import time

GRID = ([(1024, k) for k in (3, 7, 15, 31, 63, 127, 255)] + [(2048, k) for k in (5, 31, 127, 511)]
        + [(4096, k) for k in (9, 129, 513)])


def parse_args():
    p = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    p.add_argument("--threads", type=int, default=1, help="threads for both peers (default 1)")
    p.add_argument("--peers", default="fftconvolve,filter2d")
    p.add_argument("--dtypes", default="float32,float64")
    p.add_argument("--only", default=None, help="workloads NxN:K, comma-separated (default: all)")
    p.add_argument("--budget", type=float, default=1.0, help="seconds of timed calls per cell")
    p.add_argument("--seed", type=int, default=20261121)
    return p.parse_args()


ARGS = parse_args()
for variable in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ[variable] = str(ARGS.threads)

import gc  # noqa: E402

import cv2  # noqa: E402
import numpy as np  # noqa: E402
import scipy.fft  # noqa: E402
import scipy.signal  # noqa: E402

cv2.setNumThreads(ARGS.threads)


def fftconvolve(image, kernel, flipped):
    with scipy.fft.set_workers(ARGS.threads):
        return scipy.signal.fftconvolve(image, kernel, mode="same")


def filter2d(image, kernel, flipped):
    return cv2.filter2D(image, -1, flipped, borderType=cv2.BORDER_CONSTANT)


PEERS = {"fftconvolve": fftconvolve, "filter2d": filter2d}


def workloads():
    if not ARGS.only:
        return [(n, n, k) for n, k in GRID]
    out = []
    for item in ARGS.only.split(","):
        shape, k = item.split(":")
        rows, cols = shape.lower().split("x")
        out.append((int(rows), int(cols), int(k)))
    return out


def time_calls(run, image, kernel, flipped):
    gc.collect()
    gc.disable()
    try:
        start = time.perf_counter()
        result = run(image, kernel, flipped)
        warm = time.perf_counter() - start
        times = []
        for _ in range(max(5, min(15, int(ARGS.budget / max(warm, 1e-9))))):
            start = time.perf_counter()
            run(image, kernel, flipped)
            times.append(time.perf_counter() - start)
    finally:
        gc.enable()
    return result, sorted(times)


def main():
    peers = ARGS.peers.split(",")
    for peer in peers:
        if peer not in PEERS:
            sys.exit(f"peers.py: unknown peer {peer!r} (choose from {', '.join(PEERS)})")
    for dtype in ARGS.dtypes.split(","):
        for rows, cols, k in workloads():
            rng = np.random.default_rng([ARGS.seed, rows, cols, k])
            image = rng.random((rows, cols)).astype(dtype)
            kernel = (rng.standard_normal((k, k)) / k).astype(dtype)
            flipped = np.ascontiguousarray(kernel[::-1, ::-1])
            reference = None
            for peer in peers:
                result, times = time_calls(PEERS[peer], image, kernel, flipped)
                # Each peer's result against the first one's (a wrong call shows here).
                reference = result if reference is None else reference
                agreement = float(np.max(np.abs(result - reference)) / np.max(np.abs(reference)))
                record = {"kind": "timing", "peer": peer, "dtype": dtype, "rows": rows,
                          "cols": cols, "k": k, "threads": ARGS.threads, "best_s": times[0],
                          "median_s": float(np.median(times)), "repeats": len(times),
                          f"check_rel_vs_{peers[0]}": agreement}
                print(json.dumps(record), flush=True)
                print(f"{peer:12s} {dtype} {rows}x{cols} k={k}: median "
                      f"{record['median_s'] * 1e3:.2f} ms (against {peers[0]}: {agreement:.1e})",
                      file=sys.stderr, flush=True)


if __name__ == "__main__":
    main()
