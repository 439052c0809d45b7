#!/usr/bin/env python3
"""The Python ctypes example (examples/python/fftconv_ctypes.py) on the arrays numpy users pass:
transposed and strided layouts, mixed and integer dtypes, kernels of lower rank than the image,
and the arrays it must refuse. Every result is checked against a direct sum written here.

    python3 tests/python_ctypes_arrays.py EXAMPLE LIBRARY [CASE...]

CASE: layouts, dtypes, integers, ranks, refusals, filter (default: all). Exit 0 when every check
passes, 1 otherwise, 77 (skipped) without numpy.
"""
import importlib.util
import sys

try:
    import numpy as np
except ImportError:
    print("skipped: numpy is not installed (Debian: python3-numpy)")
    sys.exit(77)

def load_example(path):
    sys.dont_write_bytecode = True  # no __pycache__ in the source tree
    spec = importlib.util.spec_from_file_location("fftconv_ctypes", path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def reference(image, kernel, mode, correlate=False):
    """The convolution (or correlation) as a direct sum in float64, cropped to the window of mode
    "full", "same" or "valid" (scipy.signal's); a kernel of lower rank gets leading axes of
    length 1."""
    image = np.asarray(image, dtype=np.float64)
    kernel = np.asarray(kernel, dtype=np.float64)
    kernel = kernel.reshape((1,) * (image.ndim - kernel.ndim) + kernel.shape)
    if correlate:
        kernel = kernel[(slice(None, None, -1),) * kernel.ndim]
    full = np.zeros(tuple(n + k - 1 for n, k in zip(image.shape, kernel.shape)))
    for index in np.ndindex(kernel.shape):
        full[tuple(slice(i, i + n) for i, n in zip(index, image.shape))] += kernel[index] * image
    if mode == "full":
        return full
    if mode == "same":
        window = [slice((k - 1) // 2, (k - 1) // 2 + n) for n, k in zip(image.shape, kernel.shape)]
    else:
        window = [slice(k - 1, n) for n, k in zip(image.shape, kernel.shape)]
    return full[tuple(window)]


class Checks:
    def __init__(self, example, lib):
        self.ex, self.lib = example, lib
        self.rng = np.random.default_rng(17)
        self.passed = self.failed = 0

    def check(self, ok, what):
        if ok:
            self.passed += 1
        else:
            self.failed += 1
            print("FAILED:", what, file=sys.stderr)

    def options(self, mode, method):
        return self.ex.make_options(self.lib, mode=mode, method=method)

    def agrees(self, image, kernel, what, dtype, rel, correlate=False,
               modes=("full", "same", "valid")):
        """convolve (or correlate) through the example equals the reference for every mode and
        both methods, in the expected dtype, and leaves its arguments untouched."""
        before = (image.copy(), kernel.copy())
        for mode in modes:
            want = reference(image, kernel, mode, correlate)
            for method in ("direct", "fft"):
                run = self.ex.correlate if correlate else self.ex.convolve
                got = run(self.lib, image, kernel, self.options(mode, method))
                err = (np.max(np.abs(got - want)) / max(np.max(np.abs(want)), 1e-300)
                       if got.shape == want.shape else np.inf)
                self.check(got.dtype == dtype and got.shape == want.shape and err <= rel,
                           f"{what}, mode {mode}, method {method}: got {got.dtype} {got.shape} "
                           f"with relative error {err:.3g}, expected {np.dtype(dtype)} "
                           f"{want.shape} within {rel:g}")
        self.check(np.array_equal(image, before[0]) and np.array_equal(kernel, before[1]),
                   f"{what}: the arguments are untouched")

    def refused(self, error, words, run, what):
        try:
            run()
        except error as e:
            self.check(all(w in str(e) for w in words),
                       f"{what}: message {str(e)!r} names {words}")
            return
        except Exception as e:  # noqa: BLE001 (the wrong exception is a failure, not a crash)
            self.check(False, f"{what}: raised {type(e).__name__} {e}, expected {error.__name__}")
            return
        self.check(False, f"{what}: accepted, expected {error.__name__}")

    # Transposed, sliced, reversed and Fortran-order arrays are what they look like to numpy.
    def layouts(self):
        base = self.rng.random((30, 24))
        kernel = self.rng.standard_normal((5, 3))
        self.agrees(base.T, kernel, "transposed image", np.float64, 1e-12)
        self.agrees(base[::2, 1::3], kernel, "image sliced with steps", np.float64, 1e-12)
        self.agrees(base[::-1, :], kernel[:, ::-1], "reversed image and kernel", np.float64, 1e-12)
        self.agrees(np.asfortranarray(base), np.asfortranarray(kernel), "Fortran-order arrays",
                    np.float64, 1e-12)
        self.agrees(base, kernel.T, "transposed kernel", np.float64, 1e-12, correlate=True)
        volume = self.rng.random((6, 20, 9))
        self.agrees(volume[:, ::2, :].transpose(2, 0, 1), self.rng.random((3, 2, 3)),
                    "3-D view, strided and transposed", np.float64, 1e-12)
        as_f32 = base.astype(np.float32)
        self.agrees(as_f32.T, kernel.astype(np.float32), "transposed float32 image", np.float32,
                    2e-6)

    # One computation type by numpy's rules; the result has it.
    def dtypes(self):
        image = self.rng.random((17, 23))
        kernel = self.rng.standard_normal((4, 5))
        f32 = image.astype(np.float32)
        self.agrees(f32, kernel, "float32 image, float64 kernel", np.float64, 1e-12)
        self.agrees(image, kernel.astype(np.float32), "float64 image, float32 kernel", np.float64,
                    1e-12)
        self.agrees(f32, kernel.astype(np.float32), "float32 image and kernel", np.float32, 2e-6)
        self.agrees(image.astype(np.float16), kernel.astype(np.float16), "float16 arrays",
                    np.float32, 2e-6)
        # (FITS data are big-endian.)
        self.agrees(image.astype(">f8"), kernel.astype(">f4"), "big-endian arrays", np.float64,
                    1e-12)

    def integers(self):
        image = self.rng.integers(0, 256, (19, 21)).astype(np.uint8)
        kernel = self.rng.integers(0, 4, (3, 3)).astype(np.uint8)
        self.agrees(image, kernel, "uint8 image and kernel", np.float32, 2e-6)
        self.agrees(image, kernel.astype(np.float64), "uint8 image, float64 kernel", np.float64,
                    1e-12)
        self.agrees(image.astype(np.int16) - 128, kernel.astype(np.int8), "int16 image, int8 kernel",
                    np.float32, 2e-6)
        self.agrees(image.astype(np.int32), kernel, "int32 image", np.float64, 1e-12)
        self.agrees(image.astype(np.uint64), kernel, "uint64 image", np.float64, 1e-12)
        self.agrees(image > 128, kernel, "bool image", np.float32, 2e-6)

    # A kernel of lower rank gets leading axes of length 1.
    def ranks(self):
        signal = self.rng.standard_normal(50)
        taps = self.rng.standard_normal(7)
        got = self.ex.convolve(self.lib, signal, taps, self.options("full", "fft"))
        self.check(np.allclose(got, np.convolve(signal, taps, "full"), rtol=0, atol=1e-12),
                   "1-D signal against np.convolve")
        image = self.rng.random((12, 40))
        self.agrees(image, taps, "2-D image, 1-D kernel", np.float64, 1e-12)
        self.agrees(image.T, taps[::2], "transposed 2-D image, strided 1-D kernel", np.float64,
                    1e-12)
        self.agrees(self.rng.random((4, 9, 11)), self.rng.random((2, 3)), "3-D image, 2-D kernel",
                    np.float64, 1e-12)
        self.agrees(self.rng.random((4, 9, 11)), taps[:3], "3-D image, 1-D kernel", np.float64,
                    1e-12)

    def refusals(self):
        lib, ex = self.lib, self.ex
        image, kernel = self.rng.random((8, 8)), self.rng.random((3, 3))
        self.refused(TypeError, ["image", "complex128"],
                     lambda: ex.convolve(lib, image.astype(np.complex128), kernel), "complex image")
        self.refused(TypeError, ["kernel", "object"],
                     lambda: ex.convolve(lib, image, kernel.astype(object)), "object kernel")
        self.refused(TypeError, ["image", "<U"],
                     lambda: ex.convolve(lib, np.array([["a", "b"]]), kernel), "string image")
        self.refused(TypeError, ["kernel", "float128"],
                     lambda: ex.convolve(lib, image, kernel.astype(np.longdouble)),
                     "long double kernel")
        self.refused(ValueError, ["kernel", "rank 3"],
                     lambda: ex.convolve(lib, image, kernel.reshape(1, 3, 3)),
                     "kernel of higher rank")
        self.refused(ValueError, ["image", "rank 4"],
                     lambda: ex.convolve(lib, image.reshape(1, 1, 8, 8), kernel), "rank-4 image")
        self.refused(ValueError, ["image", "rank 0"],
                     lambda: ex.convolve(lib, np.float64(3), kernel), "rank-0 image")
        self.refused(ValueError, ["extent 0"],
                     lambda: ex.convolve(lib, np.zeros((0, 8)), kernel), "empty image")

    # The Filter handle: the same conversions, and the same result as the one-shot call.
    def filter(self):
        lib, ex = self.lib, self.ex
        kernel = self.rng.standard_normal((5, 4))
        image = self.rng.random((20, 16))
        options = self.options("same", "fft")
        blur = ex.Filter(lib, kernel.T, image.T.shape, options=options)
        self.check(blur.dtype == np.float64, "Filter of a float64 kernel computes in float64")
        got = blur.apply(image.T)
        self.check(np.array_equal(got, ex.convolve(lib, image.T, kernel.T, options)),
                   "Filter.apply on a transposed image equals convolve")
        want = reference(image.T, kernel.T, "same")
        self.check(np.max(np.abs(got - want)) <= 1e-12 * np.max(np.abs(want)),
                   "Filter.apply on a transposed image equals the reference")
        small = ex.Filter(lib, kernel.astype(np.float32), image.shape, options=options)
        pixels = self.rng.integers(0, 256, image.shape).astype(np.uint8)
        got = small.apply(pixels)
        want = reference(pixels, kernel.astype(np.float32), "same")
        self.check(got.dtype == np.float32 and
                   np.max(np.abs(got - want)) <= 2e-6 * np.max(np.abs(want)),
                   "float32 Filter.apply on a uint8 image")
        self.refused(TypeError, ["image", "float64", "float32"], lambda: small.apply(image),
                     "float64 image into a float32 Filter")
        self.refused(ValueError, ["image", "(16, 20)"], lambda: small.apply(image.T),
                     "image of another shape")
        line = ex.Filter(lib, kernel[0], image.shape, options=options)
        self.check(np.max(np.abs(line.apply(image) - reference(image, kernel[0], "same")))
                   <= 1e-12 * np.max(np.abs(image)) * np.sum(np.abs(kernel[0])),
                   "Filter with a 1-D kernel on a 2-D image")
        for f in (blur, small, line):
            f.close()


def main(argv):
    example, lib_path, cases = argv[0], argv[1], argv[2:]
    ex = load_example(example)
    checks = Checks(ex, ex.load(lib_path))
    for case in cases or ["layouts", "dtypes", "integers", "ranks", "refusals", "filter"]:
        getattr(checks, case)()
    print(f"{checks.passed} passed, {checks.failed} failed")
    return 0 if checks.failed == 0 else 1


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
