#pragma once
// The transform grid of a frequency-domain filter call (fftconv/frequency.hpp, "The transform
// grid"): its lengths, where the image sits in it, the options resolved; filling it from the
// image by the boundary rule (stages/boundary_extension) and cutting the image's window out.
#include <array>
#include <cstddef>

#include "fft/real_grid.hpp"
#include "fftconv/frequency.hpp"
#include "fftconv/view.hpp"

namespace fftconv::detail {

/// A call as validation resolved it: nothing past validation reads FrequencyOptions.
struct FrequencyCall {
  Shape image;                         ///< the image's shape (rank 1..3, extents > 0)
  Shape lengths;                       ///< the grid's length L per axis
  std::size_t offset = 0;              ///< grid position of the image's first sample, every axis
  Boundary boundary = Boundary::wrap;  ///< how the grid around the image is filled
  double fill_value = 0;               ///< Boundary::constant's, rounded to the data's type
  Planning planning = Planning::estimate;
  int threads = 1;  ///< resolved: >= 1, at most the hardware's (usable_threads)
};

/// The grid's lengths for an image of `image` shape (frequency_grid_shape), or fftconv::Error
/// prefixed with `what`: a rank outside 1..3, a zero extent, an unknown boundary, a length that
/// overflows or exceeds FFTW's int.
Shape frequency_grid_lengths(const Shape& image, Boundary boundary, std::size_t padding,
                             const char* what);

/// The call for images of `image` shape of type T with `options`, everything checked:
/// frequency_grid_lengths, options.planning, options.threads, options.fill_value, and the working
/// memory (frequency_working_bytes) against options.max_memory_bytes (out_of_memory).
template <class T>
FrequencyCall resolve_frequency_call(const Shape& image, const FrequencyOptions& options,
                                     const char* what);

/// The bytes a call on data of type T allocates: the grid (RealGrid::bytes) and the boundary
/// rule's index maps (one ptrdiff_t per grid position along each axis).
template <class T>
std::size_t frequency_working_bytes(const FrequencyCall& call);

/// Fills the grid's real samples from the image: grid position t (per axis) gets the extended
/// image's position t - call.offset under call.boundary, or with a `rotation` (per grid axis),
/// the grid rotated by it: position t gets what (t - rotation) mod L would have.
template <class T>
void load_grid(const FrequencyCall& call, const ConstView<T>& image, const fft::RealGrid<T>& grid,
               const std::array<std::size_t, 3>& rotation = {0, 0, 0});

/// Writes the image's window of the grid's real samples (positions offset .. offset + n - 1)
/// to out (the image's shape, any strides).
template <class T>
void store_window(const FrequencyCall& call, const fft::RealGrid<T>& grid, const View<T>& out);

}  // namespace fftconv::detail
