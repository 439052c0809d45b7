// The C API against the C++ entry points it wraps: the same refusals with the same messages,
// decided before anything of the declared sizes is allocated (issue 17: the masked and matching
// calls copied their masks first, so a huge declared shape ran out of memory instead of being
// refused for its real fault).
#include <doctest/doctest.h>

#include <cstddef>
#include <string>

#include "fftconv/fftconv.h"
#include "fftconv/fftconv.hpp"

namespace {

// 2^50 elements: any copy of an image of this shape fails, so a refusal that names the bad
// argument proves nothing of that size was allocated first. The data are 9 values, never read.
const std::size_t huge[2] = {std::size_t{1} << 25, std::size_t{1} << 25};
const fftconv::Shape huge_shape{std::size_t{1} << 25, std::size_t{1} << 25};
const std::size_t k3[2] = {3, 3};
const fftconv::Shape k3_shape{3, 3};

}  // namespace

TEST_CASE("C API convolve_masked: an unknown option refused as in C++, before the mask is copied") {
  double data[9] = {};
  double values[9] = {};
  unsigned char mask[9] = {};
  bool bools[9] = {};
  fftconv_options o;
  fftconv_options_default(&o);
  o.method = 99;
  fftconv::Options cpp;
  cpp.method = static_cast<fftconv::Method>(99);
  std::string expected;
  try {
    fftconv::convolve_masked(
        fftconv::ConstView<double>(data, huge_shape), fftconv::ConstView<bool>(bools, huge_shape),
        fftconv::ConstView<double>(data, k3_shape), fftconv::View<double>(values, huge_shape),
        fftconv::View<double>(), cpp);
  } catch (const fftconv::Error& e) {
    expected = e.what();
  }
  CHECK(expected == "fftconv::convolve_masked: options.method has unknown value 99");
  for (const unsigned char* m :
       {static_cast<const unsigned char*>(mask), static_cast<const unsigned char*>(nullptr)}) {
    CAPTURE(m == nullptr);
    CHECK(fftconv_convolve_masked_f64(2, huge, data, m, k3, data, values, nullptr, &o) ==
          FFTCONV_INVALID_ARGUMENT);
    CHECK(std::string(fftconv_last_error()) == expected);
  }
  float fdata[9] = {}, fvalues[9] = {};
  CHECK(fftconv_convolve_masked_f32(2, huge, fdata, mask, k3, fdata, fvalues, nullptr, &o) ==
        FFTCONV_INVALID_ARGUMENT);
  CHECK(std::string(fftconv_last_error()) == expected);
}

TEST_CASE("C API match_template: an unknown option refused as in C++, before the mask is copied") {
  double data[9] = {};
  double score[9] = {};
  unsigned char mask[9] = {};
  bool bools[9] = {};
  fftconv_options o;
  fftconv_options_default(&o);
  o.method = 99;
  fftconv::Options cpp;
  cpp.method = static_cast<fftconv::Method>(99);
  std::string expected;
  try {  // a template of the huge shape too: its mask is what the C API copied
    fftconv::match_template(
        fftconv::ConstView<double>(data, huge_shape), fftconv::ConstView<double>(data, huge_shape),
        fftconv::ConstView<bool>(bools, huge_shape), fftconv::View<double>(score, {1, 1}), cpp);
  } catch (const fftconv::Error& e) {
    expected = e.what();
  }
  CHECK(expected == "fftconv::match_template: options.method has unknown value 99");
  CHECK(fftconv_match_template_f64(2, huge, data, huge, data, mask, score, &o) ==
        FFTCONV_INVALID_ARGUMENT);
  CHECK(std::string(fftconv_last_error()) == expected);
  float fdata[9] = {}, fscore[9] = {};
  CHECK(fftconv_match_template_f32(2, huge, fdata, huge, fdata, mask, fscore, &o) ==
        FFTCONV_INVALID_ARGUMENT);
  CHECK(std::string(fftconv_last_error()) == expected);
}

TEST_CASE("C API convolve_masked: the memory limit refused as in C++, before the mask is copied") {
  // 2^40 pixels: the sizes are computable, nothing of them can be allocated.
  const std::size_t large[2] = {std::size_t{1} << 20, std::size_t{1} << 20};
  const fftconv::Shape large_shape{std::size_t{1} << 20, std::size_t{1} << 20};
  double data[9] = {};
  double values[9] = {};
  unsigned char mask[9] = {};
  bool bools[9] = {};
  fftconv_options o;
  fftconv_options_default(&o);
  o.max_memory_bytes = std::size_t{1} << 20;
  o.nan_policy = FFTCONV_NAN_INTERPOLATE;
  fftconv::Options cpp;
  cpp.max_memory_bytes = o.max_memory_bytes;
  cpp.nan_policy = fftconv::NanPolicy::interpolate;
  std::string expected;
  try {
    fftconv::convolve_masked(
        fftconv::ConstView<double>(data, large_shape), fftconv::ConstView<bool>(bools, large_shape),
        fftconv::ConstView<double>(data, k3_shape), fftconv::View<double>(values, large_shape),
        fftconv::View<double>(), cpp);
  } catch (const fftconv::Error& e) {
    CHECK(e.code() == fftconv::ErrorCode::out_of_memory);
    expected = e.what();
  }
  CHECK(expected.find("options.max_memory_bytes = 1048576") != std::string::npos);
  for (const unsigned char* m :
       {static_cast<const unsigned char*>(mask), static_cast<const unsigned char*>(nullptr)}) {
    CAPTURE(m == nullptr);
    CHECK(fftconv_convolve_masked_f64(2, large, data, m, k3, data, values, nullptr, &o) ==
          FFTCONV_OUT_OF_MEMORY);
    CHECK(std::string(fftconv_last_error()) == expected);
  }
}

TEST_CASE("C API filter_method: the method the filter runs, as the C values") {
  const std::size_t shape[2] = {64, 64}, kshape[2] = {5, 5};
  double kernel[25] = {};
  kernel[12] = 1;
  for (int method : {FFTCONV_METHOD_DIRECT, FFTCONV_METHOD_FFT, FFTCONV_METHOD_OVERLAP_SAVE,
                     FFTCONV_METHOD_AUTOMATIC}) {
    CAPTURE(method);
    fftconv_options o;
    fftconv_options_default(&o);
    o.method = method;
    fftconv_filter* filter = nullptr;
    REQUIRE(fftconv_filter_create_f64(&filter, 2, shape, kshape, kernel, 0, &o) == FFTCONV_OK);
    const fftconv::Filter<double> cpp(
        fftconv::ConstView<double>(kernel, {5, 5}), {64, 64}, fftconv::Operation::convolve,
        fftconv::Options{fftconv::Mode::same, static_cast<fftconv::Method>(method)});
    CHECK(fftconv_filter_method(filter) == static_cast<int>(cpp.method()));
    if (method != FFTCONV_METHOD_AUTOMATIC) CHECK(fftconv_filter_method(filter) == method);
    fftconv_filter_destroy(filter);
  }
}
