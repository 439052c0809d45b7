/* fftconv C API: plain C99, usable from C, Fortran (iso_c_binding), Python ctypes and Julia.
 *
 * Arrays are contiguous in C order (last axis fastest), rank 1 to 8 (the axes convolved:
 * options.axes_mask). Every function returns a
 * status (FFTCONV_OK = 0 on success) and never lets a C++ exception escape; on failure it writes
 * nothing to its outputs, and fftconv_last_error() returns a message naming the bad argument
 * (per thread, valid until that thread's next fftconv call). Semantics are those of the C++ API
 * (fftconv/convolve.hpp): convolution flips the kernel, correlation does not, and modes follow
 * scipy.signal. */
#ifndef FFTCONV_FFTCONV_H
#define FFTCONV_FFTCONV_H

#include <stddef.h>

#if defined(FFTCONV_STATIC)
#define FFTCONV_C_API
#elif defined(_WIN32)
#if defined(FFTCONV_BUILDING)
#define FFTCONV_C_API __declspec(dllexport)
#else
#define FFTCONV_C_API __declspec(dllimport)
#endif
#elif defined(__GNUC__)
#define FFTCONV_C_API __attribute__((visibility("default")))
#else
#define FFTCONV_C_API
#endif

#ifdef __cplusplus
extern "C" {
#endif

enum { FFTCONV_MODE_FULL = 0, FFTCONV_MODE_SAME = 1, FFTCONV_MODE_VALID = 2 };
enum {
  FFTCONV_BOUNDARY_ZERO = 0,
  FFTCONV_BOUNDARY_CONSTANT = 1,
  FFTCONV_BOUNDARY_REFLECT = 2,
  FFTCONV_BOUNDARY_MIRROR = 3,
  FFTCONV_BOUNDARY_NEAREST = 4,
  FFTCONV_BOUNDARY_WRAP = 5
};
enum {
  FFTCONV_METHOD_AUTOMATIC = 0,
  FFTCONV_METHOD_DIRECT = 1,
  FFTCONV_METHOD_FFT = 2,
  FFTCONV_METHOD_SEPARABLE = 3,
  FFTCONV_METHOD_OVERLAP_SAVE = 4
};
enum { FFTCONV_PLANNING_ESTIMATE = 0, FFTCONV_PLANNING_MEASURE = 1, FFTCONV_PLANNING_PATIENT = 2 };

/* Status codes. */
enum {
  FFTCONV_OK = 0,
  FFTCONV_INVALID_ARGUMENT = 1,
  FFTCONV_OUT_OF_MEMORY = 2,
  FFTCONV_INTERNAL_ERROR = 3
};

/* Missing pixels: fftconv::NanPolicy (see fftconv/options.hpp). */
enum { FFTCONV_NAN_PROPAGATE = 0, FFTCONV_NAN_INTERPOLATE = 1, FFTCONV_NAN_FILL = 2 };

/* compute_precision: fftconv::Precision (see fftconv/options.hpp). */
enum { FFTCONV_PRECISION_NATIVE = 0, FFTCONV_PRECISION_DOUBLE = 1 };

/* Options, the C++ Options field by field. Always start from fftconv_options_default (or pass
 * NULL for the defaults): mode SAME, boundary ZERO, fill_value 0, method AUTOMATIC, threads 1
 * (0 = all the threads the process can run at once, its CPU affinity and cgroup CPU quota
 * included, see fftconv/options.hpp; more is clamped to them), planning ESTIMATE,
 * nan_policy PROPAGATE, min_weight 1e-3, preserve_nan 0, normalize_kernel 0, min_overlap 0,
 * max_memory_bytes SIZE_MAX (no limit), compute_precision NATIVE, nonnegative 0, axes_mask 0,
 * origin all 0.
 *
 * Extensible: struct_size, the first member, is the size of the layout the caller was compiled
 * with (fftconv_options_default sets it to sizeof(fftconv_options)). 0.3's layout (up to
 * nonnegative) is the first with struct_size; 0.4 appended axes_mask, 0.5 origin. Releases only
 * ever append fields, and each library accepts the size of every release's layout from 0.3 on: it
 * reads the fields the caller's struct_size covers and takes the defaults for the later ones, so a
 * program built against an older header keeps working with a newer library. Any other struct_size
 * (larger than the library's own fftconv_options: a newer header than the library; or not the size
 * of a released layout) is refused with FFTCONV_INVALID_ARGUMENT and a message naming struct_size
 * and the value. */
typedef struct fftconv_options {
  size_t struct_size; /* sizeof(fftconv_options) as the caller knows it */
  int mode;
  int boundary;
  double fill_value;
  int method;
  int threads;
  int planning;
  int nan_policy;
  double min_weight;
  int preserve_nan;        /* 0 or 1 */
  int normalize_kernel;    /* 0 or 1 */
  size_t min_overlap;      /* fftconv_match_template with a template mask */
  size_t max_memory_bytes; /* working memory limit of one call (out of memory status beyond) */
  int compute_precision;   /* FFTCONV_PRECISION_NATIVE or _DOUBLE (float data in double) */
  int nonnegative;         /* 0 or 1: clamp outputs at 0 (a promise the data are >= 0) */
  /* 0.4: bit i set = convolve along axis i (bits 0 to 7); 0 = every axis. The
   * other axes are batch axes: image and kernel lengths equal or 1 there, the output the larger
   * (C++ Options::axes; README, "Axes and stacks"). */
  unsigned axes_mask;
  /* 0.5: the shift of the output window relative to mode SAME along image axis i (entries from
   * the array's rank on must be 0); all 0 = no shift. Non-zero only in mode SAME, 0 along batch
   * axes, and within [-(k-1)/2, k/2] for a kernel of length k (C++ Options::origin:
   * out[i] = same[i + origin]). */
  ptrdiff_t origin[8];
} fftconv_options;

/* The defaults for the first struct_size bytes of *options (the fields a struct of that size
 * holds; struct_size is stored too). struct_size must be the size of a released layout (see
 * above); any other, or a NULL options, is refused with FFTCONV_INVALID_ARGUMENT and a message,
 * and nothing is written. fftconv_options_default(o) is
 * fftconv_options_init(o, sizeof(fftconv_options)): as a macro, a C program passes the size it
 * was compiled with, so a newer library never writes past an older program's struct. Bindings
 * that call the exported fftconv_options_default function must mirror this header's layout;
 * those mirroring an older one call fftconv_options_init with their own size. */
FFTCONV_C_API int fftconv_options_init(fftconv_options* options, size_t struct_size);
FFTCONV_C_API int fftconv_options_default(fftconv_options* options);
#define fftconv_options_default(options) fftconv_options_init((options), sizeof(fftconv_options))

/* The message of this thread's last failed call ("" if none). */
FFTCONV_C_API const char* fftconv_last_error(void);

/* The names of the enum fields of fftconv_options (`field`: "mode", "boundary", "method",
 * "planning", "nan_policy" or "compute_precision"; fftconv_deconvolution_options' "edges",
 * "acceleration", and fftconv_wiener's "regularizer"), the C++ enumerators' (fftconv/names.hpp):
 * "same", "reflect", "overlap_save", "double_precision", ... fftconv_option_name sets *name to
 * the value's name, a static string (never freed); fftconv_option_value sets *value to the value
 * named `name` (exactly, lower case). An unknown field, value or name is refused with
 * FFTCONV_INVALID_ARGUMENT and a message naming it and listing what the field takes:
 *   fftconv_option_value("boundary", "reflect", &options.boundary);
 *   fftconv_option_name("method", fftconv_filter_method(filter), &name); */
FFTCONV_C_API int fftconv_option_name(const char* field, int value, const char** name);
FFTCONV_C_API int fftconv_option_value(const char* field, const char* name, int* value);

/* out_shape[0 .. rank) = the result's shape for `mode`, convolving along every axis.
 * With options.axes_mask the listed axes follow the mode and along the others the output has the
 * larger of the image's and the kernel's length. */
FFTCONV_C_API int fftconv_output_shape(int rank, const size_t* image_shape,
                                       const size_t* kernel_shape, int mode, size_t* out_shape);

/* out = convolve / correlate(image, kernel). out has the shape fftconv_output_shape gives;
 * options may be NULL for the defaults. out may be the same array as image. */
FFTCONV_C_API int fftconv_convolve_f64(int rank, const size_t* image_shape, const double* image,
                                       const size_t* kernel_shape, const double* kernel,
                                       double* out, const fftconv_options* options);
FFTCONV_C_API int fftconv_correlate_f64(int rank, const size_t* image_shape, const double* image,
                                        const size_t* kernel_shape, const double* kernel,
                                        double* out, const fftconv_options* options);
FFTCONV_C_API int fftconv_convolve_f32(int rank, const size_t* image_shape, const float* image,
                                       const size_t* kernel_shape, const float* kernel, float* out,
                                       const fftconv_options* options);
FFTCONV_C_API int fftconv_correlate_f32(int rank, const size_t* image_shape, const float* image,
                                        const size_t* kernel_shape, const float* kernel, float* out,
                                        const fftconv_options* options);

/* Complex data: interleaved real and imaginary parts, the layout of C99's float _Complex and
 * double _Complex (and of C++'s std::complex, numpy's complex64 and complex128): pass a
 * float _Complex array as (fftconv_c64*). Shapes count complex elements. _c64 / _c128: complex
 * image and kernel; _f32_c64 / _f64_c128: a real image and a complex kernel; _c64_f32 /
 * _c128_f64: a complex image and a real kernel; the output is always complex. Correlation
 * conjugates the kernel (scipy.signal): correlate(I, g) = convolve(I, conj(flip(g))).
 * options->nonnegative, normalize_kernel and a nan_policy other than PROPAGATE are refused. */
typedef struct fftconv_c64 {
  float re, im;
} fftconv_c64;
typedef struct fftconv_c128 {
  double re, im;
} fftconv_c128;

FFTCONV_C_API int fftconv_convolve_c64(int rank, const size_t* image_shape,
                                       const fftconv_c64* image, const size_t* kernel_shape,
                                       const fftconv_c64* kernel, fftconv_c64* out,
                                       const fftconv_options* options);
FFTCONV_C_API int fftconv_convolve_c128(int rank, const size_t* image_shape,
                                        const fftconv_c128* image, const size_t* kernel_shape,
                                        const fftconv_c128* kernel, fftconv_c128* out,
                                        const fftconv_options* options);
FFTCONV_C_API int fftconv_convolve_f32_c64(int rank, const size_t* image_shape, const float* image,
                                           const size_t* kernel_shape, const fftconv_c64* kernel,
                                           fftconv_c64* out, const fftconv_options* options);
FFTCONV_C_API int fftconv_convolve_c64_f32(int rank, const size_t* image_shape,
                                           const fftconv_c64* image, const size_t* kernel_shape,
                                           const float* kernel, fftconv_c64* out,
                                           const fftconv_options* options);
FFTCONV_C_API int fftconv_convolve_f64_c128(int rank, const size_t* image_shape,
                                            const double* image, const size_t* kernel_shape,
                                            const fftconv_c128* kernel, fftconv_c128* out,
                                            const fftconv_options* options);
FFTCONV_C_API int fftconv_convolve_c128_f64(int rank, const size_t* image_shape,
                                            const fftconv_c128* image, const size_t* kernel_shape,
                                            const double* kernel, fftconv_c128* out,
                                            const fftconv_options* options);
FFTCONV_C_API int fftconv_correlate_c64(int rank, const size_t* image_shape,
                                        const fftconv_c64* image, const size_t* kernel_shape,
                                        const fftconv_c64* kernel, fftconv_c64* out,
                                        const fftconv_options* options);
FFTCONV_C_API int fftconv_correlate_c128(int rank, const size_t* image_shape,
                                         const fftconv_c128* image, const size_t* kernel_shape,
                                         const fftconv_c128* kernel, fftconv_c128* out,
                                         const fftconv_options* options);
FFTCONV_C_API int fftconv_correlate_f32_c64(int rank, const size_t* image_shape, const float* image,
                                            const size_t* kernel_shape, const fftconv_c64* kernel,
                                            fftconv_c64* out, const fftconv_options* options);
FFTCONV_C_API int fftconv_correlate_c64_f32(int rank, const size_t* image_shape,
                                            const fftconv_c64* image, const size_t* kernel_shape,
                                            const float* kernel, fftconv_c64* out,
                                            const fftconv_options* options);
FFTCONV_C_API int fftconv_correlate_f64_c128(int rank, const size_t* image_shape,
                                             const double* image, const size_t* kernel_shape,
                                             const fftconv_c128* kernel, fftconv_c128* out,
                                             const fftconv_options* options);
FFTCONV_C_API int fftconv_correlate_c128_f64(int rank, const size_t* image_shape,
                                             const fftconv_c128* image, const size_t* kernel_shape,
                                             const double* kernel, fftconv_c128* out,
                                             const fftconv_options* options);

/* A kernel planned once for images of one shape (fftconv::Filter). apply on one handle from many
 * threads at once is safe. A handle made by _f64 must be applied with _f64, _f32 with _f32, _c64
 * with _c64, _c128 with _c128 (otherwise FFTCONV_INVALID_ARGUMENT). correlate: 0 for convolution,
 * 1 for correlation. */
typedef struct fftconv_filter fftconv_filter;

FFTCONV_C_API int fftconv_filter_create_f64(fftconv_filter** filter, int rank,
                                            const size_t* image_shape, const size_t* kernel_shape,
                                            const double* kernel, int correlate,
                                            const fftconv_options* options);
FFTCONV_C_API int fftconv_filter_create_f32(fftconv_filter** filter, int rank,
                                            const size_t* image_shape, const size_t* kernel_shape,
                                            const float* kernel, int correlate,
                                            const fftconv_options* options);
FFTCONV_C_API int fftconv_filter_apply_f64(const fftconv_filter* filter, const double* image,
                                           double* out);
FFTCONV_C_API int fftconv_filter_apply_f32(const fftconv_filter* filter, const float* image,
                                           float* out);
FFTCONV_C_API int fftconv_filter_create_c64(fftconv_filter** filter, int rank,
                                            const size_t* image_shape, const size_t* kernel_shape,
                                            const fftconv_c64* kernel, int correlate,
                                            const fftconv_options* options);
FFTCONV_C_API int fftconv_filter_create_c128(fftconv_filter** filter, int rank,
                                             const size_t* image_shape, const size_t* kernel_shape,
                                             const fftconv_c128* kernel, int correlate,
                                             const fftconv_options* options);
FFTCONV_C_API int fftconv_filter_apply_c64(const fftconv_filter* filter, const fftconv_c64* image,
                                           fftconv_c64* out);
FFTCONV_C_API int fftconv_filter_apply_c128(const fftconv_filter* filter, const fftconv_c128* image,
                                            fftconv_c128* out);
/* The method the filter runs, as an FFTCONV_METHOD_ value (never AUTOMATIC: the one automatic
 * chose); -1 for a NULL filter (fftconv_last_error then names it). */
FFTCONV_C_API int fftconv_filter_method(const fftconv_filter* filter);
/* NULL is a no-op. */
FFTCONV_C_API void fftconv_filter_destroy(fftconv_filter* filter);

/* fftconv::convolve_masked (fftconv/masked.hpp): values = the convolution under
 * options->nan_policy with the pixels where mask is non-zero treated like NaN; weight = the
 * coverage map conv(M, k). mask has the image's shape (NULL: no mask); weight may be NULL. values
 * and weight have the shape fftconv_output_shape gives. */
FFTCONV_C_API int fftconv_convolve_masked_f64(int rank, const size_t* image_shape,
                                              const double* image, const unsigned char* mask,
                                              const size_t* kernel_shape, const double* kernel,
                                              double* values, double* weight,
                                              const fftconv_options* options);
FFTCONV_C_API int fftconv_convolve_masked_f32(int rank, const size_t* image_shape,
                                              const float* image, const unsigned char* mask,
                                              const size_t* kernel_shape, const float* kernel,
                                              float* values, float* weight,
                                              const fftconv_options* options);

/* fftconv::match_template (fftconv/match.hpp): score = the zero-mean normalized
 * cross-correlation at every valid position (shape: fftconv_output_shape with
 * FFTCONV_MODE_VALID). templ_mask: NULL, or the template's shape with non-zero where the template
 * is (masked form; options->min_overlap applies). */
FFTCONV_C_API int fftconv_match_template_f64(int rank, const size_t* image_shape,
                                             const double* image, const size_t* templ_shape,
                                             const double* templ, const unsigned char* templ_mask,
                                             double* score, const fftconv_options* options);
FFTCONV_C_API int fftconv_match_template_f32(int rank, const size_t* image_shape,
                                             const float* image, const size_t* templ_shape,
                                             const float* templ, const unsigned char* templ_mask,
                                             float* score, const fftconv_options* options);

/* fftconv::find_peaks: the strongest local maxima >= threshold of a score map, more than
 * min_distance pixels apart. Writes at most max_peaks: positions[i * rank + axis] (sub-pixel)
 * and values[i], strongest first; *count = how many were written. */
FFTCONV_C_API int fftconv_find_peaks_f64(int rank, const size_t* shape, const double* score,
                                         double threshold, size_t min_distance, size_t max_peaks,
                                         double* positions, double* values, size_t* count);

/* ---- Deconvolution (fftconv/deconvolve.hpp; README, "Deconvolution and frequency filters") ----
 * image, psf and out are contiguous C-order arrays of rank 1 to 3; the PSF has the image's rank;
 * out has the image's shape. */
enum { FFTCONV_EDGES_ZERO = 0, FFTCONV_EDGES_PERIODIC = 1, FFTCONV_EDGES_EXTENDED = 2 };
enum { FFTCONV_ACCELERATION_NONE = 0, FFTCONV_ACCELERATION_BIGGS_ANDREWS = 1 };
enum { FFTCONV_REGULARIZER_LAPLACIAN = 0, FFTCONV_REGULARIZER_IDENTITY = 1 };

/* Called after each iteration with its number (1, 2, ...) and the relative change of the
 * estimate; return 0 to stop there (out then holds that iteration's estimate), non-zero to go
 * on. */
typedef int (*fftconv_progress_fn)(void* user_data, int iteration, double relative_change);

/* The options of fftconv_richardson_lucy_* and fftconv_landweber_*, the C++
 * RichardsonLucyOptions and LandweberOptions field by field. Start from
 * fftconv_deconvolution_options_default (or pass NULL): iterations 50, acceleration NONE,
 * edges ZERO, filter_epsilon 0, clip 0, tv_regularization 0, mask NULL, start_from_out 0,
 * threads 1, planning ESTIMATE, method AUTOMATIC, max_memory_bytes SIZE_MAX, progress NULL,
 * alpha 1, positivity 1. struct_size as fftconv_options' (releases only append fields). */
typedef struct fftconv_deconvolution_options {
  size_t struct_size;
  int iterations;
  int acceleration;          /* richardson_lucy: FFTCONV_ACCELERATION_ */
  int edges;                 /* FFTCONV_EDGES_ */
  double filter_epsilon;     /* richardson_lucy: scikit-image's (0 = off) */
  int clip;                  /* 0 or 1: the result clipped to [-1, 1] */
  double tv_regularization;  /* richardson_lucy: 0 <= lambda < 1 / (2 rank) */
  const unsigned char* mask; /* NULL, or the image's shape: non-zero = bad pixel */
  int start_from_out;        /* 0 or 1: start from the values out holds */
  int threads;
  int planning;
  int method; /* FFTCONV_METHOD_ of the convolutions */
  size_t max_memory_bytes;
  fftconv_progress_fn progress; /* NULL: none */
  void* progress_data;          /* passed to progress */
  double alpha;                 /* landweber: the relative step, 0 < alpha < 2 */
  int positivity;               /* landweber: 0 or 1 */
} fftconv_deconvolution_options;

FFTCONV_C_API int fftconv_deconvolution_options_init(fftconv_deconvolution_options* options,
                                                     size_t struct_size);
#define fftconv_deconvolution_options_default(options) \
  fftconv_deconvolution_options_init((options), sizeof(fftconv_deconvolution_options))

/* Richardson-Lucy deconvolution (fftconv::richardson_lucy). */
FFTCONV_C_API int fftconv_richardson_lucy_f64(int rank, const size_t* image_shape,
                                              const double* image, const size_t* psf_shape,
                                              const double* psf, double* out,
                                              const fftconv_deconvolution_options* options);
FFTCONV_C_API int fftconv_richardson_lucy_f32(int rank, const size_t* image_shape,
                                              const float* image, const size_t* psf_shape,
                                              const float* psf, float* out,
                                              const fftconv_deconvolution_options* options);
/* Projected Landweber iteration (fftconv::landweber). */
FFTCONV_C_API int fftconv_landweber_f64(int rank, const size_t* image_shape, const double* image,
                                        const size_t* psf_shape, const double* psf, double* out,
                                        const fftconv_deconvolution_options* options);
FFTCONV_C_API int fftconv_landweber_f32(int rank, const size_t* image_shape, const float* image,
                                        const size_t* psf_shape, const float* psf, float* out,
                                        const fftconv_deconvolution_options* options);
/* Wiener-Hunt deconvolution (fftconv::wiener): balance >= 0, regularizer FFTCONV_REGULARIZER_,
 * edges FFTCONV_EDGES_ (PERIODIC is scikit-image's), clip 0 or 1, threads as fftconv_options'. */
FFTCONV_C_API int fftconv_wiener_f64(int rank, const size_t* image_shape, const double* image,
                                     const size_t* psf_shape, const double* psf, double* out,
                                     double balance, int regularizer, int edges, int clip,
                                     int threads);
FFTCONV_C_API int fftconv_wiener_f32(int rank, const size_t* image_shape, const float* image,
                                     const size_t* psf_shape, const float* psf, float* out,
                                     double balance, int regularizer, int edges, int clip,
                                     int threads);

/* ---- Frequency filters (fftconv/frequency.hpp; README, "Deconvolution and frequency filters")
 * ---- The image's spectrum multiplied by a transfer function H (fftconv::frequency_filter,
 * butterworth, gaussian_lowpass, band_pass, fourier_shift), with the C++ functions' semantics,
 * checks and messages. image and out are contiguous C-order arrays of rank 1 to 3 and the same
 * `shape`, of float (_f32) or double (_f64); out may be the same array as image (the image is
 * read whole first). Frequencies are in cycles per sample, numpy.fft.fftfreq's convention, axis 0
 * first. On failure out is untouched. */

/* The options of the frequency filters, the C++ FrequencyOptions field by field. Start from
 * fftconv_frequency_options_default (or pass NULL): boundary WRAP with padding 0 (circular
 * filtering over the image itself, as numpy and scikit-image), fill_value 0, threads 1,
 * planning ESTIMATE, max_memory_bytes SIZE_MAX. struct_size as fftconv_options' (releases only
 * append fields; 0.6's layout is the first). */
typedef struct fftconv_frequency_options {
  size_t struct_size;
  int boundary;            /* FFTCONV_BOUNDARY_: how the image is extended before the transform */
  size_t padding;          /* samples added at each end of every axis (0 with WRAP: none) */
  double fill_value;       /* FFTCONV_BOUNDARY_CONSTANT's value */
  int threads;             /* as fftconv_options' (0 = all) */
  int planning;            /* FFTCONV_PLANNING_ */
  size_t max_memory_bytes; /* working memory limit of one call (out of memory status beyond) */
} fftconv_frequency_options;

FFTCONV_C_API int fftconv_frequency_options_init(fftconv_frequency_options* options,
                                                 size_t struct_size);
#define fftconv_frequency_options_default(options) \
  fftconv_frequency_options_init((options), sizeof(fftconv_frequency_options))

/* grid_shape[0 .. rank) = the transform grid's length per axis for an image of `shape`
 * (fftconv::frequency_grid_shape): the shape itself for WRAP with padding 0, else
 * next_fast_size(n + 2 padding). Reads options' boundary and padding only. */
FFTCONV_C_API int fftconv_frequency_grid_shape(int rank, const size_t* shape,
                                               const fftconv_frequency_options* options,
                                               size_t* grid_shape);

/* scikit-image's filters.butterworth: H = 1 / (1 + (|f| / cutoff_frequency_ratio)^(2 order)),
 * high_pass (0 or 1) 1 - H; cutoff_frequency_ratio finite and > 0, order finite and >= 0. */
FFTCONV_C_API int fftconv_butterworth_f64(int rank, const size_t* shape, const double* image,
                                          double* out, double cutoff_frequency_ratio, int high_pass,
                                          double order, const fftconv_frequency_options* options);
FFTCONV_C_API int fftconv_butterworth_f32(int rank, const size_t* shape, const float* image,
                                          float* out, double cutoff_frequency_ratio, int high_pass,
                                          double order, const fftconv_frequency_options* options);
/* H = exp(-|f|^2 / (2 sigma_frequency^2)), sigma_frequency finite and > 0. */
FFTCONV_C_API int fftconv_gaussian_lowpass_f64(int rank, const size_t* shape, const double* image,
                                               double* out, double sigma_frequency,
                                               const fftconv_frequency_options* options);
FFTCONV_C_API int fftconv_gaussian_lowpass_f32(int rank, const size_t* shape, const float* image,
                                               float* out, double sigma_frequency,
                                               const fftconv_frequency_options* options);
/* The Butterworth low-pass at high_cutoff minus the one at low_cutoff (0 < low < high). */
FFTCONV_C_API int fftconv_band_pass_f64(int rank, const size_t* shape, const double* image,
                                        double* out, double low_cutoff, double high_cutoff,
                                        double order, const fftconv_frequency_options* options);
FFTCONV_C_API int fftconv_band_pass_f32(int rank, const size_t* shape, const float* image,
                                        float* out, double low_cutoff, double high_cutoff,
                                        double order, const fftconv_frequency_options* options);
/* out[x] = image[x - shift] by band-limited interpolation, H = exp(-2 pi i f . shift); shift
 * holds `rank` finite values (samples, axis 0 first). */
FFTCONV_C_API int fftconv_fourier_shift_f64(int rank, const size_t* shape, const double* image,
                                            double* out, const double* shift,
                                            const fftconv_frequency_options* options);
FFTCONV_C_API int fftconv_fourier_shift_f32(int rank, const size_t* shape, const float* image,
                                            float* out, const double* shift,
                                            const fftconv_frequency_options* options);
/* H given as an array over the grid's bins (fftconv_frequency_grid_shape: L), C order, of the
 * image's precision (_f64: fftconv_c128, _f32: fftconv_c64), of `rank` axes: transfer_shape L
 * (the full spectrum, numpy.fft.fftn's layout; its Hermitian part is applied) or L with the last
 * axis L / 2 + 1 (the half spectrum, numpy.fft.rfftn's layout, used as irfftn reads it). Any
 * other shape, and non-finite values, are refused naming them. */
FFTCONV_C_API int fftconv_frequency_filter_f64(int rank, const size_t* shape, const double* image,
                                               double* out, const size_t* transfer_shape,
                                               const fftconv_c128* transfer,
                                               const fftconv_frequency_options* options);
FFTCONV_C_API int fftconv_frequency_filter_f32(int rank, const size_t* shape, const float* image,
                                               float* out, const size_t* transfer_shape,
                                               const fftconv_c64* transfer,
                                               const fftconv_frequency_options* options);

/* A transfer function: sets *re and *im (0 on entry) to H at the frequency vector `frequency`
 * (`rank` values) and returns 0; a non-zero return is failure. */
typedef int (*fftconv_transfer_fn)(void* user_data, const double* frequency, int rank, double* re,
                                   double* im);
/* H computed by `transfer` (with user_data), called on the calling thread once per bin of the
 * full grid, in no specified order, after the argument checks; its Hermitian part is applied
 * (the result is numpy.fft.ifftn(H * fftn(grid)).real, windowed). A non-zero return, or a
 * non-finite *re or *im, stops the call with FFTCONV_INVALID_ARGUMENT and a message naming the
 * callback, the frequency and the value. */
FFTCONV_C_API int fftconv_frequency_filter_fn_f64(int rank, const size_t* shape,
                                                  const double* image, double* out,
                                                  fftconv_transfer_fn transfer, void* user_data,
                                                  const fftconv_frequency_options* options);
FFTCONV_C_API int fftconv_frequency_filter_fn_f32(int rank, const size_t* shape, const float* image,
                                                  float* out, fftconv_transfer_fn transfer,
                                                  void* user_data,
                                                  const fftconv_frequency_options* options);

#ifdef __cplusplus
}
#endif

#endif /* FFTCONV_FFTCONV_H */
