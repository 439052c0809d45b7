// The deconvolutions' C API: the same results as the C++ calls, defaults, the progress callback,
// masks, statuses and messages, nothing written on failure.
#include <doctest/doctest.h>

#include <algorithm>
#include <cstring>
#include <memory>
#include <string>
#include <vector>

#include "fftconv/deconvolve.hpp"
#include "fftconv/fftconv.h"

namespace {

std::vector<double> test_image() {
  std::vector<double> v(48);
  for (int i = 0; i < 48; ++i)
    v[std::size_t(i)] = 0.5 + (i * 7 % 11) / 10.0;
  return v;
}
const std::vector<double> psf = {1 / 16., 2 / 16., 1 / 16., 2 / 16., 4 / 16.,
                                 2 / 16., 1 / 16., 2 / 16., 1 / 16.};
const size_t image_shape[] = {6, 8}, psf_shape[] = {3, 3};

int stop_after_three(void* data, int iteration, double) {
  ++*static_cast<int*>(data);
  return iteration < 3;
}

}  // namespace

TEST_CASE("fftconv_richardson_lucy and fftconv_landweber equal the C++ calls") {
  const auto image = test_image();
  fftconv_deconvolution_options c;
  REQUIRE(fftconv_deconvolution_options_default(&c) == FFTCONV_OK);
  CHECK(c.iterations == 50);
  CHECK(c.edges == FFTCONV_EDGES_ZERO);
  c.iterations = 7;
  c.edges = FFTCONV_EDGES_PERIODIC;
  c.acceleration = FFTCONV_ACCELERATION_BIGGS_ANDREWS;
  std::vector<double> out(48);
  REQUIRE(fftconv_richardson_lucy_f64(2, image_shape, image.data(), psf_shape, psf.data(),
                                      out.data(), &c) == FFTCONV_OK);
  fftconv::RichardsonLucyOptions o;
  o.iterations = 7;
  o.edges = fftconv::DeconvolutionEdges::periodic;
  o.acceleration = fftconv::Acceleration::biggs_andrews;
  std::vector<double> want(48);
  fftconv::richardson_lucy(fftconv::ConstView<double>(image.data(), {6, 8}),
                           fftconv::ConstView<double>(psf.data(), {3, 3}),
                           fftconv::View<double>(want.data(), {6, 8}), o);
  CHECK(out == want);
  // NULL options are the defaults
  REQUIRE(fftconv_richardson_lucy_f64(2, image_shape, image.data(), psf_shape, psf.data(),
                                      out.data(), nullptr) == FFTCONV_OK);
  fftconv::richardson_lucy(fftconv::ConstView<double>(image.data(), {6, 8}),
                           fftconv::ConstView<double>(psf.data(), {3, 3}),
                           fftconv::View<double>(want.data(), {6, 8}));
  CHECK(out == want);
  // float, a mask and the progress callback
  std::vector<float> fi(image.begin(), image.end()), fp(psf.begin(), psf.end()), fo(48);
  std::vector<unsigned char> mask(48, 0);
  mask[10] = 7;  // any non-zero byte is bad
  int calls = 0;
  fftconv_deconvolution_options_default(&c);
  c.mask = mask.data();
  c.progress = stop_after_three;
  c.progress_data = &calls;
  REQUIRE(fftconv_richardson_lucy_f32(2, image_shape, fi.data(), psf_shape, fp.data(), fo.data(),
                                      &c) == FFTCONV_OK);
  CHECK(calls == 3);
  std::unique_ptr<bool[]> flags(new bool[48]());
  flags[10] = true;
  fftconv::RichardsonLucyOptions fo_options;
  fo_options.iterations = 3;
  fo_options.mask = fftconv::ConstView<bool>(flags.get(), {6, 8});
  std::vector<float> fwant(48);
  fftconv::richardson_lucy(fftconv::ConstView<float>(fi.data(), {6, 8}),
                           fftconv::ConstView<float>(fp.data(), {3, 3}),
                           fftconv::View<float>(fwant.data(), {6, 8}), fo_options);
  CHECK(fo == fwant);
  // landweber
  fftconv_deconvolution_options_default(&c);
  c.iterations = 5;
  c.alpha = 0.5;
  REQUIRE(fftconv_landweber_f64(2, image_shape, image.data(), psf_shape, psf.data(), out.data(),
                                &c) == FFTCONV_OK);
  fftconv::LandweberOptions l;
  l.iterations = 5;
  l.alpha = 0.5;
  fftconv::landweber(fftconv::ConstView<double>(image.data(), {6, 8}),
                     fftconv::ConstView<double>(psf.data(), {3, 3}),
                     fftconv::View<double>(want.data(), {6, 8}), l);
  CHECK(out == want);
}

