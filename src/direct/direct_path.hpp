#pragma once
// The direct path: the spatial sum, for kernels small enough that it beats the transforms.
#include <cstddef>

#include "../problem.hpp"
#include "fftconv/view.hpp"

namespace fftconv::detail {

/// Number of non-zero kernel values (the direct path skips zero taps).
template <class T>
std::size_t count_nonzero(const ConstView<T>& kernel3);

/// image, kernel and out are canonical rank-3 views of the problem's shapes.
template <class T>
void direct_convolve(const Problem& p, const ConstView<T>& image, const ConstView<T>& kernel,
                     const View<T>& out);

}  // namespace fftconv::detail
