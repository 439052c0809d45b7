#pragma once
// convolve / correlate: free functions over views (compiled, float and double) and thin inline
// Eigen adapters over them.
//
//   convolve(I, g)[n]  = sum_m I[n - m] * g[m]     (the kernel is flipped)
//   correlate(I, g)[n] = sum_m I[n + m] * g[m]     (it is not)
//   correlate(I, g)    = convolve(I, flip(g)),     flip = reverse every axis
//
// The output window is chosen by Options::mode (scipy.signal's full / same / valid).

#include <Eigen/Core>
#include <complex>
#include <type_traits>

#include "fftconv/error.hpp"
#include "fftconv/export.hpp"
#include "fftconv/options.hpp"
#include "fftconv/shape.hpp"
#include "fftconv/view.hpp"

namespace fftconv {

// ---- Views: the compiled core ---------------------------------------------------------------
// image, kernel and out have the same rank (1..max_rank; the axes convolved, the others batch
// axes, listed by options.axes, which also allows a kernel of lower rank: README, "Axes and
// stacks"); out must have exactly output_shape(image.shape(), kernel.shape(), options). Images
// and kernels are read in full before out is written, so out may alias the image or the kernel.
// On any error an fftconv::Error is thrown and out is untouched.

FFTCONV_API void convolve(ConstView<float> image, ConstView<float> kernel, View<float> out,
                          const Options& options = Options{});
FFTCONV_API void convolve(ConstView<double> image, ConstView<double> kernel, View<double> out,
                          const Options& options = Options{});
FFTCONV_API void correlate(ConstView<float> image, ConstView<float> kernel, View<float> out,
                           const Options& options = Options{});
FFTCONV_API void correlate(ConstView<double> image, ConstView<double> kernel, View<double> out,
                           const Options& options = Options{});

// ---- Complex data --------------------------------------------------------------------------
// complex x complex, real image x complex kernel and complex image x real kernel, each with a
// complex output, for float and double (README, "Complex data"). scipy.signal's semantics:
//   convolve(I, g)[n]  = sum_m I[n - m] g[m]
//   correlate(I, g)[n] = sum_m I[n + m] conj(g[m])
//   so correlate(I, g) = convolve(I, conj(flip(g))).
// Every method, mode, boundary rule (the fill value v extends the image as v + 0i), axes and
// threads as for real data; compute_precision = double_precision computes complex<float> data in
// double, rounded once. options.nonnegative and a nan_policy other than propagate are refused.
// Strides count complex elements. Computed on the parts (real and imaginary parts are strided
// views of the interleaved data): the FFT methods transform each image part and each output part
// once with real transforms, combining the parts' spectra in between (README, "Complex data");
// the direct methods run real operations on the parts (four for complex x complex).

FFTCONV_API void convolve(ConstView<std::complex<float>> image,
                          ConstView<std::complex<float>> kernel, View<std::complex<float>> out,
                          const Options& options = Options{});
FFTCONV_API void convolve(ConstView<float> image, ConstView<std::complex<float>> kernel,
                          View<std::complex<float>> out, const Options& options = Options{});
FFTCONV_API void convolve(ConstView<std::complex<float>> image, ConstView<float> kernel,
                          View<std::complex<float>> out, const Options& options = Options{});
FFTCONV_API void convolve(ConstView<std::complex<double>> image,
                          ConstView<std::complex<double>> kernel, View<std::complex<double>> out,
                          const Options& options = Options{});
FFTCONV_API void convolve(ConstView<double> image, ConstView<std::complex<double>> kernel,
                          View<std::complex<double>> out, const Options& options = Options{});
FFTCONV_API void convolve(ConstView<std::complex<double>> image, ConstView<double> kernel,
                          View<std::complex<double>> out, const Options& options = Options{});
FFTCONV_API void correlate(ConstView<std::complex<float>> image,
                           ConstView<std::complex<float>> kernel, View<std::complex<float>> out,
                           const Options& options = Options{});
FFTCONV_API void correlate(ConstView<float> image, ConstView<std::complex<float>> kernel,
                           View<std::complex<float>> out, const Options& options = Options{});
FFTCONV_API void correlate(ConstView<std::complex<float>> image, ConstView<float> kernel,
                           View<std::complex<float>> out, const Options& options = Options{});
FFTCONV_API void correlate(ConstView<std::complex<double>> image,
                           ConstView<std::complex<double>> kernel, View<std::complex<double>> out,
                           const Options& options = Options{});
FFTCONV_API void correlate(ConstView<double> image, ConstView<std::complex<double>> kernel,
                           View<std::complex<double>> out, const Options& options = Options{});
FFTCONV_API void correlate(ConstView<std::complex<double>> image, ConstView<double> kernel,
                           View<std::complex<double>> out, const Options& options = Options{});

// ---- Eigen: thin adapters --------------------------------------------------------------------
namespace detail {

/// The dynamic-size plain object a result is returned in: the input's own kind (Matrix or
/// Array), scalar and storage order. For dynamic-size inputs this is exactly
/// typename Derived::PlainObject; a fixed-size input gets its dynamic-size counterpart (a `full`
/// result is larger than the input).
template <class Derived, class Scalar_ = typename Derived::Scalar>
struct eigen_result {
  using Scalar = Scalar_;
  static constexpr bool is_array = std::is_base_of_v<Eigen::ArrayBase<Derived>, Derived>;
  static constexpr bool is_col_vector = Derived::ColsAtCompileTime == 1;
  static constexpr bool is_row_vector = Derived::RowsAtCompileTime == 1 && !is_col_vector;
  static constexpr int rows = is_row_vector ? 1 : Eigen::Dynamic;
  static constexpr int cols = is_col_vector ? 1 : Eigen::Dynamic;
  static constexpr int order = is_row_vector ? Eigen::RowMajor
                               : is_col_vector
                                   ? Eigen::ColMajor
                                   : (Derived::IsRowMajor ? Eigen::RowMajor : Eigen::ColMajor);
  using type = std::conditional_t<is_array, Eigen::Array<Scalar, rows, cols, order>,
                                  Eigen::Matrix<Scalar, rows, cols, order>>;
};
template <class Derived, class Scalar = typename Derived::Scalar>
using eigen_result_t = typename eigen_result<Derived, Scalar>::type;

/// The real type of a scalar (T for std::complex<T>), and whether it is complex.
template <class S>
struct real_scalar {
  using type = S;
};
template <class T>
struct real_scalar<std::complex<T>> {
  using type = T;
};
template <class S>
inline constexpr bool is_complex_scalar = !std::is_same_v<S, typename real_scalar<S>::type>;

/// The scalar of convolve(image, kernel): complex if either is, in their common precision.
template <class ImageDerived, class KernelDerived>
using result_scalar_t =
    std::conditional_t<is_complex_scalar<typename ImageDerived::Scalar> ||
                           is_complex_scalar<typename KernelDerived::Scalar>,
                       std::complex<typename real_scalar<typename ImageDerived::Scalar>::type>,
                       typename ImageDerived::Scalar>;

/// The result type of an Eigen convolve / correlate: the image's kind, the result's scalar.
template <class ImageDerived, class KernelDerived>
using eigen_call_result_t =
    eigen_result_t<ImageDerived, result_scalar_t<ImageDerived, KernelDerived>>;

/// Read access to any dense Eigen object as a ConstView: objects with direct access are viewed in
/// place (strides taken from Eigen); expressions are evaluated once into a plain object here.
template <class Derived, bool direct = (Derived::Flags & Eigen::DirectAccessBit) != 0>
class EigenInput {
 public:
  explicit EigenInput(const Eigen::DenseBase<Derived>& x) : x_(x.derived()) {}
  using Scalar = typename Derived::Scalar;
  /// As a rank-1 view along the longer axis (for an object with one row or one column; the
  /// element step is taken from the 2-D view, which is right for runtime 1 x n blocks too).
  ConstView<Scalar> as_vector() const {
    const ConstView<Scalar> m = as_matrix();
    const int axis = m.extent(0) == 1 ? 1 : 0;
    return ConstView<Scalar>(m.data(), {m.extent(axis)}, {m.stride(axis)});
  }
  /// As a rank-2 view, rows x cols, in the object's own storage order.
  ConstView<Scalar> as_matrix() const {
    const auto inner = static_cast<std::ptrdiff_t>(x_.innerStride());
    const auto outer = static_cast<std::ptrdiff_t>(x_.outerStride());
    return ConstView<Scalar>(
        x_.data(), {static_cast<std::size_t>(x_.rows()), static_cast<std::size_t>(x_.cols())},
        Derived::IsRowMajor ? Strides{outer, inner} : Strides{inner, outer});
  }

