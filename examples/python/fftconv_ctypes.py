#!/usr/bin/env python3
"""fftconv from Python through its C API with ctypes (no compiled extension needed).

    python3 examples/python/fftconv_ctypes.py [path/to/libfftconv.so]

Convolves numpy arrays with fftconv_convolve_f64 / fftconv_correlate_f32 and a filter handle, and
checks the results against numpy (np.convolve for 1-D; a sum of shifted slices for 2-D).
Prints "N passed, N failed" and exits non-zero on any failure.
"""
import ctypes
import sys

try:
    import numpy as np
except ImportError:  # reported as skipped by CTest (SKIP_RETURN_CODE 77), not passed
    print("skipped: numpy is not installed (Debian: python3-numpy)")
    sys.exit(77)

FULL, SAME, VALID = 0, 1, 2
REFLECT = 2
FFT = 2


class Options(ctypes.Structure):
    # Every field of fftconv_options, in order (fftconv_options_default writes them all).
    _fields_ = [("struct_size", ctypes.c_size_t),
                ("mode", ctypes.c_int), ("boundary", ctypes.c_int), ("fill_value", ctypes.c_double),
                ("method", ctypes.c_int), ("threads", ctypes.c_int), ("planning", ctypes.c_int),
                ("nan_policy", ctypes.c_int), ("min_weight", ctypes.c_double),
                ("preserve_nan", ctypes.c_int), ("normalize_kernel", ctypes.c_int),
                ("min_overlap", ctypes.c_size_t), ("max_memory_bytes", ctypes.c_size_t),
                ("compute_precision", ctypes.c_int), ("nonnegative", ctypes.c_int)]


def load(path):
    lib = ctypes.CDLL(path)
    size_p = ctypes.POINTER(ctypes.c_size_t)
    for name, real in (("f64", ctypes.c_double), ("f32", ctypes.c_float)):
        ptr = ctypes.POINTER(real)
        for op in ("convolve", "correlate"):
            f = getattr(lib, f"fftconv_{op}_{name}")
            f.argtypes = [ctypes.c_int, size_p, ptr, size_p, ptr, ptr, ctypes.POINTER(Options)]
            f.restype = ctypes.c_int
        create = getattr(lib, f"fftconv_filter_create_{name}")
        create.argtypes = [ctypes.POINTER(ctypes.c_void_p), ctypes.c_int, size_p, size_p, ptr,
                           ctypes.c_int, ctypes.POINTER(Options)]
        create.restype = ctypes.c_int
        apply = getattr(lib, f"fftconv_filter_apply_{name}")
        apply.argtypes = [ctypes.c_void_p, ptr, ptr]
        apply.restype = ctypes.c_int
    lib.fftconv_filter_destroy.argtypes = [ctypes.c_void_p]
    lib.fftconv_options_default.argtypes = [ctypes.POINTER(Options)]
    lib.fftconv_output_shape.argtypes = [ctypes.c_int, size_p, size_p, ctypes.c_int, size_p]
    lib.fftconv_last_error.restype = ctypes.c_char_p
    return lib


def shape_arg(shape):
    return (ctypes.c_size_t * len(shape))(*shape)


def call(lib, op, image, kernel, options):
    """op(image, kernel) through the C API; image and kernel are C-contiguous numpy arrays."""
    suffix = "f64" if image.dtype == np.float64 else "f32"
    real = ctypes.c_double if suffix == "f64" else ctypes.c_float
    out_shape = (ctypes.c_size_t * image.ndim)()
    status = lib.fftconv_output_shape(image.ndim, shape_arg(image.shape), shape_arg(kernel.shape),
                                      options.mode, out_shape)
    assert status == 0, lib.fftconv_last_error()
    out = np.empty(tuple(out_shape), dtype=image.dtype)
    status = getattr(lib, f"fftconv_{op}_{suffix}")(
        image.ndim, shape_arg(image.shape), image.ctypes.data_as(ctypes.POINTER(real)),
        shape_arg(kernel.shape), kernel.ctypes.data_as(ctypes.POINTER(real)),
        out.ctypes.data_as(ctypes.POINTER(real)), ctypes.byref(options))
    if status != 0:
        raise RuntimeError(lib.fftconv_last_error().decode())
    return out


def correlate_valid_2d(image, kernel):
    """Reference: sum over kernel offsets of shifted image slices (valid correlation)."""
    kr, kc = kernel.shape
    out = np.zeros((image.shape[0] - kr + 1, image.shape[1] - kc + 1))
    for a in range(kr):
        for b in range(kc):
            out += kernel[a, b] * image[a:a + out.shape[0], b:b + out.shape[1]]
    return out


def main():
    lib = load(sys.argv[1] if len(sys.argv) > 1 else "libfftconv.so")
    rng = np.random.default_rng(5)
    passed = failed = 0

    def check(ok, what):
        nonlocal passed, failed
        if ok:
            passed += 1
        else:
            failed += 1
            print("FAILED:", what, file=sys.stderr)

    options = Options()
    lib.fftconv_options_default(ctypes.byref(options))
    check(options.mode == SAME and options.threads == 1, "defaults")

    signal, taps = rng.standard_normal(200), rng.standard_normal(9)
    options.mode = FULL
    for method in (0, 1, 2):
        options.method = method
        got = call(lib, "convolve", signal, taps, options)
        check(np.allclose(got, np.convolve(signal, taps, "full"), rtol=0, atol=1e-12),
              f"1-D full convolution, method {method}")

    image = rng.random((60, 45))
    kernel = rng.standard_normal((7, 4))
    options.mode, options.method = VALID, FFT
    got = call(lib, "correlate", image.astype(np.float32), kernel.astype(np.float32), options)
    check(np.allclose(got, correlate_valid_2d(image, kernel), rtol=0, atol=2e-4),
          "2-D valid correlation, float32")

    # A filter handle: plan once, apply to several images; equal to the one-shot call.
    options.mode, options.boundary = SAME, REFLECT
    handle = ctypes.c_void_p()
    status = lib.fftconv_filter_create_f64(ctypes.byref(handle), 2, shape_arg(image.shape),
                                           shape_arg(kernel.shape),
                                           kernel.ctypes.data_as(ctypes.POINTER(ctypes.c_double)),
                                           0, ctypes.byref(options))
    check(status == 0, "filter_create_f64")
    for _ in range(3):
        frame = rng.random(image.shape)
        out = np.empty_like(frame)
        status = lib.fftconv_filter_apply_f64(
            handle, frame.ctypes.data_as(ctypes.POINTER(ctypes.c_double)),
            out.ctypes.data_as(ctypes.POINTER(ctypes.c_double)))
        check(status == 0 and np.array_equal(out, call(lib, "convolve", frame, kernel, options)),
              "filter_apply_f64 equals convolve_f64")
    lib.fftconv_filter_destroy(handle)

    # Errors come back as a status and a message.
    options.mode = 9
    try:
        call(lib, "convolve", image, kernel, options)
        check(False, "unknown mode refused")
    except (RuntimeError, AssertionError) as e:
        check("unknown value 9" in str(e), "unknown mode refused with a message")

    print(f"{passed} passed, {failed} failed")
    return 0 if failed == 0 else 1


if __name__ == "__main__":
    sys.exit(main())
