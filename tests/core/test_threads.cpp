// Options::threads: the count a call resolves to (capped at the usable CPUs and at the work
// there is) and the working memory it costs.
#include <doctest/doctest.h>

#include <random>
#include <string>
#include <vector>
#ifdef __linux__
#include <sched.h>
#include <sys/wait.h>
#include <unistd.h>
#endif

#include "support/library_call.hpp"

using namespace testing;
using fftconv::Method;
using fftconv::Mode;

namespace {
// The working memory a one-shot call of `method` on `threads` threads needs, read from the
// refusal chosen_method gives under a 1-byte limit ("... method needs N bytes ...").
template <class T>
double working_bytes(const std::vector<T>& kernel, const fftconv::Shape& kernel_shape,
                     const fftconv::Shape& image_shape, Method method, int threads) {
  fftconv::Options o;
  o.method = method;
  o.threads = threads;
  o.max_memory_bytes = 1;
  try {
    (void)fftconv::chosen_method(fftconv::ConstView<T>(kernel.data(), kernel_shape), image_shape,
                                 o);
  } catch (const fftconv::Error& e) {
    const std::string m = e.what();
    const std::size_t at = m.find("needs ") + 6;
    return std::stod(m.substr(at, m.find(' ', at) - at));
  }
  return 0.0;
}
}  // namespace

// The fft path's row transforms run on at most one thread per row: a 1-D problem (one row) on 8
// threads needs scratch for the outer pass per thread, not a row per thread (2^20 floats).
TEST_CASE("fft memory: threads beyond the rows add no row scratch") {
  const std::size_t n = std::size_t{1} << 20;
  const std::vector<float> kernel(31, 1.0f);
  const auto needed = [&](int threads) {
    return working_bytes(kernel, {31}, {n}, Method::fft, threads);
  };
  const double one = needed(1), eight = needed(8);
  CHECK(one > static_cast<double>(n * sizeof(float)));
  CHECK(eight - one < static_cast<double>(n * sizeof(float)));  // (7 rows would be 28 MiB)
}

// Options::threads beyond the threads this process can run is clamped to them (issue 17: a million
// threads took GBs, scratch being sized per requested thread): such a call needs the working
// memory of threads = 0 (that count, by the documented rule), so it runs under a limit that
// count fits, with the same values. (Not std::thread::hardware_concurrency: the cap is the
// affinity mask and CPU quota, which may be fewer.)
TEST_CASE("threads: a million requested cost the memory of threads = 0, the usable count") {
  std::mt19937_64 rng(1701);
  const Array<float> image = uniform<float>({512, 512}, rng, -1, 1);
  const Array<float> kernel = normal<float>({31, 31}, rng);
  for (Method method : {Method::fft, Method::direct, Method::overlap_save}) {
    CAPTURE(fftconv::to_string(method));
    const double at_hardware = working_bytes(kernel.values, kernel.shape, image.shape, method, 0);
    CHECK(working_bytes(kernel.values, kernel.shape, image.shape, method, 1000000) == at_hardware);
    fftconv::Options o;
    o.method = method;
    o.threads = 0;
    const Array<float> expected = call(Op::convolve, image, kernel, o);
    o.threads = 1000000;
    o.max_memory_bytes = static_cast<std::size_t>(at_hardware);
    CHECK(call(Op::convolve, image, kernel, o).values == expected.values);
  }
}

#ifdef __linux__
// The cap is the CPUs this process may run on, not the machine's (issue 17: a container limited
// to one CPU, or taskset, still sized scratch for every CPU of the host): in a child bound to one
// CPU, threads = 0 and threads = 1000000 need the working memory of one thread.
TEST_CASE("threads: capped at the CPUs of the affinity mask") {
  cpu_set_t mine;
  CPU_ZERO(&mine);
  REQUIRE(sched_getaffinity(0, sizeof mine, &mine) == 0);
  std::mt19937_64 rng(1702);
  const Array<float> image = uniform<float>({512, 512}, rng, -1, 1);
  const Array<float> kernel = normal<float>({31, 31}, rng);
  const Method methods[] = {Method::fft, Method::direct, Method::overlap_save};
  const auto needed = [&](Method method, int threads) {
    return working_bytes(kernel.values, kernel.shape, image.shape, method, threads);
  };
  if (CPU_COUNT(&mine) >= 2) {
    for (Method method : methods) {  // (so that the child's equalities say something)
      CAPTURE(fftconv::to_string(method));
      CHECK(needed(method, 2) > needed(method, 1));
    }
  } else {
    MESSAGE("one CPU here: threads > 1 cannot be told from the cap");
  }
  int one = 0;
  while (!CPU_ISSET(one, &mine))
    ++one;
  const pid_t child = fork();
  REQUIRE(child >= 0);
  if (child == 0) {  // exit status: 0, or bit i + 1 for a method i whose memory grew
    cpu_set_t only;
    CPU_ZERO(&only);
    CPU_SET(one, &only);
    if (sched_setaffinity(0, sizeof only, &only) != 0) _exit(64);
    int failures = 0;
    for (int i = 0; i < 3; ++i)
      if (needed(methods[i], 0) != needed(methods[i], 1) ||
          needed(methods[i], 1000000) != needed(methods[i], 1))
        failures |= 2 << i;
    _exit(failures);
  }
  int status = 0;
  REQUIRE(waitpid(child, &status, 0) == child);
  REQUIRE(WIFEXITED(status));
  CHECK(WEXITSTATUS(status) == 0);
}
#endif

// ...and at the work there is: threads that would find nothing to do get no working memory
// (a small direct problem runs on one thread; a one-tile overlap-save on one).
TEST_CASE("threads: a small problem needs one thread's memory however many are requested") {
  const std::vector<double> kernel(25, 1.0);
  for (Method method : {Method::direct, Method::overlap_save, Method::fft}) {
    CAPTURE(fftconv::to_string(method));
    CHECK(working_bytes(kernel, {5, 5}, {16, 16}, method, 64) ==
          working_bytes(kernel, {5, 5}, {16, 16}, method, 1));
  }
}
