// Uses the installed libfftconv_mpi: each rank holds a balanced slab of rows of an image, blurs
// it with a kernel longer than a slab (reflect at the image's edges), and checks its rows of the
// result against the single-process library on the whole image.
#include <fftconv/fftconv.hpp>
#include <fftconv/mpi.hpp>

#include <cmath>
#include <cstdio>
#include <vector>

int main(int argc, char** argv) {
  MPI_Init(&argc, &argv);
  int rank = 0;
  MPI_Comm_rank(MPI_COMM_WORLD, &rank);
  const fftconv::Shape shape{64, 48};
  std::vector<double> image(64 * 48), kernel(21 * 5, 1.0 / (21 * 5));
  for (std::size_t i = 0; i < image.size(); ++i)
    image[i] = std::sin(0.37 * static_cast<double>(i));
  fftconv::Options options;
  options.boundary = fftconv::Boundary::reflect;
  std::vector<double> whole(image.size());
  fftconv::convolve(fftconv::ConstView<double>(image.data(), shape),
                    fftconv::ConstView<double>(kernel.data(), {21, 5}),
                    fftconv::View<double>(whole.data(), shape), options);

  // This rank's rows of the image, and of the result (mode same: the same rows).
  const fftconv::mpi::RowRange mine = fftconv::mpi::balanced_rows(MPI_COMM_WORLD, shape);
  const fftconv::Shape local{mine.rows, 48};
  std::vector<double> out(mine.rows * 48);
  fftconv::mpi::convolve(MPI_COMM_WORLD, {image.data() + mine.first_row * 48, local}, shape,
                         mine.first_row, {kernel.data(), {21, 5}}, {out.data(), local}, options);
  double worst = 0;
  for (std::size_t i = 0; i < out.size(); ++i)
    worst = std::fmax(worst, std::fabs(out[i] - whole[mine.first_row * 48 + i]));
  MPI_Allreduce(MPI_IN_PLACE, &worst, 1, MPI_DOUBLE, MPI_MAX, MPI_COMM_WORLD);
  if (rank == 0)
    std::printf("consumer_mpi: %s (largest difference %.1e)\n", worst < 1e-13 ? "OK" : "WRONG",
                worst);
  MPI_Finalize();
  return worst < 1e-13 ? 0 : 1;
}
