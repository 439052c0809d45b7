// Richardson-Lucy and Landweber: each iteration is the blur H and the back-projection B
// (blur_operator.hpp: two prepared pipelines, the PSF prepared once) and element-wise work on
// dense arrays over the reconstruction domain (grid_arrays.hpp).
#include "deconvolution/iterations.hpp"

#include <algorithm>
#include <cmath>
#include <limits>
#include <utility>
#include <vector>

#include "deconvolution/blur_operator.hpp"
#include "deconvolution/grid_arrays.hpp"
#include "deconvolution/total_variation.hpp"
#include "fft/memory.hpp"
#include "util/check.hpp"
#include "util/checked_math.hpp"

namespace fftconv::detail {

namespace {

// scikit-image's guard against 0 / 0 in the ratio data / blur.
constexpr double blur_epsilon = 1e-12;

// Object pixels whose normalization w is below this fraction of its largest value see (almost)
// no data: they are fixed to 0 rather than divided by noise.
constexpr double weight_floor = 1e-6;

// Bytes of `count` domain-or-image arrays of T, with overflow refused.
std::size_t array_bytes(std::size_t elements, std::size_t count, std::size_t element_size) {
  return checked_mul(checked_mul(elements, count, "the iterations' arrays"), element_size,
                     "the iterations' arrays");
}

// The operator pair within what `buffer_bytes` leaves of `limit` (out_of_memory otherwise).
template <class T>
BlurSetup blur_setup(DeconvolutionEdges edges, bool skimage, int threads, Planning planning,
                     Method method, std::size_t limit, std::size_t buffer_bytes, const char* what) {
  FFTCONV_CHECK(buffer_bytes <= limit, out_of_memory, what, ": the iterations' arrays need ",
                buffer_bytes, " bytes, over max_memory_bytes = ", limit);
  BlurSetup s;
  s.edges = edges;
  s.skimage_back_projection = skimage;
  s.threads = threads;
  s.planning = planning;
  s.method = method;
  s.max_memory_bytes = limit - buffer_bytes;
  return s;
}

// The mean of the data over its good pixels (0 if none).
template <class T>
double good_mean(const AlignedBuffer<T>& data, const std::vector<unsigned char>& bad) {
  double s = 0;
  std::size_t n = 0;
  for (std::size_t i = 0; i < data.size(); ++i)
    if (bad.empty() || !bad[i]) {
      s += static_cast<double>(data[i]);
      ++n;
    }
  return n ? s / static_cast<double>(n) : 0.0;
}

// The data, dense, with the masked pixels (whose values the iterations never read) set to the
// mean of the others: 0 is as good for RL, Landweber starts from these values.
template <class T>
AlignedBuffer<T> dense_data(const ConstView<T>& image, const std::vector<unsigned char>& bad) {
  const Grid g = grid_of(image.shape());
  AlignedBuffer<T> data(g.size());
  embed(image, g, {0, 0, 0}, data.data());
  const T mean = static_cast<T>(good_mean(data, bad));
  for (std::size_t i = 0; i < bad.size(); ++i)
    if (bad[i]) data[i] = mean;
  return data;
}

// The start: `out` on entry, or the constant `value`, over the domain (beyond the image: the
// nearest image pixel's value).
template <class T>
void start(const BlurOperator<T>& op, const View<T>& out, bool from_out, T value, T* f) {
  if (from_out)
    embed(ConstView<T>(out), op.domain(), op.offset(), f);
  else
    std::fill(f, f + op.domain().size(), value);
}

// w = B(M) / sum(psf) over the domain, with M the good image pixels (extended), or
// 1 - B(bad) / sum(psf) (zero, periodic: the outside counts as good, so that no mask gives
// w = 1); pixels with w below weight_floor of its maximum set to 0. `scratch` image-shaped.
template <class T>
void normalization(const BlurOperator<T>& op, const std::vector<unsigned char>& bad,
                   long double psf_sum, bool extended, T* scratch, T* w) {
  const std::size_t S = op.image().size(), D = op.domain().size();
  for (std::size_t i = 0; i < S; ++i) {
    const bool is_bad = !bad.empty() && bad[i];
    scratch[i] = extended ? T(is_bad ? 0 : 1) : T(is_bad ? 1 : 0);
  }
  op.back_project(scratch, w);
  const double scale = 1.0 / static_cast<double>(psf_sum);
  double most = 0;
  for (std::size_t i = 0; i < D; ++i) {
    const double v = static_cast<double>(w[i]) * scale;
    w[i] = static_cast<T>(extended ? v : 1 - v);
    most = std::max(most, static_cast<double>(w[i]));
  }
  for (std::size_t i = 0; i < D; ++i)
    if (!(static_cast<double>(w[i]) > weight_floor * most)) w[i] = 0;
}

// ||a - b||^2 and ||b||^2 over n elements.
template <class T>
std::pair<double, double> change_norms(const T* a, const T* b, std::size_t n, int threads) {
  const double d = sum_ranges(n, threads, [&](std::size_t begin, std::size_t end) {
    double s = 0;
    for (std::size_t i = begin; i < end; ++i) {
      const double x = static_cast<double>(a[i]) - static_cast<double>(b[i]);
      s += x * x;
    }
    return s;
  });
  const double m = sum_ranges(n, threads, [&](std::size_t begin, std::size_t end) {
    double s = 0;
    for (std::size_t i = begin; i < end; ++i)
      s += static_cast<double>(b[i]) * static_cast<double>(b[i]);
    return s;
  });
  return {d, m};
}

double relative(const std::pair<double, double>& norms) {
  return norms.second > 0 ? std::sqrt(norms.first / norms.second) : 0.0;
}

// <a, b> over n elements.
template <class T>
double dot(const T* a, const T* b, std::size_t n, int threads) {
  return sum_ranges(n, threads, [&](std::size_t begin, std::size_t end) {
    double s = 0;
    for (std::size_t i = begin; i < end; ++i)
      s += static_cast<double>(a[i]) * static_cast<double>(b[i]);
    return s;
  });
}

}  // namespace

template <class T>
void run_richardson_lucy(const ConstView<T>& image, const ConstView<T>& psf, long double psf_sum,
                         const View<T>& out, const RichardsonLucyOptions& o, const char* what) {
  const bool extended = o.edges == DeconvolutionEdges::extended;
  const bool accelerated = o.acceleration == Acceleration::biggs_andrews;
  const std::vector<unsigned char> bad = mask_flags(o.mask);
  const bool weighted = extended || !bad.empty();
  const std::size_t S = element_count(image.shape());
  const std::size_t D = element_count(deconvolution_domain(image.shape(), psf.shape(), o.edges));
  // f, b (and w; x_prev, y, g1, g2) over the domain; the data and the blur over the image.
  const std::size_t domain_arrays = 2 + (weighted ? 1 : 0) + (accelerated ? 4 : 0);
  const std::size_t buffer_bytes =
      checked_add(array_bytes(D, domain_arrays, sizeof(T)),
                  checked_add(array_bytes(S, 2, sizeof(T)), bad.size(), what), what);
  const int threads = usable_threads(o.threads);
  const BlurOperator<T> op(
      psf, image.shape(),
      blur_setup<T>(o.edges, o.edges == DeconvolutionEdges::zero, o.threads, o.planning, o.method,
                    o.max_memory_bytes, buffer_bytes, what),
      what);
  const AlignedBuffer<T> data = dense_data(image, bad);
  AlignedBuffer<T> f(D), b(D), blurred(S), w(weighted ? D : 0);
  AlignedBuffer<T> x_prev(accelerated ? D : 0), y(accelerated ? D : 0);
  AlignedBuffer<T> g1(accelerated ? D : 0), g2(accelerated ? D : 0);
  if (weighted) normalization(op, bad, psf_sum, extended, blurred.data(), w.data());
  start(op, out, o.start_from_out, T(0.5), f.data());
  if (accelerated) std::copy(f.data(), f.data() + D, x_prev.data());
  if (weighted)  // (pixels without data stay 0)
    for (std::size_t i = 0; i < D; ++i)
      if (w[i] == 0) f[i] = 0;

  const T eps = static_cast<T>(blur_epsilon);
  const T filter = static_cast<T>(o.filter_epsilon);
  const double floor = 1e-7 * good_mean(data, bad);
  const Grid& grid = op.domain();
  // One RL step psi(from) into b: b = from * B(M g / (H from + eps)) / w / tv. (Negative
  // rounding noise of the convolutions is clamped away here, in the loops that read them.)
  const bool plain_ratio = bad.empty() && o.filter_epsilon == 0;
  const bool plain_update = !weighted && o.tv_regularization == 0;
  const auto step = [&](const T* from) {
    T* hb = blurred.data();
    op.blur(from, hb);
    for_ranges(S, threads, [&](std::size_t begin, std::size_t end) {
      if (plain_ratio) {  // (the common case, vectorized)
        for (std::size_t i = begin; i < end; ++i)
          hb[i] = data[i] / (std::max(hb[i], T(0)) + eps);
        return;
      }
      for (std::size_t i = begin; i < end; ++i) {
        const T c = std::max(hb[i], T(0)) + eps;
        hb[i] =
            (!bad.empty() && bad[i]) || (o.filter_epsilon != 0 && c < filter) ? T(0) : data[i] / c;
      }
    });
    op.back_project(hb, b.data());
    for_ranges(D, threads, [&](std::size_t begin, std::size_t end) {
      if (plain_update) {
        for (std::size_t i = begin; i < end; ++i)
          b[i] = std::max(from[i] * b[i], T(0));
        return;
      }
      for (std::size_t i = begin; i < end; ++i) {
        T v = std::max(from[i] * b[i], T(0));
        if (weighted) v = w[i] > 0 ? v / w[i] : T(0);
        if (o.tv_regularization != 0) {
          const std::array<std::size_t, 3> x{i / (grid.n[1] * grid.n[2]), i / grid.n[2] % grid.n[1],
                                             i % grid.n[2]};
          v = static_cast<T>(v / tv_divisor(from, grid, x, o.tv_regularization));
        }
        b[i] = v;
      }
    });
  };

  int history = 0;  // Biggs-Andrews: changes g1 (newest), g2 held
  for (int k = 1; k <= o.iterations; ++k) {
    const T* from = f.data();
    if (accelerated) {
      double alpha = 0;
      if (history >= 2) {
        alpha = dot(g1.data(), g2.data(), D, threads) /
                (dot(g2.data(), g2.data(), D, threads) + std::numeric_limits<double>::min());
        if (!(alpha > 0)) {  // negative (or NaN): no extrapolation, the history restarts
          alpha = 0;
          history = 1;
        }
        alpha = std::min(alpha, 1.0);
      }
      const T a = static_cast<T>(alpha);
      for_ranges(D, threads, [&](std::size_t begin, std::size_t end) {
        for (std::size_t i = begin; i < end; ++i) {
          const T p = f[i] + a * (f[i] - x_prev[i]);
          y[i] = std::max(p, std::min(f[i], static_cast<T>(floor)));
        }
      });
      from = y.data();
    }
    step(from);
    if (accelerated) {  // g2 <- g1 <- psi(y) - y; x_prev <- f
      for_ranges(D, threads, [&](std::size_t begin, std::size_t end) {
        for (std::size_t i = begin; i < end; ++i)
          g2[i] = b[i] - y[i];
      });
      std::swap(g1, g2);
      history = std::min(history + 1, 2);
    }
    const double change = o.progress ? relative(change_norms(b.data(), f.data(), D, threads)) : 0;
    if (accelerated) std::swap(x_prev, f);  // (x_prev = the old f; f's buffer is free)
    std::swap(f, b);
    if (o.progress && !o.progress(k, change)) break;
  }
  extract(f.data(), op.domain(), op.offset(), o.clip, out);
}

template <class T>
void run_landweber(const ConstView<T>& image, const ConstView<T>& psf, long double psf_sum,
                   const View<T>& out, const LandweberOptions& o, const char* what) {
  const std::vector<unsigned char> bad = mask_flags(o.mask);
  const std::size_t S = element_count(image.shape());
  const std::size_t D = element_count(deconvolution_domain(image.shape(), psf.shape(), o.edges));
  const std::size_t buffer_bytes =
      checked_add(array_bytes(D, 2, sizeof(T)),
                  checked_add(array_bytes(S, 2, sizeof(T)), bad.size(), what), what);
  const int threads = usable_threads(o.threads);
  const BlurOperator<T> op(psf, image.shape(),
                           blur_setup<T>(o.edges, false, o.threads, o.planning, o.method,
                                         o.max_memory_bytes, buffer_bytes, what),
                           what);
  const AlignedBuffer<T> data = dense_data(image, bad);
  const T step = static_cast<T>(o.alpha / static_cast<double>(psf_sum * psf_sum));
  AlignedBuffer<T> f(D), b(D), residual(S);
  if (o.start_from_out)
    start(op, out, true, T(0), f.data());
  else  // the data (its masked pixels at the mean of the others)
    embed(ConstView<T>(data.data(), image.shape()), op.domain(), op.offset(), f.data());
  for (int k = 1; k <= o.iterations; ++k) {
    op.blur(f.data(), residual.data());
    for_ranges(S, threads, [&](std::size_t begin, std::size_t end) {
      for (std::size_t i = begin; i < end; ++i)
        residual[i] = !bad.empty() && bad[i] ? T(0) : data[i] - residual[i];
    });
    op.back_project(residual.data(), b.data());
    for_ranges(D, threads, [&](std::size_t begin, std::size_t end) {
      for (std::size_t i = begin; i < end; ++i) {
        const T v = f[i] + step * b[i];
        b[i] = o.positivity ? std::max(v, T(0)) : v;
      }
    });
    const double change = o.progress ? relative(change_norms(b.data(), f.data(), D, threads)) : 0;
    std::swap(f, b);
    if (o.progress && !o.progress(k, change)) break;
  }
  extract(f.data(), op.domain(), op.offset(), o.clip, out);
}

template void run_richardson_lucy(const ConstView<float>&, const ConstView<float>&, long double,
                                  const View<float>&, const RichardsonLucyOptions&, const char*);
template void run_richardson_lucy(const ConstView<double>&, const ConstView<double>&, long double,
                                  const View<double>&, const RichardsonLucyOptions&, const char*);
template void run_landweber(const ConstView<float>&, const ConstView<float>&, long double,
                            const View<float>&, const LandweberOptions&, const char*);
template void run_landweber(const ConstView<double>&, const ConstView<double>&, long double,
                            const View<double>&, const LandweberOptions&, const char*);

}  // namespace fftconv::detail
