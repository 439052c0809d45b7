#pragma once
// A grid's half spectrum multiplied by a transfer function under the rule of
// fftconv/frequency.hpp ("What is computed"): a transfer given on the full grid has its Hermitian
// part applied (numpy's ifftn(H * fftn(x)).real), one given on the half spectrum is used as given
// (numpy's irfftn(H * rfftn(x))). The inverse transform's 1 / prod(L) is folded into the product.
#include <array>
#include <complex>
#include <cstddef>
#include <vector>

#include "fft/real_grid.hpp"

namespace fftconv::detail {

/// numpy.fft.fftfreq(n)[k], cycles per sample: k / n for k < ceil(n / 2), (k - n) / n above.
inline double fftfreq(std::size_t k, std::size_t n) {
  return k < (n + 1) / 2 ? static_cast<double>(k) / static_cast<double>(n)
                         : -static_cast<double>(n - k) / static_cast<double>(n);
}

/// What a transfer function's values stand for.
enum class TransferForm {
  full,  ///< H on the full grid: (H[k] + conj(H[-k])) / 2 is applied (H read at mirror bins too)
  half,  ///< H on the half spectrum's bins, used as given (the other half implied by symmetry)
};

/// X[k] <- X[k] H_h[k] / prod(L) at every bin k of the grid's half spectrum, then its
/// self-mirrored planes made Hermitian (RealGrid::make_planes_hermitian), so that
/// grid.inverse() gives the filtered samples. H_h is H's Hermitian part for TransferForm::full,
/// H itself for half. transfer(bin, frequency) -> std::complex<double> gives H at a bin of the
/// full grid: `bin` its grid.rank() indices (beyond the half spectrum only for full: the mirror
/// bins), `frequency` their fftfreq values; with full it is called once per bin of the full grid,
/// with half once per bin of the half spectrum. Products in double, rounded once to T.
template <class T, class Transfer>
void multiply_spectrum(fft::RealGrid<T>& grid, Transfer&& transfer, TransferForm form) {
  // Canonical rank 3: leading axes of length 1; transfer sees the grid's own axes only.
  const int rank = grid.rank();
  const auto lead = static_cast<std::size_t>(3 - rank);
  std::array<std::size_t, 3> length{1, 1, 1}, half{1, 1, 1};
  std::array<std::ptrdiff_t, 3> stride{0, 0, 0};
  for (int a = 0; a < rank; ++a) {
    length[lead + static_cast<std::size_t>(a)] = grid.lengths()[a];
    half[lead + static_cast<std::size_t>(a)] = grid.spectrum_shape()[a];
    stride[lead + static_cast<std::size_t>(a)] = grid.spectrum_strides()[a];
  }
  std::array<std::vector<double>, 3> frequencies;
  for (std::size_t c = 0; c < 3; ++c)
    for (std::size_t k = 0; k < length[c]; ++k)
      frequencies[c].push_back(fftfreq(k, length[c]));
  const double scale = 1 / static_cast<double>(grid.size());  // the inverse's normalization
  std::complex<T>* x = grid.spectrum();
  std::array<std::size_t, 3> bin{}, mirror{};
  std::array<double, 3> f{}, g{};
  for (bin[0] = 0; bin[0] < half[0]; ++bin[0])
    for (bin[1] = 0; bin[1] < half[1]; ++bin[1])
      for (bin[2] = 0; bin[2] < half[2]; ++bin[2]) {
        for (std::size_t c = 0; c < 3; ++c)
          f[c] = frequencies[c][bin[c]];
        std::complex<double> h = transfer(bin.data() + lead, f.data() + lead);
        // The planes holding their own mirror bins are symmetrized below instead.
        const bool own_mirrors = bin[2] == 0 || 2 * bin[2] == length[2];
        if (form == TransferForm::full && !own_mirrors) {
          for (std::size_t c = 0; c < 3; ++c) {
            mirror[c] = (length[c] - bin[c]) % length[c];
            g[c] = frequencies[c][mirror[c]];
          }
          h = 0.5 * (h + std::conj(transfer(mirror.data() + lead, g.data() + lead)));
        }
        std::complex<T>& v = x[static_cast<std::ptrdiff_t>(bin[0]) * stride[0] +
                               static_cast<std::ptrdiff_t>(bin[1]) * stride[1] +
                               static_cast<std::ptrdiff_t>(bin[2]) * stride[2]];
        v = std::complex<T>(std::complex<double>(v) * (h * scale));
      }
  grid.make_planes_hermitian();
}

}  // namespace fftconv::detail
