// The direct path's inner loop for 64-byte vectors, compiled with -mavx512f -mfma (x86-64 only).
#define FFTCONV_SIMD_NAMESPACE simd_avx512
#define FFTCONV_SIMD_BYTES 64
#define FFTCONV_SIMD_FMA 1
#include "direct/output_row.inc"
