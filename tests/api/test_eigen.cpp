// The Eigen adapters: every kind of dense object maps onto the right view, and the result has the
// input's kind and storage order. The view API on a dense C-order copy is the yardstick; both run
// the same arithmetic, so results must be identical to the bit.
#include <doctest/doctest.h>

#include <Eigen/Core>
#include <random>
#include <type_traits>

#include "support/library_call.hpp"

using namespace testing;
using fftconv::Method;
using fftconv::Mode;
using fftconv::Options;

namespace {

template <class Derived>
Array<typename Derived::Scalar> to_array(const Eigen::DenseBase<Derived>& x, bool as_vector) {
  using T = typename Derived::Scalar;
  Array<T> a =
      as_vector
          ? Array<T>({static_cast<std::size_t>(x.size())})
          : Array<T>({static_cast<std::size_t>(x.rows()), static_cast<std::size_t>(x.cols())});
  for (Eigen::Index r = 0; r < x.rows(); ++r)
    for (Eigen::Index c = 0; c < x.cols(); ++c)
      a.values[static_cast<std::size_t>(r * x.cols() + c)] = x.derived().coeff(r, c);
  return a;
}

// The Eigen call must equal the view call on dense copies, for both operations and paths.
template <class ImageDerived, class KernelDerived>
void check_against_views(const Eigen::DenseBase<ImageDerived>& image,
                         const Eigen::DenseBase<KernelDerived>& kernel, bool one_d) {
  for (Mode mode : {Mode::full, Mode::same, Mode::valid})
    for (Method method : {Method::direct, Method::fft}) {
      CAPTURE(name(mode));
      CAPTURE(name(method));
      const Options o{mode, method};
      const auto conv = fftconv::convolve(image, kernel, o);
      const auto corr = fftconv::correlate(image, kernel, o);
      const auto image_a = to_array(image, one_d);
      const auto kernel_a = to_array(kernel, one_d);
      CHECK(to_array(conv, one_d).values == call(Op::convolve, image_a, kernel_a, o).values);
      CHECK(to_array(corr, one_d).values == call(Op::correlate, image_a, kernel_a, o).values);
    }
}

}  // namespace

TEST_CASE("result types: the input's kind and storage order") {
  using RowMajorF = Eigen::Matrix<float, Eigen::Dynamic, Eigen::Dynamic, Eigen::RowMajor>;
  Eigen::MatrixXd md(4, 4);
  RowMajorF mf(4, 4);
  Eigen::ArrayXXd ad(4, 4);
  Eigen::VectorXd vd(8);
  Eigen::RowVectorXf rf(8);
  static_assert(std::is_same_v<decltype(fftconv::convolve(md, md)), Eigen::MatrixXd::PlainObject>);
  static_assert(std::is_same_v<decltype(fftconv::convolve(mf, mf)), RowMajorF::PlainObject>);
  static_assert(std::is_same_v<decltype(fftconv::correlate(ad, ad)), Eigen::ArrayXXd>);
  static_assert(std::is_same_v<decltype(fftconv::convolve(vd, vd)), Eigen::VectorXd>);
  static_assert(std::is_same_v<decltype(fftconv::convolve(rf, rf)), Eigen::RowVectorXf>);
  static_assert(
      std::is_same_v<decltype(fftconv::convolve(md.block(0, 0, 2, 2), md)), Eigen::MatrixXd>);
  static_assert(
      std::is_same_v<decltype(fftconv::convolve(md.transpose(), md)),
                     Eigen::Matrix<double, Eigen::Dynamic, Eigen::Dynamic, Eigen::RowMajor>>);
  // A fixed-size input gets a dynamic-size result: `full` is larger than the input.
  static_assert(std::is_same_v<decltype(fftconv::convolve(Eigen::Matrix3d(), Eigen::Matrix3d())),
                               Eigen::MatrixXd>);
  Options full;
  full.mode = Mode::full;
  const Eigen::MatrixXd r =
      fftconv::convolve(Eigen::Matrix3d::Ones(), Eigen::Matrix3d::Ones(), full);
  CHECK(r.rows() == 5);
  CHECK(r(2, 2) == doctest::Approx(9.0));
}

TEST_CASE_TEMPLATE("Eigen layouts map onto the right views", T, float, double) {
  using Mat = Eigen::Matrix<T, Eigen::Dynamic, Eigen::Dynamic>;
  using RowMat = Eigen::Matrix<T, Eigen::Dynamic, Eigen::Dynamic, Eigen::RowMajor>;
  using Arr = Eigen::Array<T, Eigen::Dynamic, Eigen::Dynamic>;
  using Vec = Eigen::Matrix<T, Eigen::Dynamic, 1>;
  using RowVec = Eigen::Matrix<T, 1, Eigen::Dynamic>;
  std::srand(21);
  const Mat image = Mat::Random(13, 17);
  const Mat kernel = Mat::Random(4, 5);

  SUBCASE("column-major matrix") {
    check_against_views(image, kernel, false);
  }
  SUBCASE("row-major matrix") {
    check_against_views(RowMat(image), RowMat(kernel), false);
  }
  SUBCASE("array") {
    check_against_views(Arr(image.array()), Arr(kernel.array()), false);
  }
  SUBCASE("block of a larger matrix (outer stride)") {
    const Mat big = Mat::Random(30, 40);
    check_against_views(big.block(3, 5, 13, 17), big.block(20, 30, 4, 5), false);
  }
  SUBCASE("Map with inner and outer strides") {
    std::vector<T> storage(2 * 13 * 40, T(0));
    Eigen::Map<Mat, 0, Eigen::Stride<Eigen::Dynamic, Eigen::Dynamic>> mapped(
        storage.data(), 13, 17, Eigen::Stride<Eigen::Dynamic, Eigen::Dynamic>(40, 2));
    mapped = image;
    check_against_views(mapped, kernel, false);
  }
  SUBCASE("transposed (row-major direct access)") {
    check_against_views(image.transpose(), kernel.transpose(), false);
  }
  SUBCASE("expression without direct access is evaluated once") {
    check_against_views(image * T(2) + Mat::Ones(13, 17), kernel.cwiseAbs(), false);
  }
  SUBCASE("column vector is 1-D") {
    check_against_views(Vec(Vec::Random(50)), Vec(Vec::Random(7)), true);
  }
  SUBCASE("row vector is 1-D") {
    check_against_views(RowVec(RowVec::Random(50)), RowVec(RowVec::Random(6)), true);
  }
  SUBCASE("row of a column-major matrix is 1-D with a stride") {
    const Mat big = Mat::Random(9, 60);
    check_against_views(big.row(4), big.block(2, 0, 1, 7), true);
  }
}

TEST_CASE("a 1-D image with a kernel that is not a vector is refused") {
  const Eigen::VectorXd v = Eigen::VectorXd::Ones(10);
  CHECK_THROWS_AS(fftconv::convolve(v, Eigen::MatrixXd::Ones(2, 2)), fftconv::Error);
}
