// fftconv._fftconv's transfer-function filters (fftconv/frequency.hpp): the FrequencyOptions from
// their Python arguments, a transfer function as an array of the grid's full or half spectrum
// (python/fftconv/filters.py evaluates callables on the grid with numpy), the GIL released.
#include <pybind11/numpy.h>
#include <pybind11/pybind11.h>
#include <pybind11/stl.h>

#include <complex>
#include <string>
#include <vector>

#include "arrays.hpp"
#include "bindings.hpp"
#include "fftconv/frequency.hpp"

namespace py = pybind11;

namespace fftconv_python {

namespace {

fftconv::FrequencyOptions frequency_options(const std::string& boundary, std::size_t padding,
                                            double fill_value, int threads) {
  fftconv::FrequencyOptions o;
  o.boundary = fftconv::parse<fftconv::Boundary>(boundary);
  o.padding = padding;
  o.fill_value = fill_value;
  o.threads = threads;
  return o;
}

// call(image view, out view) for the image's real type, the GIL released.
template <class Call>
void on_views(const py::array& image, py::array& out, Call&& call) {
  with_real(image, "image", [&](auto t) {
    using T = std::decay_t<decltype(t)>;
    const auto iv = input_view<T>(image, "image");
    const auto ov = output_view<T>(out, "out");
    py::gil_scoped_release nogil;
    call(iv, ov);
  });
}

}  // namespace

void bind_frequency(py::module_& m) {
  m.def(
      "frequency_grid_shape",
      [](const std::vector<std::size_t>& shape, const std::string& boundary, std::size_t padding) {
        fftconv::Shape s;
        for (std::size_t n : shape)
          s.push_back(n);
        const fftconv::Shape g =
            fftconv::frequency_grid_shape(s, frequency_options(boundary, padding, 0, 1));
        return std::vector<std::size_t>(g.begin(), g.end());
      },
      py::arg("shape"), py::arg("boundary"), py::arg("padding"));
  m.def(
      "frequency_filter",
      [](const py::array& image, py::array& out, const py::array& transfer,
         const std::string& boundary, std::size_t padding, double fill_value, int threads) {
        const auto o = frequency_options(boundary, padding, fill_value, threads);
        with_real(image, "image", [&](auto t) {
          using T = std::decay_t<decltype(t)>;
          const auto iv = input_view<T>(image, "image");
          const auto ov = output_view<T>(out, "out");
          const auto hv = input_view<std::complex<T>>(transfer, "transfer");
          py::gil_scoped_release nogil;
          fftconv::frequency_filter(iv, ov, hv, o);
        });
      },
      py::arg("image"), py::arg("out"), py::arg("transfer"), py::arg("boundary"),
      py::arg("padding"), py::arg("fill_value"), py::arg("threads"));
  m.def(
      "butterworth",
      [](const py::array& image, py::array& out, double cutoff, bool high_pass, double order,
         const std::string& boundary, std::size_t padding, double fill_value, int threads) {
        const auto o = frequency_options(boundary, padding, fill_value, threads);
        on_views(image, out,
                 [&](auto i, auto v) { fftconv::butterworth(i, v, cutoff, high_pass, order, o); });
      },
      py::arg("image"), py::arg("out"), py::arg("cutoff_frequency_ratio"), py::arg("high_pass"),
      py::arg("order"), py::arg("boundary"), py::arg("padding"), py::arg("fill_value"),
      py::arg("threads"));
  m.def(
      "gaussian_lowpass",
      [](const py::array& image, py::array& out, double sigma, const std::string& boundary,
         std::size_t padding, double fill_value, int threads) {
        const auto o = frequency_options(boundary, padding, fill_value, threads);
        on_views(image, out, [&](auto i, auto v) { fftconv::gaussian_lowpass(i, v, sigma, o); });
      },
      py::arg("image"), py::arg("out"), py::arg("sigma_frequency"), py::arg("boundary"),
      py::arg("padding"), py::arg("fill_value"), py::arg("threads"));
  m.def(
      "band_pass",
      [](const py::array& image, py::array& out, double low, double high, double order,
         const std::string& boundary, std::size_t padding, double fill_value, int threads) {
        const auto o = frequency_options(boundary, padding, fill_value, threads);
        on_views(image, out,
                 [&](auto i, auto v) { fftconv::band_pass(i, v, low, high, order, o); });
      },
      py::arg("image"), py::arg("out"), py::arg("low_cutoff"), py::arg("high_cutoff"),
      py::arg("order"), py::arg("boundary"), py::arg("padding"), py::arg("fill_value"),
      py::arg("threads"));
  m.def(
      "fourier_shift",
      [](const py::array& image, py::array& out, const std::vector<double>& shift,
         const std::string& boundary, std::size_t padding, double fill_value, int threads) {
        const auto o = frequency_options(boundary, padding, fill_value, threads);
        on_views(image, out, [&](auto i, auto v) { fftconv::fourier_shift(i, v, shift, o); });
      },
      py::arg("image"), py::arg("out"), py::arg("shift"), py::arg("boundary"), py::arg("padding"),
      py::arg("fill_value"), py::arg("threads"));
}

}  // namespace fftconv_python
