// Direct path. Every mode and both operations reduce to one kernel loop:
//   out[j] = sum_m E[j + m] * h[m]
// where E is the image extended once by the boundary rule so that the window needs no bounds
// checks (E[t] = ext(I)[t + start - (k - 1)]) and h is the kernel flipped for
// convolution, as given for correlation (correlate(I, g) = convolve(I, flip(g))).
//
// E is built band by band (see Bands below), never whole. The hot loop (OpenCV Filter2D style):
// for each output row, for each kernel row, for each non-zero tap, a contiguous multiply-add over
// a chunk of the row in vector registers (output_row.inc, compiled for SSE2, AVX2 and AVX-512 and
// picked at run time: simd.hpp). Each kernel row is summed into its own partial sums (kept in
// registers) before they are added to the output row, so the rounding error grows with k0*k1 + k2
// terms rather than with k0*k1*k2 (this matters in float).
#include "direct/direct_path.hpp"

#include <algorithm>
#include <new>
#include <optional>
#include <vector>

#include "direct/separable.hpp"
#include "direct/simd.hpp"
#include "fft/memory.hpp"
#include "stages/boundary_extension.hpp"
#include "util/check.hpp"
#include "util/checked_math.hpp"
#include "util/copy.hpp"
#include "util/parallel.hpp"

