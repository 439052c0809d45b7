// Large allocations of the fftconv program ask for transparent huge pages.
//
// The program's time on a large image with a small kernel is mostly the first touch of its
// pixel buffers: every 4 KiB page of a fresh buffer is a page fault, and on a virtual machine a
// 64 MiB buffer's 16384 faults cost 0.3 to 1 s, several times the convolution itself. With 2 MiB
// pages the same buffer takes 32 faults. Debian's kernels use huge pages only where a program
// advises them (transparent_hugepage=madvise), and glibc's malloc advises them only with
// GLIBC_TUNABLES=glibc.malloc.hugetlb=1, which must be set before the process starts. So the
// program replaces the global operator new with malloc plus madvise(MADV_HUGEPAGE) for blocks of
// 2 MiB or more, and operator delete with free: the program's pixel vectors (the readers', the
// conversions', the result) are covered. The library's FFT working memory (padded images,
// spectra, scratch: not operator new) is advised by the library itself (src/fft/memory.cpp). Not
// covered: the aligned operator new (std::align_val_t), which is not replaced. Nothing changes
// where huge pages are off ("never") or the advice fails: it is advice.
//
// Not in sanitizer builds: their runtimes replace operator new themselves.
#include <sys/mman.h>

#include <cstdint>
#include <cstdlib>
#include <new>

#if defined(__has_feature)
#if __has_feature(address_sanitizer) || __has_feature(thread_sanitizer) || \
    __has_feature(memory_sanitizer)
#define FFTCONV_SANITIZED 1
#endif
#endif
#if defined(__SANITIZE_ADDRESS__) || defined(__SANITIZE_THREAD__)
#define FFTCONV_SANITIZED 1
#endif

#ifndef FFTCONV_SANITIZED

namespace {

constexpr std::size_t huge_page = std::size_t{2} << 20;
constexpr std::size_t small_page = 4096;

void* allocate(std::size_t size) {
  if (size == 0) size = 1;
  for (;;) {
    if (void* p = std::malloc(size)) {
      if (size >= huge_page) {
        // The whole pages inside the block (malloc's header shares the first one).
        const auto begin =
            (reinterpret_cast<std::uintptr_t>(p) + small_page - 1) & ~(small_page - 1);
        const auto end = (reinterpret_cast<std::uintptr_t>(p) + size) & ~(small_page - 1);
        if (end > begin) ::madvise(reinterpret_cast<void*>(begin), end - begin, MADV_HUGEPAGE);
      }
      return p;
    }
    const std::new_handler handler = std::get_new_handler();
    if (!handler) throw std::bad_alloc();
    handler();
  }
}

}  // namespace

void* operator new(std::size_t size) {
  return allocate(size);
}
void* operator new[](std::size_t size) {
  return allocate(size);
}
void* operator new(std::size_t size, const std::nothrow_t&) noexcept {
  try {
    return allocate(size);
  } catch (...) {
    return nullptr;
  }
}
void* operator new[](std::size_t size, const std::nothrow_t&) noexcept {
  try {
    return allocate(size);
  } catch (...) {
    return nullptr;
  }
}
void operator delete(void* p) noexcept {
  std::free(p);
}
void operator delete[](void* p) noexcept {
  std::free(p);
}
void operator delete(void* p, std::size_t) noexcept {
  std::free(p);
}
void operator delete[](void* p, std::size_t) noexcept {
  std::free(p);
}
void operator delete(void* p, const std::nothrow_t&) noexcept {
  std::free(p);
}
void operator delete[](void* p, const std::nothrow_t&) noexcept {
  std::free(p);
}

#endif
