#!/usr/bin/python3
"""The Python package's benchmarks: fftconv from Python against the same C++ call and against
scipy and astropy, each ratio measured in this run with the contenders interleaved.

    PYTHONPATH=build/python /usr/bin/python3 bench/python/run.py [--only T1,T2] [--budget S]
        [--repeats N] [--counterpart PATH] [--json FILE] [--workloads RxC:K,...]
        [--dtypes float32,float64]

Targets (--only names; 1 thread unless stated; 'same' mode):
  overhead     8 x 8 float64 image, 3 x 3 kernel: fftconv.convolve(mode='same') from Python at
               most 20 us above fftconv::convolve on views in C++ (build/bench/python_counterpart,
               same library); Filter.apply's overhead over Filter::apply reported beside it
  large        2048 x 2048 float64 with 63 x 63, 1024 x 1024 float32 with 255 x 255: the Python
               call within 1.1x of the C++ call (same method, chosen by both)
  fftconvolve  fftconv.fftconvolve against scipy.signal.fftconvolve on the README's grid
               ("Side by side"), float32 and float64: >= 1.5x faster on each, >= 2x median
  ndimage      fftconv.ndimage.convolve against scipy.ndimage.convolve, 2048 x 2048 float64,
               31 x 31 weights, mode='reflect': >= 20x faster
  astropy      fftconv.astropy.convolve_fft against astropy.convolution.convolve_fft with the
               defaults, 2048 x 2048 float64 with 1% NaNs, 101 x 101 Gaussian kernel: >= 3x
               (skipped, saying why, while fftconv.astropy does not import)
  threads      one shared fftconv.Filter (512 x 512 float64, 31 x 31) applied to many frames
               from 2 threading.Threads against 1: >= 1.7x the frames per second

Every comparison first checks that the two results agree within a tolerance derived from eps
and the sizes (harness.tolerance), and refuses to time a pair that does not. Timing: one warm-up
each, then rounds in which every contender takes its samples in turn (first rotating); rounds =
--repeats, else clamp(--budget / slowest call, 5, 15) (3 to 15 beside the multi-second ndimage
and astropy peers; 15 rounds of 3 samples for the 8 x 8 calls). Medians. Exit status 1 if a
target is missed, 2 on a disagreement or usage error.
"""

import argparse
import datetime
import json
import os
import platform
import shlex
import statistics
import subprocess
import sys
import tempfile
import threading
import time

for _variable in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ[_variable] = "1"

import numpy as np  # noqa: E402

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import harness as h  # noqa: E402

TARGETS = ("overhead", "large", "fftconvolve", "ndimage", "astropy", "threads")
# The README's benchmark grid ("Side by side with scipy, OpenCV and the FFTW floor").
README_GRID = ([(1024, 1024, k) for k in (3, 7, 15, 31, 63, 127, 255)]
               + [(2048, 2048, k) for k in (5, 31, 127, 511)]
               + [(4096, 4096, k) for k in (9, 129, 513)])


def parse_args(argv):
    p = argparse.ArgumentParser(description=__doc__.split("\n")[0],
                                formatter_class=argparse.RawDescriptionHelpFormatter,
                                epilog=__doc__.split("\n", 2)[2])
    p.add_argument("--only", default=",".join(TARGETS),
                   help="targets to run, comma-separated (default: all): " + ", ".join(TARGETS))
    p.add_argument("--budget", type=float, default=1.0,
                   help="seconds of timed calls per contender and workload (default 1)")
    p.add_argument("--repeats", type=int, default=None,
                   help="rounds per workload (overrides the budget)")
    p.add_argument("--counterpart", default=None,
                   help="the python_counterpart program (default: build/bench/python_counterpart "
                        "of the build whose libfftconv.so the extension loads)")
    p.add_argument("--workloads", default=None,
                   help="fftconvolve's workloads RxC:K,... (default: the README's grid)")
    p.add_argument("--dtypes", default="float32,float64", help="fftconvolve's dtypes")
    p.add_argument("--no-cpp", action="store_true",
                   help="fftconvolve: do not time the C++ call beside (saves a quarter)")
    p.add_argument("--json", default=None, help="also write one JSON line per result to FILE")
    args = p.parse_args(argv)
    args.only = [t.strip() for t in args.only.split(",") if t.strip()]
    for t in args.only:
        if t not in TARGETS:
            p.error(f"--only: unknown target {t!r} (choose from {', '.join(TARGETS)})")
    return args


