// fftconv._fftconv: the C++ API for the Python package, function for function. Arrays arrive as
// numpy arrays the library can view in place (arrays.hpp); every call releases the GIL while the
// library computes. Dtype rules, scipy's and astropy's semantics and argument checking live in
// the package's Python modules (python/fftconv/), which are the public interface.
#include <pybind11/numpy.h>
#include <pybind11/pybind11.h>
#include <pybind11/stl.h>

#include <complex>
#include <string>
#include <type_traits>
#include <utility>
#include <variant>
#include <vector>

#include "arrays.hpp"
#include "bindings.hpp"
#include "fftconv/fftconv.hpp"

namespace py = pybind11;
using fftconv::Options;
using fftconv_python::dtype_name;
using fftconv_python::Element;
using fftconv_python::element_of;
using fftconv_python::input_view;
using fftconv_python::output_view;
using fftconv_python::with_element;
using fftconv_python::with_real;

namespace {

// ---- Options: enum fields by their names (fftconv/names.hpp), lists as tuples -----------------

template <class E>
void enum_field(py::class_<Options>& c, const char* name, E Options::*field) {
  c.def_property(
      name, [field](const Options& o) { return std::string(fftconv::to_string(o.*field)); },
      [field](Options& o, const std::string& text) { o.*field = fftconv::parse<E>(text); });
}

// ---- Per-axis lists (Shape, Axes, Offsets) to and from Python ----------------------------------

template <class Int>
py::tuple dims_tuple(const fftconv::Dims<Int>& d) {
  py::tuple t(static_cast<std::size_t>(d.rank()));
  for (int i = 0; i < d.rank(); ++i)
    t[static_cast<std::size_t>(i)] = d[i];
  return t;
}

/// ValueError naming the argument for more than max_rank values.
template <class Int>
fftconv::Dims<Int> dims_of(const std::vector<Int>& values, const char* name) {
  if (values.size() > static_cast<std::size_t>(fftconv::max_rank))
    throw py::value_error(std::string(name) + ": rank " + std::to_string(values.size()) +
                          " is more than the library's " + std::to_string(fftconv::max_rank));
  fftconv::Dims<Int> d;
  for (Int v : values)
    d.push_back(v);
  return d;
}

template <class Int>
void list_field(py::class_<Options>& c, const char* name, fftconv::Dims<Int> Options::*field) {
  c.def_property(
      name, [field](const Options& o) { return dims_tuple(o.*field); },
      [field, name](Options& o, const std::vector<Int>& values) {
        o.*field = dims_of(values, name);
      });
}

void bind_options(py::module_& m) {
  py::class_<Options> c(m, "Options", "fftconv::Options (fftconv/options.hpp), field for field.");
  c.def(py::init<>());
  enum_field(c, "mode", &Options::mode);
  enum_field(c, "method", &Options::method);
  enum_field(c, "boundary", &Options::boundary);
  enum_field(c, "planning", &Options::planning);
  enum_field(c, "compute_precision", &Options::compute_precision);
  enum_field(c, "nan_policy", &Options::nan_policy);
  c.def_readwrite("fill_value", &Options::fill_value)
      .def_readwrite("threads", &Options::threads)
      .def_readwrite("max_memory_bytes", &Options::max_memory_bytes)
      .def_readwrite("nonnegative", &Options::nonnegative)
      .def_readwrite("normalize_kernel", &Options::normalize_kernel)
      .def_readwrite("min_weight", &Options::min_weight)
      .def_readwrite("preserve_nan", &Options::preserve_nan)
      .def_readwrite("min_overlap", &Options::min_overlap);
  list_field(c, "axes", &Options::axes);
  list_field(c, "origin", &Options::origin);
}

// ---- Dispatch over the element types of two inputs and an output -------------------------------

/// Calls f(ConstView<I>, ConstView<K>, View<O>) for the arrays' element types when f accepts
/// them (the library's overload set: equal types, or real and complex of one precision), else
/// TypeError. The GIL is released around f.
template <class F>
auto dispatch3(const py::array& image, const py::array& kernel, py::array& out, F&& f,
               const char* what) {
  return with_element(element_of(image, "image"), [&](auto i) {
    return with_element(element_of(kernel, "kernel"), [&](auto k) {
      return with_element(element_of(out, "out"), [&](auto o) {
        using I = std::decay_t<decltype(i)>;
        using K = std::decay_t<decltype(k)>;
        using O = std::decay_t<decltype(o)>;
        using Result = decltype(f(fftconv::ConstView<double>(), fftconv::ConstView<double>(),
                                  fftconv::View<double>()));
        if constexpr (std::is_invocable_v<F, fftconv::ConstView<I>, fftconv::ConstView<K>,
                                          fftconv::View<O>>) {
          const auto iv = input_view<I>(image, "image");
          const auto kv = input_view<K>(kernel, "kernel");
          const auto ov = output_view<O>(out, "out");
          py::gil_scoped_release nogil;
          return static_cast<Result>(f(iv, kv, ov));
        } else {
          throw py::type_error(
              std::string(what) + ": no computation for image dtype " + dtype_name(image.dtype()) +
              ", kernel " + dtype_name(kernel.dtype()) + " and output " + dtype_name(out.dtype()));
          return Result();
        }
      });
    });
  });
}

// The library's overload sets as SFINAE-friendly callables (is_invocable sees which exist).
struct Convolve {
  const Options& options;
  bool correlate;
  template <class I, class K, class O>
  auto operator()(fftconv::ConstView<I> i, fftconv::ConstView<K> k, fftconv::View<O> o) const
      -> decltype(fftconv::convolve(i, k, o, options)) {
    if (correlate) return fftconv::correlate(i, k, o, options);
    return fftconv::convolve(i, k, o, options);
  }
};
struct Reference {
  const Options& options;
  bool correlate;
  template <class I, class K, class O>
  auto operator()(fftconv::ConstView<I> i, fftconv::ConstView<K> k, fftconv::View<O> o) const
      -> decltype(fftconv::reference_convolve(i, k, o, options)) {
    if (correlate) return fftconv::reference_correlate(i, k, o, options);
    return fftconv::reference_convolve(i, k, o, options);
  }
};

fftconv::Operation operation(bool correlate) {
  return correlate ? fftconv::Operation::correlate : fftconv::Operation::convolve;
}

// ---- Filter: one of the four element types ------------------------------------------------------

class PyFilter {
 public:
  PyFilter(const py::array& kernel, const std::vector<std::size_t>& image_shape, bool correlate,
           const Options& options)
      : filter_(with_element(element_of(kernel, "kernel"), [&](auto t) -> Any {
          using T = std::decay_t<decltype(t)>;
          const auto kv = input_view<T>(kernel, "kernel");
          const fftconv::Shape shape = dims_of(image_shape, "image_shape");
          py::gil_scoped_release nogil;
          return Any(std::in_place_type<Held<T>>,
                     fftconv::Filter<T>(kv, shape, operation(correlate), options));
        })) {}

