// next_fast_size: FFTW's codelets make transforms of 2^a 3^b 5^c 7^d fast, and one extra factor
// of 11 or 13 costs little (FFTW manual, "Real-data DFTs": sizes with small prime factors are
// fastest). Other sizes fall back to slower generic, Rader or Bluestein algorithms.
#include <cstddef>
#include <limits>

#include "fftconv/shape.hpp"
#include "util/check.hpp"

namespace fftconv {

std::size_t next_fast_size(std::size_t n) {
  if (n <= 1) return 1;
  constexpr std::size_t max = std::numeric_limits<std::size_t>::max();
  std::size_t best = max;
  bool found = false;
  // Enumerate every odd part 11^e 13^f 3^b 5^c 7^d (e + f <= 1) below the best so far, then take
  // the smallest power of two that lifts it to >= n: O(log^4 n) products, exact, no overflow.
  for (std::size_t extra : {1u, 11u, 13u})
    for (std::size_t p7 = extra; p7<best; p7 = p7> max / 7 ? max : p7 * 7)
      for (std::size_t p5 = p7; p5<best; p5 = p5> max / 5 ? max : p5 * 5)
        for (std::size_t p3 = p5; p3<best; p3 = p3> max / 3 ? max : p3 * 3) {
          std::size_t m = p3;
          while (m < n && m <= max / 2)
            m *= 2;
          if (m >= n && (m < best || !found)) {
            best = m;
            found = true;
          }
        }
  if (!found)
    detail::fail(ErrorCode::invalid_argument, "next_fast_size: no FFT-friendly size >= ", n,
                 " fits in size_t");
  return best;
}

}  // namespace fftconv