class Run:
    """Results of this run: JSON records and PASS/MISS verdicts."""

    def __init__(self, args):
        self.args = args
        self.records = []
        self.verdicts = []  # (target, what, met)
        self.skipped = []
        self.notes = []

    def record(self, **fields):
        self.records.append(fields)

    def verdict(self, target, what, met):
        self.verdicts.append((target, what, met))
        return h.verdict(met)

    def rounds(self, slowest):
        return h.rounds_for(slowest, self.args.budget, self.args.repeats)


# ---- 1. per-call overhead ------------------------------------------------------------------------

# A sample of the 8 x 8 calls (~300 to 5000 calls): long enough that a timer tick or a switch
# to the other process costs little within it.
SAMPLE_S = 0.01


def bench_overhead(run, program, workdir):
    import fftconv
    from fftconv import _fftconv
    from fftconv._arrays import options

    image, kernel = h.inputs((8, 8), (3, 3), np.float64, seed=[20, 8, 3])
    filt = fftconv.Filter(kernel, image.shape)
    out = np.empty_like(image)
    prebuilt = options(mode="same")
    tol = h.tolerance(image, kernel, np.float64, direct=True)

    with h.Counterpart(program, workdir, "overhead-conv", image, kernel) as cpp_conv, \
            h.Counterpart(program, workdir, "overhead-filter", image, kernel,
                          api="filter") as cpp_filter:
        agree_conv = h.check("overhead convolve", fftconv.convolve(image, kernel, mode="same"),
                             cpp_conv.output.reshape(image.shape), tol)
        agree_filter = h.check("overhead Filter.apply", filt.apply(image),
                               cpp_filter.output.reshape(image.shape), tol)
        python_calls = {
            "convolve": lambda: fftconv.convolve(image, kernel, mode="same"),
            "binding": lambda: _fftconv.convolve(image, kernel, out, prebuilt, False),
            "options": lambda: options(mode="same", method="auto", axes=None, boundary="zero",
                                       fill_value=0.0, threads=1, precision="native",
                                       normalize_kernel=False, nonnegative=False,
                                       max_memory=None),
            "empty": lambda: np.empty((8, 8), np.float64),
            "output_shape": lambda: _fftconv.output_shape(image.shape, kernel.shape, prebuilt),
            "apply": lambda: filt.apply(image),
            "apply_out": lambda: filt.apply(image, out=out),
            "filter_binding": lambda: filt._filter.apply(image, out),
        }
        # The wrapper's private steps, where this version of the package has them (they
        # break the wrapper's cost down; a rename only drops the row).
        try:
            from fftconv._arrays import as_array, operand
            from fftconv._signal import _dtypes
            f64 = np.dtype(np.float64)
            python_calls["as_array"] = lambda: (as_array(image, "in1"), as_array(kernel, "in2"))
            python_calls["dtypes"] = lambda: _dtypes(image.dtype, kernel.dtype, False)
            python_calls["operand"] = lambda: (operand(image, f64), operand(kernel, f64))
        except ImportError:
            pass
        contenders = {}
        for name, f in python_calls.items():
            sampler = h.python_sampler(f)
            sampler(200)  # warm-up
            contenders[name] = h.Timed(name, sampler, h.calls_for(sampler(200), SAMPLE_S))
        for name, cpp in (("cpp_convolve", cpp_conv), ("cpp_apply", cpp_filter)):
            per_call = cpp.samples(1, 200)["median_s"]
            contenders[name] = h.Timed(name, cpp.sample, h.calls_for(per_call, SAMPLE_S))
        rounds = run.args.repeats or 15
        h.interleave(list(contenders.values()), rounds, per_round=3)
        method = cpp_conv.method

    t = {name: c.median for name, c in contenders.items()}
    over_conv = t["convolve"] - t["cpp_convolve"]
    over_apply = t["apply"] - t["cpp_apply"]
    rows = [
        [f"`fftconv.convolve(image, kernel, mode='same')` ({method})", h.us(t["convolve"]),
         h.us(t["cpp_convolve"]), h.us(over_conv), "< 20 us",
         run.verdict("overhead", "convolve 8x8 overhead", over_conv < 20e-6)],
        ["  of which: `_fftconv.convolve` binding, Options and out prebuilt",
         h.us(t["binding"]), h.us(t["cpp_convolve"]), h.us(t["binding"] - t["cpp_convolve"]),
         "", "info"],
    ]
    pieces = [("options", "building the Options (`_arrays.options`)"),
              ("dtypes", "the result and computation dtypes (`_signal._dtypes`)"),
              ("operand", "both operands checked for in-place use (`_arrays.operand` x 2)"),
              ("as_array", "`_arrays.as_array` x 2"),
              ("output_shape", "`_fftconv.output_shape`"),
              ("empty", "`numpy.empty((8, 8))` for the result")]
    pieces = [(name, what) for name, what in pieces if name in t]
    for name, what in pieces:
        rows.append([f"  of which: {what}", h.us(t[name]), "", "", "", "info"])
    rest = t["convolve"] - t["binding"] - sum(t[name] for name, _ in pieces)
    rows += [
        ["  of which: the rest of the wrapper (the calls between them, checks, mode rules)",
         h.us(rest), "", "", "", "info"],
        ["`Filter.apply(image)`", h.us(t["apply"]), h.us(t["cpp_apply"]), h.us(over_apply),
         "(reported)", ""],
        ["  `Filter.apply(image, out=out)`", h.us(t["apply_out"]), h.us(t["cpp_apply"]),
         h.us(t["apply_out"] - t["cpp_apply"]), "", "info"],
        ["  `Filter._filter.apply` binding alone", h.us(t["filter_binding"]),
         h.us(t["cpp_apply"]), h.us(t["filter_binding"] - t["cpp_apply"]), "", "info"],
    ]
    h.table(f"1. Per-call overhead, 8 x 8 float64, 3 x 3 kernel, 'same', 1 thread (medians of "
            f"{rounds} rounds x 3 samples; agreement: convolve {agree_conv['max_abs_diff']:.1e}, "
            f"apply {agree_filter['max_abs_diff']:.1e}, tolerance {tol:.1e})",
            ["call", "Python us", "C++ us", "Python - C++ us", "target", "result"], rows)
    python_wrapper = t["convolve"] - t["binding"]
    best = {name: c.best for name, c in contenders.items()}
    run.notes.append(
        f"overhead: convolve {h.us(t['convolve'])} us = binding call {h.us(t['binding'])} us "
        f"(C++ call {h.us(t['cpp_convolve'])} us + pybind11/views "
        f"{h.us(t['binding'] - t['cpp_convolve'])} us) + Python wrapper {h.us(python_wrapper)} us "
        "(of which " + ", ".join(f"{name} {h.us(t[name])} us" for name, _ in pieces)
        + f", the rest {h.us(rest)} us); best samples: Python {h.us(best['convolve'])} us, "
        f"C++ {h.us(best['cpp_convolve'])} us, difference "
        f"{h.us(best['convolve'] - best['cpp_convolve'])} us")
    for name, c in contenders.items():
        run.record(target="overhead", contender=name, median_s=c.median, best_s=c.best,
                   samples=len(c.times), calls=c.calls, method=method)


