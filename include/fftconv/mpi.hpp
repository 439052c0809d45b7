#pragma once
// fftconv::mpi: convolution of an image distributed over the ranks of an MPI communicator in
// slabs along axis 0 (libfftconv_mpi, an optional component: find_package(fftconv COMPONENTS
// mpi) gives fftconv::mpi, pkg-config fftconv-mpi). README, "MPI".
//
// Every function here is collective: each rank of `comm` calls it with the same global shape,
// kernel, operation and options, and its own slab. Arguments are checked on every rank and the
// verdict agreed on before anything is exchanged, so a bad argument on one rank makes the call
// throw fftconv::Error on every rank (with the first failing rank's message), with nothing
// written; no rank is left waiting.
#include <mpi.h>

#include <cstddef>
#include <memory>

#include "fftconv/export.hpp"
#include "fftconv/filter.hpp"
#include "fftconv/options.hpp"
#include "fftconv/shape.hpp"
#include "fftconv/view.hpp"

namespace fftconv::mpi {

/// Rows [first_row, first_row + rows) along axis 0 of a distributed array.
struct RowRange {
  std::size_t first_row = 0;
  std::size_t rows = 0;
};

/// This rank's rows of a balanced split of global_shape's axis 0 over comm: ranks in order, the
/// first n0 % size ranks one row more (ranks beyond n0 get zero rows). Collective only in that
/// it asks comm for the rank and size. Throws fftconv::Error for an empty shape.
FFTCONV_MPI_API RowRange balanced_rows(MPI_Comm comm, const Shape& global_shape);

/// The rows of the result a rank gets when it holds image rows `image_rows` (pure arithmetic,
/// no communication), k0 the kernel's length along axis 0 and n0 the image's:
///   same:  the same rows [a, b): output row j is centred on image row j (shifted by
///          options.origin[0] as in the single-machine library);
///   valid: [a - k0 / 2, b - k0 / 2) clipped to [0, n0 - k0 + 1): output row j is centred on
///          image row j + k0 / 2.
/// full is refused (its extra k0 - 1 rows belong to no image row). A rank with zero image rows
/// gets zero output rows.
FFTCONV_MPI_API RowRange output_rows(const Shape& global_shape, const Shape& kernel_shape,
                                     Mode mode, RowRange image_rows);

/// How the distributed result is computed.
///   automatic:       the cheaper of the two by the cost model below (README, "MPI", and
///                    docs/mpi_cost_model.md): seconds of computation on the slowest rank (the
///                    library's own prediction, predicted_seconds) plus bytes moved over the
///                    network bandwidth (FFTCONV_MPI_BANDWIDTH in bytes per second, default
///                    12.5e9: 100 Gb/s);
///   halo_exchange:   every rank receives the image rows its output needs from the ranks that
///                    hold them (the boundary rule applied at the global edges, any distance:
///                    kernels longer than a slab, wrap across the whole image), then convolves
///                    its band with the single-machine library (options.method there): with a
///                    given method the result equals the single-process call's bit for bit
///                    when the band takes the same path (always for direct);
///   distributed_fft: the extended image padded to next_fast_size per axis and transformed by
///                    fftw3-mpi (real-to-complex, FFTW_MPI_TRANSPOSED_OUT, product with the
///                    kernel's spectrum in the same transposed layout, FFTW_MPI_TRANSPOSED_IN
///                    back), the rows redistributed to their ranks. Ranks 2 and 3, real data,
///                    options.method automatic or fft, nan_policy propagate or fill (no
///                    preserve_nan), native precision, no normalize_kernel; one thread per
///                    rank. Agrees with the single-process result to rounding (the FFT's:
///                    about eps log2(points) of the largest values).
enum class Strategy { automatic, halo_exchange, distributed_fft };

/// "automatic", "halo_exchange", "distributed_fft" ("unknown" otherwise).
FFTCONV_MPI_API const char* to_string(Strategy strategy) noexcept;

/// One kernel prepared for a distributed image of global_shape split as the ranks say (each
/// passes its own image_rows; together they must tile [0, n0) without gaps or overlaps, in any
/// order of ranks): the strategy chosen, the exchange planned, the local Filter or the
/// distributed plans and kernel spectrum made, once. `apply` is collective and may be called any
/// number of times (the Richardson-Lucy iterations of fftconv-mpi deconvolve reuse two).
/// Supported: real float or double data, ranks 1 to 3 (distributed_fft: 2 and 3), modes same
/// and valid, every boundary rule, and the Options the single-machine library takes except
/// axes (refused) and a mode of full (refused). options.max_memory_bytes bounds each rank's
/// working memory (band, exchange buffers and the local library's; for distributed_fft its
/// grid and spectrum), and automatic skips a strategy that does not fit. Every rank must pass
/// the same kernel, shapes, operation, options (threads and max_memory_bytes may differ) and
/// strategy: a mismatch is refused on every rank. Unlike fftconv::Filter, apply is not for
/// two threads at once (it keeps its exchange buffers between calls), and a process should
/// build distributed Filters from one thread at a time (fftw3-mpi plans collectively under
/// fftconv's planner lock). `comm` must outlive the Filter (it is used, not duplicated).
template <class T>
class FFTCONV_MPI_API Filter {
 public:
  Filter(MPI_Comm comm, ConstView<T> kernel, const Shape& global_shape, RowRange image_rows,
         Operation operation, const Options& options = Options{},
         Strategy strategy = Strategy::automatic);
  Filter(Filter&&) noexcept;
  Filter& operator=(Filter&&) noexcept;
  Filter(const Filter&) = delete;
  Filter& operator=(const Filter&) = delete;
  ~Filter();

