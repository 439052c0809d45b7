// The direct path's inner loop for 16-byte vectors: SSE2 on x86-64 (its baseline), NEON on AArch64;
// no flags.
#define FFTCONV_SIMD_NAMESPACE simd_baseline
#define FFTCONV_SIMD_BYTES 16
#define FFTCONV_SIMD_FMA 0
#include "direct/output_row.inc"
