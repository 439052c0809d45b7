#include "fftconv/predict.hpp"

#include "core/choose.hpp"
#include "core/filter_core.hpp"
#include "core/validate.hpp"
#include "stages/kernel_normalization.hpp"
#include "util/check.hpp"

namespace fftconv {

namespace {
template <class T>
double predicted_seconds_for(Method method, const ConstView<T>& kernel, const Shape& image_shape,
                             const Options& options) {
  constexpr const char* name = "fftconv::predicted_seconds";
  FFTCONV_CHECK(method == Method::automatic || method == Method::direct || method == Method::fft ||
                    method == Method::separable || method == Method::overlap_save,
                invalid_argument, name, ": method has unknown value ", static_cast<int>(method));
  Options chosen = options;
  chosen.method = Method::automatic;
  detail::Problem p = detail::validate_setup(kernel, image_shape, chosen, false, name);
  p.single_use = true;  // (as chosen_method: what a one-shot call runs)
  double ns = 0;
  detail::with_call_errors(name, [&] {
    const detail::EffectiveKernel<T> effective(detail::to_rank3(kernel), options);
    const Method m = method == Method::automatic
                         ? detail::method_for(p, effective.view(), chosen).method
                         : method;
    const bool widened = detail::widens<T>(options);
    // (separability is looked for only when the separable method's cost is wanted)
    const detail::KernelTaps taps = detail::kernel_taps(effective.view(), widened, m);
    const detail::MethodCosts c =
        detail::estimate_costs(p, taps, widened ? sizeof(double) : sizeof(T));
    ns = m == Method::direct         ? c.direct_ns
         : m == Method::fft          ? c.fft_ns
         : m == Method::overlap_save ? c.overlap_save_ns
                                     : c.separable_ns;
  });
  return ns * 1e-9;
}
}  // namespace

double predicted_seconds(Method method, ConstView<float> kernel, const Shape& image_shape,
                         const Options& options) {
  return predicted_seconds_for(method, kernel, image_shape, options);
}
double predicted_seconds(Method method, ConstView<double> kernel, const Shape& image_shape,
                         const Options& options) {
  return predicted_seconds_for(method, kernel, image_shape, options);
}

}  // namespace fftconv
