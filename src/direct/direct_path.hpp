#pragma once
// The direct path: the spatial sum, for kernels small enough that it beats the transforms.
#include <array>
#include <cstddef>

#include "../problem.hpp"
#include "fftconv/view.hpp"

namespace fftconv::detail {

/// Number of non-zero kernel values (the direct path skips zero taps).
template <class T>
std::size_t count_nonzero(const ConstView<T>& kernel3);

/// The extended image the direct path sums over: extent out + k - 1 per axis, position t holding
/// the extended image at t + start - (k - 1). Throws fftconv::Error(invalid_argument) if a size
/// overflows size_t.
struct DirectLayout {
  std::array<std::size_t, 3> extent{};
  std::array<std::size_t, 3> strides{};  ///< dense C order
  std::size_t count = 0;                 ///< elements of the extended image
};
DirectLayout direct_layout(const Problem& p);

/// Bytes the direct path allocates for problem p: extended image, dense kernel and its tap list,
/// one accumulator row.
std::size_t direct_working_bytes(const Problem& p, std::size_t element_bytes);

/// image, kernel and out are canonical rank-3 views of the problem's shapes.
template <class T>
void direct_convolve(const Problem& p, const ConstView<T>& image, const ConstView<T>& kernel,
                     const View<T>& out);

}  // namespace fftconv::detail
