// libfftconv_mpi on P ranks (run under mpirun -n 1, then -n 2: README, "MPI"): a distributed
// Filter's apply with each strategy, the slowest rank's time per call (median of interleaved
// rounds, every round started by a barrier), beside the single-process Filter on 1 and 2 threads
// (with -n 1). Prints a markdown table on rank 0.
//   mpirun -n 2 build/bench/bench_mpi
#include <mpi.h>

#include <algorithm>
#include <cstdio>
#include <random>
#include <string>
#include <vector>

#include "fftconv/fftconv.hpp"
#include "fftconv/mpi.hpp"

namespace {

struct Case {
  const char* name;
  fftconv::Shape image, kernel;
};

/// Median over `rounds` of the slowest rank's seconds for f (collective).
template <class F>
double median_seconds(F&& f, int rounds) {
  std::vector<double> t;
  f();  // warm-up
  for (int r = 0; r < rounds; ++r) {
    MPI_Barrier(MPI_COMM_WORLD);
    const double t0 = MPI_Wtime();
    f();
    double s = MPI_Wtime() - t0;
    MPI_Allreduce(MPI_IN_PLACE, &s, 1, MPI_DOUBLE, MPI_MAX, MPI_COMM_WORLD);
    t.push_back(s);
  }
  std::sort(t.begin(), t.end());
  return t[t.size() / 2];
}

}  // namespace

int main(int argc, char** argv) {
  MPI_Init(&argc, &argv);
  int rank = 0, size = 1;
  MPI_Comm_rank(MPI_COMM_WORLD, &rank);
  MPI_Comm_size(MPI_COMM_WORLD, &size);
  const int rounds = 5;
  const Case cases[] = {{"4096^2 f32, 65^2 kernel", {4096, 4096}, {65, 65}},
                        {"4096^2 f32, 1025^2 kernel", {4096, 4096}, {1025, 1025}},
                        {"256^3 f32, 31^3 kernel", {256, 256, 256}, {31, 31, 31}}};
  if (rank == 0) {
    std::printf("%d rank(s), medians of %d, seconds per call (slowest rank)\n\n", size, rounds);
    std::printf("| problem | halo_exchange | distributed_fft | automatic picks |%s\n",
                size == 1 ? " single process, 1 thread | 2 threads |" : "");
    std::printf("|---|---|---|---|%s\n", size == 1 ? "---|---|" : "");
  }
  for (const Case& c : cases) {
    std::mt19937_64 rng(1);
    std::uniform_real_distribution<float> d(0, 1);
    const fftconv::mpi::RowRange mine = fftconv::mpi::balanced_rows(MPI_COMM_WORLD, c.image);
    fftconv::Shape local = c.image;
    local[0] = mine.rows;
    std::vector<float> image(fftconv::element_count(local)), out(image.size());
    std::vector<float> kernel(fftconv::element_count(c.kernel));
    for (float& v : image)
      v = d(rng);
    for (float& v : kernel)
      v = d(rng);
    const fftconv::ConstView<float> k(kernel.data(), c.kernel);
    double seconds[2] = {0, 0};
    const fftconv::mpi::Strategy strategies[2] = {fftconv::mpi::Strategy::halo_exchange,
                                                  fftconv::mpi::Strategy::distributed_fft};
    for (int s = 0; s < 2; ++s) {
      const fftconv::mpi::Filter<float> f(MPI_COMM_WORLD, k, c.image, mine,
                                          fftconv::Operation::convolve, {}, strategies[s]);
      seconds[s] = median_seconds(
          [&] {
            f.apply({image.data(), local}, {out.data(), f.local_output_shape()});
          },
          rounds);
    }
    const auto pick = fftconv::mpi::chosen_strategy(MPI_COMM_WORLD, c.kernel, c.image, mine);
    std::string single;
    if (size == 1) {
      for (int threads : {1, 2}) {
        fftconv::Options o;
        o.threads = threads;
        const fftconv::Filter<float> f(k, c.image, fftconv::Operation::convolve, o);
        const double t = median_seconds(
            [&] {
              f.apply({image.data(), c.image}, {out.data(), c.image});
            },
            rounds);
        char cell[64];
        std::snprintf(cell, sizeof cell, " %.3f |", t);
        single += cell;
      }
    }
    if (rank == 0)
      std::printf("| %s | %.3f | %.3f | %s |%s\n", c.name, seconds[0], seconds[1],
                  fftconv::mpi::to_string(pick), single.c_str());
  }
  MPI_Finalize();
  return 0;
}
