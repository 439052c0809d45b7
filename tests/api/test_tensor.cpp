// The Eigen::Tensor<T, 3> overloads: both storage orders map onto the right views (the result
// equals the view API on a dense C-order copy, to the bit) and agree with the reference.
#include <doctest/doctest.h>

#include <cmath>
#include <random>
#include <vector>

#include "fftconv/tensor.hpp"
#include "support/library_call.hpp"

using namespace testing;
using fftconv::Method;
using fftconv::Mode;

namespace {

template <class T, int Layout>
Array<T> to_array(const Eigen::Tensor<T, 3, Layout>& t) {
  Array<T> a({static_cast<std::size_t>(t.dimension(0)), static_cast<std::size_t>(t.dimension(1)),
              static_cast<std::size_t>(t.dimension(2))});
  for (Eigen::Index i = 0; i < t.dimension(0); ++i)
    for (Eigen::Index j = 0; j < t.dimension(1); ++j)
      for (Eigen::Index k = 0; k < t.dimension(2); ++k)
        a.values[a.index({static_cast<std::size_t>(i), static_cast<std::size_t>(j),
                          static_cast<std::size_t>(k)})] = t(i, j, k);
  return a;
}

template <class T, int Layout>
void check_layout() {
  Eigen::Tensor<T, 3, Layout> volume(9, 7, 8), kernel(3, 4, 2);
  volume.setRandom();
  kernel.setRandom();
  const Array<T> volume_a = to_array(volume), kernel_a = to_array(kernel);
  for (Mode mode : {Mode::full, Mode::same, Mode::valid})
    for (Method method : {Method::direct, Method::fft}) {
      CAPTURE(name(mode));
      CAPTURE(name(method));
      fftconv::Options o;
      o.mode = mode;
      o.method = method;
      o.boundary = fftconv::Boundary::reflect;
      const Array<T> conv = to_array(fftconv::convolve(volume, kernel, o));
      const Array<T> corr = to_array(fftconv::correlate(volume, kernel, o));
      CHECK(conv.values == call(Op::convolve, volume_a, kernel_a, o).values);
      CHECK(corr.values == call(Op::correlate, volume_a, kernel_a, o).values);
      const Reference ref = reference(volume_a, kernel_a, mode, false, o.boundary);
      CHECK(max_abs_error(conv, ref.values) <=
            tolerance<T>(volume_a.shape, kernel_a.shape, ref.abs_sum_max));
    }
}

}  // namespace

TEST_CASE_TEMPLATE("Eigen::Tensor<T, 3> volumes, column- and row-major", T, float, double) {
  check_layout<T, Eigen::ColMajor>();
  check_layout<T, Eigen::RowMajor>();
}

TEST_CASE("Tensor overloads of match_template and convolve_masked") {
  Eigen::Tensor<double, 3, Eigen::RowMajor> volume(12, 14, 10);
  volume.setRandom();
  Eigen::Tensor<double, 3, Eigen::RowMajor> templ(4, 5, 3);
  for (Eigen::Index a = 0; a < 4; ++a)
    for (Eigen::Index b = 0; b < 5; ++b)
      for (Eigen::Index c = 0; c < 3; ++c)
        templ(a, b, c) = volume(6 + a, 2 + b, 5 + c);
  const auto score = fftconv::match_template(volume, templ);
  CHECK(score.dimension(0) == 9);
  CHECK(score.dimension(1) == 10);
  CHECK(score.dimension(2) == 8);
  CHECK(std::fabs(score(6, 2, 5) - 1) <= 1e-12);
  Eigen::Tensor<bool, 3, Eigen::RowMajor> use(4, 5, 3);
  use.setConstant(true);
  use(0, 0, 0) = false;
  CHECK(std::fabs(fftconv::match_template(volume, templ, use)(6, 2, 5) - 1) <= 1e-12);

  // convolve_masked: the same numbers as the view overload.
  Eigen::Tensor<bool, 3, Eigen::RowMajor> bad(12, 14, 10);
  bad.setConstant(false);
  bad(3, 4, 5) = true;
  fftconv::Options o;
  o.nan_policy = fftconv::NanPolicy::interpolate;
  const auto r = fftconv::convolve_masked(volume, bad, templ, o);
  std::vector<double> values(12 * 14 * 10), weight(values.size());
  fftconv::convolve_masked(fftconv::ConstView<double>(volume.data(), {12, 14, 10}),
                           fftconv::ConstView<bool>(bad.data(), {12, 14, 10}),
                           fftconv::ConstView<double>(templ.data(), {4, 5, 3}),
                           fftconv::View<double>(values.data(), {12, 14, 10}),
                           fftconv::View<double>(weight.data(), {12, 14, 10}), o);
  for (std::size_t i = 0; i < values.size(); ++i) {
    CHECK(r.values.data()[i] == values[i]);
    CHECK(r.weight.data()[i] == weight[i]);
  }
}

