"""Arrays and dtypes as the extension takes them, and the options every function shares.

The library computes on float32, float64, complex64 and complex128 arrays of any strides, read in
place. An input that already is one of those (in native byte order, aligned, with strides that
are multiples of its item size) is passed as it is: C or Fortran order, slices, negative and zero
(broadcast) strides cost no copy. Anything else is converted once: other dtypes to the type the
computation runs in, and non-native byte order to native, since FFTW needs native data.
"""

import functools
import operator

import numpy as np

from . import _fftconv

COMPUTED = (np.dtype(np.float32), np.dtype(np.float64), np.dtype(np.complex64),
            np.dtype(np.complex128))


def check_numeric(a, name):
    """TypeError unless `a`'s dtype is bool, integer, float or complex of a supported size."""
    kind = a.dtype.kind
    if kind not in "biufc":
        raise TypeError(f"{name}: dtype {a.dtype} is not supported; fftconv takes bool, integer, "
                        "float and complex arrays")
    if (kind == "f" and a.dtype.itemsize > 8) or (kind == "c" and a.dtype.itemsize > 16):
        raise TypeError(f"{name}: dtype {a.dtype} (extended precision) is not supported: the "
                        "library computes in float32 or float64; convert with .astype()")


def as_array(a, name):
    """`a` as a numpy array (no copy for an array), refusing unsupported dtypes."""
    a = np.asarray(a)
    check_numeric(a, name)
    return a


def readable(a, dtype):
    """`a` as an array of `dtype` (one of COMPUTED) that the library reads in place: `a` itself
    when it qualifies, else a copy (converted, native byte order)."""
    # (numpy's aligned flag means strides that are multiples of the type's alignment: the item
    # size for float32 and float64, half of it for complex types, whose strides are checked)
    if a.dtype == dtype and a.flags.aligned and (
            dtype.kind != "c" or all(s % dtype.itemsize == 0 for s in a.strides)):
        return a
    return np.array(a, dtype=dtype, copy=True)  # (asarray would keep a misaligned array)


_F32, _F64 = np.dtype(np.float32), np.dtype(np.float64)
_C64, _C128 = np.dtype(np.complex64), np.dtype(np.complex128)
_REAL = {_F32: _F32, _C64: _F32, _F64: _F64, _C128: _F64}
_COMPLEX = {_F32: _C64, _C64: _C64, _F64: _C128, _C128: _C128}


def real_of(dtype):
    """The real type of a float or complex dtype."""
    return _REAL[dtype]


def complex_of(dtype):
    """The complex type of a float or complex dtype's precision."""
    return _COMPLEX[dtype]


def operand(a, compute):
    """Input `a` for a computation in dtype `compute`: complex data as compute's complex type,
    real data as its real type (the library combines real and complex operands itself)."""
    return readable(a, _COMPLEX[compute] if a.dtype.kind == "c" else _REAL[compute])


def output_for(out, shape, dtype, name="out"):
    """`out` checked as a destination of `shape` (ValueError otherwise), or a new C-order array
    of `dtype`."""
    if out is None:
        return np.empty(shape, dtype)
    if not isinstance(out, np.ndarray):
        raise TypeError(f"{name}: must be a numpy.ndarray, got {type(out).__name__}")
    if out.shape != tuple(shape):
        raise ValueError(f"{name}: has shape {out.shape}, the result has shape {tuple(shape)}")
    if not out.flags.writeable:
        raise ValueError(f"{name}: the array is read-only")
    return out


def writable(out, dtype):
    """True when the library can write `out` directly as `dtype` (else compute into a temporary
    and copy)."""
    return (out.dtype == dtype and out.flags.aligned
            and all(s % dtype.itemsize == 0 for s in out.strides))


_METHODS = {"auto": "automatic", "automatic": "automatic", "direct": "direct", "fft": "fft",
            "separable": "separable", "overlap_save": "overlap_save",
            "overlap-save": "overlap_save"}
_PRECISIONS = {"native": "native", "double": "double_precision",
               "double_precision": "double_precision"}


def options(mode="same", method="auto", axes=None, boundary="zero", fill_value=0.0, threads=1,
            precision="native", normalize_kernel=False, nonnegative=False, max_memory=None,
            planning="estimate", origin=None, nan_policy="propagate", min_weight=1e-3,
            preserve_nan=False, min_overlap=0):
    """The library's Options from the package's argument names (ValueError for unknown names:
    the library's message lists the valid ones). Made once per distinct set of arguments and
    shared: callers must not modify the object returned."""
    threads = operator.index(threads)
    if not -2**31 <= threads < 2**31:
        raise ValueError(f"threads: {threads} is out of range")
    if max_memory is not None and not 0 <= operator.index(max_memory) < 2**64:
        raise ValueError(f"max_memory: {max_memory} is out of range (0 to 2**64 - 1 bytes)")
    if axes is not None:
        axes = tuple(operator.index(a) for a in ([axes] if np.ndim(axes) == 0 else axes))
    if origin is not None:
        origin = tuple(operator.index(v) for v in origin)
    return _options(mode, method, axes, boundary, float(fill_value), threads,
                    precision, bool(normalize_kernel), bool(nonnegative),
                    None if max_memory is None else operator.index(max_memory), planning, origin,
                    nan_policy, float(min_weight), bool(preserve_nan),
                    operator.index(min_overlap))


@functools.lru_cache(maxsize=512)
def _options(mode, method, axes, boundary, fill_value, threads, precision, normalize_kernel,
             nonnegative, max_memory, planning, origin, nan_policy, min_weight, preserve_nan,
             min_overlap):
    o = _fftconv.Options()
    o.mode = mode
    if method not in _METHODS:
        raise ValueError(f"method: {method!r} is not one of 'auto', 'direct', 'fft', "
                         "'separable', 'overlap_save'")
    o.method = _METHODS[method]
    o.boundary = boundary
    o.fill_value = fill_value
    o.threads = threads
    if precision not in _PRECISIONS:
        raise ValueError(f"precision: {precision!r} is not 'native' or 'double'")
    o.compute_precision = _PRECISIONS[precision]
    o.normalize_kernel = normalize_kernel
    o.nonnegative = nonnegative
    if max_memory is not None:
        if max_memory < 0:
            raise ValueError(f"max_memory: {max_memory} is negative")
        o.max_memory_bytes = max_memory
    o.planning = planning
    if axes is not None:
        o.axes = list(axes)
    if origin is not None:
        o.origin = list(origin)
    o.nan_policy = nan_policy
    o.min_weight = min_weight
    o.preserve_nan = preserve_nan
    if min_overlap < 0:
        raise ValueError(f"min_overlap: {min_overlap} is negative")
    o.min_overlap = min_overlap
    return o


def skimage_float_type(dtype):
    """scikit-image's ``_supported_float_type``: float16, float32 (and complex64) compute in
    float32, every other type (integers, bool, float64, longdouble, complex128) in float64."""
    dtype = np.dtype(dtype)
    if dtype in (np.float16, np.float32, np.complex64):
        return _F32
    return _F64
