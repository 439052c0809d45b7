"""fftconv on dask arrays: convolution of arrays larger than memory, block by block.

`convolve`, `correlate`, `convolve_masked` and `richardson_lucy` take a dask array and return
one. Each output block is one ``mode='valid'`` convolution of the input block and the halo the
kernel needs from its neighbours (``dask.array.map_overlap``), computed by a `fftconv.Filter`
prepared once per distinct block shape and per worker process (the kernel's spectrum is not
recomputed for every block, nor for every Richardson-Lucy iteration). The image's edges are
extended first by the boundary rule (numpy.pad's mode for each rule: see `BOUNDARY_PAD_MODE`),
so every rule behaves as in `fftconv.convolve`, including kernels longer than a chunk (chunks
too short to lend the halo are merged with their neighbours) or than the image (numpy.pad
repeats the rule, as fftconv does).

The result has the input's chunks (``mode='same'``; for 'full' and 'valid' the last chunk along
each convolved axis grows or shrinks by k - 1). Every block releases the GIL while it computes,
so the threaded scheduler runs blocks in parallel; the distributed scheduler ships the kernel
with the graph and builds the Filters in each worker.

Differences from `fftconv.convolve`: integer and boolean inputs are computed in float64 (float16
in float32) and the result has that dtype (fftconv.convolve keeps integers exact); 'valid' needs
the image at least as long as the kernel along every convolved axis (no swap). Blocks of another
size than the whole array may pick another method or transform size than the whole-array call,
so the two agree to rounding (~1e-16 relative in float64), and bit for bit where both sum
directly.
"""

import threading

import numpy as np

from ._filter import Filter
from ._signal import _convolved_axes, _dtypes

#: numpy.pad's mode for each fftconv boundary rule (README, "Values outside the image").
BOUNDARY_PAD_MODE = {"zero": "constant", "constant": "constant", "reflect": "symmetric",
                     "mirror": "reflect", "nearest": "edge", "wrap": "wrap"}

_MODES = ("full", "same", "valid")


def convolve(x, kernel, mode="same", *, boundary="zero", fill_value=0.0, axes=None,
             method="auto", **options):
    """Convolve a dask array with a kernel, block by block (``fftconv.convolve``'s result).

    Parameters
    ----------
    x : dask.array.Array or array_like
        The image (array_like is wrapped as one chunk).
    kernel : array_like
        The kernel (a numpy array; the image's rank, or ``len(axes)`` with `axes`). Along axes
        not convolved its length must be 1 (it broadcasts).
    mode : {'same', 'full', 'valid'}, optional
        The output window, as `fftconv.convolve` ('same' by default, the image's shape).
    boundary : {'zero', 'constant', 'reflect', 'mirror', 'nearest', 'wrap'}, optional
        Values outside the image, as `fftconv.convolve`; ignored by 'valid'.
    fill_value : float, optional
        The value outside the image for boundary='constant'.
    axes : int or sequence of int, optional
        The axes to convolve along (default: all); the others are split into blocks freely.
    method : {'auto', 'direct', 'fft', 'separable', 'overlap_save'}, optional
        The method of each block's Filter ('auto': fftconv's cost model per block shape).
    **options
        `threads`, `precision`, `normalize_kernel`, `nonnegative`, `planning`, `max_memory`,
        given to each block's `fftconv.Filter` (threads: per block; default 1).

    Returns
    -------
    dask.array.Array
        The lazy result (float32, float64, complex64 or complex128).

    Raises
    ------
    ValueError
        For a bad `mode`, `boundary`, `axes` or kernel shape, or 'valid' with an image shorter
        than the kernel; fftconv.Error for what the library refuses (when the graph is built:
        the first block's Filter is made then).
    """
    x = _as_dask(x)
    return _Plan(x, kernel, mode, False, boundary, fill_value, axes, method, options).apply(x)


def correlate(x, kernel, mode="same", *, boundary="zero", fill_value=0.0, axes=None,
              method="auto", **options):
    """Cross-correlate a dask array with a kernel, block by block (``fftconv.correlate``'s
    result: the kernel is not flipped, and is conjugated for complex data).

    The parameters, result and exceptions are `convolve`'s.
    """
    x = _as_dask(x)
    return _Plan(x, kernel, mode, True, boundary, fill_value, axes, method, options).apply(x)


