#pragma once
#include <array>
#include <cstddef>
#include <initializer_list>
#include <string>

#include "fftconv/export.hpp"
#include "fftconv/options.hpp"

namespace fftconv {

/// The largest rank fftconv handles (1-D signals, 2-D images, 3-D volumes).
inline constexpr int max_rank = 3;

namespace detail {
/// Throws fftconv::Error for an initializer list longer than max_rank (defined in the library).
[[noreturn]] FFTCONV_API void throw_rank_too_large(std::size_t rank);
}  // namespace detail

/// A short list of per-axis numbers (rank 0..3), axis 0 outermost as in C order.
/// Shape = extents (element counts); Strides = distances in *elements*, not bytes.
template <class Int>
class Dims {
 public:
  constexpr Dims() = default;
  Dims(std::initializer_list<Int> values) {
    if (values.size() > static_cast<std::size_t>(max_rank))
      detail::throw_rank_too_large(values.size());
    for (Int v : values)
      values_[static_cast<std::size_t>(rank_++)] = v;
  }
  constexpr int rank() const { return rank_; }
  constexpr Int operator[](int axis) const { return values_[static_cast<std::size_t>(axis)]; }
  constexpr Int& operator[](int axis) { return values_[static_cast<std::size_t>(axis)]; }
  constexpr const Int* begin() const { return values_.data(); }
  constexpr const Int* end() const { return values_.data() + rank_; }
  /// Appends one axis; throws fftconv::Error beyond max_rank.
  void push_back(Int value) {
    if (rank_ >= max_rank) detail::throw_rank_too_large(static_cast<std::size_t>(rank_) + 1);
    values_[static_cast<std::size_t>(rank_++)] = value;
  }
  friend constexpr bool operator==(const Dims& a, const Dims& b) {
    if (a.rank_ != b.rank_) return false;
    for (int i = 0; i < a.rank_; ++i)
      if (a[i] != b[i]) return false;
    return true;
  }
  friend constexpr bool operator!=(const Dims& a, const Dims& b) { return !(a == b); }

 private:
  int rank_ = 0;
  std::array<Int, max_rank> values_{};
};

using Shape = Dims<std::size_t>;
using Strides = Dims<std::ptrdiff_t>;

/// Number of elements of a shape (1 for rank 0). Does not check for overflow.
constexpr std::size_t element_count(const Shape& shape) {
  std::size_t n = 1;
  for (std::size_t e : shape)
    n *= e;
  return n;
}

/// "4x5x6": for messages.
FFTCONV_API std::string to_string(const Shape& shape);

/// The shape of convolve/correlate's result, per axis (image length n, kernel length k):
/// full: n + k - 1; same: n; valid: max(n - k + 1, 0). Same as scipy.signal.convolve.
/// Throws fftconv::Error for a rank mismatch, rank 0 or above 3, or a zero extent.
FFTCONV_API Shape output_shape(const Shape& image_shape, const Shape& kernel_shape, Mode mode);

/// The transform shape the fft method uses for this problem (same for convolve and correlate,
/// float and double). Per axis a minimum length: zero boundary (or valid mode) the shortest
/// circular length that leaves the output window exact (full: n + k - 1; same:
/// n + ceil((k - 1) / 2); valid: max(n, k)); other rules out + k - 1 (the extended image the
/// window needs). Then, among the FFT-friendly lengths (next_fast_size) from each minimum up to
/// 1.25 times it, the combination the FFT path runs fastest by a table of this library's measured
/// FFTW costs (README, "Methods and the automatic choice"); if any axis's minimum is beyond the
/// table (above 32768), next_fast_size of every minimum. wrap in same mode on an image whose
/// lengths are FFT-friendly: exactly n
/// (circular convolution).
FFTCONV_API Shape fft_shape(const Shape& image_shape, const Shape& kernel_shape,
                            const Options& options);

/// fft_shape for the zero boundary and the given mode.
inline Shape fft_shape(const Shape& image_shape, const Shape& kernel_shape, Mode mode) {
  Options options;
  options.mode = mode;
  return fft_shape(image_shape, kernel_shape, options);
}

/// The smallest n' >= n that FFTW transforms fast: 2^a 3^b 5^c 7^d times at most one 11 or 13.
/// next_fast_size(0) == 1. Throws fftconv::Error if no such size fits in std::size_t.
FFTCONV_API std::size_t next_fast_size(std::size_t n);

}  // namespace fftconv
