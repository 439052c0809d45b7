// Filter<T>: the free functions are a Filter made and used once, so apply must equal them to the
// bit; one Filter applied from many threads at once (while other threads make and drop filters)
// gives the one-thread results; bad applications are refused with named shapes.
#include <doctest/doctest.h>

#include <Eigen/Core>
#include <atomic>
#include <random>
#include <thread>
#include <vector>

#include "support/library_call.hpp"

using namespace testing;
using fftconv::Boundary;
using fftconv::Method;
using fftconv::Mode;
using fftconv::Operation;

TEST_CASE_TEMPLATE("Filter::apply equals the free functions, to the bit", T, float, double) {
  std::mt19937_64 rng(1001);
  const std::pair<fftconv::Shape, fftconv::Shape> problems[] = {
      {{50}, {7}}, {{19, 23}, {5, 4}}, {{7, 6, 9}, {3, 2, 4}}, {{8, 5}, {11, 3}}};
  for (const auto& problem : problems)
    for (Boundary rule : {Boundary::zero, Boundary::reflect, Boundary::wrap})
      for (Mode mode : {Mode::full, Mode::same, Mode::valid})
        for (Method method : {Method::direct, Method::fft, Method::overlap_save, Method::automatic})
          for (Op op : {Op::convolve, Op::correlate}) {
            CAPTURE(fftconv::to_string(problem.first));
            CAPTURE(fftconv::to_string(problem.second));
            CAPTURE(name(rule));
            CAPTURE(name(mode));
            CAPTURE(name(method));
            CAPTURE(name(op));
            const Array<T> image = uniform<T>(problem.first, rng, -1, 1);
            const Array<T> kernel = normal<T>(problem.second, rng);
            fftconv::Options o;
            o.mode = mode;
            o.method = method;
            o.boundary = rule;
            const Array<T> expected = call(op, image, kernel, o);
            const fftconv::Filter<T> filter(kernel.view(), image.shape, op, o);
            CHECK((method == Method::automatic || filter.method() == method));
            CHECK(filter.output_shape() == expected.shape);
            for (int repeat = 0; repeat < 2; ++repeat) {
              Array<T> out(expected.shape);
              filter.apply(image.view(), out.view());
              CHECK(out.values == expected.values);
            }
          }
}

// A Filter made from an Eigen kernel reads it in its own storage order (issue 17: the README
// passed a column-major kernel's data() as a C-order view, which transposes it): column-major,
// row-major, a strided block and an expression give the view-based Filter's results to the bit,
// and chosen_method the view's choice.
TEST_CASE_TEMPLATE("Filter and chosen_method from Eigen kernels respect the storage order", T,
                   float, double) {
  using ColMajor = Eigen::Matrix<T, Eigen::Dynamic, Eigen::Dynamic, Eigen::ColMajor>;
  using RowMajor = Eigen::Matrix<T, Eigen::Dynamic, Eigen::Dynamic, Eigen::RowMajor>;
  std::mt19937_64 rng(1702);
  const Array<T> kernel = normal<T>({5, 7}, rng);  // not symmetric: a transpose would show
  const Array<T> image = uniform<T>({40, 33}, rng, -1, 1);
  const RowMajor row_major = Eigen::Map<const RowMajor>(kernel.values.data(), 5, 7);
  const ColMajor col_major = row_major;
  ColMajor larger = ColMajor::Random(9, 12);
  larger.block(2, 3, 5, 7) = col_major;
  const auto block = larger.block(2, 3, 5, 7);  // inner stride 1, outer stride 9
  const Eigen::Array<T, Eigen::Dynamic, Eigen::Dynamic> expression = col_major.array() * T(2);
  for (Method method : {Method::direct, Method::fft, Method::automatic}) {
    CAPTURE(fftconv::to_string(method));
    fftconv::Options o;
    o.method = method;
    o.boundary = Boundary::reflect;
    const fftconv::Filter<T> by_view(kernel.view(), image.shape, Operation::correlate, o);
    Array<T> expected(by_view.output_shape());
    by_view.apply(image.view(), expected.view());
    const auto check_filter = [&](const fftconv::Filter<T>& f, T scale) {
      Array<T> out(f.output_shape());
      f.apply(image.view(), out.view());
      for (T& v : expected.values)
        v *= scale;
      CHECK(out.values == expected.values);
      for (T& v : expected.values)
        v /= scale;
      CHECK(f.method() == by_view.method());
    };
    check_filter(fftconv::Filter<T>(col_major, image.shape, Operation::correlate, o), T(1));
    check_filter(fftconv::Filter<T>(row_major, image.shape, Operation::correlate, o), T(1));
    check_filter(fftconv::Filter<T>(block, image.shape, Operation::correlate, o), T(1));
    check_filter(fftconv::Filter<T>(expression, image.shape, Operation::correlate, o), T(2));
    const Method chosen = fftconv::chosen_method(kernel.view(), image.shape, o);
    CHECK(fftconv::chosen_method(col_major, image.shape, o) == chosen);
    CHECK(fftconv::chosen_method(row_major, image.shape, o) == chosen);
    CHECK(fftconv::chosen_method(block, image.shape, o) == chosen);
  }
  // A 1-D image: a kernel with one row or one column is a 1-D kernel.
  const Eigen::Matrix<T, Eigen::Dynamic, 1> column = col_major.col(2);
  const fftconv::Filter<T> along(column, {50}, Operation::convolve);
  CHECK(along.kernel_shape() == fftconv::Shape{5});
  CHECK(fftconv::Filter<T>(column.transpose(), {50}, Operation::convolve).kernel_shape() ==
        fftconv::Shape{5});
}

