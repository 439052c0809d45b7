#pragma once
// Calls the library's view API on test arrays stored in chosen layouts, and reads the result back
// as a dense array. Checks on the way that nothing outside the output view was written.
#include <doctest/doctest.h>

#include <cstring>
#include <string>
#include <type_traits>

#include "fftconv/names.hpp"
#include "reference.hpp"
#include "test_data.hpp"

namespace testing {

using Op = fftconv::Operation;
/// A library enum's name (fftconv/names.hpp) as std::string: doctest's CAPTURE prints a
/// const char* as a pointer.
template <class E, class = std::enable_if_t<std::is_enum_v<E>>>
std::string name(E value) {
  return fftconv::to_string(value);
}

template <class T>
Array<T> call(Op op, const Array<T>& image, const Array<T>& kernel, const fftconv::Options& options,
              Layout image_layout = Layout::c_order, Layout kernel_layout = Layout::c_order,
              Layout out_layout = Layout::c_order) {
  Stored<T> in(image, image_layout);
  Stored<T> ker(kernel, kernel_layout);
  Stored<T> out(reference_shape<T>(image.shape, kernel.shape, options.mode), out_layout);
  if (op == Op::convolve)
    fftconv::convolve(fftconv::ConstView<T>(in.view), ker.view, out.view, options);
  else
    fftconv::correlate(fftconv::ConstView<T>(in.view), ker.view, out.view, options);
  CHECK(out.touched_outside() == 0);
  const Array<T> after = in.read();  // input preserved, bit for bit (NaN != NaN under ==)
  CHECK(std::memcmp(after.values.data(), image.values.data(), image.size() * sizeof(T)) == 0);
  return out.read();
}

/// Runs op with `options` on arrays stored in the given layouts and checks the result against the
/// reference (same mode, boundary and fill value) within tolerance<T>. `ref` is the reference of
/// this problem, computed once by the caller for the methods it checks.
template <class T>
void check_against(const Reference& ref, Op op, const Array<T>& image, const Array<T>& kernel,
                   const fftconv::Options& options, Layout image_layout = Layout::c_order,
                   Layout kernel_layout = Layout::c_order, Layout out_layout = Layout::c_order) {
  CAPTURE(fftconv::to_string(image.shape));
  CAPTURE(fftconv::to_string(kernel.shape));
  CAPTURE(name(op));
  CAPTURE(name(options.mode));
  CAPTURE(name(options.method));
  CAPTURE(name(options.boundary));
  CAPTURE(name(image_layout));
  CAPTURE(name(kernel_layout));
  CAPTURE(name(out_layout));
  const Array<T> result = call(op, image, kernel, options, image_layout, kernel_layout, out_layout);
  REQUIRE(result.shape == ref.values.shape);
  const long double err = max_abs_error(result, ref.values);
  const long double tol = tolerance<T>(image.shape, kernel.shape, ref.abs_sum_max);
  CAPTURE(static_cast<double>(err));
  CAPTURE(static_cast<double>(tol));
  CHECK(err <= tol);
}

/// op on dense arrays with `options` (axes too), the output shaped by
/// fftconv::output_shape(image, kernel, options); with `reference` the library's
/// reference_convolve / reference_correlate instead.
template <class T>
Array<T> apply(Op op, const Array<T>& image, const Array<T>& kernel,
               const fftconv::Options& options, bool reference = false) {
  Array<T> out(fftconv::output_shape(image.shape, kernel.shape, options));
  const bool convolve = op == Op::convolve;
  if (reference && convolve)
    fftconv::reference_convolve(image.view(), kernel.view(), out.view(), options);
  else if (reference)
    fftconv::reference_correlate(image.view(), kernel.view(), out.view(), options);
  else if (convolve)
    fftconv::convolve(image.view(), kernel.view(), out.view(), options);
  else
    fftconv::correlate(image.view(), kernel.view(), out.view(), options);
  return out;
}

}  // namespace testing
