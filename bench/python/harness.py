"""What bench/python/run.py's benchmarks share: interleaved timing, the agreement check, the C++
counterpart (build/bench/python_counterpart) as a timing server, and the tables.

Timing (the method of bench/timing.hpp and bench/peers.py, with contenders interleaved): each
contender is warmed up once, then timed in rounds; in every round each contender takes its
samples in turn, the first of the round rotating, so that drift in a shared VM's speed reaches
every contender alike. A sample is the wall time of `calls` back-to-back calls divided by
`calls` (1 for large problems; enough calls for a sample of a few milliseconds for small ones).
The garbage collector is off while timing. Reported: the median sample (and the best).
"""

import gc
import json
import math
import os
import re
import statistics
import subprocess
import sys
import time

import numpy as np

REPO = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", ".."))


# ---- timing --------------------------------------------------------------------------------------

class Timed:
    """A contender: `sample(calls)` returns the seconds per call of one sample."""

    def __init__(self, name, sample, calls=1):
        self.name = name
        self.sample = sample
        self.calls = calls
        self.times = []

    def sample_into(self):
        t = self.sample(self.calls)
        self.times.extend(t if isinstance(t, list) else [t])

    @property
    def median(self):
        return statistics.median(self.times)

    @property
    def best(self):
        return min(self.times)


def python_sampler(f):
    """A sampler for a Python callable: `calls` calls timed together, seconds per call."""
    def sample(calls):
        start = time.perf_counter()
        for _ in range(calls):
            f()
        return (time.perf_counter() - start) / calls
    return sample


def calls_for(seconds_per_call, sample_seconds=0.002):
    """Calls per sample so that a sample lasts about `sample_seconds` (at least 1)."""
    return max(1, int(sample_seconds / max(seconds_per_call, 1e-9)))


def rounds_for(slowest, budget, repeats, low=5, high=15):
    """`repeats` if given, else clamp(budget / slowest round member, low, high)."""
    if repeats:
        return repeats
    return min(high, max(low, int(budget / max(slowest, 1e-9))))


def interleave(contenders, rounds, per_round=1):
    """Times the contenders in `rounds` rounds of `per_round` samples each (first rotating)."""
    gc.collect()
    gc.disable()
    try:
        for r in range(rounds):
            for i in range(len(contenders)):
                c = contenders[(i + r) % len(contenders)]
                for _ in range(per_round):
                    c.sample_into()
    finally:
        gc.enable()
    return contenders


def warm(f):
    """One call, timed: (result, seconds)."""
    start = time.perf_counter()
    result = f()
    return result, time.perf_counter() - start


# ---- agreement -----------------------------------------------------------------------------------

def tolerance(image, kernel, dtype, direct=False):
    """How far two correct results of the same convolution may differ, from eps and the sizes:
    twice (one error per result) the FFT bound eps * log2(P) * ||image||_2 * ||kernel||_2
    (README, "Accuracy"; P the linear convolution's size, prod(n + k - 1)); with `direct` (one
    side sums directly) plus the direct sum's worst case, n_taps * eps * sum|terms| <=
    n_taps * eps * max|image| * ||kernel||_1. A computation that differs (window shifted,
    kernel flipped, another boundary rule) misses it by orders of magnitude on these random
    inputs, whose outputs are of order 0.1 to 1 (the tables print both numbers)."""
    eps = float(np.finfo(dtype).eps)
    image = np.nan_to_num(np.asarray(image, np.float64), nan=0.0)
    kernel = np.asarray(kernel, np.float64)
    size = math.prod(n + k - 1 for n, k in zip(image.shape, kernel.shape))
    bound = (math.log2(max(size, 2)) * float(np.linalg.norm(image.ravel()))
             * float(np.linalg.norm(kernel.ravel())))
    if direct:
        bound += kernel.size * float(np.max(np.abs(image))) * float(np.sum(np.abs(kernel)))
    return 2 * eps * bound


def agreement(a, b, tol):
    """(max |a - b| over pixels finite in both, passed) -- also False when a and b differ in
    shape, or in which pixels are NaN."""
    a = np.asarray(a)
    b = np.asarray(b)
    if a.shape != b.shape:
        return float("inf"), False
    nan_a, nan_b = np.isnan(a), np.isnan(b)
    if (nan_a != nan_b).any():
        return float("inf"), False
    both = ~nan_a
    diff = float(np.max(np.abs(a[both].astype(np.float64) - b[both]))) if both.any() else 0.0
    return diff, diff <= tol


class Disagreement(Exception):
    pass


def check(name, a, b, tol):
    """Raises Disagreement unless a and b agree within tol; returns the record's fields."""
    diff, ok = agreement(a, b, tol)
    if not ok:
        raise Disagreement(f"{name}: results differ by {diff:.3g} > tolerance {tol:.3g}: the two "
                           "sides do not compute the same thing; not timed")
    return {"max_abs_diff": diff, "tolerance": tol}


# ---- the C++ counterpart -------------------------------------------------------------------------