namespace {

// Every element of a tensor of any rank, by multi-index (C order over the dimensions).
template <class T, int Rank, int Layout, class F>
void for_each_index(const Eigen::Tensor<T, Rank, Layout>& t, F f) {
  Eigen::array<Eigen::Index, Rank> at{};
  for (Eigen::Index l = 0; l < t.size(); ++l) {
    Eigen::Index rest = l;
    for (std::size_t a = Rank; a-- > 0;) {
      at[a] = rest % t.dimension(a);
      rest /= t.dimension(a);
    }
    f(at);
  }
}

}  // namespace

TEST_CASE("Eigen::Tensor of rank 5 with axes, both storage orders, and complex tensors") {
  Eigen::Tensor<double, 5, Eigen::RowMajor> image(2, 3, 5, 4, 6);
  Eigen::Tensor<double, 3, Eigen::RowMajor> kernel(3, 2, 3);
  image.setRandom();
  kernel.setRandom();
  fftconv::Options o;
  o.axes = {2, 3, 4};
  o.boundary = fftconv::Boundary::mirror;
  const Eigen::Tensor<double, 5, Eigen::RowMajor> rows = fftconv::correlate(image, kernel, o);
  // The same through the view API on the tensor's C-order data.
  std::vector<double> expected(static_cast<std::size_t>(image.size()));
  fftconv::correlate(fftconv::ConstView<double>(image.data(), {2, 3, 5, 4, 6}),
                     fftconv::ConstView<double>(kernel.data(), {3, 2, 3}),
                     fftconv::View<double>(expected.data(), {2, 3, 5, 4, 6}), o);
  CHECK(std::equal(expected.begin(), expected.end(), rows.data()));
  // Column-major copies give the same values at the same indices.
  Eigen::Tensor<double, 5, Eigen::ColMajor> image_c(2, 3, 5, 4, 6);
  Eigen::Tensor<double, 3, Eigen::ColMajor> kernel_c(3, 2, 3);
  for_each_index(image, [&](const auto& at) { image_c(at) = image(at); });
  for_each_index(kernel, [&](const auto& at) { kernel_c(at) = kernel(at); });
  const Eigen::Tensor<double, 5, Eigen::ColMajor> cols = fftconv::correlate(image_c, kernel_c, o);
  bool same = true;
  for_each_index(rows, [&](const auto& at) { same = same && cols(at) == rows(at); });
  CHECK(same);

  // A complex volume with a real kernel: a complex tensor, equal to the view API's result.
  Eigen::Tensor<std::complex<float>, 3, Eigen::RowMajor> volume(6, 5, 7);
  Eigen::Tensor<float, 3, Eigen::RowMajor> blur(3, 3, 3);
  volume.setRandom();
  blur.setRandom();
  const Eigen::Tensor<std::complex<float>, 3, Eigen::RowMajor> blurred =
      fftconv::convolve(volume, blur);
  std::vector<std::complex<float>> via_views(static_cast<std::size_t>(volume.size()));
  fftconv::convolve(fftconv::ConstView<std::complex<float>>(volume.data(), {6, 5, 7}),
                    fftconv::ConstView<float>(blur.data(), {3, 3, 3}),
                    fftconv::View<std::complex<float>>(via_views.data(), {6, 5, 7}));
  CHECK(std::equal(via_views.begin(), via_views.end(), blurred.data()));
}
