#pragma once
// The missing-pixel tests' problems (images with NaN, infinities and masked pixels), the library
// calls that read the results back, and the method variants they run on.
#include "stages/missing_pixels/reference.hpp"

namespace missing_pixels {

// ---- Test problems ----------------------------------------------------------------------------

/// The kinds of missing data a problem gets.
enum class Scenario { none, single_nan, nan_block, missing_windows, border, infinities, masked };
/// (none: only the infinite constant fill, where the rule has it, is missing.)
inline constexpr Scenario all_scenarios[] = {
    Scenario::none,   Scenario::single_nan, Scenario::nan_block, Scenario::missing_windows,
    Scenario::border, Scenario::infinities, Scenario::masked};
inline std::string label(Scenario s) {
  const char* names[] = {"nothing missing", "single NaN", "NaN block", "all-missing windows",
                         "border",          "infinities", "masked"};
  return names[static_cast<int>(s)];
}

/// A problem: the image (missing pixels hold NaN or +-inf; masked ones a finite decoy that must
/// never show), the mask (1 = masked) and the kernel.
template <class T>
struct Problem {
  Array<T> image;
  std::vector<unsigned char> mask;
  Array<T> kernel;
  /// The image as convolve (no mask) sees it: masked pixels NaN.
  Array<T> image_with_nan() const {
    Array<T> a = image;
    for (std::size_t i = 0; i < a.size(); ++i)
      if (mask[i]) a.values[i] = std::numeric_limits<T>::quiet_NaN();
    return a;
  }
  /// Missing image pixels: non-finite or masked.
  std::vector<unsigned char> missing() const {
    std::vector<unsigned char> m(image.size());
    for (std::size_t i = 0; i < m.size(); ++i)
      m[i] = mask[i] || !std::isfinite(image.values[i]);
    return m;
  }
};

inline constexpr double decoy = 1000;  // the value under a masked pixel: would show if it leaked

template <class T>
Array<T> random_kernel(const Shape& shape, bool with_negative, std::mt19937_64& rng) {
  std::uniform_real_distribution<double> d(with_negative ? -0.4 : 0.0, 1.0);
  std::bernoulli_distribution zero(0.15);
  for (;;) {
    Array<T> k(shape);
    for (T& v : k.values)
      v = zero(rng) ? T(0) : static_cast<T>(d(rng));
    const KernelInfo info = kernel_info(k);
    // a clearly positive sum (interpolate refuses the others)
    if (info.sum > 0.3L * info.sum_abs) return k;
  }
}

template <class T>
Problem<T> make_problem(const Shape& image_shape, const Shape& kernel_shape, Scenario scenario,
                        bool with_negative, std::mt19937_64& rng) {
  Problem<T> p;
  p.image = testing::uniform<T>(image_shape, rng, -1, 2);
  p.mask.assign(p.image.size(), 0);
  p.kernel = random_kernel<T>(kernel_shape, with_negative, rng);
  const int rank = image_shape.rank();
  const T nan = std::numeric_limits<T>::quiet_NaN(), big = std::numeric_limits<T>::infinity();
  auto pick = [&](std::size_t n) {
    return std::uniform_int_distribution<std::size_t>(0, n - 1)(rng);
  };
  // every pixel of the box [lo, lo + len) per axis
  auto box = [&](const Index3& lo, const Index3& len, T value) {
    for (std::size_t i = 0; i < p.image.size(); ++i) {
      const Index3 j = unravel(i, image_shape);
      bool in = true;
      for (std::size_t a = 0; a < static_cast<std::size_t>(rank); ++a)
        in = in && j[a] >= lo[a] && j[a] < lo[a] + len[a];
      if (in) p.image.values[i] = value;
    }
  };
  switch (scenario) {
    case Scenario::none:
      break;
    case Scenario::single_nan:
      p.image.values[pick(p.image.size())] = nan;
      break;
    case Scenario::nan_block:
    case Scenario::missing_windows: {
      // missing_windows: a box longer than the kernel on every axis where the image allows, so
      // some windows hold nothing valid
      Index3 lo{}, len{};
      for (int a = 0; a < rank; ++a) {
        const auto A = static_cast<std::size_t>(a);
        const std::size_t n = image_shape[a];
        len[A] = scenario == Scenario::nan_block ? 1 + pick((n + 1) / 2)
                                                 : std::min(n, kernel_shape[a] + 2);
        lo[A] = pick(n - len[A] + 1);
      }
      box(lo, len, nan);
      break;
    }
    case Scenario::border: {
      // every corner, and the first slab along axis 0
      for (std::size_t c = 0; c < (std::size_t{1} << rank); ++c) {
        Index3 j{};
        for (std::size_t a = 0; a < static_cast<std::size_t>(rank); ++a)
          j[a] = (c >> a) & 1 ? image_shape[static_cast<int>(a)] - 1 : 0;
        p.image.values[p.image.index(j)] = nan;
      }
      Index3 len{1, 1, 1};
      for (int a = 1; a < rank; ++a)
        len[static_cast<std::size_t>(a)] = image_shape[a];
      box(Index3{}, len, nan);
      break;
    }
    case Scenario::infinities: {
      std::bernoulli_distribution hit(0.12);
      const T bad[] = {big, -big, nan};
      for (T& v : p.image.values)
        if (hit(rng)) v = bad[pick(3)];
      p.image.values[pick(p.image.size())] = big;
      break;
    }
    case Scenario::masked: {
      std::bernoulli_distribution hit(0.15);
      for (std::size_t i = 0; i < p.image.size(); ++i)
        if (hit(rng)) {
          p.mask[i] = 1;
          p.image.values[i] = static_cast<T>(decoy);
        }
      const std::size_t i = pick(p.image.size());
      p.mask[i] = 1;
      p.image.values[i] = static_cast<T>(decoy);
      p.image.values[pick(p.image.size())] = nan;  // NaN and mask together
      break;
    }
  }
  return p;
}

// ---- Library calls ----------------------------------------------------------------------------

template <class T>
struct Outputs {
  Array<T> values, weight;
};

/// convolve on the image (no mask), result read back as a dense array; checks that nothing
/// outside the output view was written.
template <class T>
Array<T> call_convolve(const Array<T>& image, const Array<T>& kernel, const Options& o,
                       Layout out_layout = Layout::c_order) {
  Stored<T> out(out_shape(image.shape, kernel.shape, o.mode), out_layout);
  fftconv::convolve(image.view(), kernel.view(), out.view, o);
  CHECK(out.touched_outside() == 0);
  return out.read();
}

/// convolve_masked with a bool mask (C order) or, with mask_as_T, a mask of T in Fortran order;
/// image, values and weight in the given layouts.
template <class T>
Outputs<T> call_masked(const Array<T>& image, const std::vector<unsigned char>& mask,
                       const Array<T>& kernel, const Options& o, bool mask_as_T = false,
                       Layout image_layout = Layout::c_order, Layout out_layout = Layout::c_order,
                       Layout weight_layout = Layout::c_order) {
  const Shape shape = out_shape(image.shape, kernel.shape, o.mode);
  Stored<T> in(image, image_layout);
  Stored<T> values(shape, out_layout), weight(shape, weight_layout);
  if (mask_as_T) {
    Array<T> m(image.shape);
    for (std::size_t i = 0; i < m.size(); ++i)
      m.values[i] = mask[i] ? T(1) : T(0);
    Stored<T> stored_mask(m, Layout::f_order);
    fftconv::convolve_masked(ConstView<T>(in.view), ConstView<T>(stored_mask.view), kernel.view(),
                             values.view, weight.view, o);
  } else {
    const std::unique_ptr<bool[]> m(new bool[mask.size() + 1]);
    for (std::size_t i = 0; i < mask.size(); ++i)
      m[i] = mask[i] != 0;
    fftconv::convolve_masked(ConstView<T>(in.view), ConstView<bool>(m.get(), image.shape),
                             kernel.view(), values.view, weight.view, o);
  }
  CHECK(values.touched_outside() == 0);
  CHECK(weight.touched_outside() == 0);
  return {values.read(), weight.read()};
}

/// The method variants a type is checked on: direct and fft in the data's precision, and for
/// float both again widened to double.
struct Run {
  Method method;
  Precision precision;
};
template <class T>
std::vector<Run> runs() {
  std::vector<Run> r{{Method::direct, Precision::native}, {Method::fft, Precision::native}};
  if (std::is_same_v<T, float>) {
    r.push_back({Method::direct, Precision::double_precision});
    r.push_back({Method::fft, Precision::double_precision});
  }
  return r;
}
template <class T>
Roundoff roundoff(Precision p) {
  return {p == Precision::double_precision ? eps<double>() : eps<T>(), eps<T>()};
}
inline std::string label(const Run& r) {
  return label(r.method) +
         (r.precision == Precision::double_precision ? " (double precision)" : "");
}

/// Counts over a whole test case, so a test that checked nothing (every output "either", or no
/// NaN where NaN was expected) shows.
struct Tally {
  std::size_t values = 0, nans = 0, either = 0, far = 0;
  void add(const Expectation& e) {
    values += e.count(State::value);
    nans += e.count(State::nan);
    either += e.count(State::either);
  }
};

inline std::string describe(const Shape& image, const Shape& kernel, const std::string& type,
                            const std::string& more) {
  return type + " image " + fftconv::to_string(image) + " kernel " + fftconv::to_string(kernel) +
         " " + more;
}

template <class T>
std::string type_name() {
  return std::is_same_v<T, float> ? "float" : "double";
}

}  // namespace missing_pixels
