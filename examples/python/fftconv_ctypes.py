#!/usr/bin/env python3
"""fftconv from Python through its C API with ctypes (no compiled extension needed).

    python3 examples/python/fftconv_ctypes.py [path/to/libfftconv.so]

Run as a program, it convolves numpy arrays with convolve() / correlate() and a Filter, checks
the results against numpy (np.convolve for 1-D; a sum of shifted slices for 2-D), prints
"N passed, N failed" and exits non-zero on any failure. Imported, it is a small binding:

    lib = load("libfftconv.so")
    out = convolve(lib, image, kernel)           # or correlate(...); options: an Options
    out = convolve(lib, image, kernel, make_options(lib, mode="valid", method="fft"))
    blur = Filter(lib, kernel, image.shape)      # plan once, then blur.apply(frame) many times

What the binding does with numpy arrays (the C API takes contiguous C-order float32 or float64
arrays only, so the conversions happen here, explicitly):
- Any layout: transposed, sliced or otherwise strided arrays, and big-endian ones, are copied to
  native C order first (np.ascontiguousarray); contiguous arrays of the computation's type are
  passed as they are.
- One computation type for image and kernel, by numpy's rules: np.result_type(image, kernel,
  float32), so float32 with float64 computes in float64, and integer or bool arrays in float32
  (8- and 16-bit) or float64 (32- and 64-bit). The result has that type. Complex, object,
  string and long double arrays raise TypeError naming the argument and its dtype.
- Rank 1 to 3; a kernel of lower rank than the image gets leading axes of length 1 (as in the
  fftconv program: a 1-D kernel filters every row of a 2-D image). Anything else raises
  ValueError naming the argument; so does a refusal by the library (its message), and a
  shortage of memory raises MemoryError.
"""
import ctypes
import sys

try:
    import numpy as np
except ImportError:  # reported as skipped by CTest (SKIP_RETURN_CODE 77), not passed
    print("skipped: numpy is not installed (Debian: python3-numpy)")
    sys.exit(77)

OK, INVALID_ARGUMENT, OUT_OF_MEMORY = 0, 1, 2


class Options(ctypes.Structure):
    # Every field of fftconv_options, in order (fftconv_options_default writes them all).
    _fields_ = [("struct_size", ctypes.c_size_t),
                ("mode", ctypes.c_int), ("boundary", ctypes.c_int), ("fill_value", ctypes.c_double),
                ("method", ctypes.c_int), ("threads", ctypes.c_int), ("planning", ctypes.c_int),
                ("nan_policy", ctypes.c_int), ("min_weight", ctypes.c_double),
                ("preserve_nan", ctypes.c_int), ("normalize_kernel", ctypes.c_int),
                ("min_overlap", ctypes.c_size_t), ("max_memory_bytes", ctypes.c_size_t),
                ("compute_precision", ctypes.c_int), ("nonnegative", ctypes.c_int),
                ("axes_mask", ctypes.c_uint), ("origin", ctypes.c_ssize_t * 8)]


# The C API's two element types: numpy dtype -> (ctypes type, function name suffix).
C_TYPES = {np.dtype(np.float64): (ctypes.c_double, "f64"),
           np.dtype(np.float32): (ctypes.c_float, "f32")}


def load(path):
    lib = ctypes.CDLL(path)
    size_p = ctypes.POINTER(ctypes.c_size_t)
    for real, name in C_TYPES.values():
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
    lib.fftconv_output_shape.restype = ctypes.c_int
    lib.fftconv_last_error.restype = ctypes.c_char_p
    lib.fftconv_option_name.argtypes = [ctypes.c_char_p, ctypes.c_int,
                                        ctypes.POINTER(ctypes.c_char_p)]
    lib.fftconv_option_name.restype = ctypes.c_int
    lib.fftconv_option_value.argtypes = [ctypes.c_char_p, ctypes.c_char_p,
                                         ctypes.POINTER(ctypes.c_int)]
    lib.fftconv_option_value.restype = ctypes.c_int
    return lib


def default_options(lib):
    options = Options()
    lib.fftconv_options_default(ctypes.byref(options))
    return options


def option_value(lib, field, name):
    """The C value of an enum field's name, the library's own: option_value(lib, "boundary",
    "reflect"). An unknown field or name raises ValueError listing the names."""
    value = ctypes.c_int()
    check_status(lib, lib.fftconv_option_value(field.encode(), name.encode(), ctypes.byref(value)))
    return value.value


