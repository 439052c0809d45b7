#include "direct/simd.hpp"

#include <cstdlib>
#include <cstring>

namespace fftconv::detail {

// The copies of the inner loop (output_row.inc); AVX2 and AVX-512 only on x86-64.
#define FFTCONV_DECLARE_ROW_TAPS(ns)                                                               \
  namespace ns {                                                                                   \
  void output_row(const Tap<float>*, const std::size_t*, std::size_t, const float* const*, float*, \
                  std::size_t);                                                                    \
  void output_row(const Tap<double>*, const std::size_t*, std::size_t, const double* const*,       \
                  double*, std::size_t);                                                           \
  }
FFTCONV_DECLARE_ROW_TAPS(simd_baseline)
#if defined(FFTCONV_X86_SIMD)
FFTCONV_DECLARE_ROW_TAPS(simd_avx2)
FFTCONV_DECLARE_ROW_TAPS(simd_avx512)
#endif
#undef FFTCONV_DECLARE_ROW_TAPS

namespace {

SimdLevel widest_supported() {
#if defined(FFTCONV_X86_SIMD)
  __builtin_cpu_init();
  const bool fma = __builtin_cpu_supports("fma");
  if (fma && __builtin_cpu_supports("avx512f")) return SimdLevel::avx512;
  if (fma && __builtin_cpu_supports("avx2")) return SimdLevel::avx2;
#endif
  return SimdLevel::baseline;
}

SimdLevel requested_cap() {
  const char* env = std::getenv("FFTCONV_SIMD");
  if (env != nullptr) {
    if (std::strcmp(env, "baseline") == 0) return SimdLevel::baseline;
    if (std::strcmp(env, "avx2") == 0) return SimdLevel::avx2;
  }
  return SimdLevel::avx512;
}

}  // namespace

SimdLevel simd_level() {
  static const SimdLevel level = [] {
    const SimdLevel cpu = widest_supported(), cap = requested_cap();
    return static_cast<int>(cpu) < static_cast<int>(cap) ? cpu : cap;
  }();
  return level;
}

const char* simd_name(SimdLevel level) {
  switch (level) {
    case SimdLevel::avx512:
      return "avx512";
    case SimdLevel::avx2:
      return "avx2";
    case SimdLevel::baseline:
      break;
  }
  return "baseline";
}

template <class T>
OutputRow<T> output_row_for(SimdLevel level) {
#if defined(FFTCONV_X86_SIMD)
  if (level == SimdLevel::avx512) return &simd_avx512::output_row;
  if (level == SimdLevel::avx2) return &simd_avx2::output_row;
#else
  (void)level;
#endif
  return &simd_baseline::output_row;
}

template OutputRow<float> output_row_for<float>(SimdLevel);
template OutputRow<double> output_row_for<double>(SimdLevel);

}  // namespace fftconv::detail
