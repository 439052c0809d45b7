// The C API of the frequency filters (fftconv.h, "Frequency filters"): the options struct
// converted field by field to FrequencyOptions, the arrays to views, the transfer callback
// wrapped as a TransferFunction; every exception turned into a status (api/c_api_support.hpp).
#include <complex>
#include <cstddef>
#include <sstream>
#include <string>
#include <vector>

#include "api/c_api_support.hpp"
#include "fftconv/frequency.hpp"

namespace {

using fftconv::detail::c_api::check_pointer;
using fftconv::detail::c_api::cpp;
using fftconv::detail::c_api::guarded;
using fftconv::detail::c_api::init_struct;
using fftconv::detail::c_api::read_flag;
using fftconv::detail::c_api::read_struct;
using fftconv::detail::c_api::to_shape;

// Every released layout of fftconv_frequency_options, oldest first (0.6: the first).
constexpr std::size_t frequency_sizes[] = {sizeof(fftconv_frequency_options)};
constexpr const char* struct_name = "fftconv_frequency_options";

// This library's fftconv_frequency_options with the C++ FrequencyOptions defaults.
fftconv_frequency_options defaults() {
  const fftconv::FrequencyOptions d;
  fftconv_frequency_options c{};
  c.struct_size = sizeof c;
  c.boundary = static_cast<int>(d.boundary);
  c.padding = d.padding;
  c.fill_value = d.fill_value;
  c.threads = d.threads;
  c.planning = static_cast<int>(d.planning);
  c.max_memory_bytes = d.max_memory_bytes;
  return c;
}

// The caller's options (NULL: the defaults) as FrequencyOptions. Enum values are passed through
// unchecked: the C++ validation refuses unknown ones by name.
fftconv::FrequencyOptions to_options(const fftconv_frequency_options* options, const char* what) {
  const fftconv_frequency_options c =
      read_struct(options, defaults(), frequency_sizes, struct_name, what);
  fftconv::FrequencyOptions o;
  o.boundary = static_cast<fftconv::Boundary>(c.boundary);
  o.padding = c.padding;
  o.fill_value = c.fill_value;
  o.threads = c.threads;
  o.planning = static_cast<fftconv::Planning>(c.planning);
  o.max_memory_bytes = c.max_memory_bytes;
  return o;
}

// Runs body(image view, out view, options) on the arrays as views (the C API's checks first:
// the options, the shape, NULL pointers).
template <class T, class Body>
int filter(int rank, const size_t* shape, const T* image, T* out,
           const fftconv_frequency_options* options, const char* what, Body&& body) {
  return guarded([&] {
    const fftconv::FrequencyOptions o = to_options(options, what);
    const fftconv::Shape s = to_shape(rank, shape, what, "shape");
    check_pointer(image, what, "image");
    check_pointer(out, what, "out");
    body(fftconv::ConstView<T>(image, s), fftconv::View<T>(out, s), o);
  });
}

// "(0.25, -0.5)": a frequency vector, for messages.
std::string frequency_text(const double* frequency, int rank) {
  std::ostringstream os;
  os << '(';
  for (int a = 0; a < rank; ++a)
    os << (a ? ", " : "") << frequency[a];
  os << ')';
  return os.str();
}

// The C callback as a TransferFunction: a non-zero return is an Error naming the callback (the
// C++ call prefixes its name and leaves out untouched); non-finite values the C++ call refuses.
fftconv::TransferFunction transfer_function(fftconv_transfer_fn transfer, void* user_data) {
  return [transfer, user_data](const double* frequency, int rank) {
    double re = 0, im = 0;
    const int status = transfer(user_data, frequency, rank, &re, &im);
    FFTCONV_CHECK(status == 0, invalid_argument,
                  "the transfer callback (fftconv_transfer_fn) "
                  "returned ",
                  status, " at frequency ", frequency_text(frequency, rank),
                  ": non-zero is failure");
    return std::complex<double>(re, im);
  };
}

template <class T>
int butterworth(int rank, const size_t* shape, const T* image, T* out, double cutoff, int high_pass,
                double order, const fftconv_frequency_options* options, const char* what) {
  return filter(rank, shape, image, out, options, what, [&](auto in, auto o, const auto& opt) {
    const bool high = read_flag(high_pass, what, "high_pass");
    fftconv::butterworth(in, o, cutoff, high, order, opt);
  });
}

template <class T>
int gaussian(int rank, const size_t* shape, const T* image, T* out, double sigma,
             const fftconv_frequency_options* options, const char* what) {
  return filter(rank, shape, image, out, options, what, [&](auto in, auto o, const auto& opt) {
    fftconv::gaussian_lowpass(in, o, sigma, opt);
  });
}

template <class T>
int band(int rank, const size_t* shape, const T* image, T* out, double low, double high,
         double order, const fftconv_frequency_options* options, const char* what) {
  return filter(rank, shape, image, out, options, what, [&](auto in, auto o, const auto& opt) {
    fftconv::band_pass(in, o, low, high, order, opt);
  });
}

template <class T>
int shift(int rank, const size_t* shape, const T* image, T* out, const double* by,
          const fftconv_frequency_options* options, const char* what) {
  return filter(rank, shape, image, out, options, what, [&](auto in, auto o, const auto& opt) {
    check_pointer(by, what, "shift");
    fftconv::fourier_shift(in, o, std::vector<double>(by, by + rank), opt);
  });
}

template <class T, class C>
int transfer_array(int rank, const size_t* shape, const T* image, T* out,
                   const size_t* transfer_shape, const C* transfer,
                   const fftconv_frequency_options* options, const char* what) {
  return filter(rank, shape, image, out, options, what, [&](auto in, auto o, const auto& opt) {
    const fftconv::Shape ts = to_shape(rank, transfer_shape, what, "transfer_shape");
    check_pointer(transfer, what, "transfer");
    fftconv::frequency_filter(in, o, fftconv::ConstView<std::complex<T>>(cpp(transfer), ts), opt);
  });
}

template <class T>
int transfer_callback(int rank, const size_t* shape, const T* image, T* out,
                      fftconv_transfer_fn transfer, void* user_data,
                      const fftconv_frequency_options* options, const char* what) {
  return filter(rank, shape, image, out, options, what, [&](auto in, auto o, const auto& opt) {
    FFTCONV_CHECK(transfer != nullptr, invalid_argument, what, ": transfer is NULL");
    fftconv::frequency_filter(in, o, transfer_function(transfer, user_data), opt);
  });
}

}  // namespace

