// The C API over the C++ core: argument checks for what C can get wrong (NULL pointers, ranks),
// conversion to views and Options, and every exception turned into a status plus a thread-local
// message. No exception crosses this boundary.
#include "fftconv/fftconv.h"

#include <algorithm>
#include <cstdint>
#include <cstdio>
#include <memory>
#include <new>
#include <string>
#include <variant>
#include <vector>

#include "check.hpp"
#include "checked_math.hpp"
#include "fftconv/filter.hpp"
#include "fftconv/masked.hpp"
#include "fftconv/match.hpp"

struct fftconv_filter {
  std::variant<fftconv::Filter<float>, fftconv::Filter<double>> filter;
};

namespace {

// The message of this thread's last call: a fixed buffer, so storing it never allocates or throws
// (a bad_alloc while reporting a bad_alloc must not escape the noexcept boundary).
thread_local char last_error[512] = "";

void set_error(const char* message) noexcept {
  std::snprintf(last_error, sizeof last_error, "%s", message);
}

// Runs f; returns FFTCONV_OK, or the status of the exception it threw with its message kept.
template <class F>
int guarded(F&& f) noexcept {
  try {
    f();
    last_error[0] = '\0';
    return FFTCONV_OK;
  } catch (const fftconv::Error& e) {
    set_error(e.what());
    switch (e.code()) {
      case fftconv::ErrorCode::invalid_argument:
        return FFTCONV_INVALID_ARGUMENT;
      case fftconv::ErrorCode::out_of_memory:
        return FFTCONV_OUT_OF_MEMORY;
      case fftconv::ErrorCode::internal:
        break;
    }
    return FFTCONV_INTERNAL_ERROR;
  } catch (const std::bad_alloc&) {
    set_error("out of memory");
    return FFTCONV_OUT_OF_MEMORY;
  } catch (const std::exception& e) {
    std::snprintf(last_error, sizeof last_error, "internal error: %s", e.what());
    return FFTCONV_INTERNAL_ERROR;
  } catch (...) {
    set_error("internal error: unknown exception");
    return FFTCONV_INTERNAL_ERROR;
  }
}

void check_pointer(const void* p, const char* what, const char* name) {
  FFTCONV_CHECK(p != nullptr, invalid_argument, what, ": ", name, " is NULL");
}

fftconv::Shape to_shape(int rank, const size_t* shape, const char* what, const char* name) {
  FFTCONV_CHECK(rank >= 1 && rank <= fftconv::max_rank, invalid_argument, what,
                ": rank must be 1 to ", fftconv::max_rank, ", got ", rank);
  check_pointer(shape, what, name);
  fftconv::Shape s;
  std::size_t count = 1;
  for (int i = 0; i < rank; ++i) {
    s.push_back(shape[i]);
    count = fftconv::detail::checked_mul(count, shape[i], name);  // names the shape on overflow
  }
  FFTCONV_CHECK(count <= static_cast<std::size_t>(PTRDIFF_MAX), invalid_argument, what, ": ", name,
                " has ", count, " elements, more than an array can index");
  return s;
}

// Enum values are passed through unchecked: the C++ validation refuses unknown ones by name.
fftconv::Options to_options(const fftconv_options* options) {
  fftconv_options c;
  fftconv_options_default(&c);
  if (options) c = *options;
  fftconv::Options o;
  o.mode = static_cast<fftconv::Mode>(c.mode);
  o.boundary = static_cast<fftconv::Boundary>(c.boundary);
  o.fill_value = c.fill_value;
  o.method = static_cast<fftconv::Method>(c.method);
  o.threads = c.threads;
  o.planning = static_cast<fftconv::Planning>(c.planning);
  o.nan_policy = static_cast<fftconv::NanPolicy>(c.nan_policy);
  o.min_weight = c.min_weight;
  FFTCONV_CHECK(c.preserve_nan == 0 || c.preserve_nan == 1, invalid_argument,
                "options.preserve_nan must be 0 or 1, got ", c.preserve_nan);
  FFTCONV_CHECK(c.normalize_kernel == 0 || c.normalize_kernel == 1, invalid_argument,
                "options.normalize_kernel must be 0 or 1, got ", c.normalize_kernel);
  o.preserve_nan = c.preserve_nan == 1;
  o.normalize_kernel = c.normalize_kernel == 1;
  o.min_overlap = c.min_overlap;
  return o;
}

/// What every array call checks first: the shapes, the input pointers and the options, and the
/// output shape (for `mode`, or the options' mode) whose pointer must be non-NULL when it has
/// elements.
struct Call {
  fftconv::Shape image, kernel, out;
  fftconv::Options options;
};
template <class T>
Call checked_call(int rank, const size_t* image_shape, const T* image, const size_t* kernel_shape,
                  const T* kernel, const char* kernel_name, const void* out, const char* out_name,
                  const fftconv_options* options, const char* what,
                  const fftconv::Mode* mode = nullptr) {
  Call c;
  c.image = to_shape(rank, image_shape, what, "image_shape");
  c.kernel = to_shape(rank, kernel_shape, what, (std::string(kernel_name) + "_shape").c_str());
  check_pointer(image, what, "image");
  check_pointer(kernel, what, kernel_name);
  c.options = to_options(options);
  c.out = fftconv::output_shape(c.image, c.kernel, mode ? *mode : c.options.mode);
  if (fftconv::element_count(c.out) > 0) check_pointer(out, what, out_name);
  return c;
}

/// A 0/1 (any non-zero) byte mask as the bool array the C++ API takes.
std::unique_ptr<bool[]> to_bools(const unsigned char* mask, std::size_t count) {
  std::unique_ptr<bool[]> b(new bool[count]);
  for (std::size_t i = 0; i < count; ++i)
    b[i] = mask[i] != 0;
  return b;
}

template <class T>
int masked(int rank, const size_t* image_shape, const T* image, const unsigned char* mask,
           const size_t* kernel_shape, const T* kernel, T* values, T* weight,
           const fftconv_options* options, const char* what) {
  return guarded([&] {
    const Call c = checked_call(rank, image_shape, image, kernel_shape, kernel, "kernel", values,
                                "values", options, what);
    const std::size_t count = fftconv::element_count(c.image);
    std::unique_ptr<bool[]> m = mask ? to_bools(mask, count) : std::make_unique<bool[]>(count);
    fftconv::convolve_masked(
        fftconv::ConstView<T>(image, c.image), fftconv::ConstView<bool>(m.get(), c.image),
        fftconv::ConstView<T>(kernel, c.kernel), fftconv::View<T>(values, c.out),
        weight ? fftconv::View<T>(weight, c.out) : fftconv::View<T>(), c.options);
  });
}

template <class T>
int match(int rank, const size_t* image_shape, const T* image, const size_t* templ_shape,
          const T* templ, const unsigned char* templ_mask, T* score, const fftconv_options* options,
          const char* what) {
  return guarded([&] {
    const fftconv::Mode valid = fftconv::Mode::valid;
    const Call c = checked_call(rank, image_shape, image, templ_shape, templ, "templ", score,
                                "score", options, what, &valid);
    const fftconv::ConstView<T> iv(image, c.image), tv(templ, c.kernel);
    if (templ_mask) {
      const std::unique_ptr<bool[]> m = to_bools(templ_mask, fftconv::element_count(c.kernel));
      fftconv::match_template(iv, tv, fftconv::ConstView<bool>(m.get(), c.kernel),
                              fftconv::View<T>(score, c.out), c.options);
    } else {
      fftconv::match_template(iv, tv, fftconv::View<T>(score, c.out), c.options);
    }
  });
}

template <class T>
int run(bool correlate, int rank, const size_t* image_shape, const T* image,
        const size_t* kernel_shape, const T* kernel, T* out, const fftconv_options* options,
        const char* what) {
  return guarded([&] {
    const Call c = checked_call(rank, image_shape, image, kernel_shape, kernel, "kernel", out,
                                "out", options, what);
    const fftconv::ConstView<T> iv(image, c.image), kv(kernel, c.kernel);
    const fftconv::View<T> ov(out, c.out);
    if (correlate)
      fftconv::correlate(iv, kv, ov, c.options);
    else
      fftconv::convolve(iv, kv, ov, c.options);
  });
}

template <class T>
int create(fftconv_filter** filter, int rank, const size_t* image_shape, const size_t* kernel_shape,
           const T* kernel, int correlate, const fftconv_options* options, const char* what) {
  return guarded([&] {
    check_pointer(filter, what, "filter");
    const fftconv::Shape is = to_shape(rank, image_shape, what, "image_shape");
    const fftconv::Shape ks = to_shape(rank, kernel_shape, what, "kernel_shape");
    check_pointer(kernel, what, "kernel");
    FFTCONV_CHECK(correlate == 0 || correlate == 1, invalid_argument, what,
                  ": correlate must be 0 or 1, got ", correlate);
    auto made = std::make_unique<fftconv_filter>(fftconv_filter{
        fftconv::Filter<T>(fftconv::ConstView<T>(kernel, ks), is,
                           correlate ? fftconv::Operation::correlate : fftconv::Operation::convolve,
                           to_options(options))});
    *filter = made.release();
  });
}

template <class T>
int apply(const fftconv_filter* filter, const T* image, T* out, const char* what) {
  return guarded([&] {
    check_pointer(filter, what, "filter");
    const auto* f = std::get_if<fftconv::Filter<T>>(&filter->filter);
    FFTCONV_CHECK(f != nullptr, invalid_argument, what, ": the filter was created for ",
                  sizeof(T) == 4 ? "double (_f64)" : "float (_f32)", " data");
    check_pointer(image, what, "image");
    if (fftconv::element_count(f->output_shape()) > 0) check_pointer(out, what, "out");
    f->apply(fftconv::ConstView<T>(image, f->image_shape()),
             fftconv::View<T>(out, f->output_shape()));
  });
}

}  // namespace