def convolve_masked(x, kernel, mask=None, mode="same", *, nan_policy="interpolate",
                    min_weight=1e-3, preserve_nan=False, normalize_kernel=True, boundary="zero",
                    fill_value=0.0, method="auto", threads=1):
    """Convolution that leaves out bad pixels (NaN, infinite, or True in `mask`), block by
    block: ``fftconv.convolve_masked``'s result.

    Parameters
    ----------
    x : dask.array.Array or array_like
        Real data (float32 stays float32; other dtypes compute in float64).
    kernel : array_like
        The kernel, of the image's rank.
    mask : dask.array.Array or array_like of bool, optional
        True marks a bad pixel; the image's shape (rechunked to the image's chunks).
    mode, nan_policy, min_weight, preserve_nan, normalize_kernel, boundary, fill_value
        As `fftconv.convolve_masked` (outside the image: the boundary rule's values, counted as
        good pixels; the mask is extended by the same rule).
    method, threads
        Each block's.

    Returns
    -------
    dask.array.Array
        The lazy result. (``return_weight`` is not offered: compute the weight as
        ``convolve(~mask, kernel)``.)
    """
    from ._science import _real_dtype
    from ._science import convolve_masked as whole

    x = _as_dask(x)
    kernel = np.asarray(kernel)
    dtype = _real_dtype(x, kernel)  # (fftconv.convolve_masked's rule: image and kernel)
    # (preserve_nan is applied to the whole result below: in a block with its halo, a bad
    # pixel of the extension, mirrored or wrapped, would count as a centre)
    settings = dict(nan_policy=nan_policy, min_weight=min_weight, preserve_nan=False,
                    normalize_kernel=normalize_kernel, fill_value=fill_value, method=method,
                    threads=threads)
    plan = _Plan(x, kernel, mode, False, boundary, fill_value, None, method, {}, dtype=dtype,
                 block_function=_MaskedBlocks(kernel, settings))
    # the library's refusals now, not in a worker: one call with every setting and the kernel
    # itself on a kernel-sized image (a zero-sum kernel with normalize_kernel, say)
    whole(np.zeros(kernel.shape, dtype), kernel, None, mode="same", boundary=boundary,
          **dict(settings, preserve_nan=preserve_nan))
    import dask.array as da

    bad = ~da.isfinite(x)
    if mask is None:
        result = plan.apply(x)
    else:
        mask = mask if isinstance(mask, da.Array) else da.from_array(np.asarray(mask))
        if mask.shape != x.shape:
            raise ValueError(f"mask: has shape {mask.shape}, the image {x.shape}")
        mask = mask.astype(bool).rechunk(x.chunks)
        result = plan.apply(x, mask)
        bad = bad | mask
    if not preserve_nan or nan_policy == "propagate":  # (the library's rule: propagate keeps all)
        return result
    # Output o is centred on image sample o + start - (k - 1) // 2, `start` the window's first
    # sample of the full convolution (k - 1 less the extension before the image).
    for a, ((before, _), k) in enumerate(zip(plan.pad, plan.halo)):
        offset = k - 1 - before - (k - 1) // 2
        length = result.shape[a]
        widths = [(0, 0)] * x.ndim
        widths[a] = (max(-offset, 0), max(offset + length - x.shape[a], 0))
        bad = da.pad(bad, widths, mode="constant", constant_values=False)
        index = [slice(None)] * x.ndim
        index[a] = slice(max(offset, 0), max(offset, 0) + length)
        bad = bad[tuple(index)]
    return da.where(bad.rechunk(result.chunks), dtype.type(np.nan), result)


