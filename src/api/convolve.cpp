// convolve and correlate: validate everything first (nothing is written on failure), make the
// plan (core/plan.hpp), prepare its path with the stages around it (core/pipeline.hpp) and apply
// it once to each frame of the batch (core/batched_pipeline.hpp). src/README.md follows this
// call through the tree.
#include "fftconv/convolve.hpp"

#include <new>
#include <string>

#include "core/batched_pipeline.hpp"
#include "core/validate.hpp"
#include "util/check.hpp"

namespace fftconv {

namespace {

template <class T>
void run(const ConstView<T>& image, const ConstView<T>& kernel, const View<T>& out,
         const Options& options, bool correlate, const char* what) {
  detail::Call call = detail::validate_call(image, kernel, out, options, correlate, what);
  if (element_count(call.batch.output) == 0) return;  // valid mode, kernel longer than the image
  call.frame.single_use = true;
  detail::with_call_errors(what, [&] {
    const detail::BatchedPipeline<T> pipeline(call, kernel);
    pipeline.apply(call.batch, image, out);
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
