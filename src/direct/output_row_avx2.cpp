// The direct path's inner loop for 32-byte vectors, compiled with -mavx2 -mfma (x86-64 only).
#define FFTCONV_SIMD_NAMESPACE simd_avx2
#define FFTCONV_SIMD_BYTES 32
#define FFTCONV_SIMD_FMA 1
#include "direct/output_row.inc"
