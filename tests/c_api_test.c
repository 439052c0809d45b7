/* The C API from C99: defaults, results (the hand-computed 3x3 example of the C++ tests), a
 * filter applied from several threads, and every refused argument giving a status, a message
 * and an untouched output. Prints "N passed, N failed" and exits non-zero on any failure. */
#include <math.h>
#include <pthread.h>
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
  check(o.mode == FFTCONV_MODE_SAME && o.boundary == FFTCONV_BOUNDARY_ZERO &&
            o.fill_value == 0 && o.method == FFTCONV_METHOD_AUTOMATIC && o.threads == 1 &&
            o.planning == FFTCONV_PLANNING_ESTIMATE,
        "defaults equal the C++ Options defaults");

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
    for (int i = 0; i < 9; ++i) ok = ok && fabs(fo[i] - conv_expected[i]) < 1e-5;
    check(ok, "convolve_f32, hand-computed");
  }
  fftconv_options_default(&o);
  check(fftconv_convolve_f64(2, shape3, image, shape3, kernel, (double[9]){0}, NULL) == FFTCONV_OK,
        "NULL options means the defaults");

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
  for (int i = 0; i < 9; ++i) out[i] = -7;
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
  refusals[n].fragment = "rank must be 1 to 3, got 0";
  refusals[n++].what = "rank 0";
  refusals[n].status = fftconv_convolve_f64(4, shape3, image, shape3, kernel, out, &o);
  refusals[n].fragment = "got 4";
  refusals[n++].what = "rank 4";
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
  check(fftconv_convolve_f64(2, shape3, NULL, shape3, kernel, out, &o) ==
                FFTCONV_INVALID_ARGUMENT &&
            strstr(fftconv_last_error(), "fftconv_convolve_f64: image is NULL") != NULL,
        "message names the function and the argument");
  o.mode = 7;
  fftconv_convolve_f64(2, shape3, image, shape3, kernel, out, &o);
  check(strstr(fftconv_last_error(), "mode has unknown value 7") != NULL, "message names the mode");
  fftconv_options_default(&o);
  int untouched = 1;
  for (int i = 0; i < 9; ++i) untouched = untouched && out[i] == -7;
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
  fftconv_filter_destroy(filter);
  fftconv_filter_destroy(NULL);
  check(fftconv_filter_apply_f64(NULL, image, out) == FFTCONV_INVALID_ARGUMENT, "NULL filter");

  printf("%d passed, %d failed\n", passed, failed);
  return failed == 0 ? 0 : 1;
}
