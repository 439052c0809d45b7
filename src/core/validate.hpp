#pragma once
// Argument validation at the API boundary: everything a call needs is checked here, before any
// allocation or write, so that a refused call has no effect.
#include "core/enumerators.hpp"
#include "core/problem.hpp"
#include "fftconv/options.hpp"
#include "fftconv/view.hpp"

namespace fftconv::detail {

/// The problem of an operation on images of `image_shape` with `kernel` and `options`, or
/// fftconv::Error naming the bad argument: ranks, extents, the kernel view (strides count, null
/// data), unknown enum values, a NaN fill value. `what` names the calling function in messages.
template <class T>
Problem validate_setup(const ConstView<T>& kernel, const Shape& image_shape, const Options& options,
                       bool correlate, const char* what);

/// Checks the image view of problem p: its shape, strides and data.
template <class T>
void validate_image(const Problem& p, const ConstView<T>& image, const char* what);

/// Checks an output view of problem p (called `name` in messages): its shape, strides, data and
/// that it does not overlap itself.
template <class T>
void validate_output(const Problem& p, const View<T>& out, const char* name, const char* what);

/// Checks a view that accompanies another of `shape` (a mask: called `name`; the other `owner`
/// in messages): the same shape, strides for every axis, non-null data.
template <class M>
void validate_companion(const ConstView<M>& v, const Shape& shape, const char* name,
                        const char* owner, const char* what);

/// Checks the image and output views of one application of problem p: the image's shape, strides
/// and data, the output's shape, strides, data and that it does not overlap itself.
template <class T>
void validate_apply(const Problem& p, const ConstView<T>& image, const View<T>& out,
                    const char* what);

/// Both of the above, for the free functions.
template <class T>
Problem validate_call(const ConstView<T>& image, const ConstView<T>& kernel, const View<T>& out,
                      const Options& options, bool correlate, const char* what) {
  const Problem p = validate_setup(kernel, image.shape(), options, correlate, what);
  validate_apply(p, image, out, what);
  return p;
}

/// True if two different elements of the view share an address. Conservative: the axes sorted
/// by |stride| must each step past the whole span of the smaller ones (C order, Fortran order,
/// blocks, reversed and padded layouts all pass; interleaved exotic layouts are refused).
bool overlaps_itself(const Shape& shape, const Strides& strides);

}  // namespace fftconv::detail
