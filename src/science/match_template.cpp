// match_template: zero-mean normalized cross-correlation (plain and masked), in double. See
// include/fftconv/match.hpp for the definitions and conventions.
#include <algorithm>
#include <array>
#include <cmath>
#include <limits>
#include <memory>
#include <vector>

#include "core/pipeline.hpp"
#include "core/validate.hpp"
#include "fftconv/match.hpp"
#include "science/byte_masks.hpp"
#include "science/window_sums.hpp"
#include "util/check.hpp"
#include "util/checked_math.hpp"
#include "util/copy.hpp"
#include "util/rounding.hpp"

namespace fftconv {

namespace {

constexpr const char* match_name = "fftconv::match_template";
constexpr double u = detail::unit_roundoff<double>;

/// The problem as the double core sees it: extents per canonical axis.
struct Geometry {
  Shape image_shape, templ_shape, out_shape;  ///< caller's rank
  std::array<std::size_t, 3> n{}, k{};        ///< canonical
  std::size_t templ_count = 1;
};

/// Options for the double correlations: valid-mode correlation as the caller asked it computed.
Options core_options(const Options& options, std::size_t reserved) {
  Options o;
  o.mode = Mode::valid;
  o.method = options.method;
  o.planning = options.planning;
  o.threads = options.threads;
  o.min_overlap = options.min_overlap;
  FFTCONV_CHECK(reserved <= options.max_memory_bytes, out_of_memory, "it needs ", reserved,
                " bytes for double copies and local sums, more than options.max_memory_bytes = ",
                options.max_memory_bytes);
  o.max_memory_bytes = options.max_memory_bytes - reserved;
  return o;
}

double norm(const std::vector<double>& v) {
  double s = 0;
  for (double x : v)
    s += x * x;
  return std::sqrt(s);
}

/// Valid-mode correlations of image-side arrays with one template-side array (both dense double,
/// C order), the template prepared once (spectrum or taps).
class Correlator {
 public:
  Correlator(const Geometry& g, const std::vector<double>& templ, const Options& options)
      : g_(g),
        pipeline_(
            detail::make_plan(detail::validate_setup(ConstView<double>(templ.data(), g.templ_shape),
                                                     g.image_shape, options, true, match_name),
                              detail::to_rank3(ConstView<double>(templ.data(), g.templ_shape)))) {}
  /// A bound on the absolute rounding error of one output of (image, templ) beyond the direct
  /// sum's relative one: the fft method spreads about u log2(N) |image|_2 |templ|_2 over every
  /// output (see error_bound; a generous constant here, as it only decides what counts as zero).
  double noise(const std::vector<double>& image, const std::vector<double>& templ) const {
    // (direct and separable err relative to each output's terms; fft and overlap-save, whose
    // tiles are smaller transforms of parts of the same image, spread noise like this)
    if (pipeline_.method() != Method::fft && pipeline_.method() != Method::overlap_save) return 0;
    return 8 * u * (std::log2(static_cast<double>(image.size())) + 4) * norm(image) * norm(templ);
  }
  std::vector<double> operator()(const std::vector<double>& image) const {
    std::vector<double> out(element_count(g_.out_shape));
    pipeline_.apply(detail::to_rank3(ConstView<double>(image.data(), g_.image_shape)),
                    detail::to_rank3(View<double>(out.data(), g_.out_shape)));
    return out;
  }

