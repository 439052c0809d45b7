#pragma once
// Sums over every window of a box: the local sums template matching normalizes by. Separable
// (one axis at a time), each line through prefix sums kept in double-double, so a window's sum is
// the difference of two prefixes without the cancellation a plain summed-area table suffers on
// large images: the error is about u |window sum| + u^2 n max |x| rather than u n max |x|.
#include <array>
#include <cstddef>
#include <vector>

namespace fftconv::detail {

/// values: dense C order, extents `shape`. Returns the sum over the window of extents `box`
/// starting at each position where it fits (extents shape - box + 1, C order). box <= shape.
std::vector<double> window_sums(const std::vector<double>& values,
                                const std::array<std::size_t, 3>& shape,
                                const std::array<std::size_t, 3>& box);

}  // namespace fftconv::detail