def option_name(lib, field, value):
    """The name of an enum field's C value: option_name(lib, "method", 2) is "fft"."""
    name = ctypes.c_char_p()
    check_status(lib, lib.fftconv_option_name(field.encode(), value, ctypes.byref(name)))
    return name.value.decode()


def make_options(lib, **fields):
    """Options with the defaults and the given fields: the enum fields by name (mode="valid",
    method="fft", boundary="reflect", nan_policy="interpolate"), the others by value."""
    result = default_options(lib)
    for field, value in fields.items():
        if not hasattr(result, field):
            raise ValueError(f"fftconv_options has no field {field}")
        setattr(result, field, option_value(lib, field, value) if isinstance(value, str) else value)
    return result


def check_status(lib, status):
    """Raises the exception that matches a C status, with the library's message."""
    if status == OK:
        return
    message = lib.fftconv_last_error().decode(errors="replace")
    if status == INVALID_ARGUMENT:
        raise ValueError(message)
    if status == OUT_OF_MEMORY:
        raise MemoryError(message)
    raise RuntimeError(message)


def numeric(name, a):
    """a as a numpy array whose dtype the binding can convert to float (bool, int, uint, float)."""
    a = np.asarray(a)
    if a.dtype.kind not in "biuf":
        raise TypeError(f"{name} has dtype {a.dtype}; fftconv takes real numbers (bool, integer "
                        f"or float arrays)")
    return a


def compute_dtype(**dtypes):
    """numpy's common type of the named dtypes and float32: float32 or float64, else TypeError."""
    dtype = np.result_type(*dtypes.values(), np.float32)
    if dtype not in C_TYPES:
        named = ", ".join(f"{name} {np.dtype(d)}" for name, d in dtypes.items())
        raise TypeError(f"{named}: they compute as {dtype}, and fftconv computes in float32 or "
                        f"float64 (convert explicitly)")
    return dtype


def with_rank(image_rank, kernel):
    """The kernel with leading axes of length 1 up to the image's rank."""
    if not 1 <= image_rank <= 3:
        raise ValueError(f"image has rank {image_rank}; fftconv takes rank 1 to 3")
    if not 1 <= kernel.ndim <= image_rank:
        raise ValueError(f"kernel has rank {kernel.ndim}; it needs rank 1 to {image_rank} (the "
                         f"image's), lower ranks get leading axes of length 1")
    return kernel.reshape((1,) * (image_rank - kernel.ndim) + kernel.shape)


def c_array(a, dtype):
    """a in C order with the given dtype (a copy only when a is not already that), its pointer."""
    a = np.ascontiguousarray(a, dtype=dtype)
    return a, a.ctypes.data_as(ctypes.POINTER(C_TYPES[dtype][0]))


def shape_arg(shape):
    return (ctypes.c_size_t * len(shape))(*shape)


def output_shape(lib, image_shape, kernel_shape, mode):
    out_shape = (ctypes.c_size_t * len(image_shape))()
    check_status(lib, lib.fftconv_output_shape(len(image_shape), shape_arg(image_shape),
                                                shape_arg(kernel_shape), mode, out_shape))
    return tuple(out_shape)


def _run(lib, op, image, kernel, options):
    image, kernel = numeric("image", image), numeric("kernel", kernel)
    kernel = with_rank(image.ndim, kernel)
    dtype = compute_dtype(image=image.dtype, kernel=kernel.dtype)
    options = options if options is not None else default_options(lib)
    image, image_p = c_array(image, dtype)
    kernel, kernel_p = c_array(kernel, dtype)
    out, out_p = c_array(np.empty(output_shape(lib, image.shape, kernel.shape, options.mode),
                                  dtype=dtype), dtype)
    function = getattr(lib, f"fftconv_{op}_{C_TYPES[dtype][1]}")
    check_status(lib, function(image.ndim, shape_arg(image.shape), image_p,
                               shape_arg(kernel.shape), kernel_p, out_p, ctypes.byref(options)))
    return out


def convolve(lib, image, kernel, options=None):
    """fftconv_convolve_*(image, kernel) for numpy arrays of any layout and real dtype."""
    return _run(lib, "convolve", image, kernel, options)


def correlate(lib, image, kernel, options=None):
    """fftconv_correlate_*(image, kernel) for numpy arrays of any layout and real dtype."""
    return _run(lib, "correlate", image, kernel, options)


