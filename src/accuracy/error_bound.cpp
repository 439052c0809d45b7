// error_bound: an a-priori bound on the error of the method the options select.
//
// Direct path. Each output is a sum of products E[j+m] h[m]; each kernel row (k2 taps, t of them
// non-zero) is summed into its own partial sum, and the R rows with taps are then added in turn
// (direct_path.cpp). Every term therefore passes through at most t + R roundings (one for its
// product), and the standard bound for such a sum is (Higham, Accuracy and Stability, 3.1)
//   |error| <= gamma(t + R) * sum |terms|,   gamma(n) = n u / (1 - n u),
// with u the unit roundoff. We bound sum |terms| by S = its maximum over the outputs.
//
// FFT path. out = (1/N) IDFT(DFT(a) .* DFT(b)) with a the transformed buffer (the image, padded
// and extended by the boundary rule) and b the kernel, both of N points. A computed transform
// over a (of log2 N radix-2 stages, each with error eta ~ (4 sqrt2 + 1) u, Higham 24.1) is
// normwise accurate, ||dA||_2 <= log2(N) eta ||A||_2 with ||A||_2 = sqrt(N) ||a||_2 (Parseval),
// and each output of the inverse is a tree of log2 N stages over its N inputs, so its error is
// at most log2(N) eta (1/N) sum |P_k| <= log2(N) eta ||a||_2 ||b||_2 (Cauchy-Schwarz). With
// the same bound for the two forward transforms through Cauchy-Schwarz and a few u for the
// product and the folded 1/N, every output obeys
//   |error| <= (3 log2(N) eta + 4 u) ||a||_2 ||b||_2.
// FFTW's mixed-radix codelets (2, 3, 5, 7), its real-to-complex pre/post-processing stage per
// axis and its trigonometric tables are not covered by the radix-2 analysis; we use
// eta = 8 u per stage and count one extra stage per transformed axis:
//   |error| <= (24 (log2 N + d) + 4) u ||a||_2 ||b||_2.
// The tests check it on thousands of random and adversarial cases. It is a worst-case bound:
// on random data the error is a random sum over N spectral errors, which is about sqrt(N)
// times smaller (see README, "Accuracy").
#include <algorithm>
#include <cmath>
#include <limits>
#include <vector>

#include "core/filter_core.hpp"
#include "core/validate.hpp"
#include "direct/direct_path.hpp"
#include "direct/separable.hpp"
#include "fft/fft_kernel.hpp"
#include "fft/geometry.hpp"
#include "fft/overlap_save.hpp"
#include "fftconv/accuracy.hpp"
#include "stages/boundary_extension.hpp"
#include "stages/kernel_normalization.hpp"
#include "util/check.hpp"
#include "util/copy.hpp"
#include "util/rounding.hpp"

