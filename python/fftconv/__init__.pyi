# Type stubs for the fftconv package (the signatures; numpy-style docstrings are on the functions).
from typing import Any, Literal, NamedTuple, Optional, Sequence, Tuple, Union, overload

import numpy as np
import numpy.typing as npt

from . import astropy as astropy  # (loaded on first use: fftconv.astropy, fftconv.ndimage, ...)
from . import ndimage as ndimage
from . import filters as filters
from . import restoration as restoration
from . import dask as dask

__version__: str

_Mode = Literal["full", "same", "valid"]
_Method = Literal["auto", "direct", "fft", "separable", "overlap_save"]
_Boundary = Literal["zero", "constant", "reflect", "mirror", "nearest", "wrap"]
_Precision = Literal["native", "double"]
_Axes = Union[None, int, Sequence[int]]

class Error(ValueError):
    code: str

class ErrorStats(NamedTuple):
    count: int
    max_abs: float
    max_rel: float
    rms: float
    max_ulp: float
    median_ulp: float
    worst_position: Tuple[int, ...]
    count_over: int

class Peak(NamedTuple):
    index: Tuple[int, ...]
    position: Tuple[float, ...]
    value: float

def convolve(in1: npt.ArrayLike, in2: npt.ArrayLike, mode: _Mode = ..., method: _Method = ...,
             *, axes: _Axes = ..., boundary: _Boundary = ..., fill_value: float = ...,
             threads: int = ..., precision: _Precision = ..., normalize_kernel: bool = ...,
             nonnegative: bool = ..., max_memory: Optional[int] = ...,
             out: Optional[np.ndarray] = ...) -> np.ndarray: ...
def correlate(in1: npt.ArrayLike, in2: npt.ArrayLike, mode: _Mode = ..., method: _Method = ...,
              *, axes: _Axes = ..., boundary: _Boundary = ..., fill_value: float = ...,
              threads: int = ..., precision: _Precision = ..., normalize_kernel: bool = ...,
              nonnegative: bool = ..., max_memory: Optional[int] = ...,
              out: Optional[np.ndarray] = ...) -> np.ndarray: ...
def fftconvolve(in1: npt.ArrayLike, in2: npt.ArrayLike, mode: _Mode = ...,
                axes: _Axes = ...) -> np.ndarray: ...
def oaconvolve(in1: npt.ArrayLike, in2: npt.ArrayLike, mode: _Mode = ...,
               axes: _Axes = ...) -> np.ndarray: ...
@overload
def choose_conv_method(in1: npt.ArrayLike, in2: npt.ArrayLike, mode: _Mode = ...,
                       measure: Literal[False] = ...) -> str: ...
@overload
def choose_conv_method(in1: npt.ArrayLike, in2: npt.ArrayLike, mode: _Mode,
                       measure: Literal[True]) -> Tuple[str, dict]: ...
def next_fast_len(target: int, real: bool = ...) -> int: ...

class Filter:
    def __init__(self, kernel: npt.ArrayLike, shape: Sequence[int], dtype: npt.DTypeLike = ...,
                 *, correlate: bool = ..., mode: _Mode = ..., method: _Method = ...,
                 axes: _Axes = ..., boundary: _Boundary = ..., fill_value: float = ...,
                 threads: int = ..., precision: _Precision = ..., normalize_kernel: bool = ...,
                 nonnegative: bool = ...,
                 planning: Literal["estimate", "measure", "patient"] = ...,
                 max_memory: Optional[int] = ...) -> None: ...
    @property
    def method(self) -> str: ...
    @property
    def shape(self) -> Tuple[int, ...]: ...
    @property
    def output_shape(self) -> Tuple[int, ...]: ...
    @property
    def dtype(self) -> np.dtype: ...
    def apply(self, image: npt.ArrayLike, out: Optional[np.ndarray] = ...) -> np.ndarray: ...
    def __call__(self, image: npt.ArrayLike, out: Optional[np.ndarray] = ...) -> np.ndarray: ...

def convolve_masked(image: npt.ArrayLike, kernel: npt.ArrayLike,
                    mask: Optional[npt.ArrayLike] = ..., *, mode: _Mode = ...,
                    nan_policy: Literal["interpolate", "fill", "propagate"] = ...,
                    min_weight: float = ..., preserve_nan: bool = ...,
                    normalize_kernel: bool = ..., boundary: _Boundary = ...,
                    fill_value: float = ..., method: _Method = ..., threads: int = ...,
                    return_weight: bool = ...) -> Any: ...
def match_template(image: npt.ArrayLike, template: npt.ArrayLike, *,
                   mask: Optional[npt.ArrayLike] = ..., min_overlap: Optional[int] = ...,
                   threads: int = ...) -> np.ndarray: ...
def find_peaks(score: npt.ArrayLike, threshold: Optional[float] = ..., min_distance: int = ...,
               max_peaks: Optional[int] = ...) -> list[Peak]: ...
def gaussian_kernel(sigma: Union[float, Sequence[float]], truncate: float = ..., ndim: int = ...,
                    dtype: npt.DTypeLike = ...) -> np.ndarray: ...
def reference_convolve(image: npt.ArrayLike, kernel: npt.ArrayLike, mode: _Mode = ..., *,
                       axes: _Axes = ..., boundary: _Boundary = ..., fill_value: float = ...,
                       origin: Optional[Sequence[int]] = ...) -> np.ndarray: ...
def reference_correlate(image: npt.ArrayLike, kernel: npt.ArrayLike, mode: _Mode = ..., *,
                        axes: _Axes = ..., boundary: _Boundary = ..., fill_value: float = ...,
                        origin: Optional[Sequence[int]] = ...) -> np.ndarray: ...
def compare(result: npt.ArrayLike, reference: npt.ArrayLike,
            rel_tol: float = ...) -> ErrorStats: ...
def error_bound(image: npt.ArrayLike, kernel: npt.ArrayLike, mode: _Mode = ...,
                method: _Method = ..., *, correlate: bool = ..., axes: _Axes = ...,
                boundary: _Boundary = ..., fill_value: float = ...,
                precision: _Precision = ..., origin: Optional[Sequence[int]] = ...,
                guarantee: Literal["worst_case", "probabilistic"] = ...) -> float: ...
