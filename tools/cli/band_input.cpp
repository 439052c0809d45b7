#include "band_input.hpp"

#include <algorithm>

#include "fftconv/shape.hpp"
#include "io/convert.hpp"
#include "pixel_values.hpp"

namespace fftconv::cli {

template <class T>
BandInput<T>::BandInput(io::RowReader& rows, const BandGeometry& geometry, Boundary rule, T fill)
    : rows_(rows), geometry_(geometry), rule_(rule), fill_(fill) {
  const int rank = geometry.image.rank();
  for (int i = 0; i < 2; ++i) {
    const int axis = rank - 2 + i;  // inner axis i: the image's axis, if it has one
    if (axis < 1) {
      inner_map_[i] = {0};
      continue;
    }
    const ExtendedWindow& w = geometry.windows[static_cast<std::size_t>(axis)];
    inner_length_[i] = geometry.image[axis];
    for (std::size_t t = 0; t < w.count; ++t)
      inner_map_[i].push_back(
          boundary_index(rule, w.first + static_cast<std::ptrdiff_t>(t), inner_length_[i]));
  }
  raw_.resize(io::row_bytes(rows.header()));
  values_.resize(geometry.image_row);
}

template <class T>
std::size_t BandInput<T>::bytes(const BandGeometry& geometry, io::PixelType type) {
  return geometry.image_row * (io::size_of(type) + sizeof(T));
}

template <class T>
void BandInput<T>::extend_row(std::size_t source, T* out) {
  rows_.read(source, 1, raw_.data());
  io::to_values(raw_.data(), rows_.header().type, values_.size(), values_.data());
  if (source == counted_rows_) {
    nonfinite_ += count_nonfinite(values_.data(), values_.size());
    ++counted_rows_;
  }
  for (const std::ptrdiff_t i : inner_map_[0]) {
    const auto& m = inner_map_[1];
    if (i < 0) {
      out = std::fill_n(out, m.size(), fill_);
      continue;
    }
    const T* in = values_.data() + static_cast<std::size_t>(i) * inner_length_[1];
    for (const std::ptrdiff_t j : m)
      *out++ = j < 0 ? fill_ : in[j];
  }
}

template <class T>
void BandInput<T>::fill(std::size_t first_row, std::size_t rows, T* band) {
  const std::size_t row = geometry_.extended_row;
  const std::size_t n = geometry_.image[0];
  const std::ptrdiff_t first = geometry_.windows[0].first + static_cast<std::ptrdiff_t>(first_row);
  std::ptrdiff_t previous = -2;  // the source of the band row before, to copy instead of reading
  for (std::size_t t = 0; t < rows + geometry_.kernel[0] - 1; ++t) {
    T* out = band + t * row;
    const std::ptrdiff_t source = boundary_index(rule_, first + static_cast<std::ptrdiff_t>(t), n);
    if (source < 0)
      std::fill_n(out, row, fill_);
    else if (source == previous)
      std::copy_n(out - row, row, out);  // (nearest's edge rows)
    else
      extend_row(static_cast<std::size_t>(source), out);
    previous = source;
  }
}

template class BandInput<float>;
template class BandInput<double>;

}  // namespace fftconv::cli