# ---- 2. large calls ------------------------------------------------------------------------------

def bench_large(run, program, workdir):
    import fftconv
    from fftconv import _fftconv
    from fftconv._arrays import options

    rows = []
    for (n, k, dtype) in ((2048, 63, np.float64), (1024, 255, np.float32)):
        image, kernel = h.inputs((n, n), (k, k), dtype, seed=[21, n, k])
        name = f"{n}x{n} {np.dtype(dtype).name} k={k}"
        python_method = _fftconv.chosen_method(kernel, image.shape, options(mode="same"))
        tol = h.tolerance(image, kernel, dtype, direct=python_method in ("direct", "separable"))
        out = np.empty_like(image)
        with h.Counterpart(program, workdir, f"large-{n}-{k}", image, kernel) as cpp:
            if cpp.method != python_method:
                raise h.Disagreement(f"large {name}: C++ chose {cpp.method}, Python "
                                     f"{python_method}")
            result, warm = h.warm(lambda: fftconv.convolve(image, kernel, mode="same"))
            agree = h.check(f"large {name}", result, cpp.output.reshape(image.shape), tol)
            del result
            fftconv.convolve(image, kernel, mode="same", out=out)
            contenders = [
                h.Timed("python", h.python_sampler(
                    lambda: fftconv.convolve(image, kernel, mode="same"))),
                h.Timed("cpp", cpp.sample),
                h.Timed("python_out", h.python_sampler(
                    lambda: fftconv.convolve(image, kernel, mode="same", out=out))),
                # What a fresh result costs by itself: new pages, faulted in and zeroed by
                # the kernel on the first write (the C++ side writes into a buffer it reuses).
                h.Timed("fresh_output", h.python_sampler(
                    lambda: np.empty(image.shape, image.dtype).fill(0))),
            ]
            rounds = run.rounds(warm)
            h.interleave(contenders, rounds)
        py, cpp_t, py_out, fresh = (c.median for c in contenders)
        ratio = py / cpp_t
        rows.append([f"{name} ({python_method})", h.ms(py), h.ms(cpp_t), f"{ratio:.3f}",
                     "<= 1.1", run.verdict("large", name, ratio <= 1.1),
                     h.ms(py_out), f"{py_out / cpp_t:.3f}", h.ms(fresh), rounds,
                     f"{agree['max_abs_diff']:.1e} <= {tol:.1e}"])
        for c in contenders:
            run.record(target="large", workload=name, contender=c.name, median_s=c.median,
                       best_s=c.best, samples=len(c.times), method=python_method)
    h.table("2. Large calls: `fftconv.convolve(image, kernel, mode='same')` from Python over "
            "`fftconv::convolve` in C++, 1 thread (medians, ms)",
            ["workload (method)", "Python", "C++", "ratio", "target", "result",
             "Python, out= given", "ratio", "a fresh output alone", "rounds", "agreement"],
            rows)


