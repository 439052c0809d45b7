// convolve_masked: validation of the mask and the weights, then the pipeline with a mask.
#include "fftconv/masked.hpp"

#include <algorithm>
#include <cmath>
#include <vector>

#include "core/pipeline.hpp"
#include "core/problem.hpp"
#include "core/validate.hpp"
#include "science/byte_masks.hpp"
#include "util/check.hpp"
#include "util/copy.hpp"

namespace fftconv {

namespace {

constexpr const char* masked_name = "fftconv::convolve_masked";

/// The lowest and one past the highest address a view touches (for the overlap check).
template <class T>
std::pair<const char*, const char*> extent_of(const View<T>& v) {
  const char* lo = reinterpret_cast<const char*>(v.data());
  const char* hi = lo;
  for (int a = 0; a < v.rank(); ++a) {
    const std::ptrdiff_t reach = static_cast<std::ptrdiff_t>(v.extent(a) - 1) * v.stride(a) *
                                 static_cast<std::ptrdiff_t>(sizeof(T));
    (reach < 0 ? lo : hi) += reach;
  }
  return {lo, hi + sizeof(T)};
}

/// A mask of T must hold only 0 and 1 (checked without allocating: before any memory check);
/// bool and byte masks (non-zero = masked) need no check.
template <class M>
void check_mask_values(const ConstView<M>& mask3) {
  if constexpr (!std::is_same_v<M, bool> && !std::is_same_v<M, unsigned char>) {
    std::size_t index = 0;
    detail::for_each_element(mask3, [&](M x) {
      FFTCONV_CHECK(x == M(0) || x == M(1), invalid_argument, masked_name, ": mask value ", x,
                    " at element ", index, " (C order) is not 0 or 1");
      ++index;
    });
  }
}

// mask: null for none (the byte-mask entry of the C API).
template <class T, class M>
void run(const ConstView<T>& image, const ConstView<M>* mask, const ConstView<T>& kernel,
         const View<T>& values, const View<T>& weight, const Options& options) {
  detail::Problem p = detail::validate_setup(kernel, image.shape(), options, false, masked_name);
  p.masked = true;  // (its buffers are counted in the plan's memory)
  detail::validate_image(p, image, masked_name);
  detail::validate_output(p, values, "values", masked_name);
  if (mask) detail::validate_companion(*mask, image.shape(), "mask", "image", masked_name);
  const bool want_weight = weight.rank() != 0;
  if (want_weight) {
    // The same checks as values (shape, strides, data, no self-overlap)...
    detail::validate_output(p, weight, "weight", masked_name);
    // ...and no element shared with values.
    if (p.output_count() != 0) {
      const auto v = extent_of(values), w = extent_of(weight);
      FFTCONV_CHECK(v.second <= w.first || w.second <= v.first, invalid_argument, masked_name,
                    ": values and weight share memory");
    }
  }
  if (mask) check_mask_values(detail::to_rank3(*mask));  // (even when there is no output)
  if (p.output_count() == 0) return;
  detail::with_call_errors(masked_name, [&] {
    // The plan first: it refuses a call beyond options.max_memory_bytes (the mask's flags
    // counted) before anything is allocated.
    const detail::Pipeline<T> pipeline(detail::make_plan(p, detail::to_rank3(kernel)));
    std::vector<unsigned char> flags;
    if (mask)
      flags = detail::dense_values<unsigned char>(
          detail::to_rank3(*mask), [](M x) { return static_cast<unsigned char>(x != M(0)); });
    pipeline.apply(detail::to_rank3(image), mask ? flags.data() : nullptr, detail::to_rank3(values),
                   want_weight ? detail::to_rank3(weight) : View<T>());
  });
}

}  // namespace

void convolve_masked(ConstView<float> image, ConstView<bool> mask, ConstView<float> kernel,
                     View<float> values, View<float> weight, const Options& options) {
  run(image, &mask, kernel, values, weight, options);
}
void convolve_masked(ConstView<double> image, ConstView<bool> mask, ConstView<double> kernel,
                     View<double> values, View<double> weight, const Options& options) {
  run(image, &mask, kernel, values, weight, options);
}
void convolve_masked(ConstView<float> image, ConstView<float> mask, ConstView<float> kernel,
                     View<float> values, View<float> weight, const Options& options) {
  run(image, &mask, kernel, values, weight, options);
}
void convolve_masked(ConstView<double> image, ConstView<double> mask, ConstView<double> kernel,
                     View<double> values, View<double> weight, const Options& options) {
  run(image, &mask, kernel, values, weight, options);
}

namespace detail {
template <class T>
void convolve_masked_bytes(const ConstView<T>& image, const ConstView<unsigned char>* mask,
                           const ConstView<T>& kernel, const View<T>& values, const View<T>& weight,
                           const Options& options) {
  run(image, mask, kernel, values, weight, options);
}
template void convolve_masked_bytes(const ConstView<float>&, const ConstView<unsigned char>*,
                                    const ConstView<float>&, const View<float>&, const View<float>&,
                                    const Options&);
template void convolve_masked_bytes(const ConstView<double>&, const ConstView<unsigned char>*,
                                    const ConstView<double>&, const View<double>&,
                                    const View<double>&, const Options&);
}  // namespace detail

}  // namespace fftconv
