// The frequency-domain filters (fftconv/frequency.hpp): every argument checked first (nothing is
// allocated or written on failure: core/validate for the views and shared options,
// frequency/grid for the grid and the memory limit), then one run over the transform grid
// (frequency/filter.hpp) with the transfer function as a functor of the bin.
#include "fftconv/frequency.hpp"

#include <array>
#include <cmath>
#include <complex>
#include <cstddef>
#include <sstream>
#include <string>
#include <vector>

#include "core/validate.hpp"
#include "frequency/filter.hpp"
#include "frequency/grid.hpp"
#include "frequency/spectrum_product.hpp"
#include "frequency/transfer_functions.hpp"
#include "util/check.hpp"
#include "util/copy.hpp"

namespace fftconv {

namespace {

using detail::FrequencyCall;
using detail::TransferForm;

// The image's shape (rank, extents) and the grid's lengths, then the views. (The options and
// the memory limit come last, after the caller's other arguments: resolve_frequency_call.)
template <class T>
Shape checked_views(const ConstView<T>& image, const View<T>& out, const FrequencyOptions& options,
                    const char* what) {
  const Shape lengths =
      detail::frequency_grid_lengths(image.shape(), options.boundary, options.padding, what);
  detail::validate_same_shape(image, out, what);
  return lengths;
}

template <class T>
FrequencyCall validate(const ConstView<T>& image, const View<T>& out,
                       const FrequencyOptions& options, const char* what) {
  (void)checked_views(image, out, options, what);
  return detail::resolve_frequency_call<T>(image.shape(), options, what);
}

void check_positive(double value, const char* name, const char* what) {
  FFTCONV_CHECK(std::isfinite(value) && value > 0, invalid_argument, what, ": ", name, " is ",
                value, "; it must be finite and > 0");
}

void check_order(double order, const char* what) {
  FFTCONV_CHECK(std::isfinite(order) && order >= 0, invalid_argument, what, ": order is ", order,
                "; it must be finite and >= 0");
}

bool finite(const std::complex<double>& h) {
  return std::isfinite(h.real()) && std::isfinite(h.imag());
}

// "(0.25, -0.5)": a frequency vector, for messages.
std::string frequency_string(const double* f, int rank) {
  std::ostringstream os;
  os << '(';
  for (int a = 0; a < rank; ++a)
    os << (a ? ", " : "") << f[a];
  os << ')';
  return os.str();
}

// "[2, 3]": the multi-index of C-order position `linear` in `shape`, for messages.
std::string index_string(std::size_t linear, const Shape& shape) {
  std::string s = "]";
  for (int a = shape.rank() - 1; a >= 0; --a) {
    s.insert(0, (a ? ", " : "") + std::to_string(linear % shape[a]));
    linear /= shape[a];
  }
  return "[" + s;
}

// The transfer's shape among the two accepted, or fftconv::Error naming all three; strides,
// data and every value checked. The form its shape says.
template <class T>
TransferForm check_transfer_array(const ConstView<std::complex<T>>& transfer, const Shape& lengths,
                                  const Shape& image, const char* what) {
  Shape half = lengths;
  half[half.rank() - 1] = lengths[lengths.rank() - 1] / 2 + 1;
  FFTCONV_CHECK(transfer.shape() == lengths || transfer.shape() == half, invalid_argument, what,
                ": transfer has shape ", to_string(transfer.shape()),
                ", expected the transform grid's half spectrum ", to_string(half),
                " or full spectrum ", to_string(lengths), " (image ", to_string(image), ")");
  detail::validate_companion(transfer, transfer.shape(), "transfer", "transfer", what);
  const Shape& shape = transfer.shape();
  const std::size_t width = shape[shape.rank() - 1];
  const std::ptrdiff_t step = transfer.stride(shape.rank() - 1);
  const auto check_row = [&](const std::array<std::ptrdiff_t, 1>& at, std::size_t row) {
    for (std::size_t i = 0; i < width; ++i) {
      const std::complex<double> h(transfer.data()[at[0] + static_cast<std::ptrdiff_t>(i) * step]);
      FFTCONV_CHECK(finite(h), invalid_argument, what, ": transfer",
                    index_string(row * width + i, shape), " is ", h,
                    "; transfer values must be finite");
    }
  };
  detail::for_each_row<1>(shape, {&transfer.strides()}, check_row);
  // (Where the last length is at most 2 the shapes coincide and both readings agree.)
  return transfer.shape() == lengths ? TransferForm::full : TransferForm::half;
}

// Runs a call whose transfer function is transfer(f) of the frequency vector f (of the image's
// rank), given on the full grid or on the half spectrum (`form`); `concurrent`: transfer is
// called from the call's threads (built-ins), else on the calling thread (a user's function,
// which may throw).
template <class T, class Transfer>
void filter_with(const ConstView<T>& image, const View<T>& out, const FrequencyOptions& options,
                 const char* what, TransferForm form, bool concurrent, Transfer&& transfer) {
  const FrequencyCall call = validate(image, out, options, what);
  detail::run_frequency_filter(
      call, image, out,
      [&](const std::size_t*, const double* f, std::size_t) { return transfer(f); }, form,
      concurrent, what);
}

template <class T>
void filter_callable(const ConstView<T>& image, const View<T>& out,
                     const TransferFunction& transfer, const FrequencyOptions& options) {
  const char* what = "fftconv::frequency_filter";
  FFTCONV_CHECK(static_cast<bool>(transfer), invalid_argument, what,
                ": transfer is an empty std::function");
  const int rank = image.rank();
  filter_with(image, out, options, what, TransferForm::full, false, [&](const double* f) {
    const std::complex<double> h = transfer(f, rank);
    FFTCONV_CHECK(finite(h), invalid_argument, "transfer returned ", h, " at frequency ",
                  frequency_string(f, rank), "; transfer values must be finite");
    return h;
  });
}

template <class T>
void filter_array(const ConstView<T>& image, const View<T>& out,
                  const ConstView<std::complex<T>>& transfer, const FrequencyOptions& options) {
  const char* what = "fftconv::frequency_filter";
  const Shape lengths = checked_views(image, out, options, what);
  const TransferForm form = check_transfer_array(transfer, lengths, image.shape(), what);
  const FrequencyCall call = detail::resolve_frequency_call<T>(image.shape(), options, what);
  const int rank = image.rank();
  detail::run_frequency_filter(
      call, image, out,
      [&](const std::size_t* bin, const double*, std::size_t) {
        std::ptrdiff_t at = 0;
        for (int a = 0; a < rank; ++a)
          at += static_cast<std::ptrdiff_t>(bin[a]) * transfer.stride(a);
        return std::complex<double>(transfer.data()[at]);
      },
      form, true, what);
}

// A real transfer function of |f|^2 alone, gain(|f|^2): even in f (|f| is the same at a bin and
// its mirror), so its own Hermitian part, applied in the half form.
template <class T, class Gain>
void filter_radial(const ConstView<T>& image, const View<T>& out, const FrequencyOptions& options,
                   const char* what, Gain&& gain) {
  const int rank = image.rank();
  filter_with(image, out, options, what, TransferForm::half, true, [&](const double* f) {
    return std::complex<double>(gain(detail::squared_norm(f, rank)));
  });
}

template <class T>
void butterworth_filter(const ConstView<T>& image, const View<T>& out, double cutoff,
                        bool high_pass, double order, const FrequencyOptions& options) {
  const char* what = "fftconv::butterworth";
  check_positive(cutoff, "cutoff_frequency_ratio", what);
  check_order(order, what);
  filter_radial(image, out, options, what, [&](double q2) {
    const double low = detail::butterworth_lowpass(q2, cutoff, order);
    return high_pass ? 1 - low : low;
  });
}

template <class T>
void gaussian_filter(const ConstView<T>& image, const View<T>& out, double sigma,
                     const FrequencyOptions& options) {
  const char* what = "fftconv::gaussian_lowpass";
  check_positive(sigma, "sigma_frequency", what);
  filter_radial(image, out, options, what,
                [&](double q2) { return detail::gaussian_lowpass(q2, sigma); });
}

template <class T>
void band_pass_filter(const ConstView<T>& image, const View<T>& out, double low_cutoff,
                      double high_cutoff, double order, const FrequencyOptions& options) {
  const char* what = "fftconv::band_pass";
  check_positive(low_cutoff, "low_cutoff", what);
  check_positive(high_cutoff, "high_cutoff", what);
  FFTCONV_CHECK(low_cutoff < high_cutoff, invalid_argument, what, ": low_cutoff ", low_cutoff,
                " must be below high_cutoff ", high_cutoff);
  check_order(order, what);
  filter_radial(image, out, options, what, [&](double q2) {
    return detail::butterworth_lowpass(q2, high_cutoff, order) -
           detail::butterworth_lowpass(q2, low_cutoff, order);
  });
}

template <class T>
void shift_filter(const ConstView<T>& image, const View<T>& out, const std::vector<double>& shift,
                  const FrequencyOptions& options) {
  const char* what = "fftconv::fourier_shift";
  FFTCONV_CHECK(shift.size() == static_cast<std::size_t>(image.rank()), invalid_argument, what,
                ": shift has ", shift.size(), " values for an image of rank ", image.rank(),
                " (shape ", to_string(image.shape()), ")");
  for (std::size_t a = 0; a < shift.size(); ++a)
    FFTCONV_CHECK(std::isfinite(shift[a]), invalid_argument, what, ": shift[", a, "] is ", shift[a],
                  "; it must be finite");
  const int rank = image.rank();
  // Not Hermitian at Nyquist bins (exp(i pi s) there): the full form applies its Hermitian part.
  filter_with(image, out, options, what, TransferForm::full, true,
              [&](const double* f) { return detail::shift_factor(f, shift.data(), rank); });
}

}  // namespace

Shape frequency_grid_shape(const Shape& image_shape, const FrequencyOptions& options) {
  return detail::frequency_grid_lengths(image_shape, options.boundary, options.padding,
                                        "fftconv::frequency_grid_shape");
}

void frequency_filter(ConstView<float> image, View<float> out, const TransferFunction& transfer,
                      const FrequencyOptions& options) {
  filter_callable(image, out, transfer, options);
}
void frequency_filter(ConstView<double> image, View<double> out, const TransferFunction& transfer,
                      const FrequencyOptions& options) {
  filter_callable(image, out, transfer, options);
}
void frequency_filter(ConstView<float> image, View<float> out,
                      ConstView<std::complex<float>> transfer, const FrequencyOptions& options) {
  filter_array(image, out, transfer, options);
}
void frequency_filter(ConstView<double> image, View<double> out,
                      ConstView<std::complex<double>> transfer, const FrequencyOptions& options) {
  filter_array(image, out, transfer, options);
}

void butterworth(ConstView<float> image, View<float> out, double cutoff_frequency_ratio,
                 bool high_pass, double order, const FrequencyOptions& options) {
  butterworth_filter(image, out, cutoff_frequency_ratio, high_pass, order, options);
}
void butterworth(ConstView<double> image, View<double> out, double cutoff_frequency_ratio,
                 bool high_pass, double order, const FrequencyOptions& options) {
  butterworth_filter(image, out, cutoff_frequency_ratio, high_pass, order, options);
}

void gaussian_lowpass(ConstView<float> image, View<float> out, double sigma_frequency,
                      const FrequencyOptions& options) {
  gaussian_filter(image, out, sigma_frequency, options);
}
void gaussian_lowpass(ConstView<double> image, View<double> out, double sigma_frequency,
                      const FrequencyOptions& options) {
  gaussian_filter(image, out, sigma_frequency, options);
}

void band_pass(ConstView<float> image, View<float> out, double low_cutoff, double high_cutoff,
               double order, const FrequencyOptions& options) {
  band_pass_filter(image, out, low_cutoff, high_cutoff, order, options);
}
void band_pass(ConstView<double> image, View<double> out, double low_cutoff, double high_cutoff,
               double order, const FrequencyOptions& options) {
  band_pass_filter(image, out, low_cutoff, high_cutoff, order, options);
}

void fourier_shift(ConstView<float> image, View<float> out, const std::vector<double>& shift,
                   const FrequencyOptions& options) {
  shift_filter(image, out, shift, options);
}
void fourier_shift(ConstView<double> image, View<double> out, const std::vector<double>& shift,
                   const FrequencyOptions& options) {
  shift_filter(image, out, shift, options);
}

}  // namespace fftconv
