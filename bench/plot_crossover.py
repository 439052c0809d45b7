#!/usr/bin/env python3
"""Crossover chart: one-shot time versus kernel size per method, from bench_paths output.

    build/bench/bench_paths --sizes 1024 > paths.jsonl
    build/bench/bench_paths --sizes 1024 --gaussian >> paths.jsonl
    /usr/bin/python3 bench/plot_crossover.py paths.jsonl docs/crossover.png [--size 1024]

One panel per precision: direct, fft, overlap-save (random kernels), separable (Gaussian
kernels), the automatic choice, and the raw FFTW floor at the same padded size (its cached
spectrum is what Filter::apply reuses), log-log. Needs matplotlib (Debian: python3-matplotlib).
"""
import json
import sys

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402


def main(argv):
    src, dst = argv[0], argv[1]
    size = int(argv[argv.index("--size") + 1]) if "--size" in argv else 1024
    series = {}
    for line in open(src):
        r = json.loads(line)
        if r.get("bench") != "paths" or r["rows"] != size:
            continue
        method = r["method"]
        if method.startswith("automatic:"):
            method = "automatic"
        if r.get("kernel", "normal") == "gaussian" and method != "separable":
            continue  # (the Gaussian runs are there for the separable line)
        series.setdefault(r["dtype"], {}).setdefault(method, []).append(
            (r["k"], r["median_s"] * 1e3))
    styles = {
        "direct": ("tab:blue", "o-"),
        "fft": ("tab:orange", "s-"),
        "overlap_save": ("tab:green", "^-"),
        "separable": ("tab:purple", "D-"),
        "automatic": ("black", "x--"),
        "fftw_floor_estimate": ("tab:gray", ":"),
    }
    labels = {
        "direct": "direct",
        "fft": "fft",
        "overlap_save": "overlap-save",
        "separable": "separable (Gaussian kernels)",
        "automatic": "automatic (one-shot)",
        "fftw_floor_estimate": "FFTW floor (cached spectrum)",
    }
    dtypes = sorted(series)
    fig, axes = plt.subplots(1, len(dtypes), figsize=(6 * len(dtypes), 4.5), squeeze=False)
    for ax, dtype in zip(axes[0], dtypes):
        for method, (color, style) in styles.items():
            points = sorted(series[dtype].get(method, []))
            if not points:
                continue
            ax.plot([k for k, _ in points], [t for _, t in points], style, color=color,
                    label=labels[method], markersize=4)
        ax.set_xscale("log", base=2)
        ax.set_yscale("log")
        ax.set_xlabel("kernel size k (k x k)")
        ax.set_ylabel("time per call, ms (median)")
        ax.set_title(f"{size} x {size} {dtype}, same mode, 1 thread")
        ax.grid(True, which="both", alpha=0.3)
        ax.legend(fontsize=8)
    fig.tight_layout()
    fig.savefig(dst, dpi=110)


if __name__ == "__main__":
    main(sys.argv[1:])
