// Plans are cached (the counter does not move on repeated calls), planning efforts and thread
// counts change nothing beyond rounding (the direct path: nothing at all), wisdom round-trips
// through a string and a file, and bad planning options are refused.
#include <doctest/doctest.h>

#include <cstdio>
#include <random>
#include <string>

#include "support/library_call.hpp"

using namespace testing;
using fftconv::Method;
using fftconv::Mode;
using fftconv::Planning;

TEST_CASE("repeated calls and filters of one shape do not plan again") {
  std::mt19937_64 rng(1101);
  const Array<double> image = uniform<double>({37, 41}, rng);  // a shape no other test uses
  const Array<double> kernel = normal<double>({6, 5}, rng);
  fftconv::Options o;
  o.method = Method::fft;
  (void)call(Op::convolve, image, kernel, o);
  const std::size_t after_first = fftconv::fft_plans_created();
  for (int i = 0; i < 5; ++i)
    (void)call(Op::correlate, image, kernel, o);
  const fftconv::Filter<double> a(kernel.view(), image.shape, fftconv::Operation::convolve, o);
  const fftconv::Filter<double> b(kernel.view(), image.shape, fftconv::Operation::convolve, o);
  CHECK(fftconv::fft_plans_created() == after_first);
  o.planning = Planning::measure;  // a different key: new plans
  (void)call(Op::convolve, image, kernel, o);
  // forward and inverse of the rows and of the outer axis's column blocks (plans are keyed by
  // 1-D length and block width, so fewer if another call in this process made some of them)
  const std::size_t after_measure = fftconv::fft_plans_created();
  CHECK(after_measure > after_first);
  CHECK(after_measure <= after_first + 4);
  (void)call(Op::correlate, image, kernel, o);
  CHECK(fftconv::fft_plans_created() == after_measure);
}

TEST_CASE_TEMPLATE("planning effort and thread count change nothing beyond rounding", T, float,
                   double) {
  std::mt19937_64 rng(1102);
  // 200 x 160 outputs x 108 taps = 3.5e6 multiply-adds: the direct path really splits its rows
  // over 2 and 3 threads (it uses one thread per ~1e6). The FFT path's transform here is below
  // the 2^16 points from which it uses threads: the next test covers its threads.
  const Array<T> image = uniform<T>({200, 160}, rng, -1, 1);
  const Array<T> kernel = normal<T>({9, 12}, rng);
  for (Method method : {Method::direct, Method::fft}) {
    CAPTURE(name(method));
    fftconv::Options base;
    base.method = method;
    base.boundary = fftconv::Boundary::nearest;
    const Array<T> reference_result = call(Op::convolve, image, kernel, base);
    const Reference ref = reference(image, kernel, Mode::same, false, base.boundary);
    const long double tol = tolerance<T>(image.shape, kernel.shape, ref.abs_sum_max);
    // patient planning takes seconds per new key: one thread count for it, two for measure.
    const std::pair<Planning, int> settings[] = {{Planning::estimate, 1}, {Planning::estimate, 2},
                                                 {Planning::estimate, 3}, {Planning::estimate, 0},
                                                 {Planning::measure, 1},  {Planning::measure, 2},
                                                 {Planning::patient, 1}};
    for (const auto& [effort_setting, threads_setting] : settings) {
      const Planning effort = effort_setting;
      const int threads = threads_setting;
      {
        CAPTURE(static_cast<int>(effort));
        CAPTURE(threads);
        fftconv::Options o = base;
        o.planning = effort;
        o.threads = threads;
        const Array<T> result = call(Op::convolve, image, kernel, o);
        if (method == Method::direct)
          CHECK(result.values == reference_result.values);  // same arithmetic per row
        CHECK(max_abs_error(result, ref.values) <= tol);
      }
    }
  }
}

