#pragma once
// Copies between caller views (any strides) and our dense C-order rank-3 buffers. Both paths
// use these: the FFT path to zero-pad into its transform buffer, the direct path to build its
// extended image and its dense kernel.
#include <algorithm>
#include <array>
#include <cstddef>
#include <functional>
#include <utility>
#include <vector>

#include "fftconv/view.hpp"
#include "util/rounding.hpp"

namespace fftconv::detail {

/// Element strides of a dense rank-3 buffer; the last axis is contiguous.
using DenseStrides = std::array<std::size_t, 3>;

/// Copies the rank-3 view `src` into the dense block at `dst`.
template <class T>
void place(const ConstView<T>& src, T* dst, const DenseStrides& dst_strides) {
  const std::size_t n0 = src.extent(0), n1 = src.extent(1), n2 = src.extent(2);
  const std::ptrdiff_t s0 = src.stride(0), s1 = src.stride(1), s2 = src.stride(2);
  for (std::size_t i0 = 0; i0 < n0; ++i0)
    for (std::size_t i1 = 0; i1 < n1; ++i1) {
      const T* from =
          src.data() + static_cast<std::ptrdiff_t>(i0) * s0 + static_cast<std::ptrdiff_t>(i1) * s1;
      T* to = dst + i0 * dst_strides[0] + i1 * dst_strides[1];
      if (s2 == 1) {
        std::copy(from, from + n2, to);
      } else {
        for (std::size_t i2 = 0; i2 < n2; ++i2)
          to[i2] = from[static_cast<std::ptrdiff_t>(i2) * s2];
      }
    }
}

/// True if the address ranges of two views of equal rank (first to last element, whatever the
/// strides) intersect: then writing one may change what the other reads.
template <class T>
bool may_share_memory(const ConstView<T>& a, const View<T>& b) {
  const auto span = [](const auto& v) {
    const T* lo = v.data();
    const T* hi = v.data();
    for (int i = 0; i < v.rank(); ++i) {
      if (v.extent(i) == 0) return std::pair<const T*, const T*>{nullptr, nullptr};
      const std::ptrdiff_t reach = static_cast<std::ptrdiff_t>(v.extent(i) - 1) * v.stride(i);
      (reach < 0 ? lo : hi) += reach;
    }
    return std::pair<const T*, const T*>{lo, hi};
  };
  const auto [a_lo, a_hi] = span(a);
  const auto [b_lo, b_hi] = span(b);
  if (a_lo == nullptr || b_lo == nullptr) return false;  // an empty view reads or writes nothing
  return !(std::less<const T*>()(a_hi, b_lo) || std::less<const T*>()(b_hi, a_lo));
}

/// The rows along the last axis of `shape` (any rank), in C order: f(offsets, row) with the
/// element offset of the row's start in each of the given stride lists, and the row's index
/// (row * shape[last] is its first element's C-order index). Nothing for an empty shape.
template <std::size_t N, class F>
void for_each_row(const Shape& shape, const std::array<const Strides*, N>& strides, F&& f) {
  const int last = shape.rank() - 1;
  const std::size_t rows = element_count(shape) == 0 ? 0 : element_count(shape) / shape[last];
  std::array<std::size_t, max_rank> at{};
  for (std::size_t row = 0; row < rows; ++row) {
    std::array<std::ptrdiff_t, N> offsets{};
    for (std::size_t v = 0; v < N; ++v)
      for (int a = 0; a < last; ++a)
        offsets[v] +=
            static_cast<std::ptrdiff_t>(at[static_cast<std::size_t>(a)]) * (*strides[v])[a];
    f(offsets, row);
    for (int a = last - 1; a >= 0; --a) {  // the next row
      if (++at[static_cast<std::size_t>(a)] < shape[a]) break;
      at[static_cast<std::size_t>(a)] = 0;
    }
  }
}

/// A dense C-order copy of a view of any rank, converted to C.
template <class C, class T>
std::vector<C> dense_converted(const ConstView<T>& v) {
  std::vector<C> copy(v.size());
  const std::size_t width = v.rank() == 0 ? 1 : v.extent(v.rank() - 1);
  const std::ptrdiff_t step = v.rank() == 0 ? 0 : v.stride(v.rank() - 1);
  for_each_row<1>(
      v.shape(), {&v.strides()}, [&](const std::array<std::ptrdiff_t, 1>& at, std::size_t row) {
        const T* from = v.data() + at[0];
        for (std::size_t i = 0; i < width; ++i)
          copy[row * width + i] = static_cast<C>(from[static_cast<std::ptrdiff_t>(i) * step]);
      });
  return copy;
}

/// A dense C-order copy of a view of any rank.
template <class T>
std::vector<T> dense_copy(const ConstView<T>& v) {
  return dense_converted<T>(v);
}

/// The image to read while `out` is written: the image itself, or (when they may share memory:
/// an in-place call) a dense copy of it made in `copy`.
template <class T, class Buffer>
ConstView<T> unaliased(const ConstView<T>& image, const View<T>& out, Buffer& copy) {
  if (!may_share_memory(image, out)) return image;
  const std::size_t n1 = image.extent(1), n2 = image.extent(2);
  copy = Buffer(image.extent(0) * n1 * n2);
  place(image, copy.data(), {n1 * n2, n2, 1});
  return ConstView<T>(copy.data(), Shape{image.extent(0), n1, n2});
}

/// Adds the rank-3 view `src` into `dst` at positions taken modulo `lengths` per axis (a kernel
/// longer than a circular transform folds onto itself; a shorter one is simply placed).
template <class T>
void fold_into(const ConstView<T>& src, T* dst, const DenseStrides& dst_strides,
               const std::array<std::size_t, 3>& lengths) {
  for (std::size_t i0 = 0; i0 < src.extent(0); ++i0)
    for (std::size_t i1 = 0; i1 < src.extent(1); ++i1) {
      const T* from = src.data() + static_cast<std::ptrdiff_t>(i0) * src.stride(0) +
                      static_cast<std::ptrdiff_t>(i1) * src.stride(1);
      T* to = dst + (i0 % lengths[0]) * dst_strides[0] + (i1 % lengths[1]) * dst_strides[1];
      for (std::size_t i2 = 0; i2 < src.extent(2); ++i2)
        to[i2 % lengths[2]] += from[static_cast<std::ptrdiff_t>(i2) * src.stride(2)];
    }
}

/// Writes `count` contiguous values to a strided row of the output.
template <class T>
void store_row(const T* from, std::size_t count, T* to, std::ptrdiff_t stride) {
  if (stride == 1) {
    std::copy(from, from + count, to);
  } else {
    for (std::size_t i = 0; i < count; ++i)
      to[static_cast<std::ptrdiff_t>(i) * stride] = from[i];
  }
}

/// Start of row (i0, i1) of a rank-3 view.
template <class T>
T* row_start(const View<T>& v, std::size_t i0, std::size_t i1) {
  return v.data() + static_cast<std::ptrdiff_t>(i0) * v.stride(0) +
         static_cast<std::ptrdiff_t>(i1) * v.stride(1);
}

/// f(element) for every element of the rank-3 view v, in C order (a reference: f may write
/// through a View<T>).
template <class T, class F>
void for_each_element(const View<T>& v, F f) {
  for (std::size_t i0 = 0; i0 < v.extent(0); ++i0)
    for (std::size_t i1 = 0; i1 < v.extent(1); ++i1) {
      T* row = row_start(v, i0, i1);
      for (std::size_t i2 = 0; i2 < v.extent(2); ++i2)
        f(row[static_cast<std::ptrdiff_t>(i2) * v.stride(2)]);
    }
}

/// The elements of the rank-3 view v in C order, each as f(element), in a vector of U.
template <class U, class T, class F>
std::vector<U> dense_values(const View<T>& v, F f) {
  std::vector<U> dense;
  dense.reserve(v.extent(0) * v.extent(1) * v.extent(2));
  for_each_element(v, [&](const T& x) { dense.push_back(f(x)); });
  return dense;
}

/// Dense C-order doubles written into the rank-3 view `to`, each rounded once to T.
template <class T>
void store_rounded(const std::vector<double>& from, const View<T>& to) {
  const double* src = from.data();
  for_each_element(to, [&](T& x) { x = rounded_to<T>(*src++); });
}

/// Writes `dense` (C order, out's shape) into the view `out`, whatever its strides: dense_copy
/// the other way.
template <class T>
void store_dense(const T* dense, const View<T>& out) {
  const std::size_t width = out.rank() == 0 ? 1 : out.extent(out.rank() - 1);
  const std::ptrdiff_t step = out.rank() == 0 ? 0 : out.stride(out.rank() - 1);
  for_each_row<1>(out.shape(), {&out.strides()},
                  [&](const std::array<std::ptrdiff_t, 1>& at, std::size_t row) {
                    store_row(dense + row * width, width, out.data() + at[0], step);
                  });
}

}  // namespace fftconv::detail
