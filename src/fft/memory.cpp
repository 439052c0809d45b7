#include "fft/memory.hpp"

#include <sys/mman.h>

#include <complex>
#include <cstdlib>

#include "util/check.hpp"
#include "util/checked_math.hpp"

namespace fftconv::detail {

namespace {

// 64 bytes: every SIMD width FFTW's codelets use (AVX-512 included), so plans made on one
// buffer run on any other (fftw_alignment_of is 0 throughout, as with fftw_malloc).
constexpr std::size_t simd_alignment = 64;
// Buffers from 4 MiB on are aligned to a 2 MiB huge page and advised MADV_HUGEPAGE: their first
// touch then faults 2 MiB at a time instead of 4 KiB. On a virtual machine the 4 KiB faults were
// a quarter of a fresh 4096^2 Wiener call (perf: exc_page_fault + clear_page), and the column
// passes' strided reads miss the TLB far less on huge pages.
constexpr std::size_t huge_page = std::size_t{2} << 20;
constexpr std::size_t huge_from = 2 * huge_page;

}  // namespace

void* aligned_allocate(std::size_t bytes) {
  const bool huge = bytes >= huge_from;
  void* p = nullptr;
  const int failed = posix_memalign(&p, huge ? huge_page : simd_alignment, bytes == 0 ? 1 : bytes);
  FFTCONV_CHECK(failed == 0 && p != nullptr, out_of_memory, "could not allocate ", bytes, " bytes");
#ifdef MADV_HUGEPAGE
  if (huge)  // advice only: without transparent huge pages the buffer works the same
    madvise(p, bytes / huge_page * huge_page, MADV_HUGEPAGE);
#endif
  return p;
}

void aligned_free(void* p) noexcept {
  std::free(p);
}

template <class T>
AlignedBuffer<T>::AlignedBuffer(std::size_t count)
    : data_(static_cast<T*>(aligned_allocate(checked_mul(count, sizeof(T), "buffer byte count")))),
      count_(count) {}

template class AlignedBuffer<float>;
template class AlignedBuffer<double>;
template class AlignedBuffer<std::complex<float>>;  // (spectra in block order: real_grid)
template class AlignedBuffer<std::complex<double>>;

}  // namespace fftconv::detail