# ---- 3. fftconvolve against scipy ----------------------------------------------------------------

def bench_fftconvolve(run, program, workdir):
    import contextlib

    import scipy.signal

    import fftconv
    from fftconv import _signal

    workloads = h.parse_workloads(run.args.workloads) if run.args.workloads else README_GRID
    with_cpp = program is not None and not run.args.no_cpp
    rows, ratios = [], []
    for dtype in run.args.dtypes.split(","):
        for (r, c, k) in workloads:
            image, kernel = h.inputs((r, c), (k, k), dtype, seed=[20261121, r, c, k])
            tol = h.tolerance(image, kernel, dtype)
            name = f"{r}x{c} k={k} {dtype}"
            method = _signal._fft_method(image, kernel, "same", None)
            ours, warm_ours = h.warm(lambda: fftconv.fftconvolve(image, kernel, mode="same"))
            theirs, warm_theirs = h.warm(
                lambda: scipy.signal.fftconvolve(image, kernel, mode="same"))
            if ours.dtype != theirs.dtype:
                raise h.Disagreement(f"fftconvolve {name}: dtype {ours.dtype} against scipy's "
                                     f"{theirs.dtype}")
            agree = h.check(f"fftconvolve {name}", ours, theirs, tol)
            contenders = [
                h.Timed("scipy", h.python_sampler(
                    lambda: scipy.signal.fftconvolve(image, kernel, mode="same"))),
                h.Timed("fftconv", h.python_sampler(
                    lambda: fftconv.fftconvolve(image, kernel, mode="same"))),
            ]
            with contextlib.ExitStack() as stack:
                if with_cpp:  # the same call in C++, same method: what the wrapper adds
                    cpp = stack.enter_context(h.Counterpart(
                        program, workdir, "fftconvolve", image, kernel, method=method))
                    h.check(f"fftconvolve {name} C++", ours, cpp.output.reshape(ours.shape),
                            tol)
                    contenders.append(h.Timed("cpp", cpp.sample))
                del ours, theirs
                rounds = run.rounds(max(warm_ours, warm_theirs))
                h.interleave(contenders, rounds)
            theirs_t, ours_t = contenders[0].median, contenders[1].median
            cpp_t = contenders[2].median if with_cpp else None
            ratio = theirs_t / ours_t
            ratios.append(ratio)
            rows.append([name, f"{h.ms(ours_t)} ({method})", h.ms(theirs_t), f"{ratio:.2f}",
                         ">= 1.5", run.verdict("fftconvolve", name, ratio >= 1.5),
                         h.ms(cpp_t) if with_cpp else "-",
                         f"{ours_t / cpp_t:.2f}" if with_cpp else "-", rounds,
                         f"{agree['max_abs_diff']:.1e} <= {tol:.1e}"])
            for cont in contenders:
                run.record(target="fftconvolve", workload=name, contender=cont.name,
                           median_s=cont.median, best_s=cont.best, samples=len(cont.times),
                           method=method, **agree)
            print(f"  fftconvolve {name}: fftconv {h.ms(ours_t)} ms, scipy {h.ms(theirs_t)} ms, "
                  f"{ratio:.2f}x", file=sys.stderr, flush=True)
    median = statistics.median(ratios)
    rows.append([f"median over {len(ratios)} workloads", "", "", f"{median:.2f}", ">= 2",
                 run.verdict("fftconvolve", "median", median >= 2.0), "", "", "", ""])
    rows.append(["worst workload", "", "", f"{min(ratios):.2f}", ">= 1.5",
                 h.verdict(min(ratios) >= 1.5), "", "", "", ""])
    h.table("3. `fftconv.fftconvolve` against `scipy.signal.fftconvolve`, mode='same', 1 thread "
            "(medians, ms; ratio = scipy / fftconv; C++: `fftconv::convolve` with the same "
            "method, timed beside them)",
            ["workload", "fftconv (method)", "scipy", "ratio", "target", "result", "C++",
             "Python / C++", "rounds", "agreement"], rows)


