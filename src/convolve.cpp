// The public entry points: validate everything first (nothing is written on failure), choose the
// method, run it on canonical rank-3 views.
#include "fftconv/convolve.hpp"

#include <new>

#include "check.hpp"
#include "choose.hpp"
#include "direct/direct_path.hpp"
#include "fft_path.hpp"
#include "problem.hpp"

namespace fftconv {

namespace {

// A view's strides must name every axis of its shape (a Strides list of another length would
// leave axes with stride 0 and read the wrong elements).
template <class T>
void check_strides(const View<T>& v, const char* view_name, const char* what) {
  FFTCONV_CHECK(v.strides().rank() == v.rank(), invalid_argument, what, ": ", view_name, " has ",
                v.strides().rank(), " strides for rank ", v.rank(), " (shape ",
                to_string(v.shape()), ")");
}

template <class T>
void run(const ConstView<T>& image, const ConstView<T>& kernel, const View<T>& out,
         const Options& options, bool correlate, const char* what) {
  const detail::Problem p =
      detail::make_problem(image.shape(), kernel.shape(), options.mode, correlate, what);
  check_strides(image, "image", what);
  check_strides(kernel, "kernel", what);
  check_strides(out, "out", what);
  FFTCONV_CHECK(image.data() != nullptr, invalid_argument, what, ": image data is null (shape ",
                to_string(image.shape()), ")");
  FFTCONV_CHECK(kernel.data() != nullptr, invalid_argument, what, ": kernel data is null (shape ",
                to_string(kernel.shape()), ")");
  const Method method = options.method;
  FFTCONV_CHECK(method == Method::automatic || method == Method::direct || method == Method::fft,
                invalid_argument, what, ": options.method has unknown value ",
                static_cast<int>(method));
  const Shape expected = p.output_shape();
  FFTCONV_CHECK(out.shape() == expected, invalid_argument, what, ": out has shape ",
                to_string(out.shape()), ", expected ", to_string(expected), " for image ",
                to_string(image.shape()), " and kernel ", to_string(kernel.shape()));
  if (p.output_count() == 0) return;  // valid mode, kernel longer than the image
  FFTCONV_CHECK(out.data() != nullptr, invalid_argument, what, ": out data is null (shape ",
                to_string(out.shape()), ")");

  const ConstView<T> image3 = detail::to_rank3(image);
  const ConstView<T> kernel3 = detail::to_rank3(kernel);
  const View<T> out3 = detail::to_rank3(out);
  const Method chosen = method != Method::automatic
                            ? method
                            : detail::choose_method(p, detail::count_nonzero(kernel3), sizeof(T));
  try {
    if (chosen == Method::direct)
      detail::direct_convolve(p, image3, kernel3, out3);
    else
      detail::fft_convolve(p, image3, kernel3, out3);
  } catch (const std::bad_alloc&) {
    detail::fail(ErrorCode::out_of_memory, what, ": out of memory");
  }
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
