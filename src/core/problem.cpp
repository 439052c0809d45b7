#include "core/problem.hpp"

#include <algorithm>

#include "util/check.hpp"
#include "util/checked_math.hpp"

namespace fftconv::detail {

Axis make_axis(std::size_t n, std::size_t k, Mode mode, std::ptrdiff_t origin) {
  Axis a;
  a.n = n;
  a.k = k;
  const std::size_t full = checked_add(n, k - 1, "image extent + kernel extent - 1");
  switch (mode) {
    case Mode::full:
      a.out = full;
      a.start = 0;
      break;
    case Mode::same:
      a.out = n;
      // (origin >= -(k - 1) / 2: the start stays >= 0)
      a.start = static_cast<std::size_t>(static_cast<std::ptrdiff_t>((k - 1) / 2) + origin);
      break;
    case Mode::valid:
      a.out = n >= k ? n - k + 1 : 0;
      a.start = k - 1;
      break;
    default:
      fail(ErrorCode::invalid_argument, "options.mode has unknown value ", static_cast<int>(mode));
  }
  return a;
}

namespace {
/// The product over the axes of one Axis field, checked for overflow.
std::size_t axis_product(const Problem& p, std::size_t Axis::*field, const char* what) {
  std::size_t count = 1;
  for (const Axis& a : p.axes)
    count = checked_mul(count, a.*field, what);
  return count;
}
}  // namespace

std::size_t Problem::output_count() const {
  return axis_product(*this, &Axis::out, "output element count");
}
std::size_t Problem::image_count() const {
  return axis_product(*this, &Axis::n, "image element count");
}
std::size_t Problem::kernel_count() const {
  return axis_product(*this, &Axis::k, "kernel element count");
}

namespace {
template <class Field>
Shape caller_shape(const Problem& p, Field field) {
  Shape shape;
  for (int i = core_rank - p.rank; i < core_rank; ++i)
    shape.push_back(p.axes[static_cast<std::size_t>(i)].*field);
  return shape;
}
}  // namespace

Shape Problem::output_shape() const {
  return caller_shape(*this, &Axis::out);
}
Shape Problem::image_shape() const {
  return caller_shape(*this, &Axis::n);
}
Shape Problem::kernel_shape() const {
  return caller_shape(*this, &Axis::k);
}

std::size_t Problem::min_transform_length(int axis) const {
  const Axis& a = axes[static_cast<std::size_t>(axis)];
  // The data must fit (P >= n, P >= k); no later term may wrap onto the window
  // (start + P >= n + k - 1); no window index may wrap onto an earlier term (P >= start + out).
  // full: n + k - 1; same: n + ceil((k - 1) / 2); valid: n.
  const std::size_t full = a.n + a.k - 1;
  return std::max({a.n, a.k, a.start + a.out, full - std::min(a.start, full)});
}

bool Problem::extends_image() const {
  if (boundary == Boundary::zero) return false;
  for (const Axis& a : axes)  // valid mode never looks outside the image
    if (a.start + a.out > a.n || a.start < a.k - 1) return true;
  return false;
}

Problem make_problem(const Shape& image, const Shape& kernel, Mode mode, bool correlate,
                     const char* what, const Offsets& origin) {
  FFTCONV_CHECK(image.rank() >= 1 && image.rank() <= core_rank, invalid_argument, what,
                ": image rank must be 1 to ", core_rank, ", got ", image.rank());
  FFTCONV_CHECK(kernel.rank() == image.rank(), invalid_argument, what, ": kernel rank ",
                kernel.rank(), " does not match image rank ", image.rank(), " (kernel shape ",
                to_string(kernel), ", image shape ", to_string(image), ")");
  Problem p;
  p.rank = image.rank();
  p.correlate = correlate;
  const int lead = core_rank - p.rank;
  for (int i = 0; i < p.rank; ++i) {
    FFTCONV_CHECK(image[i] > 0, invalid_argument, what, ": image has extent 0 in axis ", i,
                  " (shape ", to_string(image), ")");
    FFTCONV_CHECK(kernel[i] > 0, invalid_argument, what, ": kernel has extent 0 in axis ", i,
                  " (shape ", to_string(kernel), ")");
    p.axes[static_cast<std::size_t>(lead + i)] =
        make_axis(image[i], kernel[i], mode, origin.empty() ? 0 : origin[i]);
  }
  return p;
}

}  // namespace fftconv::detail