# ---- 4. ndimage ----------------------------------------------------------------------------------

def bench_ndimage(run):
    import scipy.ndimage

    import fftconv.ndimage
    from fftconv import _fftconv
    from fftconv._arrays import options

    image, weights = h.inputs((2048, 2048), (31, 31), np.float64, seed=[22, 2048, 31])
    tol = h.tolerance(image, weights, np.float64, direct=True)
    ours, warm_ours = h.warm(lambda: fftconv.ndimage.convolve(image, weights, mode="reflect"))
    theirs, warm_theirs = h.warm(lambda: scipy.ndimage.convolve(image, weights, mode="reflect"))
    agree = h.check("ndimage", ours, theirs, tol)
    del ours, theirs
    method = _fftconv.chosen_method(weights, image.shape,
                                    options(mode="same", boundary="reflect"))
    contenders = [
        h.Timed("scipy", h.python_sampler(
            lambda: scipy.ndimage.convolve(image, weights, mode="reflect"))),
        h.Timed("fftconv", h.python_sampler(
            lambda: fftconv.ndimage.convolve(image, weights, mode="reflect"))),
    ]
    rounds = h.rounds_for(warm_theirs, run.args.budget, run.args.repeats, low=3)
    h.interleave(contenders, rounds)
    theirs_t, ours_t = contenders[0].median, contenders[1].median
    ratio = theirs_t / ours_t
    h.table("4. `fftconv.ndimage.convolve` against `scipy.ndimage.convolve`, 1 thread (medians, "
            "ms; ratio = scipy / fftconv)",
            ["workload", "fftconv (method)", "scipy", "ratio", "target", "result", "rounds",
             "agreement"],
            [["2048x2048 float64, 31x31 weights, mode='reflect'", f"{h.ms(ours_t)} ({method})",
              h.ms(theirs_t), f"{ratio:.1f}", ">= 20",
              run.verdict("ndimage", "2048 k=31 reflect", ratio >= 20), rounds,
              f"{agree['max_abs_diff']:.1e} <= {tol:.1e}"]])
    for cont in contenders:
        run.record(target="ndimage", contender=cont.name, median_s=cont.median, best_s=cont.best,
                   samples=len(cont.times), method=method, **agree)


# ---- 5. astropy ----------------------------------------------------------------------------------

def gaussian_kernel(size, sigma):
    x = np.arange(size) - (size - 1) / 2
    g = np.exp(-0.5 * (x / sigma) ** 2)
    return np.outer(g, g) / np.outer(g, g).sum()


