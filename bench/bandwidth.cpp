// bandwidth: the memory floor of a filter over an n x n float image on 1 and 2 threads: read n^2
// floats and write n^2 (out = 2 in), the rows split between the threads, median of 50. A call
// that streams its image in and its output out cannot run faster than this, however many
// threads it uses; on the 2-core VM two threads stream no faster than one.
//
//   build/bench/bandwidth [n]          (default 2048)
#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <thread>
#include <vector>

int main(int argc, char** argv) {
  const std::size_t side = argc > 1 ? std::strtoul(argv[1], nullptr, 10) : 2048;
  const std::size_t n = side * side;
  std::vector<float> in(n, 1.0f), out(n, 0.0f);
  for (int threads : {1, 2}) {
    std::vector<double> t;
    for (int r = 0; r < 50; ++r) {
      const auto start = std::chrono::steady_clock::now();
      const auto body = [&](std::size_t b, std::size_t e) {
        for (std::size_t i = b; i < e; ++i)
          out[i] = 2 * in[i];
      };
      std::vector<std::thread> workers;
      for (int c = 1; c < threads; ++c)
        workers.emplace_back(
            body, n * static_cast<std::size_t>(c) / static_cast<std::size_t>(threads),
            n * static_cast<std::size_t>(c + 1) / static_cast<std::size_t>(threads));
      body(0, n / static_cast<std::size_t>(threads));
      for (std::thread& w : workers)
        w.join();
      t.push_back(std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count());
    }
    std::sort(t.begin(), t.end());
    std::printf("%zu x %zu float, %d thread%s: %.3f ms (%.1f GB/s read + write)\n", side, side,
                threads, threads == 1 ? "" : "s", t[25] * 1e3,
                2.0 * static_cast<double>(n) * sizeof(float) / t[25] / 1e9);
  }
  return 0;
}
