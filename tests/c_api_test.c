/* The C API from C99: defaults, results (the hand-computed 3x3 example of the C++ tests), a
 * filter applied from several threads, and every refused argument giving a status, a message
 * and an untouched output. Prints "N passed, N failed" and exits non-zero on any failure. */
#include <complex.h>
#include <math.h>
#include <pthread.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "fftconv/fftconv.h"

static int passed = 0, failed = 0;

static void check(int ok, const char* what) {
  if (ok) {
    ++passed;
  } else {
    ++failed;
    fprintf(stderr, "FAILED: %s (last error: %s)\n", what, fftconv_last_error());
  }
}

static int close_to(const double* a, const double* b, size_t n) {
  for (size_t i = 0; i < n; ++i)
    if (fabs(a[i] - b[i]) > 1e-12) return 0;
  return 1;
}

static const double image[9] = {1, 2, 3, 4, 5, 6, 7, 8, 9};
static const double kernel[9] = {0, 1, 0, 0, 0, 0, 0, 0, 2}; /* 1 at (0,1), 2 at (2,2) */
static const size_t shape3[2] = {3, 3};

typedef struct {
  const fftconv_filter* filter;
  int ok;
} job;

static void* apply_many(void* arg) {
  job* j = (job*)arg;
  const double expected[9] = {4, 5, 6, 7, 10, 13, 0, 8, 10};
  j->ok = 1;
  for (int i = 0; i < 200; ++i) {
    double out[9];
    if (fftconv_filter_apply_f64(j->filter, image, out) != FFTCONV_OK ||
        !close_to(out, expected, 9))
      j->ok = 0;
  }
  return NULL;
}