def bench_astropy(run):
    try:
        import fftconv.astropy as ours_module
    except Exception as e:  # noqa: BLE001 (any failure to import means: not there yet)
        message = ("target 5 (astropy) SKIPPED: `import fftconv.astropy` failed "
                   f"({type(e).__name__}: {e}). Run `--only astropy` once "
                   "python/fftconv/astropy.py exists and is built into build/python (listed in "
                   "python/CMakeLists.txt's FFTCONV_PYTHON_MODULES).")
        print("\n### 5. `fftconv.astropy.convolve_fft` against `astropy.convolution.convolve_fft`"
              "\n\n" + message)
        run.skipped.append(message)
        return
    import astropy.convolution

    rng = np.random.default_rng([23, 2048, 101])
    image = rng.random((2048, 2048))
    image[rng.random(image.shape) < 0.01] = np.nan
    kernel = gaussian_kernel(101, 101 / 6)
    nans = int(np.isnan(image).sum())
    # The defaults divide conv(image with NaNs at 0, k) by conv(weights, k), both normalized by
    # sum(k); the weight is >= ~0.9 everywhere at 1% NaNs (the fill outside counts as valid).
    # The tolerance: the generic one for numerator and denominator, over 0.5^2.
    tol = 4 * (h.tolerance(np.nan_to_num(image), kernel, np.float64)
               + h.tolerance(np.ones_like(image), kernel, np.float64))
    ours, warm_ours = h.warm(lambda: ours_module.convolve_fft(image, kernel))
    theirs, warm_theirs = h.warm(lambda: astropy.convolution.convolve_fft(image, kernel))
    agree = h.check("astropy", ours, theirs, tol)
    del ours, theirs
    contenders = [
        h.Timed("astropy", h.python_sampler(
            lambda: astropy.convolution.convolve_fft(image, kernel))),
        h.Timed("fftconv", h.python_sampler(lambda: ours_module.convolve_fft(image, kernel))),
    ]
    rounds = h.rounds_for(warm_theirs, run.args.budget, run.args.repeats, low=3)
    h.interleave(contenders, rounds)
    theirs_t, ours_t = contenders[0].median, contenders[1].median
    ratio = theirs_t / ours_t
    h.table("5. `fftconv.astropy.convolve_fft` against `astropy.convolution.convolve_fft`, "
            "defaults (boundary='fill', nan_treatment='interpolate', normalize_kernel=True), "
            "1 thread (medians, ms; ratio = astropy / fftconv)",
            ["workload", "fftconv", "astropy", "ratio", "target", "result", "rounds",
             "agreement"],
            [[f"2048x2048 float64, {nans} NaNs ({nans / image.size:.2%}), 101x101 Gaussian",
              h.ms(ours_t), h.ms(theirs_t), f"{ratio:.2f}", ">= 3",
              run.verdict("astropy", "2048 k=101 NaNs", ratio >= 3), rounds,
              f"{agree['max_abs_diff']:.1e} <= {tol:.1e}"]])
    for cont in contenders:
        run.record(target="astropy", contender=cont.name, median_s=cont.median,
                   best_s=cont.best, samples=len(cont.times), **agree)


# ---- 6. threads ----------------------------------------------------------------------------------

