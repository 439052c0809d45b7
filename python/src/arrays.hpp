#pragma once
// numpy arrays as fftconv views, in place: the array's own memory with its strides (byte strides
// divided by the item size), whatever its order, slicing, negative or zero strides. The Python
// layer (fftconv/_arrays.py) hands over only arrays these views can describe: native byte order,
// aligned, a dtype of float32, float64, complex64 or complex128; anything else it converts first.
#include <pybind11/numpy.h>
#include <pybind11/pybind11.h>

#include <complex>
#include <string>
#include <utility>

#include "fftconv/fftconv.hpp"

namespace fftconv_python {

namespace py = pybind11;

/// A dtype's name for messages ("float64", ">f8" for big-endian data).
inline std::string dtype_name(const py::dtype& dt) {
  return py::str(static_cast<const py::handle&>(dt)).cast<std::string>();
}

/// The element types the library computes on.
enum class Element { f32, f64, c64, c128 };

/// The element type of a numpy array's dtype, or TypeError naming it and the argument.
inline Element element_of(const py::array& a, const char* name) {
  const py::dtype dt = a.dtype();
  const char kind = dt.kind();
  const auto size = dt.itemsize();
  if (kind == 'f' && size == 4) return Element::f32;
  if (kind == 'f' && size == 8) return Element::f64;
  if (kind == 'c' && size == 8) return Element::c64;
  if (kind == 'c' && size == 16) return Element::c128;
  throw py::type_error(std::string(name) + ": dtype " + dtype_name(dt) +
                       " is not one the library computes on (float32, float64, complex64, "
                       "complex128)");
}

/// Calls f(T{}) with T the C++ type of element e.
template <class F>
decltype(auto) with_element(Element e, F&& f) {
  switch (e) {
    case Element::f32:
      return std::forward<F>(f)(float{});
    case Element::f64:
      return std::forward<F>(f)(double{});
    case Element::c64:
      return std::forward<F>(f)(std::complex<float>{});
    case Element::c128:
      break;
  }
  return std::forward<F>(f)(std::complex<double>{});
}

/// The array's shape and element strides. Its dtype must be T's (TypeError otherwise: never
/// read memory as another type), its data aligned and native: the Python layer guarantees
/// both, and ValueError says so otherwise.
template <class T>
std::pair<fftconv::Shape, fftconv::Strides> geometry(const py::array& a, const char* name) {
  if (!a.dtype().equal(py::dtype::of<T>()))
    throw py::type_error(std::string(name) + ": dtype " + dtype_name(a.dtype()) +
                         " where this call computes on " + dtype_name(py::dtype::of<T>()));
  if (a.ndim() > fftconv::max_rank)
    throw py::value_error(std::string(name) + ": rank " + std::to_string(a.ndim()) +
                          " is more than the library's " + std::to_string(fftconv::max_rank));
  const auto flags = py::detail::array_proxy(a.ptr())->flags;
  if (!(flags & py::detail::npy_api::NPY_ARRAY_ALIGNED_) ||
      !a.dtype().attr("isnative").cast<bool>())
    throw py::value_error(std::string(name) +
                          ": the array is unaligned or not in native byte "
                          "order (convert it with numpy.ascontiguousarray first)");
  fftconv::Shape shape;
  fftconv::Strides strides;
  for (py::ssize_t i = 0; i < a.ndim(); ++i) {
    const py::ssize_t stride = a.strides(i);
    if (stride % static_cast<py::ssize_t>(sizeof(T)) != 0)
      throw py::value_error(std::string(name) + ": stride " + std::to_string(stride) +
                            " bytes is not a multiple of the item size");
    shape.push_back(static_cast<std::size_t>(a.shape(i)));
    strides.push_back(stride / static_cast<py::ssize_t>(sizeof(T)));
  }
  return {shape, strides};
}

/// A read-only view of `a` (dtype T).
template <class T>
fftconv::ConstView<T> input_view(const py::array& a, const char* name) {
  const auto [shape, strides] = geometry<T>(a, name);
  return fftconv::ConstView<T>(static_cast<const T*>(a.data()), shape, strides);
}

/// A writable view of `a` (dtype T); ValueError if numpy marks it read-only.
template <class T>
fftconv::View<T> output_view(py::array& a, const char* name) {
  if (!a.writeable()) throw py::value_error(std::string(name) + ": the output array is read-only");
  const auto [shape, strides] = geometry<T>(a, name);
  return fftconv::View<T>(static_cast<T*>(a.mutable_data()), shape, strides);
}

/// Calls f(T{}) for a real array's element type (float32 or float64), else TypeError.
template <class F>
decltype(auto) with_real(const py::array& a, const char* name, F&& f) {
  const Element e = element_of(a, name);
  if (e == Element::f32) return std::forward<F>(f)(float{});
  if (e == Element::f64) return std::forward<F>(f)(double{});
  throw py::type_error(std::string(name) +
                       ": this function takes real data (float32 or float64), "
                       "got " +
                       dtype_name(a.dtype()));
}

}  // namespace fftconv_python
