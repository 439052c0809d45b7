#include <doctest/doctest.h>

#include <cstdlib>
#include <string>

#include "fftconv/fftconv.hpp"

// The direct path's inner loop exists per instruction set; tests/CMakeLists.txt runs the direct
// path's tests again under FFTCONV_SIMD=baseline and avx2, and this checks the cap took effect.
TEST_CASE("direct_simd names the instruction set the direct path runs") {
  const std::string level = fftconv::direct_simd();
  CHECK((level == "baseline" || level == "avx2" || level == "avx512"));
  const char* env = std::getenv("FFTCONV_SIMD");
  const std::string cap = env == nullptr ? "" : env;
  if (cap == "baseline") CHECK(level == "baseline");
#if defined(__x86_64__)
  __builtin_cpu_init();
  const bool avx2 = __builtin_cpu_supports("avx2") && __builtin_cpu_supports("fma");
  const bool avx512 = __builtin_cpu_supports("avx512f") && __builtin_cpu_supports("fma");
  if (cap == "avx2") CHECK(level == (avx2 ? "avx2" : "baseline"));
  if (cap.empty()) CHECK(level == (avx512 ? "avx512" : avx2 ? "avx2" : "baseline"));
#endif
}
