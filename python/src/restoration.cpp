// fftconv._fftconv's deconvolutions (fftconv/deconvolve.hpp), argument for argument: enum fields
// by their names, an optional bool mask, the progress callback called with the GIL held. The
// scikit-image drop-in semantics live in python/fftconv/restoration.py.
#include <pybind11/functional.h>
#include <pybind11/numpy.h>
#include <pybind11/pybind11.h>

#include <optional>
#include <string>

#include "arrays.hpp"
#include "bindings.hpp"
#include "fftconv/deconvolve.hpp"

namespace py = pybind11;

namespace fftconv_python {

namespace {

// The mask view of an optional bool array (None: no mask).
fftconv::ConstView<bool> mask_view(const py::object& mask) {
  if (mask.is_none()) return {};
  const py::array a = mask.cast<py::array>();
  if (!a.dtype().equal(py::dtype::of<bool>())) throw py::type_error("mask: dtype must be bool");
  return input_view<bool>(a, "mask");
}

// The progress callable (None: none), called with the GIL taken back; an exception it raises
// propagates (pybind11 carries it through the library as error_already_set).
fftconv::IterationCallback progress_of(const py::object& progress) {
  if (progress.is_none()) return {};
  py::function f = progress.cast<py::function>();
  return [f](int k, double change) {
    py::gil_scoped_acquire gil;
    return f(k, change).cast<bool>();
  };
}

// The options richardson_lucy and landweber share, from their Python arguments.
template <class O>
void iteration_options(O& o, int iterations, const std::string& edges, bool clip,
                       const py::object& mask, bool start_from_out, int threads,
                       const std::string& method, const py::object& progress) {
  o.iterations = iterations;
  o.edges = fftconv::parse<fftconv::DeconvolutionEdges>(edges);
  o.clip = clip;
  o.mask = mask_view(mask);
  o.start_from_out = start_from_out;
  o.threads = threads;
  o.method = fftconv::parse<fftconv::Method>(method);
  o.progress = progress_of(progress);
}

// call(image view, psf view, out view) for the image's real type, the GIL released.
template <class Call>
void on_views(const py::array& image, const py::array& psf, py::array& out, Call&& call) {
  with_real(image, "image", [&](auto t) {
    using T = std::decay_t<decltype(t)>;
    const auto iv = input_view<T>(image, "image");
    const auto pv = input_view<T>(psf, "psf");
    const auto ov = output_view<T>(out, "out");
    py::gil_scoped_release nogil;
    call(iv, pv, ov);
  });
}

}  // namespace

void bind_restoration(py::module_& m) {
  m.def(
      "richardson_lucy",
      [](const py::array& image, const py::array& psf, py::array& out, int iterations,
         const std::string& acceleration, const std::string& edges, double filter_epsilon,
         bool clip, double tv, const py::object& mask, bool start_from_out, int threads,
         const std::string& method, const py::object& progress) {
        fftconv::RichardsonLucyOptions o;
        iteration_options(o, iterations, edges, clip, mask, start_from_out, threads, method,
                          progress);
        o.acceleration = fftconv::parse<fftconv::Acceleration>(acceleration);
        o.filter_epsilon = filter_epsilon;
        o.tv_regularization = tv;
        on_views(image, psf, out,
                 [&](auto i, auto p, auto v) { fftconv::richardson_lucy(i, p, v, o); });
      },
      py::arg("image"), py::arg("psf"), py::arg("out"), py::arg("iterations"),
      py::arg("acceleration"), py::arg("edges"), py::arg("filter_epsilon"), py::arg("clip"),
      py::arg("tv"), py::arg("mask"), py::arg("start_from_out"), py::arg("threads"),
      py::arg("method"), py::arg("progress"));
  m.def(
      "landweber",
      [](const py::array& image, const py::array& psf, py::array& out, int iterations, double alpha,
         bool positivity, const std::string& edges, bool clip, const py::object& mask,
         bool start_from_out, int threads, const std::string& method, const py::object& progress) {
        fftconv::LandweberOptions o;
        iteration_options(o, iterations, edges, clip, mask, start_from_out, threads, method,
                          progress);
        o.alpha = alpha;
        o.positivity = positivity;
        on_views(image, psf, out, [&](auto i, auto p, auto v) { fftconv::landweber(i, p, v, o); });
      },
      py::arg("image"), py::arg("psf"), py::arg("out"), py::arg("iterations"), py::arg("alpha"),
      py::arg("positivity"), py::arg("edges"), py::arg("clip"), py::arg("mask"),
      py::arg("start_from_out"), py::arg("threads"), py::arg("method"), py::arg("progress"));
  m.def(
      "wiener",
      [](const py::array& image, const py::array& psf, py::array& out, double balance,
         const std::string& regularizer, const py::object& regularizer_kernel,
         const std::string& edges, bool clip, int threads) {
        fftconv::WienerOptions o;
        o.regularizer = fftconv::parse<fftconv::Regularizer>(regularizer);
        py::array reg;
        if (!regularizer_kernel.is_none()) {
          reg = regularizer_kernel.cast<py::array>();
          o.regularizer_kernel = input_view<double>(reg, "regularizer_kernel");
        }
        o.edges = fftconv::parse<fftconv::DeconvolutionEdges>(edges);
        o.clip = clip;
        o.threads = threads;
        on_views(image, psf, out,
                 [&](auto i, auto p, auto v) { fftconv::wiener(i, p, v, balance, o); });
      },
      py::arg("image"), py::arg("psf"), py::arg("out"), py::arg("balance"), py::arg("regularizer"),
      py::arg("regularizer_kernel"), py::arg("edges"), py::arg("clip"), py::arg("threads"));
}

}  // namespace fftconv_python
