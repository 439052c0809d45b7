#include "fft/fft_kernel.hpp"

#include <algorithm>
#include <array>
#include <cmath>
#include <cstring>

#include "fft/column_passes.hpp"
#include "stages/boundary_extension.hpp"
#include "util/check.hpp"
#include "util/copy.hpp"
#include "util/parallel.hpp"

namespace fftconv::detail {

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

// The stored form of a kernel block's spectrum: the 1/N of the unnormalized inverse folded in
// (pocketfft's explicit scale) and conjugated for correlation (conj(G) is the spectrum of the
// flipped kernel, so nothing is flipped in space): the real components times re_scale, the
// imaginary ones times im_scale (see kernel_scales). `to` may be `from`.
template <class T>
void finish_spectrum(const T* from, T* to, std::size_t complex_count, T re_scale, T im_scale) {
  for (std::size_t i = 0; i < complex_count; ++i) {
    to[2 * i] = from[2 * i] * re_scale;
    to[2 * i + 1] = from[2 * i + 1] * im_scale;
  }
}

// The scales finish_spectrum applies to a kernel part's spectrum G, 1/N folded in: G / N, or
// for correlation conj(G) / N; a complex kernel's imaginary part's D / N, or for correlation
// -conj(D) / N (the conjugate of the complex kernel C + iD is C - iD, so the product of the
// parts' spectra stays (A + iB)(C' + iD') for both operations).
template <class T>
std::array<T, 2> kernel_scales(const FftLayout& l, bool correlate, bool imaginary_part) {
  const T scale =
      static_cast<T>(1.0 / (static_cast<double>(l.lengths[0]) * static_cast<double>(l.lengths[1]) *
                            static_cast<double>(l.lengths[2])));
  const T sign = correlate ? T(-1) : T(1);
  return imaginary_part ? std::array<T, 2>{sign * scale, scale}
                        : std::array<T, 2>{scale, sign * scale};
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

// The spectral form's product (fft_kernel.hpp): x, y the image's parts' spectra (y unread for a
// real image), g, h the kernel's (h null for a real kernel); afterwards x and y hold the
// output's parts' spectra, x g - y h and x h + y g. An absent part's terms are left out, not
// multiplied by zero: a non-finite value in one part then reaches only the output parts it
// would reach in the four real convolutions.
template <class T>
void multiply_parts(T* __restrict x, T* __restrict y, const T* __restrict g, const T* __restrict h,
                    std::size_t complex_count, bool image_complex) {
  if (h == nullptr) {  // a complex image, a real kernel
    multiply_spectra(x, g, complex_count);
    multiply_spectra(y, g, complex_count);
    return;
  }
  if (!image_complex) {  // a real image, a complex kernel
    for (std::size_t i = 0; i < complex_count; ++i) {
      const T xr = x[2 * i], xi = x[2 * i + 1], hr = h[2 * i], hi = h[2 * i + 1];
      y[2 * i] = xr * hr - xi * hi;
      y[2 * i + 1] = xr * hi + xi * hr;
    }
    multiply_spectra(x, g, complex_count);
    return;
  }
  for (std::size_t i = 0; i < complex_count; ++i) {
    const T xr = x[2 * i], xi = x[2 * i + 1], gr = g[2 * i], gi = g[2 * i + 1];
    const T yr = y[2 * i], yi = y[2 * i + 1], hr = h[2 * i], hi = h[2 * i + 1];
    x[2 * i] = (xr * gr - xi * gi) - (yr * hr - yi * hi);
    x[2 * i + 1] = (xr * gi + xi * gr) - (yr * hi + yi * hr);
    y[2 * i] = (xr * hr - xi * hi) + (yr * gr - yi * gi);
    y[2 * i + 1] = (xr * hi + xi * hr) + (yr * gi + yi * gr);
  }
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

}  // namespace

template <class T>
FftKernel<T>::FftKernel(const Problem& p, const ConstView<T>& kernel, const ConstView<T>& kernel_im)
    : p_(p),
      layout_(fft_layout(p, sizeof(T))),
      geometry_(fft_geometry(p)),
      spectrum_(p.single_use ? 0 : 2 * layout_.spectrum_complex),
      spectrum_im_(p.kernel_parts > 1 ? 2 * layout_.spectrum_complex : 0) {
  FFTCONV_CHECK((p.kernel_parts > 1) == (kernel_im.data() != nullptr) &&
                    !(p.single_use && p.output_parts() > 1),
                internal, "the FFT path's kernel parts do not match its problem");
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
  transform_kernel(kernel, spectrum_, kernel_scales<T>(l, p.correlate, false));
  if (p.kernel_parts > 1)
    transform_kernel(kernel_im, spectrum_im_, kernel_scales<T>(l, p.correlate, true));
}

template <class T>
void FftKernel<T>::transform_kernel(const ConstView<T>& kernel, AlignedBuffer<T>& spectrum,
                                    const std::array<T, 2>& scales) {
  const FftLayout& l = layout_;
  const Problem& p = p_;
  const std::size_t P_outer = l.lengths[static_cast<std::size_t>(l.outer)];
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
  for_each_block(work.data(), c, threads, scratch_arrays,
                 [&](T* data, std::size_t b, std::size_t col, std::size_t width, T* scratch) {
                   load_block(data, c, col, width, scratch);
                   if (outer_forward_) fft::execute(*outer_forward_, scratch);
                   finish_spectrum(scratch, spectrum.data() + 2 * b * block_complex, block_complex,
                                   scales[0], scales[1]);
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
void FftKernel<T>::apply(const Parts<const T>& image, const Parts<T>& out, T fill) const {
  Workspace workspace;
  apply(image, out, fill, workspace);
}

template <class T>
void FftKernel<T>::reserve(Workspace& ws) const {
  const FftLayout& l = layout_;
  const WorkShape w = work_shape(l, image_extents(p_), output_extents(p_));
  if (ws.work.size() < w.reals) ws.work = AlignedBuffer<T>(w.reals);
  if (p_.output_parts() > 1 && ws.work_im.size() < w.reals) ws.work_im = AlignedBuffer<T>(w.reals);
  // One array per thread that runs (scratch_total), the first row_slots of them holding a row
  // too (grown first, so that none is allocated twice).
  grow_scratch(ws.scratch, row_slots(p_, l), scratch_reals(p_, l, true));
  grow_scratch(ws.scratch, thread_slots(p_, l), scratch_reals(p_, l, false));
}

template <class T>
void FftKernel<T>::apply(const ConstView<T>& image, const View<T>& out, T fill,
                         Workspace& ws) const {
  apply(Parts<const T>{image, ConstView<T>(), false}, Parts<T>{out, View<T>(), false}, fill, ws);
}

template <class T>
void FftKernel<T>::apply(const Parts<const T>& image, const Parts<T>& out, T fill,
                         Workspace& ws) const {
  const bool two = p_.output_parts() > 1;
  FFTCONV_CHECK(image.is_complex == (p_.image_parts > 1) && (out.im.data() != nullptr) == two,
                internal, "the FFT path's parts do not match its problem");
  reserve(ws);  // everything allocated before anything is written
  const FftLayout& l = layout_;
  const int threads = threads_for(p_, l);
  const Extents in = image_extents(p_);
  const Extents outn = output_extents(p_);
  const WorkShape w = work_shape(l, in, outn);
  T* const work = ws.work.data();
  T* const work_im = two ? ws.work_im.data() : nullptr;
  const auto& maps = geometry_.image_maps;  // (in[a] positions each)
  const MapRun row_map{maps[2].data(), maps[2].size()};
  const LastAxisRun run = last_axis_run(row_map);
  // An image part's rows into a work array (the imaginary part extended with 0: fill + 0i).
  const auto forward = [&](const ConstView<T>& part, T part_fill, T* to) {
    forward_rows_and_middle(
        to, w, l, in, *row_forward_, middle_forward_.get(), threads, ws.scratch,
        [&](std::size_t i0, std::size_t i1, const T*, T* real) {
          extend_into(part,
                      {MapRun{maps[0].data() + i0, 1}, MapRun{maps[1].data() + i1, 1}, row_map},
                      run, part_fill, real, w.strides);
        });
  };
  forward(image.re, fill, work);
  if (image.is_complex) forward(image.im, T(0), work_im);

  // The outer axis: forward, product, inverse, block by block; the output's rows written back in
  // output order (row j from circular position j + shift). Two parts: the second block of the
  // thread's scratch array holds the imaginary part's.
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
  const std::array<T, 2> scales = kernel_scales<T>(l, p_.correlate, false);
  for_each_block(
      work, c, threads, ws.scratch,
      [&](T* data, std::size_t b, std::size_t col, std::size_t width, T* scratch) {
        T* second = scratch + 2 * block_complex;
        load_block(data, c, col, width, scratch);
        if (outer_forward_) fft::execute(*outer_forward_, scratch);
        if (image.is_complex) {
          load_block(work_im + (data - work), c, col, width, second);
          if (outer_forward_) fft::execute(*outer_forward_, second);
        }
        const T* g = spectrum_.data() + 2 * b * block_complex;
        if (streamed) {
          load_block(kernel_rows_.data(), kc, col, width, second);
          if (outer_forward_) fft::execute(*outer_forward_, second);
          finish_spectrum(second, second, block_complex, scales[0], scales[1]);
          g = second;
        }
        if (two)
          multiply_parts(
              scratch, second, g,
              p_.kernel_parts > 1 ? spectrum_im_.data() + 2 * b * block_complex : nullptr,
              block_complex, image.is_complex);
        else
          multiply_spectra(scratch, g, block_complex);
        if (outer_inverse_) fft::execute(*outer_inverse_, scratch);
        store_block(scratch, c, col, width, data);
        if (two) {
          if (outer_inverse_) fft::execute(*outer_inverse_, second);
          store_block(second, c, col, width, work_im + (data - work));
        }
      },
      outer_blocks(p_));

  // Each output part: in 3-D the middle axis's inverse over the output's planes (their rows
  // written back in output order), then the last axis's inverse of the output's rows only, each
  // cropped as it is done. Output index j comes from circular index (j + shift) mod P; along
  // the row that is at most two contiguous runs.
  const std::size_t P2 = l.lengths[2], shift2 = geometry_.shifts[2];
  const std::size_t n2 = outn[2];
  const std::size_t first_run = std::min(n2, P2 - shift2);
  const auto inverse = [&](T* from, const View<T>& to_view) {
    if (middle_inverse_) {
      transform_columns(from,
                        middle_pass(l, w, outn[0], l.lengths[1], outn[1], geometry_.shifts[1]),
                        *middle_inverse_, threads, ws.scratch);
    }
    parallel_for(
        outn[0] * outn[1], threads, [&](std::size_t slot, std::size_t begin, std::size_t end) {
          T* real = ws.scratch[slot].data();  // (reserve: one per thread, at least a row)
          for (std::size_t r = begin; r < end; ++r) {
            const std::size_t i0 = r / outn[1], i1 = r % outn[1];
            fft::execute(*row_inverse_, real, from + i0 * w.strides[0] + i1 * w.strides[1]);
            T* to = row_start(to_view, i0, i1);
            store_row(real + shift2, first_run, to, to_view.stride(2));
            if (n2 > first_run)  // (no pointer past the row is formed without a second run)
              store_row(real, n2 - first_run,
                        to + static_cast<std::ptrdiff_t>(first_run) * to_view.stride(2),
                        to_view.stride(2));
          }
        });
  };
  inverse(work, out.re);
  if (two) inverse(work_im, out.im);
}

template class FftKernel<float>;
template class FftKernel<double>;

}  // namespace fftconv::detail
