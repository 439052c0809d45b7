#include "core/filter_core.hpp"

#include <cmath>
#include <limits>
#include <new>
#include <string>
#include <vector>

#include "core/choose.hpp"
#include "direct/separable.hpp"
#include "util/check.hpp"
#include "util/checked_math.hpp"
#include "util/copy.hpp"

namespace fftconv::detail {

namespace {

/// A dense C-order rank-3 copy of v as doubles.
template <class T>
std::vector<double> dense_copy(const ConstView<T>& v) {
  return dense_values<double>(v, [](T x) { return static_cast<double>(x); });
}

View<double> dense_view(std::vector<double>& data, const Problem& p, bool output) {
  Shape shape;
  for (const Axis& a : p.axes)
    shape.push_back(output ? a.out : a.n);
  return View<double>(data.data(), shape);
}

/// The memory limit left for the double core once the widening copies are counted.
Options widened_options(const Problem& p, const Options& options, bool masked) {
  Options inner = options;
  inner.compute_precision = Precision::native;
  inner.nonnegative = false;  // clamped once, after rounding to float
  const std::size_t copies = widening_bytes(p, masked);
  FFTCONV_CHECK(copies <= options.max_memory_bytes, out_of_memory,
                "computing float data in double needs ", copies,
                " bytes for double copies of the image, kernel and output, more than "
                "options.max_memory_bytes = ",
                options.max_memory_bytes);
  inner.max_memory_bytes = options.max_memory_bytes - copies;
  return inner;
}

template <class T>
void clamp_negative(const View<T>& out) {
  for_each_element(out, [](T& v) {
    if (v < T(0)) v = T(0);  // (NaN compares false and stays)
  });
}

/// Runs f, turning an allocation failure in it (std::bad_alloc, or an aligned buffer's
/// Error(out_of_memory)) into Error(out_of_memory) that names the method and the working memory
/// it needs; a failure already described so (a widened call's double core) passes unchanged.
template <class F>
decltype(auto) naming_allocation_failure(const MethodChoice& choice, F&& f) {
  constexpr const char* prefix = "out of memory: ";
  try {
    return f();
  } catch (const std::bad_alloc&) {
    fail(ErrorCode::out_of_memory, prefix, "the ", to_string(choice.method), " method needs ",
         choice.bytes, " bytes of working memory");
  } catch (const Error& e) {
    if (e.code() != ErrorCode::out_of_memory || std::string(e.what()).rfind(prefix, 0) == 0) throw;
    fail(ErrorCode::out_of_memory, prefix, "the ", to_string(choice.method), " method needs ",
         choice.bytes, " bytes of working memory (", e.what(), ")");
  }
}

}  // namespace

std::size_t widening_bytes(const Problem& p, bool masked) {
  const std::size_t image = p.image_count(), kernel = p.kernel_count(), out = p.output_count();
  const std::size_t outputs = masked ? checked_mul(out, 2, "widened copies") : out;
  const std::size_t copies =
      checked_add(checked_add(image, kernel, "widened copies"), outputs, "widened copies");
  return checked_mul(copies, sizeof(double), "widened copies");
}

// (Separability only for the methods that ask about it.)
template <class T>
KernelTaps kernel_taps(const ConstView<T>& kernel, bool widened, Method requested) {
  KernelTaps taps;
  taps.nonzero = count_nonzero(kernel);
  if (requested != Method::automatic && requested != Method::separable) return taps;
  const auto read = [&](const auto& factors) {
    if (!factors) return;
    taps.terms = factors->rank();
    taps.row = factors->row_taps();
    taps.column = factors->column_taps();
  };
  // separable to the precision the passes would compute in
  if (widened)
    read(separable_factors<double>(kernel));
  else
    read(separable_factors<T>(kernel));
  return taps;
}

template <class T>
MethodChoice method_for(const Problem& p, const ConstView<T>& kernel, const Options& options,
                        bool masked) {
  const bool widened = widens<T>(options);
  const std::size_t element = widened ? sizeof(double) : sizeof(T);
  std::size_t limit =
      widened ? widened_options(p, options, masked).max_memory_bytes : options.max_memory_bytes;
  const std::size_t missing =
      handles_missing(p, masked, masked) ? missing_pixel_bytes(p, element, masked) : 0;
  FFTCONV_CHECK(missing <= limit, out_of_memory, "handling missing pixels needs ", missing,
                " bytes for a copy of the image, its flags and the weights, more than the ", limit,
                " bytes options.max_memory_bytes = ", options.max_memory_bytes, " leaves");
  limit -= missing;
  try {
    MethodChoice choice = select_method(
        p, options.method, kernel_taps(kernel, widened, options.method), element, limit);
    choice.bytes += missing + (widened ? widening_bytes(p, masked) : 0);  // (within the limit)
    return choice;
  } catch (const Error& e) {
    if (e.code() != ErrorCode::out_of_memory || limit == options.max_memory_bytes) throw;
    // Name the caller's limit, not what the other buffers leave of it.
    fail(ErrorCode::out_of_memory, e.what(),
         " (of options.max_memory_bytes = ", options.max_memory_bytes, ", ",
         widened ? widening_bytes(p, masked) : 0,
         " bytes go to double copies for compute_precision = double_precision and ", missing,
         " to missing-pixel buffers)");
  }
}

template <class T>
struct FilterCore<T>::Widened {
  FilterCore<double> core;
};

template <class T>
typename FilterCore<T>::Prepared FilterCore<T>::prepare(const Problem& p,
                                                        const ConstView<T>& kernel,
                                                        const Options& options, Method method,
                                                        bool masked) {
  if (widens<T>(options)) {
    std::vector<double> k = dense_copy(kernel);
    Shape shape;
    for (const Axis& a : p.axes)
      shape.push_back(a.k);
    Options inner = widened_options(p, options, masked);
    inner.method = method;
    inner.normalize_kernel = false;  // (already normalized, in the data's precision)
    // The double core handles missing pixels too: the ratio and weights in double, rounded once.
    return std::make_unique<Widened>(
        Widened{FilterCore<double>(p, ConstView<double>(k.data(), shape), inner, masked)});
  }
  if (method == Method::direct || method == Method::separable)
    return DirectKernel<T>(p, kernel, method == Method::separable);
  if (method == Method::overlap_save) return OverlapSaveKernel<T>(p, kernel);
  return FftKernel<T>(p, kernel);
}

template <class T>
FilterCore<T>::FilterCore(const Problem& p, const ConstView<T>& kernel, const Options& options,
                          bool masked)
    : FilterCore(p, EffectiveKernel<T>(kernel, options), options, masked) {}

template <class T>
FilterCore<T>::FilterCore(const Problem& p, const EffectiveKernel<T>& kernel,
                          const Options& options, bool masked)
    : p_(p),
      choice_(method_for(p, kernel.view(), options, masked)),
      nonnegative_(options.nonnegative),
      kernel_sum_(kernel_sum(kernel.view())),
      kernel_(naming_allocation_failure(
          choice_, [&] { return prepare(p, kernel.view(), options, choice_.method, masked); })) {
  FFTCONV_CHECK(p.nan_policy != NanPolicy::interpolate ||
                    (kernel_sum_.distinct_from_zero() && kernel_sum_.sum > 0),
                invalid_argument, "options.nan_policy = interpolate: the kernel sums to ",
                kernel_sum_.sum, " (rounding of its sum: ", kernel_sum_.tolerance,
                "); normalized convolution needs a kernel with a positive sum");
}

template <class T>
FilterCore<T>::~FilterCore() = default;
template <class T>
FilterCore<T>::FilterCore(FilterCore&&) noexcept = default;

template <class T>
void FilterCore<T>::run(const ConstView<T>& image, const View<T>& out, T fill) const {
  std::visit(
      [&](const auto& k) {
        if constexpr (!std::is_same_v<std::decay_t<decltype(k)>, std::unique_ptr<Widened>>)
          k.apply(image, out, fill);
      },
      kernel_);
}

template <class T>
void FilterCore<T>::apply(const ConstView<T>& image, const unsigned char* masked,
                          const View<T>& out, const View<T>& weight) const {
  naming_allocation_failure(choice_, [&] { apply_unnamed(image, masked, out, weight); });
}

template <class T>
void FilterCore<T>::apply_unnamed(const ConstView<T>& image, const unsigned char* masked,
                                  const View<T>& out, const View<T>& weight) const {
  const bool want_weight = weight.data() != nullptr;
  if (const auto* widened = std::get_if<std::unique_ptr<Widened>>(&kernel_)) {
    // Widen, compute in double, round to float once.
    std::vector<double> in = dense_copy(image);
    std::vector<double> result(p_.output_count());
    std::vector<double> weights(want_weight ? p_.output_count() : 0);
    (*widened)->core.apply(dense_view(in, p_, false), masked, dense_view(result, p_, true),
                           want_weight ? dense_view(weights, p_, true) : View<double>());
    store_rounded(result, out);
    if (want_weight) store_rounded(weights, weight);
  } else if (!handles_missing(p_, masked != nullptr, want_weight)) {
    run(image, out, static_cast<T>(p_.fill_value));
  } else {
    apply_with_missing<T>(
        p_, kernel_sum_, image, masked, out, weight,
        [this](const ConstView<T>& i, const View<T>& o, T fill) { run(i, o, fill); });
  }
  if (nonnegative_) clamp_negative(out);
}

template KernelTaps kernel_taps(const ConstView<float>&, bool, Method);
template KernelTaps kernel_taps(const ConstView<double>&, bool, Method);
template MethodChoice method_for(const Problem&, const ConstView<float>&, const Options&, bool);
template MethodChoice method_for(const Problem&, const ConstView<double>&, const Options&, bool);
template class FilterCore<float>;
template class FilterCore<double>;

}  // namespace fftconv::detail
