// frequency: transfer-function filters (fftconv/frequency.hpp): fftconv::butterworth,
// gaussian_lowpass, band_pass, fourier_shift, or frequency_filter with the array of --transfer.
// Files in, files out, as deconvolve's: one or more images, -o a file or a directory, the output
// type rules of --dtype, a temporary renamed into place. The channel and frame volumes of a
// hyperstack or an RGB(A) image are filtered each on its own (an alpha channel is carried over).
#include <complex>
#include <string>
#include <vector>

#include "commands.hpp"
#include "fftconv/error.hpp"
#include "fftconv/frequency.hpp"
#include "image_volumes.hpp"
#include "input_files.hpp"
#include "io/files.hpp"
#include "output_files.hpp"
#include "pixel_values.hpp"
#include "progress.hpp"
#include "provenance.hpp"

namespace fftconv::cli {

namespace {

using io::Image;
using io::PixelType;

/// The library's options: the job's boundary rule, fill value, threads, planning and memory
/// budget, and --padding.
FrequencyOptions library_options(const Job& job) {
  FrequencyOptions o;
  o.boundary = job.options.boundary;
  o.padding = job.frequency.padding;
  o.fill_value = job.options.fill_value;
  return with_run_settings(job, o);
}

/// One image or volume of `shape` filtered with the job's filter, from `in` into `out`
/// (`transfer`: --transfer's values in T's precision, of `transfer_shape`).
template <class T>
void filter_volume(const Job& job, const T* in, const Shape& shape,
                   const std::vector<std::complex<T>>& transfer, const Shape& transfer_shape,
                   T* out) {
  const Frequency& f = job.frequency;
  const FrequencyOptions o = library_options(job);
  const ConstView<T> image(in, shape);
  const View<T> result(out, shape);
  switch (f.filter) {
    case FrequencyFilter::butterworth:
      butterworth(image, result, f.cutoff, f.high_pass, f.order, o);
      break;
    case FrequencyFilter::gaussian:
      gaussian_lowpass(image, result, f.sigma_frequency, o);
      break;
    case FrequencyFilter::band_pass:
      band_pass(image, result, f.low, f.high, f.order, o);
      break;
    case FrequencyFilter::shift:
      fourier_shift(image, result, f.shift, o);
      break;
    case FrequencyFilter::transfer:
      frequency_filter(image, result, ConstView<std::complex<T>>(transfer.data(), transfer_shape),
                       o);
      break;
  }
}

/// --shift: one value per axis of the image (of each channel/frame volume of a split image).
void check_shift(const Job& job, const Shape& shape, const std::string& image_name) {
  const std::size_t given = job.frequency.shift.size();
  if (job.frequency.filter != FrequencyFilter::shift ||
      given == static_cast<std::size_t>(shape.rank()))
    return;
  throw UsageError("--shift has " + std::to_string(given) + " values but " + image_name + " is " +
                   std::to_string(shape.rank()) + "-D" +
                   (shape.rank() == 1 ? "" : " (" + to_string(shape) + ")") +
                   ": give one shift per axis");
}

}  // namespace

int run_frequency(const Job& job) {
  const std::vector<std::string> outputs = output_paths(job);
  std::vector<std::string> inputs = job.images;
  if (!job.kernel.empty()) inputs.push_back(job.kernel);
  const std::vector<io::Format> formats = prepare_outputs(job, outputs, inputs);

  Progress progress(job.progress);
  Kernel transfer;  // (--filter transfer: H over the grid's bins)
  if (!job.kernel.empty()) {
    progress.update(0, job.images.size(), "reading " + base_name(job.kernel));
    transfer = read_kernel(job.kernel, job);
  }
  write_each_image(
      job, outputs, formats, progress, "frequency", "filtering",
      [&](const Image& image, const std::string& image_name, PixelType type,
          io::Conversion& report) {
        // Hyperstack channels and frames, RGB channels: each volume is filtered on its own.
        const Shape shape = volume_shape(image);
        check_shift(job, shape, image_name);
        // The transfer array's errors (its shape, a non-finite value) name its file.
        const auto blamed = [&](const Error& e) -> const std::string& {
          const bool transfer_error =
              !job.kernel.empty() && std::string(e.what()).find(": transfer") != std::string::npos;
          return transfer_error ? job.kernel : image_name;
        };
        const auto in = [&](auto scalar) {
          using T = decltype(scalar);
          const std::vector<std::complex<T>> h = job.kernel.empty()
                                                     ? std::vector<std::complex<T>>()
                                                     : kernel_values<std::complex<T>>(transfer);
          return compute_volumes<T>(
              image, image_name, type, report,
              [&](const T* from, T* to, VolumeSteps volume) {
                filter_volume<T>(job, from, shape, h, transfer.shape, to);
                if (volume.count > 1)
                  progress.step(volume.index + 1, volume.count,
                                shape.rank() == 2 ? "plane" : "volume");
              },
              blamed);
        };
        Image result = computes_in_double(job.precision, image.type) ? in(0.0) : in(0.0f);
        result.metadata = output_metadata(job, image.metadata, shape);  // (mode same: no shift)
        return result;
      });
  return 0;
}

}  // namespace fftconv::cli