def richardson_lucy(image, psf, num_iter=50, clip=True, filter_epsilon=None, *, edges="zero",
                    method="auto", threads=1):
    """Richardson-Lucy deconvolution of a dask array: ``fftconv.restoration.richardson_lucy``'s
    iterations (scikit-image's semantics), each a block-by-block convolution and correlation.

    Parameters
    ----------
    image : dask.array.Array or array_like
        The blurred image, counts >= 0 (rank 1 to 3; scikit-image's float type rule).
    psf : array_like
        The point spread function, of the image's rank.
    num_iter, clip, filter_epsilon
        As ``skimage.restoration.richardson_lucy``.
    edges : {'zero', 'periodic'}, optional
        The object outside the image: 0 (scikit-image's) or the image repeated. ('extended' is
        not offered here: use fftconv.restoration on a computed array.)
    method, threads
        Each block's method and threads.

    Returns
    -------
    dask.array.Array
        The lazy estimate. Its graph holds `num_iter` iterations (two blockwise convolutions
        each); the two operators' Filters are made once per block shape and process and shared
        by every iteration. Equal to fftconv.restoration on the computed arrays to rounding
        (blocks may use other transform sizes; the iterations carry the differences along).

    Raises
    ------
    ValueError
        For bad `edges`, `num_iter` or PSF (negative, non-finite, zero sum, another rank). The
        image is not read until computed: negative or non-finite data is not refused as
        fftconv.restoration refuses it (RL needs counts >= 0; check ``(image < 0).any()`` first
        when in doubt).
    """
    import dask.array as da

    from . import restoration
    from .restoration import _float_type, _rank

    if edges not in ("zero", "periodic"):
        raise ValueError(f"edges: must be 'zero' or 'periodic' here, got {edges!r}")
    num_iter = int(num_iter)
    image = _as_dask(image)
    dtype = _float_type(image.dtype)
    image = image.astype(dtype)
    psf = np.asarray(psf, dtype=dtype)
    _rank(image, psf)
    # the library's refusals of the PSF and of the iteration count, now: on a PSF-sized image,
    # with no iterations
    restoration.richardson_lucy(np.ones(psf.shape, dtype), psf, num_iter=min(num_iter, 0),
                                edges=edges)
    if edges == "periodic" and any(k > n for k, n in zip(psf.shape, image.shape)):
        raise ValueError(f"psf: {psf.shape} is larger than the image {image.shape}: periodic "
                         f"edges need the PSF within one period")
    boundary = "wrap" if edges == "periodic" else "zero"
    options = dict(threads=threads)
    blur = _Plan(image, psf, "same", False, boundary, 0.0, None, method, options)
    # The back-projection: scikit-image's (correlate, window start (k - 1) // 2) with zero edges;
    # periodic edges take the exact adjoint of the blur, one sample later along even axes.
    origin = [(k - 1) % 2 if edges == "periodic" else 0 for k in psf.shape]
    back = _Plan(image, psf, "same", True, boundary, 0.0, None, method, options, origin=origin)
    eps = dtype.type(1e-12)  # (scikit-image's, keeps 0/0 finite)
    estimate = da.full(image.shape, 0.5, dtype=dtype, chunks=blur.chunks)
    image = image.rechunk(blur.chunks)
    for _ in range(num_iter):
        blurred = da.maximum(blur.apply(estimate), 0) + eps
        if filter_epsilon:
            ratio = da.where(blurred < dtype.type(filter_epsilon), 0, image / blurred)
        else:
            ratio = image / blurred
        estimate = da.maximum(estimate * back.apply(ratio), 0)
    return da.clip(estimate, -1, 1) if clip else estimate