TEST_CASE("fftconv_wiener equals the C++ call, and the deconvolutions' C API refuses bad input") {
  const auto image = test_image();
  std::vector<double> out(48), want(48);
  REQUIRE(fftconv_wiener_f64(2, image_shape, image.data(), psf_shape, psf.data(), out.data(), 0.1,
                             FFTCONV_REGULARIZER_IDENTITY, FFTCONV_EDGES_PERIODIC, 0,
                             1) == FFTCONV_OK);
  fftconv::WienerOptions w;
  w.regularizer = fftconv::Regularizer::identity;
  fftconv::wiener(fftconv::ConstView<double>(image.data(), {6, 8}),
                  fftconv::ConstView<double>(psf.data(), {3, 3}),
                  fftconv::View<double>(want.data(), {6, 8}), 0.1, w);
  CHECK(out == want);

  std::vector<double> untouched(48, -1.0);
  fftconv_deconvolution_options c;
  fftconv_deconvolution_options_default(&c);
  c.iterations = -2;
  CHECK(fftconv_richardson_lucy_f64(2, image_shape, image.data(), psf_shape, psf.data(),
                                    untouched.data(), &c) == FFTCONV_INVALID_ARGUMENT);
  CHECK(std::string(fftconv_last_error()).find("iterations") != std::string::npos);
  c.iterations = 1;
  c.struct_size = 12;
  CHECK(fftconv_richardson_lucy_f64(2, image_shape, image.data(), psf_shape, psf.data(),
                                    untouched.data(), &c) == FFTCONV_INVALID_ARGUMENT);
  CHECK(std::string(fftconv_last_error()).find("struct_size") != std::string::npos);
  fftconv_deconvolution_options_default(&c);
  c.clip = 2;
  CHECK(fftconv_richardson_lucy_f64(2, image_shape, image.data(), psf_shape, psf.data(),
                                    untouched.data(), &c) == FFTCONV_INVALID_ARGUMENT);
  CHECK(fftconv_richardson_lucy_f64(2, image_shape, nullptr, psf_shape, psf.data(),
                                    untouched.data(), nullptr) == FFTCONV_INVALID_ARGUMENT);
  CHECK(fftconv_wiener_f64(2, image_shape, image.data(), psf_shape, psf.data(), untouched.data(),
                           -1, 0, 1, 0, 1) == FFTCONV_INVALID_ARGUMENT);
  CHECK(fftconv_wiener_f64(2, image_shape, image.data(), psf_shape, psf.data(), untouched.data(),
                           0.1, 9, 1, 0, 1) == FFTCONV_INVALID_ARGUMENT);
  CHECK(std::string(fftconv_last_error()).find("regularizer") != std::string::npos);
  CHECK(std::all_of(untouched.begin(), untouched.end(), [](double v) { return v == -1.0; }));
  const char* name = nullptr;
  CHECK(fftconv_option_name("edges", FFTCONV_EDGES_EXTENDED, &name) == FFTCONV_OK);
  CHECK(std::string(name) == "extended");
  int value = -1;
  CHECK(fftconv_option_value("acceleration", "biggs_andrews", &value) == FFTCONV_OK);
  CHECK(value == FFTCONV_ACCELERATION_BIGGS_ANDREWS);
}
