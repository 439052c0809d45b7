#pragma once
// A grid filtered by a transfer function under the rule of fftconv/frequency.hpp ("What is
// computed"): a transfer given on the full grid has its Hermitian part applied (numpy's
// ifftn(H * fftn(x)).real), one given on the half spectrum is used as given (numpy's
// irfftn(H * rfftn(x))). The inverse transform's 1 / prod(L) is folded into the product.
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

/// The slot transfer gets for a bin outside the half spectrum.
constexpr std::size_t no_slot = static_cast<std::size_t>(-1);

/// The grid filtered by a transfer function: its samples x become
/// irfftn(rfftn(x) H_h), H_h = H's Hermitian part for TransferForm::full, H itself for half (of
/// which, in the self-mirrored planes, the inverse uses the Hermitian part: RealGrid::inverse), the
/// inverse's 1 / prod(L) folded into the product. One sweep (RealGrid::filter).
/// transfer(bin, frequency, slot) -> std::complex<double> gives H at a bin of the full grid: `bin`
/// its grid.rank() indices (beyond the half spectrum only for full: the mirror bins), `frequency`
/// their fftfreq values, `slot` its position in block order (RealGrid::forward_to_blocks) for a
/// bin of the half spectrum, no_slot for a mirror bin; with full it is called once per bin of the
/// full grid, with half once per bin of the half spectrum. With `concurrent` it is called from the
/// grid's threads at once and must not throw; without, on the calling thread, and what it throws
/// propagates. Products in double, rounded once to T.
template <class T, class Transfer>
void filter_spectrum(fft::RealGrid<T>& grid, Transfer&& transfer, TransferForm form,
                     bool concurrent) {
  // Canonical rank 3: leading axes of length 1; transfer sees the grid's own axes only.
  const int rank = grid.rank();
  const auto lead = static_cast<std::size_t>(3 - rank);
  std::array<std::size_t, 3> length{1, 1, 1};
  for (int a = 0; a < rank; ++a)
    length[lead + static_cast<std::size_t>(a)] = grid.lengths()[a];
  std::array<std::vector<double>, 3> frequencies;
  for (std::size_t c = 0; c < 3; ++c)
    for (std::size_t k = 0; k < length[c]; ++k)
      frequencies[c].push_back(fftfreq(k, length[c]));
  const double scale = 1 / static_cast<double>(grid.size());  // the inverse's normalization
  using Block = typename fft::RealGrid<T>::SpectrumBlock;
  grid.filter(
      [&](const Block& b) {
        // The block's bins in canonical axes: (i, plane, column) in 3-D, (0, i, column) in 2-D,
        // (0, 0, column) in 1-D.
        std::array<std::size_t, 3> bin{0, 0, 0}, mirror{0, 0, 0};
        std::array<double, 3> f{0, 0, 0}, g{0, 0, 0};
        // transfer's arguments: the grid's own axes (the canonical ones past `lead`), copied into
        // whole arrays so that no read can reach past them.
        std::array<std::size_t, 3> own_bin{0, 0, 0};
        std::array<double, 3> own_f{0, 0, 0};
        const auto call = [&](const std::array<std::size_t, 3>& at,
                              const std::array<double, 3>& frequency, std::size_t slot) {
          for (std::size_t a = 0; a + lead < 3; ++a) {
            own_bin[a] = at[a + lead];
            own_f[a] = frequency[a + lead];
          }
          return std::complex<double>(transfer(own_bin.data(), own_f.data(), slot));
        };
        if (rank == 3) bin[1] = b.plane;
        const std::size_t down = rank == 3 ? 0 : 1;  // the axis i runs along (length 1 in 1-D)
        for (std::size_t i = 0; i < b.length; ++i)
          for (std::size_t c = 0; c < b.width; ++c) {
            bin[down] = rank == 1 ? 0 : i;
            bin[2] = b.first_column + c;
            for (std::size_t a = 0; a < 3; ++a)
              f[a] = frequencies[a][bin[a]];
            const std::size_t slot = b.first_slot + c * b.length + i;
            std::complex<double> h = call(bin, f, slot);
            // (The planes holding their own mirror bins take their Hermitian part in the inverse.)
            const bool own_mirrors = bin[2] == 0 || 2 * bin[2] == length[2];
            if (form == TransferForm::full && !own_mirrors) {
              for (std::size_t a = 0; a < 3; ++a) {
                mirror[a] = (length[a] - bin[a]) % length[a];
                g[a] = frequencies[a][mirror[a]];
              }
              h = 0.5 * (h + std::conj(call(mirror, g, no_slot)));
            }
            std::complex<T>& v = b.values[c * b.length + i];
            v = std::complex<T>(std::complex<double>(v) * (h * scale));
          }
      },
      concurrent);
}

}  // namespace fftconv::detail
