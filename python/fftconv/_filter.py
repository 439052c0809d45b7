"""Filter: one kernel prepared once (its spectrum, or its taps) and applied to many images."""

import operator

import numpy as np

from . import _fftconv
from ._arrays import COMPUTED, as_array, options, output_for, readable, writable


class Filter:
    """A kernel prepared for images of one shape, applied many times (fftconv::Filter).

    The kernel's spectrum (or direct taps) is computed once; `apply` then costs one forward
    and one inverse transform per image. `apply` is thread-safe: one Filter may be shared by
    many Python threads, each call releasing the GIL.

    Parameters
    ----------
    kernel : array_like
        The kernel (the image's rank, or lower with `axes`).
    shape : tuple of int
        The shape of the images `apply` takes (a stack with extra leading axes is accepted too).
    dtype : dtype, optional
        The images' dtype: float32, float64, complex64 or complex128 (default: the kernel's, or
        float64 for integer and bool kernels). Images of another dtype are converted.
    correlate : bool, optional
        Correlate instead of convolve (the kernel conjugated for complex data, not flipped).
    mode : {'same', 'full', 'valid'}, optional
        The output window; 'same' by default (the C++ default, not scipy's 'full').
    method : {'auto', 'direct', 'fft', 'separable', 'overlap_save'}, optional
    axes, boundary, fill_value, threads, precision, normalize_kernel, nonnegative, max_memory
        As in `fftconv.convolve`.
    planning : {'estimate', 'measure', 'patient'}, optional
        FFTW planning effort (measure: slower to create, may apply faster).

    Attributes
    ----------
    method : str
        What `apply` runs: 'direct', 'fft', 'separable' or 'overlap_save'.
    shape : tuple of int
        The image shape.
    output_shape : tuple of int
        The result's shape for one image.
    dtype : numpy.dtype
        The dtype `apply` computes in and returns.
    """

    def __init__(self, kernel, shape, dtype=None, *, correlate=False, mode="same",
                 method="auto", axes=None, boundary="zero", fill_value=0.0, threads=1,
                 precision="native", normalize_kernel=False, nonnegative=False,
                 planning="estimate", max_memory=None):
        kernel = as_array(kernel, "kernel")
        if dtype is None:
            dtype = kernel.dtype if kernel.dtype in COMPUTED else np.dtype(np.float64)
        dtype = np.dtype(dtype)
        if kernel.dtype.kind == "c" and dtype.kind != "c":
            dtype = np.result_type(dtype, np.complex64)
        if dtype not in COMPUTED:
            raise TypeError(f"dtype: {dtype} is not float32, float64, complex64 or complex128")
        o = options(mode=mode, method=method, axes=axes, boundary=boundary,
                    fill_value=fill_value, threads=threads, precision=precision,
                    normalize_kernel=normalize_kernel, nonnegative=nonnegative,
                    max_memory=max_memory, planning=planning)
        self._dtype = dtype
        shape = [operator.index(n) for n in shape]
        if any(n < 0 for n in shape):
            raise ValueError(f"shape: {tuple(shape)} has a negative length")
        self._filter = _fftconv.Filter(readable(kernel, dtype), shape, bool(correlate), o)
        self._shape = self._filter.image_shape
        self._output_shape = self._filter.output_shape

    @property
    def method(self):
        return self._filter.method

    @property
    def shape(self):
        return self._shape

    @property
    def output_shape(self):
        return self._output_shape

    @property
    def dtype(self):
        return self._dtype

    def apply(self, image, out=None):
        """Filter one image of `shape`, or a stack of them (extra leading axes).

        Parameters
        ----------
        image : array_like
            Read in place when it has the Filter's dtype (any strides), else converted.
        out : numpy.ndarray, optional
            The destination (the result's shape); may be `image` itself.

        Returns
        -------
        numpy.ndarray
            The result, of the Filter's dtype (or `out`).
        """
        image = readable(as_array(image, "image"), self._dtype)
        extra = image.ndim - len(self._shape)
        shape = image.shape[:extra] + self._output_shape if extra > 0 else self._output_shape
        if out is not None:
            target = output_for(out, shape, self._dtype)
            if writable(target, self._dtype):
                self._filter.apply(image, target)
                return target
        result = np.empty(shape, self._dtype)
        self._filter.apply(image, result)
        if out is None:
            return result
        np.copyto(target, result, casting="same_kind")
        return target

    __call__ = apply

    def __repr__(self):
        return (f"fftconv.Filter(shape={self.shape}, output_shape={self.output_shape}, "
                f"dtype={self._dtype}, method={self.method!r})")
