#include "fft/real_grid.hpp"

#include <algorithm>
#include <climits>
#include <cstring>

#include "fft/block_width.hpp"
#include "fft/column_passes.hpp"
#include "fft/layout.hpp"
#include "fftconv/shape.hpp"
#include "util/check.hpp"
#include "util/checked_math.hpp"
#include "util/parallel.hpp"

namespace fftconv::detail::fft {

namespace {

// The reals of one scratch array: a row's half spectrum, or a column block of any outer axis.
// The columns per block down an axis of `length`: block_width, at most the half spectrum's rows.
std::size_t grid_block(std::size_t length, std::size_t columns, std::size_t element_bytes) {
  return std::min(block_width(length, element_bytes), columns);
}

template <class T>
std::size_t scratch_reals(const Shape& lengths, std::size_t pitch) {
  const std::size_t columns = lengths[lengths.rank() - 1] / 2 + 1;
  std::size_t reals = pitch;
  for (int a = 0; a + 1 < lengths.rank(); ++a)
    reals = std::max(reals, 2 * lengths[a] * grid_block(lengths[a], columns, sizeof(T)));
  return reals;
}

// The column pass of outer axis `axis` (< rank - 1, rank 2 or 3) over the whole grid: every
// column of the half spectrum, read and written in place.
ColumnPass grid_pass(const Shape& lengths, std::size_t pitch, int axis, std::size_t element_bytes) {
  const std::size_t row = pitch / 2;  // complex values per row
  ColumnPass c;
  c.length = lengths[axis];
  c.columns = lengths[lengths.rank() - 1] / 2 + 1;
  c.in_rows = c.out_rows = c.length;
  c.block = grid_block(c.length, c.columns, element_bytes);
  if (lengths.rank() == 3 && axis == 0) {  // down axis 0: one "plane" per position along axis 1
    c.row_stride = lengths[1] * row;
    c.planes = lengths[1];
    c.plane_stride = row;
  } else {  // the axis just before the last: in each plane of axis 0 (3-D)
    c.row_stride = row;
    c.planes = lengths.rank() == 3 ? lengths[0] : 1;
    c.plane_stride = lengths.rank() == 3 ? lengths[1] * row : 0;
  }
  return c;
}

// The plane (its index) a for_each_block step of pass c was given, from its offset in reals.
std::size_t plane_of(std::ptrdiff_t offset, const ColumnPass& c) {
  return c.plane_stride > 0 ? static_cast<std::size_t>(offset) / 2 / c.plane_stride : 0;
}

constexpr std::size_t all_planes = static_cast<std::size_t>(-1);

// Runs step(plane data, block, first column, width, scratch, plane index, first slot) on the
// outer axis's column blocks (grid_pass(0)) reading `in_rows` rows, on `threads` threads.
template <class T, class Step>
void outer_blocks(T* data, const ColumnPass& c, int threads, std::vector<AlignedBuffer<T>>& scratch,
                  Step&& step) {
  const std::size_t per_plane = (c.columns + c.block - 1) / c.block;
  for_each_block(data, c, threads, scratch,
                 [&](T* plane, std::size_t b, std::size_t col, std::size_t width, T* block) {
                   const std::size_t p = plane_of(plane - data, c);
                   step(plane, col, width, block, p, (p * per_plane + b) * c.length * c.block);
                 });
}

}  // namespace

template <class T>
std::size_t RealGrid<T>::bytes(const Shape& lengths, int threads) {
  const int rank = lengths.rank();
  FFTCONV_CHECK(rank >= 1 && rank <= 3, invalid_argument,
                "transform grid rank must be 1 to 3, got ", rank);
  std::size_t points = 1;
  for (int a = 0; a < rank; ++a) {
    FFTCONV_CHECK(lengths[a] >= 1 && lengths[a] <= static_cast<std::size_t>(INT_MAX),
                  invalid_argument, "transform grid length ", lengths[a], " in axis ", a,
                  " (lengths ", to_string(lengths), ") must be 1 to FFTW's limit ", INT_MAX);
    points = checked_mul(points, lengths[a], "transform grid size");
  }
  const std::size_t pitch = row_pitch(lengths[rank - 1] / 2 + 1, sizeof(T));
  const std::size_t reals = checked_mul(points / lengths[rank - 1], pitch, "transform grid size");
  const std::size_t scratch =
      rank == 1 ? 0
                : checked_mul(static_cast<std::size_t>(threads_for(double(points), threads)),
                              scratch_reals<T>(lengths, pitch), "transform scratch size");
  return checked_mul(checked_add(reals, scratch, "transform grid size"), sizeof(T),
                     "transform grid bytes");
}

template <class T>
RealGrid<T>::RealGrid(const Shape& lengths, int threads, Planning planning)
    : lengths_(lengths), spectrum_shape_(lengths) {
  (void)bytes(lengths, threads);  // (the checks)
  const int rank = lengths.rank();
  const int last = rank - 1;
  spectrum_shape_[last] = lengths[last] / 2 + 1;
  pitch_ = row_pitch(spectrum_shape_[last], sizeof(T));
  for (int a = 0; a < rank; ++a) {
    strides_.push_back(0);
    spectrum_strides_.push_back(0);
  }
  std::size_t real_step = 1;
  for (int a = last; a >= 0; --a) {
    strides_[a] = static_cast<std::ptrdiff_t>(real_step);
    spectrum_strides_[a] = static_cast<std::ptrdiff_t>(a == last ? 1 : real_step / 2);
    real_step *= a == last ? pitch_ : lengths[a];
    size_ *= lengths[a];
  }
  buffer_ = AlignedBuffer<T>(real_step);
  threads_ = threads_for(static_cast<double>(size_), threads);
  int n[3] = {};
  for (int a = 0; a < rank; ++a)
    n[a] = static_cast<int>(lengths[a]);
  if (rank == 1) {  // one transform: FFTW's threads split it
    forward_ = grid_plan(Direction::forward, rank, n, buffer_.data(), planning, threads_);
    inverse_ = grid_plan(Direction::inverse, rank, n, buffer_.data(), planning, threads_);
    return;
  }
  // Plans are made on the grid's buffer and a scratch array before either is filled.
  scratch_.emplace_back(scratch_reals<T>(lengths, pitch_));
  T* scratch = scratch_[0].data();
  forward_ = row_plan(Direction::forward, n[last], buffer_.data(), scratch, planning, 1);
  inverse_ = row_plan(Direction::inverse, n[last], buffer_.data(), scratch, planning, 1);
  for (int a = 0; a < last; ++a) {
    const ColumnPass c = grid_pass(lengths_, pitch_, a, sizeof(T));
    const int length = static_cast<int>(c.length), width = static_cast<int>(c.block);
    const auto axis = static_cast<std::size_t>(a);
    columns_forward_[axis] = column_plan(Direction::forward, length, width, scratch, planning);
    columns_inverse_[axis] = column_plan(Direction::inverse, length, width, scratch, planning);
  }
}

template <class T>
void RealGrid<T>::rows(Direction direction, const Shape& box) {
  const int last = rank() - 1;
  const std::size_t n = lengths_[last], inner = last == 2 ? lengths_[1] : 1;
  const std::size_t box_inner = last == 2 ? box[1] : 1;
  const std::size_t spectrum_reals = 2 * spectrum_shape_[last];
  grow_scratch(scratch_, static_cast<std::size_t>(threads_), pitch_);
  parallel_for(box[0] * box_inner, threads_,
               [&](std::size_t slot, std::size_t begin, std::size_t end) {
                 T* scratch = scratch_[slot].data();
                 for (std::size_t r = begin; r < end; ++r) {
                   const std::size_t row_index = (r / box_inner) * inner + r % box_inner;
                   T* row = buffer_.data() + row_index * pitch_;
                   if (direction == Direction::forward) {
                     execute(*forward_, row, scratch);
                     std::memcpy(row, scratch, spectrum_reals * sizeof(T));
                   } else {
                     execute(*inverse_, scratch, row);
                     std::memcpy(row, scratch, n * sizeof(T));
                   }
                 }
               });
}

template <class T>
void RealGrid<T>::columns(int axis, Direction direction, std::size_t planes, std::size_t in_rows) {
  ColumnPass c = grid_pass(lengths_, pitch_, axis, sizeof(T));
  c.planes = std::min(c.planes, planes);
  c.in_rows = in_rows;
  const Plan& plan =
      *(direction == Direction::forward ? columns_forward_ : columns_inverse_)[std::size_t(axis)];
  transform_columns(buffer_.data(), c, plan, threads_, scratch_);
}

template <class T>
void RealGrid<T>::forward() {
  if (rank() == 1) {
    execute(*forward_, buffer_.data());
    return;
  }
  rows(Direction::forward, lengths_);
  for (int a = rank() - 2; a >= 0; --a)
    columns(a, Direction::forward, all_planes, lengths_[a]);
}

template <class T>
void RealGrid<T>::inverse() {
  if (rank() == 1) {
    execute(*inverse_, buffer_.data());
    return;
  }
  for (int a = 0; a < rank() - 1; ++a)
    columns(a, Direction::inverse, all_planes, lengths_[a]);
  rows(Direction::inverse, lengths_);
}

template <class T>
std::size_t RealGrid<T>::block_order_size(const Shape& lengths) {
  (void)bytes(lengths, 1);  // (the checks)
  const int rank = lengths.rank();
  if (rank == 1) return lengths[0] / 2 + 1;
  const ColumnPass c =
      grid_pass(lengths, row_pitch(lengths[rank - 1] / 2 + 1, sizeof(T)), 0, sizeof(T));
  const std::size_t blocks = (c.columns + c.block - 1) / c.block;
  return c.planes * blocks * c.length * c.block;  // (at most the grid's complex values)
}

template <class T>
void RealGrid<T>::forward_to_blocks(const Shape& extents, AlignedBuffer<std::complex<T>>& blocks) {
  blocks = AlignedBuffer<std::complex<T>>(block_order_size(lengths_));
  if (rank() == 1) {
    execute(*forward_, buffer_.data());
    std::copy(spectrum(), spectrum() + spectrum_shape_[0], blocks.data());
    return;
  }
  rows(Direction::forward, extents);
  if (rank() == 3) columns(1, Direction::forward, extents[0], extents[1]);
  ColumnPass c = grid_pass(lengths_, pitch_, 0, sizeof(T));
  c.in_rows = extents[0];
  outer_blocks(buffer_.data(), c, threads_, scratch_,
               [&](T* plane, std::size_t col, std::size_t width, T* scratch, std::size_t,
                   std::size_t first_slot) {
                 load_block(plane, c, col, width, scratch);
                 execute(*columns_forward_[0], scratch);
                 const auto* from = reinterpret_cast<const std::complex<T>*>(scratch);
                 std::copy(from, from + c.length * c.block, blocks.data() + first_slot);
               });
}

template <class T>
void RealGrid<T>::filter(const BlockFunction& f, bool concurrent) {
  if (rank() == 1) {
    execute(*forward_, buffer_.data());
    f(SpectrumBlock{spectrum(), 1, spectrum_shape_[0], 0, 0, 0});
    execute(*inverse_, buffer_.data());
    return;
  }
  rows(Direction::forward, lengths_);
  if (rank() == 3) columns(1, Direction::forward, lengths_[0], lengths_[1]);
  const ColumnPass c = grid_pass(lengths_, pitch_, 0, sizeof(T));
  outer_blocks(buffer_.data(), c, concurrent ? threads_ : 1, scratch_,
               [&](T* plane, std::size_t col, std::size_t width, T* scratch, std::size_t p,
                   std::size_t first_slot) {
                 load_block(plane, c, col, width, scratch);
                 execute(*columns_forward_[0], scratch);
                 f(SpectrumBlock{reinterpret_cast<std::complex<T>*>(scratch), c.length, width, p,
                                 col, first_slot});
                 execute(*columns_inverse_[0], scratch);
                 store_block(scratch, c, col, width, plane);
               });
  if (rank() == 3) columns(1, Direction::inverse, lengths_[0], lengths_[1]);
  rows(Direction::inverse, lengths_);
}

template class RealGrid<float>;
template class RealGrid<double>;

}  // namespace fftconv::detail::fft