namespace fftconv::detail {

DirectLayout direct_layout(const Problem& p) {
  DirectLayout l;
  for (std::size_t a = 0; a < 3; ++a) {
    l.extent[a] = checked_add(p.axes[a].out, p.axes[a].k - 1, "extended image extent");
  }
  l.strides = {checked_mul(l.extent[1], l.extent[2], "extended image plane"), l.extent[2], 1};
  l.count = checked_mul(l.extent[0], l.strides[0], "extended image size");
  return l;
}

namespace {

// Output rows are computed in bands of consecutive rows along axis 1, within one plane of axis 0.
// A band's extended rows (k0 planes of rows + k1 - 1 rows) are built in a buffer of the thread
// that computes it, so the extended image never exists whole: no page faults for a large one,
// and its rows are still in cache when the taps read them. Extended rows shared by neighbouring
// bands are built once per band, so the extension costs (rows + k1 - 1) / rows times the image:
// bands are at least k1 rows (at most 2x) and 16 (at most 1.2x for small kernels).
struct Bands {
  std::size_t rows = 1;           ///< output rows per band (the last of a plane may have fewer)
  std::size_t per_plane = 0;      ///< bands per plane of axis 0
  std::size_t count = 0;          ///< bands in all
  std::size_t extended_rows = 0;  ///< rows + k1 - 1: the extended rows a band reads per plane
  std::size_t buffer = 0;  ///< elements of one band buffer: k0 planes of extended_rows rows of
                           ///< at most extent2 + k2 - 1 (the two edges of a row can overlap)
};

// `threads`: those the path wants to run (direct_threads_wanted); bands are cut for them.
Bands direct_bands(const Problem& p, std::size_t threads) {
  const Axis* ax = p.axes.data();
  Bands b;
  b.rows = std::max<std::size_t>(1, std::min(ax[1].out, std::max<std::size_t>(16, ax[1].k)));
  // Enough bands for every thread when the planes are few (a short image); the rows a band
  // holds change only how often edges are rebuilt, not any output's value.
  const std::size_t planes = ax[0].out;
  if (planes > 0 && planes * ((ax[1].out + b.rows - 1) / b.rows) < threads) {
    const std::size_t bands_per_plane = (threads + planes - 1) / planes;  // >= 1
    b.rows = std::max<std::size_t>(1, (ax[1].out + bands_per_plane - 1) / bands_per_plane);
  }
  b.per_plane = (ax[1].out + b.rows - 1) / b.rows;
  b.count = checked_mul(ax[0].out, b.per_plane, "direct bands");
  const std::size_t edges = checked_add(ax[2].out, 2 * (ax[2].k - 1), "band row length");
  b.extended_rows = checked_add(b.rows, ax[1].k - 1, "band rows");
  b.buffer =
      checked_mul(checked_mul(ax[0].k, b.extended_rows, "band buffer"), edges, "band buffer");
  return b;
}

// The threads the direct path wants for problem p: at most p.threads, and one per about a million
// multiply-adds (each thread costs tens of microseconds to start). `taps`: the kernel values
// summed per output (the listed taps: non-zero values, or a separable kernel's column taps).
std::size_t direct_threads_wanted(const Problem& p, std::size_t taps) {
  const Axis* ax = p.axes.data();
  const double work = static_cast<double>(ax[0].out) * static_cast<double>(ax[1].out) *
                      static_cast<double>(ax[2].out) *
                      static_cast<double>(std::max<std::size_t>(taps, 1));
  return static_cast<std::size_t>(
      std::min<double>(static_cast<double>(p.threads), std::max(1.0, work / 1e6)));
}

// The bands of problem p and the threads that run on them (at most one per band).
struct BandsAndThreads {
  Bands bands;
  std::size_t threads = 1;
};
BandsAndThreads direct_split(const Problem& p, std::size_t taps) {
  const std::size_t wanted = direct_threads_wanted(p, taps);
  BandsAndThreads s{direct_bands(p, wanted), 1};
  s.threads = std::max<std::size_t>(1, std::min(wanted, s.bands.count));
  return s;
}

// Separable kernels: a band's extended rows after the pass along them, per term (k0 planes of
// extended_rows rows of out2 values).
std::size_t separable_rows_elements(const Problem& p, const Bands& b) {
  return checked_mul(checked_mul(p.axes[0].k, b.extended_rows, "separable rows"), p.axes[2].out,
                     "separable rows");
}

// The outputs of a row that read only image values, taken in place: output x reads extended
// positions x .. x + k2 - 1 of the last axis, and extended position t is image position
// t + offset wherever that lies inside the image (every rule is the identity there). Outputs
// [begin, end) read only such positions; the others (the row's edges) read the band buffer.
struct Interior {
  std::size_t begin = 0, end = 0;
  std::ptrdiff_t offset = 0;
};

Interior row_interior(const Problem& p, std::ptrdiff_t image_stride) {
  const Axis& a = p.axes[2];
  Interior in;
  in.offset = static_cast<std::ptrdiff_t>(a.start) - static_cast<std::ptrdiff_t>(a.k - 1);
  if (image_stride != 1) return in;  // a strided row is copied whole
  const std::ptrdiff_t first = std::max<std::ptrdiff_t>(0, -in.offset);  // first inside
  const std::ptrdiff_t last_out = static_cast<std::ptrdiff_t>(a.n) - in.offset -
                                  static_cast<std::ptrdiff_t>(a.k);  // last output inside
  in.begin = std::min(static_cast<std::size_t>(first), a.out);
  in.end = last_out < static_cast<std::ptrdiff_t>(in.begin)
               ? in.begin
               : std::min(static_cast<std::size_t>(last_out) + 1, a.out);
  return in;
}

}  // namespace

double separable_row_passes(const Problem& p, std::size_t taps) {
  const Bands b = direct_split(p, taps).bands;
  return static_cast<double>(p.axes[0].k) * static_cast<double>(b.extended_rows) /
         static_cast<double>(b.rows);
}

template <class T>
AlignedBuffer<T> extended_image(const Problem& p, const ConstView<T>& image, T fill) {
  const DirectLayout layout = direct_layout(p);
  AlignedBuffer<T> extended(layout.count);
  extend_into(image, extension_maps(p), fill, extended.data(), layout.strides);
  return extended;
}

template AlignedBuffer<float> extended_image(const Problem&, const ConstView<float>&, float);
template AlignedBuffer<double> extended_image(const Problem&, const ConstView<double>&, double);

std::size_t direct_working_bytes(const Problem& p, std::size_t element_bytes,
                                 std::size_t separable_terms, std::size_t listed_taps) {
  const std::size_t taps = p.kernel_count();
  // the dense kernel, a copy of the image (made only for an in-place call) and a row of the fill
  // value, then per thread that runs one band buffer and one accumulator row
  const BandsAndThreads split = direct_split(p, listed_taps);
  const std::size_t threads = split.threads;
  const std::size_t image = p.image_count();
  const std::size_t fill_row = direct_layout(p).extent[2];
  std::size_t per_thread = checked_add(split.bands.buffer, p.axes[2].out, "direct working memory");

  per_thread = checked_add(per_thread,
                           checked_mul(separable_rows_elements(p, split.bands), separable_terms,
                                       "direct working memory"),
                           "direct working memory");
  std::size_t elements = checked_add(checked_add(checked_add(taps, image, "direct working memory"),
                                                 fill_row, "direct working memory"),
                                     checked_mul(per_thread, threads, "direct working memory"),
                                     "direct working memory");
  std::size_t bytes = checked_mul(elements, element_bytes, "direct working memory in bytes");
  // (Tap<double> is the larger tap: an upper bound for float too)
  bytes = checked_add(bytes, checked_mul(taps, sizeof(Tap<double>), "tap list"),
                      "direct working memory");
  // per kernel row: where its taps end and its two coordinates, and per thread its three
  // source pointers
  const std::size_t kernel_rows =
      p.axes[0].k * p.axes[1].k * std::max<std::size_t>(separable_terms, 1);
  bytes = checked_add(bytes, checked_mul(3 * kernel_rows, sizeof(std::size_t), "tap rows"),
                      "direct working memory");
  bytes =
      checked_add(bytes,
                  checked_mul(checked_mul(3 * kernel_rows, sizeof(const void*), "source pointers"),
                              threads, "source pointers"),
                  "direct working memory");
  return checked_add(bytes, extension_map_bytes(p), "direct working memory");
}

template <class T>
DirectKernel<T>::DirectKernel(const Problem& p, const ConstView<T>& kernel, std::size_t nonzero,
                              const SeparableFactors<T>* separable)
    : p_(p) {
  const std::size_t k0 = p.axes[0].k, k1 = p.axes[1].k, k2 = p.axes[2].k;
  // (Factored as the caller gave it, then flipped for convolution.)
  std::optional<SeparableFactors<T>> factors;
  if (separable) {
    factors = *separable;
    if (!p.correlate)
      for (SeparableTerm<T>& term : factors->terms) {
        std::reverse(term.row.begin(), term.row.end());
        std::reverse(term.column.begin(), term.column.end());
      }
  }
  const std::size_t terms = factors ? factors->rank() : 1;
  try {
    taps_.reserve(factors ? terms * k0 * k1 : nonzero);
    row_pass_.reserve(factors ? terms * k2 : 0);
    row_pass_ends_.reserve(terms);
    row_ends_.reserve(terms * k0 * k1);
    row_at_.reserve(terms * k0 * k1);
  } catch (const std::bad_alloc&) {
    fail(ErrorCode::out_of_memory, "could not allocate ",
         nonzero * sizeof(Tap<T>) + terms * k0 * k1 * 3 * sizeof(std::size_t),
         " bytes for the taps");
  }
  if (factors) {
    // Per term: the pass along the rows, and one listed row per non-zero column factor value,
    // reading that term's passed rows (plane term * k0 + a0 of the pass buffer).
    for (std::size_t i = 0; i < terms; ++i) {
      const SeparableTerm<T>& term = factors->terms[i];
      for (std::size_t b = 0; b < k2; ++b)
        if (term.row[b] != T(0)) row_pass_.push_back({b, term.row[b]});
      row_pass_ends_.push_back(row_pass_.size());
      for (std::size_t r = 0; r < k0 * k1; ++r) {
        if (term.column[r] == T(0)) continue;
        taps_.push_back({0, term.column[r]});
        row_ends_.push_back(taps_.size());
        row_at_.push_back({i * k0 + r / k1, r % k1});
      }
    }
    return;
  }
  AlignedBuffer<T> h(k0 * k1 * k2);  // dense, flipped for convolution
  place(p.correlate ? kernel : flipped(kernel), h.data(), {k1 * k2, k2, 1});
  for (std::size_t a0 = 0; a0 < k0; ++a0)
    for (std::size_t a1 = 0; a1 < k1; ++a1) {
      const T* row = h.data() + (a0 * k1 + a1) * k2;
      const std::size_t before = taps_.size();
      for (std::size_t b = 0; b < k2; ++b)
        if (row[b] != T(0)) taps_.push_back({b, row[b]});
      if (taps_.size() == before) continue;
      row_ends_.push_back(taps_.size());
      row_at_.push_back({a0, a1});
    }
}

template <class T>
void DirectKernel<T>::apply(const ConstView<T>& caller_image, const View<T>& out, T fill) const {
  const Axis* ax = p_.axes.data();
  // Bands read the image while earlier bands' outputs are written.
  AlignedBuffer<T> image_copy;
  const ConstView<T> image = unaliased(caller_image, out, image_copy);
  const BandsAndThreads split = direct_split(p_, taps_.size());
  const Bands& bands = split.bands;
  const auto maps = extension_maps(p_);
  const OutputRow<T> output_row = output_row_for<T>(simd_level());

  const std::size_t width = ax[2].out;
  // Every output row is computed the same way whichever thread runs it, so the result does not
  // depend on the thread count.
  const int threads = static_cast<int>(split.threads);
  // The row's edges come from band buffers holding extended positions [0, left) and
  // [interior.end, extent2) of the band's rows; the interior straight from the image, or from a
  // row of the fill value where the rule puts one.
  const Interior interior = row_interior(p_, image.stride(2));
  const std::size_t extent2 = maps[2].size();
  const std::size_t left = std::min(extent2, interior.begin + ax[2].k - 1);
  const std::size_t right = extent2 - interior.end;
  const DenseStrides edge_strides = {bands.extended_rows * (left + right), left + right, 1};
  const std::size_t rows_listed = row_at_.size();

  // All allocated before any output is written: per thread a band buffer, a row for strided
  // outputs, the listed kernel rows' sources (edges, then interior) and for separable kernels
  // the band's rows after the pass along them, per term; one row of fill values.
  const std::size_t terms = row_pass_ends_.size();  // (0 unless separable)
  const bool separable = terms > 0;
  const std::size_t pass_rows = terms * separable_rows_elements(p_, bands);
  const std::size_t pass_plane = bands.extended_rows * width;  // (in those rows)
  std::vector<AlignedBuffer<T>> buffers, accumulators, passed;
  std::vector<std::vector<const T*>> sources;
  for (int t = 0; t < threads; ++t) {
    buffers.emplace_back(bands.buffer);
    accumulators.emplace_back(out.stride(2) == 1 ? 0 : width);
    passed.emplace_back(pass_rows);
    sources.emplace_back(3 * std::max<std::size_t>(rows_listed, 1));
  }
  AlignedBuffer<T> fill_row(interior.end > interior.begin ? extent2 : 0);
  std::fill(fill_row.data(), fill_row.data() + fill_row.size(), fill);

  parallel_for(bands.count, threads, [&](std::size_t chunk, std::size_t begin, std::size_t end) {
    T* buffer = buffers[chunk].data();
    T* acc = accumulators[chunk].data();
    const T** left_src = sources[chunk].data();
    const T** right_src = left_src + rows_listed;
    const T** inner_src = right_src + rows_listed;
    for (std::size_t band = begin; band < end; ++band) {
      const std::size_t y0 = band / bands.per_plane;
      const std::size_t first = (band % bands.per_plane) * bands.rows;
      const std::size_t rows = std::min(bands.rows, ax[1].out - first);
      const MapRun planes{maps[0].data() + y0, ax[0].k};
      const MapRun band_rows{maps[1].data() + first, rows + ax[1].k - 1};
      extend_into(image, {planes, band_rows, MapRun{maps[2].data(), left}}, fill, buffer,
                  edge_strides);
      extend_into(image, {planes, band_rows, MapRun{maps[2].data() + interior.end, right}}, fill,
                  buffer + left, edge_strides);
      // Slot r of the sources: extended row j of plane a0 of the band (edges and interior).
      const auto point_at = [&](std::size_t r, std::size_t a0, std::size_t j) {
        left_src[r] = buffer + a0 * edge_strides[0] + j * edge_strides[1];
        right_src[r] = left_src[r] + left;           // extended position interior.end
        if (interior.end == interior.begin) return;  // (no interior: the pointer is not made)
        const std::ptrdiff_t i0 = maps[0][y0 + a0], i1 = maps[1][first + j];
        inner_src[r] = i0 < 0 || i1 < 0
                           ? fill_row.data() + interior.begin
                           : image.data() + i0 * image.stride(0) + i1 * image.stride(1) +
                                 (static_cast<std::ptrdiff_t>(interior.begin) + interior.offset);
      };
      // row[0, width) = the listed taps over the sources' slots, edges and interior.
      const auto filter_row = [&](const Tap<T>* taps, const std::size_t* ends, std::size_t count,
                                  T* row) {
        output_row(taps, ends, count, left_src, row, interior.begin);
        output_row(taps, ends, count, inner_src, row + interior.begin,
                   interior.end - interior.begin);
        output_row(taps, ends, count, right_src, row + interior.end, width - interior.end);
      };
      T* pass = separable ? passed[chunk].data() : nullptr;
      if (separable) {  // every row of the band along the rows, into `pass`, term by term
        for (std::size_t a0 = 0; a0 < ax[0].k; ++a0)
          for (std::size_t j = 0; j < rows + ax[1].k - 1; ++j) {
            point_at(0, a0, j);
            for (std::size_t i = 0; i < terms; ++i) {
              const std::size_t first_tap = i == 0 ? 0 : row_pass_ends_[i - 1];
              const std::size_t count = row_pass_ends_[i] - first_tap;  // (its only row)
              filter_row(row_pass_.data() + first_tap, &count, 1,
                         pass + (i * ax[0].k + a0) * pass_plane + j * width);
            }
          }
      }
      for (std::size_t i = 0; i < rows; ++i) {
        T* dst = row_start(out, y0, first + i);
        T* row = out.stride(2) == 1 ? dst : acc;
        if (separable) {  // across the rows: one tap per listed row, on the passed rows
          for (std::size_t r = 0; r < rows_listed; ++r)
            left_src[r] = pass + row_at_[r][0] * pass_plane + (i + row_at_[r][1]) * width;
          output_row(taps_.data(), row_ends_.data(), rows_listed, left_src, row, width);
        } else {
          for (std::size_t r = 0; r < rows_listed; ++r)
            point_at(r, row_at_[r][0], i + row_at_[r][1]);
          filter_row(taps_.data(), row_ends_.data(), rows_listed, row);
        }
        if (row == acc) store_row(acc, width, dst, out.stride(2));
      }
    }
  });
}

template class DirectKernel<float>;
template class DirectKernel<double>;

}  // namespace fftconv::detail
