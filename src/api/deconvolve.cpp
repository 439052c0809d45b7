// richardson_lucy and landweber (and wiener's checks): everything is validated here before
// anything is allocated or written (nothing is written on failure), then the iterations run
// (deconvolution/iterations.cpp) and write `out` once, at the end.
#include "fftconv/deconvolve.hpp"

#include <cmath>
#include <string>

#include "core/enumerators.hpp"
#include "core/validate.hpp"
#include "deconvolution/deconvolution_checks.hpp"
#include "deconvolution/iterations.hpp"
#include "deconvolution/wiener.hpp"
#include "util/check.hpp"

namespace fftconv {

namespace {

template <class T>
void run_rl(const ConstView<T>& image, const ConstView<T>& psf, const View<T>& out,
            const RichardsonLucyOptions& o) {
  constexpr const char* what = "fftconv::richardson_lucy";
  detail::DeconvolutionArguments<T> a{image, psf, out, o.mask, o.edges, o.start_from_out};
  a.nonnegative_psf = true;
  a.nonnegative_data = true;
  const long double psf_sum = detail::check_deconvolution(a, what);
  FFTCONV_CHECK(detail::is_enumerator(o.acceleration), invalid_argument, what,
                ": acceleration has unknown value ", static_cast<int>(o.acceleration));
  FFTCONV_CHECK(std::isfinite(o.filter_epsilon) && o.filter_epsilon >= 0, invalid_argument, what,
                ": filter_epsilon is ", o.filter_epsilon, ", must be finite and >= 0");
  const double tv_limit = 1.0 / (2.0 * image.rank());
  FFTCONV_CHECK(o.tv_regularization >= 0 && o.tv_regularization < tv_limit, invalid_argument, what,
                ": tv_regularization is ", o.tv_regularization, ", must be in [0, ", tv_limit,
                ") for rank ", image.rank(), " (1 / (2 rank) keeps the update's divisor positive)");
  detail::check_iteration_setup(o.iterations, o.threads, o.planning, o.method, what);
  detail::with_call_errors(what,
                           [&] { detail::run_richardson_lucy(image, psf, psf_sum, out, o, what); });
}

template <class T>
void run_lw(const ConstView<T>& image, const ConstView<T>& psf, const View<T>& out,
            const LandweberOptions& o) {
  constexpr const char* what = "fftconv::landweber";
  detail::DeconvolutionArguments<T> a{image, psf, out, o.mask, o.edges, o.start_from_out};
  a.nonnegative_psf = true;
  const long double psf_sum = detail::check_deconvolution(a, what);
  FFTCONV_CHECK(o.alpha > 0 && o.alpha < 2, invalid_argument, what, ": alpha is ", o.alpha,
                ", must be in (0, 2) (the step relative to the largest stable one)");
  detail::check_iteration_setup(o.iterations, o.threads, o.planning, o.method, what);
  detail::with_call_errors(what, [&] { detail::run_landweber(image, psf, psf_sum, out, o, what); });
}

template <class T>
void run_wi(const ConstView<T>& image, const ConstView<T>& psf, const View<T>& out, double balance,
            const WienerOptions& o) {
  constexpr const char* what = "fftconv::wiener";
  const detail::DeconvolutionArguments<T> a{image, psf, out, ConstView<bool>(), o.edges, false};
  detail::check_deconvolution(a, what);
  FFTCONV_CHECK(std::isfinite(balance) && balance >= 0, invalid_argument, what, ": balance is ",
                balance, ", must be finite and >= 0");
  FFTCONV_CHECK(detail::is_enumerator(o.regularizer), invalid_argument, what,
                ": regularizer has unknown value ", static_cast<int>(o.regularizer));
  if (o.regularizer_kernel.data() != nullptr) {
    const ConstView<double>& r = o.regularizer_kernel;
    FFTCONV_CHECK(r.rank() == image.rank(), invalid_argument, what,
                  ": regularizer_kernel has rank ", r.rank(), ", the image ", image.rank());
    detail::validate_companion(r, r.shape(), "regularizer_kernel", "regularizer_kernel", what);
    detail::check_finite(r, "regularizer_kernel", what);
  }
  detail::check_iteration_setup(0, o.threads, o.planning, Method::automatic, what);  // (one step)
  detail::run_wiener(image, psf, out, balance, o, what);
}

}  // namespace

void wiener(ConstView<float> image, ConstView<float> psf, View<float> out, double balance,
            const WienerOptions& options) {
  run_wi(image, psf, out, balance, options);
}
void wiener(ConstView<double> image, ConstView<double> psf, View<double> out, double balance,
            const WienerOptions& options) {
  run_wi(image, psf, out, balance, options);
}

void richardson_lucy(ConstView<float> image, ConstView<float> psf, View<float> out,
                     const RichardsonLucyOptions& options) {
  run_rl(image, psf, out, options);
}
void richardson_lucy(ConstView<double> image, ConstView<double> psf, View<double> out,
                     const RichardsonLucyOptions& options) {
  run_rl(image, psf, out, options);
}
void landweber(ConstView<float> image, ConstView<float> psf, View<float> out,
               const LandweberOptions& options) {
  run_lw(image, psf, out, options);
}
void landweber(ConstView<double> image, ConstView<double> psf, View<double> out,
               const LandweberOptions& options) {
  run_lw(image, psf, out, options);
}

}  // namespace fftconv
