#pragma once
// SIMD-aligned buffers (64 bytes; huge-page aligned from 4 MiB: memory.cpp). FFTW's new-array
// execute needs the same alignment as at planning time; every transform buffer comes from here.
#include <cstddef>
#include <utility>

namespace fftconv::detail {

/// Aligned bytes, freed by aligned_free; throws fftconv::Error(out_of_memory) naming the size
/// on failure.
void* aligned_allocate(std::size_t bytes);
void aligned_free(void* p) noexcept;

/// An owning, uninitialized, aligned array of `count` T.
template <class T>
class AlignedBuffer {
 public:
  AlignedBuffer() = default;
  explicit AlignedBuffer(std::size_t count);
  AlignedBuffer(AlignedBuffer&& other) noexcept
      : data_(std::exchange(other.data_, nullptr)), count_(std::exchange(other.count_, 0)) {}
  AlignedBuffer& operator=(AlignedBuffer&& other) noexcept {
    std::swap(data_, other.data_);
    std::swap(count_, other.count_);
    return *this;
  }
  AlignedBuffer(const AlignedBuffer&) = delete;
  AlignedBuffer& operator=(const AlignedBuffer&) = delete;
  ~AlignedBuffer() { aligned_free(data_); }

  T* data() const { return data_; }
  std::size_t size() const { return count_; }
  T& operator[](std::size_t i) const { return data_[i]; }

 private:
  T* data_ = nullptr;
  std::size_t count_ = 0;
};

}  // namespace fftconv::detail
