// convolve and correlate: validate everything first (nothing is written on failure), make the
// plan (core/plan.hpp), prepare its path with the stages around it (core/pipeline.hpp) and apply
// it once, on canonical rank-3 views. src/README.md follows this call through the tree.
#include "fftconv/convolve.hpp"

#include <new>
#include <string>

#include "core/pipeline.hpp"
#include "core/plan.hpp"
#include "core/problem.hpp"
#include "core/validate.hpp"
#include "util/check.hpp"

namespace fftconv {

namespace {

template <class T>
void run(const ConstView<T>& image, const ConstView<T>& kernel, const View<T>& out,
         const Options& options, bool correlate, const char* what) {
  detail::Problem p = detail::validate_call(image, kernel, out, options, correlate, what);
  if (p.output_count() == 0) return;  // valid mode, kernel longer than the image
  p.single_use = true;
  detail::with_call_errors(what, [&] {
    const detail::Pipeline<T> pipeline(detail::make_plan(p, detail::to_rank3(kernel)));
    pipeline.apply(detail::to_rank3(image), detail::to_rank3(out));
  });
}

}  // namespace

void convolve(ConstView<float> image, ConstView<float> kernel, View<float> out,
              const Options& options) {
  run(image, kernel, out, options, false, "fftconv::convolve");
}
void convolve(ConstView<double> image, ConstView<double> kernel, View<double> out,
              const Options& options) {
  run(image, kernel, out, options, false, "fftconv::convolve");
}
void correlate(ConstView<float> image, ConstView<float> kernel, View<float> out,
               const Options& options) {
  run(image, kernel, out, options, true, "fftconv::correlate");
}
void correlate(ConstView<double> image, ConstView<double> kernel, View<double> out,
               const Options& options) {
  run(image, kernel, out, options, true, "fftconv::correlate");
}

}  // namespace fftconv
