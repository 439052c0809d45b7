#pragma once
// Argument validation at the API boundary: everything a call needs is checked here, before any
// allocation or write, so that a refused call has no effect.
#include "core/batch.hpp"
#include "core/enumerators.hpp"
#include "core/problem.hpp"
#include "fftconv/options.hpp"
#include "fftconv/view.hpp"

namespace fftconv::detail {

/// A call as validation resolved it: its batch (which axes are convolved, which broadcast) and
/// the problem of one frame with the resolved options.
struct Call {
  Batch batch;
  Problem frame;
};

/// The call of an operation on images of `image_shape` with `kernel` and `options`, or
/// fftconv::Error naming the bad argument: ranks, extents, options.axes and the batch lengths,
/// the kernel view (strides count, null data), unknown enum values, a NaN fill value. `what`
/// names the calling function in messages.
template <class T>
Call validate_call_setup(const ConstView<T>& kernel, const Shape& image_shape,
                         const Options& options, bool correlate, const char* what);

/// The same for operations without batch axes (convolve_masked, match_template,
/// predicted_seconds): the frame problem, or fftconv::Error if options.axes leaves an axis out.
template <class T>
Problem validate_setup(const ConstView<T>& kernel, const Shape& image_shape, const Options& options,
                       bool correlate, const char* what);

/// Checks the image view of problem p (or batch b): its shape, strides and data.
template <class T>
void validate_image(const Problem& p, const ConstView<T>& image, const char* what);
template <class T>
void validate_image(const Batch& b, const ConstView<T>& image, const char* what);

/// Checks an output view of problem p (called `name` in messages): its shape, strides, data and
/// that it does not overlap itself.
template <class T>
void validate_output(const Problem& p, const View<T>& out, const char* name, const char* what);

/// Checks a view that accompanies another of `shape` (a mask: called `name`; the other `owner`
/// in messages): the same shape, strides for every axis, non-null data.
template <class M>
void validate_companion(const ConstView<M>& v, const Shape& shape, const char* name,
                        const char* owner, const char* what);

/// Checks the views of a whole-image operation whose output has the image's shape (frequency
/// filters, deconvolution): strides for every axis and non-null data for both, the output of the
/// image's shape and not overlapping itself (it may alias the image). Ranks and extents are the
/// caller's to check.
template <class T>
void validate_same_shape(const ConstView<T>& image, const View<T>& out, const char* what);

/// options.threads (or a field like it, named so in messages) checked (>= 0) and resolved:
/// usable_threads.
int resolved_threads(int threads, const char* what);

/// options.fill_value (or a field like it) checked and rounded to T as every path uses it: NaN
/// refused; where it is `used`, a finite value beyond T's range refused (infinities are kept).
/// The rounded value where used, else 0.
template <class T>
double rounded_fill_value(double fill_value, bool used, const char* what);

/// Checks the image and output views of one application of batch b: the image's shape, strides
/// and data, the output's shape, strides, data and that it does not overlap itself.
template <class T>
void validate_apply(const Batch& b, const ConstView<T>& image, const View<T>& out,
                    const char* what);

/// validate_call_setup and validate_apply, for the free functions.
template <class T>
Call validate_call(const ConstView<T>& image, const ConstView<T>& kernel, const View<T>& out,
                   const Options& options, bool correlate, const char* what) {
  Call call = validate_call_setup(kernel, image.shape(), options, correlate, what);
  validate_apply(call.batch, image, out, what);
  return call;
}

/// True if two different elements of the view share an address. Conservative: the axes sorted
/// by |stride| must each step past the whole span of the smaller ones (C order, Fortran order,
/// blocks, reversed and padded layouts all pass; interleaved exotic layouts are refused).
bool overlaps_itself(const Shape& shape, const Strides& strides);

}  // namespace fftconv::detail
