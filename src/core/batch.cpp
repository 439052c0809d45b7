#include "core/batch.hpp"

#include <array>
#include <string>

#include "util/check.hpp"
#include "util/checked_math.hpp"

namespace fftconv::detail {

namespace {

// Options::axes or Options::origin as messages show them: "{1, -2}".
template <class Int>
std::string list_string(const Dims<Int>& list) {
  std::string s = "{";
  for (int i = 0; i < list.rank(); ++i)
    s += (i ? ", " : "") + std::to_string(list[i]);
  return s + "}";
}

// The lengths of `shape` along `axes`.
Shape along(const Shape& shape, const Axes& axes) {
  Shape r;
  for (int a : axes)
    r.push_back(shape[a]);
  return r;
}

// Position of output frame `frame` along each batch axis (C order over the output's batch
// lengths), indexed by image axis.
std::array<std::size_t, max_rank> batch_position(const Batch& b, std::size_t frame) {
  std::array<std::size_t, max_rank> at{};
  for (int i = b.batched.rank() - 1; i >= 0; --i) {
    const int a = b.batched[i];
    const std::size_t n = b.output[a];
    at[static_cast<std::size_t>(a)] = frame % n;
    frame /= n;
  }
  return at;
}

std::size_t element_count_checked(const Shape& shape, const char* name) {
  std::size_t n = 1;
  for (std::size_t e : shape)
    n = checked_mul(n, e, name);
  return n;
}

std::size_t product(const Shape& shape, const Axes& axes) {
  std::size_t n = 1;
  for (int a : axes)
    n *= shape[a];  // (bounded by the output's element count, checked by the frame problem)
  return n;
}

}  // namespace

Shape Batch::frame_image() const {
  return along(image, convolved);
}
Shape Batch::frame_kernel() const {
  return along(kernel, convolved);
}
Offsets Batch::frame_origin() const {
  Offsets r;
  for (int a : convolved)
    r.push_back(origin[a]);
  return r;
}

namespace {

// Options::origin at the image's rank (zeros when empty), checked against the batch's axes.
Offsets checked_origin(const Batch& b, const Offsets& origin, Mode mode, const char* what) {
  Offsets r;
  for (int a = 0; a < b.rank; ++a)
    r.push_back(0);
  if (origin.empty()) return r;
  FFTCONV_CHECK(origin.rank() == b.rank, invalid_argument, what, ": options.origin ",
                list_string(origin), " has ", origin.rank(), " entries for a rank-", b.rank,
                " image (one per image axis, or none)");
  for (int a : b.batched)
    FFTCONV_CHECK(origin[a] == 0, invalid_argument, what, ": options.origin ", list_string(origin),
                  " shifts batch axis ", a, " (only convolved axes have a window to shift)");
  for (int a = 0; a < b.rank; ++a) {
    if (origin[a] == 0) continue;
    FFTCONV_CHECK(mode == Mode::same, invalid_argument, what, ": options.origin ",
                  list_string(origin), " shifts the window of mode ", to_string(mode),
                  "; only mode same takes an origin");
    const auto k = static_cast<std::ptrdiff_t>(b.kernel[a]);
    FFTCONV_CHECK(origin[a] >= -((k - 1) / 2) && origin[a] <= k / 2, invalid_argument, what,
                  ": options.origin[", a, "] is ", origin[a], "; with a kernel of length ", k,
                  " along axis ", a, " it must be in [", -((k - 1) / 2), ", ", k / 2,
                  "] (output pixel i's image pixel i stays under the kernel)");
    r[a] = origin[a];
  }
  return r;
}

}  // namespace

Batch make_batch(const Shape& image, const Shape& kernel, const Axes& axes, Mode mode,
                 const char* what, const Offsets& origin) {
  const int rank = image.rank();
  FFTCONV_CHECK(rank >= 1, invalid_argument, what, ": image rank must be 1 to ", max_rank, ", got ",
                rank);
  FFTCONV_CHECK(
      kernel.rank() == rank || (!axes.empty() && kernel.rank() >= 1 && kernel.rank() < rank),
      invalid_argument, what, ": kernel rank ", kernel.rank(), " does not match image rank ", rank,
      " (kernel shape ", to_string(kernel), ", image shape ", to_string(image), ")",
      kernel.rank() >= 1 && kernel.rank() < rank
          ? "; a kernel of lower rank is aligned to the image's last axes only with "
            "explicit options.axes"
          : "");
  for (int i = 0; i < rank; ++i)
    FFTCONV_CHECK(image[i] > 0, invalid_argument, what, ": image has extent 0 in axis ", i,
                  " (shape ", to_string(image), ")");
  for (int i = 0; i < kernel.rank(); ++i)
    FFTCONV_CHECK(kernel[i] > 0, invalid_argument, what, ": kernel has extent 0 in axis ", i,
                  " (shape ", to_string(kernel), ")");

  Batch b;
  b.rank = rank;
  b.image = image;
  for (int i = kernel.rank(); i < rank; ++i)
    b.kernel.push_back(1);
  for (std::size_t k : kernel)
    b.kernel.push_back(k);

  std::array<bool, max_rank> listed{};
  for (int axis : axes) {
    const int a = axis < 0 ? axis + rank : axis;
    FFTCONV_CHECK(a >= 0 && a < rank, invalid_argument, what, ": options.axes ", list_string(axes),
                  " names axis ", axis, ", outside a rank-", rank, " image");
    FFTCONV_CHECK(!listed[static_cast<std::size_t>(a)], invalid_argument, what, ": options.axes ",
                  list_string(axes), " names axis ", a, " twice");
    listed[static_cast<std::size_t>(a)] = true;
  }
  for (int a = 0; a < rank; ++a)
    (axes.empty() || listed[static_cast<std::size_t>(a)] ? b.convolved : b.batched).push_back(a);
  b.origin = checked_origin(b, origin, mode, what);
  b.output = image;
  for (int a : b.convolved)
    b.output[a] = make_axis(image[a], b.kernel[a], mode).out;
  if (b.convolved.rank() > core_rank) {  // the leading ones become outer axes (a tap sum)
    Axes frame;
    for (int i = 0; i < b.convolved.rank(); ++i) {
      const int a = b.convolved[i];
      if (i < b.convolved.rank() - core_rank) {
        b.outer_axes[static_cast<std::size_t>(b.outer.rank())] =
            make_axis(image[a], b.kernel[a], mode, b.origin[a]);
        b.outer.push_back(a);
      } else {
        frame.push_back(a);
      }
    }
    b.convolved = frame;
  }
  for (int a : b.batched) {
    const std::size_t n = image[a], k = b.kernel[a];
    FFTCONV_CHECK(n == k || n == 1 || k == 1, invalid_argument, what, ": along batch axis ", a,
                  " the image has length ", n, " and the kernel ", k,
                  "; they must be equal or one of them 1 (image shape ", to_string(image),
                  ", kernel shape ", to_string(b.kernel), ", options.axes ", list_string(axes),
                  ")");
    b.output[a] = n > k ? n : k;
  }
  // (Element counts that fit size_t bound every product below.)
  (void)element_count_checked(b.output, "output element count");
  (void)element_count_checked(b.image, "image element count");
  b.frames = product(b.output, b.batched);
  b.kernel_frames = product(b.kernel, b.batched);
  b.image_frames = product(b.image, b.batched);
  b.outer_positions = product(b.output, b.outer);
  b.outer_taps = product(b.kernel, b.outer);
  return b;
}

Batch stacked(const Batch& b, const Shape& image, const char* what) {
  const int extra = image.rank() - b.rank;
  bool fits = extra >= 0;
  for (int i = 0; fits && i < b.rank; ++i)
    fits = image[extra + i] == b.image[i];
  FFTCONV_CHECK(fits, invalid_argument, what, ": image has shape ", to_string(image), ", expected ",
                to_string(b.image), " or a stack of such images (extra leading axes)");
  if (extra == 0) return b;
  Batch s;
  s.rank = image.rank();
  s.image = image;
  for (int a = 0; a < extra; ++a) {
    s.batched.push_back(a);
    s.kernel.push_back(1);
    s.output.push_back(image[a]);
    s.origin.push_back(0);
  }
  for (int a : b.batched)
    s.batched.push_back(a + extra);
  for (int a : b.convolved)
    s.convolved.push_back(a + extra);
  for (int a : b.outer)
    s.outer.push_back(a + extra);
  s.outer_axes = b.outer_axes;
  s.outer_positions = b.outer_positions;
  s.outer_taps = b.outer_taps;
  for (int i = 0; i < b.rank; ++i) {
    s.kernel.push_back(b.kernel[i]);
    s.output.push_back(b.output[i]);
    s.origin.push_back(b.origin[i]);
  }
  (void)element_count_checked(s.output, "output element count");
  (void)element_count_checked(s.image, "image element count");
  s.frames = product(s.output, s.batched);
  s.kernel_frames = b.kernel_frames;
  s.image_frames = product(s.image, s.batched);
  return s;
}

template <class T>
View<T> frame_view(const View<T>& v, const Batch& b, std::size_t frame) {
  if (b.batched.empty() && b.outer.empty()) return to_rank3(v);
  const std::array<std::size_t, max_rank> at = batch_position(b, frame);
  T* data = v.data();
  for (int a : b.batched)
    if (v.extent(a) > 1)
      data += static_cast<std::ptrdiff_t>(at[static_cast<std::size_t>(a)]) * v.stride(a);
  Shape shape;
  Strides strides;
  for (int a : b.outer) {
    shape.push_back(v.extent(a));
    strides.push_back(v.stride(a));
  }
  const int leading = b.outer.rank() + core_rank - b.convolved.rank();  // (canonical rank 3)
  for (int i = b.outer.rank(); i < leading; ++i) {
    shape.push_back(1);
    strides.push_back(0);
  }
  for (int a : b.convolved) {
    shape.push_back(v.extent(a));
    strides.push_back(v.stride(a));
  }
  return View<T>(data, shape, strides);
}

template <class T>
View<T> slab_view(const View<T>& frame, const OuterIndex& at) {
  const int outer = frame.rank() - core_rank;
  T* data = frame.data();
  for (int i = 0; i < outer; ++i)
    data += static_cast<std::ptrdiff_t>(at[static_cast<std::size_t>(i)]) * frame.stride(i);
  Shape shape;
  Strides strides;
  for (int i = outer; i < frame.rank(); ++i) {
    shape.push_back(frame.extent(i));
    strides.push_back(frame.stride(i));
  }
  return View<T>(data, shape, strides);
}

std::size_t kernel_frame(const Batch& b, std::size_t frame) {
  const std::array<std::size_t, max_rank> at = batch_position(b, frame);
  std::size_t k = 0;
  for (int a : b.batched)
    k = k * b.kernel[a] + (b.kernel[a] > 1 ? at[static_cast<std::size_t>(a)] : 0);
  return k;
}

template View<float> frame_view(const View<float>&, const Batch&, std::size_t);
template View<double> frame_view(const View<double>&, const Batch&, std::size_t);
template View<const float> frame_view(const View<const float>&, const Batch&, std::size_t);
template View<const double> frame_view(const View<const double>&, const Batch&, std::size_t);
template View<float> slab_view(const View<float>&, const OuterIndex&);
template View<double> slab_view(const View<double>&, const OuterIndex&);
template View<const float> slab_view(const View<const float>&, const OuterIndex&);
template View<const double> slab_view(const View<const double>&, const OuterIndex&);

}  // namespace fftconv::detail
