// fftconv::mpi::richardson_lucy: the single-machine iteration (src/deconvolution/iterations.cpp,
// zero edges, plain RL) with its two operators distributed.
#include <algorithm>
#include <cmath>
#include <vector>

#include "fftconv/mpi.hpp"
#include "mpi/agreement.hpp"
#include "util/check.hpp"
#include "util/copy.hpp"

namespace fftconv::mpi {

namespace {

// scikit-image's guard against 0 / 0 in the ratio data / blur (iterations.cpp's blur_epsilon).
constexpr double blur_epsilon = 1e-12;

template <class T>
void run_richardson_lucy(MPI_Comm comm, ConstView<T> local_image, const Shape& global_shape,
                         std::size_t first_row, ConstView<T> psf, View<T> local_out, int iterations,
                         const Options& options, Strategy strategy) {
  const char* what = "fftconv::mpi::richardson_lucy";
  const Options& blur = options;  // H and B alike: same, zero (B = correlate, scikit-image's)
  std::vector<T> data;            // the image, dense
  detail::mpi::agree(comm, [&] {
    FFTCONV_CHECK(iterations >= 0, invalid_argument, what, ": iterations = ", iterations,
                  " is negative");
    FFTCONV_CHECK(
        options.mode == Mode::same && options.boundary == Boundary::zero && options.origin.empty(),
        invalid_argument, what,
        ": options.mode, boundary and origin are the iteration's own (leave them at "
        "same, zero, none)");
    FFTCONV_CHECK(local_out.shape() == local_image.shape(), invalid_argument, what,
                  ": local_out has shape ", to_string(local_out.shape()), ", local_image ",
                  to_string(local_image.shape()));
    // The library's refusals: data and PSF non-negative and finite, the PSF's sum positive.
    data = detail::dense_copy(local_image);
    for (const T v : data)
      FFTCONV_CHECK(v >= 0 && std::isfinite(v), invalid_argument, what,
                    ": the image has a negative or non-finite value ", v);
    double psf_sum = 0;
    for (const T v : detail::dense_copy(psf)) {
      FFTCONV_CHECK(v >= 0 && std::isfinite(v), invalid_argument, what,
                    ": the PSF has a negative or non-finite value ", v);
      psf_sum += static_cast<double>(v);
    }
    FFTCONV_CHECK(psf_sum > 0, invalid_argument, what, ": the PSF's sum is 0");
  });
  const RowRange rows{first_row, local_image.extent(0)};
  const Filter<T> h(comm, psf, global_shape, rows, Operation::convolve, blur, strategy);
  const Filter<T> b(comm, psf, global_shape, rows, Operation::correlate, blur, strategy);
  const Shape local = h.local_image_shape();
  const std::size_t n = element_count(local);
  std::vector<T> f(n, T(0.5)), blurred(n), correction(n);
  const T eps = static_cast<T>(blur_epsilon);
  for (int k = 0; k < iterations; ++k) {
    h.apply(ConstView<T>(f.data(), local), View<T>(blurred.data(), local));
    for (std::size_t i = 0; i < n; ++i)
      blurred[i] = data[i] / (std::max(blurred[i], T(0)) + eps);
    b.apply(ConstView<T>(blurred.data(), local), View<T>(correction.data(), local));
    for (std::size_t i = 0; i < n; ++i)
      f[i] = std::max(f[i] * correction[i], T(0));
  }
  detail::store_dense(f.data(), local_out);
}

}  // namespace

void richardson_lucy(MPI_Comm comm, ConstView<float> local_image, const Shape& global_shape,
                     std::size_t first_row, ConstView<float> psf, View<float> local_out,
                     int iterations, const Options& options, Strategy strategy) {
  run_richardson_lucy(comm, local_image, global_shape, first_row, psf, local_out, iterations,
                      options, strategy);
}
void richardson_lucy(MPI_Comm comm, ConstView<double> local_image, const Shape& global_shape,
                     std::size_t first_row, ConstView<double> psf, View<double> local_out,
                     int iterations, const Options& options, Strategy strategy) {
  run_richardson_lucy(comm, local_image, global_shape, first_row, psf, local_out, iterations,
                      options, strategy);
}

}  // namespace fftconv::mpi