 private:
  const Derived& x_;
};

template <class Derived>
class EigenInput<Derived, false> {
 public:
  using Plain = typename Derived::PlainObject;
  explicit EigenInput(const Eigen::DenseBase<Derived>& x) : plain_(x.derived()), in_(plain_) {}
  auto as_vector() const { return in_.as_vector(); }
  auto as_matrix() const { return in_.as_matrix(); }

 private:
  Plain plain_;
  EigenInput<Plain, true> in_;
};

template <class Derived>
constexpr bool is_vector_at_compile_time = Derived::IsVectorAtCompileTime != 0;

/// The view of an Eigen image: a compile-time vector is 1-D, anything else rows x cols.
template <class ImageDerived>
auto image_view(const EigenInput<ImageDerived>& in) {
  if constexpr (is_vector_at_compile_time<ImageDerived>)
    return in.as_vector();
  else
    return in.as_matrix();
}

/// Resizes `result` (a plain Eigen object) to `shape` (rank 1 for vectors, 2 otherwise) and
/// returns a view onto it in its own storage order.
template <class Result>
View<typename Result::Scalar> result_view(Result& result, const Shape& shape) {
  using Scalar = typename Result::Scalar;
  if constexpr (Result::IsVectorAtCompileTime) {
    result.resize(static_cast<Eigen::Index>(shape[0]));
    return View<Scalar>(result.data(), shape, {static_cast<std::ptrdiff_t>(1)});
  } else {
    result.resize(static_cast<Eigen::Index>(shape[0]), static_cast<Eigen::Index>(shape[1]));
    const auto ld = static_cast<std::ptrdiff_t>(Result::IsRowMajor ? shape[1] : shape[0]);
    return View<Scalar>(result.data(), shape, Result::IsRowMajor ? Strides{ld, 1} : Strides{1, ld});
  }
}

template <class ImageDerived, class KernelDerived>
void check_scalars() {
  using Real = typename real_scalar<typename ImageDerived::Scalar>::type;
  static_assert(std::is_same_v<Real, float> || std::is_same_v<Real, double>,
                "fftconv: the image scalar type must be float, double or std::complex of them");
  static_assert(std::is_same_v<Real, typename real_scalar<typename KernelDerived::Scalar>::type>,
                "fftconv: image and kernel must have the same precision (float, double or "
                "std::complex of the same one)");
}

/// Calls function(image_view, kernel_view) on views of Eigen objects (kept alive meanwhile): a
/// compile-time vector image is 1-D (its kernel must then have one row or one column), anything
/// else is a 2-D rows x cols image.
template <class ImageDerived, class KernelDerived, class Function>
auto with_eigen_views(const Eigen::DenseBase<ImageDerived>& image,
                      const Eigen::DenseBase<KernelDerived>& kernel, Function&& function) {
  check_scalars<ImageDerived, KernelDerived>();
  const EigenInput<ImageDerived> in(image);
  const EigenInput<KernelDerived> ker(kernel);
  const auto image_v = image_view(in);
  const auto kernel_v =
      is_vector_at_compile_time<ImageDerived> && (kernel.rows() == 1 || kernel.cols() == 1)
          ? ker.as_vector()
          : ker.as_matrix();
  return function(image_v, kernel_v);
}

/// Shared body of the Eigen convolve / correlate overloads: the result is allocated in the
/// image's kind and filled by function(image_view, kernel_view, out_view, options).
template <class ImageDerived, class KernelDerived, class ViewFunction>
eigen_call_result_t<ImageDerived, KernelDerived> eigen_call(
    const Eigen::DenseBase<ImageDerived>& image, const Eigen::DenseBase<KernelDerived>& kernel,
    const Options& options, ViewFunction&& function) {
  return with_eigen_views(image, kernel, [&](auto image_v, auto kernel_v) {
    eigen_call_result_t<ImageDerived, KernelDerived> result;
    const auto out = result_view(result, output_shape(image_v.shape(), kernel_v.shape(), options));
    function(image_v, kernel_v, out, options);
    return result;
  });
}

}  // namespace detail

/// Convolution of any dense Eigen image (Matrix or Array, row- or column-major, Map or Block with
/// strides; a column or row vector is a 1-D signal) with a kernel of the same precision (float,
/// double, or std::complex of the same one: MatrixXcd, ArrayXXcf; a complex image or kernel gives
/// a complex result). Returns a new object of the image's kind and storage order. options.axes
/// applies ({1}: every row filtered by a 1 x k kernel). Throws fftconv::Error on bad input.
template <class ImageDerived, class KernelDerived>
detail::eigen_call_result_t<ImageDerived, KernelDerived> convolve(
    const Eigen::DenseBase<ImageDerived>& image, const Eigen::DenseBase<KernelDerived>& kernel,
    const Options& options = Options{}) {
  return detail::eigen_call(image, kernel, options, [](auto i, auto k, auto o, const Options& opt) {
    convolve(i, k, o, opt);
  });
}

/// Cross-correlation, same conventions as the Eigen convolve above.
template <class ImageDerived, class KernelDerived>
detail::eigen_call_result_t<ImageDerived, KernelDerived> correlate(
    const Eigen::DenseBase<ImageDerived>& image, const Eigen::DenseBase<KernelDerived>& kernel,
    const Options& options = Options{}) {
  return detail::eigen_call(image, kernel, options, [](auto i, auto k, auto o, const Options& opt) {
    correlate(i, k, o, opt);
  });
}

}  // namespace fftconv
