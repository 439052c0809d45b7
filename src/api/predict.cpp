#include "fftconv/predict.hpp"

#include "core/choose.hpp"
#include "core/kernel_info.hpp"
#include "core/plan.hpp"
#include "core/validate.hpp"
#include "stages/widening.hpp"
#include "util/check.hpp"

namespace fftconv {

namespace {
template <class T>
double predicted_seconds_for(Method method, const ConstView<T>& kernel, const Shape& image_shape,
                             const Options& options) {
  constexpr const char* name = "fftconv::predicted_seconds";
  FFTCONV_CHECK(detail::is_enumerator(method), invalid_argument, name,
                ": method has unknown value ", static_cast<int>(method));
  Options chosen = options;
  chosen.method = Method::automatic;
  detail::Problem p = detail::validate_setup(kernel, image_shape, chosen, false, name);
  p.single_use = true;  // (as chosen_method: what a one-shot call runs)
  double ns = 0;
  detail::with_call_errors(name, [&] {
    // (p.method is automatic: the kernel's separable factors are looked for, whichever method's
    // cost is wanted; no other method's costs depend on them)
    const detail::KernelInfo<T> info(p, detail::to_rank3(kernel));
    const Method m = method == Method::automatic ? detail::choose_method(p, info).method : method;
    const detail::MethodCosts c =
        detail::estimate_costs(p, info.taps(), detail::computed_element_bytes<T>(p));
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
