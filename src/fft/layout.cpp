#include "fft/layout.hpp"

#include <algorithm>
#include <climits>

#include "fft/block_width.hpp"
#include "fft/geometry.hpp"
#include "util/check.hpp"
#include "util/checked_math.hpp"

namespace fftconv::detail {

std::size_t row_pitch(std::size_t half, std::size_t element_bytes) {
  // FFTW's new-array execute needs arrays as aligned (modulo 16 bytes: fftw_alignment_of) as the
  // ones planned on: rows a multiple of 16 bytes apart start as aligned as the array.
  constexpr std::size_t row_alignment = 16;
  const std::size_t unit = row_alignment / element_bytes;
  return checked_add(2 * half, unit - 1, "transform row size") / unit * unit;
}

int threads_for(double points, int threads) {
  return points >= 65536 ? threads : 1;
}

int threads_for(const Problem& p, const FftLayout& l) {
  return threads_for(static_cast<double>(l.lengths[0]) * static_cast<double>(l.lengths[1]) *
                         static_cast<double>(l.lengths[2]),
                     p.threads);
}

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

FftLayout fft_layout(const Problem& p, std::size_t element_bytes) {
  FftLayout l;
  l.lengths = transform_lengths(p);
  for (int a = 0; a < 3; ++a)
    FFTCONV_CHECK(l.lengths[static_cast<std::size_t>(a)] <= static_cast<std::size_t>(INT_MAX),
                  invalid_argument, "transform length ", l.lengths[static_cast<std::size_t>(a)],
                  " in axis ", a - (3 - p.rank), " exceeds FFTW's limit ", INT_MAX);
  l.half = l.lengths[2] / 2 + 1;
  l.pitch = row_pitch(l.half, element_bytes);
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

std::size_t outer_blocks(const Problem& p) {
  return p.single_use || p.output_parts() > 1 ? 2 : 1;
}

std::size_t scratch_reals(const Problem& p, const FftLayout& l, bool holds_row) {
  const std::size_t outer = 2 * l.lengths[static_cast<std::size_t>(l.outer)] * l.block;
  return std::max(
      {outer_blocks(p) * outer, 2 * l.lengths[1] * l.middle_block, holds_row ? l.pitch : 0});
}

std::size_t row_slots(const Problem& p, const FftLayout& l) {
  const Extents in = image_extents(p), out = output_extents(p), k = kernel_extents(p, l);
  const std::size_t rows = std::max({in[0] * in[1], out[0] * out[1], k[0] * k[1]});
  return std::min(static_cast<std::size_t>(threads_for(p, l)), std::max<std::size_t>(rows, 1));
}

std::size_t thread_slots(const Problem& p, const FftLayout& l) {
  const Extents in = image_extents(p), out = output_extents(p), k = kernel_extents(p, l);
  std::size_t items = std::max(row_slots(p, l), l.blocks);
  if (l.outer == 0 && l.lengths[1] > 1) {
    const std::size_t middle_blocks = (l.pitch / 2 + l.middle_block - 1) / l.middle_block;
    items = std::max(items, std::max({in[0], out[0], k[0]}) * middle_blocks);
  }
  return std::min(static_cast<std::size_t>(threads_for(p, l)), std::max<std::size_t>(items, 1));
}

namespace {
// Reals of every thread's scratch array together (what FftKernel::reserve allocates).
std::size_t scratch_total(const Problem& p, const FftLayout& l) {
  const std::size_t with_row = row_slots(p, l);
  const std::size_t others = thread_slots(p, l) - with_row;
  return checked_add(checked_mul(scratch_reals(p, l, true), with_row, "fft scratch size"),
                     checked_mul(scratch_reals(p, l, false), others, "fft scratch size"),
                     "fft scratch size");
}
}  // namespace

std::size_t fft_working_bytes(const Problem& p, std::size_t element_bytes) {
  // A Filter: the kernel's spectrum, and the larger of the kernel's work array (while it is
  // prepared) and the image's (during apply). A single-use kernel: its transformed rows, kept
  // during apply, and the image's work array. Then every thread's scratch array and the image
  // index maps (one ptrdiff_t per buffer position and axis). Complex data on the spectral path:
  // a spectrum per kernel part (transformed one after the other in one work array) and a work
  // array per output part.
  const FftLayout l = fft_layout(p, element_bytes);
  const Extents k = kernel_extents(p, l);
  const std::size_t image_work =
      checked_mul(work_shape(l, image_extents(p), output_extents(p)).reals,
                  static_cast<std::size_t>(p.output_parts()), "fft working memory");
  const std::size_t kernel_work = work_shape(l, k, k).reals;
  const std::size_t spectra = checked_mul(
      2 * l.spectrum_complex, static_cast<std::size_t>(p.kernel_parts), "fft working memory");
  const std::size_t scratch = scratch_total(p, l);
  std::size_t reals =
      p.single_use ? checked_add(kernel_work, image_work, "fft working memory")
                   : checked_add(spectra, std::max(image_work, kernel_work), "fft working memory");
  reals = checked_add(reals, scratch, "fft working memory");
  std::size_t map_entries = 0;
  for (std::size_t a = 0; a < 3; ++a)
    map_entries = checked_add(map_entries, l.lengths[a], "fft index maps");
  return checked_add(checked_mul(element_bytes, reals, "fft working memory in bytes"),
                     checked_mul(map_entries, sizeof(std::ptrdiff_t), "fft index maps"),
                     "fft working memory in bytes");
}

}  // namespace fftconv::detail
