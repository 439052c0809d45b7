// Options::axes: convolution along some axes, broadcasting along the others (batch axes), ranks up
// to max_rank, and Filter::apply on stacks. Checked against the independent long double reference
// applied frame by frame (frames cut out here by index arithmetic, not by the library), and a batch
// against a loop over its frames bit for bit.
#include <doctest/doctest.h>

#include <algorithm>
#include <array>
#include <cmath>
#include <cstring>
#include <map>
#include <memory>
#include <random>
#include <string>
#include <vector>

#include "fftconv/fftconv.hpp"
#include "support/library_call.hpp"
#include "support/reference.hpp"
#include "support/test_data.hpp"

using fftconv::Axes;
using fftconv::Boundary;
using fftconv::ConstView;
using fftconv::Method;
using fftconv::Mode;
using fftconv::Options;
using fftconv::Shape;
using fftconv::View;
using testing::Array;
using testing::Op;

namespace {

using Index = std::array<std::size_t, fftconv::max_rank>;

Index unravel_nd(std::size_t linear, const Shape& shape) {
  Index i{};
  for (int a = shape.rank() - 1; a >= 0; --a) {
    i[static_cast<std::size_t>(a)] = linear % shape[a];
    linear /= shape[a];
  }
  return i;
}

// `shape` with leading axes of length 1 up to `rank`.
Shape padded(const Shape& shape, int rank) {
  Shape s;
  for (int a = shape.rank(); a < rank; ++a)
    s.push_back(1);
  for (std::size_t e : shape)
    s.push_back(e);
  return s;
}

// The frame of `a` (its shape taken at `rank`) at batch position `at` (an output multi-index; a
// batch axis of length 1 in `a` is read at 0): the lengths along `convolved`, dense.
template <class T>
Array<T> frame(const Array<T>& a, int rank, const std::vector<int>& convolved, const Index& at) {
  const Shape shape = padded(a.shape, rank);
  Shape frame_shape;
  for (int c : convolved)
    frame_shape.push_back(shape[c]);
  Array<T> f(frame_shape);
  for (std::size_t l = 0; l < f.size(); ++l) {
    const Index fi = unravel_nd(l, frame_shape);
    std::size_t linear = 0;
    for (int ax = 0, next = 0; ax < rank; ++ax) {
      const bool conv = std::find(convolved.begin(), convolved.end(), ax) != convolved.end();
      const std::size_t i = conv             ? fi[static_cast<std::size_t>(next++)]
                            : shape[ax] == 1 ? 0
                                             : at[static_cast<std::size_t>(ax)];
      linear = linear * shape[ax] + i;
    }
    f.values[l] = a.values[linear];
  }
  return f;
}

struct StackReference {
  Array<long double> values;
  long double tolerance = 0;  ///< the largest frame's testing::tolerance
};

// The independent reference of a batched call: testing::reference on every output frame.
template <class T>
StackReference stack_reference(const Array<T>& image, const Array<T>& kernel,
                               const std::vector<int>& convolved, Mode mode, bool correlate,
                               Boundary rule = Boundary::zero, double fill = 0) {
  const int rank = image.shape.rank();
  const Shape k = padded(kernel.shape, rank);
  Shape out;
  for (int a = 0; a < rank; ++a) {
    const bool conv = std::find(convolved.begin(), convolved.end(), a) != convolved.end();
    out.push_back(conv ? testing::window(image.shape[a], k[a], mode).count
                       : std::max(image.shape[a], k[a]));
  }
  StackReference r;
  r.values = Array<long double>(out);
  std::map<std::size_t, testing::Reference> frames;  // by the output index of the frame's start
  for (std::size_t l = 0; l < r.values.size(); ++l) {
    const Index at = unravel_nd(l, out);
    Index start = at;
    for (int c : convolved)
      start[static_cast<std::size_t>(c)] = 0;
    std::size_t key = 0;
    for (int a = 0; a < rank; ++a)
      key = key * out[a] + start[static_cast<std::size_t>(a)];
    auto found = frames.find(key);
    if (found == frames.end()) {
      const Array<T> fi = frame(image, rank, convolved, at);
      const Array<T> fk = frame(kernel, rank, convolved, at);
      found = frames.emplace(key, testing::reference(fi, fk, mode, correlate, rule, fill)).first;
      r.tolerance = std::max(r.tolerance,
                             testing::tolerance<T>(fi.shape, fk.shape, found->second.abs_sum_max));
    }
    const testing::Reference& fr = found->second;
    testing::Index fo{};
    for (std::size_t c = 0; c < convolved.size(); ++c)
      fo[c] = at[static_cast<std::size_t>(convolved[c])];
    r.values.values[l] = fr.values.values[fr.values.index(fo)];
  }
  return r;
}

template <class T>
void check_close(const Array<T>& result, const StackReference& ref) {
  REQUIRE(result.shape == ref.values.shape);
  CHECK(testing::max_abs_error(result, ref.values) <= ref.tolerance);
}

}  // namespace

