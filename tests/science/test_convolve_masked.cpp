// convolve_masked's outputs: an empty weight view, outputs aliasing the image, the Eigen
// overloads (bool masks, vectors); against the missing-pixel reference.
#include <doctest/doctest.h>

#include <Eigen/Core>

#include "stages/missing_pixels/problems.hpp"

using namespace missing_pixels;

// ---- convolve_masked's outputs: no weight, aliasing the image ---------------------------------

TEST_CASE("missing pixels: an empty weight view and outputs aliasing the image") {
  std::mt19937_64 rng(1701);
  const Problem<double> p =
      make_problem<double>(Shape{12, 10}, Shape{3, 4}, Scenario::masked, false, rng);
  const std::unique_ptr<bool[]> mask(new bool[p.image.size()]);
  for (std::size_t i = 0; i < p.image.size(); ++i)
    mask[i] = p.mask[i] != 0;
  const ConstView<bool> mask_view(mask.get(), p.image.shape);
  for (NanPolicy policy : {NanPolicy::propagate, NanPolicy::interpolate, NanPolicy::fill})
    for (Method method : {Method::direct, Method::fft}) {
      CAPTURE(label(policy));
      CAPTURE(label(method));
      Options o;
      o.method = method;
      o.nan_policy = policy;
      o.fill_value = 0.25;
      const Outputs<double> both = call_masked(p.image, p.mask, p.kernel, o);
      auto same = [](const Array<double>& a, const Array<double>& b) {
        std::size_t differ = 0;
        for (std::size_t i = 0; i < a.size(); ++i)
          differ +=
              !(a.values[i] == b.values[i] || (std::isnan(a.values[i]) && std::isnan(b.values[i])));
        return differ == 0;
      };
      // no weight: the same values
      Array<double> values(p.image.shape);
      fftconv::convolve_masked(p.image.view(), mask_view, p.kernel.view(), values.view(),
                               View<double>(), o);
      CHECK(same(values, both.values));
      // values written over the image
      Array<double> in_place = p.image, weight(p.image.shape);
      fftconv::convolve_masked(ConstView<double>(in_place.view()), mask_view, p.kernel.view(),
                               in_place.view(), weight.view(), o);
      CHECK(same(in_place, both.values));
      CHECK(same(weight, both.weight));
      // the weight written over the image
      Array<double> in_place_w = p.image;
      fftconv::convolve_masked(ConstView<double>(in_place_w.view()), mask_view, p.kernel.view(),
                               values.view(), in_place_w.view(), o);
      CHECK(same(values, both.values));
      CHECK(same(in_place_w, both.weight));
    }
}

// ---- 7: the Eigen overload --------------------------------------------------------------------

