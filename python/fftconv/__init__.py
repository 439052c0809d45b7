"""fftconv: FFT convolution, correlation and filtering of signals, images and volumes.

The top-level functions are drop-ins for scipy.signal's (same arguments, defaults and results;
fftconv's extras as keyword-only arguments); `fftconv.ndimage` replaces scipy.ndimage's
convolution filters. Every call releases the GIL while it computes. See the README's "Python"
section for the drop-in tables and every known difference.
"""

from . import _fftconv
from ._accuracy import ErrorStats, compare, error_bound, reference_convolve, reference_correlate
from ._filter import Filter
from ._science import Peak, convolve_masked, find_peaks, gaussian_kernel, match_template
from ._signal import (choose_conv_method, convolve, correlate, fftconvolve, next_fast_len,
                      oaconvolve)

__version__ = _fftconv.version

Error = _fftconv.Error
Error.__module__ = "fftconv"
Error.__doc__ = """An argument the library refuses (a ValueError): the message names the argument
and its value; ``.code`` is the C++ ErrorCode's name: 'invalid_argument', 'out_of_memory' (a
call needing more than max_memory, or an allocation that failed) or 'internal'."""



def __getattr__(name):
    """fftconv.ndimage, fftconv.astropy, fftconv.restoration, fftconv.filters and fftconv.dask
    on first use, as scipy's submodules after `import scipy` (astropy's module imports astropy
    when it is installed; fftconv.dask imports dask when a function is called)."""
    if name in ("ndimage", "astropy", "restoration", "filters", "dask"):
        import importlib
        return importlib.import_module(f"fftconv.{name}")
    raise AttributeError(f"module 'fftconv' has no attribute {name!r}")


__all__ = ["Error", "ErrorStats", "Filter", "Peak", "choose_conv_method", "compare", "convolve",
           "convolve_masked", "correlate", "error_bound", "fftconvolve", "find_peaks",
           "gaussian_kernel", "match_template", "next_fast_len", "oaconvolve",
           "reference_convolve", "reference_correlate", "__version__"]
