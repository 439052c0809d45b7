#pragma once
// 3-D volumes as Eigen::Tensor<T, 3> (Eigen's unsupported Tensor module, so not included by
// fftconv.hpp). Axis i of the volume is tensor index i in either storage order: the strides say
// where the elements are, and the result has the input's storage order. For TensorMap or other
// layouts, use the view overloads (View<T>(data, {d0, d1, d2}, strides)).
#include <unsupported/Eigen/CXX11/Tensor>

#include "fftconv/convolve.hpp"
#include "fftconv/masked.hpp"
#include "fftconv/match.hpp"

namespace fftconv {

namespace detail {

template <class T, int Layout>
View<T> tensor_view(T* data, const Shape& shape) {
  const auto d0 = static_cast<std::ptrdiff_t>(shape[0]);
  const auto d1 = static_cast<std::ptrdiff_t>(shape[1]);
  const auto d2 = static_cast<std::ptrdiff_t>(shape[2]);
  return View<T>(data, shape,
                 Layout == Eigen::RowMajor ? Strides{d1 * d2, d2, 1} : Strides{1, d0, d0 * d1});
}

template <class T, int Layout>
Shape tensor_shape(const Eigen::Tensor<T, 3, Layout>& t) {
  return {static_cast<std::size_t>(t.dimension(0)), static_cast<std::size_t>(t.dimension(1)),
          static_cast<std::size_t>(t.dimension(2))};
}

template <class T, int Layout, class ViewFunction>
Eigen::Tensor<T, 3, Layout> tensor_call(const Eigen::Tensor<T, 3, Layout>& image,
                                        const Eigen::Tensor<T, 3, Layout>& kernel,
                                        const Options& options, ViewFunction&& function) {
  static_assert(std::is_same_v<T, float> || std::is_same_v<T, double>,
                "fftconv: the tensor scalar type must be float or double");
  const Shape out_shape = output_shape(tensor_shape(image), tensor_shape(kernel), options.mode);
  Eigen::Tensor<T, 3, Layout> result(static_cast<Eigen::Index>(out_shape[0]),
                                     static_cast<Eigen::Index>(out_shape[1]),
                                     static_cast<Eigen::Index>(out_shape[2]));
  function(tensor_view<const T, Layout>(image.data(), tensor_shape(image)),
           tensor_view<const T, Layout>(kernel.data(), tensor_shape(kernel)),
           tensor_view<T, Layout>(result.data(), out_shape), options);
  return result;
}

}  // namespace detail

/// Convolution of a 3-D volume with a 3-D kernel (same storage order), every Mode and Boundary.
template <class T, int Layout>
Eigen::Tensor<T, 3, Layout> convolve(const Eigen::Tensor<T, 3, Layout>& image,
                                     const Eigen::Tensor<T, 3, Layout>& kernel,
                                     const Options& options = Options{}) {
  return detail::tensor_call(
      image, kernel, options,
      [](auto i, auto k, auto o, const Options& opt) { convolve(i, k, o, opt); });
}

/// Cross-correlation of a 3-D volume with a 3-D kernel, as convolve above.
template <class T, int Layout>
Eigen::Tensor<T, 3, Layout> correlate(const Eigen::Tensor<T, 3, Layout>& image,
                                      const Eigen::Tensor<T, 3, Layout>& kernel,
                                      const Options& options = Options{}) {
  return detail::tensor_call(
      image, kernel, options,
      [](auto i, auto k, auto o, const Options& opt) { correlate(i, k, o, opt); });
}

/// convolve_masked on volumes: mask of bool with the image's shape (true = bad pixel).
template <class T, int Layout>
MaskedResult<Eigen::Tensor<T, 3, Layout>> convolve_masked(
    const Eigen::Tensor<T, 3, Layout>& image, const Eigen::Tensor<bool, 3, Layout>& mask,
    const Eigen::Tensor<T, 3, Layout>& kernel, const Options& options = Options{}) {
  MaskedResult<Eigen::Tensor<T, 3, Layout>> result;
  result.values =
      detail::tensor_call(image, kernel, options, [&](auto i, auto k, auto o, const Options& opt) {
        const Shape out_shape = o.shape();
        result.weight = Eigen::Tensor<T, 3, Layout>(static_cast<Eigen::Index>(out_shape[0]),
                                                    static_cast<Eigen::Index>(out_shape[1]),
                                                    static_cast<Eigen::Index>(out_shape[2]));
        convolve_masked(
            i, detail::tensor_view<const bool, Layout>(mask.data(), detail::tensor_shape(mask)), k,
            o, detail::tensor_view<T, Layout>(result.weight.data(), out_shape), opt);
      });
  return result;
}

/// match_template on volumes (valid positions), plain or with a template mask of bool.
template <class T, int Layout>
Eigen::Tensor<T, 3, Layout> match_template(const Eigen::Tensor<T, 3, Layout>& image,
                                           const Eigen::Tensor<T, 3, Layout>& templ,
                                           const Options& options = Options{}) {
  Options valid = options;
  valid.mode = Mode::valid;
  return detail::tensor_call(image, templ, valid, [](auto i, auto t, auto o, const Options& opt) {
    match_template(i, t, o, opt);
  });
}
template <class T, int Layout>
Eigen::Tensor<T, 3, Layout> match_template(const Eigen::Tensor<T, 3, Layout>& image,
                                           const Eigen::Tensor<T, 3, Layout>& templ,
                                           const Eigen::Tensor<bool, 3, Layout>& templ_mask,
                                           const Options& options = Options{}) {
  Options valid = options;
  valid.mode = Mode::valid;
  return detail::tensor_call(image, templ, valid, [&](auto i, auto t, auto o, const Options& opt) {
    match_template(i, t,
                   detail::tensor_view<const bool, Layout>(templ_mask.data(),
                                                           detail::tensor_shape(templ_mask)),
                   o, opt);
  });
}

}  // namespace fftconv
