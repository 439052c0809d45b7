#!/usr/bin/python3
"""The fftconv program streaming an image larger than its memory budget (issue 22, part 1).

A 32768 x 32768 float32 .npy file (4 GiB, deterministic pseudo-random pixels) convolved with a
257 x 257 kernel under `--max-memory 512M`: the program reads, convolves and writes it a band of
output rows at a time (README, "Large images"). Reports the wall time and the peak resident set
size of the program (/usr/bin/time's maximum resident set size), which must stay under 600 MiB, and checks rows of
the result (the first band's edge and rows in the middle) against the program run in memory on
a crop of the image holding those rows and the kernel's reach (zero boundary: 'same' rows of the
crop away from its cut edges are the full image's rows), within 2 x 8 u log2(N) of the largest
value (the FFT error model for two independent FFT results, N the image's points).

    /usr/bin/python3 bench/streaming/run.py --fftconv build/tools/fftconv [--size N]
        [--kernel K] [--budget 512M] [--threads T] [--dir /tmp]

Needs about 2 x 4 GiB free in --dir (the input and the output; both removed afterwards).
"""

import argparse
import math
import os
import shutil
import subprocess
import sys
import tempfile
import time

import numpy as np


def parse_args(argv):
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--fftconv", required=True, help="the fftconv program")
    p.add_argument("--size", type=int, default=32768)
    p.add_argument("--kernel", type=int, default=257)
    p.add_argument("--budget", default="512M")
    p.add_argument("--threads", type=int, default=1)
    p.add_argument("--rss-limit-mib", type=float, default=600)
    p.add_argument("--dir", default="/tmp")
    return p.parse_args(argv)


def write_image(path, size, seed):
    """A size x size float32 .npy file, written a band of rows at a time."""
    out = np.lib.format.open_memmap(path, mode="w+", dtype=np.float32, shape=(size, size))
    rng = np.random.default_rng(seed)
    step = max(1, (64 << 20) // (4 * size))
    for r in range(0, size, step):
        out[r:r + step] = rng.random((min(step, size - r), size), dtype=np.float32)
    out.flush()
    del out


def run_child(args):
    """Runs a command under /usr/bin/time; returns its wall time in seconds and its peak RSS in
    MiB. (Not getrusage of this process's children: a child forked from this process, which
    has just written the image through a memory map, starts with this process's resident set.)"""
    report = tempfile.NamedTemporaryFile(mode="r", suffix=".time")
    start = time.perf_counter()
    subprocess.run(["/usr/bin/time", "-o", report.name, "-f", "%M"] + args, check=True)
    wall = time.perf_counter() - start
    return wall, int(report.read().split()[-1]) / 1024  # (%M: KiB)


def check_rows(program, image_path, kernel_path, result, first, count, half, workdir):
    """The largest difference of result rows [first, first + count) from the program's
    in-memory run on the crop holding them and `half` rows of the kernel's reach each side,
    relative to the largest value there."""
    image = np.load(image_path, mmap_mode="r")
    lo, hi = max(first - half, 0), min(first + count + half, image.shape[0])
    crop = os.path.join(workdir, "crop.npy")
    crop_out = os.path.join(workdir, "crop_out.npy")
    np.save(crop, np.ascontiguousarray(image[lo:hi]))
    subprocess.run([program, "convolve", crop, kernel_path, "-o", crop_out, "-q"], check=True)
    want = np.load(crop_out)[first - lo:first - lo + count].astype(np.float64)
    got = np.load(result, mmap_mode="r")[first:first + count].astype(np.float64)
    return float(np.max(np.abs(got - want)) / np.max(np.abs(want)))


def main(argv):
    a = parse_args(argv)
    need = 2 * 4 * a.size * a.size + (1 << 30)
    free = shutil.disk_usage(a.dir).free
    if free < need:
        sys.exit(f"{a.dir}: {free} bytes free, {need} needed")
    workdir = tempfile.mkdtemp(prefix="fftconv-streaming-", dir=a.dir)
    try:
        image = os.path.join(workdir, "image.npy")
        kernel = os.path.join(workdir, "kernel.npy")
        out = os.path.join(workdir, "out.npy")
        write_image(image, a.size, 1)
        k = np.random.default_rng(2).random((a.kernel, a.kernel), dtype=np.float32)
        np.save(kernel, (k / k.sum()).astype(np.float32))
        command = [a.fftconv, "convolve", image, kernel, "-o", out, "--max-memory", a.budget,
                   "--threads", str(a.threads), "-q"]
        # (the file just written leaves the page cache warm for the first rows only)
        wall, rss = run_child(command)
        u = np.finfo(np.float32).eps / 2
        tolerance = 2 * 8 * u * math.log2(a.size * a.size)
        half = a.kernel // 2
        checks = [(0, 64), (a.size // 2 - 32, 64), (a.size - 64, 64)]
        diffs = [check_rows(a.fftconv, image, kernel, out, f, c, half, workdir) for f, c in checks]
        print(f"`{' '.join(os.path.basename(c) if i == 0 else c for i, c in enumerate(command))}`"
              f" ({a.size} x {a.size} float32, {4 * a.size * a.size / 2**30:.1f} GiB; kernel "
              f"{a.kernel} x {a.kernel}; load average before: {os.getloadavg()[0]:.2f})")
        print()
        print("| wall time | peak RSS | RSS limit | rows checked | max relative difference | "
              "tolerance |")
        print("|---|---|---|---|---|---|")
        rows = ", ".join(f"{f}..{f + c - 1}" for f, c in checks)
        print(f"| {wall:.1f} s | {rss:.0f} MiB | {a.rss_limit_mib:.0f} MiB | {rows} | "
              f"{max(diffs):.2e} | {tolerance:.2e} |")
        ok = rss < a.rss_limit_mib and max(diffs) <= tolerance
        print()
        print("PASS" if ok else "FAIL")
        return 0 if ok else 1
    finally:
        shutil.rmtree(workdir, ignore_errors=True)


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
