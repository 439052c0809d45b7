#pragma once
// Argument validation at the API boundary: everything a call needs is checked here, before any
// allocation or write, so that a refused call has no effect.
#include "fftconv/options.hpp"
#include "fftconv/view.hpp"
#include "problem.hpp"

namespace fftconv::detail {

/// The problem of convolve/correlate(image, kernel, out, options), or fftconv::Error naming the
/// bad argument: rank, extents, strides count, null data, output shape, an output view that
/// overlaps itself, unknown enum values. `what` names the calling function in messages.
template <class T>
Problem validate_call(const ConstView<T>& image, const ConstView<T>& kernel, const View<T>& out,
                      const Options& options, bool correlate, const char* what);

/// True if two different elements of the view share an address. Conservative: the axes sorted
/// by |stride| must each step past the whole span of the smaller ones (C order, Fortran order,
/// blocks, reversed and padded layouts all pass; interleaved exotic layouts are refused).
bool overlaps_itself(const Shape& shape, const Strides& strides);

}  // namespace fftconv::detail
