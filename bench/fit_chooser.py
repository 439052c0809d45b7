#!/usr/bin/env python3
"""Fit the automatic method chooser's cost model (src/choose.cpp) to bench_paths output.

    build/bench/bench_paths > paths.jsonl
    python3 bench/fit_chooser.py paths.jsonl

Model, per precision, single thread, nanoseconds:
    direct = outputs * (per_output + per_tap * taps)
    fft    = points * per_point_log2 * log2(points)
(one FFT parameter: a second, linear term came out negative, the padded-size effects of
odd and 7-heavy sizes confounding the two). Both are least-squares fits of median times weighted by 1/time (relative error matters, not
absolute). Prints the constants for choose.cpp, then the chooser's regret on the same data:
for each workload, the time of the method the fitted model picks over the faster measured one.
"""
import json
import math
import sys


def fit2(rows):
    """Weighted least squares for t = c1 * x1 + c2 * x2 with weights 1/t^2 (relative error)."""
    s11 = s12 = s22 = b1 = b2 = 0.0
    for x1, x2, t in rows:
        w = 1.0 / (t * t)
        s11 += w * x1 * x1
        s12 += w * x1 * x2
        s22 += w * x2 * x2
        b1 += w * x1 * t
        b2 += w * x2 * t
    det = s11 * s22 - s12 * s12
    return (b1 * s22 - b2 * s12) / det, (s11 * b2 - s12 * b1) / det


def fit1(rows):
    """Weighted least squares for t = c * x with weights 1/t^2."""
    num = sum(x / t for x, t in rows)
    den = sum((x / t) ** 2 for x, t in rows)
    return num / den


def main(path):
    cells = {}
    for line in open(path):
        r = json.loads(line)
        key = (r["dtype"], r["rows"], r["cols"], r["k"])
        cells.setdefault(key, {})[r["method"]] = r
    for dtype in ("float32", "float64"):
        direct_rows, fft_rows = [], []
        for (dt, rows, cols, k), m in cells.items():
            if dt != dtype:
                continue
            outputs = rows * cols
            points = m["fft"]["padded"][0] * m["fft"]["padded"][1]
            fft_rows.append((points * math.log2(points), m["fft"]["median_s"] * 1e9))
            if "direct" in m:
                direct_rows.append((outputs, outputs * k * k, m["direct"]["median_s"] * 1e9))
        per_output, per_tap = fit2(direct_rows)
        per_point_log2 = fit1(fft_rows)
        print(f"{dtype}: direct per_output {per_output:.4f} ns, per_tap {per_tap:.4f} ns; "
              f"fft per_point_log2 {per_point_log2:.4f} ns")
        worst = []
        for (dt, rows, cols, k), m in sorted(cells.items()):
            if dt != dtype or "direct" not in m:
                continue
            outputs = rows * cols
            points = m["fft"]["padded"][0] * m["fft"]["padded"][1]
            direct_model = outputs * (per_output + per_tap * k * k)
            fft_model = points * per_point_log2 * math.log2(points)
            pick = "direct" if direct_model <= fft_model else "fft"
            best = min(m["direct"]["median_s"], m["fft"]["median_s"])
            regret = m[pick]["median_s"] / best
            worst.append(regret)
            print(f"  {rows}x{cols} k={k:<4} picks {pick:<6} regret {regret:.2f}")
        print(f"  max regret {max(worst):.2f}")


if __name__ == "__main__":
    main(sys.argv[1])
