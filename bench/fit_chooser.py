#!/usr/bin/env python3
"""Fit the automatic method chooser's cost model (src/choose.cpp) to bench_paths output.

    build/bench/bench_paths > paths.jsonl
    build/bench/bench_paths --gaussian --kernels 3,7,15,31,63 >> paths.jsonl   (separable)
    python3 bench/fit_chooser.py paths.jsonl

Model, per precision, single thread, nanoseconds:
    direct       = outputs * (per_output + per_tap * taps)
    fft(P)       = c * P log2(P + 1) * (1 + gamma * max(0, log2 P - large)) + per_transform
                   (P = the padded size: a transform past 2^large points also pays for leaving
                   the cache)
    overlap_save = tiles * fft(tile points) * overlap_save_factor
                   (one tile: max(fft(P), fft(tile points)) * overlap_save_factor)
    separable    = (direct(k) * (rows + k - 1) / rows + direct(k)) * separable_factor
                   (rows = a band: max(16, k); each factor: median measured / modelled, what
                   the method pays beyond its transforms or taps: tile copies, a second pass)
direct is a least-squares fit of median times weighted by 1/time (relative error matters, not
absolute); c and per_transform likewise over the fft and overlap_save timings together, for the
(large, gamma) on a grid with the least relative rms error. The tiling mirrors
src/overlap_save.cpp (tile_length). Prints the constants for choose.cpp, then, for every
workload, the method the fitted model picks and its time over the fastest measured method (the
regret), and how the library's own automatic choice did in the same run.
"""
import json
import math
import statistics
import sys


def smooth(n):
    """2^a 3^b 5^c 7^d times at most one 11 or 13: next_fast_size's lengths."""
    for extra in (1, 11, 13):
        if n % extra:
            continue
        m = n // extra
        for p in (2, 3, 5, 7):
            while m % p == 0:
                m //= p
        if m == 1:
            return True
    return False


def next_fast_size(n):
    n = max(n, 1)
    while not smooth(n):
        n += 1
    return n


def tile_length(out, k, cap=2048):
    """src/overlap_save.cpp: the tile input length along one axis (2-D: cap = sqrt(2^22))."""
    whole = max(out + k - 1, k)

    def work(L):
        return max(math.ceil(out / (L - k + 1)), 1) * L * math.log2(2 * L)

    lo = max(32, 2 * k)
    hi = min(max(64, 16 * k), max(cap, lo))
    best = whole if whole <= max(cap, lo) else None
    L = next_fast_size(lo)
    while L <= hi and L < whole:
        if best is None or work(L) < work(best):
            best = L
        L = next_fast_size(L + 1)
    return best if best is not None else next_fast_size(lo)


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


def plogp(points):
    return points * math.log2(points + 1)