int main(void) {
  fftconv_options o;
  fftconv_options_default(&o);
  check(o.mode == FFTCONV_MODE_SAME && o.boundary == FFTCONV_BOUNDARY_ZERO && o.fill_value == 0 &&
            o.method == FFTCONV_METHOD_AUTOMATIC && o.threads == 1 &&
            o.planning == FFTCONV_PLANNING_ESTIMATE && o.nan_policy == FFTCONV_NAN_PROPAGATE &&
            o.min_weight == 1e-3 && o.preserve_nan == 0 && o.normalize_kernel == 0 &&
            o.min_overlap == 0 && o.max_memory_bytes == SIZE_MAX &&
            o.compute_precision == FFTCONV_PRECISION_NATIVE && o.nonnegative == 0,
        "defaults equal the C++ Options defaults");
  check(o.struct_size == sizeof(fftconv_options), "struct_size set by fftconv_options_default");

  /* convolve flips the kernel, correlate does not (same mode, zero boundary) */
  const double conv_expected[9] = {4, 5, 6, 7, 10, 13, 0, 8, 10};
  const double corr_expected[9] = {10, 12, 0, 17, 20, 3, 4, 5, 6};
  for (int method = FFTCONV_METHOD_AUTOMATIC; method <= FFTCONV_METHOD_FFT; ++method) {
    double out[9];
    o.method = method;
    check(fftconv_convolve_f64(2, shape3, image, shape3, kernel, out, &o) == FFTCONV_OK &&
              close_to(out, conv_expected, 9),
          "convolve_f64, hand-computed");
    check(fftconv_correlate_f64(2, shape3, image, shape3, kernel, out, &o) == FFTCONV_OK &&
              close_to(out, corr_expected, 9),
          "correlate_f64, hand-computed");
    float fi[9], fk[9], fo[9];
    for (int i = 0; i < 9; ++i) {
      fi[i] = (float)image[i];
      fk[i] = (float)kernel[i];
    }
    int ok = fftconv_convolve_f32(2, shape3, fi, shape3, fk, fo, &o) == FFTCONV_OK;
    for (int i = 0; i < 9; ++i)
      ok = ok && fabs(fo[i] - conv_expected[i]) < 1e-5;
    check(ok, "convolve_f32, hand-computed");
  }
  fftconv_options_default(&o);
  check(fftconv_convolve_f64(2, shape3, image, shape3, kernel, (double[9]){0}, NULL) == FFTCONV_OK,
        "NULL options means the defaults");

  /* Complex data, C99 double _Complex arrays passed as fftconv_c128: image I (real values), kernel
   * i g: convolve gives i conv(I, g); correlate conjugates the kernel: -i corr(I, g). */
  {
    double _Complex ci[9], ck[9], co[9];
    for (int i = 0; i < 9; ++i) {
      ci[i] = image[i];
      ck[i] = kernel[i] * I;
    }
    int ok = fftconv_convolve_c128(2, shape3, (const fftconv_c128*)ci, shape3,
                                   (const fftconv_c128*)ck, (fftconv_c128*)co, NULL) == FFTCONV_OK;
    for (int i = 0; i < 9; ++i)
      ok = ok && fabs(creal(co[i])) < 1e-12 && fabs(cimag(co[i]) - conv_expected[i]) < 1e-12;
    check(ok, "convolve_c128: i g gives i conv(I, g)");
    ok = fftconv_correlate_c128(2, shape3, (const fftconv_c128*)ci, shape3, (const fftconv_c128*)ck,
                                (fftconv_c128*)co, NULL) == FFTCONV_OK;
    for (int i = 0; i < 9; ++i)
      ok = ok && fabs(creal(co[i])) < 1e-12 && fabs(cimag(co[i]) + corr_expected[i]) < 1e-12;
    check(ok, "correlate_c128 conjugates the kernel: -i corr(I, g)");
    /* a real image with the complex kernel (1 + i) g, and a complex image i I with the real g */
    for (int i = 0; i < 9; ++i)
      ck[i] = kernel[i] * (1 + I);
    ok = fftconv_convolve_f64_c128(2, shape3, image, shape3, (const fftconv_c128*)ck,
                                   (fftconv_c128*)co, NULL) == FFTCONV_OK;
    for (int i = 0; i < 9; ++i)
      ok = ok && fabs(creal(co[i]) - conv_expected[i]) < 1e-12 &&
           fabs(cimag(co[i]) - conv_expected[i]) < 1e-12;
    check(ok, "convolve_f64_c128: a real image, a complex kernel");
    for (int i = 0; i < 9; ++i)
      ci[i] = image[i] * I;
    ok = fftconv_correlate_c128_f64(2, shape3, (const fftconv_c128*)ci, shape3, kernel,
                                    (fftconv_c128*)co, NULL) == FFTCONV_OK;
    for (int i = 0; i < 9; ++i)
      ok = ok && fabs(creal(co[i])) < 1e-12 && fabs(cimag(co[i]) - corr_expected[i]) < 1e-12;
    check(ok, "correlate_c128_f64: a complex image, a real kernel");
    /* float _Complex, and a filter handle */
    float _Complex fi[9], fk[9], fo[9];
    for (int i = 0; i < 9; ++i) {
      fi[i] = (float)image[i];
      fk[i] = (float)kernel[i] * I;
    }
    fftconv_filter* cf = NULL;
    ok = fftconv_filter_create_c64(&cf, 2, shape3, shape3, (const fftconv_c64*)fk, 0, NULL) ==
             FFTCONV_OK &&
         fftconv_filter_apply_c64(cf, (const fftconv_c64*)fi, (fftconv_c64*)fo) == FFTCONV_OK;
    for (int i = 0; i < 9; ++i)
      ok = ok && fabsf(crealf(fo[i])) < 1e-5f &&
           fabsf(cimagf(fo[i]) - (float)conv_expected[i]) < 1e-5f;
    check(ok, "filter_create_c64 / filter_apply_c64");
    check(fftconv_filter_apply_c128(cf, (const fftconv_c128*)ci, (fftconv_c128*)co) ==
                  FFTCONV_INVALID_ARGUMENT &&
              strstr(fftconv_last_error(), "created for complex float (_c64) data") != NULL,
          "a _c64 filter applied with _c128 is refused, naming what it holds");
    fftconv_filter_destroy(cf);
    fftconv_options n;
    fftconv_options_default(&n);
    n.nonnegative = 1;
    check(fftconv_convolve_c64(2, shape3, (const fftconv_c64*)fi, shape3, (const fftconv_c64*)fk,
                               (fftconv_c64*)fo, &n) == FFTCONV_INVALID_ARGUMENT &&
              strstr(fftconv_last_error(), "nonnegative is for real data") != NULL,
          "nonnegative is refused for complex data");
  }

  size_t out_shape[2] = {0, 0};
  const size_t image_shape[2] = {10, 4}, kernel_shape[2] = {4, 5};
  check(fftconv_output_shape(2, image_shape, kernel_shape, FFTCONV_MODE_FULL, out_shape) ==
                FFTCONV_OK &&
            out_shape[0] == 13 && out_shape[1] == 8,
        "output_shape full");
  check(fftconv_output_shape(2, image_shape, kernel_shape, FFTCONV_MODE_VALID, out_shape) ==
                FFTCONV_OK &&
            out_shape[0] == 7 && out_shape[1] == 0,
        "output_shape valid, empty");

  /* refused arguments: status, message, untouched output */
  double out[9];
  for (int i = 0; i < 9; ++i)
    out[i] = -7;
  const size_t zero_shape[2] = {3, 0};
  struct {
    int status;
    const char* fragment;
    const char* what;
  } refusals[8];
  int n = 0;
  refusals[n].status = fftconv_convolve_f64(2, shape3, NULL, shape3, kernel, out, &o);
  refusals[n].fragment = "image is NULL";
  refusals[n++].what = "NULL image";
  refusals[n].status = fftconv_convolve_f64(0, shape3, image, shape3, kernel, out, &o);
  refusals[n].fragment = "rank must be 1 to 8, got 0";
  refusals[n++].what = "rank 0";
  refusals[n].status = fftconv_convolve_f64(9, shape3, image, shape3, kernel, out, &o);
  refusals[n].fragment = "rank must be 1 to 8, got 9";
  refusals[n++].what = "rank 9";
  refusals[n].status = fftconv_convolve_f64(2, zero_shape, image, shape3, kernel, out, &o);
  refusals[n].fragment = "extent 0";
  refusals[n++].what = "zero extent";
  o.mode = 7;
  refusals[n].status = fftconv_convolve_f64(2, shape3, image, shape3, kernel, out, &o);
  refusals[n].fragment = "mode has unknown value 7";
  refusals[n++].what = "unknown mode";
  fftconv_options_default(&o);
  o.boundary = -3;
  refusals[n].status = fftconv_correlate_f64(2, shape3, image, shape3, kernel, out, &o);
  refusals[n].fragment = "boundary has unknown value -3";
  refusals[n++].what = "unknown boundary";
  fftconv_options_default(&o);
  o.threads = -1;
  refusals[n].status = fftconv_convolve_f64(2, shape3, image, shape3, kernel, out, &o);
  refusals[n].fragment = "threads is -1";
  refusals[n++].what = "negative threads";
  fftconv_options_default(&o);
  refusals[n].status = fftconv_convolve_f64(2, shape3, image, NULL, kernel, out, &o);
  refusals[n].fragment = "kernel_shape is NULL";
  refusals[n++].what = "NULL kernel shape";
  for (int i = 0; i < n; ++i) {
    check(refusals[i].status == FFTCONV_INVALID_ARGUMENT, refusals[i].what);
  }
  /* messages are per call: re-run each to read its own message */
  check(
      fftconv_convolve_f64(2, shape3, NULL, shape3, kernel, out, &o) == FFTCONV_INVALID_ARGUMENT &&
          strstr(fftconv_last_error(), "fftconv_convolve_f64: image is NULL") != NULL,
      "message names the function and the argument");
  o.mode = 7;
  fftconv_convolve_f64(2, shape3, image, shape3, kernel, out, &o);
  check(strstr(fftconv_last_error(), "mode has unknown value 7") != NULL, "message names the mode");
  fftconv_options_default(&o);
  int untouched = 1;
  for (int i = 0; i < 9; ++i)
    untouched = untouched && out[i] == -7;
  check(untouched, "refused calls wrote nothing");
  check(fftconv_convolve_f64(2, shape3, image, shape3, kernel, out, &o) == FFTCONV_OK &&
            fftconv_last_error()[0] == '\0',
        "a successful call clears the message");

  /* a shape whose element count no array can index is refused before any view is made */
  const size_t huge_shape[3] = {1, (size_t)1 << 32, (size_t)1 << 32};
  check(fftconv_convolve_f64(3, huge_shape, image, huge_shape, kernel, out, NULL) ==
                FFTCONV_INVALID_ARGUMENT &&
            strstr(fftconv_last_error(), "image_shape") != NULL,
        "a shape of 2^64 elements is refused, naming it");

  /* The options C++ has and the struct lacked (issue 17), and struct_size. */
  {
    double o9[9];
    fftconv_options m;
    fftconv_options_default(&m);
    m.max_memory_bytes = 16;
    check(fftconv_convolve_f64(2, shape3, image, shape3, kernel, o9, &m) == FFTCONV_OUT_OF_MEMORY &&
              strstr(fftconv_last_error(), "more than options.max_memory_bytes = 16") != NULL,
          "max_memory_bytes is read");
    fftconv_options_default(&m);
    m.compute_precision = 7;
    check(fftconv_convolve_f64(2, shape3, image, shape3, kernel, o9, &m) ==
                  FFTCONV_INVALID_ARGUMENT &&
              strstr(fftconv_last_error(), "compute_precision has unknown value 7") != NULL,
          "compute_precision is read");
    fftconv_options_default(&m);
    m.nonnegative = 2;
    check(fftconv_convolve_f64(2, shape3, image, shape3, kernel, o9, &m) ==
                  FFTCONV_INVALID_ARGUMENT &&
              strstr(fftconv_last_error(),
                     "fftconv_convolve_f64: options.nonnegative must be 0 or 1, got 2") != NULL,
          "nonnegative is read");
    /* a negative kernel value makes negative outputs: nonnegative clamps them at 0 */
    const double negative[9] = {0, -1, 0, 0, 0, 0, 0, 0, 0};
    m.nonnegative = 1;
    int clamped = fftconv_convolve_f64(2, shape3, image, shape3, negative, o9, &m) == FFTCONV_OK;
    for (int i = 0; i < 9; ++i)
      clamped = clamped && o9[i] == 0;
    check(clamped, "nonnegative clamps");
    /* float data computed in double: the hand-computed values exactly */
    float fi[9], fk[9], fo[9];
    for (int i = 0; i < 9; ++i) {
      fi[i] = (float)image[i];
      fk[i] = (float)kernel[i];
    }
    fftconv_options_default(&m);
    m.compute_precision = FFTCONV_PRECISION_DOUBLE;
    m.method = FFTCONV_METHOD_FFT;
    int exact = fftconv_convolve_f32(2, shape3, fi, shape3, fk, fo, &m) == FFTCONV_OK;
    for (int i = 0; i < 9; ++i)
      exact = exact && fo[i] == (float)conv_expected[i];
    check(exact, "compute_precision double: exact on small integers");

    /* 0.3's layout is the first with struct_size; 0.3's, 0.4's and 0.5's sizes are accepted. A smaller
     * one (here: the bytes up to min_overlap, a layout never released) is refused naming it, as
     * is a larger one (a newer header than the library). */
    char message[200];
    const size_t smaller = offsetof(fftconv_options, max_memory_bytes);
    fftconv_options_default(&m);
    m.struct_size = smaller;
    snprintf(message, sizeof message,
             "fftconv_convolve_f64: options.struct_size is %zu, not the size of an "
             "fftconv_options layout this library knows (%zu, %zu, %zu)",
             smaller, offsetof(fftconv_options, axes_mask), offsetof(fftconv_options, origin),
             sizeof(fftconv_options));
    for (int i = 0; i < 9; ++i)
      o9[i] = -7;
    int untouched = 1;
    check(fftconv_convolve_f64(2, shape3, image, shape3, kernel, o9, &m) ==
                  FFTCONV_INVALID_ARGUMENT &&
              strstr(fftconv_last_error(), message) != NULL,
          "a smaller struct_size (no released layout) is refused, naming it");
    for (int i = 0; i < 9; ++i)
      untouched = untouched && o9[i] == -7;
    check(untouched, "a refused struct_size writes nothing");
    snprintf(message, sizeof message, "options.struct_size is %zu, larger than the %zu bytes",
             sizeof(fftconv_options) + 8, sizeof(fftconv_options));
    m.struct_size = sizeof(fftconv_options) + 8;
    check(fftconv_convolve_f64(2, shape3, image, shape3, kernel, o9, &m) ==
                  FFTCONV_INVALID_ARGUMENT &&
              strstr(fftconv_last_error(), message) != NULL,
          "a larger struct_size is refused, naming it");
    m.struct_size = 12;
    check(fftconv_filter_create_f64(&(fftconv_filter*){NULL}, 2, shape3, shape3, kernel, 0, &m) ==
                  FFTCONV_INVALID_ARGUMENT &&
              strstr(fftconv_last_error(),
                     "fftconv_filter_create_f64: options.struct_size is 12, not the size") != NULL,
          "a struct_size of no layout is refused, naming it");
    fftconv_options_default(&m);
    check(m.struct_size == sizeof(fftconv_options) &&
              fftconv_convolve_f64(2, shape3, image, shape3, kernel, o9, &m) == FFTCONV_OK &&
              close_to(o9, conv_expected, 9),
          "the current struct_size works");

    /* 0.3's layout (up to nonnegative, before axes_mask): a program built against 0.3 gets
     * every axis convolved whatever follows its struct in memory. */
    {
      struct {
        fftconv_options o;
        unsigned char after[16];
      } old;
      memset(&old, 0xff, sizeof old);
      fftconv_options_init(&old.o, offsetof(fftconv_options, axes_mask));
      check(old.o.struct_size == offsetof(fftconv_options, axes_mask) &&
                fftconv_convolve_f64(2, shape3, image, shape3, kernel, o9, &old.o) == FFTCONV_OK &&
                close_to(o9, conv_expected, 9),
            "0.3's struct_size is accepted, axes_mask taking its default");
    }
    /* axes_mask: axis 0 a batch axis of a stack of two 3 x 3 images, one 1 x 3 x 3 kernel. */
    {
      const size_t stack_shape[3] = {2, 3, 3}, kernel_stack[3] = {1, 3, 3};
      double stack[18], stacked_out[18];
      for (int i = 0; i < 18; ++i)
        stack[i] = image[i % 9];
      fftconv_options_default(&m);
      m.axes_mask = 6; /* axes 1 and 2 */
      check(fftconv_convolve_f64(3, stack_shape, stack, kernel_stack, kernel, stacked_out, &m) ==
                    FFTCONV_OK &&
                close_to(stacked_out, conv_expected, 9) &&
                close_to(stacked_out + 9, conv_expected, 9),
            "axes_mask convolves each frame of a stack");
      m.axes_mask = 0x100;
      check(fftconv_convolve_f64(3, stack_shape, stack, kernel_stack, kernel, stacked_out, &m) ==
                    FFTCONV_INVALID_ARGUMENT &&
                strstr(fftconv_last_error(), "options.axes_mask 0x100 has bit 8 set") != NULL,
            "axes_mask bits beyond the largest rank are refused");
      m.axes_mask = 8;
      check(fftconv_convolve_f64(3, stack_shape, stack, kernel_stack, kernel, stacked_out, &m) ==
                    FFTCONV_INVALID_ARGUMENT &&
                strstr(fftconv_last_error(), "names axis 3, outside a rank-3 image") != NULL,
            "axes_mask bits beyond the rank are refused");
    }

    /* fftconv_options_init: the current size fills the struct; any other size, or NULL, is
     * refused naming it and writes nothing (a size ending inside a field would cut it). */
    fftconv_options filled;
    memset(&filled, 0xab, sizeof filled);
    check(fftconv_options_init(&filled, sizeof filled) == FFTCONV_OK &&
              filled.struct_size == sizeof filled && filled.max_memory_bytes == SIZE_MAX &&
              filled.nonnegative == 0 && fftconv_last_error()[0] == '\0',
          "fftconv_options_init with the current size");
    const size_t refused_sizes[4] = {smaller, offsetof(fftconv_options, max_memory_bytes) + 4, 12,
                                     sizeof(fftconv_options) + 8};
    for (int k = 0; k < 4; ++k) {
      fftconv_options init;
      memset(&init, 0xab, sizeof init);
      snprintf(message, sizeof message, "fftconv_options_init: struct_size is %zu, ",
               refused_sizes[k]);
      int status = fftconv_options_init(&init, refused_sizes[k]);
      const unsigned char* bytes = (const unsigned char*)&init;
      int unwritten = 1;
      for (size_t i = 0; i < sizeof init; ++i)
        unwritten = unwritten && bytes[i] == 0xab;
      check(status == FFTCONV_INVALID_ARGUMENT && strstr(fftconv_last_error(), message) != NULL &&
                unwritten,
            "fftconv_options_init refuses a size of no released layout, writing nothing");
    }
    check(fftconv_options_init(NULL, sizeof(fftconv_options)) == FFTCONV_INVALID_ARGUMENT &&
              strstr(fftconv_last_error(), "fftconv_options_init: options is NULL") != NULL,
          "fftconv_options_init refuses NULL");
  }

  /* filters */
  fftconv_filter* filter = NULL;
  check(fftconv_filter_create_f64(&filter, 2, shape3, shape3, kernel, 0, NULL) == FFTCONV_OK &&
            filter != NULL,
        "filter_create_f64");
  job jobs[4];
  pthread_t threads[4];
  for (int t = 0; t < 4; ++t) {
    jobs[t].filter = filter;
    pthread_create(&threads[t], NULL, apply_many, &jobs[t]);
  }
  for (int t = 0; t < 4; ++t) {
    pthread_join(threads[t], NULL);
    check(jobs[t].ok, "filter_apply_f64 from 4 threads");
  }
  float fo[9];
  check(fftconv_filter_apply_f32(filter, (const float*)image, fo) == FFTCONV_INVALID_ARGUMENT &&
            strstr(fftconv_last_error(), "created for double") != NULL,
        "a double filter applied with _f32 is refused");
  check(fftconv_filter_create_f64(&filter, 2, shape3, shape3, kernel, 2, NULL) ==
            FFTCONV_INVALID_ARGUMENT,
        "correlate must be 0 or 1");
  check(fftconv_filter_method(filter) == FFTCONV_METHOD_DIRECT,
        "filter_method: automatic chose direct");
  fftconv_filter_destroy(filter);
  fftconv_filter_destroy(NULL);
  fftconv_options_default(&o);
  o.method = FFTCONV_METHOD_FFT;
  check(fftconv_filter_create_f32(&filter, 2, shape3, shape3, (const float[9]){1}, 1, &o) ==
                FFTCONV_OK &&
            fftconv_filter_method(filter) == FFTCONV_METHOD_FFT,
        "filter_method: fft");
  fftconv_filter_destroy(filter);
  fftconv_options_default(&o);
  check(fftconv_filter_method(NULL) == -1 &&
            strstr(fftconv_last_error(), "fftconv_filter_method: filter is NULL") != NULL,
        "filter_method of NULL: -1 and a message");
  check(fftconv_filter_apply_f64(NULL, image, out) == FFTCONV_INVALID_ARGUMENT, "NULL filter");

  /* Normalized convolution, worked by hand: 1 NaN 3 4 5 with 1 1 1, zero boundary (the zeros
   * outside are data, weight 1), same mode. */
  {
    const size_t n5[1] = {5}, k3[1] = {3};
    const double signal[5] = {1, NAN, 3, 4, 5}, box[3] = {1, 1, 1};
    double values[5], weight[5];
    fftconv_options m;
    fftconv_options_default(&m);
    m.nan_policy = FFTCONV_NAN_INTERPOLATE;
    const double v1[5] = {0.5, 2, 3.5, 4, 3}, w1[5] = {2, 2, 2, 3, 3};
    check(fftconv_convolve_masked_f64(1, n5, signal, NULL, k3, box, values, weight, &m) ==
                  FFTCONV_OK &&
              close_to(values, v1, 5) && close_to(weight, w1, 5),
          "convolve_masked_f64: NaN interpolated, coverage map");
    /* the 4 masked too */
    const unsigned char mask[5] = {0, 0, 0, 1, 0};
    const double v2[5] = {0.5, 2, 3, 4, 2.5}, w2[5] = {2, 2, 1, 2, 2};
    check(fftconv_convolve_masked_f64(1, n5, signal, mask, k3, box, values, weight, &m) ==
                  FFTCONV_OK &&
              close_to(values, v2, 5) && close_to(weight, w2, 5),
          "convolve_masked_f64 with a mask");
    m.preserve_nan = 2;
    check(fftconv_convolve_masked_f64(1, n5, signal, mask, k3, box, values, NULL, &m) ==
                  FFTCONV_INVALID_ARGUMENT &&
              strstr(fftconv_last_error(), "preserve_nan must be 0 or 1") != NULL,
          "preserve_nan 2 refused");
    float fs[5] = {1, NAN, 3, 4, 5}, fb[3] = {1, 1, 1}, fv[5];
    m.preserve_nan = 1;
    check(fftconv_convolve_masked_f32(1, n5, fs, NULL, k3, fb, fv, NULL, &m) == FFTCONV_OK &&
              isnan(fv[1]) && fabs(fv[2] - 3.5) < 1e-6,
          "convolve_masked_f32 with preserve_nan");
  }

  /* Option values by name, from plain C: set, read back, and an unknown name refused. */
  {
    fftconv_options named;
    const char* name = NULL;
    fftconv_options_default(&named);
    check(fftconv_option_value("boundary", "reflect", &named.boundary) == FFTCONV_OK &&
              named.boundary == FFTCONV_BOUNDARY_REFLECT,
          "option_value: boundary reflect");
    check(fftconv_option_name("method", FFTCONV_METHOD_OVERLAP_SAVE, &name) == FFTCONV_OK &&
              strcmp(name, "overlap_save") == 0,
          "option_name: method overlap_save");
    check(fftconv_option_value("nan_policy", "interp", &named.nan_policy) ==
                  FFTCONV_INVALID_ARGUMENT &&
              named.nan_policy == FFTCONV_NAN_PROPAGATE &&
              strstr(fftconv_last_error(), "\"interp\"") != NULL &&
              strstr(fftconv_last_error(), "propagate, interpolate, fill") != NULL,
          "option_value: an unknown name refused, named, the names listed");
  }

  /* Template matching: 0 1 0 occurs at 0 and 4 of 0 1 0 2 0 1 0, and scaled (0 2 0) at 2. */
  {
    const size_t n7[1] = {7}, k3[1] = {3}, n5[1] = {5};
    const double signal[7] = {0, 1, 0, 2, 0, 1, 0}, templ[3] = {0, 1, 0};
    double score[5], positions[4], values[4];
    size_t count = 0;
    check(fftconv_match_template_f64(1, n7, signal, k3, templ, NULL, score, NULL) == FFTCONV_OK &&
              fabs(score[0] - 1) < 1e-12 && fabs(score[1] + sqrt(0.75)) < 1e-12 &&
              fabs(score[4] - 1) < 1e-12,
          "match_template_f64");
    /* The three peaks score 1 up to rounding, so their order (by score) is the rounding's:
       check the set. */
    check(
        fftconv_find_peaks_f64(1, n5, score, 0.5, 1, 4, positions, values, &count) == FFTCONV_OK &&
            count == 3 && positions[0] + positions[1] + positions[2] == 6 &&
            positions[0] * positions[1] * positions[2] == 0 &&
            (positions[0] == 2 || positions[1] == 2 || positions[2] == 2) &&
            fabs(values[0] - 1) < 1e-12 && fabs(values[2] - 1) < 1e-12,
        "find_peaks_f64");
    const unsigned char use[3] = {1, 1, 0};
    check(fftconv_match_template_f64(1, n7, signal, k3, templ, use, score, NULL) == FFTCONV_OK &&
              fabs(score[0] - 1) < 1e-12 && fabs(score[1] + 1) < 1e-12,
          "match_template_f64 with a template mask (two points: +-1)");
    float fsig[7] = {0, 1, 0, 2, 0, 1, 0}, ft[3] = {0, 1, 0}, fscore[5];
    check(fftconv_match_template_f32(1, n7, fsig, k3, ft, NULL, fscore, NULL) == FFTCONV_OK &&
              fabs(fscore[4] - 1) < 1e-6,
          "match_template_f32");
    check(fftconv_find_peaks_f64(1, n5, score, NAN, 1, 4, positions, values, &count) ==
              FFTCONV_INVALID_ARGUMENT,
          "find_peaks_f64: NaN threshold refused");
  }

  printf("%d passed, %d failed\n", passed, failed);
  return failed == 0 ? 0 : 1;
}