extern "C" {

int fftconv_frequency_options_init(fftconv_frequency_options* options, size_t struct_size) {
  constexpr const char* what = "fftconv_frequency_options_init";
  return guarded(
      [&] { init_struct(options, struct_size, defaults(), frequency_sizes, struct_name, what); });
}

int fftconv_frequency_grid_shape(int rank, const size_t* shape,
                                 const fftconv_frequency_options* options, size_t* grid_shape) {
  constexpr const char* what = "fftconv_frequency_grid_shape";
  return guarded([&] {
    const fftconv::FrequencyOptions o = to_options(options, what);
    const fftconv::Shape s = to_shape(rank, shape, what, "shape");
    check_pointer(grid_shape, what, "grid_shape");
    const fftconv::Shape lengths = fftconv::frequency_grid_shape(s, o);
    for (int a = 0; a < rank; ++a)
      grid_shape[a] = lengths[a];
  });
}

int fftconv_butterworth_f64(int rank, const size_t* shape, const double* image, double* out,
                            double cutoff_frequency_ratio, int high_pass, double order,
                            const fftconv_frequency_options* options) {
  return butterworth(rank, shape, image, out, cutoff_frequency_ratio, high_pass, order, options,
                     "fftconv_butterworth_f64");
}
int fftconv_butterworth_f32(int rank, const size_t* shape, const float* image, float* out,
                            double cutoff_frequency_ratio, int high_pass, double order,
                            const fftconv_frequency_options* options) {
  return butterworth(rank, shape, image, out, cutoff_frequency_ratio, high_pass, order, options,
                     "fftconv_butterworth_f32");
}

int fftconv_gaussian_lowpass_f64(int rank, const size_t* shape, const double* image, double* out,
                                 double sigma_frequency, const fftconv_frequency_options* options) {
  return gaussian(rank, shape, image, out, sigma_frequency, options,
                  "fftconv_gaussian_lowpass_f64");
}
int fftconv_gaussian_lowpass_f32(int rank, const size_t* shape, const float* image, float* out,
                                 double sigma_frequency, const fftconv_frequency_options* options) {
  return gaussian(rank, shape, image, out, sigma_frequency, options,
                  "fftconv_gaussian_lowpass_f32");
}

int fftconv_band_pass_f64(int rank, const size_t* shape, const double* image, double* out,
                          double low_cutoff, double high_cutoff, double order,
                          const fftconv_frequency_options* options) {
  return band(rank, shape, image, out, low_cutoff, high_cutoff, order, options,
              "fftconv_band_pass_f64");
}
int fftconv_band_pass_f32(int rank, const size_t* shape, const float* image, float* out,
                          double low_cutoff, double high_cutoff, double order,
                          const fftconv_frequency_options* options) {
  return band(rank, shape, image, out, low_cutoff, high_cutoff, order, options,
              "fftconv_band_pass_f32");
}

int fftconv_fourier_shift_f64(int rank, const size_t* shape, const double* image, double* out,
                              const double* shift_by, const fftconv_frequency_options* options) {
  return shift(rank, shape, image, out, shift_by, options, "fftconv_fourier_shift_f64");
}
int fftconv_fourier_shift_f32(int rank, const size_t* shape, const float* image, float* out,
                              const double* shift_by, const fftconv_frequency_options* options) {
  return shift(rank, shape, image, out, shift_by, options, "fftconv_fourier_shift_f32");
}

int fftconv_frequency_filter_f64(int rank, const size_t* shape, const double* image, double* out,
                                 const size_t* transfer_shape, const fftconv_c128* transfer,
                                 const fftconv_frequency_options* options) {
  return transfer_array(rank, shape, image, out, transfer_shape, transfer, options,
                        "fftconv_frequency_filter_f64");
}
int fftconv_frequency_filter_f32(int rank, const size_t* shape, const float* image, float* out,
                                 const size_t* transfer_shape, const fftconv_c64* transfer,
                                 const fftconv_frequency_options* options) {
  return transfer_array(rank, shape, image, out, transfer_shape, transfer, options,
                        "fftconv_frequency_filter_f32");
}

int fftconv_frequency_filter_fn_f64(int rank, const size_t* shape, const double* image, double* out,
                                    fftconv_transfer_fn transfer, void* user_data,
                                    const fftconv_frequency_options* options) {
  return transfer_callback(rank, shape, image, out, transfer, user_data, options,
                           "fftconv_frequency_filter_fn_f64");
}
int fftconv_frequency_filter_fn_f32(int rank, const size_t* shape, const float* image, float* out,
                                    fftconv_transfer_fn transfer, void* user_data,
                                    const fftconv_frequency_options* options) {
  return transfer_callback(rank, shape, image, out, transfer, user_data, options,
                           "fftconv_frequency_filter_fn_f32");
}

}  // extern "C"
