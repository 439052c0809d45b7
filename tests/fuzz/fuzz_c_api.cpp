// libFuzzer target for the C API (fftconv.h): arbitrary ranks (including 0 and 4), NULL pointers,
// zero extents, enum integers, NULL options, filter handles applied with the wrong precision.
// Fails (aborts) when a status is not one of the four codes, when the message disagrees with the
// status (empty on failure, non-empty on success), when a refused call wrote to its output, or
// when an accepted call differs from the C++ API on the same input (it must be bit-identical:
// the same computation). The 0.2 functions (convolve_masked, match_template, find_peaks) too,
// and the options appended with struct_size (max_memory_bytes, compute_precision, nonnegative;
// struct_size of this layout, the only one accepted, and sizes of none) and fftconv_filter_method.
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <limits>
#include <memory>
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
  const int rank = static_cast<int>(in.byte() % 6) - 1;  // -1 .. 4; 1..4 valid
  const int r = rank < 1 ? 1 : rank;
  // (rank 4: every axis convolved, the tap sum)
  std::size_t image_shape[4] = {1, 1, 1, 1}, kernel_shape[4] = {1, 1, 1, 1};
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
  // The fields appended with struct_size, and struct_size itself: this layout (0.4's), 0.3's (the
  // first with struct_size, up to nonnegative: accepted), or sizes of no released layout
  // (refused): the bytes up to min_overlap, a size ending inside a field, a newer header's, a
  // tiny one.
  const std::uint8_t extra = in.byte();
  o.compute_precision = extra % 3;  // 2 is invalid
  o.nonnegative = (extra / 3) % 3;  // 2 is invalid
  o.max_memory_bytes =
      (extra & 64) ? std::size_t{1} << (extra % 24) : std::numeric_limits<std::size_t>::max();
  if (extra & 128) {
    const std::size_t up_to_min_overlap = offsetof(fftconv_options, max_memory_bytes);
    const std::size_t sizes[] = {up_to_min_overlap,
                                 up_to_min_overlap - 4,
                                 sizeof(fftconv_options) + 8,
                                 3,
                                 offsetof(fftconv_options, axes_mask),
                                 offsetof(fftconv_options, origin)};
    o.struct_size = sizes[(extra / 9) % 6];
  }
  // 0.5's origin: shifts of -1..2 along the first three axes (valid or refused by the C++
  // rules), and sometimes one beyond the rank (refused by the C API).
  const std::uint8_t shift = in.byte();
  if (shift & 1)
    for (int a = 0; a < 3; ++a)
      o.origin[a] = ((shift >> (1 + 2 * a)) & 3) - 1;
  if (shift & 128) o.origin[r] = 1;
  const bool reads_origin = o.struct_size == sizeof(fftconv_options);
  bool origin_in_rank = true;
  for (int a = r; a < 8; ++a)
    origin_in_rank = origin_in_rank && o.origin[a] == 0;
  const bool known_size = o.struct_size == sizeof(fftconv_options) ||
                          o.struct_size == offsetof(fftconv_options, axes_mask) ||
                          o.struct_size == offsetof(fftconv_options, origin);
  const bool new_fields_valid = o.compute_precision < 2 && o.nonnegative < 2;
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
  bool valid_shapes = rank >= 1;
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
    const int method = fftconv_filter_method(filter);
    if (method < FFTCONV_METHOD_DIRECT || method > FFTCONV_METHOD_OVERLAP_SAVE)
      fail("fftconv_filter_method is not a method a filter runs");
    if (o.method != FFTCONV_METHOD_AUTOMATIC && options && method != o.method)
      fail("fftconv_filter_method is not the method asked for");
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
  if (options && (!known_size || !new_fields_valid || (reads_origin && !origin_in_rank)))
    fail("invalid options were accepted");
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
    cpp.compute_precision = static_cast<fftconv::Precision>(o.compute_precision);
    cpp.nonnegative = o.nonnegative == 1;
    cpp.max_memory_bytes = o.max_memory_bytes;
    bool shifted = false;
    for (int a = 0; a < r; ++a)
      shifted = shifted || o.origin[a] != 0;
    for (int a = 0; reads_origin && shifted && a < r; ++a)
      cpp.origin.push_back(o.origin[a]);
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

