#!/usr/bin/env python3
"""Issue 19's benchmarks in one run: bench_batches (fftconv) and scipy.signal.fftconvolve on the
same shapes and dtypes, then the ratios against the issue's targets.

    /usr/bin/python3 bench/batches.py build/bench/bench_batches [--budget SECONDS] [--json FILE]

Targets (1 thread unless stated; medians of repeated calls, both sides timed in this run):
  stack    1000 x 256 x 256 float32, 15 x 15 kernel, axes (1, 2): fftconv >= 2x faster than
           scipy.signal.fftconvolve(stack, kernel[None], axes=(1, 2)); 2 threads >= 1.7x over 1
  complex  complex128 1024 x 1024, 63 x 63 complex kernel: >= 1.5x faster than scipy; beside it
           the FFTW floors through complex transforms and through the parts' real transforms
  mixed    real image x complex kernel >= 1.3x faster than the image promoted to complex128
  volumes  (16, 64, 64, 64) float32, 9^3 kernel along the last three axes, and a 5x9x9x9 kernel
           along all four (fftconv's tap sum against scipy's 4-D FFT): reported beside scipy
`same` mode on both sides (scipy's `same` keeps the first input's shape, as fftconv's here).
"""
import json
import os
import statistics
import subprocess
import sys
import time

for var in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ[var] = "1"

import numpy as np  # noqa: E402
import scipy.signal  # noqa: E402


def timed(f, budget):
    """One warm-up call, then clamp(budget / warm-up, 3, 15) timed calls: (median, best, n)."""
    t0 = time.perf_counter()
    f()
    warm = time.perf_counter() - t0
    n = min(15, max(3, int(budget / max(warm, 1e-9))))
    times = []
    for _ in range(n):
        t0 = time.perf_counter()
        f()
        times.append(time.perf_counter() - t0)
    return statistics.median(times), min(times), n


def scipy_timings(budget):
    rng = np.random.default_rng(0)
    out = {}
    stack = rng.standard_normal((1000, 256, 256)).astype(np.float32)
    k = rng.standard_normal((1, 15, 15)).astype(np.float32)
    out["stack"] = timed(lambda: scipy.signal.fftconvolve(stack, k, mode="same", axes=(1, 2)),
                         budget)
    del stack
    image = rng.standard_normal((1024, 1024)) + 1j * rng.standard_normal((1024, 1024))
    kernel = rng.standard_normal((63, 63)) + 1j * rng.standard_normal((63, 63))
    out["complex"] = timed(lambda: scipy.signal.fftconvolve(image, kernel, mode="same"), budget)
    real = rng.standard_normal((1024, 1024))
    out["mixed"] = timed(lambda: scipy.signal.fftconvolve(real, kernel, mode="same"), budget)
    volumes = rng.standard_normal((16, 64, 64, 64)).astype(np.float32)
    k3 = rng.standard_normal((1, 9, 9, 9)).astype(np.float32)
    out["volumes"] = timed(
        lambda: scipy.signal.fftconvolve(volumes, k3, mode="same", axes=(1, 2, 3)), budget)
    k4 = rng.standard_normal((5, 9, 9, 9)).astype(np.float32)
    out["volumes4"] = timed(lambda: scipy.signal.fftconvolve(volumes, k4, mode="same"), budget)
    return out


def main(argv):
    if not argv or argv[0].startswith("--"):
        print(__doc__)
        return 2
    binary = argv[0]
    budget = float(argv[argv.index("--budget") + 1]) if "--budget" in argv else 10.0
    json_path = argv[argv.index("--json") + 1] if "--json" in argv else None
    ours = [json.loads(line) for line in subprocess.run(
        [binary, "--budget", str(budget)], check=True, stdout=subprocess.PIPE,
        text=True).stdout.splitlines() if line.startswith("{")]
    peers = scipy_timings(budget)
    records = list(ours)
    for workload, (median, best, n) in peers.items():
        records.append({"kind": "batches", "workload": workload, "impl": "scipy.fftconvolve",
                        "threads": 1, "median_s": median, "best_s": best, "repeats": n})
    if json_path:
        with open(json_path, "w") as f:
            for r in records:
                f.write(json.dumps(r) + "\n")

    def ours_median(workload, variant_start, threads=1):
        for r in ours:
            if (r["workload"] == workload and r["variant"].startswith(variant_start)
                    and r["threads"] == threads):
                return r["median_s"]
        raise KeyError((workload, variant_start, threads))

    print(f"{'workload':<10} {'fftconv':>28} {'ms':>10} {'scipy ms':>10} {'ratio':>7}  target")
    rows = []
    stack1 = ours_median("stack", "convolve", 1)
    stack2 = ours_median("stack", "convolve", 2)
    rows.append(("stack", "convolve axes {1,2}, 1 thr", stack1, peers["stack"][0],
                 peers["stack"][0] / stack1, 2.0))
    rows.append(("stack", "2 threads over 1", stack2, stack1, stack1 / stack2, 1.7))
    rows.append(("stack", "Filter per frame, 1 thr", ours_median("stack", "Filter"),
                 peers["stack"][0], peers["stack"][0] / ours_median("stack", "Filter"), None))
    c = ours_median("complex", "complex128")
    rows.append(("complex", "complex128 x complex128", c, peers["complex"][0],
                 peers["complex"][0] / c, 1.5))
    # The FFTW floors at the whole image's padded shape: complex transforms, and the real
    # transforms of the two parts (the spectral form's floor).
    c2c = ours_median("complex", "fftw floor c2c")
    parts = ours_median("complex", "fftw floor 2 x")
    rows.append(("complex", "c2c floor over fftconv", c, c2c, c2c / c, None))
    rows.append(("complex", "fftconv over 2-part floor", c, parts, c / parts, None))
    mixed = ours_median("mixed", "float64")
    promoted = ours_median("mixed", "promoted")
    rows.append(("mixed", "float64 x complex128", mixed, peers["mixed"][0],
                 peers["mixed"][0] / mixed, None))
    rows.append(("mixed", "promoted over mixed", mixed, promoted, promoted / mixed, 1.3))
    v = ours_median("volumes", "convolve")
    rows.append(("volumes", "convolve axes {1,2,3}", v, peers["volumes"][0],
                 peers["volumes"][0] / v, None))
    v4 = ours_median("volumes", "convolve every axis")
    rows.append(("volumes", "every axis 5x9x9x9", v4, peers["volumes4"][0],
                 peers["volumes4"][0] / v4, None))
    failed = 0
    for workload, what, ms, other, ratio, target in rows:
        verdict = "" if target is None else (f">= {target}: " + ("met" if ratio >= target
                                                                 else "NOT MET"))
        failed += target is not None and ratio < target
        print(f"{workload:<10} {what:>28} {ms * 1e3:10.1f} {other * 1e3:10.1f} {ratio:7.2f}  "
              f"{verdict}")
    print("(the 'scipy ms' column of '2 threads over 1' is fftconv with 1 thread, of "
          "'promoted over mixed' fftconv on the promoted image, and of the floors the FFTW "
          "floor named)")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
