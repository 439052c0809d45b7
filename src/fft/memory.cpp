#include "fft/memory.hpp"

#include <fftw3.h>

#include <complex>

#include "util/check.hpp"
#include "util/checked_math.hpp"

namespace fftconv::detail {

void* aligned_allocate(std::size_t bytes) {
  void* p = fftw_malloc(bytes == 0 ? 1 : bytes);
  FFTCONV_CHECK(p != nullptr, out_of_memory, "could not allocate ", bytes, " bytes");
  return p;
}

void aligned_free(void* p) noexcept {
  fftw_free(p);
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
