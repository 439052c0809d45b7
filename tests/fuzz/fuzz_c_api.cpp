// libFuzzer target for the C API (fftconv.h): arbitrary ranks (including 0 and 4), NULL pointers,
// zero extents, enum integers, NULL options, filter handles applied with the wrong precision.
// Fails (aborts) when a status is not one of the four codes, when the message disagrees with the
// status (empty on failure, non-empty on success), when a refused call wrote to its output, or
// when an accepted call differs from the C++ API on the same input (it must be bit-identical:
// the same computation).
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <vector>

#include "fftconv/fftconv.h"
#include "fftconv/fftconv.hpp"

namespace {

[[noreturn]] void fail(const char* why) {
  std::fprintf(stderr, "fuzz_c_api: %s\n", why);
  std::abort();
}

struct Bytes {
  const std::uint8_t* data;
  std::size_t size, pos = 0;
  std::uint8_t byte() { return pos < size ? data[pos++] : 0; }
};

void check_status(int status) {
  if (status < FFTCONV_OK || status > FFTCONV_INTERNAL_ERROR) fail("unknown status code");
  if ((status == FFTCONV_OK) != (fftconv_last_error()[0] == '\0'))
    fail("message does not match the status");
}

template <class T>
void run(Bytes& in) {
  const int rank = static_cast<int>(in.byte() % 6) - 1;  // -1 .. 4; 1..3 valid
  const int r = rank < 1 ? 1 : rank > 3 ? 3 : rank;
  std::size_t image_shape[3] = {1, 1, 1}, kernel_shape[3] = {1, 1, 1};
  for (int a = 0; a < r; ++a) {
    image_shape[a] = in.byte() % 9;  // 0 is invalid
    kernel_shape[a] = in.byte() % 9;
  }
  fftconv_options o;
  fftconv_options_default(&o);
  const std::uint8_t flags = in.byte();
  o.mode = static_cast<int>(in.byte() % 5) - 1;
  o.boundary = static_cast<int>(in.byte() % 8) - 1;
  o.method = static_cast<int>(in.byte() % 5) - 1;
  o.threads = static_cast<int>(in.byte() % 4) - 1;
  o.planning = (flags & 64) ? 5 : FFTCONV_PLANNING_ESTIMATE;
  o.fill_value = static_cast<double>(static_cast<std::int8_t>(in.byte())) / 4;
  const fftconv_options* options = (flags & 1) ? nullptr : &o;

  std::size_t image_count = 1, kernel_count = 1;
  for (int a = 0; a < r; ++a) {
    image_count *= image_shape[a];
    kernel_count *= kernel_shape[a];
  }
  std::vector<T> image(image_count + 1), kernel(kernel_count + 1);
  for (T& v : image)
    v = static_cast<T>(static_cast<std::int8_t>(in.byte())) / 16;
  for (T& v : kernel)
    v = static_cast<T>(static_cast<std::int8_t>(in.byte())) / 16;
  // The output sized by the C++ shape rule when the shapes are valid, else a small buffer.
  std::size_t out_count = 64;
  bool valid_shapes = rank >= 1 && rank <= 3;
  try {
    if (valid_shapes) {
      fftconv::Shape is, ks;
      for (int a = 0; a < r; ++a) {
        is.push_back(image_shape[a]);
        ks.push_back(kernel_shape[a]);
      }
      out_count = fftconv::element_count(
          fftconv::output_shape(is, ks, static_cast<fftconv::Mode>(options ? o.mode : 1)));
    }
  } catch (const fftconv::Error&) {
    valid_shapes = false;
  }
  std::vector<T> out(out_count + 1, T(-9)), expected(out_count + 1, T(-9));
  const std::vector<T> before = out;
  const bool correlate = flags & 2;
  const std::size_t* is_ptr = (flags & 4) ? nullptr : image_shape;
  const T* image_ptr = (flags & 8) ? nullptr : image.data();

  int status;
  if (flags & 16) {  // through a filter handle
    fftconv_filter* filter = nullptr;
    if constexpr (sizeof(T) == 8)
      status = fftconv_filter_create_f64(&filter, rank, is_ptr, kernel_shape, kernel.data(),
                                         correlate, options);
    else
      status = fftconv_filter_create_f32(&filter, rank, is_ptr, kernel_shape, kernel.data(),
                                         correlate, options);
    check_status(status);
    if (status != FFTCONV_OK) {
      if (filter != nullptr) fail("a failed create returned a handle");
      return;
    }
    if (flags & 32) {  // the other precision: refused
      std::vector<double> d_out(out_count + 1), d_in(image_count + 1);
      std::vector<float> f_out(out_count + 1), f_in(image_count + 1);
      status = sizeof(T) == 8 ? fftconv_filter_apply_f32(filter, f_in.data(), f_out.data())
                              : fftconv_filter_apply_f64(filter, d_in.data(), d_out.data());
      check_status(status);
      if (status != FFTCONV_INVALID_ARGUMENT) fail("a filter applied with the other precision");
    }
    if constexpr (sizeof(T) == 8)
      status = fftconv_filter_apply_f64(filter, image_ptr, out.data());
    else
      status = fftconv_filter_apply_f32(filter, image_ptr, out.data());
    fftconv_filter_destroy(filter);
  } else if constexpr (sizeof(T) == 8) {
    status = correlate ? fftconv_correlate_f64(rank, is_ptr, image_ptr, kernel_shape, kernel.data(),
                                               out.data(), options)
                       : fftconv_convolve_f64(rank, is_ptr, image_ptr, kernel_shape, kernel.data(),
                                              out.data(), options);
  } else {
    status = correlate ? fftconv_correlate_f32(rank, is_ptr, image_ptr, kernel_shape, kernel.data(),
                                               out.data(), options)
                       : fftconv_convolve_f32(rank, is_ptr, image_ptr, kernel_shape, kernel.data(),
                                              out.data(), options);
  }
  check_status(status);
  if (status != FFTCONV_OK) {
    if (std::memcmp(before.data(), out.data(), before.size() * sizeof(T)) != 0)
      fail("a refused call wrote to its output");
    return;
  }
  if (!valid_shapes || !is_ptr || !image_ptr) fail("an invalid call was accepted");
  // The same call through the C++ API must give the same bits.
  fftconv::Shape is, ks;
  for (int a = 0; a < r; ++a) {
    is.push_back(image_shape[a]);
    ks.push_back(kernel_shape[a]);
  }
  fftconv::Options cpp;
  cpp.mode = static_cast<fftconv::Mode>(options ? o.mode : 1);
  if (options) {
    cpp.boundary = static_cast<fftconv::Boundary>(o.boundary);
    cpp.fill_value = o.fill_value;
    cpp.method = static_cast<fftconv::Method>(o.method);
    cpp.threads = o.threads;
    cpp.planning = static_cast<fftconv::Planning>(o.planning);
  }
  const fftconv::Shape os = fftconv::output_shape(is, ks, cpp.mode);
  if (correlate)
    fftconv::correlate(fftconv::ConstView<T>(image.data(), is),
                       fftconv::ConstView<T>(kernel.data(), ks),
                       fftconv::View<T>(expected.data(), os), cpp);
  else
    fftconv::convolve(fftconv::ConstView<T>(image.data(), is),
                      fftconv::ConstView<T>(kernel.data(), ks),
                      fftconv::View<T>(expected.data(), os), cpp);
  if (std::memcmp(expected.data(), out.data(), out_count * sizeof(T)) != 0)
    fail("the C API and the C++ API disagree");
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  Bytes in{data, size};
  try {
    if (in.byte() & 1)
      run<double>(in);
    else
      run<float>(in);
  } catch (...) {
    fail("an exception escaped (from the C++ comparison call)");
  }
  return 0;
}
