#include "fftconv/filter.hpp"

#include <complex>

#include "core/batched_pipeline.hpp"
#include "core/complex_pipeline.hpp"
#include "core/plan.hpp"
#include "core/validate.hpp"
#include "direct/simd.hpp"
#include "util/check.hpp"

namespace fftconv {

namespace {

constexpr const char* constructor_name = "fftconv::Filter";
constexpr const char* apply_name = "fftconv::Filter::apply";

// Real data: the batched pipeline; complex data: the real pipelines on its parts
// (core/complex_pipeline.hpp), validated on the real parts' views (same shapes, strides, data).
template <class T>
struct Engine {
  using type = detail::BatchedPipeline<T>;
  template <class E>
  static const View<E>& validated(const View<E>& v) {
    return v;
  }
  static void check(const detail::Call&) {}
  static type make(const detail::Call& call, const ConstView<T>& kernel) {
    return type(call, kernel);
  }
  static void apply(const type& e, const detail::Batch& b, const ConstView<T>& image,
                    const View<T>& out) {
    e.apply(b, image, out);
  }
};
template <class T>
struct Engine<std::complex<T>> {
  using type = detail::ComplexPipeline<T>;
  static ConstView<T> validated(const ConstView<std::complex<T>>& v) { return detail::parts(v).re; }
  static View<T> validated(const View<std::complex<T>>& v) { return detail::parts(v).re; }
  static void check(const detail::Call& call) {
    detail::check_complex_options(call.frame, constructor_name);
  }
  static type make(const detail::Call& call, const ConstView<std::complex<T>>& kernel) {
    return type(call, detail::parts(kernel), true);
  }
  static void apply(const type& e, const detail::Batch& b, const ConstView<std::complex<T>>& image,
                    const View<std::complex<T>>& out) {
    e.apply(b, detail::parts(image), detail::parts(out));
  }
};

}  // namespace

template <class T>
struct Filter<T>::Impl {
  Operation operation;
  Mode mode;
  Shape kernel_shape;  ///< as the caller gave it (the batch holds it at the image's rank)
  detail::Batch batch;
  typename Engine<T>::type pipeline;
};

template <class T>
Filter<T>::Filter(ConstView<T> kernel, const Shape& image_shape, Operation operation,
                  const Options& options) {
  FFTCONV_CHECK(detail::is_enumerator(operation), invalid_argument, constructor_name,
                ": operation has unknown value ", static_cast<int>(operation));
  const detail::Call call =
      detail::validate_call_setup(Engine<T>::validated(kernel), image_shape, options,
                                  operation == Operation::correlate, constructor_name);
  Engine<T>::check(call);  // (outside with_call_errors, which would name the Filter twice)
  detail::with_call_errors(constructor_name, [&] {
    impl_ = std::make_unique<const Impl>(
        Impl{operation, options.mode, kernel.shape(), call.batch, Engine<T>::make(call, kernel)});
  });
}

template <class T>
Filter<T>::Filter(Filter&&) noexcept = default;
template <class T>
Filter<T>& Filter<T>::operator=(Filter&&) noexcept = default;
template <class T>
Filter<T>::~Filter() = default;

// Every member goes through this: a moved-from Filter throws instead of dereferencing null.
template <class T>
const typename Filter<T>::Impl& Filter<T>::impl() const {
  FFTCONV_CHECK(impl_ != nullptr, invalid_argument, constructor_name,
                ": this Filter was moved from");
  return *impl_;
}

template <class T>
void Filter<T>::apply(ConstView<T> image, View<T> out) const {
  const detail::Batch b = detail::stacked(impl().batch, image.shape(), apply_name);
  detail::validate_apply(b, Engine<T>::validated(image), Engine<T>::validated(out), apply_name);
  if (element_count(b.output) == 0) return;
  detail::with_call_errors(apply_name, [&] { Engine<T>::apply(impl_->pipeline, b, image, out); });
}

template <class T>
Method Filter<T>::method() const {
  return impl().pipeline.method();
}
template <class T>
Operation Filter<T>::operation() const {
  return impl().operation;
}
template <class T>
Mode Filter<T>::mode() const {
  return impl().mode;
}
template <class T>
const Shape& Filter<T>::image_shape() const {
  return impl().batch.image;
}
template <class T>
const Shape& Filter<T>::kernel_shape() const {
  return impl().kernel_shape;
}
template <class T>
const Shape& Filter<T>::output_shape() const {
  return impl().batch.output;
}

template class Filter<float>;
template class Filter<double>;
template class Filter<std::complex<float>>;
template class Filter<std::complex<double>>;

namespace {
template <class T>
Method chosen_method_for(const ConstView<T>& kernel, const Shape& image_shape,
                         const Options& options) {
  constexpr const char* name = "fftconv::chosen_method";
  detail::Call call = detail::validate_call_setup(kernel, image_shape, options, false, name);
  call.frame.single_use = true;  // what a one-shot call runs (its fft stores no spectrum)
  Method method = Method::automatic;
  detail::with_call_errors(name, [&] {
    const ConstView<T> k = detail::at_rank(kernel, call.batch.rank);
    // (the first slab's, with more than 3 convolved axes: the tap sum's pipelines)
    const ConstView<T> first =
        detail::slab_view(detail::frame_view(k, call.batch, 0), detail::OuterIndex{});
    method = detail::make_plan(detail::frame_problem(call), first).choice.method;
  });
  return method;
}
}  // namespace

Method chosen_method(ConstView<float> kernel, const Shape& image_shape, const Options& options) {
  return chosen_method_for(kernel, image_shape, options);
}
Method chosen_method(ConstView<double> kernel, const Shape& image_shape, const Options& options) {
  return chosen_method_for(kernel, image_shape, options);
}

const char* direct_simd() {
  return detail::simd_name(detail::simd_level());
}

}  // namespace fftconv
