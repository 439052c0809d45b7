#pragma once
#include <cstddef>
#include <type_traits>

#include "fftconv/shape.hpp"

namespace fftconv {

/// A non-owning view of caller memory: a pointer, a shape (rank 1..8) and strides in *elements*
/// (not bytes), axis 0 outermost. View<const T> (alias ConstView<T>) is read-only; a View<T>
/// converts to it implicitly. Strides may be negative or larger than the extents (blocks of
/// bigger arrays); fftconv never keeps a view beyond the call it is passed to.
template <class T>
class View {
 public:
  using element_type = T;
  using value_type = std::remove_const_t<T>;

  View() = default;

  /// A contiguous array in C order (last axis fastest): a 2-D image of `rows` x `cols` is
  /// View<T>(data, {rows, cols}).
  View(T* data, const Shape& shape) : data_(data), shape_(shape), strides_(c_order(shape)) {}

  /// Any strided layout. A column-major (Fortran, Eigen default) rows x cols image with leading
  /// dimension ld is View<T>(data, {rows, cols}, {1, ld}).
  View(T* data, const Shape& shape, const Strides& strides)
      : data_(data), shape_(shape), strides_(strides) {}

  /// View<T> -> View<const T>.
  template <class U, class = std::enable_if_t<std::is_same_v<const U, T> && !std::is_same_v<U, T>>>
  View(const View<U>& other)  // NOLINT(google-explicit-constructor): like T* -> const T*
      : data_(other.data()), shape_(other.shape()), strides_(other.strides()) {}

  T* data() const { return data_; }
  const Shape& shape() const { return shape_; }
  const Strides& strides() const { return strides_; }
  int rank() const { return shape_.rank(); }
  std::size_t extent(int axis) const { return shape_[axis]; }
  std::ptrdiff_t stride(int axis) const { return strides_[axis]; }
  std::size_t size() const { return element_count(shape_); }

  /// Strides of a contiguous C-order array of this shape.
  /// (Computed in unsigned arithmetic: an absurd shape gives wrapped strides, never undefined
  /// behaviour, and the call that uses the view refuses its sizes.)
  static Strides c_order(const Shape& shape) {
    Strides s;
    for (int i = 0; i < shape.rank(); ++i)
      s.push_back(1);
    std::size_t step = 1;
    for (int i = shape.rank() - 1; i >= 0; --i) {
      s[i] = static_cast<std::ptrdiff_t>(step);
      step *= shape[i];
    }
    return s;
  }

 private:
  T* data_ = nullptr;
  Shape shape_;
  Strides strides_;
};

template <class T>
using ConstView = View<const T>;

}  // namespace fftconv