  void apply(const py::array& image, py::array& out) const {
    std::visit(
        [&](const auto& f) {
          using T = typename std::decay_t<decltype(f)>::element_type;
          // (the views refuse another dtype than the filter's with TypeError)
          const auto iv = input_view<T>(image, "image");
          const auto ov = output_view<T>(out, "out");
          py::gil_scoped_release nogil;  // (apply is const and thread-safe)
          f.filter.apply(iv, ov);
        },
        filter_);
  }

  std::string method() const {
    return std::visit([](const auto& f) { return std::string(to_string(f.filter.method())); },
                      filter_);
  }
  py::tuple image_shape() const {
    return std::visit([](const auto& f) { return dims_tuple(f.filter.image_shape()); }, filter_);
  }
  py::tuple output_shape() const {
    return std::visit([](const auto& f) { return dims_tuple(f.filter.output_shape()); }, filter_);
  }

 private:
  template <class T>
  struct Held {
    using element_type = T;
    fftconv::Filter<T> filter;
    explicit Held(fftconv::Filter<T>&& f) : filter(std::move(f)) {}
  };
  using Any = std::variant<Held<float>, Held<double>, Held<std::complex<float>>,
                           Held<std::complex<double>>>;

  Any filter_;
};

void bind_functions(py::module_& m) {
  m.def(
      "convolve",
      [](const py::array& image, const py::array& kernel, py::array& out, const Options& options,
         bool correlate) {
        dispatch3(image, kernel, out, Convolve{options, correlate}, "convolve");
      },
      py::arg("image"), py::arg("kernel"), py::arg("out"), py::arg("options"),
      py::arg("correlate"));
  m.def(
      "reference",
      [](const py::array& image, const py::array& kernel, py::array& out, const Options& options,
         bool correlate) {
        dispatch3(image, kernel, out, Reference{options, correlate}, "reference_convolve");
      },
      py::arg("image"), py::arg("kernel"), py::arg("out"), py::arg("options"),
      py::arg("correlate"));
  m.def(
      "error_bound",
      [](const py::array& image, const py::array& kernel, const Options& options, bool correlate,
         bool probabilistic) {
        // (the output array only selects the overload: error_bound writes nothing)
        py::array none = py::array(image.dtype(), std::vector<py::ssize_t>{0});
        const auto guarantee =
            probabilistic ? fftconv::Guarantee::probabilistic : fftconv::Guarantee::worst_case;
        return dispatch3(
            image, kernel, none,
            [&](auto i, auto k, auto) -> decltype(fftconv::error_bound(
                                          i, k, options, operation(correlate), guarantee)) {
              return fftconv::error_bound(i, k, options, operation(correlate), guarantee);
            },
            "error_bound");
      },
      py::arg("image"), py::arg("kernel"), py::arg("options"), py::arg("correlate"),
      py::arg("probabilistic"));
  m.def(
      "compare",
      [](const py::array& result, const py::array& reference, double rel_tol) {
        py::array none = py::array(result.dtype(), std::vector<py::ssize_t>{0});
        const fftconv::ErrorStats s = dispatch3(
            result, reference, none,
            [&](auto r, auto f, auto) -> decltype(fftconv::compare(r, f, rel_tol)) {
              return fftconv::compare(r, f, rel_tol);
            },
            "compare");
        py::dict d;
        d["count"] = s.count;
        d["max_abs"] = s.max_abs;
        d["max_rel"] = s.max_rel;
        d["rms"] = s.rms;
        d["max_ulp"] = s.max_ulp;
        d["median_ulp"] = s.median_ulp;
        d["worst_position"] = dims_tuple(s.worst_position);
        d["count_over"] = s.count_over;
        return d;
      },
      py::arg("result"), py::arg("reference"), py::arg("rel_tol"));
  m.def(
      "convolve_masked",
      [](const py::array& image, const py::array& mask, const py::array& kernel, py::array& values,
         py::object weight, const Options& options) {
        with_real(image, "image", [&](auto t) {
          using T = std::decay_t<decltype(t)>;
          if (!mask.dtype().equal(py::dtype::of<bool>()))
            throw py::type_error("mask: dtype must be bool");
          const auto iv = input_view<T>(image, "image");
          const auto mv = input_view<bool>(mask, "mask");
          const auto kv = input_view<T>(kernel, "kernel");
          const auto vv = output_view<T>(values, "values");
          fftconv::View<T> wv;
          py::array weight_array;
          if (!weight.is_none()) {
            weight_array = weight.cast<py::array>();
            wv = output_view<T>(weight_array, "weight");
          }
          py::gil_scoped_release nogil;
          fftconv::convolve_masked(iv, mv, kv, vv, wv, options);
        });
      },
      py::arg("image"), py::arg("mask"), py::arg("kernel"), py::arg("values"), py::arg("weight"),
      py::arg("options"));
  m.def(
      "match_template",
      [](const py::array& image, const py::array& templ, py::object mask, py::array& score,
         const Options& options) {
        with_real(image, "image", [&](auto t) {
          using T = std::decay_t<decltype(t)>;
          const auto iv = input_view<T>(image, "image");
          const auto tv = input_view<T>(templ, "template");
          const auto sv = output_view<T>(score, "score");
          if (mask.is_none()) {
            py::gil_scoped_release nogil;
            fftconv::match_template(iv, tv, sv, options);
          } else {
            const py::array mask_array = mask.cast<py::array>();
            const auto mv = input_view<bool>(mask_array, "mask");
            py::gil_scoped_release nogil;
            fftconv::match_template(iv, tv, mv, sv, options);
          }
        });
      },
      py::arg("image"), py::arg("template"), py::arg("mask"), py::arg("score"), py::arg("options"));
  m.def(
      "find_peaks",
      [](const py::array& score, double threshold, std::size_t min_distance) {
        const std::vector<fftconv::Peak> peaks = with_real(score, "score", [&](auto t) {
          using T = std::decay_t<decltype(t)>;
          const auto sv = input_view<T>(score, "score");
          py::gil_scoped_release nogil;
          return fftconv::find_peaks(sv, threshold, min_distance);
        });
        py::list list;
        for (const fftconv::Peak& p : peaks) {
          py::tuple index(static_cast<std::size_t>(p.rank)),
              position(static_cast<std::size_t>(p.rank));
          for (int a = 0; a < p.rank; ++a) {
            index[static_cast<std::size_t>(a)] = p.index[static_cast<std::size_t>(a)];
            position[static_cast<std::size_t>(a)] = p.position[static_cast<std::size_t>(a)];
          }
          list.append(py::make_tuple(index, position, p.value));
        }
        return list;
      },
      py::arg("score"), py::arg("threshold"), py::arg("min_distance"));
  m.def(
      "chosen_method",
      [](const py::array& kernel, const std::vector<std::size_t>& image_shape,
         const Options& options) {
        const fftconv::Shape shape = dims_of(image_shape, "image_shape");
        return with_real(kernel, "kernel", [&](auto t) {
          using T = std::decay_t<decltype(t)>;
          const auto kv = input_view<T>(kernel, "kernel");
          py::gil_scoped_release nogil;  // (validation reads the whole kernel)
          return std::string(fftconv::to_string(fftconv::chosen_method(kv, shape, options)));
        });
      },
      py::arg("kernel"), py::arg("image_shape"), py::arg("options"));
  m.def(
      "output_shape",
      [](const std::vector<std::size_t>& image, const std::vector<std::size_t>& kernel,
         const Options& options) {
        return dims_tuple(fftconv::output_shape(dims_of(image, "image_shape"),
                                                dims_of(kernel, "kernel_shape"), options));
      },
      py::arg("image_shape"), py::arg("kernel_shape"), py::arg("options"));
  m.def(
      "fft_shape",
      [](const std::vector<std::size_t>& image, const std::vector<std::size_t>& kernel,
         const Options& options) {
        return dims_tuple(fftconv::fft_shape(dims_of(image, "image_shape"),
                                             dims_of(kernel, "kernel_shape"), options));
      },
      py::arg("image_shape"), py::arg("kernel_shape"), py::arg("options"));
  m.def("next_fast_size", &fftconv::next_fast_size, py::arg("n"));

  py::class_<PyFilter>(m, "Filter")
      .def(py::init<const py::array&, const std::vector<std::size_t>&, bool, const Options&>(),
           py::arg("kernel"), py::arg("image_shape"), py::arg("correlate"), py::arg("options"))
      .def("apply", &PyFilter::apply, py::arg("image"), py::arg("out"))
      .def_property_readonly("method", &PyFilter::method)
      .def_property_readonly("image_shape", &PyFilter::image_shape)
      .def_property_readonly("output_shape", &PyFilter::output_shape);
}

}  // namespace

PYBIND11_MODULE(_fftconv, m) {
  m.doc() = "fftconv's C++ API for the fftconv Python package (use the package, not this module)";
  fftconv_python::bind_restoration(m);
  fftconv_python::bind_frequency(m);
  m.attr("version") = std::to_string(fftconv::version_major) + "." +
                      std::to_string(fftconv::version_minor) + "." +
                      std::to_string(fftconv::version_patch);
  // fftconv::Error -> fftconv.Error (a ValueError) with .code, the ErrorCode's name.
  static py::exception<fftconv::Error> error(m, "Error", PyExc_ValueError);
  py::register_exception_translator([](std::exception_ptr p) {
    try {
      if (p) std::rethrow_exception(p);
    } catch (const fftconv::Error& e) {
      py::object instance = py::handle(error.ptr())(e.what());  // (error() would only set it)
      instance.attr("code") = std::string(fftconv::to_string(e.code()));
      PyErr_SetObject(error.ptr(), instance.ptr());
    }
  });
  bind_options(m);
  bind_functions(m);
}
