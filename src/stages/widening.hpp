#pragma once
// Options::compute_precision = double_precision on float data: the image is widened to double,
// the path and the stages inside this one run in double, and the result (and the weights) are
// rounded to float once.
#include <cstddef>
#include <functional>
#include <type_traits>
#include <vector>

#include "core/problem.hpp"
#include "fftconv/view.hpp"

namespace fftconv::detail {

/// Whether float data is computed in double (compute_precision = double_precision).
template <class T>
bool widens(const Problem& p) {
  return std::is_same_v<T, float> && p.compute_precision == Precision::double_precision;
}

/// The size of one value of the arithmetic: double's when widened, else T's.
template <class T>
std::size_t computed_element_bytes(const Problem& p) {
  return widens<T>(p) ? sizeof(double) : sizeof(T);
}

/// Bytes the widening stage allocates besides the double path's own: double copies of the image,
/// the kernel (while the path is prepared) and the output (and the weights, if p.masked).
std::size_t widening_bytes(const Problem& p);

/// The stages and path inside widening, in double, on canonical rank-3 views of p's shapes.
using WidenedRun = std::function<void(const ConstView<double>& image, const View<double>& out,
                                      const View<double>& weight)>;

/// out (and weight, unless it is empty) = `run` on the image widened to double, rounded to float.
void apply_widened(const Problem& p, const ConstView<float>& image, const View<float>& out,
                   const View<float>& weight, const WidenedRun& run);

/// A dense C-order copy of v as doubles.
template <class T>
std::vector<double> widened_copy(const ConstView<T>& v);

}  // namespace fftconv::detail
