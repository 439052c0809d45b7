// compare(result, reference): the error measures of ErrorStats over two arrays of one shape.
#include <algorithm>
#include <array>
#include <cmath>
#include <complex>
#include <limits>
#include <vector>

#include "core/problem.hpp"
#include "fftconv/accuracy.hpp"
#include "util/check.hpp"
#include "util/copy.hpp"

namespace fftconv {

namespace {

constexpr const char* compare_name = "fftconv::compare";

/// One ulp of x in the result's type R: the gap between the two R around |x| (the R at or below
/// |x| and the next one up; beyond R's range, the gap at its largest value). A double |x| is
/// first truncated to R, so 1 - 2^-30 has float's ulp below 1 (2^-24), not above it.
template <class R>
double ulp(double x) {
  const double a = std::fabs(x);
  constexpr R largest = std::numeric_limits<R>::max();
  if (!(a < static_cast<double>(largest)))
    return static_cast<double>(largest) - static_cast<double>(std::nextafter(largest, R(0)));
  R r = static_cast<R>(a);
  if (static_cast<double>(r) > a) r = std::nextafter(r, R(0));  // truncate, not round
  return static_cast<double>(std::nextafter(r, largest)) - static_cast<double>(r);
}

/// |result - reference|, 0 where both are NaN or the same infinity, inf where only one is
/// non-finite.
double abs_error(double result, double reference) {
  if (std::isfinite(result) && std::isfinite(reference)) return std::fabs(result - reference);
  const bool same = (std::isnan(result) && std::isnan(reference)) || result == reference;
  return same ? 0 : std::numeric_limits<double>::infinity();
}

template <class R, class F>
ErrorStats compare_views(const ConstView<R>& result, const ConstView<F>& reference,
                         double rel_tol) {
  FFTCONV_CHECK(result.shape() == reference.shape(), invalid_argument, compare_name,
                ": result has shape ", to_string(result.shape()), ", reference ",
                to_string(reference.shape()));
  FFTCONV_CHECK(result.rank() >= 1 && result.rank() <= max_rank, invalid_argument, compare_name,
                ": rank ", result.rank(), " (1 to ", max_rank, " supported)");
  FFTCONV_CHECK(!std::isnan(rel_tol) && rel_tol >= 0, invalid_argument, compare_name,
                ": rel_tol is ", rel_tol, " (must be >= 0)");
  const std::size_t count = element_count(result.shape());
  FFTCONV_CHECK(count == 0 || (result.data() != nullptr && reference.data() != nullptr),
                invalid_argument, compare_name, ": null data");
  ErrorStats s;
  s.count = count;
  s.worst_position = Shape{};
  for (int a = 0; a < result.rank(); ++a)
    s.worst_position.push_back(0);
  if (count == 0) return s;

  std::vector<double> ulps;
  ulps.reserve(count);
  double max_ref = 0, sum_sq = 0;
  std::size_t worst = 0, index = 0;
  bool have_worst = false;
  const int last = result.rank() - 1;
  const std::size_t width = result.extent(last);
  detail::for_each_row<2>(
      result.shape(), {&result.strides(), &reference.strides()},
      [&](const std::array<std::ptrdiff_t, 2>& at, std::size_t) {
        const R* rr = result.data() + at[0];
        const F* fr = reference.data() + at[1];
        for (std::size_t i = 0; i < width; ++i, ++index) {
          const auto x =
              static_cast<double>(rr[static_cast<std::ptrdiff_t>(i) * result.stride(last)]);
          const auto ref =
              static_cast<double>(fr[static_cast<std::ptrdiff_t>(i) * reference.stride(last)]);
          const double e = abs_error(x, ref);
          if (!have_worst || e > s.max_abs) {
            s.max_abs = e;
            worst = index;
            have_worst = true;
          }
          if (std::isfinite(ref)) max_ref = std::max(max_ref, std::fabs(ref));
          sum_sq += e * e;
          ulps.push_back(e == 0 ? 0 : std::isinf(e) ? e : e / ulp<R>(ref));
          if (std::isinf(e) || e > rel_tol * std::fabs(ref)) ++s.count_over;
        }
      });
  s.max_rel = s.max_abs == 0 ? 0 : s.max_abs / max_ref;  // (inf for an all-zero reference)
  s.rms = std::sqrt(sum_sq / static_cast<double>(count));
  s.max_ulp = *std::max_element(ulps.begin(), ulps.end());
  const auto middle = ulps.begin() + static_cast<std::ptrdiff_t>(count / 2);
  std::nth_element(ulps.begin(), middle, ulps.end());
  s.median_ulp = *middle;
  if (count % 2 == 0)  // the mean of the two middle values
    s.median_ulp = (s.median_ulp + *std::max_element(ulps.begin(), middle)) / 2;
  for (int a = result.rank() - 1; a >= 0; --a) {
    s.worst_position[a] = worst % result.extent(a);
    worst /= result.extent(a);
  }
  return s;
}

// A complex view as a real one with a trailing axis of length 2 (real, imaginary part).
template <class T>
ConstView<T> interleaved(const ConstView<std::complex<T>>& v) {
  FFTCONV_CHECK(v.rank() < max_rank, invalid_argument, compare_name, ": complex arrays of rank ",
                v.rank(), " (1 to ", max_rank - 1, " supported)");
  FFTCONV_CHECK(v.strides().rank() == v.rank(), invalid_argument, compare_name, ": ",
                v.strides().rank(), " strides for rank ", v.rank());
  Shape shape = v.shape();
  Strides strides;
  for (std::ptrdiff_t s : v.strides())
    strides.push_back(2 * s);
  shape.push_back(2);
  strides.push_back(1);
  // std::complex<T> is an array of two T ([complex.numbers])
  return ConstView<T>(reinterpret_cast<const T*>(v.data()), shape, strides);
}

}  // namespace

ErrorStats compare(ConstView<std::complex<float>> result, ConstView<std::complex<float>> reference,
                   double rel_tol) {
  return compare_views(interleaved(result), interleaved(reference), rel_tol);
}
ErrorStats compare(ConstView<std::complex<float>> result, ConstView<std::complex<double>> reference,
                   double rel_tol) {
  return compare_views(interleaved(result), interleaved(reference), rel_tol);
}
ErrorStats compare(ConstView<std::complex<double>> result,
                   ConstView<std::complex<double>> reference, double rel_tol) {
  return compare_views(interleaved(result), interleaved(reference), rel_tol);
}

ErrorStats compare(ConstView<float> result, ConstView<float> reference, double rel_tol) {
  return compare_views(result, reference, rel_tol);
}
ErrorStats compare(ConstView<float> result, ConstView<double> reference, double rel_tol) {
  return compare_views(result, reference, rel_tol);
}
ErrorStats compare(ConstView<double> result, ConstView<double> reference, double rel_tol) {
  return compare_views(result, reference, rel_tol);
}

}  // namespace fftconv