TEST_CASE_TEMPLATE("a stack equals the loop over its frames, bit for bit, on 1 and 3 threads", T,
                   float, double) {
  std::mt19937_64 rng(11);
  const Array<T> stack = testing::normal<T>({5, 9, 11}, rng);
  const Array<T> kernel = testing::normal<T>({4, 3}, rng);
  for (Method method : {Method::direct, Method::fft, Method::overlap_save, Method::automatic})
    for (Mode mode : {Mode::full, Mode::same, Mode::valid})
      for (Op op : {Op::convolve, Op::correlate}) {
        CAPTURE(testing::name(method));
        CAPTURE(testing::name(mode));
        Options frame_options;
        frame_options.method = method;
        frame_options.mode = mode;
        const fftconv::Filter<T> per_frame(kernel.view(), {9, 11}, op, frame_options);
        const Shape frame_out = per_frame.output_shape();
        Shape out_shape = {5};
        for (std::size_t e : frame_out)
          out_shape.push_back(e);
        Array<T> looped(out_shape);
        const std::size_t in_step = 9 * 11, out_step = fftconv::element_count(frame_out);
        for (std::size_t f = 0; f < 5; ++f)
          per_frame.apply(ConstView<T>(stack.values.data() + f * in_step, {9, 11}),
                          View<T>(looped.values.data() + f * out_step, frame_out));
        for (int threads : {1, 3}) {
          CAPTURE(threads);
          Options options = frame_options;
          options.axes = {1, 2};
          options.threads = threads;  // (3 threads, 5 frames: one thread per frame)
          CHECK(testing::apply(op, stack, kernel, options).values == looped.values);
          CHECK(fftconv::output_shape(stack.shape, kernel.shape, options) == out_shape);
          // The frame's Filter applied to the whole stack, and in place when the shapes allow.
          Array<T> applied(out_shape);
          per_frame.apply(stack.view(), applied.view());
          CHECK(applied.values == looped.values);
          if (mode == Mode::same) {
            Array<T> in_place = stack;
            per_frame.apply(in_place.view(), in_place.view());
            CHECK(in_place.values == looped.values);
          }
        }
      }
}

