#pragma once
// Dims: the fixed-capacity per-axis lists every call uses (Shape, Strides, Axes). Its own header
// because Options (options.hpp) holds an Axes and shape.hpp's functions take Options.
#include <array>
#include <cstddef>
#include <initializer_list>

#include "fftconv/export.hpp"

namespace fftconv {

/// The largest rank of a view (image, kernel, output): 1 to 8. At most 3 of an image's axes are
/// convolved in one call (Options::axes); the others are batch axes (README, "Axes and stacks").
inline constexpr int max_rank = 8;

namespace detail {
/// Throws fftconv::Error for a list longer than max_rank (defined in the library).
[[noreturn]] FFTCONV_API void throw_rank_too_large(std::size_t rank);
}  // namespace detail

/// A short list of per-axis numbers (rank 0..max_rank), axis 0 outermost as in C order. Fixed
/// capacity: making, copying and reading one never allocates.
/// Shape = extents (element counts); Strides = distances in *elements*, not bytes; Axes = axis
/// numbers (Options::axes).
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
  constexpr bool empty() const { return rank_ == 0; }
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
/// Axis numbers: 0 is the outermost, negative numbers count from the end (-1 is the last).
using Axes = Dims<int>;
/// Signed per-axis shifts (Options::origin).
using Offsets = Dims<std::ptrdiff_t>;

/// Number of elements of a shape (1 for rank 0). Does not check for overflow.
constexpr std::size_t element_count(const Shape& shape) {
  std::size_t n = 1;
  for (std::size_t e : shape)
    n *= e;
  return n;
}

}  // namespace fftconv
