// convolve and correlate on complex data: validated on the real parts' views (the same shapes,
// strides and pointers as the complex views), then the real pipelines on the parts
// (core/complex_pipeline.hpp).
#include <complex>

#include "core/complex_pipeline.hpp"
#include "core/validate.hpp"
#include "fftconv/convolve.hpp"
#include "util/check.hpp"

namespace fftconv {

namespace {

template <class I, class K, class T>
void run_complex(const ConstView<I>& image, const ConstView<K>& kernel,
                 const View<std::complex<T>>& out, const Options& options, bool correlate,
                 const char* what) {
  const detail::Parts<const T> i = detail::parts(image), k = detail::parts(kernel);
  const detail::Parts<T> o = detail::parts(out);
  detail::Call call = detail::validate_call(i.re, k.re, o.re, options, correlate, what);
  detail::check_complex_options(call.frame, what);
  if (element_count(call.batch.output) == 0) return;  // valid mode, kernel longer than the image
  call.frame.single_use = true;
  detail::with_call_errors(what, [&] {
    const detail::ComplexPipeline<T> pipeline(call, k, i.is_complex);
    pipeline.apply(call.batch, i, o);
  });
}

template <class T>
using Complex = std::complex<T>;

constexpr const char* convolve_name = "fftconv::convolve";
constexpr const char* correlate_name = "fftconv::correlate";

}  // namespace

#define FFTCONV_COMPLEX_ENTRY(NAME, IMAGE, KERNEL, T, CORRELATE)                    \
  void NAME(ConstView<IMAGE> image, ConstView<KERNEL> kernel, View<Complex<T>> out, \
            const Options& options) {                                               \
    run_complex(image, kernel, out, options, CORRELATE,                             \
                CORRELATE ? correlate_name : convolve_name);                        \
  }
FFTCONV_COMPLEX_ENTRY(convolve, Complex<float>, Complex<float>, float, false)
FFTCONV_COMPLEX_ENTRY(convolve, float, Complex<float>, float, false)
FFTCONV_COMPLEX_ENTRY(convolve, Complex<float>, float, float, false)
FFTCONV_COMPLEX_ENTRY(convolve, Complex<double>, Complex<double>, double, false)
FFTCONV_COMPLEX_ENTRY(convolve, double, Complex<double>, double, false)
FFTCONV_COMPLEX_ENTRY(convolve, Complex<double>, double, double, false)
FFTCONV_COMPLEX_ENTRY(correlate, Complex<float>, Complex<float>, float, true)
FFTCONV_COMPLEX_ENTRY(correlate, float, Complex<float>, float, true)
FFTCONV_COMPLEX_ENTRY(correlate, Complex<float>, float, float, true)
FFTCONV_COMPLEX_ENTRY(correlate, Complex<double>, Complex<double>, double, true)
FFTCONV_COMPLEX_ENTRY(correlate, double, Complex<double>, double, true)
FFTCONV_COMPLEX_ENTRY(correlate, Complex<double>, double, double, true)
#undef FFTCONV_COMPLEX_ENTRY

}  // namespace fftconv