TEST_CASE_TEMPLATE("batch axes broadcast, per-frame kernels, every boundary rule and mode", T,
                   float, double) {
  std::mt19937_64 rng(12);
  struct Case {
    Shape image, kernel;
    Axes axes;
    std::vector<int> convolved;  // axes, non-negative and ascending
  };
  const std::vector<Case> cases = {
      {{3, 1, 7, 6}, {1, 2, 3, 4}, {2, 3}, {2, 3}},     // image and kernel broadcast each other
      {{4, 8, 5}, {4, 3, 2}, {-2, -1}, {1, 2}},         // one kernel per frame
      {{6, 3, 5}, {4, 1, 3}, {0, 2}, {0, 2}},           // the batch axis in the middle
      {{9, 4}, {3, 1}, {0}, {0}},                       // batch axis last, 1-D frames
      {{2, 5, 6, 7}, {3, 3, 2}, {1, 2, 3}, {1, 2, 3}},  // 3-D frames, lower-rank kernel
      {{2, 1, 3, 6, 5}, {2, 3, 1, 4, 3}, {3, 4}, {3, 4}},
  };
  for (const Case& c : cases)
    for (Boundary rule : {Boundary::zero, Boundary::constant, Boundary::reflect, Boundary::mirror,
                          Boundary::nearest, Boundary::wrap})
      for (Mode mode : {Mode::full, Mode::same, Mode::valid})
        for (Op op : {Op::convolve, Op::correlate}) {
          CAPTURE(fftconv::to_string(c.image));
          CAPTURE(testing::name(rule));
          CAPTURE(testing::name(mode));
          const Array<T> image = testing::normal<T>(c.image, rng);
          const Array<T> kernel = testing::normal<T>(c.kernel, rng);
          Options options;
          options.axes = c.axes;
          options.boundary = rule;
          options.fill_value = 0.75;
          options.mode = mode;
          const StackReference ref =
              stack_reference(image, kernel, c.convolved, mode, op == Op::correlate, rule, 0.75);
          CHECK(fftconv::output_shape(c.image, c.kernel, options) == ref.values.shape);
          for (Method method : {Method::direct, Method::fft, Method::automatic}) {
            CAPTURE(testing::name(method));
            options.method = method;
            check_close(testing::apply(op, image, kernel, options), ref);
          }
        }
}

TEST_CASE(
    "rank 5: correlate along the last three axes with wrap, against the reference and "
    "within error_bound") {
  std::mt19937_64 rng(13);
  const Array<double> image = testing::normal<double>({2, 3, 5, 4, 6}, rng);
  const Array<double> kernel = testing::normal<double>({1, 3, 3, 2, 3}, rng);
  Options options;
  options.axes = {2, 3, 4};
  options.boundary = Boundary::wrap;
  const StackReference ref =
      stack_reference(image, kernel, {2, 3, 4}, Mode::same, true, Boundary::wrap);
  const Array<double> result = testing::apply(Op::correlate, image, kernel, options);
  check_close(result, ref);
  Array<double> library_ref(ref.values.shape);
  fftconv::reference_correlate(image.view(), kernel.view(), library_ref.view(), options);
  check_close(library_ref, ref);
  const double bound =
      fftconv::error_bound(image.view(), kernel.view(), options, fftconv::Operation::correlate);
  CHECK(testing::max_abs_error(result, ref.values) <= bound);
  const fftconv::ErrorStats stats = fftconv::compare(result.view(), library_ref.view());
  CHECK(stats.max_abs <= bound);
  CHECK(stats.count == result.size());
}

TEST_CASE("an output overlapping the image of another frame reads the image first (2 threads)") {
  std::mt19937_64 rng(14);
  const Array<float> stack = testing::normal<float>({4, 6, 7}, rng);
  const Array<float> kernel = testing::normal<float>({3, 3}, rng);
  Options options;
  options.axes = {1, 2};
  options.threads = 2;
  const Array<float> expected = testing::apply(Op::convolve, stack, kernel, options);
  // The output one frame further on in the same buffer: frame f's output is frame f+1's image.
  std::vector<float> buffer(5 * 42);
  std::copy(stack.values.begin(), stack.values.end(), buffer.begin());
  fftconv::convolve(ConstView<float>(buffer.data(), stack.shape), kernel.view(),
                    View<float>(buffer.data() + 42, stack.shape), options);
  CHECK(std::equal(expected.values.begin(), expected.values.end(), buffer.begin() + 42));
  // A broadcast image written over in place: every output frame reads the one image frame.
  Array<float> one = testing::normal<float>({1, 6, 7}, rng);
  const Array<float> kernels = testing::normal<float>({4, 3, 3}, rng);
  const Array<float> spread = testing::apply(Op::convolve, one, kernels, options);
  std::vector<float> shared(4 * 42);
  std::copy(one.values.begin(), one.values.end(), shared.begin());
  fftconv::convolve(ConstView<float>(shared.data(), {1, 6, 7}), kernels.view(),
                    View<float>(shared.data(), {4, 6, 7}), options);
  CHECK(std::equal(spread.values.begin(), spread.values.end(), shared.begin()));
}