def main(paths):
    cells = {}
    for path in paths:
        for line in open(path):
            r = json.loads(line)
            if r.get("bench") != "paths":
                continue
            key = (r["dtype"], r["rows"], r["cols"], r["k"], r.get("kernel", "normal"))
            cell = cells.setdefault(key, {})
            method = r["method"]
            if method.startswith("automatic:"):
                cell["automatic"] = r
                cell["automatic_choice"] = method.split(":", 1)[1]
            else:
                cell[method] = r
    for dtype in ("float32", "float64"):
        direct_rows, fft_rows = [], []
        for (dt, rows, cols, k, kind), m in cells.items():
            if dt != dtype:
                continue
            outputs = rows * cols
            if "fft" in m:
                points = m["fft"]["padded"][0] * m["fft"]["padded"][1]
                fft_rows.append((plogp(points), m["fft"]["median_s"] * 1e9))
            if "direct" in m:
                direct_rows.append((outputs, outputs * k * k, m["direct"]["median_s"] * 1e9))
        if not fft_rows or not direct_rows:
            continue
        per_output, per_tap = fit2(direct_rows)

        def direct_model(outputs, taps):
            return outputs * (per_output + per_tap * taps)

        def tiling(n, k):
            L = tile_length(n, k)
            return math.ceil(n / (L - k + 1)) ** 2, L * L

        transforms = []  # (P log P scale-free part, transforms, time ns) per timing
        for (dt, rows, cols, k, kind), m in cells.items():
            if dt != dtype or kind != "normal":
                continue
            if "fft" in m:
                transforms.append((1, m["fft"]["padded"][0] * m["fft"]["padded"][1],
                                   m["fft"]["median_s"] * 1e9))
            if "overlap_save" in m:
                tiles, points = tiling(rows, k)
                transforms.append((tiles, points, m["overlap_save"]["median_s"] * 1e9))
        best = None
        for large in range(14, 25):
            for gamma in [g / 100 for g in range(0, 60, 2)]:
                def shape(points):
                    return plogp(points) * (1 + gamma * max(0.0, math.log2(points) - large))
                fit_rows = [(n * shape(points), n, t) for n, points, t in transforms]
                c, per_transform = fit2(fit_rows)
                rms = math.sqrt(statistics.fmean(((c * x1 + per_transform * x2) / t - 1) ** 2
                                                 for x1, x2, t in fit_rows))
                if best is None or rms < best[0]:
                    best = (rms, large, gamma, c, per_transform)
        rms, large, gamma, per_point_log2, per_transform = best

        def fft_model(points):
            return (per_point_log2 * plogp(points) *
                    (1 + gamma * max(0.0, math.log2(points) - large)) + per_transform)

        def separable_base(outputs, k):
            band = max(16, k)
            return direct_model(outputs, k) * (band + k - 1) / band + direct_model(outputs, k)

        ratios = [m["separable"]["median_s"] * 1e9 / separable_base(rows * cols, k)
                  for (dt, rows, cols, k, kind), m in cells.items()
                  if dt == dtype and "separable" in m]
        separable_factor = statistics.median(ratios) if ratios else 1.0

        def overlap_save_base(rows, k, points=None):
            # (one tile: the whole-image transform plus the tile's copies, as src/choose.cpp)
            tiles, tile_points = tiling(rows, k)
            if tiles == 1 and points is not None:
                return max(fft_model(points), fft_model(tile_points))
            return tiles * fft_model(tile_points)

        ratios = [m["overlap_save"]["median_s"] * 1e9 /
                  overlap_save_base(rows, k, m["fft"]["padded"][0] * m["fft"]["padded"][1])
                  for (dt, rows, cols, k, kind), m in cells.items()
                  if dt == dtype and kind == "normal" and "overlap_save" in m]
        overlap_save_factor = statistics.median(ratios) if ratios else 1.0
        print(f"{dtype}: direct per_output {per_output:.4f} ns, per_tap {per_tap:.4f} ns; "
              f"fft per_point_log2 {per_point_log2:.4f} ns, large {large}, gamma {gamma:.2f}, "
              f"per_transform {per_transform:.0f} ns (relative rms {rms:.2f}); separable_factor "
              f"{separable_factor:.3f}, overlap_save_factor {overlap_save_factor:.3f}")
        worst, worst_library = [], []
        for (dt, rows, cols, k, kind), m in sorted(cells.items()):
            if dt != dtype:
                continue
            outputs = rows * cols
            points = m["fft"]["padded"][0] * m["fft"]["padded"][1]
            model = {
                "direct": direct_model(outputs, k * k),
                "fft": fft_model(points),
                "overlap_save": overlap_save_base(rows, k, points) * overlap_save_factor,
            }
            if "separable" in m:
                model["separable"] = separable_base(outputs, k) * separable_factor
            measured = {name: m[name]["median_s"] for name in model if name in m}
            pick = min(model, key=model.get)
            best = min(measured.values())
            regret = measured[pick] / best if pick in measured else float("nan")
            worst.append(regret)
            line = (f"  {rows}x{cols} k={k:<4} {kind:<8} fastest {min(measured, key=measured.get):<12} "
                    f"model picks {pick:<12} regret {regret:.2f}")
            if "automatic" in m:
                library = m["automatic"]["median_s"] / best
                worst_library.append(library)
                line += f"   library chose {m['automatic_choice']:<12} {library:.2f}x the fastest"
            print(line)
        print(f"  max regret of the fitted model {max(worst):.2f}" +
              (f"; of the library's choice in this run {max(worst_library):.2f}"
               if worst_library else ""))


if __name__ == "__main__":
    main(sys.argv[1:])
