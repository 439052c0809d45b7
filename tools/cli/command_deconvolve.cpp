// deconvolve: undoes a known blur, the PSF of --psf, with fftconv::richardson_lucy, landweber or
// wiener (fftconv/deconvolve.hpp). Files in, files out, as convolve's: one or more images, -o a
// file or a directory, the output type rules of --dtype, a temporary renamed into place. The
// channel and frame volumes of a hyperstack or an RGB(A) image are deconvolved each on its own
// (an alpha channel is carried over). The progress bar counts the iterations.
#include <algorithm>
#include <cstdio>
#include <filesystem>
#include <new>
#include <string>
#include <vector>

#include "commands.hpp"
#include "failures.hpp"
#include "fftconv/deconvolve.hpp"
#include "fftconv/error.hpp"
#include "image_volumes.hpp"
#include "input_files.hpp"
#include "io/convert.hpp"
#include "io/files.hpp"
#include "output_files.hpp"
#include "pixel_values.hpp"
#include "progress.hpp"
#include "provenance.hpp"

namespace fftconv::cli {

namespace {

using io::Image;
using io::PixelType;

/// The file a library error concerns: the PSF's or the mask's when the message names that
/// argument ("fftconv::richardson_lucy: psf has a negative value (-0.5)"), else the image's.
const std::string& blamed_file(const Error& e, const Job& job, const std::string& image_name) {
  const std::string message = e.what();
  if (message.find(": psf ") != std::string::npos) return job.kernel;
  if (!job.mask.empty() && message.find(": mask ") != std::string::npos) return job.mask;
  return image_name;
}

/// The iteration callback: a step of the progress bar, "iteration 7/50, change 3.1e-03" (with
/// "volume 2/3, " before it for a split image).
IterationCallback progress_steps(Progress& progress, int iterations, VolumeSteps volume) {
  return [&progress, iterations, volume](int iteration, double change) {
    const auto n = static_cast<std::size_t>(iterations);
    char text[128];
    if (volume.count > 1)
      std::snprintf(text, sizeof text, "volume %zu/%zu, iteration %d/%d, change %.3g",
                    volume.index + 1, volume.count, iteration, iterations, change);
    else
      std::snprintf(text, sizeof text, "iteration %d/%d, change %.3g", iteration, iterations,
                    change);
    progress.step(volume.index * n + static_cast<std::size_t>(iteration), volume.count * n,
                  std::string(text));
    return true;
  };
}

/// The settings every method shares, from the job.
template <class O>
O library_options(const Job& job) {
  O o;
  o.edges = job.deconvolution.edges;
  o.clip = job.deconvolution.clip;
  return with_run_settings(job, o);
}

/// One image or volume of `shape` deconvolved with the job's method, from `in` into `out`.
template <class T>
void deconvolve_volume(const Job& job, const T* in, const Shape& shape, const std::vector<T>& psf,
                       const Shape& psf_shape, const Mask& mask, T* out, Progress& progress,
                       VolumeSteps volume) {
  const Deconvolution& d = job.deconvolution;
  const ConstView<T> image(in, shape), kernel(psf.data(), psf_shape);
  const View<T> result(out, shape);
  const ConstView<bool> bad =
      mask.nonzero ? ConstView<bool>(mask.nonzero.get(), shape) : ConstView<bool>();
  switch (d.method) {
    case DeconvolutionMethod::richardson_lucy: {
      auto o = library_options<RichardsonLucyOptions>(job);
      o.iterations = d.iterations;
      o.acceleration = d.acceleration;
      o.tv_regularization = d.tv;
      o.mask = bad;
      o.progress = progress_steps(progress, d.iterations, volume);
      richardson_lucy(image, kernel, result, o);
      break;
    }
    case DeconvolutionMethod::landweber: {
      auto o = library_options<LandweberOptions>(job);
      o.iterations = d.iterations;
      o.alpha = d.alpha;
      o.mask = bad;
      o.progress = progress_steps(progress, d.iterations, volume);
      landweber(image, kernel, result, o);
      break;
    }
    case DeconvolutionMethod::wiener: {
      auto o = library_options<WienerOptions>(job);
      o.regularizer = d.regularizer;
      wiener(image, kernel, result, d.balance, o);
      break;
    }
  }
}

/// --tv below 1 / (2 rank), which keeps the regularized update's divisor positive.
void check_tv(const Job& job, const Shape& shape, const std::string& image_name) {
  const double limit = 1.0 / (2.0 * shape.rank());
  if (job.deconvolution.method != DeconvolutionMethod::richardson_lucy ||
      job.deconvolution.tv < limit)
    return;
  char text[160];
  std::snprintf(text, sizeof text,
                "--tv %g is too large for %d-D data: it must be below 1/(2*%d) "
                "= %g (typical values 1e-4 to 1e-2)",
                job.deconvolution.tv, shape.rank(), shape.rank(), limit);
  throw UsageError(image_name + ": " + text);
}

}  // namespace

int run_deconvolve(const Job& job) {
  const std::vector<std::string> outputs = output_paths(job);
  std::vector<std::string> inputs = job.images;
  inputs.push_back(job.kernel);
  if (!job.mask.empty()) inputs.push_back(job.mask);
  const std::vector<io::Format> formats = prepare_outputs(job, outputs, inputs);

  Progress progress(job.progress);
  progress.update(0, job.images.size(), "reading " + base_name(job.kernel));
  const Kernel psf = read_kernel(job.kernel, job);
  require_real(psf.type, job.kernel, "deconvolve");
  const Mask mask = read_mask(job.mask, job);
  write_each_image(
      job, outputs, formats, progress, "deconvolve", "deconvolving",
      [&](const Image& image, const std::string& image_name, PixelType type,
          io::Conversion& report) {
        // Hyperstack channels and frames, RGB channels: each volume is deconvolved on its own.
        const Shape shape = volume_shape(image);
        const Shape psf_shape = promote(psf.shape, shape, job.kernel, image_name);
        check_tv(job, shape, image_name);
        // One mask for every channel/frame volume alike.
        if (mask.nonzero && mask.shape != shape)
          throw io::IoError(mask.name + ": the mask is " + to_string(mask.shape) + " but " +
                            (image.metadata.layout.split() ? "each channel/frame volume of " : "") +
                            image_name + " is " + to_string(shape));
        const auto blamed = [&](const Error& e) -> const std::string& {
          return blamed_file(e, job, image_name);
        };
        const auto in = [&](auto scalar) {
          using T = decltype(scalar);
          const std::vector<T> psf_values = kernel_values<T>(psf);
          return compute_volumes<T>(
              image, image_name, type, report,
              [&](const T* from, T* to, VolumeSteps volume) {
                deconvolve_volume<T>(job, from, shape, psf_values, psf_shape, mask, to, progress,
                                     volume);
              },
              blamed);
        };
        Image result = computes_in_double(job.precision, image.type) ? in(0.0) : in(0.0f);
        result.metadata = output_metadata(job, image.metadata, psf_shape);
        return result;
      });
  return 0;
}

}  // namespace fftconv::cli