namespace {

/// An Eigen matrix (any storage order) as a dense C-order array, and back.
template <class Matrix>
Array<typename Matrix::Scalar> from_eigen(const Matrix& m) {
  Array<typename Matrix::Scalar> a(
      Shape{static_cast<std::size_t>(m.rows()), static_cast<std::size_t>(m.cols())});
  for (Eigen::Index r = 0; r < m.rows(); ++r)
    for (Eigen::Index c = 0; c < m.cols(); ++c)
      a.values[static_cast<std::size_t>(r * m.cols() + c)] = m(r, c);
  return a;
}

template <class Image, class Mask>
void check_eigen_2d(std::mt19937_64& rng) {
  using T = typename Image::Scalar;
  const Eigen::Index rows = 9, cols = 7;
  Image image(rows, cols), kernel(3, 4);
  Mask mask(rows, cols);
  std::uniform_real_distribution<double> d(-1, 2);
  std::bernoulli_distribution hit(0.15);
  for (Eigen::Index r = 0; r < rows; ++r)
    for (Eigen::Index c = 0; c < cols; ++c) {
      image(r, c) = static_cast<T>(d(rng));
      mask(r, c) = hit(rng);
      if (mask(r, c)) image(r, c) = static_cast<T>(decoy);
    }
  image(4, 3) = std::numeric_limits<T>::quiet_NaN();
  image(0, 0) = std::numeric_limits<T>::infinity();
  for (Eigen::Index r = 0; r < 3; ++r)
    for (Eigen::Index c = 0; c < 4; ++c)
      kernel(r, c) = static_cast<T>(0.25 + 0.5 * d(rng) * d(rng));
  const Array<T> image_a = from_eigen(image), kernel_a = from_eigen(kernel);
  std::vector<unsigned char> mask_v(image_a.size());
  for (Eigen::Index r = 0; r < rows; ++r)
    for (Eigen::Index c = 0; c < cols; ++c)
      mask_v[static_cast<std::size_t>(r * cols + c)] = mask(r, c);
  for (Mode mode : all_modes)
    for (Method method : {Method::direct, Method::fft}) {
      CAPTURE(label(mode));
      CAPTURE(label(method));
      Options o;
      o.mode = mode;
      o.method = method;
      o.boundary = Boundary::reflect;
      o.nan_policy = NanPolicy::interpolate;
      const auto result = fftconv::convolve_masked(image, mask, kernel, o);
      // the image's kind and storage order
      static_assert(std::is_same_v<std::decay_t<decltype(result.values)>,
                                   fftconv::detail::eigen_result_t<Image>>);
      static_assert(std::is_same_v<std::decay_t<decltype(result.weight)>,
                                   fftconv::detail::eigen_result_t<Image>>);
      const Shape shape = out_shape(image_a.shape, kernel_a.shape, mode);
      REQUIRE(static_cast<std::size_t>(result.values.rows()) == shape[0]);
      REQUIRE(static_cast<std::size_t>(result.values.cols()) == shape[1]);
      REQUIRE(static_cast<std::size_t>(result.weight.rows()) == shape[0]);
      REQUIRE(static_cast<std::size_t>(result.weight.cols()) == shape[1]);
      // the same numbers as the view API on the same data, and the reference
      const Outputs<T> views = call_masked(image_a, mask_v, kernel_a, o);
      const Array<T> values = from_eigen(result.values), weight = from_eigen(result.weight);
      std::size_t differ = 0;
      for (std::size_t i = 0; i < values.size(); ++i)
        differ += !(values.values[i] == views.values.values[i] ||
                    (std::isnan(values.values[i]) && std::isnan(views.values.values[i])));
      CHECK(differ == 0);
      CHECK(weight.values == views.weight.values);
      const Sums sums = reference_sums(image_a, mask_v, kernel_a, mode, {o.boundary, 0});
      const ld F = growth(image_a.shape, kernel_a.shape);
      const Expectation e = interpolate_expectation(sums, kernel_info(kernel_a), o.min_weight, F,
                                                    roundoff<T>(Precision::native));
      std::string first;
      CAPTURE(first);
      CHECK(mismatches(values, e, first) == 0);
      CHECK(e.count(State::value) > 0);
    }
  // a mask expression (evaluated once by the adapter): NaN-free pixels above 1.5 are bad
  const auto expr = fftconv::convolve_masked(image, (image.array() > T(1.5)), kernel, Options{});
  CHECK(expr.values.rows() == rows);
}

}  // namespace

TEST_CASE("missing pixels: convolve_masked on Eigen matrices with bool masks") {
  std::mt19937_64 rng(1801);
  using ColD = Eigen::MatrixXd;
  using RowD = Eigen::Matrix<double, Eigen::Dynamic, Eigen::Dynamic, Eigen::RowMajor>;
  using ColF = Eigen::MatrixXf;
  using RowF = Eigen::Matrix<float, Eigen::Dynamic, Eigen::Dynamic, Eigen::RowMajor>;
  using ColMask = Eigen::Array<bool, Eigen::Dynamic, Eigen::Dynamic>;
  using RowMask = Eigen::Array<bool, Eigen::Dynamic, Eigen::Dynamic, Eigen::RowMajor>;
  check_eigen_2d<ColD, ColMask>(rng);
  check_eigen_2d<RowD, RowMask>(rng);
  check_eigen_2d<RowD, ColMask>(rng);  // mask and image in different orders
  check_eigen_2d<ColF, RowMask>(rng);
  check_eigen_2d<RowF, RowMask>(rng);
}