class Filter:
    """A kernel planned once for images of one shape (fftconv_filter_create_*); apply() is
    equal to convolve()/correlate() with the same options, to the bit. Its type is numpy's
    common type of the kernel, float32 and `dtype` (if given); apply() refuses an image whose
    dtype would need a wider one (TypeError) or whose shape differs (ValueError)."""

    def __init__(self, lib, kernel, image_shape, correlate=False, options=None, dtype=None):
        kernel = numeric("kernel", kernel)
        self.shape = tuple(int(n) for n in image_shape)
        kernel = with_rank(len(self.shape), kernel)
        self.dtype = compute_dtype(kernel=kernel.dtype,
                                   dtype=dtype if dtype is not None else np.float32)
        options = options if options is not None else default_options(lib)
        self.out_shape = output_shape(lib, self.shape, kernel.shape, options.mode)
        kernel, kernel_p = c_array(kernel, self.dtype)
        self._lib, self._handle = lib, ctypes.c_void_p()
        self._apply = getattr(lib, f"fftconv_filter_apply_{C_TYPES[self.dtype][1]}")
        create = getattr(lib, f"fftconv_filter_create_{C_TYPES[self.dtype][1]}")
        check_status(lib, create(ctypes.byref(self._handle), len(self.shape),
                                 shape_arg(self.shape), shape_arg(kernel.shape), kernel_p,
                                 int(bool(correlate)), ctypes.byref(options)))

    def apply(self, image):
        image = numeric("image", image)
        if image.shape != self.shape:
            raise ValueError(f"image has shape {image.shape}; this filter was planned for "
                             f"{self.shape}")
        if np.result_type(image.dtype, self.dtype) != self.dtype:
            raise TypeError(f"image has dtype {image.dtype}; this filter computes in "
                            f"{self.dtype} (make one with dtype={image.dtype})")
        image, image_p = c_array(image, self.dtype)
        out, out_p = c_array(np.empty(self.out_shape, dtype=self.dtype), self.dtype)
        check_status(self._lib, self._apply(self._handle, image_p, out_p))
        return out

    def close(self):
        if self._handle:
            self._lib.fftconv_filter_destroy(self._handle)
            self._handle = ctypes.c_void_p()

    def __del__(self):
        if getattr(self, "_handle", None):
            self.close()


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

    defaults = default_options(lib)
    check(option_name(lib, "mode", defaults.mode) == "same" and defaults.threads == 1, "defaults")

    signal, taps = rng.standard_normal(200), rng.standard_normal(9)
    for method in ("automatic", "direct", "fft"):
        got = convolve(lib, signal, taps, make_options(lib, mode="full", method=method))
        check(np.allclose(got, np.convolve(signal, taps, "full"), rtol=0, atol=1e-12),
              f"1-D full convolution, method {method}")

    image = rng.random((60, 45))
    kernel = rng.standard_normal((7, 4))
    got = correlate(lib, image.astype(np.float32), kernel.astype(np.float32),
                    make_options(lib, mode="valid", method="fft"))
    check(got.dtype == np.float32 and
          np.allclose(got, correlate_valid_2d(image, kernel), rtol=0, atol=2e-4),
          "2-D valid correlation, float32")

    # A Filter: plan once, apply to several images; equal to the one-shot call.
    reflect = make_options(lib, boundary="reflect")
    blur = Filter(lib, kernel, image.shape, options=reflect)
    check(blur.dtype == np.float64, "Filter of a float64 kernel computes in float64")
    for _ in range(3):
        frame = rng.random(image.shape)
        check(np.array_equal(blur.apply(frame), convolve(lib, frame, kernel, reflect)),
              "Filter.apply equals convolve")
    blur.close()

    # Errors come back as exceptions with the library's message.
    unknown = make_options(lib, mode=9)
    try:
        convolve(lib, image, kernel, unknown)
        check(False, "unknown mode refused")
    except ValueError as e:
        check("unknown value 9" in str(e), "unknown mode refused with a message")
    try:
        make_options(lib, mode="sam")
        check(False, "unknown mode name refused")
    except ValueError as e:
        check('"sam"' in str(e) and "full, same, valid" in str(e),
              "unknown mode name refused with the names")

    print(f"{passed} passed, {failed} failed")
    return 0 if failed == 0 else 1


if __name__ == "__main__":
    sys.exit(main())