 private:
  const Geometry& g_;
  detail::Pipeline<double> pipeline_;
};

/// The image in double, shifted by the mean of its finite pixels (which changes no score but
/// keeps the sums of squares, and so their rounding, as small as the data allows); non-finite
/// pixels become 0 and are flagged in `missing` (1.0), which is left empty if there are none.
template <class T>
std::vector<double> centred_image(const ConstView<T>& image3, std::vector<double>& missing) {
  std::vector<double> x = detail::dense_values<double>(image3, [](T v) { return double(v); });
  detail::CompensatedSum sum;
  std::size_t finite = 0;
  for (double v : x)
    if (std::isfinite(v)) {
      sum.add(v);
      ++finite;
    }
  const double mean = finite ? sum.value() / static_cast<double>(finite) : 0;
  if (finite != x.size()) missing.assign(x.size(), 0.0);
  for (std::size_t i = 0; i < x.size(); ++i) {
    if (std::isfinite(x[i])) {
      x[i] -= mean;
    } else {
      x[i] = 0;
      missing[i] = 1;
    }
  }
  return x;
}

std::vector<double> squares(const std::vector<double>& x) {
  std::vector<double> s(x.size());
  for (std::size_t i = 0; i < x.size(); ++i)
    s[i] = x[i] * x[i];
  return s;
}

/// num / sqrt(var_image var_templ) clamped to [-1, 1], or 0 where a variance is zero to within
/// the rounding of its computation (tolerances: multiples of u times the sums it came from).
double pearson(double num, double var_image, double image_tolerance, double var_templ,
               double templ_tolerance) {
  if (!(var_image > image_tolerance) || !(var_templ > templ_tolerance)) return 0;
  return std::clamp(num / std::sqrt(var_image * var_templ), -1.0, 1.0);
}

template <class T>
void plain_ncc(const Geometry& g, const ConstView<T>& image3, const ConstView<T>& templ3,
               std::vector<double>& score, const Options& options) {
  // The template side and its correlation first: they refuse a call beyond the memory limit
  // before the image-sized copies below are made.
  std::vector<double> t = detail::dense_values<double>(templ3, [](T v) { return double(v); });
  detail::CompensatedSum mean_sum;
  for (std::size_t i = 0; i < t.size(); ++i) {
    FFTCONV_CHECK(std::isfinite(t[i]), invalid_argument, "templ has a non-finite value ", t[i],
                  " (element ", i, " in C order)");
    mean_sum.add(t[i]);
  }
  const double mean = mean_sum.value() / static_cast<double>(t.size());
  detail::CompensatedSum norm, raw;
  for (double& v : t) {
    raw.add(v * v);
    v -= mean;
    norm.add(v * v);
  }
  const double templ_var = norm.value();
  // A flat template: every t - mean is the rounding of the mean, |.| <= u |t|.
  const double templ_tolerance = 16 * u * u * raw.value();
  const Correlator correlate(g, t, options);
  std::vector<double> missing;
  const std::vector<double> x = centred_image(image3, missing);
  const std::vector<double> num = correlate(x);
  const std::vector<double> s1 = detail::window_sums(x, g.n, g.k);
  const std::vector<double> s2 = detail::window_sums(squares(x), g.n, g.k);
  std::vector<double> bad;
  if (!missing.empty()) bad = detail::window_sums(missing, g.n, g.k);
  const double count = static_cast<double>(g.templ_count);
  score.resize(num.size());
  for (std::size_t i = 0; i < num.size(); ++i) {
    if (!bad.empty() && bad[i] > 0.5) {  // (counts of whole pixels: exact)
      score[i] = std::numeric_limits<double>::quiet_NaN();
      continue;
    }
    // Sum of squares about the window's mean: s2 - s1^2 / K, each term rounded to ~2u.
    const double var = s2[i] - s1[i] * s1[i] / count;
    score[i] = pearson(num[i], var, 64 * u * s2[i], templ_var, templ_tolerance);
  }
}

template <class T, class M>
void masked_ncc(const Geometry& g, const ConstView<T>& image3, const ConstView<T>& templ3,
                const ConstView<M>& mask3, std::vector<double>& score, const Options& options) {
  // The template side and the correlations first (as in plain_ncc), the memory limit shared by
  // the two or three template spectra that coexist.
  bool has_missing = false;
  detail::for_each_element(image3, [&](T v) { has_missing = has_missing || !std::isfinite(v); });
  Options per_filter = options;
  per_filter.max_memory_bytes = options.max_memory_bytes / (has_missing ? 3 : 2);
  // The template's pixels where the mask is set: mt (0/1), tz = (t - their mean) mt.
  std::vector<double> t = detail::dense_values<double>(templ3, [](T v) { return double(v); });
  const std::vector<double> mt =
      detail::dense_values<double>(mask3, [](M b) { return b != M(0) ? 1.0 : 0.0; });
  detail::CompensatedSum sum, used;
  for (std::size_t i = 0; i < t.size(); ++i)
    if (mt[i] != 0) {
      FFTCONV_CHECK(std::isfinite(t[i]), invalid_argument, "templ has a non-finite value ", t[i],
                    " under its mask (element ", i, " in C order)");
      sum.add(t[i]);
      used.add(1);
    }
  const double mean = used.value() > 0 ? sum.value() / used.value() : 0;
  for (std::size_t i = 0; i < t.size(); ++i)
    t[i] = mt[i] != 0 ? t[i] - mean : 0;
  const std::vector<double> t2 = squares(t);
  // A flat template: each t - mean is the rounding of the mean, |.| <= u |t|.
  double flat_level = 0;
  for (std::size_t i = 0; i < t.size(); ++i)
    flat_level += mt[i] != 0 ? 16 * u * u * (t[i] + mean) * (t[i] + mean) : 0;

  // Image side: xc (0 where missing), xc^2, and the valid-pixel indicator mf = 1 - missing.
  // Padfield's sums for the window at u, over template pixels with mt = 1 on valid pixels:
  //   n = mf * mt, A = xc * tz, B = xc * mt, C = mf * tz, D = xc^2 * mt, E = mf * tz^2
  // (* = valid-mode correlation); with no missing pixel mf = 1, so n, C and E are constants.
  const Correlator by_mask(g, mt, per_filter), by_templ(g, t, per_filter);
  std::unique_ptr<Correlator> by_templ2;
  if (has_missing) by_templ2 = std::make_unique<Correlator>(g, t2, per_filter);
  std::vector<double> missing;
  const std::vector<double> x = centred_image(image3, missing);
  const std::vector<double> x2 = squares(x);
  const std::vector<double> A = by_templ(x), B = by_mask(x), D = by_mask(x2);
  std::vector<double> n, C, E;
  double templ_noise = 0;  // of E - C^2 / n
  if (has_missing) {
    std::vector<double> mf(missing.size());
    for (std::size_t i = 0; i < mf.size(); ++i)
      mf[i] = 1 - missing[i];
    n = by_mask(mf);
    C = by_templ(mf);
    E = (*by_templ2)(mf);
    templ_noise = by_templ2->noise(mf, t2) + 2 * norm(t) * by_templ.noise(mf, t);
  }
  // Of D - B^2 / n (|B| / n is at most max |xc|).
  double max_x = 0;
  for (double v : x)
    max_x = std::max(max_x, std::fabs(v));
  const double image_noise = by_mask.noise(x2, mt) + 2 * max_x * by_mask.noise(x, mt);
  detail::CompensatedSum t2_sum;
  for (double v : t2)
    t2_sum.add(v);
  const double min_count = std::max<double>(2, static_cast<double>(options.min_overlap));
  score.resize(A.size());
  for (std::size_t i = 0; i < A.size(); ++i) {
    // Counts come from a correlation of 0/1 arrays: whole numbers up to transform noise.
    const double ni = n.empty() ? used.value() : std::round(n[i]);
    const double ci = C.empty() ? 0 : C[i];
    const double ei = E.empty() ? t2_sum.value() : E[i];
    if (ni < min_count) {
      score[i] = 0;
      continue;
    }
    const double num = A[i] - B[i] * ci / ni;
    const double var_image = D[i] - B[i] * B[i] / ni;
    const double var_templ = ei - ci * ci / ni;
    score[i] = pearson(num, var_image, 64 * u * std::fabs(D[i]) + image_noise, var_templ,
                       64 * u * std::fabs(ei) + flat_level + templ_noise);
  }
}

// mask: null for none; bool, or bytes from the C API (non-zero = set).
template <class T, class M>
void run(const ConstView<T>& image, const ConstView<T>& templ, const ConstView<M>* mask,
         const View<T>& score, const Options& options) {
  Options valid = options;
  valid.mode = Mode::valid;
  valid.boundary = Boundary::zero;
  valid.nan_policy = NanPolicy::propagate;
  valid.normalize_kernel = false;
  valid.compute_precision = Precision::native;
  valid.fill_value = 0;  // (fields match_template ignores must not be refused)
  valid.min_weight = Options{}.min_weight;
  valid.preserve_nan = false;
  valid.nonnegative = false;
  valid.origin = Offsets();
  const detail::Problem p = detail::validate_setup(templ, image.shape(), valid, true, match_name);
  detail::validate_image(p, image, match_name);
  detail::validate_output(p, score, "score", match_name);
  if (mask) detail::validate_companion(*mask, templ.shape(), "templ_mask", "template", match_name);
  if (p.output_count() == 0) return;
  detail::with_call_errors(match_name, [&] {
    Geometry g{p.image_shape(), p.kernel_shape(), p.output_shape(), {}, {}, p.kernel_count()};
    for (std::size_t a = 0; a < 3; ++a) {
      g.n[a] = p.axes[a].n;
      g.k[a] = p.axes[a].k;
    }
    // Working memory besides the correlations: about six image-sized and eight output-sized
    // double arrays at most.
    const std::size_t reserved = detail::checked_mul(
        detail::checked_add(detail::checked_mul(p.image_count(), 6, "image buffers"),
                            detail::checked_mul(p.output_count(), 8, "output buffers"),
                            "working memory"),
        sizeof(double), "working memory");
    const Options core = core_options(valid, reserved);
    std::vector<double> result;
    if (mask)
      masked_ncc(g, detail::to_rank3(image), detail::to_rank3(templ), detail::to_rank3(*mask),
                 result, core);
    else
      plain_ncc(g, detail::to_rank3(image), detail::to_rank3(templ), result, core);
    detail::store_rounded(result, detail::to_rank3(score));
  });
}

}  // namespace

void match_template(ConstView<float> image, ConstView<float> templ, View<float> score,
                    const Options& options) {
  run<float, bool>(image, templ, nullptr, score, options);
}
void match_template(ConstView<double> image, ConstView<double> templ, View<double> score,
                    const Options& options) {
  run<double, bool>(image, templ, nullptr, score, options);
}
void match_template(ConstView<float> image, ConstView<float> templ, ConstView<bool> templ_mask,
                    View<float> score, const Options& options) {
  run(image, templ, &templ_mask, score, options);
}
void match_template(ConstView<double> image, ConstView<double> templ, ConstView<bool> templ_mask,
                    View<double> score, const Options& options) {
  run(image, templ, &templ_mask, score, options);
}

namespace detail {
template <class T>
void match_template_bytes(const ConstView<T>& image, const ConstView<T>& templ,
                          const ConstView<unsigned char>* templ_mask, const View<T>& score,
                          const Options& options) {
  run(image, templ, templ_mask, score, options);
}
template void match_template_bytes(const ConstView<float>&, const ConstView<float>&,
                                   const ConstView<unsigned char>*, const View<float>&,
                                   const Options&);
template void match_template_bytes(const ConstView<double>&, const ConstView<double>&,
                                   const ConstView<unsigned char>*, const View<double>&,
                                   const Options&);
}  // namespace detail

}  // namespace fftconv
