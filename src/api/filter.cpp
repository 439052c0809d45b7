#include "fftconv/filter.hpp"

#include "core/pipeline.hpp"
#include "core/plan.hpp"
#include "core/validate.hpp"
#include "direct/simd.hpp"
#include "util/check.hpp"

namespace fftconv {

template <class T>
struct Filter<T>::Impl {
  Operation operation;
  Mode mode;
  Shape image_shape, kernel_shape, output_shape;
  detail::Pipeline<T> pipeline;
};

namespace {
constexpr const char* constructor_name = "fftconv::Filter";
constexpr const char* apply_name = "fftconv::Filter::apply";
}  // namespace

template <class T>
Filter<T>::Filter(ConstView<T> kernel, const Shape& image_shape, Operation operation,
                  const Options& options) {
  FFTCONV_CHECK(detail::is_enumerator(operation), invalid_argument, constructor_name,
                ": operation has unknown value ", static_cast<int>(operation));
  const detail::Problem p = detail::validate_setup(
      kernel, image_shape, options, operation == Operation::correlate, constructor_name);
  detail::with_call_errors(constructor_name, [&] {
    impl_ = std::make_unique<const Impl>(
        Impl{operation, options.mode, p.image_shape(), p.kernel_shape(), p.output_shape(),
             detail::Pipeline<T>(detail::make_plan(p, detail::to_rank3(kernel)))});
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
  const detail::Problem& p = impl().pipeline.problem();
  detail::validate_apply(p, image, out, apply_name);
  if (p.output_count() == 0) return;
  detail::with_call_errors(
      apply_name, [&] { impl_->pipeline.apply(detail::to_rank3(image), detail::to_rank3(out)); });
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
  return impl().image_shape;
}
template <class T>
const Shape& Filter<T>::kernel_shape() const {
  return impl().kernel_shape;
}
template <class T>
const Shape& Filter<T>::output_shape() const {
  return impl().output_shape;
}

template class Filter<float>;
template class Filter<double>;

namespace {
template <class T>
Method chosen_method_for(const ConstView<T>& kernel, const Shape& image_shape,
                         const Options& options) {
  constexpr const char* name = "fftconv::chosen_method";
  detail::Problem p = detail::validate_setup(kernel, image_shape, options, false, name);
  p.single_use = true;  // what a one-shot call runs (its fft stores no spectrum)
  Method method = Method::automatic;
  detail::with_call_errors(
      name, [&] { method = detail::make_plan(p, detail::to_rank3(kernel)).choice.method; });
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