def bench_threads(run, program, workdir):
    import fftconv

    shape, k = (512, 512), 31
    _, kernel = h.inputs(shape, (k, k), np.float64, seed=[24, 512, k])
    rng = np.random.default_rng([24, 512])
    frames = [rng.random(shape) for _ in range(8)]
    filt = fftconv.Filter(kernel, shape)
    reference = [filt.apply(f) for f in frames]
    _, one = h.warm(lambda: [filt.apply(f) for f in frames])
    per_frame = one / len(frames)
    count = 2 * max(8, min(400, int(0.4 / per_frame / 2)))  # ~0.4 s a sample on 1 thread
    tol = h.tolerance(frames[0], kernel, np.float64)

    def work(first, step, results, outs=None):
        for i in range(first, count, step):
            j = i % len(frames)
            if outs is None:
                results[j] = filt.apply(frames[j])
            else:
                results[j] = filt.apply(frames[j], out=outs[first])

    def threaded(workers, outs=None):
        def sample(calls):
            results = [[None] * len(frames) for _ in range(workers)]
            threads = [threading.Thread(target=work, args=(w, workers, results[w], outs))
                       for w in range(workers)]
            start, cpu = time.perf_counter(), time.process_time()
            for t in threads:
                t.start()
            for t in threads:
                t.join()
            seconds = time.perf_counter() - start
            sample.cpu_per_wall.append((time.process_time() - cpu) / seconds)
            sample.results = results
            return seconds / count
        sample.cpu_per_wall = []  # per sample: the process's CPU time over wall time
        return sample

    two = threaded(2)
    two(1)
    for w in range(2):  # every thread's frames against the single-threaded results
        for j, r in enumerate(two.results[w]):
            if r is not None:
                h.check(f"threads frame {j}", r, reference[j], tol)
    outs = [np.empty(shape) for _ in range(2)]
    # (the C++ side reads its frames from as many distinct buffers as Python's frames)
    with h.Counterpart(program, workdir, "threads-1", frames[0], kernel, api="filter",
                       frames=count, workers=1, distinct=len(frames)) as cpp1, \
            h.Counterpart(program, workdir, "threads-2", frames[0], kernel, api="filter",
                          frames=count, workers=2, distinct=len(frames)) as cpp2:
        agree = h.check("threads C++", cpp1.output.reshape(shape), reference[0], tol)
        h.check("threads C++ 2 workers", cpp2.output.reshape(shape), reference[0], tol)

        def per_frame_of(cpp):
            def sample(calls):
                return cpp.sample(calls) / count
            sample.cpu_per_wall = cpp.cpu_per_wall
            return sample

        contenders = [h.Timed("python_1", threaded(1)), h.Timed("python_2", threaded(2)),
                      h.Timed("python_1_out", threaded(1, outs)),
                      h.Timed("python_2_out", threaded(2, outs)),
                      h.Timed("cpp_1", per_frame_of(cpp1)), h.Timed("cpp_2", per_frame_of(cpp2))]
        rounds = run.rounds(per_frame * count)
        h.interleave(contenders, rounds)
    t = {c.name: c.median for c in contenders}
    cpu = {c.name: statistics.median(c.sample.cpu_per_wall) for c in contenders}
    speedup = t["python_1"] / t["python_2"]
    rows = [
        [f"Python `Filter.apply(frame)`, {count} frames ({filt.method})",
         f"{1 / t['python_1']:.0f}", f"{1 / t['python_2']:.0f}", f"{speedup:.2f}", ">= 1.7",
         run.verdict("threads", "Filter.apply 2 threads", speedup >= 1.7),
         f"{cpu['python_1']:.2f} / {cpu['python_2']:.2f}"],
        ["Python `Filter.apply(frame, out=...)` (one buffer per thread)",
         f"{1 / t['python_1_out']:.0f}", f"{1 / t['python_2_out']:.0f}",
         f"{t['python_1_out'] / t['python_2_out']:.2f}", "", "info",
         f"{cpu['python_1_out']:.2f} / {cpu['python_2_out']:.2f}"],
        ["C++ `Filter::apply` on std::threads (the ceiling on this machine)",
         f"{1 / t['cpp_1']:.0f}", f"{1 / t['cpp_2']:.0f}", f"{t['cpp_1'] / t['cpp_2']:.2f}", "",
         "info", f"{cpu['cpp_1']:.2f} / {cpu['cpp_2']:.2f}"],
    ]
    h.table(f"6. One shared Filter, 512x512 float64, 31x31 kernel, from 1 and 2 threads "
            f"(frames per second, medians of {rounds} rounds; agreement with C++ "
            f"{agree['max_abs_diff']:.1e} <= {tol:.1e}; CPU / wall: the process's CPU time over "
            "wall time, ~2 when both threads ran throughout)",
            ["what", "1 thread", "2 threads", "speed-up", "target", "result",
             "CPU / wall, 1 / 2 threads"], rows)
    ceiling = t["cpp_1"] / t["cpp_2"]
    if ceiling < 1.7:
        run.notes.append(
            f"threads: C++ itself reached only {ceiling:.2f}x on 2 std::threads in this run (the "
            f"process's CPU / wall {cpu['cpp_2']:.2f}): the machine's ceiling was below the "
            "target (another job on the CPUs), so a Python miss here is the machine's, not the "
            "package's; run `--only threads` again when the machine is idle")
    run.notes.append(
        f"threads: per frame, Python 1 thread {h.ms(t['python_1'])} ms, C++ 1 thread "
        f"{h.ms(t['cpp_1'])} ms; the difference, {h.ms(t['python_1'] - t['cpp_1'])} ms, bounds "
        "what runs holding the GIL (the wrapper, the result's allocation) plus noise")
    for c in contenders:
        run.record(target="threads", contender=c.name, median_s_per_frame=c.median,
                   best_s_per_frame=c.best, samples=len(c.times), frames=count,
                   method=filt.method)


