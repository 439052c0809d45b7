#include "fft/real_grid.hpp"

#include <climits>

#include "fft/layout.hpp"
#include "fftconv/shape.hpp"
#include "util/check.hpp"
#include "util/checked_math.hpp"

namespace fftconv::detail::fft {

namespace {

// Reals per row along the last axis in FFTW's in-place layout: room for L / 2 + 1 complex values.
std::size_t padded_row(std::size_t last_length) {
  return 2 * (last_length / 2 + 1);
}

}  // namespace

template <class T>
std::size_t RealGrid<T>::bytes(const Shape& lengths) {
  const int rank = lengths.rank();
  FFTCONV_CHECK(rank >= 1 && rank <= 3, invalid_argument,
                "transform grid rank must be 1 to 3, got ", rank);
  std::size_t reals = 1;
  for (int a = 0; a < rank; ++a) {
    FFTCONV_CHECK(lengths[a] >= 1 && lengths[a] <= static_cast<std::size_t>(INT_MAX),
                  invalid_argument, "transform grid length ", lengths[a], " in axis ", a,
                  " (lengths ", to_string(lengths), ") must be 1 to FFTW's limit ", INT_MAX);
    reals = checked_mul(reals, a == rank - 1 ? padded_row(lengths[a]) : lengths[a],
                        "transform grid size");
  }
  return checked_mul(reals, sizeof(T), "transform grid bytes");
}

template <class T>
RealGrid<T>::RealGrid(const Shape& lengths, int threads, Planning planning)
    : lengths_(lengths), spectrum_shape_(lengths) {
  const std::size_t reals = bytes(lengths) / sizeof(T);
  const int rank = lengths.rank();
  const int last = rank - 1;
  spectrum_shape_[last] = lengths[last] / 2 + 1;
  for (int a = 0; a < rank; ++a) {
    strides_.push_back(0);
    spectrum_strides_.push_back(0);
  }
  std::size_t real_step = 1, complex_step = 1;
  for (int a = last; a >= 0; --a) {
    strides_[a] = static_cast<std::ptrdiff_t>(real_step);
    spectrum_strides_[a] = static_cast<std::ptrdiff_t>(complex_step);
    real_step *= a == last ? padded_row(lengths[a]) : lengths[a];
    complex_step *= spectrum_shape_[a];
    size_ *= lengths[a];
  }
  buffer_ = AlignedBuffer<T>(reals);
  int n[3] = {};
  for (int a = 0; a < rank; ++a)
    n[a] = static_cast<int>(lengths[a]);
  const int fftw_threads = threads_for(static_cast<double>(size_), threads);
  forward_ = grid_plan(Direction::forward, rank, n, buffer_.data(), planning, fftw_threads);
  inverse_ = grid_plan(Direction::inverse, rank, n, buffer_.data(), planning, fftw_threads);
}

template <class T>
void RealGrid<T>::forward() {
  execute(*forward_, buffer_.data());
}

template <class T>
void RealGrid<T>::inverse() {
  execute(*inverse_, buffer_.data());
}

template <class T>
void RealGrid<T>::make_planes_hermitian() {
  // The axes before the last as two (m0 x m1, strides t0, t1; a lower rank has leading 1s).
  const int last = rank() - 1;
  std::size_t m[2] = {1, 1};
  std::ptrdiff_t t[2] = {0, 0};
  for (int a = 0; a < last; ++a) {
    m[2 - last + a] = lengths_[a];
    t[2 - last + a] = spectrum_strides_[a];
  }
  const std::size_t n = lengths_[last];
  std::complex<T>* x = spectrum();
  // Plane 0 and, for even n, the Nyquist plane n / 2 (n = 1: only plane 0).
  const std::size_t planes = n % 2 == 0 && n > 1 ? 2 : 1;
  for (std::size_t p = 0; p < planes; ++p) {
    const std::size_t plane = p * (n / 2);
    for (std::size_t i0 = 0; i0 < m[0]; ++i0)
      for (std::size_t i1 = 0; i1 < m[1]; ++i1) {
        const std::size_t j0 = (m[0] - i0) % m[0], j1 = (m[1] - i1) % m[1];  // the mirror bin
        const std::size_t i = i0 * m[1] + i1, j = j0 * m[1] + j1;
        if (j < i) continue;  // (each pair once)
        std::complex<T>& a =
            x[static_cast<std::ptrdiff_t>(i0) * t[0] + static_cast<std::ptrdiff_t>(i1) * t[1] +
              static_cast<std::ptrdiff_t>(plane)];
        if (i == j) {
          a = std::real(a);
          continue;
        }
        std::complex<T>& b =
            x[static_cast<std::ptrdiff_t>(j0) * t[0] + static_cast<std::ptrdiff_t>(j1) * t[1] +
              static_cast<std::ptrdiff_t>(plane)];
        const std::complex<T> h = (a + std::conj(b)) / T(2);
        a = h;
        b = std::conj(h);
      }
  }
}

template class RealGrid<float>;
template class RealGrid<double>;

}  // namespace fftconv::detail::fft
