#pragma once
// Missing pixels: NanPolicy and convolve_masked's mask, on top of any prepared method. The method
// is run on the image with its missing pixels replaced (NaN, the fill value or 0) and, for
// normalized convolution and the coverage map, once more on the missing-pixel indicator D
// (1 where missing): conv(M, k) = sum(k) - conv(D, k), since M = 1 - D and conv(1, k) = sum(k)
// at every output. D is mostly zero, so far from any missing pixel conv(D, k) is 0 (direct) or
// transform noise at the level of u |k|_2 |D|_2 (fft), and the weight is sum(k) to rounding.
#include <cstddef>
#include <functional>

#include "core/problem.hpp"
#include "fftconv/view.hpp"
#include "stages/kernel_normalization.hpp"

namespace fftconv::detail {

/// Bytes apply_with_missing allocates besides the method's own, for problem p and an element of
/// element_bytes: the missing-pixel flags and a copy of the image, and the weights (with a mask:
/// also the caller's copy of it, one byte per pixel).
std::size_t missing_pixel_bytes(const Problem& p, std::size_t element_bytes, bool masked);

/// Whether an application of p needs apply_with_missing: a policy other than propagate, a mask,
/// or the weights asked for.
inline bool handles_missing(const Problem& p, bool masked, bool weight) {
  return p.nan_policy != NanPolicy::propagate || masked || weight;
}

/// One run of the prepared method: out = the problem's result for image, `fill` outside it where
/// the boundary rule gives a constant.
template <class T>
using RunMethod = std::function<void(const ConstView<T>& image, const View<T>& out, T fill)>;

/// out = the result for `image` under p.nan_policy (see NanPolicy), and weight = conv(M, k) unless
/// weight is empty (no data). masked: null, or one flag per image pixel in C order over the
/// canonical shape, non-zero = masked (treated like NaN). kernel: the sum of the kernel `run`
/// uses (for interpolate it must be positive; make_plan checks). The image is read in full
/// before out or weight is written.
template <class T>
void apply_with_missing(const Problem& p, const KernelSum& kernel, const ConstView<T>& image,
                        const unsigned char* masked, const View<T>& out, const View<T>& weight,
                        const RunMethod<T>& run);

}  // namespace fftconv::detail