TEST_CASE("Filter::apply with Eigen objects, and refused applications") {
  Eigen::MatrixXd psf = Eigen::MatrixXd::Random(7, 5);
  const fftconv::Filter<double> blur(fftconv::ConstView<double>(psf.data(), {7, 5}, {1, 7}),
                                     {40, 30}, Operation::convolve);
  const Eigen::MatrixXd image = Eigen::MatrixXd::Random(40, 30);
  const Eigen::MatrixXd via_filter = blur.apply(image);
  CHECK(via_filter == fftconv::convolve(image, psf));  // same method chosen, same arithmetic
  using RowMajor = Eigen::Matrix<double, Eigen::Dynamic, Eigen::Dynamic, Eigen::RowMajor>;
  const RowMajor row_major = image;
  CHECK(blur.apply(row_major) == RowMajor(via_filter));
  CHECK_THROWS_WITH_AS(blur.apply(Eigen::MatrixXd(41, 30)),
                       "fftconv::Filter::apply: image has shape 41x30, expected 40x30 or a stack "
                       "of such images (extra leading axes)",
                       fftconv::Error);
  std::vector<double> out(40 * 30, -1.0);
  const std::vector<double> untouched = out;
  CHECK_THROWS_WITH_AS(
      blur.apply(fftconv::ConstView<double>(image.data(), {40, 30}, {1, 40}),
                 fftconv::View<double>(out.data(), {30, 40})),
      "fftconv::Filter::apply: out has shape 30x40, expected 40x30 for image 40x30 and kernel 7x5",
      fftconv::Error);
  CHECK(out == untouched);
  fftconv::Filter<double> moved = fftconv::Filter<double>(
      fftconv::ConstView<double>(psf.data(), {7, 5}, {1, 7}), {40, 30}, Operation::convolve);
  const fftconv::Filter<double> taken = std::move(moved);
  CHECK(taken.image_shape() == fftconv::Shape{40, 30});
  CHECK_THROWS_AS(
      moved.apply(fftconv::ConstView<double>(image.data(), {40, 30}, {1, 40}),  // NOLINT
                  fftconv::View<double>(out.data(), {40, 30})),
      fftconv::Error);
  // every member of a moved-from Filter throws rather than dereferencing nothing
  CHECK_THROWS_WITH_AS(moved.method(), "fftconv::Filter: this Filter was moved from",  // NOLINT
                       fftconv::Error);
  CHECK_THROWS_AS(moved.image_shape(), fftconv::Error);  // NOLINT
  CHECK_THROWS_AS(moved.apply(image), fftconv::Error);   // NOLINT (the Eigen overload)
  CHECK_THROWS_WITH_AS(fftconv::Filter<double>(fftconv::ConstView<double>(psf.data(), {7, 5}),
                                               {40, 30}, static_cast<Operation>(5)),
                       "fftconv::Filter: operation has unknown value 5", fftconv::Error);
}

TEST_CASE("one Filter applied from 8 threads while others make and drop filters") {
  std::mt19937_64 rng(1002);
  const Array<double> kernel = normal<double>({9, 7}, rng);
  for (Method method : {Method::fft, Method::direct}) {
    CAPTURE(name(method));
    fftconv::Options o;
    o.method = method;
    o.boundary = Boundary::mirror;
    const fftconv::Filter<double> filter(kernel.view(), {64, 48}, Operation::correlate, o);
    std::vector<Array<double>> images, expected;
    for (int i = 0; i < 16; ++i) {
      images.push_back(uniform<double>({64, 48}, rng));
      expected.emplace_back(fftconv::Shape{64, 48});
      filter.apply(images.back().view(), expected.back().view());
    }
    std::atomic<bool> stop{false};
    std::vector<std::thread> churn;  // plan-cache traffic: other shapes planned and dropped
    for (int t = 0; t < 2; ++t)
      churn.emplace_back([&, t] {
        for (std::size_t n = 10 + static_cast<std::size_t>(t); !stop; n = n % 90 + 10) {
          std::mt19937_64 local(n);
          const Array<double> k = normal<double>({3, 3}, local);
          fftconv::Filter<double> f(k.view(), {n, n + 1}, Operation::convolve, o);
        }
      });
    std::vector<int> mismatches(8, 0);
    std::vector<std::thread> workers;
    for (int t = 0; t < 8; ++t)
      workers.emplace_back([&, t] {
        for (int round = 0; round < 4; ++round)
          for (std::size_t i = 0; i < images.size(); ++i) {
            Array<double> out({64, 48});
            filter.apply(images[(i + static_cast<std::size_t>(t)) % images.size()].view(),
                         out.view());
            mismatches[static_cast<std::size_t>(t)] +=
                out.values != expected[(i + static_cast<std::size_t>(t)) % images.size()].values;
          }
      });
    for (auto& w : workers)
      w.join();
    stop = true;
    for (auto& c : churn)
      c.join();
    for (int m : mismatches)
      CHECK(m == 0);
  }
}
