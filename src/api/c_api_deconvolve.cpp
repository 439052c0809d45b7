// The C API of the deconvolutions (fftconv.h, "Deconvolution"): the options struct converted
// field by field to the C++ options, the mask's bytes to bools, the progress callback wrapped;
// every exception turned into a status (api/c_api_support.hpp).
#include <algorithm>
#include <cstring>
#include <limits>
#include <memory>

#include "api/c_api_support.hpp"
#include "fftconv/deconvolve.hpp"

namespace {

using fftconv::detail::c_api::check_pointer;
using fftconv::detail::c_api::guarded;
using fftconv::detail::c_api::init_struct;
using fftconv::detail::c_api::read_flag;
using fftconv::detail::c_api::read_struct;
using fftconv::detail::c_api::to_shape;

// Every released layout of fftconv_deconvolution_options, oldest first (0.6: the first).
constexpr std::size_t deconvolution_sizes[] = {sizeof(fftconv_deconvolution_options)};

fftconv_deconvolution_options defaults() {
  fftconv_deconvolution_options o{};
  o.struct_size = sizeof o;
  o.iterations = 50;
  o.acceleration = FFTCONV_ACCELERATION_NONE;
  o.edges = FFTCONV_EDGES_ZERO;
  o.planning = FFTCONV_PLANNING_ESTIMATE;
  o.method = FFTCONV_METHOD_AUTOMATIC;
  o.threads = 1;
  o.max_memory_bytes = std::numeric_limits<size_t>::max();
  o.alpha = 1;
  o.positivity = 1;
  return o;
}

// The caller's options over the defaults (NULL: the defaults).
fftconv_deconvolution_options read(const fftconv_deconvolution_options* o, const char* what) {
  return read_struct(o, defaults(), deconvolution_sizes, "fftconv_deconvolution_options", what);
}

// The fields both iterative methods share, into a C++ options struct O.
template <class O>
void common(const fftconv_deconvolution_options& c, O& o, const char* what) {
  o.iterations = c.iterations;
  o.edges = static_cast<fftconv::DeconvolutionEdges>(c.edges);
  o.clip = read_flag(c.clip, what, "options.clip");
  o.start_from_out = read_flag(c.start_from_out, what, "options.start_from_out");
  o.threads = c.threads;
  o.planning = static_cast<fftconv::Planning>(c.planning);
  o.method = static_cast<fftconv::Method>(c.method);
  o.max_memory_bytes = c.max_memory_bytes;
  if (c.progress != nullptr) {
    const fftconv_progress_fn f = c.progress;
    void* data = c.progress_data;
    o.progress = [f, data](int k, double change) { return f(data, k, change) != 0; };
  }
}

// Runs body(image, psf, out, mask view) on the arrays as views, the mask's bytes as bools.
template <class T, class Body>
int deconvolve(int rank, const size_t* image_shape, const T* image, const size_t* psf_shape,
               const T* psf, T* out, const unsigned char* mask, const char* what, Body&& body) {
  return guarded([&] {
    const fftconv::Shape is = to_shape(rank, image_shape, what, "image_shape");
    const fftconv::Shape ps = to_shape(rank, psf_shape, what, "psf_shape");
    check_pointer(image, what, "image");
    check_pointer(psf, what, "psf");
    check_pointer(out, what, "out");
    std::unique_ptr<bool[]> flags;
    fftconv::ConstView<bool> m;
    if (mask != nullptr) {
      const std::size_t n = fftconv::element_count(is);
      flags.reset(new bool[n]);
      for (std::size_t i = 0; i < n; ++i)
        flags[i] = mask[i] != 0;
      m = fftconv::ConstView<bool>(flags.get(), is);
    }
    body(fftconv::ConstView<T>(image, is), fftconv::ConstView<T>(psf, ps),
         fftconv::View<T>(out, is), m);
  });
}

template <class T>
int rl(int rank, const size_t* image_shape, const T* image, const size_t* psf_shape, const T* psf,
       T* out, const fftconv_deconvolution_options* options, const char* what) {
  fftconv_deconvolution_options c{};
  const int read_status = guarded([&] { c = read(options, what); });
  if (read_status != FFTCONV_OK) return read_status;
  return deconvolve(rank, image_shape, image, psf_shape, psf, out, c.mask, what,
                    [&](auto i, auto p, auto o, auto m) {
                      fftconv::RichardsonLucyOptions r;
                      common(c, r, what);
                      r.acceleration = static_cast<fftconv::Acceleration>(c.acceleration);
                      r.filter_epsilon = c.filter_epsilon;
                      r.tv_regularization = c.tv_regularization;
                      r.mask = m;
                      fftconv::richardson_lucy(i, p, o, r);
                    });
}

template <class T>
int lw(int rank, const size_t* image_shape, const T* image, const size_t* psf_shape, const T* psf,
       T* out, const fftconv_deconvolution_options* options, const char* what) {
  fftconv_deconvolution_options c{};
  const int read_status = guarded([&] { c = read(options, what); });
  if (read_status != FFTCONV_OK) return read_status;
  return deconvolve(rank, image_shape, image, psf_shape, psf, out, c.mask, what,
                    [&](auto i, auto p, auto o, auto m) {
                      fftconv::LandweberOptions l;
                      common(c, l, what);
                      l.alpha = c.alpha;
                      l.positivity = read_flag(c.positivity, what, "options.positivity");
                      l.mask = m;
                      fftconv::landweber(i, p, o, l);
                    });
}

template <class T>
int wi(int rank, const size_t* image_shape, const T* image, const size_t* psf_shape, const T* psf,
       T* out, double balance, int regularizer, int edges, int clip, int threads,
       const char* what) {
  return deconvolve(rank, image_shape, image, psf_shape, psf, out, nullptr, what,
                    [&](auto i, auto p, auto o, auto) {
                      fftconv::WienerOptions w;
                      w.regularizer = static_cast<fftconv::Regularizer>(regularizer);
                      w.edges = static_cast<fftconv::DeconvolutionEdges>(edges);
                      w.clip = read_flag(clip, what, "clip");
                      w.threads = threads;
                      fftconv::wiener(i, p, o, balance, w);
                    });
}

}  // namespace

