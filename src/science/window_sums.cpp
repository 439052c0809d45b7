#include "science/window_sums.hpp"

#include <cmath>

namespace fftconv::detail {

namespace {

/// Knuth's TwoSum: s + e == a + b exactly.
inline void two_sum(double a, double b, double& s, double& e) {
  s = a + b;
  const double bb = s - a;
  e = (a - (s - bb)) + (b - bb);
}

/// One axis: out[.., j, ..] = sum of in[.., j .. j + box - 1, ..] along `axis`.
std::vector<double> sums_along(const std::vector<double>& in, std::array<std::size_t, 3>& shape,
                               std::size_t axis, std::size_t box) {
  std::array<std::size_t, 3> out_shape = shape;
  out_shape[axis] = shape[axis] - box + 1;
  std::vector<double> out(out_shape[0] * out_shape[1] * out_shape[2]);
  // Element strides of the axis in both arrays, and the lines (all other indices).
  const std::size_t in_stride = axis == 2 ? 1 : axis == 1 ? shape[2] : shape[1] * shape[2];
  const std::size_t out_stride = axis == 2   ? 1
                                 : axis == 1 ? out_shape[2]
                                             : out_shape[1] * out_shape[2];
  const std::size_t n = shape[axis], m = out_shape[axis];
  std::vector<double> hi(n + 1), lo(n + 1);  // prefix sums as hi + lo
  for (std::size_t a = 0; a < shape[0]; ++a)
    for (std::size_t b = 0; b < shape[1]; ++b)
      for (std::size_t c = 0; c < shape[2]; ++c) {
        const std::array<std::size_t, 3> at{a, b, c};
        if (at[axis] != 0) continue;  // one line per position with index 0 on the axis
        const std::size_t in_base = (a * shape[1] + b) * shape[2] + c;
        const std::size_t out_base = (a * out_shape[1] + b) * out_shape[2] + c;
        hi[0] = lo[0] = 0;
        for (std::size_t i = 0; i < n; ++i) {
          double e = 0;
          two_sum(hi[i], in[in_base + i * in_stride], hi[i + 1], e);
          lo[i + 1] = lo[i] + e;
        }
        for (std::size_t j = 0; j < m; ++j)
          out[out_base + j * out_stride] = (hi[j + box] - hi[j]) + (lo[j + box] - lo[j]);
      }
  shape = out_shape;
  return out;
}

}  // namespace

std::vector<double> window_sums(const std::vector<double>& values,
                                const std::array<std::size_t, 3>& shape,
                                const std::array<std::size_t, 3>& box) {
  std::array<std::size_t, 3> current = shape;
  std::vector<double> result = sums_along(values, current, 2, box[2]);
  result = sums_along(result, current, 1, box[1]);
  return sums_along(result, current, 0, box[0]);
}

}  // namespace fftconv::detail
