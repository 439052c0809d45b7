#pragma once
// Test data: dense C-order arrays of any rank, random fills, and the same values stored in other
// memory layouts (column-major, strided blocks, reversed axes) behind fftconv views.
#include <array>
#include <cstddef>
#include <random>
#include <string>
#include <vector>

#include "fftconv/fftconv.hpp"

namespace testing {

/// A multi-index, up to max_rank axes (the unused ones 0).
using Index = std::array<std::size_t, fftconv::max_rank>;

/// A dense C-order array of any rank owned by the test.
template <class T>
struct Array {
  fftconv::Shape shape;
  std::vector<T> values;

  Array() = default;
  explicit Array(const fftconv::Shape& s) : shape(s), values(fftconv::element_count(s), T(0)) {}
  std::size_t size() const { return values.size(); }
  fftconv::ConstView<T> view() const { return fftconv::ConstView<T>(values.data(), shape); }
  fftconv::View<T> view() { return fftconv::View<T>(values.data(), shape); }
  /// C-order linear index of a multi-index.
  std::size_t index(const Index& i) const {
    std::size_t linear = 0;
    for (int a = 0; a < shape.rank(); ++a)
      linear = linear * shape[a] + i[static_cast<std::size_t>(a)];
    return linear;
  }
};

/// The multi-index of C-order linear index `linear` in `shape`.
inline Index unravel(std::size_t linear, const fftconv::Shape& shape) {
  Index i{};
  for (int a = shape.rank() - 1; a >= 0; --a) {
    i[static_cast<std::size_t>(a)] = linear % shape[a];
    linear /= shape[a];
  }
  return i;
}

template <class T>
Array<T> uniform(const fftconv::Shape& shape, std::mt19937_64& rng, double lo = 0, double hi = 1) {
  Array<T> a(shape);
  std::uniform_real_distribution<double> d(lo, hi);
  for (T& v : a.values)
    v = static_cast<T>(d(rng));
  return a;
}

template <class T>
Array<T> normal(const fftconv::Shape& shape, std::mt19937_64& rng, double sigma = 1) {
  Array<T> a(shape);
  std::normal_distribution<double> d(0, sigma);
  for (T& v : a.values)
    v = static_cast<T>(d(rng));
  return a;
}

/// Reverse every axis: flip(g) in the semantics, written out by index arithmetic.
template <class T>
Array<T> flip(const Array<T>& a) {
  Array<T> f(a.shape);
  for (std::size_t l = 0; l < a.size(); ++l) {
    Index i = unravel(l, a.shape);
    for (int ax = 0; ax < a.shape.rank(); ++ax)
      i[static_cast<std::size_t>(ax)] = a.shape[ax] - 1 - i[static_cast<std::size_t>(ax)];
    f.values[f.index(i)] = a.values[l];
  }
  return f;
}

/// Memory layouts for views. The path tests use all_layouts; broadcast (every stride 0: one
/// element seen everywhere) and overlapping (every stride 1) are legal inputs but must be refused
/// as outputs (when more than one element), which the fuzz target exercises.
enum class Layout { c_order, f_order, strided_block, reversed_axis0, broadcast, overlapping };
inline constexpr std::array<Layout, 4> all_layouts{Layout::c_order, Layout::f_order,
                                                   Layout::strided_block, Layout::reversed_axis0};
inline std::string name(Layout l) {
  switch (l) {
    case Layout::c_order:
      return "c_order";
    case Layout::f_order:
      return "f_order";
    case Layout::strided_block:
      return "strided_block";
    case Layout::reversed_axis0:
      return "reversed_axis0";
    case Layout::broadcast:
      return "broadcast";
    case Layout::overlapping:
      return "overlapping";
  }
  return "?";
}

/// Storage in a given layout plus the view onto it. Elements not covered by the view hold a
/// sentinel, so a write outside the view is detected.
template <class T>
struct Stored {
  std::vector<T> storage;
  fftconv::View<T> view;

  static constexpr T sentinel = T(-12345.25);

  Stored(const fftconv::Shape& shape, Layout layout) {
    const int r = shape.rank();
    fftconv::Strides strides;
    for (int a = 0; a < r; ++a)
      strides.push_back(0);
    std::size_t span = 1;
    std::ptrdiff_t origin = 0;
    switch (layout) {
      case Layout::c_order:
      case Layout::reversed_axis0:
        for (int a = r - 1; a >= 0; --a) {
          strides[a] = static_cast<std::ptrdiff_t>(span);
          span *= shape[a];
        }
        if (layout == Layout::reversed_axis0) {
          origin = static_cast<std::ptrdiff_t>(shape[0] - 1) * strides[0];
          strides[0] = -strides[0];
        }
        break;
      case Layout::f_order:
        for (int a = 0; a < r; ++a) {
          strides[a] = static_cast<std::ptrdiff_t>(span);
          span *= shape[a];
        }
        break;
      case Layout::strided_block:  // every other element, rows padded by 3
        for (int a = r - 1; a >= 0; --a) {
          strides[a] = static_cast<std::ptrdiff_t>(span) * (a == r - 1 ? 2 : 1);
          span = (a == r - 1 ? 2 * shape[a] : shape[a]) * span + 3;
        }
        break;
      case Layout::broadcast:  // strides stay 0
        break;
      case Layout::overlapping:
        for (int a = 0; a < r; ++a) {
          strides[a] = 1;
          span += shape[a];
        }
        break;
    }
    storage.assign(span + 8, sentinel);
    view = fftconv::View<T>(storage.data() + origin, shape, strides);
  }
  explicit Stored(const Array<T>& a, Layout layout) : Stored(a.shape, layout) {
    for (std::size_t l = 0; l < a.size(); ++l)
      at(unravel(l, a.shape)) = a.values[l];
  }
  T& at(const Index& i) {
    T* p = view.data();
    for (int a = 0; a < view.rank(); ++a)
      p += static_cast<std::ptrdiff_t>(i[static_cast<std::size_t>(a)]) * view.stride(a);
    return *p;
  }
  Array<T> read() {
    Array<T> a(view.shape());
    for (std::size_t l = 0; l < a.size(); ++l)
      a.values[l] = at(unravel(l, a.shape));
    return a;
  }
  /// Number of storage elements outside the view that no longer hold the sentinel.
  std::size_t touched_outside() {
    std::vector<bool> inside(storage.size(), false);
    for (std::size_t l = 0; l < view.size(); ++l)
      inside[static_cast<std::size_t>(&at(unravel(l, view.shape())) - storage.data())] = true;
    std::size_t n = 0;
    for (std::size_t s = 0; s < storage.size(); ++s)
      n += !inside[s] && storage[s] != sentinel;
    return n;
  }
};

}  // namespace testing