  /// local_out = this rank's rows (output_rows()) of operation(image, kernel), local_image this
  /// rank's image rows (image_rows() x the other global axes). Collective. local_out may not
  /// alias local_image.
  void apply(ConstView<T> local_image, View<T> local_out) const;

  Strategy strategy() const;  ///< halo_exchange or distributed_fft: what apply runs
  RowRange image_rows() const;
  RowRange output_rows() const;
  const Shape& global_shape() const;
  const Shape& global_output_shape() const;
  Shape local_image_shape() const;
  Shape local_output_shape() const;

 private:
  struct Impl;
  const Impl& impl() const;  // (throws on a moved-from Filter)
  std::unique_ptr<const Impl> impl_;
};

extern template class Filter<float>;
extern template class Filter<double>;

/// The strategy Strategy::automatic picks for this problem (collective: it agrees on the slowest
/// rank's cost) for a dense kernel of kernel_shape (neither separable nor low-rank: a separable
/// kernel, cheap on the band, may tip a Filter towards halo_exchange). Throws fftconv::Error as
/// the Filter constructor would.
FFTCONV_MPI_API Strategy chosen_strategy(MPI_Comm comm, const Shape& kernel_shape,
                                         const Shape& global_shape, RowRange image_rows,
                                         const Options& options = Options{});

/// A Filter made and applied once: local_out = this rank's rows of convolve(image, kernel), the
/// image given as this rank's slab local_image starting at global row first_row.
FFTCONV_MPI_API void convolve(MPI_Comm comm, ConstView<float> local_image,
                              const Shape& global_shape, std::size_t first_row,
                              ConstView<float> kernel, View<float> local_out,
                              const Options& options = Options{},
                              Strategy strategy = Strategy::automatic);
FFTCONV_MPI_API void convolve(MPI_Comm comm, ConstView<double> local_image,
                              const Shape& global_shape, std::size_t first_row,
                              ConstView<double> kernel, View<double> local_out,
                              const Options& options = Options{},
                              Strategy strategy = Strategy::automatic);
/// The same for correlation (no kernel flip: correlate(I, g) == convolve(I, flip(g))).
FFTCONV_MPI_API void correlate(MPI_Comm comm, ConstView<float> local_image,
                               const Shape& global_shape, std::size_t first_row,
                               ConstView<float> kernel, View<float> local_out,
                               const Options& options = Options{},
                               Strategy strategy = Strategy::automatic);
FFTCONV_MPI_API void correlate(MPI_Comm comm, ConstView<double> local_image,
                               const Shape& global_shape, std::size_t first_row,
                               ConstView<double> kernel, View<double> local_out,
                               const Options& options = Options{},
                               Strategy strategy = Strategy::automatic);

/// Richardson-Lucy deconvolution of a distributed image (fftconv::richardson_lucy with
/// DeconvolutionEdges::zero and the other RichardsonLucyOptions at their defaults: start 0.5,
/// no acceleration, clip off): each iteration is the blur H = convolve(f, psf, same, zero) and
/// the back-projection B = correlate(r, psf, same, zero) (scikit-image's, as the library's zero
/// edges), two distributed Filters prepared once, and the update f <- max(f B(g / (max(H f, 0) +
/// 1e-12)), 0) on each rank's rows. local_out gets this rank's rows (the image's). options:
/// method, threads, planning, max_memory_bytes (mode, boundary and origin are the iteration's
/// own, and the options that would change it are refused if set: nonnegative,
/// normalize_kernel, nan_policy, preserve_nan, compute_precision). The image must be finite and
/// non-negative, the PSF too with a positive sum. iterations >= 0. Collective.
FFTCONV_MPI_API void richardson_lucy(MPI_Comm comm, ConstView<float> local_image,
                                     const Shape& global_shape, std::size_t first_row,
                                     ConstView<float> psf, View<float> local_out, int iterations,
                                     const Options& options = Options{},
                                     Strategy strategy = Strategy::automatic);
FFTCONV_MPI_API void richardson_lucy(MPI_Comm comm, ConstView<double> local_image,
                                     const Shape& global_shape, std::size_t first_row,
                                     ConstView<double> psf, View<double> local_out, int iterations,
                                     const Options& options = Options{},
                                     Strategy strategy = Strategy::automatic);

}  // namespace fftconv::mpi