namespace fftconv {

namespace {

constexpr const char* bound_name = "fftconv::error_bound";

using detail::unit_roundoff;

double gamma(double n, double u) {
  return n * u < 1 ? n * u / (1 - n * u) : std::numeric_limits<double>::infinity();
}

/// What a bound needs to know of the data: the norms of the transformed buffer a and of the
/// kernel b, and the sizes.
struct Norms {
  double a2 = 0;     ///< ||a||_2, a the FFT path's transform buffer
  double a1 = 0;     ///< ||a||_1
  double a_max = 0;  ///< max |a|
  double b2 = 0;     ///< ||b||_2, b the kernel
  double b1 = 0;     ///< ||b||_1
  double b_hat = 0;  ///< max |DFT(b)| over the transform grid (<= ||b||_1)
};

template <class T>
bool all_finite(const ConstView<T>& v3) {
  bool finite = true;
  detail::for_each_element(v3, [&](T x) { finite = finite && std::isfinite(x); });
  return finite;
}

/// |v| as a dense double array of v's (canonical rank-3) shape.
template <class T>
std::vector<double> abs_dense(const ConstView<T>& v3) {
  return detail::dense_values<double>(v3, [](T x) { return std::fabs(static_cast<double>(x)); });
}

/// The depth of the direct path's summation: the most non-zero taps in a kernel row plus the
/// number of kernel rows with any.
template <class T>
std::size_t direct_depth(const ConstView<T>& kernel3) {
  std::size_t most = 0, rows = 0;
  for (std::size_t i0 = 0; i0 < kernel3.extent(0); ++i0)
    for (std::size_t i1 = 0; i1 < kernel3.extent(1); ++i1) {
      const T* row = detail::row_start(kernel3, i0, i1);
      std::size_t taps = 0;
      for (std::size_t i2 = 0; i2 < kernel3.extent(2); ++i2)
        taps += row[static_cast<std::ptrdiff_t>(i2) * kernel3.stride(2)] != T(0);
      most = std::max(most, taps);
      rows += taps > 0;
    }
  return most + rows;
}

/// The separable passes (direct/separable.hpp), which compute the convolution with the kernel
/// h' = sum_i column_i row_i of their terms. Each term's product with the data passes through
/// its pass along the rows (at most t_i roundings, t_i its row factor's non-zero values), one
/// product and the sum over every term's column taps (c in all), so the passes err by at most
/// gamma(m) S', m = max t_i + c + 1 (gamma(a) + gamma(b) + gamma(a) gamma(b) <= gamma(a + b)),
/// S' = max over the outputs of the sum of |data| times M = (sum_i |column_i|) (sum_i |row_i|)
/// (M >= sum_i |column_i row_i|). And |h - h'| <= U u M (U = separable_tolerance_units) adds
/// U u S': in all gamma(m + U) S'. So: depth m + U and the magnitudes M for S', and
/// max_i sum |row_i|, which times the largest |value| bounds the first pass's sums.
/// Underflow (see underflow_term): each rounding in the subnormal range errs by up to half the
/// smallest subnormal, absolute. A passed value along the rows carries up to 2 t_i of them, then
/// is multiplied by a column factor value; the sums across the rows add 2 c: in all
/// sum_i t_i ||column_i||_1 + c smallest subnormals, counted like the direct path's taps.
struct SeparablePasses {
  double depth = 0;
  double row_l1 = 0;
  double underflow_taps = 0;
  std::vector<double> magnitudes;  ///< M, dense in the kernel's C order, rounded up
};
template <class T>
SeparablePasses separable_passes(const ConstView<T>& kernel3, bool widened) {
  const auto read = [&](const auto& f) {
    SeparablePasses s;
    s.depth = static_cast<double>(f->most_row_taps() + f->column_taps() + 1 +
                                  detail::separable_tolerance_units);
    const std::size_t width = kernel3.extent(2);
    std::vector<long double> columns(f->terms[0].column.size(), 0.0L), rows(width, 0.0L);
    for (const auto& term : f->terms) {
      long double l1 = 0;
      for (std::size_t c = 0; c < width; ++c) {
        rows[c] += std::fabs(static_cast<long double>(term.row[c]));
        l1 += std::fabs(static_cast<long double>(term.row[c]));
      }
      s.row_l1 = std::max(s.row_l1, static_cast<double>(l1 * (1 + 1e-15L)));  // (rounded up)
      long double column_l1 = 0;
      for (std::size_t r = 0; r < columns.size(); ++r) {
        columns[r] += std::fabs(static_cast<long double>(term.column[r]));
        column_l1 += std::fabs(static_cast<long double>(term.column[r]));
      }
      s.underflow_taps +=
          static_cast<double>(static_cast<long double>(term.row_taps) * column_l1 * (1 + 1e-15L));
    }
    s.underflow_taps += static_cast<double>(f->column_taps());
    // (long double sums and products: within 2^-60 relative, well inside the rounding up)
    s.magnitudes.reserve(columns.size() * width);
    for (long double column : columns)
      for (long double row : rows)
        s.magnitudes.push_back(std::nextafter(static_cast<double>(column * row * (1 + 1e-15L)),
                                              std::numeric_limits<double>::infinity()));
    return s;
  };
  return widened ? read(detail::separable_factors<double>(kernel3))
                 : read(detail::separable_factors<T>(kernel3));
}

/// ||a||_2 and ||a||_1 of the image through index maps (the fill value where a map says -1): the
/// FFT path's transform buffer (fft_geometry's maps; zeros beyond add nothing), or for
/// overlap-save the extended image every tile's region lies in (extension_maps).
template <class T>
void region_norms(const std::array<std::vector<std::ptrdiff_t>, 3>& m, double fill_value,
                  const ConstView<T>& image3, Norms& norms) {
  const double fill = std::fabs(fill_value);
  long double sum = 0, l1 = 0;  // (long double: squares of large doubles do not overflow)
  for (std::ptrdiff_t t0 : m[0])
    for (std::ptrdiff_t t1 : m[1]) {
      const bool row_inside = t0 >= 0 && t1 >= 0;
      const T* row = row_inside ? detail::row_start(image3, static_cast<std::size_t>(t0),
                                                    static_cast<std::size_t>(t1))
                                : nullptr;
      for (std::ptrdiff_t t2 : m[2]) {
        const double v = row_inside && t2 >= 0
                             ? std::fabs(static_cast<double>(row[t2 * image3.stride(2)]))
                             : fill;
        sum += static_cast<long double>(v) * v;
        norms.a_max = std::max(norms.a_max, v);
        l1 += v;
      }
    }
  norms.a2 = static_cast<double>(std::sqrt(sum));
  norms.a1 = static_cast<double>(l1);
}

/// The norms of the kernel as the FFT path transforms it: folded modulo the transform lengths
/// (fold_into) when it is longer than them (wrap in same mode: the image's own period). Returns
/// how many kernel values share one folded bin at most: they are summed naively in the data's
/// precision, an error the transform bound does not cover.
template <class T>
double kernel_norms(const detail::Problem& p, const ConstView<T>& kernel3, Norms& norms) {
  const std::array<std::size_t, 3> P = detail::transform_lengths(p);
  double shared = 1;
  for (int a = 0; a < 3; ++a)
    shared *= std::ceil(static_cast<double>(kernel3.extent(a)) /
                        static_cast<double>(P[static_cast<std::size_t>(a)]));
  const std::vector<double> k = abs_dense(kernel3);
  std::vector<long double> folded;
  if (shared > 1) {  // (|folded value| <= sum of the |values| folded into it)
    folded.assign(std::min(P[0], kernel3.extent(0)) * std::min(P[1], kernel3.extent(1)) *
                      std::min(P[2], kernel3.extent(2)),
                  0.0L);
    const std::size_t e1 = std::min(P[1], kernel3.extent(1)),
                      e2 = std::min(P[2], kernel3.extent(2));
    std::size_t i = 0;
    for (std::size_t i0 = 0; i0 < kernel3.extent(0); ++i0)
      for (std::size_t i1 = 0; i1 < kernel3.extent(1); ++i1)
        for (std::size_t i2 = 0; i2 < kernel3.extent(2); ++i2)
          folded[((i0 % P[0]) * e1 + i1 % P[1]) * e2 + i2 % P[2]] += k[i++];
  } else {
    folded.assign(k.begin(), k.end());
  }
  long double sum = 0, l1 = 0;  // (long double: squares of large doubles do not overflow)
  for (long double v : folded) {
    sum += v * v;
    l1 += v;
  }
  norms.b2 = static_cast<double>(std::sqrt(sum));
  norms.b1 = static_cast<double>(l1);
  return shared;
}

/// log2 N + d: the radix-2 stages of the transforms of problem p plus one per transformed axis.
double stages(const detail::Problem& p) {
  double s = 0;
  for (std::size_t n : detail::transform_lengths(p))
    if (n > 1) s += std::log2(static_cast<double>(n)) + 1;
  return s;
}

double transform_size(const detail::Problem& p) {
  double n = 1;
  for (std::size_t l : detail::transform_lengths(p))
    n *= static_cast<double>(l);
  return n;
}

/// The FFT path's worst-case bound (see the top of the file).
double fft_bound(const detail::Problem& p, const Norms& n, double u) {
  return (24 * stages(p) + 4) * u * n.a2 * n.b2;
}

/// The probability that a probabilistic bound fails (under its model) on one call.
constexpr double failure_probability = 1e-9;

/// lambda with 2 exp(-lambda^2 / 2) = failure_probability / events: Hoeffding's inequality for
/// one sum of independent rounding errors, union over `events` sums.
double lambda(double events) {
  return std::sqrt(2 * std::log(2 * events / failure_probability));
}

/// The FFT path's probabilistic bound: the same error terms as fft_bound, but rounding errors
/// taken as independent, mean zero and at most u in size (Higham & Mary 2019). Each output is
/// then a sum of the spectral errors with random phases, so the (1/N) sum |.| of the worst case
/// becomes a root-sum-square: the forward terms give ||a||_2 ||b||_2 / sqrt(N) per sqrt(stage),
/// the inverse and the product ||DFT(a) DFT(b)||_2 / N <= ||a||_2 max|DFT(b)| / sqrt(N).
double fft_probable(const detail::Problem& p, const Norms& n, double u, double outputs) {
  return lambda(outputs) *
         (8 * u * std::sqrt(stages(p)) * (2 * n.a2 * n.b2 + n.a2 * n.b_hat) +
          4 * u * n.a2 * n.b_hat) /
         std::sqrt(transform_size(p));
}

/// max |DFT(b)| on problem p's transform grid, computed in double (its error, far below the
/// float or double rounding it scales, is covered by rounding up by 1e-12 relative).
template <class T>
double kernel_spectrum_max(const detail::Problem& p, const ConstView<T>& kernel3) {
  const std::vector<double> k =
      detail::dense_values<double>(kernel3, [](T x) { return static_cast<double>(x); });
  const Shape shape{kernel3.extent(0), kernel3.extent(1), kernel3.extent(2)};
  detail::Problem stored = p;  // (a spectrum to read: not single-use)
  stored.single_use = false;
  return detail::FftKernel<double>(stored, ConstView<double>(k.data(), shape)).spectrum_max() *
         (1 + 1e-12);
}

/// S = max over outputs of sum |terms|, rounded up: computed in double by the library on |image|
/// and `kernel` (the kernel's |values|, dense; separable: K'), with |ext(I)| = ext(|I|) and
/// |fill|, plus that computation's own error bound.
template <class T>
double abs_sum_max(const detail::Problem& p, const ConstView<T>& image3,
                   const std::vector<double>& kernel, const Options& options, const Norms& norms,
                   double folded) {
  std::vector<double> image = abs_dense(image3);
  std::vector<double> out(p.output_count());
  Shape in_shape, k_shape, out_shape;
  for (const detail::Axis& a : p.axes) {
    in_shape.push_back(a.n);
    k_shape.push_back(a.k);
    out_shape.push_back(a.out);
  }
  Options o;
  o.mode = options.mode;
  o.boundary = options.boundary;
  o.fill_value = std::fabs(p.fill_value);
  o.threads = p.threads;
  const ConstView<double> iv(image.data(), in_shape), kv(kernel.data(), k_shape);
  // direct or the whole-problem fft, whose errors the return value covers (norms: the fft
  // buffer's, or the extended image's, which is at least as large)
  const Method chosen = fftconv::chosen_method(kv, in_shape, o);
  o.method = chosen == Method::fft || chosen == Method::overlap_save ? Method::fft : Method::direct;
  const View<double> ov(out.data(), out_shape);
  if (p.correlate)
    fftconv::correlate(iv, kv, ov, o);
  else
    fftconv::convolve(iv, kv, ov, o);
  double s = 0;
  for (double v : out) {
    if (!std::isfinite(v)) return std::numeric_limits<double>::infinity();  // S overflowed
    s = std::max(s, v);
  }
  // Whichever method computed S, its error is within these (direct: relative; fft: absolute).
  const double u = unit_roundoff<double>;
  return s * (1 + gamma(static_cast<double>(direct_depth(kv)), u) + gamma(folded - 1, u)) +
         fft_bound(p, norms, u);
}

/// Rounding in the subnormal range errs by up to half the smallest subnormal, whatever the
/// size of the value: an absolute term, negligible unless the data are tiny. Direct: one product
/// and one addition per non-zero tap of each output, half a subnormal each. FFT: every spectral
/// value may carry one per stage, and the inverse adds N of them (conservatively, times the
/// other factor's largest spectral value, ||.||_1).
template <class C>
double underflow_term(const detail::Problem& p, bool spatial, const Norms& n, double taps) {
  const double tiny = std::numeric_limits<C>::denorm_min();
  if (spatial) return (taps + 1) * tiny;
  return (stages(p) + 2) * transform_size(p) * tiny * (n.a1 + n.b1 + 1);  // (+2: product, 1/N)
}

/// Whether the computation in C may overflow (spectra reach ||a||_1 ||b||_1; direct sums S):
/// then no finite bound holds.
template <class C>
bool may_overflow(bool spatial, const Norms& n, double s) {
  const double headroom = static_cast<double>(std::numeric_limits<C>::max()) / 16;
  if (spatial) return !(s < headroom);
  return !(n.a1 < headroom && n.b1 < headroom && n.a1 * n.b1 < headroom);
}

/// The direct path's bound on each output's error relative to its sum of |terms|: gamma(m)
/// worst case; lambda sqrt(m) u probabilistically (Higham & Mary 2019, Theorem 3.1, union over
/// the m roundings of every output).
double direct_factor(const detail::Problem& p, double depth, double u, Guarantee guarantee) {
  if (guarantee == Guarantee::worst_case) return gamma(depth, u);
  const double l = lambda(depth * static_cast<double>(p.output_count()));
  return std::expm1(l * std::sqrt(depth) * u + depth * u * u / (1 - u));
}

template <class T>
double bound(const ConstView<T>& image, const ConstView<T>& kernel, const Options& options,
             Operation operation, Guarantee guarantee) {
  FFTCONV_CHECK(operation == Operation::convolve || operation == Operation::correlate,
                invalid_argument, bound_name, ": operation has unknown value ",
                static_cast<int>(operation));
  FFTCONV_CHECK(guarantee == Guarantee::worst_case || guarantee == Guarantee::probabilistic,
                invalid_argument, bound_name, ": guarantee has unknown value ",
                static_cast<int>(guarantee));
  detail::Problem p = detail::validate_setup(kernel, image.shape(), options,
                                             operation == Operation::correlate, bound_name);
  p.single_use = true;  // the bound is for the one-shot call, and its method choice
  detail::validate_image(p, image, bound_name);
  FFTCONV_CHECK(p.nan_policy == NanPolicy::propagate, invalid_argument, bound_name,
                ": options.nan_policy must be propagate (bounds are for the plain operation)");
  if (p.output_count() == 0) return 0;
  double result = 0;
  detail::with_call_errors(bound_name, [&] {
    const ConstView<T> image3 = detail::to_rank3(image);
    const detail::EffectiveKernel<T> effective(detail::to_rank3(kernel), options);
    const ConstView<T> kernel3 = effective.view();
    if (!all_finite(image3) || !all_finite(kernel3) || !std::isfinite(p.fill_value)) {
      result = std::numeric_limits<double>::infinity();
      return;
    }
    const bool widened = detail::widens<T>(options);
    const double u = widened ? unit_roundoff<double> : unit_roundoff<T>;
    const Method method = detail::method_for(p, kernel3, options).method;
    const bool spatial = method == Method::direct || method == Method::separable;
    // The transforms that run: the whole problem's, or overlap-save's tile problem, whose image
    // (one tile's region of the extended image) is within the extended image in norm; the union
    // for the probabilistic bound is still over every output.
    const bool tiled = method == Method::overlap_save;
    const detail::Problem fp = tiled ? detail::tile_problem(p, detail::tile_grid(p)) : p;
    Norms norms;
    region_norms(tiled ? detail::extension_maps(p) : detail::fft_geometry(p).image_maps,
                 p.fill_value, image3, norms);
    const double folded = kernel_norms(fp, kernel3, norms);
    if (!spatial && guarantee == Guarantee::probabilistic)
      norms.b_hat = std::min(norms.b1, kernel_spectrum_max(fp, kernel3));
    const SeparablePasses passes =
        method == Method::separable ? separable_passes(kernel3, widened) : SeparablePasses{};
    const double depth =
        method == Method::separable ? passes.depth : static_cast<double>(direct_depth(kernel3));
    const bool folds = !spatial && folded > 1;
    const double s =
        spatial || widened || folds
            ? abs_sum_max(p, image3,
                          passes.magnitudes.empty() ? abs_dense(kernel3) : passes.magnitudes,
                          options, norms, folded)
            : 0;
    // (A probabilistic bound is never worse than the worst case: the smaller one holds.)
    if (spatial)
      result = std::min(direct_factor(p, depth, u, Guarantee::worst_case),
                        direct_factor(p, depth, u, guarantee)) *
               s;
    else
      result = guarantee == Guarantee::worst_case
                   ? fft_bound(fp, norms, u)
                   : std::min(fft_bound(fp, norms, u),
                              fft_probable(fp, norms, u, static_cast<double>(p.output_count())));
    // Folding a long kernel sums up to `folded` values per bin: gamma(folded - 1) of their
    // |sum|, which reaches the output through at most S.
    if (folds) result += gamma(folded - 1, u) * s;
    if (widened)  // the final rounding to float, relative or (underflow) absolute
      result += unit_roundoff<float> * s +
                static_cast<double>(std::numeric_limits<float>::denorm_min()) / 2;
    const double taps = method == Method::separable
                            ? passes.underflow_taps
                            : static_cast<double>(detail::count_nonzero(kernel3));
    result += widened ? underflow_term<double>(fp, spatial, norms, taps)
                      : underflow_term<T>(fp, spatial, norms, taps);
    // (the separable first pass: sums up to sum |row factor| max |value|)
    const double first_pass = passes.row_l1 * norms.a_max;
    if (widened ? may_overflow<double>(spatial, norms, std::max(s, first_pass))
                : may_overflow<T>(spatial, norms, std::max(s, first_pass)))
      result = std::numeric_limits<double>::infinity();
    // Float data computed in double: the result itself (|result| <= S) must fit in float.
    if (widened && !(s * (1 + 2 * unit_roundoff<float>) <
                     static_cast<double>(std::numeric_limits<float>::max())))
      result = std::numeric_limits<double>::infinity();
  });
  return result;
}

}  // namespace

double error_bound(ConstView<float> image, ConstView<float> kernel, const Options& options,
                   Operation operation, Guarantee guarantee) {
  return bound(image, kernel, options, operation, guarantee);
}
double error_bound(ConstView<double> image, ConstView<double> kernel, const Options& options,
                   Operation operation, Guarantee guarantee) {
  return bound(image, kernel, options, operation, guarantee);
}

}  // namespace fftconv
