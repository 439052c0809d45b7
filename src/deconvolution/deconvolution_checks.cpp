#include "deconvolution/deconvolution_checks.hpp"

#include <cmath>
#include <cstdint>

#include "core/enumerators.hpp"
#include "core/problem.hpp"
#include "core/validate.hpp"
#include "util/check.hpp"
#include "util/copy.hpp"

namespace fftconv::detail {

namespace {

// f(value, is_bad) for every element of the rank-3 forms of v and the mask (null: none bad).
template <class T, class F>
void for_each_value(const ConstView<T>& view, const ConstView<bool>& mask, F&& f) {
  const ConstView<T> v = to_rank3(view);
  const ConstView<bool> m = mask.data() ? to_rank3(mask) : ConstView<bool>();
  for (std::size_t i0 = 0; i0 < v.extent(0); ++i0)
    for (std::size_t i1 = 0; i1 < v.extent(1); ++i1)
      for (std::size_t i2 = 0; i2 < v.extent(2); ++i2) {
        const auto at = [&](const auto& w) {
          return std::ptrdiff_t(i0) * w.stride(0) + std::ptrdiff_t(i1) * w.stride(1) +
                 std::ptrdiff_t(i2) * w.stride(2);
        };
        f(v.data()[at(v)], m.data() != nullptr && m.data()[at(m)]);
      }
}

// The bytes a view's elements span (first to last, whatever the strides), for overlap checks
// between views of different element types.
template <class T>
std::pair<std::uintptr_t, std::uintptr_t> byte_span(const View<T>& v) {
  auto lo = reinterpret_cast<std::uintptr_t>(v.data());
  auto hi = lo;
  for (int i = 0; i < v.rank(); ++i) {
    const std::ptrdiff_t reach =
        static_cast<std::ptrdiff_t>(v.extent(i) - 1) * v.stride(i) * std::ptrdiff_t(sizeof(T));
    if (reach < 0)
      lo -= static_cast<std::uintptr_t>(-reach);
    else
      hi += static_cast<std::uintptr_t>(reach);
  }
  return {lo, hi + sizeof(T) - 1};
}

template <class A, class B>
bool overlap(const View<A>& a, const View<B>& b) {
  const auto [a_lo, a_hi] = byte_span(a);
  const auto [b_lo, b_hi] = byte_span(b);
  return !(a_hi < b_lo || b_hi < a_lo);
}

}  // namespace

template <class T>
long double check_deconvolution(const DeconvolutionArguments<T>& a, const char* what) {
  const int rank = a.image.rank();
  FFTCONV_CHECK(rank >= 1 && rank <= 3, invalid_argument, what, ": image has rank ", rank,
                ", must be 1, 2 or 3");
  for (int i = 0; i < rank; ++i)
    FFTCONV_CHECK(a.image.extent(i) > 0, invalid_argument, what, ": image has shape ",
                  to_string(a.image.shape()), ", every extent must be > 0");
  validate_companion(a.image, a.image.shape(), "image", "image", what);
  FFTCONV_CHECK(a.psf.rank() == rank, invalid_argument, what, ": psf has rank ", a.psf.rank(),
                ", the image ", rank);
  for (int i = 0; i < rank; ++i)
    FFTCONV_CHECK(a.psf.extent(i) > 0, invalid_argument, what, ": psf has shape ",
                  to_string(a.psf.shape()), ", every extent must be > 0");
  validate_companion(a.psf, a.psf.shape(), "psf", "psf", what);
  validate_companion(ConstView<T>(a.out), a.image.shape(), "out", "image", what);
  FFTCONV_CHECK(!overlaps_itself(a.out.shape(), a.out.strides()), invalid_argument, what,
                ": out overlaps itself (two of its elements share an address)");
  if (a.mask.data() != nullptr || a.mask.rank() != 0)
    validate_companion(a.mask, a.image.shape(), "mask", "image", what);
  FFTCONV_CHECK(is_enumerator(a.edges), invalid_argument, what, ": edges has unknown value ",
                static_cast<int>(a.edges));
  if (a.edges == DeconvolutionEdges::periodic)
    for (int i = 0; i < rank; ++i)
      FFTCONV_CHECK(a.psf.extent(i) <= a.image.extent(i), invalid_argument, what, ": psf shape ",
                    to_string(a.psf.shape()), " is longer than the image ",
                    to_string(a.image.shape()), " along axis ", i,
                    ", which periodic edges cannot represent");

  long double sum = 0;
  for_each_value(a.psf, ConstView<bool>(), [&](T v, bool) {
    FFTCONV_CHECK(std::isfinite(v), invalid_argument, what, ": psf has a non-finite value (", v,
                  ")");
    FFTCONV_CHECK(!a.nonnegative_psf || v >= 0, invalid_argument, what,
                  ": psf has a negative value (", v, ")");
    sum += v;
  });
  FFTCONV_CHECK(sum > 0 || (!a.nonnegative_psf && sum != 0), invalid_argument, what,
                ": psf sums to ", static_cast<double>(sum),
                a.nonnegative_psf ? ", must be positive" : ", must not be 0");
  for_each_value(a.image, a.mask, [&](T v, bool bad) {
    if (bad) return;
    FFTCONV_CHECK(std::isfinite(v), invalid_argument, what, ": image has a non-finite value (", v,
                  ") outside the mask");
    FFTCONV_CHECK(!a.nonnegative_data || v >= 0, invalid_argument, what,
                  ": image has a negative value (", v, "): Richardson-Lucy needs counts >= 0");
  });
  if (a.start_from_out) {
    const View<T> image(const_cast<T*>(a.image.data()), a.image.shape(), a.image.strides());
    const View<T> psf(const_cast<T*>(a.psf.data()), a.psf.shape(), a.psf.strides());
    FFTCONV_CHECK(!overlap(a.out, image) && !overlap(a.out, psf) &&
                      (a.mask.data() == nullptr || !overlap(a.out, View<const bool>(a.mask))),
                  invalid_argument, what,
                  ": with start_from_out, out must not share memory with image, psf or mask");
    for_each_value(ConstView<T>(a.out), ConstView<bool>(), [&](T v, bool) {
      FFTCONV_CHECK(std::isfinite(v) && (!a.nonnegative_data || v >= 0), invalid_argument, what,
                    ": start_from_out: out holds ", v,
                    a.nonnegative_data ? ", the start must be finite and >= 0"
                                       : ", the start must be finite");
    });
  }
  return sum;
}

template <class V>
void check_finite(const ConstView<V>& v, const char* name, const char* what) {
  for_each_value(v, ConstView<bool>(), [&](V x, bool) {
    FFTCONV_CHECK(std::isfinite(x), invalid_argument, what, ": ", name, " has a non-finite value (",
                  x, ")");
  });
}

void check_iteration_setup(int iterations, int threads, Planning planning, Method method,
                           const char* what) {
  FFTCONV_CHECK(iterations >= 0, invalid_argument, what, ": iterations is ", iterations,
                ", must be >= 0");
  FFTCONV_CHECK(threads >= 0, invalid_argument, what, ": threads is ", threads, ", must be >= 0");
  FFTCONV_CHECK(is_enumerator(planning), invalid_argument, what, ": planning has unknown value ",
                static_cast<int>(planning));
  FFTCONV_CHECK(is_enumerator(method), invalid_argument, what, ": method has unknown value ",
                static_cast<int>(method));
}

template long double check_deconvolution(const DeconvolutionArguments<float>&, const char*);
template long double check_deconvolution(const DeconvolutionArguments<double>&, const char*);
template void check_finite(const ConstView<double>&, const char*, const char*);

}  // namespace fftconv::detail