/// Then the rest of the input drives fftconv_convolve_masked and fftconv_match_template (and, in
/// double, fftconv_find_peaks_f64) with the 0.2 option fields, NaN pixels, NULL masks and
/// weights: the same checks, and bit-identical results to the C++ calls.
template <class T>
void masked_and_matching(Bytes& in) {
  const int rank = static_cast<int>(in.byte() % 5) - 1;  // -1 .. 3
  const int r = rank < 1 ? 1 : rank;
  // (four entries: a rank-4 call reads them all, and is refused for convolving 4 axes)
  std::size_t image_shape[4] = {1, 1, 1, 1}, kernel_shape[4] = {1, 1, 1, 1};
  std::size_t image_count = 1, kernel_count = 1;
  for (int a = 0; a < r; ++a) {
    image_shape[a] = in.byte() % 9;
    kernel_shape[a] = in.byte() % 9;
    image_count *= image_shape[a];
    kernel_count *= kernel_shape[a];
  }
  fftconv_options o;
  fftconv_options_default(&o);
  const std::uint8_t flags = in.byte();
  o.mode = static_cast<int>(in.byte() % 4);  // 3 is invalid
  o.boundary = static_cast<int>(in.byte() % 7);
  o.nan_policy = static_cast<int>(in.byte() % 4);
  o.min_weight = static_cast<double>(static_cast<std::int8_t>(in.byte())) / 64;
  o.preserve_nan = in.byte() % 3;
  o.normalize_kernel = in.byte() % 3;
  o.min_overlap = in.byte() % 8;
  std::vector<T> image(image_count + 1), kernel(kernel_count + 1);
  std::vector<unsigned char> mask(image_count + 1), templ_mask(kernel_count + 1);
  for (std::size_t i = 0; i < image.size(); ++i) {
    const std::uint8_t b = in.byte();
    image[i] = b % 17 == 1 ? std::numeric_limits<T>::quiet_NaN() : static_cast<T>(b % 32) / 8;
    mask[i] = b % 13 == 2;
  }
  for (std::size_t i = 0; i < kernel.size(); ++i) {
    const std::uint8_t b = in.byte();
    kernel[i] = static_cast<T>(b % 16) / 16;
    templ_mask[i] = b % 5 != 0;
  }
  const unsigned char* mask_ptr = (flags & 1) ? nullptr : mask.data();
  const unsigned char* templ_mask_ptr = (flags & 2) ? nullptr : templ_mask.data();
  // Outputs sized generously; the C++ shape rule says how much is written.
  const std::size_t room = 2048;
  std::vector<T> values(room, T(-9)), weight(room, T(-9)), score(room, T(-9));
  const std::vector<T> untouched = values;
  T* weight_ptr = (flags & 4) ? nullptr : weight.data();
  bool valid = rank >= 1;
  fftconv::Shape is, ks;
  for (int a = 0; a < r; ++a) {
    is.push_back(image_shape[a]);
    ks.push_back(kernel_shape[a]);
  }
  std::size_t out_count = 0, score_count = 0;
  bool valid_mode = true;  // (match_template ignores the mode)
  try {
    score_count = fftconv::element_count(fftconv::output_shape(is, ks, fftconv::Mode::valid));
  } catch (const fftconv::Error&) {
    valid = false;
  }
  try {
    out_count =
        fftconv::element_count(fftconv::output_shape(is, ks, static_cast<fftconv::Mode>(o.mode)));
  } catch (const fftconv::Error&) {
    valid_mode = false;
  }
  if (out_count >= room || score_count >= room) return;
  int status =
      sizeof(T) == 8
          ? fftconv_convolve_masked_f64(
                rank, image_shape, reinterpret_cast<const double*>(image.data()), mask_ptr,
                kernel_shape, reinterpret_cast<const double*>(kernel.data()),
                reinterpret_cast<double*>(values.data()), reinterpret_cast<double*>(weight_ptr), &o)
          : fftconv_convolve_masked_f32(
                rank, image_shape, reinterpret_cast<const float*>(image.data()), mask_ptr,
                kernel_shape, reinterpret_cast<const float*>(kernel.data()),
                reinterpret_cast<float*>(values.data()), reinterpret_cast<float*>(weight_ptr), &o);
  check_status(status);
  if (status != FFTCONV_OK) {
    if (std::memcmp(untouched.data(), values.data(), room * sizeof(T)) != 0 ||
        std::memcmp(untouched.data(), weight.data(), room * sizeof(T)) != 0)
      fail("a refused convolve_masked wrote to its outputs");
  } else {
    if (!valid || !valid_mode) fail("an invalid convolve_masked was accepted");
    fftconv::Options cpp;
    cpp.mode = static_cast<fftconv::Mode>(o.mode);
    cpp.boundary = static_cast<fftconv::Boundary>(o.boundary);
    cpp.nan_policy = static_cast<fftconv::NanPolicy>(o.nan_policy);
    cpp.min_weight = o.min_weight;
    cpp.preserve_nan = o.preserve_nan == 1;
    cpp.normalize_kernel = o.normalize_kernel == 1;
    std::unique_ptr<bool[]> m(new bool[image_count + 1]);
    for (std::size_t i = 0; i <= image_count; ++i)
      m[i] = mask_ptr && mask[i] != 0;
    const fftconv::Shape os = fftconv::output_shape(is, ks, cpp.mode);
    std::vector<T> v2(room, T(-9)), w2(room, T(-9));
    fftconv::convolve_masked(
        fftconv::ConstView<T>(image.data(), is), fftconv::ConstView<bool>(m.get(), is),
        fftconv::ConstView<T>(kernel.data(), ks), fftconv::View<T>(v2.data(), os),
        weight_ptr ? fftconv::View<T>(w2.data(), os) : fftconv::View<T>(), cpp);
    if (std::memcmp(v2.data(), values.data(), room * sizeof(T)) != 0 ||
        (weight_ptr && std::memcmp(w2.data(), weight.data(), room * sizeof(T)) != 0))
      fail("convolve_masked: the C API and the C++ API disagree");
  }

  status = sizeof(T) == 8 ? fftconv_match_template_f64(
                                rank, image_shape, reinterpret_cast<const double*>(image.data()),
                                kernel_shape, reinterpret_cast<const double*>(kernel.data()),
                                templ_mask_ptr, reinterpret_cast<double*>(score.data()), &o)
                          : fftconv_match_template_f32(
                                rank, image_shape, reinterpret_cast<const float*>(image.data()),
                                kernel_shape, reinterpret_cast<const float*>(kernel.data()),
                                templ_mask_ptr, reinterpret_cast<float*>(score.data()), &o);
  check_status(status);
  if (status != FFTCONV_OK) {
    if (std::memcmp(untouched.data(), score.data(), room * sizeof(T)) != 0)
      fail("a refused match_template wrote to its score");
    return;
  }
  if (!valid) fail("an invalid match_template was accepted");
  fftconv::Options cpp;
  cpp.min_overlap = o.min_overlap;
  const fftconv::Shape ss = fftconv::output_shape(is, ks, fftconv::Mode::valid);
  std::vector<T> s2(room, T(-9));
  if (templ_mask_ptr) {
    std::unique_ptr<bool[]> use(new bool[kernel_count + 1]);
    for (std::size_t i = 0; i <= kernel_count; ++i)
      use[i] = templ_mask[i] != 0;
    fftconv::match_template(
        fftconv::ConstView<T>(image.data(), is), fftconv::ConstView<T>(kernel.data(), ks),
        fftconv::ConstView<bool>(use.get(), ks), fftconv::View<T>(s2.data(), ss), cpp);
  } else {
    fftconv::match_template(fftconv::ConstView<T>(image.data(), is),
                            fftconv::ConstView<T>(kernel.data(), ks),
                            fftconv::View<T>(s2.data(), ss), cpp);
  }
  if (std::memcmp(s2.data(), score.data(), room * sizeof(T)) != 0)
    fail("match_template: the C API and the C++ API disagree");
  if constexpr (sizeof(T) == 8) {
    if (score_count == 0) return;
    const double threshold = static_cast<double>(static_cast<std::int8_t>(in.byte())) / 128;
    const std::size_t max_peaks = in.byte() % 6, min_distance = in.byte() % 3;
    double positions[3 * 8], peak_values[8];
    std::size_t count = 99;
    status = fftconv_find_peaks_f64(rank, image_shape, nullptr, threshold, min_distance, max_peaks,
                                    positions, peak_values, &count);
    check_status(status);
    if (status != FFTCONV_INVALID_ARGUMENT) fail("find_peaks_f64 accepted a NULL score");
    std::size_t score_shape[3] = {1, 1, 1};
    for (int a = 0; a < r; ++a)
      score_shape[a] = ss[a];
    status =
        fftconv_find_peaks_f64(rank, score_shape, reinterpret_cast<const double*>(score.data()),
                               threshold, min_distance, max_peaks, positions, peak_values, &count);
    check_status(status);
    if (status != FFTCONV_OK) fail("find_peaks_f64 refused a valid score");
    const std::vector<fftconv::Peak> peaks = fftconv::find_peaks(
        fftconv::ConstView<double>(reinterpret_cast<const double*>(score.data()), ss), threshold,
        min_distance);
    if (count != std::min(max_peaks, peaks.size())) fail("find_peaks_f64 count");
    for (std::size_t i = 0; i < count; ++i) {
      if (peak_values[i] != peaks[i].value) fail("find_peaks_f64 values");
      for (int a = 0; a < r; ++a)
        if (positions[i * static_cast<std::size_t>(r) + static_cast<std::size_t>(a)] !=
            peaks[i].position[static_cast<std::size_t>(a)])
          fail("find_peaks_f64 positions");
    }
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  Bytes in{data, size};
  try {
    if (in.byte() & 1) {
      run<double>(in);
      masked_and_matching<double>(in);
    } else {
      run<float>(in);
      masked_and_matching<float>(in);
    }
  } catch (...) {
    fail("an exception escaped (from the C++ comparison call)");
  }
  return 0;
}