class _Plan:
    """One blockwise operator: the image's extension per axis, the output's chunks and the
    function each block runs, made once and applied to any array of the image's shape."""

    def __init__(self, x, kernel, mode, correlate, boundary, fill_value, axes, method, options,
                 *, dtype=None, origin=None, block_function=None):
        if mode not in _MODES:
            raise ValueError(f"mode: must be 'full', 'same' or 'valid', got {mode!r}")
        if boundary not in BOUNDARY_PAD_MODE:
            raise ValueError(f"boundary: must be one of {sorted(BOUNDARY_PAD_MODE)}, "
                             f"got {boundary!r}")
        x = _as_dask(x)
        kernel = np.asarray(kernel)
        if x.ndim == 0:
            raise ValueError("x: must have at least one dimension")
        conv_axes = _axes(axes, x.ndim)
        full_kernel = _kernel_over_image_axes(kernel, x.ndim, conv_axes, axes is not None)
        # (fftconv.convolve's computation dtype; one the library cannot compute in is refused by
        # the first Filter, below)
        self.dtype = dtype or _dtypes(x.dtype, kernel.dtype, False)[1]
        self.boundary, self.fill_value = boundary, fill_value
        origin = origin or [0] * x.ndim
        # Per axis: the image's extension before and after (the boundary rule) so that a
        # 'valid' convolution of the extended image is the result: 'same' starts its window at
        # `start` of the full convolution, so k - 1 - start samples go before, `start` after.
        k = [full_kernel.shape[a] if a in conv_axes else 1 for a in range(x.ndim)]
        self.pad = []
        for a in range(x.ndim):
            if mode == "valid":
                if x.shape[a] < k[a]:
                    raise ValueError(f"x: 'valid' needs the image at least as long as the "
                                     f"kernel along axis {a} ({x.shape[a]} < {k[a]})")
                self.pad.append((0, 0))
                continue
            if mode == "full":
                self.pad.append((k[a] - 1, k[a] - 1))
                continue
            start = (k[a] - 1) // 2 + origin[a]
            self.pad.append((k[a] - 1 - start, start))
        lengths = [x.shape[a] + sum(self.pad[a]) - k[a] + 1 for a in range(x.ndim)]
        self.chunks = tuple(_output_chunks(x.chunks[a], lengths[a], k[a] - 1)
                            for a in range(x.ndim))
        self.halo = k
        if block_function is None:
            # (the boundary and fill value go to the Filters too: 'valid' ignores them, but the
            # library checks them, e.g. a NaN fill value, exactly as fftconv.convolve does)
            block_function = _BlockFilter(full_kernel, self.dtype,
                                          correlate, axes, method,
                                          dict(options, boundary=boundary, fill_value=fill_value))
            # every first block has k - 1 samples more than its output (its halo, or its own
            # tail): its Filter is made now, so bad settings are refused here, not in a worker
            block_function.filter_for(tuple(c[0] + k[a] - 1 for a, c in enumerate(self.chunks)))
        self.block_function = block_function

    def apply(self, *arrays):
        """The operator on `arrays` (the image, then any arrays its blocks read beside it, such
        as a mask), each of the planned shape."""
        import dask.array as da

        extended = []
        for i, a in enumerate(arrays):
            a = _as_dask(a)
            if i == 0 and a.dtype != self.dtype:
                a = a.astype(self.dtype)
            value = (self.fill_value if self.boundary == "constant" else 0) if i == 0 else False
            a = _extend(a, self.pad, self.boundary, value)
            # the output's chunks, the last one with the halo the others get from their
            # neighbours: map_overlap then adds k - 1 samples after every block but the last
            extended.append(a.rechunk(tuple(c[:-1] + (c[-1] + self.halo[d] - 1,)
                                            for d, c in enumerate(self.chunks))))
        depth = {d: (0, self.halo[d] - 1) for d in range(len(self.chunks))}
        return da.map_overlap(self.block_function, *extended, depth=depth, boundary="none",
                              trim=False, allow_rechunk=False, align_arrays=False,
                              chunks=self.chunks, dtype=self.dtype,
                              meta=np.empty((0,) * len(self.chunks), self.dtype))


class _BlockFilter:
    """The function each block runs: one 'valid' Filter per distinct block shape, made on first
    use in each process (never pickled: a worker builds its own) and shared by its threads."""

    def __init__(self, kernel, dtype, correlate, axes, method, options):
        self.kernel, self.dtype, self.correlate = kernel, dtype, correlate
        self.axes, self.method, self.options = axes, method, options
        self._filters, self._lock = {}, threading.Lock()

    def __getstate__(self):
        state = self.__dict__.copy()
        state["_filters"], state["_lock"] = {}, None
        return state

    def __setstate__(self, state):
        self.__dict__.update(state)
        self._lock = threading.Lock()

    def __dask_tokenize__(self):
        # (what makes two block functions compute the same: dask need not pickle the kernel)
        import hashlib

        digest = hashlib.sha1(np.ascontiguousarray(self.kernel).tobytes()).hexdigest()
        return (type(self).__name__, digest, self.kernel.shape, str(self.kernel.dtype),
                str(self.dtype), self.correlate, self.axes, self.method,
                sorted(self.options.items(), key=lambda item: item[0]))

    def filter_for(self, shape):
        f = self._filters.get(shape)  # (a built Filter needs no lock: dict reads are atomic)
        if f is not None:
            return f
        with self._lock:
            f = self._filters.get(shape)
            if f is None:
                f = Filter(self.kernel, shape, self.dtype, correlate=self.correlate,
                           mode="valid", method=self.method, axes=self.axes, **self.options)
                self._filters[shape] = f
            return f

    def __call__(self, block):
        return self.filter_for(block.shape).apply(block)


