#include "frequency/grid.hpp"

#include <algorithm>
#include <array>
#include <vector>

#include "core/enumerators.hpp"
#include "core/problem.hpp"
#include "core/validate.hpp"
#include "fftconv/shape.hpp"
#include "stages/boundary_extension.hpp"
#include "util/check.hpp"
#include "util/checked_math.hpp"
#include "util/copy.hpp"

namespace fftconv::detail {

Shape frequency_grid_lengths(const Shape& image, Boundary boundary, std::size_t padding,
                             const char* what) {
  FFTCONV_CHECK(image.rank() >= 1 && image.rank() <= core_rank, invalid_argument, what,
                ": image rank must be 1 to ", core_rank, ", got ", image.rank(), " (shape ",
                to_string(image), ")");
  for (int a = 0; a < image.rank(); ++a)
    FFTCONV_CHECK(image[a] > 0, invalid_argument, what, ": image has extent 0 in axis ", a,
                  " (shape ", to_string(image), ")");
  FFTCONV_CHECK(is_enumerator(boundary), invalid_argument, what,
                ": options.boundary has unknown value ", static_cast<int>(boundary));
  Shape lengths;
  with_call_errors(what, [&] {
    for (int a = 0; a < image.rank(); ++a)
      lengths.push_back(
          boundary == Boundary::wrap && padding == 0
              ? image[a]  // circular over the image itself
              : next_fast_size(checked_add(image[a], checked_mul(2, padding, "options.padding x 2"),
                                           "image extent + 2 options.padding")));
    (void)fft::RealGrid<double>::bytes(lengths, 1);  // (refuses lengths beyond FFTW's int)
  });
  return lengths;
}

template <class T>
FrequencyCall resolve_frequency_call(const Shape& image, const FrequencyOptions& options,
                                     const char* what) {
  FrequencyCall call;
  call.image = image;
  call.lengths = frequency_grid_lengths(image, options.boundary, options.padding, what);
  call.offset = options.padding;
  call.boundary = options.boundary;
  FFTCONV_CHECK(is_enumerator(options.planning), invalid_argument, what,
                ": options.planning has unknown value ", static_cast<int>(options.planning));
  call.planning = options.planning;
  call.fill_value =
      rounded_fill_value<T>(options.fill_value, options.boundary == Boundary::constant, what);
  call.threads = resolved_threads(options.threads, what);
  std::size_t bytes = 0;
  with_call_errors(what, [&] { bytes = frequency_working_bytes<T>(call); });
  FFTCONV_CHECK(bytes <= options.max_memory_bytes, out_of_memory, what, ": it needs ", bytes,
                " bytes of working memory (the transform grid ", to_string(call.lengths),
                "), more than options.max_memory_bytes = ", options.max_memory_bytes);
  return call;
}

template <class T>
std::size_t frequency_working_bytes(const FrequencyCall& call) {
  std::size_t positions = 0;
  for (std::size_t l : call.lengths)
    positions = checked_add(positions, l, "index map entries");
  return checked_add(fft::RealGrid<T>::bytes(call.lengths, call.threads),
                     checked_mul(positions, sizeof(std::ptrdiff_t), "index map bytes"),
                     "working memory");
}

namespace {

// The canonical rank-3 form of the grid (leading axes of length 1): lengths, the image's extents
// and offset, and the real samples' strides.
struct CanonicalGrid {
  std::array<std::size_t, 3> lengths{1, 1, 1}, extents{1, 1, 1}, offset{0, 0, 0};
  DenseStrides strides{0, 0, 1};
};

template <class T>
CanonicalGrid canonical(const FrequencyCall& call, const fft::RealGrid<T>& grid) {
  CanonicalGrid c;
  const int lead = core_rank - call.image.rank();
  for (int a = 0; a < call.image.rank(); ++a) {
    const auto ca = static_cast<std::size_t>(lead + a);
    c.lengths[ca] = call.lengths[a];
    c.extents[ca] = call.image[a];
    c.offset[ca] = call.offset;
    c.strides[ca] = static_cast<std::size_t>(grid.strides()[a]);
  }
  return c;
}

}  // namespace

template <class T>
void load_grid(const FrequencyCall& call, const ConstView<T>& image, const fft::RealGrid<T>& grid,
               const std::array<std::size_t, 3>& rotation) {
  const CanonicalGrid c = canonical(call, grid);
  const auto lead = static_cast<std::size_t>(core_rank - call.image.rank());
  std::array<std::vector<std::ptrdiff_t>, 3> maps;
  for (std::size_t a = 0; a < 3; ++a) {
    maps[a] = boundary_map(call.boundary, -static_cast<std::ptrdiff_t>(c.offset[a]), c.lengths[a],
                           c.extents[a]);
    // position t takes what t - s would have: the map rotated right by s
    const std::size_t s = a < lead ? 0 : rotation[a - lead] % c.lengths[a];
    std::rotate(maps[a].begin(), maps[a].end() - static_cast<std::ptrdiff_t>(s), maps[a].end());
  }
  extend_into(to_rank3(image), maps, static_cast<T>(call.fill_value), grid.data(), c.strides);
}

template <class T>
void store_window(const FrequencyCall& call, const fft::RealGrid<T>& grid, const View<T>& out) {
  const CanonicalGrid c = canonical(call, grid);
  const View<T> o = to_rank3(out);
  const T* first = grid.data() + c.offset[0] * c.strides[0] + c.offset[1] * c.strides[1] +
                   c.offset[2] * c.strides[2];
  for (std::size_t i0 = 0; i0 < o.extent(0); ++i0)
    for (std::size_t i1 = 0; i1 < o.extent(1); ++i1)
      store_row(first + i0 * c.strides[0] + i1 * c.strides[1], o.extent(2), row_start(o, i0, i1),
                o.stride(2));
}

template std::size_t frequency_working_bytes<float>(const FrequencyCall&);
template std::size_t frequency_working_bytes<double>(const FrequencyCall&);
template FrequencyCall resolve_frequency_call<float>(const Shape&, const FrequencyOptions&,
                                                     const char*);
template FrequencyCall resolve_frequency_call<double>(const Shape&, const FrequencyOptions&,
                                                      const char*);
template void load_grid<float>(const FrequencyCall&, const ConstView<float>&,
                               const fft::RealGrid<float>&, const std::array<std::size_t, 3>&);
template void load_grid<double>(const FrequencyCall&, const ConstView<double>&,
                                const fft::RealGrid<double>&, const std::array<std::size_t, 3>&);
template void store_window<float>(const FrequencyCall&, const fft::RealGrid<float>&,
                                  const View<float>&);
template void store_window<double>(const FrequencyCall&, const fft::RealGrid<double>&,
                                   const View<double>&);

}  // namespace fftconv::detail
