#include "core/plan.hpp"

#include "stages/missing_pixels.hpp"
#include "stages/widening.hpp"
#include "util/check.hpp"

namespace fftconv::detail {

// p.method, or for automatic the faster that fits what the limit leaves once the double copies
// (widened) and the missing-pixel buffers are counted, in the precision the arithmetic runs in.
template <class T>
MethodChoice choose_method(const Problem& p, const KernelInfo<T>& kernel) {
  const bool widened = widens<T>(p);
  const std::size_t element = computed_element_bytes<T>(p);
  const std::size_t copies = widened ? widening_bytes(p) : 0;
  FFTCONV_CHECK(copies <= p.max_memory_bytes, out_of_memory,
                "computing float data in double needs ", copies,
                " bytes for double copies of the image, kernel and output, more than "
                "options.max_memory_bytes = ",
                p.max_memory_bytes);
  std::size_t limit = p.max_memory_bytes - copies;
  const std::size_t missing =
      handles_missing(p, p.masked, p.masked) ? missing_pixel_bytes(p, element, p.masked) : 0;
  FFTCONV_CHECK(missing <= limit, out_of_memory, "handling missing pixels needs ", missing,
                " bytes for a copy of the image, its flags and the weights, more than the ", limit,
                " bytes options.max_memory_bytes = ", p.max_memory_bytes, " leaves");
  limit -= missing;
  try {
    MethodChoice choice = select_method(p, p.method, kernel.taps(), element, limit);
    choice.bytes += missing + copies;  // (within the limit)
    return choice;
  } catch (const Error& e) {
    if (e.code() != ErrorCode::out_of_memory || limit == p.max_memory_bytes) throw;
    // Name the caller's limit, not what the other buffers leave of it.
    fail(ErrorCode::out_of_memory, e.what(), " (of options.max_memory_bytes = ", p.max_memory_bytes,
         ", ", copies, " bytes go to double copies for compute_precision = double_precision and ",
         missing, " to missing-pixel buffers)");
  }
}

template <class T>
Plan<T> make_plan(const Problem& p, const ConstView<T>& kernel3) {
  KernelInfo<T> kernel(p, kernel3);
  const MethodChoice choice = choose_method(p, kernel);
  const KernelSum& s = kernel.sum();
  FFTCONV_CHECK(p.nan_policy != NanPolicy::interpolate || (s.distinct_from_zero() && s.sum > 0),
                invalid_argument, "options.nan_policy = interpolate: the kernel sums to ", s.sum,
                " (rounding of its sum: ", s.tolerance,
                "); normalized convolution needs a kernel with a positive sum");
  return Plan<T>{p, std::move(kernel), choice};
}

template Plan<float> make_plan(const Problem&, const ConstView<float>&);
template Plan<double> make_plan(const Problem&, const ConstView<double>&);
template MethodChoice choose_method(const Problem&, const KernelInfo<float>&);
template MethodChoice choose_method(const Problem&, const KernelInfo<double>&);

}  // namespace fftconv::detail