TEST_CASE("bad axes and batch lengths are refused, nothing written") {
  std::vector<double> image(2 * 4 * 5, 1.0), kernel(3 * 2 * 3, 1.0), out(2 * 4 * 5, -7.0);
  const std::vector<double> untouched = out;
  const ConstView<double> img(image.data(), {2, 4, 5});
  const View<double> dst(out.data(), {2, 4, 5});
  const auto refused = [&](const ConstView<double>& k, const Axes& axes, const char* fragment) {
    Options options;
    options.axes = axes;
    CAPTURE(fragment);
    try {
      fftconv::convolve(img, k, dst, options);
      FAIL("no exception");
    } catch (const fftconv::Error& e) {
      CHECK(e.code() == fftconv::ErrorCode::invalid_argument);
      CHECK(std::string(e.what()).find(fragment) != std::string::npos);
    }
    CHECK(out == untouched);
  };
  const ConstView<double> k3(kernel.data(), {3, 2, 3}), k2(kernel.data(), {2, 3});
  refused(k3, {1, 3}, "names axis 3, outside a rank-3 image");
  refused(k3, {1, -4}, "names axis -4, outside a rank-3 image");
  refused(k3, {1, -2}, "names axis 1 twice");
  refused(k3, {1, 2}, "along batch axis 0 the image has length 2 and the kernel 3");
  refused(k2, {}, "only with explicit options.axes");
  refused(ConstView<double>(kernel.data(), {1, 1, 1, 1}), {0, 1},
          "kernel rank 4 does not match image rank 3");
  // Operations without batch axes refuse them.
  Options batch;
  batch.axes = {1, 2};
  const std::unique_ptr<bool[]> mask(new bool[out.size()]());
  CHECK_THROWS_WITH_AS(fftconv::convolve_masked(img, ConstView<bool>(mask.get(), {2, 4, 5}),
                                                ConstView<double>(kernel.data(), {1, 2, 3}), dst,
                                                View<double>(), batch),
                       doctest::Contains("options.axes leaves axis 0"), fftconv::Error);
  CHECK(out == untouched);
}

TEST_CASE("Filter with per-frame kernels on 2 threads, and a stack of stacks") {
  std::mt19937_64 rng(15);
  const Array<double> kernels = testing::normal<double>({3, 4, 4}, rng);
  Options options;
  options.axes = {1, 2};
  options.threads = 2;
  const fftconv::Filter<double> filter(kernels.view(), {3, 10, 9}, Op::correlate, options);
  CHECK(filter.image_shape() == Shape{3, 10, 9});
  CHECK(filter.output_shape() == Shape{3, 10, 9});
  const Array<double> stacks = testing::normal<double>({2, 3, 10, 9}, rng);
  Array<double> out(stacks.shape);
  filter.apply(stacks.view(), out.view());
  // The reference with the kernels broadcast along the new leading axis.
  const StackReference ref = stack_reference(stacks, kernels, {2, 3}, Mode::same, true);
  check_close(out, ref);
  std::vector<double> wrong(2 * 3 * 10 * 8);
  CHECK_THROWS_WITH_AS(filter.apply(ConstView<double>(stacks.values.data(), {2, 3, 10, 8}),
                                    View<double>(wrong.data(), {2, 3, 10, 8})),
                       doctest::Contains("expected 3x10x9 or a stack of such images"),
                       fftconv::Error);
}
