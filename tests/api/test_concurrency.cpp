// The free functions called from many threads at once, with different shapes (so plans are made,
// shared and evicted concurrently under the planner lock), and an output that aliases its input.
#include <doctest/doctest.h>

#include <random>
#include <thread>
#include <vector>

#include "support/library_call.hpp"

using namespace testing;
using fftconv::Method;
using fftconv::Mode;

TEST_CASE("many threads, many shapes: the same results as one thread") {
  // 80 shapes > the plan cache's 64 entries, so plans are also evicted while others run.
  std::mt19937_64 rng(606);
  struct Job {
    Array<double> image, kernel, expected;
    Method method;
  };
  std::vector<Job> jobs;
  for (std::size_t i = 0; i < 80; ++i) {
    Job job;
    job.image = uniform<double>({20 + i, 13 + (i * 7) % 31}, rng);
    job.kernel = normal<double>({1 + i % 9, 2 + i % 5}, rng);
    job.method = i % 4 == 0 ? Method::direct : Method::fft;
    job.expected =
        call(Op::convolve, job.image, job.kernel, fftconv::Options{Mode::same, job.method});
    jobs.push_back(std::move(job));
  }
  constexpr int threads = 8;
  std::vector<int> mismatches(threads, 0);
  std::vector<std::thread> pool;
  for (int t = 0; t < threads; ++t)
    pool.emplace_back([&, t] {
      for (int round = 0; round < 3; ++round)
        for (std::size_t i = static_cast<std::size_t>(t);
             i < jobs.size() + static_cast<std::size_t>(t); ++i) {
          const Job& job = jobs[i % jobs.size()];
          Array<double> out(job.expected.shape);
          fftconv::convolve(job.image.view(), job.kernel.view(), out.view(),
                            fftconv::Options{Mode::same, job.method});
          mismatches[static_cast<std::size_t>(t)] += out.values != job.expected.values;
        }
    });
  for (std::thread& th : pool)
    th.join();
  for (int m : mismatches)
    CHECK(m == 0);  // bit-identical: same plans, same arithmetic
}

TEST_CASE_TEMPLATE("the output may alias the image", T, float, double) {
  std::mt19937_64 rng(707);
  const Array<T> image = uniform<T>({31, 26}, rng);
  const Array<T> kernel = normal<T>({5, 4}, rng);
  for (Op op : {Op::convolve, Op::correlate})
    for (Method method : {Method::direct, Method::fft}) {
      CAPTURE(name(op));
      CAPTURE(name(method));
      const fftconv::Options o{Mode::same, method};
      const Array<T> expected = call(op, image, kernel, o);
      Array<T> in_place = image;
      if (op == Op::convolve)
        fftconv::convolve(fftconv::ConstView<T>(in_place.view()), kernel.view(), in_place.view(),
                          o);
      else
        fftconv::correlate(fftconv::ConstView<T>(in_place.view()), kernel.view(), in_place.view(),
                           o);
      CHECK(in_place.values == expected.values);
    }
}