TEST_CASE_TEMPLATE("the fft path's threads split rows and column blocks: bit-identical results", T,
                   float, double) {
  // Transforms of at least 2^16 points use the threads (threads_for, fft/layout.cpp): each row and
  // each block of columns is transformed by the same code whichever thread takes it, so the values
  // do not depend on the thread count at all. 2-D and 3-D (the middle axis has its own column
  // pass), every mode, convolution and correlation, the zero rule and an extending one.
  std::mt19937_64 rng(1104);
  const std::pair<fftconv::Shape, fftconv::Shape> problems[] = {{{260, 256}, {15, 9}},
                                                                {{40, 36, 48}, {5, 4, 3}}};
  for (const auto& problem : problems) {
    const Array<T> image = uniform<T>(problem.first, rng, -1, 1);
    const Array<T> kernel = normal<T>(problem.second, rng);
    for (Mode mode : {Mode::full, Mode::same, Mode::valid})
      for (Op op : {Op::convolve, Op::correlate})
        for (fftconv::Boundary rule : {fftconv::Boundary::zero, fftconv::Boundary::reflect}) {
          CAPTURE(image.shape.rank());
          CAPTURE(name(mode));
          CAPTURE(static_cast<int>(rule));
          fftconv::Options o;
          o.method = Method::fft;
          o.mode = mode;
          o.boundary = rule;
          o.threads = 1;
          const Array<T> one = call(op, image, kernel, o);
          const Reference ref = reference(image, kernel, mode, op == Op::correlate, rule);
          CHECK(max_abs_error(one, ref.values) <=
                tolerance<T>(image.shape, kernel.shape, ref.abs_sum_max));
          for (int threads : {2, 3}) {
            o.threads = threads;
            CHECK(call(op, image, kernel, o).values == one.values);
          }
        }
  }
}

TEST_CASE("wisdom round trip through a string and a file") {
  std::mt19937_64 rng(1103);
  fftconv::Options measure;
  measure.method = Method::fft;
  measure.planning = Planning::measure;
  (void)call(Op::convolve, uniform<double>({30, 22}, rng), normal<double>({3, 3}, rng), measure);
  (void)call(Op::convolve, uniform<float>({30, 22}, rng), normal<float>({3, 3}, rng), measure);
  const std::string wisdom = fftconv::export_wisdom();
  CHECK(wisdom.find("fftw_wisdom") != std::string::npos);
  CHECK(wisdom.find("fftwf_wisdom") != std::string::npos);
  CHECK_NOTHROW(fftconv::import_wisdom(wisdom));
  const std::string path = "fftconv_test_wisdom.txt";
  fftconv::export_wisdom_to_file(path);
  CHECK_NOTHROW(fftconv::import_wisdom_from_file(path));
  std::remove(path.c_str());
  CHECK_THROWS_WITH_AS(fftconv::import_wisdom("not wisdom"),
                       "fftconv::import_wisdom: not wisdom exported by fftconv (no precision "
                       "separator)",
                       fftconv::Error);
  const std::string mangled =
      "(garbage)" + wisdom.substr(wisdom.find("\n;; fftconv"));  // a bad double part
  CHECK_THROWS_AS(fftconv::import_wisdom(mangled), fftconv::Error);
  CHECK_THROWS_WITH_AS(fftconv::import_wisdom_from_file("/nonexistent/wisdom"),
                       "fftconv::import_wisdom_from_file: cannot read /nonexistent/wisdom",
                       fftconv::Error);
  CHECK_THROWS_AS(fftconv::export_wisdom_to_file("/nonexistent/dir/wisdom"), fftconv::Error);
}

TEST_CASE("bad planning options are refused") {
  std::vector<double> image(16, 1.0), kernel(3, 1.0), out(16);
  const fftconv::ConstView<double> img(image.data(), {16}), ker(kernel.data(), {3});
  const fftconv::View<double> dst(out.data(), {16});
  fftconv::Options negative;
  negative.threads = -2;
  CHECK_THROWS_WITH_AS(fftconv::convolve(img, ker, dst, negative),
                       "fftconv::convolve: options.threads is -2; use 1 (the default) for one "
                       "thread, 0 for all hardware threads",
                       fftconv::Error);
  fftconv::Options effort;
  effort.planning = static_cast<Planning>(9);
  CHECK_THROWS_WITH_AS(fftconv::convolve(img, ker, dst, effort),
                       "fftconv::convolve: options.planning has unknown value 9", fftconv::Error);
}
