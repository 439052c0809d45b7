#include "fft/fft_path.hpp"

#include <algorithm>
#include <climits>
#include <cmath>
#include <cstring>

#include "fft/block_width.hpp"
#include "fft/length_costs.hpp"
#include "fft/memory.hpp"
#include "fft/plans.hpp"
#include "stages/boundary_extension.hpp"
#include "util/check.hpp"
#include "util/checked_math.hpp"
#include "util/copy.hpp"
#include "util/parallel.hpp"

namespace fftconv::detail {

FftScheme fft_scheme(const Problem& p) {
  if (!p.extends_image()) return FftScheme::zero_padded;
  bool same = true;
  for (const Axis& a : p.axes)
    same = same && a.out == a.n && a.start == (a.k - 1) / 2;
  // Circular at exactly n only where n is itself a fast size: FFTW's prime-size algorithms at,
  // say, n = 999983 are several times slower than the extended scheme at a padded fast size.
  bool fast = true;
  for (const Axis& a : p.axes)
    fast = fast && next_fast_size(a.n) == a.n;
  return p.boundary == Boundary::wrap && same && fast ? FftScheme::circular : FftScheme::extended;
}

std::size_t image_rows(const Problem& p, std::size_t axis) {
  const Axis& ax = p.axes[axis];
  return fft_scheme(p) == FftScheme::extended ? ax.out + ax.k - 1 : ax.n;
}

std::array<std::size_t, 3> transform_lengths(const Problem& p) {
  const FftScheme scheme = fft_scheme(p);
  if (scheme == FftScheme::circular)  // exactly the period: no padding beyond the image
    return {p.axes[0].n, p.axes[1].n, p.axes[2].n};
  // Any length at or above the minimum is exact (the wrap-around misses the window): the
  // cheapest by the calibrated model, given how many rows of each axis hold input (the image, or
  // the extended image a valid problem runs on) and how many the output reads.
  std::array<std::size_t, 3> min{};
  std::array<double, 3> rows{};
  for (std::size_t a = 0; a < 3; ++a) {
    const Axis& ax = p.axes[a];
    min[a] = scheme == FftScheme::extended ? ax.out + ax.k - 1
                                           : p.min_transform_length(static_cast<int>(a));
    rows[a] = (static_cast<double>(image_rows(p, a)) + static_cast<double>(ax.out)) / 2;
  }
  return cheapest_lengths(min, rows);
}

FftGeometry fft_geometry(const Problem& p) {
  FftGeometry g;
  g.lengths = transform_lengths(p);
  const FftScheme scheme = fft_scheme(p);
  for (std::size_t a = 0; a < 3; ++a) {
    const Axis& ax = p.axes[a];
    const std::size_t P = g.lengths[a];
    const std::size_t k_mod = (ax.k - 1) % P;  // k may exceed P (circular scheme)
    if (scheme == FftScheme::extended) {
      // Buffer position t is extended position t + start - (k - 1); the problem is then valid
      // on it: window start k - 1 for convolution, lag 0 for correlation.
      g.image_maps[a] = boundary_map(
          p.boundary, static_cast<std::ptrdiff_t>(ax.start) - static_cast<std::ptrdiff_t>(ax.k - 1),
          ax.out + ax.k - 1, ax.n);
      g.shifts[a] = p.correlate ? 0 : k_mod;
    } else {
      // The image itself at the origin. Convolution: output j is full index j + start;
      // correlation (conjugate spectrum): the circular result is indexed by lag, full index i
      // is lag i - (k - 1).
      g.image_maps[a] = boundary_map(Boundary::zero, 0, ax.n, ax.n);
      g.shifts[a] = p.correlate ? (ax.start % P + P - k_mod) % P : ax.start % P;
    }
  }
  return g;
}

// Why the transforms are run axis by axis rather than as one multi-dimensional FFTW plan:
//  - pruning: the padded image is zero beyond its rows, and the window needs only some rows of
//    the inverse, so the real transforms of the last axis run only where they matter (the
//    kernel's forward transform shrinks the most: k rows instead of P);
//  - the column transforms: FFTW_ESTIMATE plans for the columns of a whole padded array stride
//    through memory a row apart (2 x slower at 2048^2 and beyond than measured plans). Copying
//    `block` columns at a time into a small scratch array keeps every column pass in cache, and
//    lets the outer axis's forward transform, the product with the spectrum and the inverse run
//    on one block while it is there: the outer pass reads and writes the big array once.

namespace {

// FFTW's new-array execute needs arrays as aligned (modulo 16 bytes: fftw_alignment_of) as the
// ones planned on: rows a multiple of 16 bytes apart start as aligned as the array.
constexpr std::size_t row_alignment = 16;

// Threads are made per parallel region (parallel.hpp), tens of microseconds each: only worth it
// for transforms of some size.
int threads_for(const Problem& p, const FftLayout& l) {
  const double points = static_cast<double>(l.lengths[0]) * static_cast<double>(l.lengths[1]) *
                        static_cast<double>(l.lengths[2]);
  return points >= 65536 ? p.threads : 1;
}

// The rows of real data a transform input holds along each axis: the image's buffer positions
// (its index maps), or the kernel folded into the transform lengths.
using Extents = std::array<std::size_t, 3>;

// The work array: rows of `pitch` reals, d0 x d1 of them. Along the outer axis it holds the
// input's rows and, after the inverse outer pass, the output's (in output order); the middle
// axis (outer 0) keeps all of its transform length.
struct WorkShape {
  std::size_t d0 = 1, d1 = 1;
  DenseStrides strides{};
  std::size_t reals = 0;
};

WorkShape work_shape(const FftLayout& l, const Extents& in, const Extents& out) {
  WorkShape w;
  if (l.outer == 0) {
    w.d0 = std::max(in[0], out[0]);
    w.d1 = l.lengths[1];
  } else {
    w.d1 = std::max(in[1], out[1]);
  }
  w.strides = {w.d1 * l.pitch, l.pitch, 1};
  w.reals = checked_mul(checked_mul(w.d0, w.d1, "fft work rows"), l.pitch, "fft work size");
  return w;
}

// One pass of complex transforms down the columns of `planes` arrays of rows (row_stride complex
// values apart, `columns` per row), `block` columns at a time through a scratch array holding
// the block's columns one after the other (column c at c * length: contiguous transforms, see
// column_plan). Rows in_rows.. of the input are zero (not read); the pass writes back out_rows
// rows, row j from transform position (j + shift) mod length.
struct ColumnPass {
  std::size_t length = 1;
  std::size_t columns = 0;
  std::size_t row_stride = 0;
  std::size_t in_rows = 0;
  std::size_t out_rows = 0;
  std::size_t shift = 0;
  std::size_t planes = 1;
  std::size_t plane_stride = 0;
  std::size_t block = 1;
};

// Reals, interleaved complex: column c of row r is at 2 (r row_stride + c) in the rows, at
// 2 (c length + r) in the scratch block. The copies run row by row through the rows (each row's
// `width` values are contiguous there) and scatter into the block's columns.
template <class T>
void load_block(const T* src, const ColumnPass& c, std::size_t col, std::size_t width, T* scratch) {
  const std::size_t L = c.length;
  for (std::size_t r = 0; r < c.in_rows; ++r) {
    const T* from = src + 2 * (r * c.row_stride + col);
    T* to = scratch + 2 * r;
    for (std::size_t k = 0; k < width; ++k) {
      to[2 * k * L] = from[2 * k];
      to[2 * k * L + 1] = from[2 * k + 1];
    }
  }
  for (std::size_t k = 0; k < width; ++k)  // the rows past the input
    std::fill(scratch + 2 * (k * L + c.in_rows), scratch + 2 * (k + 1) * L, T(0));
  std::fill(scratch + 2 * width * L, scratch + 2 * c.block * L, T(0));  // columns past the last
}

template <class T>
void store_block(const T* scratch, const ColumnPass& c, std::size_t col, std::size_t width,
                 T* dst) {
  const std::size_t L = c.length;
  for (std::size_t j = 0; j < c.out_rows; ++j) {
    const T* from = scratch + 2 * ((j + c.shift) % L);
    T* to = dst + 2 * (j * c.row_stride + col);
    for (std::size_t k = 0; k < width; ++k) {
      to[2 * k] = from[2 * k * L];
      to[2 * k + 1] = from[2 * k * L + 1];
    }
  }
}

// At least `slots` scratch arrays (one per thread that may run) of at least `reals` each: grown
// before any thread starts (an allocation failure then throws with nothing running).
template <class T>
void grow_scratch(std::vector<AlignedBuffer<T>>& scratch, std::size_t slots, std::size_t reals) {
  for (std::size_t i = 0; i < std::max<std::size_t>(slots, 1); ++i) {
    if (i == scratch.size()) scratch.emplace_back(reals);
    if (scratch[i].size() < reals) scratch[i] = AlignedBuffer<T>(reals);
  }
}

// Runs step(data of the plane, block index, first column, width, scratch) for every block of
// every plane, split over `threads` threads, each with its own scratch array of
// scratch_blocks blocks from `scratch` (grown here, before any thread starts, if a workspace was
// not prepared for it: an allocation failure then throws with nothing running).
template <class T, class Step>
void for_each_block(T* data, const ColumnPass& c, int threads,
                    std::vector<AlignedBuffer<T>>& scratch, Step&& step,
                    std::size_t scratch_blocks = 1) {
  const std::size_t blocks = (c.columns + c.block - 1) / c.block;
  const std::size_t items = c.planes * blocks;
  grow_scratch(scratch, std::min<std::size_t>(static_cast<std::size_t>(threads), items),
               2 * c.length * c.block * scratch_blocks);
  parallel_for(items, threads, [&](std::size_t chunk, std::size_t begin, std::size_t end) {
    for (std::size_t i = begin; i < end; ++i) {
      const std::size_t plane = i / blocks, b = i % blocks;
      const std::size_t col = b * c.block;
      step(data + 2 * plane * c.plane_stride, b, col, std::min(c.block, c.columns - col),
           scratch[chunk].data());
    }
  });
}

// A column pass that only transforms: load, transform, store back into the same array.
template <class T>
void transform_columns(T* data, const ColumnPass& c, const fft::Plan& plan, int threads,
                       std::vector<AlignedBuffer<T>>& scratch_arrays) {
  for_each_block(data, c, threads, scratch_arrays,
                 [&](T* plane, std::size_t, std::size_t col, std::size_t width, T* scratch) {
                   load_block(plane, c, col, width, scratch);
                   fft::execute(plan, scratch);
                   store_block(scratch, c, col, width, plane);
                 });
}

// The stored form of a kernel block's spectrum: the 1/N of the unnormalized inverse folded in
// (pocketfft's explicit scale) and conjugated for correlation (conj(G) is the spectrum of the
// flipped kernel, so nothing is flipped in space). `to` may be `from`.
template <class T>
void finish_spectrum(const T* from, T* to, std::size_t complex_count, T scale, T sign) {
  for (std::size_t i = 0; i < complex_count; ++i) {
    to[2 * i] = from[2 * i] * scale;
    to[2 * i + 1] = from[2 * i + 1] * sign * scale;
  }
}

// x *= g, over interleaved complex values.
template <class T>
void multiply_spectra(T* __restrict x, const T* __restrict g, std::size_t complex_count) {
  for (std::size_t i = 0; i < complex_count; ++i) {
    const T a = x[2 * i], b = x[2 * i + 1], c = g[2 * i], d = g[2 * i + 1];
    x[2 * i] = a * c - b * d;
    x[2 * i + 1] = b * c + a * d;
  }
}

}  // namespace

FftLayout fft_layout(const Problem& p, std::size_t element_bytes) {
  FftLayout l;
  l.lengths = transform_lengths(p);
  for (int a = 0; a < 3; ++a)
    FFTCONV_CHECK(l.lengths[static_cast<std::size_t>(a)] <= static_cast<std::size_t>(INT_MAX),
                  invalid_argument, "transform length ", l.lengths[static_cast<std::size_t>(a)],
                  " in axis ", a - (3 - p.rank), " exceeds FFTW's limit ", INT_MAX);
  l.half = l.lengths[2] / 2 + 1;
  const std::size_t unit = row_alignment / element_bytes;
  l.pitch = checked_add(2 * l.half, unit - 1, "transform row size") / unit * unit;
  l.outer = l.lengths[0] > 1 ? 0 : 1;
  // The outer pass's columns: in 3-D whole planes (a row's padding, zeroed, included), else one
  // row's complex values.
  l.columns =
      l.outer == 0 ? checked_mul(l.lengths[1], l.pitch / 2, "transform plane size") : l.half;
  l.block = block_width(l.lengths[static_cast<std::size_t>(l.outer)], element_bytes);
  l.middle_block = block_width(l.lengths[1], element_bytes);
  l.blocks = (l.columns + l.block - 1) / l.block;
  l.spectrum_complex = checked_mul(checked_mul(l.blocks, l.block, "spectrum size"),
                                   l.lengths[static_cast<std::size_t>(l.outer)], "spectrum size");
  (void)checked_mul(2, l.spectrum_complex, "spectrum size");  // its reals fit too
  return l;
}

namespace {
// The positions the image fills per axis (its index maps' sizes, without building them).
Extents image_extents(const Problem& p) {
  return {image_rows(p, 0), image_rows(p, 1), image_rows(p, 2)};
}
Extents kernel_extents(const Problem& p, const FftLayout& l) {
  Extents e;
  for (std::size_t a = 0; a < 3; ++a)
    e[a] = std::min(p.axes[a].k, l.lengths[a]);
  return e;
}
Extents output_extents(const Problem& p) {
  return {p.axes[0].out, p.axes[1].out, p.axes[2].out};
}
// Reals of one thread's scratch array: a block of the outer pass, two when the kernel's
// spectrum is made there (a single-use kernel), a block of the 3-D middle pass, or, for the
// threads that transform rows, a row, whichever is larger.
std::size_t scratch_reals(const FftLayout& l, bool single_use, bool holds_row) {
  const std::size_t outer = 2 * l.lengths[static_cast<std::size_t>(l.outer)] * l.block;
  return std::max(
      {single_use ? 2 * outer : outer, 2 * l.lengths[1] * l.middle_block, holds_row ? l.pitch : 0});
}

// The threads that transform rows: at most one per row of the image, the output or the kernel
// (a 1-D problem is one row, however many threads the outer pass has).
std::size_t row_slots(const Problem& p, const FftLayout& l) {
  const Extents in = image_extents(p), out = output_extents(p), k = kernel_extents(p, l);
  const std::size_t rows = std::max({in[0] * in[1], out[0] * out[1], k[0] * k[1]});
  return std::min(static_cast<std::size_t>(threads_for(p, l)), std::max<std::size_t>(rows, 1));
}

// The threads that run at all: at most one per row transformed (row_slots) or per block of a
// column pass (the outer pass's blocks; in 3-D the middle pass's, per plane it transforms).
std::size_t thread_slots(const Problem& p, const FftLayout& l) {
  const Extents in = image_extents(p), out = output_extents(p), k = kernel_extents(p, l);
  std::size_t items = std::max(row_slots(p, l), l.blocks);
  if (l.outer == 0 && l.lengths[1] > 1) {
    const std::size_t middle_blocks = (l.pitch / 2 + l.middle_block - 1) / l.middle_block;
    items = std::max(items, std::max({in[0], out[0], k[0]}) * middle_blocks);
  }
  return std::min(static_cast<std::size_t>(threads_for(p, l)), std::max<std::size_t>(items, 1));
}

// Reals of every thread's scratch array together (what FftKernel::reserve allocates).
std::size_t scratch_total(const Problem& p, const FftLayout& l) {
  const std::size_t with_row = row_slots(p, l);
  const std::size_t others = thread_slots(p, l) - with_row;
  return checked_add(
      checked_mul(scratch_reals(l, p.single_use, true), with_row, "fft scratch size"),
      checked_mul(scratch_reals(l, p.single_use, false), others, "fft scratch size"),
      "fft scratch size");
}
}  // namespace

std::size_t fft_working_bytes(const Problem& p, std::size_t element_bytes) {
  // A Filter: the kernel's spectrum, and the larger of the kernel's work array (while it is
  // prepared) and the image's (during apply). A single-use kernel: its transformed rows, kept
  // during apply, and the image's work array. Then every thread's scratch array and the image
  // index maps (one ptrdiff_t per buffer position and axis).
  const FftLayout l = fft_layout(p, element_bytes);
  const Extents k = kernel_extents(p, l);
  const std::size_t image_work = work_shape(l, image_extents(p), output_extents(p)).reals;
  const std::size_t kernel_work = work_shape(l, k, k).reals;
  const std::size_t scratch = scratch_total(p, l);
  std::size_t reals = p.single_use
                          ? checked_add(kernel_work, image_work, "fft working memory")
                          : checked_add(2 * l.spectrum_complex, std::max(image_work, kernel_work),
                                        "fft working memory");
  reals = checked_add(reals, scratch, "fft working memory");
  std::size_t map_entries = 0;
  for (std::size_t a = 0; a < 3; ++a)
    map_entries = checked_add(map_entries, l.lengths[a], "fft index maps");
  return checked_add(checked_mul(element_bytes, reals, "fft working memory in bytes"),
                     checked_mul(map_entries, sizeof(std::ptrdiff_t), "fft index maps"),
                     "fft working memory in bytes");
}

namespace {

// The 3-D middle axis's pass over the first `planes` planes of the work array: `in_rows` rows
// read, `out_rows` written back from circular position (j + shift) mod P1.
ColumnPass middle_pass(const FftLayout& l, const WorkShape& w, std::size_t planes,
                       std::size_t in_rows, std::size_t out_rows, std::size_t shift) {
  ColumnPass c;
  c.length = l.lengths[1];
  c.columns = l.pitch / 2;
  c.row_stride = l.pitch / 2;
  c.in_rows = in_rows;
  c.out_rows = out_rows;
  c.shift = shift;
  c.planes = planes;
  c.plane_stride = w.strides[0] / 2;
  c.block = l.middle_block;
  return c;
}

// The forward transforms up to the outer axis: real rows (those holding data, zero-padded to
// the row length) into the work array's rows (out of place, from a row of the thread's scratch
// array), then in 3-D the middle axis of every plane holding data. Each row is first filled by
// load(i0, i1, row of the work array, scratch row) (the scratch row's first min(in[2], P2)
// values), on the thread that transforms it: the copy is split over the threads and the row is
// still in cache.
template <class T, class Load>
void forward_rows_and_middle(T* work, const WorkShape& w, const FftLayout& l, const Extents& in,
                             const fft::Plan& rows, const fft::Plan* middle, int threads,
                             std::vector<AlignedBuffer<T>>& scratch, Load&& load) {
  const std::size_t P2 = l.lengths[2];
  const std::size_t count = in[0] * in[1];
  grow_scratch(scratch, std::min<std::size_t>(static_cast<std::size_t>(threads), count), l.pitch);
  parallel_for(count, threads, [&](std::size_t slot, std::size_t begin, std::size_t end) {
    T* real = scratch[slot].data();
    for (std::size_t r = begin; r < end; ++r) {
      T* row = work + (r / in[1]) * w.strides[0] + (r % in[1]) * w.strides[1];
      load(r / in[1], r % in[1], static_cast<const T*>(row), real);
      std::fill(real + std::min(in[2], P2), real + P2, T(0));
      fft::execute(rows, real, row);
      std::fill(row + 2 * l.half, row + l.pitch, T(0));  // (3-D column blocks read the padding)
    }
  });
  if (middle == nullptr) return;
  transform_columns(work, middle_pass(l, w, in[0], in[1], l.lengths[1], 0), *middle, threads,
                    scratch);
}

// The outer axis's pass, reading the work array's first `in_rows` outer positions.
ColumnPass outer_pass(const FftLayout& l, const WorkShape& w, std::size_t in_rows) {
  ColumnPass c;
  c.length = l.lengths[static_cast<std::size_t>(l.outer)];
  c.columns = l.columns;
  c.row_stride = w.strides[static_cast<std::size_t>(l.outer)] / 2;
  c.in_rows = in_rows;
  c.block = l.block;
  return c;
}

// 1 / N: the unnormalized inverse's scale, folded into the spectrum.
template <class T>
T spectrum_scale(const FftLayout& l) {
  return static_cast<T>(1.0 /
                        (static_cast<double>(l.lengths[0]) * static_cast<double>(l.lengths[1]) *
                         static_cast<double>(l.lengths[2])));
}

}  // namespace

template <class T>
FftKernel<T>::FftKernel(const Problem& p, const ConstView<T>& kernel)
    : p_(p),
      layout_(fft_layout(p, sizeof(T))),
      geometry_(fft_geometry(p)),
      spectrum_(p.single_use ? 0 : 2 * layout_.spectrum_complex) {
  const FftLayout& l = layout_;
  const std::size_t P_outer = l.lengths[static_cast<std::size_t>(l.outer)];
  // Plans are made on buffers of their own before anything is filled (planning may overwrite
  // its array); apply runs them on its rows and scratch blocks, from the same allocator.
  {
    AlignedBuffer<T> real(l.pitch), row(l.pitch);
    const int n = static_cast<int>(l.lengths[2]);
    // Rows are split over our threads; a 1-D problem is one row, which FFTW threads itself.
    const int row_threads = l.lengths[0] == 1 && l.lengths[1] == 1 ? threads_for(p, l) : 1;
    row_forward_ = fft::row_plan<T>(fft::Direction::forward, n, real.data(), row.data(), p.planning,
                                    row_threads);
    row_inverse_ = fft::row_plan<T>(fft::Direction::inverse, n, real.data(), row.data(), p.planning,
                                    row_threads);
    AlignedBuffer<T> scratch(2 * std::max(P_outer * l.block, l.lengths[1] * l.middle_block));
    const int B = static_cast<int>(l.block);
    if (P_outer > 1) {
      outer_forward_ = fft::column_plan<T>(fft::Direction::forward, static_cast<int>(P_outer), B,
                                           scratch.data(), p.planning);
      outer_inverse_ = fft::column_plan<T>(fft::Direction::inverse, static_cast<int>(P_outer), B,
                                           scratch.data(), p.planning);
    }
    if (l.outer == 0 && l.lengths[1] > 1) {
      const int P1 = static_cast<int>(l.lengths[1]);
      const int Bm = static_cast<int>(l.middle_block);
      middle_forward_ =
          fft::column_plan<T>(fft::Direction::forward, P1, Bm, scratch.data(), p.planning);
      middle_inverse_ =
          fft::column_plan<T>(fft::Direction::inverse, P1, Bm, scratch.data(), p.planning);
    }
  }
  const int threads = threads_for(p, l);
  const Extents in = kernel_extents(p, l);
  const WorkShape w = work_shape(l, in, in);
  AlignedBuffer<T> work(w.reals);
  std::memset(work.data(), 0, w.reals * sizeof(T));
  fold_into(kernel, work.data(), w.strides, l.lengths);
  std::vector<AlignedBuffer<T>> scratch_arrays;
  forward_rows_and_middle(work.data(), w, l, in, *row_forward_, middle_forward_.get(), threads,
                          scratch_arrays,
                          [&](std::size_t, std::size_t, const T* row, T* real) {  // (folded above)
                            std::copy(row, row + std::min(in[2], l.lengths[2]), real);
                          });
  if (p.single_use) {  // apply finishes the kernel's transform block by block
    kernel_rows_ = std::move(work);
    return;
  }
  // The outer pass writes the spectrum block by block (finish_spectrum).
  const ColumnPass c = outer_pass(l, w, in[static_cast<std::size_t>(l.outer)]);
  const std::size_t block_complex = P_outer * l.block;
  const T scale = spectrum_scale<T>(l), sign = p.correlate ? T(-1) : T(1);
  for_each_block(work.data(), c, threads, scratch_arrays,
                 [&](T* data, std::size_t b, std::size_t col, std::size_t width, T* scratch) {
                   load_block(data, c, col, width, scratch);
                   if (outer_forward_) fft::execute(*outer_forward_, scratch);
                   finish_spectrum(scratch, spectrum_.data() + 2 * b * block_complex, block_complex,
                                   scale, sign);
                 });
}

template <class T>
double FftKernel<T>::spectrum_max() const {
  FFTCONV_CHECK(!p_.single_use, internal, "spectrum_max of a single-use kernel");
  const std::array<std::size_t, 3>& P = layout_.lengths;
  const double n =
      static_cast<double>(P[0]) * static_cast<double>(P[1]) * static_cast<double>(P[2]);
  const T* g = spectrum_.data();
  double most = 0;  // (the block padding holds zeros)
  for (std::size_t i = 0; i < layout_.spectrum_complex; ++i)
    most = std::max(most,
                    std::hypot(static_cast<double>(g[2 * i]), static_cast<double>(g[2 * i + 1])));
  return most * n;  // the stored spectrum has the 1/N folded in
}

template <class T>
void FftKernel<T>::apply(const ConstView<T>& image, const View<T>& out, T fill) const {
  Workspace workspace;
  apply(image, out, fill, workspace);
}

template <class T>
void FftKernel<T>::reserve(Workspace& ws) const {
  const FftLayout& l = layout_;
  const WorkShape w = work_shape(l, image_extents(p_), output_extents(p_));
  if (ws.work.size() < w.reals) ws.work = AlignedBuffer<T>(w.reals);
  // One array per thread that runs (scratch_total), the first row_slots of them holding a row
  // too (grown first, so that none is allocated twice).
  grow_scratch(ws.scratch, row_slots(p_, l), scratch_reals(l, p_.single_use, true));
  grow_scratch(ws.scratch, thread_slots(p_, l), scratch_reals(l, p_.single_use, false));
}

template <class T>
void FftKernel<T>::apply(const ConstView<T>& image, const View<T>& out, T fill,
                         Workspace& ws) const {
  reserve(ws);  // everything allocated before anything is written
  const FftLayout& l = layout_;
  const int threads = threads_for(p_, l);
  const Extents in = image_extents(p_);
  const Extents outn = output_extents(p_);
  const WorkShape w = work_shape(l, in, outn);
  AlignedBuffer<T>& work = ws.work;
  const auto& maps = geometry_.image_maps;  // (in[a] positions each)
  const MapRun row_map{maps[2].data(), maps[2].size()};
  const LastAxisRun run = last_axis_run(row_map);
  const auto load_row = [&](std::size_t i0, std::size_t i1, const T*, T* real) {
    extend_into(image, {MapRun{maps[0].data() + i0, 1}, MapRun{maps[1].data() + i1, 1}, row_map},
                run, fill, real, w.strides);
  };
  forward_rows_and_middle(work.data(), w, l, in, *row_forward_, middle_forward_.get(), threads,
                          ws.scratch, load_row);

  // The outer axis: forward, product, inverse, block by block; the output's rows written back in
  // output order (row j from circular position j + shift).
  const std::size_t outer = static_cast<std::size_t>(l.outer);
  ColumnPass c = outer_pass(l, w, in[outer]);
  c.out_rows = outn[outer];
  c.shift = geometry_.shifts[outer];
  const std::size_t block_complex = c.length * l.block;
  // A single-use kernel's spectrum is made here, block by block, from its transformed rows.
  const bool streamed = spectrum_.size() == 0;
  ColumnPass kc;
  if (streamed) {
    const Extents k = kernel_extents(p_, l);
    kc = outer_pass(l, work_shape(l, k, k), k[outer]);
  }
  const T scale = spectrum_scale<T>(l), sign = p_.correlate ? T(-1) : T(1);
  for_each_block(
      work.data(), c, threads, ws.scratch,
      [&](T* data, std::size_t b, std::size_t col, std::size_t width, T* scratch) {
        load_block(data, c, col, width, scratch);
        if (outer_forward_) fft::execute(*outer_forward_, scratch);
        const T* g = spectrum_.data() + 2 * b * block_complex;
        if (streamed) {
          T* kernel_block = scratch + 2 * block_complex;
          load_block(kernel_rows_.data(), kc, col, width, kernel_block);
          if (outer_forward_) fft::execute(*outer_forward_, kernel_block);
          finish_spectrum(kernel_block, kernel_block, block_complex, scale, sign);
          g = kernel_block;
        }
        multiply_spectra(scratch, g, block_complex);
        if (outer_inverse_) fft::execute(*outer_inverse_, scratch);
        store_block(scratch, c, col, width, data);
      },
      streamed ? 2 : 1);

  if (middle_inverse_) {  // the planes of the output, their rows written back in output order
    transform_columns(work.data(),
                      middle_pass(l, w, outn[0], l.lengths[1], outn[1], geometry_.shifts[1]),
                      *middle_inverse_, threads, ws.scratch);
  }

  // The last axis: the inverse of the output's rows only, each cropped as it is done. Output
  // index j comes from circular index (j + shift) mod P; along the row that is at most two
  // contiguous runs.
  const std::size_t P2 = l.lengths[2], shift2 = geometry_.shifts[2];
  const std::size_t n2 = outn[2];
  const std::size_t first_run = std::min(n2, P2 - shift2);
  parallel_for(
      outn[0] * outn[1], threads, [&](std::size_t slot, std::size_t begin, std::size_t end) {
        T* real = ws.scratch[slot].data();  // (reserve: one per thread, at least a row)
        for (std::size_t r = begin; r < end; ++r) {
          const std::size_t i0 = r / outn[1], i1 = r % outn[1];
          fft::execute(*row_inverse_, real, work.data() + i0 * w.strides[0] + i1 * w.strides[1]);
          T* to = row_start(out, i0, i1);
          store_row(real + shift2, first_run, to, out.stride(2));
          if (n2 > first_run)  // (no pointer past the row is formed when there is no second run)
            store_row(real, n2 - first_run,
                      to + static_cast<std::ptrdiff_t>(first_run) * out.stride(2), out.stride(2));
        }
      });
}

template class FftKernel<float>;
template class FftKernel<double>;

}  // namespace fftconv::detail
