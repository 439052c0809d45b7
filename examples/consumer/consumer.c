/* Uses the installed library from C: a 1-D moving sum. */
#include <fftconv/fftconv.h>
#include <math.h>
#include <stdio.h>

int main(void) {
  const double signal[6] = {1, 2, 3, 4, 5, 6}, box[3] = {1, 1, 1};
  const size_t n = 6, k = 3;
  double out[6];
  if (fftconv_convolve_f64(1, &n, signal, &k, box, out, NULL) != FFTCONV_OK) {
    printf("consumer_c: %s\n", fftconv_last_error());
    return 1;
  }
  const int ok = fabs(out[0] - 3) < 1e-12 && fabs(out[2] - 9) < 1e-12 && fabs(out[5] - 11) < 1e-12;
  printf("consumer_c: %s\n", ok ? "OK" : "WRONG");
  return ok ? 0 : 1;
}
