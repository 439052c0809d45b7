#pragma once
// Filter<T>: one kernel, planned once, applied to many images of one shape.
#include <complex>
#include <memory>
#include <type_traits>

#include "fftconv/convolve.hpp"
#include "fftconv/export.hpp"
#include "fftconv/options.hpp"
#include "fftconv/shape.hpp"
#include "fftconv/view.hpp"

namespace fftconv {

namespace detail {
/// The view of an Eigen kernel for images of image_shape: 1-D for a 1-D image when it has one
/// row or one column, rows x cols otherwise, in the object's own storage order.
template <class T, class Derived>
ConstView<T> eigen_kernel_view(const EigenInput<Derived>& kernel, const Shape& image_shape) {
  static_assert(std::is_same_v<T, typename Derived::Scalar>,
                "fftconv: the kernel's scalar type must be the Filter's (float or double)");
  const ConstView<T> m = kernel.as_matrix();
  return image_shape.rank() == 1 && (m.extent(0) == 1 || m.extent(1) == 1) ? kernel.as_vector() : m;
}
}  // namespace detail

/// Which operation a Filter applies (see convolve.hpp for the definitions).
enum class Operation { convolve, correlate };

/// One kernel prepared for images of one shape: validation, the method choice, FFTW planning
/// and the kernel spectrum (conjugated for correlation, 1/N folded in) or the direct path's
/// taps all happen once, in the constructor. `apply` is const and thread-safe: any number of
/// threads may apply one Filter at once; it plans nothing and allocates only its own working
/// buffer. convolve/correlate are the same computation with a Filter made and used once, so a
/// Filter's results equal theirs. T is float or double, or std::complex<float> or
/// std::complex<double> (a complex kernel applied to complex images: see convolve.hpp's complex
/// functions; the real and imaginary parts of the kernel are each prepared once: for the FFT
/// methods both spectra, for the direct ones both sets of taps).
///
///   fftconv::Filter<float> blur(psf_view, {2048, 2048}, fftconv::Operation::convolve);
///   for (auto& frame : frames) blur.apply(frame.view(), out.view());
template <class T>
class FFTCONV_API Filter {
 public:
  /// Copies what it needs of `kernel`: the view need not outlive the constructor. Throws
  /// fftconv::Error on bad arguments, a method needing more than options.max_memory_bytes, or
  /// an allocation failure.
  /// With options.axes, image_shape may have batch axes and the kernel one kernel per frame
  /// along them (see convolve.hpp); each kernel frame is prepared once.
  Filter(ConstView<T> kernel, const Shape& image_shape, Operation operation,
         const Options& options = Options{});
  /// The same for a kernel that is any dense Eigen object of scalar T (Matrix or Array, row- or
  /// column-major, a Block or Map with strides, an expression): read in its own storage order,
  /// element (i, j) is kernel(i, j). For a 1-D image_shape a kernel with one row or one column is
  /// a 1-D kernel; otherwise it is rows x cols.
  template <class Derived>
  Filter(const Eigen::DenseBase<Derived>& kernel, const Shape& image_shape, Operation operation,
         const Options& options = Options{})
      : Filter(detail::EigenInput<Derived>(kernel), image_shape, operation, options) {}
  Filter(Filter&&) noexcept;
  Filter& operator=(Filter&&) noexcept;
  Filter(const Filter&) = delete;
  Filter& operator=(const Filter&) = delete;
  ~Filter();

  /// out = operation(image, kernel). image must have image_shape(), out output_shape(); out may
  /// alias image. A stack of such images (image_shape() with extra leading axes) is filtered
  /// frame by frame, on the Filter's threads, into out of output_shape() with the same extra
  /// axes (README, "Axes and stacks"). On error nothing is written.
  void apply(ConstView<T> image, View<T> out) const;

  /// The same for any dense Eigen object of image_shape() (see convolve.hpp for the rules):
  /// returns a new object of the input's kind and storage order.
  template <class Derived>
  detail::eigen_result_t<Derived> apply(const Eigen::DenseBase<Derived>& image) const {
    detail::check_scalars<Derived, Eigen::Matrix<T, 1, 1>>();
    const detail::EigenInput<Derived> in(image);
    const auto image_v = detail::image_view(in);
    if (image_v.shape() != image_shape())
      apply(image_v, View<T>());  // throws the shape error, naming both shapes
    detail::eigen_result_t<Derived> result;
    apply(image_v, detail::result_view(result, output_shape()));
    return result;
  }

  // Every member throws fftconv::Error on a moved-from Filter.
  Method method() const;  ///< direct or fft: what apply runs
  Operation operation() const;
  Mode mode() const;
  const Shape& image_shape() const;
  const Shape& kernel_shape() const;
  const Shape& output_shape() const;

 private:
  // (The Eigen constructor's input kept alive while the view constructor reads it.)
  template <class Derived>
  Filter(const detail::EigenInput<Derived>& kernel, const Shape& image_shape, Operation operation,
         const Options& options)
      : Filter(detail::eigen_kernel_view<T>(kernel, image_shape), image_shape, operation, options) {
  }

  struct Impl;
  const Impl& impl() const;
  std::unique_ptr<const Impl> impl_;
};

extern template class Filter<float>;
extern template class Filter<double>;
extern template class Filter<std::complex<float>>;
extern template class Filter<std::complex<double>>;

/// The method Method::automatic runs for this kernel on images of image_shape with these options
/// (options.method = automatic; a forced method is returned as it is, if it fits
/// options.max_memory_bytes): what a one-shot convolve or correlate would use. A Filter of the
/// same problem uses the same method unless max_memory_bytes is tight: it stores the kernel's
/// spectrum, which a one-shot fft call does not, so its fft needs more memory. Cheap: validates and
/// evaluates the cost model, without planning. Throws fftconv::Error as the Filter constructor
/// would. README, "Methods and the automatic choice", explains the model.
FFTCONV_API Method chosen_method(ConstView<float> kernel, const Shape& image_shape,
                                 const Options& options = Options{});
FFTCONV_API Method chosen_method(ConstView<double> kernel, const Shape& image_shape,
                                 const Options& options = Options{});
/// The same for a kernel that is any dense Eigen object, read as the Filter constructor reads it.
template <class Derived>
Method chosen_method(const Eigen::DenseBase<Derived>& kernel, const Shape& image_shape,
                     const Options& options = Options{}) {
  using Scalar = typename Derived::Scalar;
  detail::check_scalars<Derived, Derived>();
  const detail::EigenInput<Derived> in(kernel);
  return chosen_method(detail::eigen_kernel_view<Scalar>(in, image_shape), image_shape, options);
}

/// The instruction set the direct method's inner loop uses in this process: "avx512", "avx2" or
/// "baseline" (SSE2 on x86-64; elsewhere the compiler's 16-byte vectors). The widest the CPU
/// has, chosen at the first call; the environment variable FFTCONV_SIMD=baseline or avx2 caps it
/// (for tests and comparisons). AVX2 and AVX-512 give identical results; baseline differs from
/// them by rounding only (they fuse each multiply-add).
FFTCONV_API const char* direct_simd();

}  // namespace fftconv