# ---- driver --------------------------------------------------------------------------------------

def git_describe():
    try:
        head = subprocess.run(["git", "-C", h.REPO, "rev-parse", "--short", "HEAD"],
                              capture_output=True, text=True, check=True).stdout.strip()
        dirty = subprocess.run(["git", "-C", h.REPO, "status", "--porcelain"],
                               capture_output=True, text=True, check=True).stdout.strip()
        return head + (" (with uncommitted changes)" if dirty else "")
    except (OSError, subprocess.CalledProcessError):
        return "?"


def main(argv):
    args = parse_args(argv)
    command = "PYTHONPATH=" + os.environ.get("PYTHONPATH", "") + " " + shlex.join(
        [sys.executable] + sys.argv)
    try:
        import fftconv
    except ImportError as e:
        print(f"run.py: cannot import fftconv ({e}); run with PYTHONPATH=build/python",
              file=sys.stderr)
        return 2
    import scipy
    run = Run(args)
    needs_cpp = {"overhead", "large", "threads"} & set(args.only) or (
        "fftconvolve" in args.only and not args.no_cpp)
    program = h.find_counterpart(args.counterpart)
    if needs_cpp and not program:
        print("run.py: python_counterpart not found: cmake --build build --target "
              "python_counterpart (or --counterpart PATH)", file=sys.stderr)
        return 2
    python_lib = h.loaded_library(os.getpid())
    print("## fftconv Python package benchmarks\n")
    print(f"Command: `{command}`  ")
    print(f"Started {datetime.datetime.now(datetime.timezone.utc):%Y-%m-%d %H:%M UTC}, commit "
          f"{git_describe()}, {platform.node()}, {os.cpu_count()} CPUs, load average "
          f"{h.load_average()}  ")
    print(f"Python {platform.python_version()}, numpy {np.__version__}, scipy {scipy.__version__}"
          f", fftconv {fftconv.__version__} ({fftconv._fftconv.__file__}, {python_lib})  ")
    if needs_cpp:
        print(f"C++ counterpart: {program}")
    sys.stdout.flush()
    status = 0
    with tempfile.TemporaryDirectory(prefix="fftconv-bench-") as workdir:
        for target in args.only:
            load_before = h.load_average()
            try:
                if target == "overhead":
                    bench_overhead(run, program, workdir)
                elif target == "large":
                    bench_large(run, program, workdir)
                elif target == "fftconvolve":
                    bench_fftconvolve(run, program, workdir)
                elif target == "ndimage":
                    bench_ndimage(run)
                elif target == "astropy":
                    bench_astropy(run)
                elif target == "threads":
                    bench_threads(run, program, workdir)
            except h.Disagreement as e:
                print(f"\n**{target}: DISAGREEMENT** {e}")
                run.verdicts.append((target, "agreement", False))
                status = 2
            print(f"\n(load average before {load_before}, after {h.load_average()})")
            sys.stdout.flush()
    # The C++ side must run the library the extension loads (a counterpart of another build
    # would compare two builds, not Python against C++).
    for cpp_lib in sorted(h.Counterpart.libraries - {python_lib}):
        print(f"\nWARNING: the counterpart ran {cpp_lib}, the extension {python_lib}: use the "
              "counterpart of the extension's build tree (--counterpart)")
    missed = [f"{t}: {w}" for t, w, met in run.verdicts if not met]
    print("\n### Summary\n")
    print(f"Targets checked: {len(run.verdicts)}, missed: {len(missed)}"
          + ("" if not missed else " (" + "; ".join(missed) + ")"))
    for s in run.skipped:
        print(f"- {s}")
    for n in run.notes:
        print(f"- {n}")
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