def find_counterpart(path=None):
    """The python_counterpart program: `path`, else the build tree whose libfftconv.so the
    extension loaded, else build/bench or build-bench/bench."""
    if path:
        return path
    candidates = [os.path.join(REPO, d, "bench", "python_counterpart")
                  for d in ("build", "build-bench")]
    lib = loaded_library(os.getpid())
    if lib:
        candidates.insert(0, os.path.join(os.path.dirname(lib), "bench", "python_counterpart"))
    for c in candidates:
        if os.access(c, os.X_OK):
            return c
    return None


def loaded_library(pid, name="libfftconv.so"):
    """The path of the libfftconv.so a process has mapped (from /proc/PID/maps), or None."""
    try:
        with open(f"/proc/{pid}/maps") as f:
            for line in f:
                path = line.split()[-1]
                if name in os.path.basename(path):
                    return os.path.realpath(path)
    except OSError:
        pass
    return None


def shape_arg(shape):
    return "x".join(str(int(n)) for n in shape)


class Counterpart:
    """python_counterpart --serve for one problem: inputs passed as raw files (the arrays the
    Python side computes on), its warm-up result read back for the agreement check, then
    `sample(calls)` asks it for one sample (it waits on stdin while Python times its own)."""

    libraries = set()  # the libfftconv.so every counterpart ran (checked against the extension's)

    def __init__(self, program, workdir, tag, image, kernel, mode="same", method="automatic",
                 boundary="zero", api="convolve", frames=1, workers=1, distinct=1, threads=1):
        self.dtype = image.dtype
        image_file = os.path.join(workdir, f"{tag}.image")
        kernel_file = os.path.join(workdir, f"{tag}.kernel")
        self.out_file = os.path.join(workdir, f"{tag}.out")
        np.ascontiguousarray(image).tofile(image_file)
        np.ascontiguousarray(kernel, dtype=image.dtype).tofile(kernel_file)
        self.command = [program, "--dtype", str(image.dtype), "--image", shape_arg(image.shape),
                        "--kernel", shape_arg(kernel.shape), "--mode", mode, "--method", method,
                        "--boundary", boundary, "--api", api, "--threads", str(threads),
                        "--frames", str(frames), "--workers", str(workers),
                        "--distinct", str(distinct),
                        "--image-file", image_file, "--kernel-file", kernel_file,
                        "--out-file", self.out_file, "--serve"]
        self.process = subprocess.Popen(self.command, stdin=subprocess.PIPE,
                                        stdout=subprocess.PIPE, text=True, bufsize=1)
        ready = self._read()
        self.cpu_per_wall = []  # per sample: the process's CPU time over wall time
        self.method = ready["method"]
        self.library = loaded_library(self.process.pid)
        Counterpart.libraries.add(self.library)
        self.output = np.fromfile(self.out_file, dtype=image.dtype)
        os.remove(image_file)
        os.remove(kernel_file)
        os.remove(self.out_file)

    def _read(self):
        line = self.process.stdout.readline()
        if not line:
            raise RuntimeError("python_counterpart exited: " + " ".join(self.command))
        record = json.loads(line)
        if "error" in record:
            raise RuntimeError("python_counterpart: " + record["error"])
        return record

    def samples(self, repeats, calls):
        self.process.stdin.write(f"time {repeats} {calls}\n")
        self.process.stdin.flush()
        return self._read()

    def sample(self, calls):
        record = self.samples(1, calls)
        self.cpu_per_wall.append(record["cpu_per_wall"])
        return record["median_s"]

    def close(self):
        if self.process.poll() is None:
            self.process.stdin.write("quit\n")
            self.process.stdin.flush()
            self.process.wait(timeout=30)

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()


# ---- inputs and reporting ------------------------------------------------------------------------

def inputs(shape, kshape, dtype, seed):
    """Image U[0,1) and kernel N(0,1)/k (the other benchmarks' inputs), from one seed."""
    rng = np.random.default_rng(seed)
    image = rng.random(shape).astype(dtype)
    kernel = (rng.standard_normal(kshape) / kshape[0]).astype(dtype)
    return image, kernel


def ms(seconds):
    return f"{seconds * 1e3:.2f}" if seconds >= 1e-3 else f"{seconds * 1e3:.4f}"


def us(seconds):
    return f"{seconds * 1e6:.1f}"


def verdict(met):
    return "PASS" if met else "MISS"


def table(title, header, rows, out=sys.stdout):
    print(f"\n### {title}\n", file=out)
    print("| " + " | ".join(header) + " |", file=out)
    print("|" + "---|" * len(header), file=out)
    for r in rows:
        print("| " + " | ".join(str(c) for c in r) + " |", file=out)
    out.flush()


def load_average():
    try:
        return " ".join(open("/proc/loadavg").read().split()[:3])
    except OSError:
        return "?"


def parse_workloads(text):
    """'1024x1024:31,2048x2048:127' -> [(1024, 1024, 31), ...]."""
    out = []
    for item in text.split(","):
        m = re.fullmatch(r"(\d+)x(\d+):(\d+)", item.strip())
        if not m:
            raise ValueError(f"workload {item!r} is not RxC:K")
        out.append(tuple(int(g) for g in m.groups()))
    return out
