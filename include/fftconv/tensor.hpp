#pragma once
// Eigen::Tensor overloads (Eigen's unsupported Tensor module, so not included by fftconv.hpp):
// convolve and correlate for tensors of rank 1 to 8 (real or complex), convolve_masked and
// match_template for 3-D volumes. Axis i is tensor index i in either storage order: the strides
// say where the elements are, and the result has the input's storage order. For TensorMap or
// other layouts, use the view overloads (View<T>(data, {d0, d1, d2}, strides)).
#include <unsupported/Eigen/CXX11/Tensor>

#include "fftconv/convolve.hpp"
#include "fftconv/masked.hpp"
#include "fftconv/match.hpp"

namespace fftconv {

namespace detail {

/// The view of a tensor's data: axis i is tensor index i, C order for RowMajor, Fortran order
/// for ColMajor.
template <class T, int Layout>
View<T> tensor_view(T* data, const Shape& shape) {
  Strides strides;
  for (int a = 0; a < shape.rank(); ++a)
    strides.push_back(0);
  std::ptrdiff_t step = 1;
  for (int i = 0; i < shape.rank(); ++i) {
    const int a = Layout == Eigen::RowMajor ? shape.rank() - 1 - i : i;
    strides[a] = step;
    step *= static_cast<std::ptrdiff_t>(shape[a]);
  }
  return View<T>(data, shape, strides);
}

template <class T, int Rank, int Layout>
Shape tensor_shape(const Eigen::Tensor<T, Rank, Layout>& t) {
  Shape shape;
  for (std::size_t a = 0; a < static_cast<std::size_t>(Rank); ++a)
    shape.push_back(static_cast<std::size_t>(t.dimension(a)));
  return shape;
}

/// The tensor of the result: the image's rank and layout, complex if image or kernel is.
template <class I, class K, int Rank, int Layout>
using tensor_result_t =
    Eigen::Tensor<std::conditional_t<is_complex_scalar<I> || is_complex_scalar<K>,
                                     std::complex<typename real_scalar<I>::type>, I>,
                  Rank, Layout>;

template <class I, class K, int RankI, int RankK, int Layout, class ViewFunction>
tensor_result_t<I, K, RankI, Layout> tensor_call(const Eigen::Tensor<I, RankI, Layout>& image,
                                                 const Eigen::Tensor<K, RankK, Layout>& kernel,
                                                 const Options& options, ViewFunction&& function) {
  using Real = typename real_scalar<I>::type;
  static_assert(std::is_same_v<Real, float> || std::is_same_v<Real, double>,
                "fftconv: the tensor scalar type must be float, double or std::complex of them");
  static_assert(std::is_same_v<Real, typename real_scalar<K>::type>,
                "fftconv: image and kernel tensors must have the same precision");
  static_assert(RankI >= 1 && RankI <= max_rank && RankK >= 1 && RankK <= RankI,
                "fftconv: tensors of rank 1 to 8, the kernel's rank at most the image's");
  const Shape out_shape = output_shape(tensor_shape(image), tensor_shape(kernel), options);
  Eigen::array<Eigen::Index, RankI> dims;
  for (int a = 0; a < RankI; ++a)
    dims[static_cast<std::size_t>(a)] = static_cast<Eigen::Index>(out_shape[a]);
  tensor_result_t<I, K, RankI, Layout> result(dims);
  using O = typename tensor_result_t<I, K, RankI, Layout>::Scalar;
  function(tensor_view<const I, Layout>(image.data(), tensor_shape(image)),
           tensor_view<const K, Layout>(kernel.data(), tensor_shape(kernel)),
           tensor_view<O, Layout>(result.data(), out_shape), options);
  return result;
}

}  // namespace detail

/// Convolution of a tensor of rank 1 to 8 with a kernel tensor of the same storage order and
/// precision (float, double or std::complex of them; a complex image or kernel gives a complex
/// result), every Mode and Boundary; options.axes as for views (a kernel of lower rank with
/// explicit axes).
template <class I, class K, int RankI, int RankK, int Layout>
detail::tensor_result_t<I, K, RankI, Layout> convolve(const Eigen::Tensor<I, RankI, Layout>& image,
                                                      const Eigen::Tensor<K, RankK, Layout>& kernel,
                                                      const Options& options = Options{}) {
  return detail::tensor_call(
      image, kernel, options,
      [](auto i, auto k, auto o, const Options& opt) { convolve(i, k, o, opt); });
}

/// Cross-correlation of tensors, as convolve above (complex kernels conjugated).
template <class I, class K, int RankI, int RankK, int Layout>
detail::tensor_result_t<I, K, RankI, Layout> correlate(
    const Eigen::Tensor<I, RankI, Layout>& image, const Eigen::Tensor<K, RankK, Layout>& kernel,
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
