#include "deconvolution/blur_operator.hpp"

#include <algorithm>

#include "util/check.hpp"

namespace fftconv::detail {

Grid grid_of(const Shape& shape) {
  Grid g;
  const int r = shape.rank();
  for (int a = 0; a < r; ++a)
    g.n[static_cast<std::size_t>(3 - r + a)] = shape[a];
  return g;
}

Shape deconvolution_domain(const Shape& image, const Shape& psf, DeconvolutionEdges edges) {
  if (edges != DeconvolutionEdges::extended) return image;
  Shape d = image;
  for (int a = 0; a < image.rank(); ++a)
    d[a] = image[a] + psf[a] - 1;
  return d;
}

namespace {

Options pipeline_options(const BlurSetup& s, std::size_t limit) {
  Options o;
  o.method = s.method;
  o.planning = s.planning;
  o.threads = s.threads;
  o.max_memory_bytes = limit;
  if (s.edges == DeconvolutionEdges::periodic) o.boundary = Boundary::wrap;
  return o;
}

// H: convolve the domain-shaped estimate into the image's shape.
template <class T>
Call blur_call(const ConstView<T>& psf, const Shape& domain, const BlurSetup& s, const char* what) {
  Options o = pipeline_options(s, s.max_memory_bytes);
  o.mode = s.edges == DeconvolutionEdges::extended ? Mode::valid : Mode::same;
  return validate_call_setup(psf, domain, o, false, what);
}

// B: correlate the image-shaped ratio into the domain's shape; `limit` what H left.
template <class T>
Call back_call(const ConstView<T>& psf, const Shape& image, const BlurSetup& s, std::size_t limit,
               const char* what) {
  Options o = pipeline_options(s, limit);
  if (s.edges == DeconvolutionEdges::extended) {
    o.mode = Mode::full;
  } else if (!s.skimage_back_projection) {
    // correlate's `same` window starts at (k - 1) / 2 of `full`, where H's adjoint starts at
    // k / 2: one sample later along even axes.
    for (int a = 0; a < psf.rank(); ++a)
      o.origin.push_back(static_cast<std::ptrdiff_t>((psf.extent(a) - 1) % 2));
  }
  return validate_call_setup(psf, image, o, true, what);
}

// The memory limit less what the blur's pipeline takes (out_of_memory when it takes it all).
template <class T>
std::size_t memory_left(const BatchedPipeline<T>& blur, const BlurSetup& s, const char* what) {
  FFTCONV_CHECK(blur.bytes() <= s.max_memory_bytes, out_of_memory, what, ": the blur needs ",
                blur.bytes(), " bytes, over the memory left (", s.max_memory_bytes, ")");
  return s.max_memory_bytes - blur.bytes();
}

}  // namespace

template <class T>
BlurOperator<T>::BlurOperator(const ConstView<T>& psf, const Shape& image_shape,
                              const BlurSetup& setup, const char* what)
    : image_shape_(image_shape),
      domain_shape_(deconvolution_domain(image_shape, psf.shape(), setup.edges)),
      image_(grid_of(image_shape_)),
      domain_(grid_of(domain_shape_)),
      blur_call_(blur_call(psf, domain_shape_, setup, what)),
      blur_(blur_call_, psf),
      // B gets what H left of the limit.
      back_call_(back_call(psf, image_shape_, setup, memory_left(blur_, setup, what), what)),
      back_(back_call_, psf) {
  if (setup.edges == DeconvolutionEdges::extended) {
    const Grid k = grid_of(psf.shape());
    for (std::size_t a = 0; a < 3; ++a)
      offset_[a] = k.n[a] / 2;
  }
}

template <class T>
void BlurOperator<T>::blur(const T* f, T* out) const {
  blur_.apply(blur_call_.batch, ConstView<T>(f, domain_shape_), View<T>(out, image_shape_));
}

template <class T>
void BlurOperator<T>::back_project(const T* r, T* out) const {
  back_.apply(back_call_.batch, ConstView<T>(r, image_shape_), View<T>(out, domain_shape_));
}

template class BlurOperator<float>;
template class BlurOperator<double>;

}  // namespace fftconv::detail