class _MaskedBlocks:
    """convolve_masked's block function: the library's masked convolution of a block with its
    halo, 'valid' (the normalization needs the kernel's spectrum and the mask's: one call)."""

    def __init__(self, kernel, settings):
        self.kernel, self.settings = kernel, settings

    def __call__(self, block, mask=None):
        from ._science import convolve_masked as whole

        return whole(block, self.kernel, mask, mode="valid", **self.settings)


def _as_dask(x):
    import dask.array as da

    return x if isinstance(x, da.Array) else da.from_array(np.asarray(x), chunks=-1)


def _extend(x, pad, boundary, value):
    """`x` extended by `pad` (per axis: before, after) by the boundary rule (`value` outside for
    the constant rules). Not dask.array.pad for the reflecting and periodic rules: dask
    2022.12's gets them wrong for pads longer than the axis; numpy.pad's index arithmetic on an
    arange gives every extended sample's source."""
    import dask.array as da

    mode = BOUNDARY_PAD_MODE[boundary]
    for a, (before, after) in enumerate(pad):
        if before == after == 0:
            continue
        if mode == "constant":
            widths = [(0, 0)] * x.ndim
            widths[a] = (before, after)
            x = da.pad(x, widths, mode="constant", constant_values=value)
            continue
        n = x.shape[a]
        source = np.pad(np.arange(n), (before, after), mode=mode)
        parts = [da.take(x, source[:before], axis=a)] if before else []
        parts.append(x)
        if after:
            parts.append(da.take(x, source[before + n:], axis=a))
        x = da.concatenate(parts, axis=a)
    return x


def _axes(axes, ndim):
    """The convolved axes as fftconv.convolve reads them (`_convolved_axes`), checked here: the
    halo is computed from them before any Filter could refuse them."""
    conv_axes = _convolved_axes(ndim, axes)
    if axes is not None:
        for a in [axes] if np.ndim(axes) == 0 else axes:
            if not -ndim <= int(a) < ndim:
                raise ValueError(f"axes: {a} is out of range for an array of rank {ndim}")
        if len(set(conv_axes)) != len(conv_axes):
            raise ValueError(f"axes: {axes} repeats an axis")
    return conv_axes


def _kernel_over_image_axes(kernel, ndim, conv_axes, axes_given):
    """The kernel with one axis per image axis: a kernel of lower rank (with `axes`) lines up
    with the image's last axes, as in numpy broadcasting and fftconv.convolve."""
    if kernel.ndim == ndim:
        full = kernel
    elif axes_given and 1 <= kernel.ndim < ndim:
        full = kernel.reshape((1,) * (ndim - kernel.ndim) + kernel.shape)
    else:
        raise ValueError(f"kernel: rank {kernel.ndim}, the image's is {ndim} (a lower rank "
                         f"needs `axes`)")
    for a in range(ndim):
        if a not in conv_axes and full.shape[a] != 1:
            raise ValueError(f"kernel: has length {full.shape[a]} along axis {a}, which is not "
                             f"convolved (fftconv.dask needs 1 there)")
        if full.shape[a] == 0:
            raise ValueError(f"kernel: is empty along axis {a}")
    return full


def _output_chunks(chunks, length, halo):
    """The output's chunks along one axis: the input's, the last one adjusted to the output's
    `length`, and merged until every chunk after the first can give its predecessor `halo`
    samples (map_overlap takes the halo from the next chunk only)."""
    sizes = [c for c in chunks if c > 0] or [0]  # (empty chunks hold nothing to convolve)
    sizes[-1] += length - sum(sizes)
    while len(sizes) > 1 and sizes[-1] <= 0:
        last = sizes.pop()
        sizes[-1] += last
    merged = [sizes[0]]
    for s in sizes[1:]:
        if merged[-1] < halo or s < halo:  # too short to lend (or to stand alone): merge
            merged[-1] += s
        else:
            merged.append(s)
    return tuple(merged)