extern "C" {

void fftconv_options_default(fftconv_options* options) {
  if (!options) return;
  const fftconv::Options d;
  options->mode = static_cast<int>(d.mode);
  options->boundary = static_cast<int>(d.boundary);
  options->fill_value = d.fill_value;
  options->method = static_cast<int>(d.method);
  options->threads = d.threads;
  options->planning = static_cast<int>(d.planning);
  options->nan_policy = static_cast<int>(d.nan_policy);
  options->min_weight = d.min_weight;
  options->preserve_nan = d.preserve_nan;
  options->normalize_kernel = d.normalize_kernel;
  options->min_overlap = d.min_overlap;
}

const char* fftconv_last_error(void) {
  return last_error;
}

int fftconv_output_shape(int rank, const size_t* image_shape, const size_t* kernel_shape, int mode,
                         size_t* out_shape) {
  const char* what = "fftconv_output_shape";
  return guarded([&] {
    const fftconv::Shape is = to_shape(rank, image_shape, what, "image_shape");
    const fftconv::Shape ks = to_shape(rank, kernel_shape, what, "kernel_shape");
    check_pointer(out_shape, what, "out_shape");
    const fftconv::Shape os = fftconv::output_shape(is, ks, static_cast<fftconv::Mode>(mode));
    for (int i = 0; i < rank; ++i)
      out_shape[i] = os[i];
  });
}

int fftconv_convolve_f64(int rank, const size_t* image_shape, const double* image,
                         const size_t* kernel_shape, const double* kernel, double* out,
                         const fftconv_options* options) {
  return run(false, rank, image_shape, image, kernel_shape, kernel, out, options,
             "fftconv_convolve_f64");
}
int fftconv_correlate_f64(int rank, const size_t* image_shape, const double* image,
                          const size_t* kernel_shape, const double* kernel, double* out,
                          const fftconv_options* options) {
  return run(true, rank, image_shape, image, kernel_shape, kernel, out, options,
             "fftconv_correlate_f64");
}
int fftconv_convolve_f32(int rank, const size_t* image_shape, const float* image,
                         const size_t* kernel_shape, const float* kernel, float* out,
                         const fftconv_options* options) {
  return run(false, rank, image_shape, image, kernel_shape, kernel, out, options,
             "fftconv_convolve_f32");
}
int fftconv_correlate_f32(int rank, const size_t* image_shape, const float* image,
                          const size_t* kernel_shape, const float* kernel, float* out,
                          const fftconv_options* options) {
  return run(true, rank, image_shape, image, kernel_shape, kernel, out, options,
             "fftconv_correlate_f32");
}

int fftconv_filter_create_f64(fftconv_filter** filter, int rank, const size_t* image_shape,
                              const size_t* kernel_shape, const double* kernel, int correlate,
                              const fftconv_options* options) {
  return create(filter, rank, image_shape, kernel_shape, kernel, correlate, options,
                "fftconv_filter_create_f64");
}
int fftconv_filter_create_f32(fftconv_filter** filter, int rank, const size_t* image_shape,
                              const size_t* kernel_shape, const float* kernel, int correlate,
                              const fftconv_options* options) {
  return create(filter, rank, image_shape, kernel_shape, kernel, correlate, options,
                "fftconv_filter_create_f32");
}
int fftconv_filter_apply_f64(const fftconv_filter* filter, const double* image, double* out) {
  return apply(filter, image, out, "fftconv_filter_apply_f64");
}
int fftconv_filter_apply_f32(const fftconv_filter* filter, const float* image, float* out) {
  return apply(filter, image, out, "fftconv_filter_apply_f32");
}
void fftconv_filter_destroy(fftconv_filter* filter) {
  delete filter;
}

int fftconv_convolve_masked_f64(int rank, const size_t* image_shape, const double* image,
                                const unsigned char* mask, const size_t* kernel_shape,
                                const double* kernel, double* values, double* weight,
                                const fftconv_options* options) {
  return masked(rank, image_shape, image, mask, kernel_shape, kernel, values, weight, options,
                "fftconv_convolve_masked_f64");
}
int fftconv_convolve_masked_f32(int rank, const size_t* image_shape, const float* image,
                                const unsigned char* mask, const size_t* kernel_shape,
                                const float* kernel, float* values, float* weight,
                                const fftconv_options* options) {
  return masked(rank, image_shape, image, mask, kernel_shape, kernel, values, weight, options,
                "fftconv_convolve_masked_f32");
}
int fftconv_match_template_f64(int rank, const size_t* image_shape, const double* image,
                               const size_t* templ_shape, const double* templ,
                               const unsigned char* templ_mask, double* score,
                               const fftconv_options* options) {
  return match(rank, image_shape, image, templ_shape, templ, templ_mask, score, options,
               "fftconv_match_template_f64");
}
int fftconv_match_template_f32(int rank, const size_t* image_shape, const float* image,
                               const size_t* templ_shape, const float* templ,
                               const unsigned char* templ_mask, float* score,
                               const fftconv_options* options) {
  return match(rank, image_shape, image, templ_shape, templ, templ_mask, score, options,
               "fftconv_match_template_f32");
}
int fftconv_find_peaks_f64(int rank, const size_t* shape, const double* score, double threshold,
                           size_t min_distance, size_t max_peaks, double* positions, double* values,
                           size_t* count) {
  const char* what = "fftconv_find_peaks_f64";
  return guarded([&] {
    const fftconv::Shape s = to_shape(rank, shape, what, "shape");
    check_pointer(count, what, "count");
    if (fftconv::element_count(s) > 0) check_pointer(score, what, "score");
    if (max_peaks > 0) {
      check_pointer(positions, what, "positions");
      check_pointer(values, what, "values");
    }
    const std::vector<fftconv::Peak> peaks =
        fftconv::find_peaks(fftconv::ConstView<double>(score, s), threshold, min_distance);
    const std::size_t n = std::min(max_peaks, peaks.size());
    for (std::size_t i = 0; i < n; ++i) {
      for (int a = 0; a < rank; ++a)
        positions[i * static_cast<std::size_t>(rank) + static_cast<std::size_t>(a)] =
            peaks[i].position[static_cast<std::size_t>(a)];
      values[i] = peaks[i].value;
    }
    *count = n;
  });
}

}  // extern "C"
