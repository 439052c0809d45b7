#pragma once
#include <cstddef>
#include <limits>

#include "fftconv/dims.hpp"
#include "fftconv/export.hpp"
#include "fftconv/names.hpp"  // to_string and parse for these enums

namespace fftconv {

/// Which part of the full convolution is returned, per axis (image length n, kernel length k).
/// Identical to scipy.signal.convolve / correlate:
///   full:  n + k - 1 values, every position where kernel and image overlap;
///   same:  n values, the centre of `full` starting at offset (k - 1) / 2 (integer division);
///   valid: max(n - k + 1, 0) values, where the kernel lies wholly inside the image (a kernel
///          longer than the image gives an empty result, not an error).
enum class Mode { full, same, valid };

/// How the result is computed. All methods give the same numbers up to rounding.
///   automatic: a cost model picks the fastest of the others that fits max_memory_bytes (see
///              README, "Methods and the automatic choice"; fftconv::chosen_method tells which);
///   direct:    the spatial sum, cost ~ output size x non-zero kernel values;
///   fft:       zero-pad, real-to-complex FFTW transforms, pointwise product, inverse;
///   separable: for a separable kernel (each value the product of a factor of its row along the
///              last axis and a factor of its position in the others, to 16 units of rounding of
///              the precision computed in (double for float data with double_precision): Gaussian
///              and box blurs), the direct sum as two passes, cost ~ output size x (k_last +
///              k_others); for a low-rank kernel (the sum of r such products: a difference of
///              Gaussians has r = 2), r pairs of passes, cost ~ output size x r (k_last +
///              k_others), with r (k_last + k_others) <= 256 and < the kernel's size
///              (see README, "Methods"). Refused (fftconv::Error) for a kernel that is neither.
///   overlap_save: fft on tiles of the output (each tile's region of the extended image, a fast
///              length a few times the kernel per axis), the kernel spectrum made once for the
///              tile size; memory bounded by one tile's working set per thread, not the whole
///              padded image. Automatic takes it when the model finds it faster or when the
///              whole-image fft does not fit max_memory_bytes.
enum class Method { automatic, direct, fft, separable, overlap_save };

/// Values outside the image: the image is conceptually extended forever by the rule, then the
/// output window (Mode) is cut out. For an image a b c d:
///
///   rule       extension              scipy.ndimage  numpy.pad   OpenCV
///   zero       0 0 0 | a b c d | 0 0 0   constant, 0   constant    BORDER_CONSTANT
///   constant   v v v | a b c d | v v v   constant      constant    BORDER_CONSTANT
///   reflect    c b a | a b c d | d c b   reflect       symmetric   BORDER_REFLECT
///   mirror     d c b | a b c d | c b a   mirror        reflect     BORDER_REFLECT_101
///   nearest    a a a | a b c d | d d d   nearest       edge        BORDER_REPLICATE
///   wrap       b c d | a b c d | a b c   grid-wrap     wrap        BORDER_WRAP
///
/// (v = Options::fill_value.) A kernel longer than the image repeats the rule as often as
/// needed. `valid` never looks outside the image, so it ignores the rule. `wrap` in `same` mode
/// is circular convolution over the image's own period.
enum class Boundary { zero, constant, reflect, mirror, nearest, wrap };

/// How hard FFTW searches for a fast plan (FFTW's ESTIMATE, MEASURE, PATIENT). estimate plans
/// in microseconds from a model; measure times candidate algorithms (seconds for a new large
/// size, then cached, and reusable across runs through wisdom: see planning.hpp); patient tries
/// more of them. Results agree to rounding whatever the effort.
enum class Planning { estimate, measure, patient };

/// The precision the arithmetic runs in. native: the data's own (float images in float, double
/// in double). double_precision: float images are widened to double, transformed (or summed) in
/// double, and the result is rounded to float once. Each value's error is then its float
/// rounding (at most 6e-8 of the value) plus double-precision noise: none for the direct sum
/// beyond rounding, and for the FFT about 1e-16 of the largest values, spread evenly, which only
/// pixels more than ~1e8 times fainter than the brightest can see (float FFT noise is ~1e-7 of
/// the largest values). Costs about twice the time and memory of float; no effect on double
/// data.
enum class Precision { native, double_precision };

/// What happens to non-finite image pixels (NaN, +-inf), and to masked pixels in
/// convolve_masked, which are treated exactly like NaN. See README, "Bad pixels and masks".
///   propagate:   they enter the sum as they are (the default). The direct method gives NaN
///                wherever the kernel's non-zero taps reach a NaN; the fft method spreads a
///                single NaN or inf over the whole output (every frequency carries it), and
///                overlap_save over every tile whose input holds one: on a 1024 x 1024 star
///                field with one NaN row and a 31 x 31 PSF the fft output is 100 % NaN
///                (overlap_save 25 %, direct 3 %). No warning is given. For images that may hold
///                bad pixels use interpolate (0 % NaN there).
///   interpolate: normalized convolution (astropy's nan_treatment='interpolate'). With E the
///                image extended by the boundary rule, M = 1 where E is finite (0 elsewhere) and
///                E' = E with its non-finite values set to 0:
///                    out = conv(E', k) / conv(M, k),
///                the kernel-weighted mean of the valid pixels under it. Pixels outside the image
///                are data with the rule's values (with wrap, reflect, mirror and nearest a NaN's
///                images are missing too). Where conv(M, k) < min_weight * sum(k) the output is
///                NaN. Needs a kernel with a positive sum.
///   fill:        non-finite pixels are replaced by Options::fill_value, then an ordinary
///                convolution.
enum class NanPolicy { propagate, interpolate, fill };

/// Options for convolve / correlate. A plain struct: set the fields you need.
struct Options {
  Mode mode = Mode::same;  ///< `same` by default: image users expect an image-sized output
  Method method = Method::automatic;
  Boundary boundary = Boundary::zero;
  /// The value outside the image for Boundary::constant: not NaN, not beyond the data type's
  /// range (infinities are allowed); rounded to float for float data.
  double fill_value = 0;
  Planning planning = Planning::estimate;
  /// Threads for one call: FFTW's threaded transforms and the direct path's rows. 1 (the
  /// default) runs on the calling thread only; 0 means all the threads the process can run at
  /// once; negative values are refused. A request beyond those is clamped to them, not refused.
  /// They are std::thread::hardware_concurrency; on Linux instead the CPUs of the process's
  /// affinity mask at the call (sched_getaffinity: taskset, cpusets, a container's
  /// --cpuset-cpus), and at most its cgroup v2 CPU quota rounded up (cpu.max of its cgroup and
  /// those above it, a container's --cpus; read once per process; cgroup v1 quotas are not read).
  /// Each method runs at most one thread per piece of work it has (a row, a block of columns, a
  /// band of output rows, a tile) and none for work too small to pay for starting one: working
  /// memory kept per thread is allocated, and counted towards max_memory_bytes, only for the
  /// threads that run, so it never grows beyond that count. Results do not depend on it beyond
  /// rounding (the direct path: not at all).
  int threads = 1;
  /// Upper bound on the working memory one call may allocate, in bytes (default: no limit).
  /// A call whose method would need more is refused before it allocates anything
  /// (fftconv::Error, code out_of_memory, the needed size in the message); `automatic` picks
  /// the cheaper of the methods that fit.
  std::size_t max_memory_bytes = std::numeric_limits<std::size_t>::max();
  /// See Precision. The working memory of double_precision on float data (double copies of the
  /// image, kernel and output besides the double method's own) counts towards max_memory_bytes.
  Precision compute_precision = Precision::native;
  /// A promise that the image, the kernel (and the fill value) are non-negative, so the exact
  /// result is too: outputs are clamped at zero, removing the tiny negative values FFT rounding
  /// leaves where the true result is 0 or nearly so (dark sky, PSF wings). NaN stays NaN. The
  /// promise is not checked; with negative data the clamp makes results wrong.
  bool nonnegative = false;
  /// Divide the kernel by its sum before use (a PSF or smoothing kernel that should preserve
  /// flux). The sum is computed with compensation and the normalized kernel rounded to the data's
  /// type, the same for every method, the reference and error_bound. A kernel whose sum is zero
  /// or within the rounding of its sum (|sum| <= K u sum |k| for K values) is refused with
  /// fftconv::Error rather than divided by noise.
  bool normalize_kernel = false;
  /// See NanPolicy. interpolate and fill cost one more pass over the image; interpolate, when
  /// the image has missing pixels, also one more forward and inverse transform (fft) or sum
  /// (direct) for the weights, which share the kernel's spectrum or taps.
  NanPolicy nan_policy = NanPolicy::propagate;
  /// NanPolicy::interpolate: outputs whose weight conv(M, k) is below min_weight * sum(k) (the
  /// weight they would have with no missing pixel) are NaN instead of an extrapolation from a
  /// few distant pixels. 0 keeps every output whose weight is positive beyond the rounding of
  /// its computation (a window with no valid pixel is always NaN); 1 keeps the fully covered
  /// ones (the comparison allows for that rounding too). Must be finite, >= 0.
  double min_weight = 1e-3;
  /// interpolate and fill: output pixels centred on a missing input pixel (non-finite, or
  /// masked in convolve_masked) are NaN again, so only the bad pixels' neighbours are repaired.
  /// "Centred on", per axis: image pixel j is output j - origin in `same` mode (Options::origin,
  /// usually 0), j + (k - 1)/2 in `full`
  /// and j - k/2 in `valid` (integer division; the same mapping for convolve and correlate).
  bool preserve_nan = false;
  /// match_template with a template mask: windows where fewer than min_overlap template pixels
  /// meet valid (finite) image pixels score 0.
  std::size_t min_overlap = 0;
  /// The axes to convolve along (negative numbers count from the end); empty, the
  /// default, means every axis. Along the other axes (batch axes) image and kernel broadcast as
  /// in numpy and scipy.signal.fftconvolve(axes=...): equal lengths, or length 1 in one of them,
  /// and the output has the larger length in every mode. A kernel of lower rank than the image
  /// is aligned to the image's last axes (leading axes of length 1), only with explicit axes.
  /// A stack of frames (n, ny, nx) with one kernel (ky, kx) and axes {1, 2} computes the
  /// kernel's spectrum once for all frames and threads across frames. Repeated or out-of-range
  /// axes are refused. convolve, correlate, Filter (whose apply also takes a stack with extra
  /// leading axes), output_shape, reference_convolve/correlate and error_bound honour it;
  /// convolve_masked, match_template and predicted_seconds refuse batch axes. More than 3
  /// convolved axes run as a sum of 3-D convolutions over the kernel's taps along the leading
  /// ones (nan_policy interpolate refused there). README, "Axes and stacks".
  Axes axes = Axes();
  /// The shift of the output window relative to `same`, per image axis (empty, the default: no
  /// shift). Along axis a, with k the kernel's length and out_same the `same` result extended
  /// beyond its ends by the same formula (the image extended by the boundary rule):
  ///     out[i] = out_same[i + origin[a]] = full[i + (k - 1) / 2 + origin[a]]
  /// (full: the `full` result's index; integer division). So a positive origin moves the
  /// kernel's footprint over the image towards higher indices: an impulse at image pixel j
  /// convolved with a delta kernel at its centre tap lands at output j - origin[a]. It must lie in
  /// [-(k - 1) / 2, k / 2], where output pixel i's image pixel i stays under the kernel, and be 0
  /// along batch axes; non-zero only in Mode::same (refused in full and valid). Convolve and
  /// correlate shift alike, so correlate(I, g) == convolve(I, flip(g)) holds for every origin.
  /// scipy.ndimage's `origin` o is this with the opposite sign for correlate (origin = -o) and
  /// origin = o + (1 if k is even) for convolve (its even kernels centre at k / 2): the Python
  /// package's fftconv.ndimage maps them. Honoured by every function taking Options except
  /// match_template, which ignores it.
  Offsets origin = Offsets();
};

}  // namespace fftconv