TEST_CASE("missing pixels: convolve_masked on Eigen vectors") {
  // A column vector with a mask of its own type (0 and 1), and a row vector with a bool mask:
  // 1-D signals, against the reference.
  Eigen::VectorXf signal(25), kernel(4);
  Eigen::VectorXf mask = Eigen::VectorXf::Zero(25);
  for (Eigen::Index i = 0; i < 25; ++i)
    signal(i) = static_cast<float>(std::sin(0.7 * static_cast<double>(i)) + 1.5);
  signal(3) = std::numeric_limits<float>::quiet_NaN();
  for (Eigen::Index i = 10; i < 16; ++i) {
    mask(i) = 1;
    signal(i) = static_cast<float>(decoy);
  }
  kernel << 0.5f, 1.0f, 2.0f, 0.25f;
  Array<float> signal_a(Shape{25}), kernel_a(Shape{4});
  std::vector<unsigned char> mask_v(25);
  for (std::size_t i = 0; i < 25; ++i) {
    signal_a.values[i] = signal(static_cast<Eigen::Index>(i));
    mask_v[i] = mask(static_cast<Eigen::Index>(i)) != 0;
  }
  for (std::size_t i = 0; i < 4; ++i)
    kernel_a.values[i] = kernel(static_cast<Eigen::Index>(i));
  for (Mode mode : all_modes) {
    CAPTURE(label(mode));
    Options o;
    o.mode = mode;
    o.method = Method::direct;
    o.nan_policy = NanPolicy::interpolate;
    o.min_weight = 0.4;
    const auto result = fftconv::convolve_masked(signal, mask, kernel, o);
    static_assert(std::is_same_v<std::decay_t<decltype(result.values)>, Eigen::VectorXf>);
    const Sums sums = reference_sums(signal_a, mask_v, kernel_a, mode, {Boundary::zero, 0});
    REQUIRE(static_cast<std::size_t>(result.values.size()) == sums.num.size());
    REQUIRE(static_cast<std::size_t>(result.weight.size()) == sums.num.size());
    Array<float> values(sums.shape), weight(sums.shape);
    for (std::size_t i = 0; i < sums.num.size(); ++i) {
      values.values[i] = result.values(static_cast<Eigen::Index>(i));
      weight.values[i] = result.weight(static_cast<Eigen::Index>(i));
    }
    const ld F = growth(signal_a.shape, kernel_a.shape);
    const Roundoff u = roundoff<float>(Precision::native);
    const Expectation e = interpolate_expectation(sums, kernel_info(kernel_a), 0.4, F, u);
    std::string first;
    CAPTURE(first);
    CHECK(mismatches(values, e, first) == 0);
    CHECK(e.count(State::nan) > 0);
    for (std::size_t i = 0; i < sums.den.size(); ++i)
      CHECK(std::fabs(static_cast<ld>(weight.values[i]) - sums.den[i]) <= F * u.computed * 3.75L);

    // the same signal as a row vector of double with a bool mask
    const Eigen::RowVectorXd row = signal.cast<double>().transpose();
    const Eigen::Array<bool, 1, Eigen::Dynamic> row_mask = mask.transpose().array() != 0.0f;
    const Eigen::RowVectorXd row_kernel = kernel.cast<double>().transpose();
    const auto r = fftconv::convolve_masked(row, row_mask, row_kernel, o);
    static_assert(std::is_same_v<std::decay_t<decltype(r.values)>, Eigen::RowVectorXd>);
    REQUIRE(static_cast<std::size_t>(r.values.size()) == sums.num.size());
    Array<double> row_values(sums.shape);
    for (std::size_t i = 0; i < sums.num.size(); ++i)
      row_values.values[i] = r.values(static_cast<Eigen::Index>(i));
    const Expectation ed = interpolate_expectation(sums, kernel_info(kernel_a), 0.4, F,
                                                   roundoff<double>(Precision::native));
    CHECK(mismatches(row_values, ed, first) == 0);
  }
}