extern "C" {

int fftconv_deconvolution_options_init(fftconv_deconvolution_options* options, size_t struct_size) {
  constexpr const char* what = "fftconv_deconvolution_options_init";
  return guarded([&] {
    init_struct(options, struct_size, defaults(), deconvolution_sizes,
                "fftconv_deconvolution_options", what);
  });
}

int fftconv_richardson_lucy_f64(int rank, const size_t* image_shape, const double* image,
                                const size_t* psf_shape, const double* psf, double* out,
                                const fftconv_deconvolution_options* options) {
  return rl(rank, image_shape, image, psf_shape, psf, out, options, "fftconv_richardson_lucy_f64");
}
int fftconv_richardson_lucy_f32(int rank, const size_t* image_shape, const float* image,
                                const size_t* psf_shape, const float* psf, float* out,
                                const fftconv_deconvolution_options* options) {
  return rl(rank, image_shape, image, psf_shape, psf, out, options, "fftconv_richardson_lucy_f32");
}
int fftconv_landweber_f64(int rank, const size_t* image_shape, const double* image,
                          const size_t* psf_shape, const double* psf, double* out,
                          const fftconv_deconvolution_options* options) {
  return lw(rank, image_shape, image, psf_shape, psf, out, options, "fftconv_landweber_f64");
}
int fftconv_landweber_f32(int rank, const size_t* image_shape, const float* image,
                          const size_t* psf_shape, const float* psf, float* out,
                          const fftconv_deconvolution_options* options) {
  return lw(rank, image_shape, image, psf_shape, psf, out, options, "fftconv_landweber_f32");
}
int fftconv_wiener_f64(int rank, const size_t* image_shape, const double* image,
                       const size_t* psf_shape, const double* psf, double* out, double balance,
                       int regularizer, int edges, int clip, int threads) {
  return wi(rank, image_shape, image, psf_shape, psf, out, balance, regularizer, edges, clip,
            threads, "fftconv_wiener_f64");
}
int fftconv_wiener_f32(int rank, const size_t* image_shape, const float* image,
                       const size_t* psf_shape, const float* psf, float* out, double balance,
                       int regularizer, int edges, int clip, int threads) {
  return wi(rank, image_shape, image, psf_shape, psf, out, balance, regularizer, edges, clip,
            threads, "fftconv_wiener_f32");
}

}  // extern "C"
