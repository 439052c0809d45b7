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

/// Which volume of an image is being deconvolved (`index` of `count`: the channel and frame
/// volumes of a split image, else 0 of 1), so the progress bar counts across them.
struct VolumeSteps {
  std::size_t index = 0, count = 1;
};

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
  o.threads = job.options.threads;
  o.planning = job.options.planning;
  o.max_memory_bytes = job.options.max_memory_bytes;
  return o;
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

/// Deconvolves `image` (each channel/frame volume of a split image on its own, an alpha channel
/// copied) in T, into an image of `type`.
template <class T>
Image deconvolve_image(const Job& job, const Image& image, const std::string& image_name,
                       const Kernel& psf, const Shape& psf_shape, const Mask& mask, PixelType type,
                       io::Conversion& report, Progress& progress) {
  const io::Layout& layout = image.metadata.layout;
  const Shape shape = volume_shape(image);
  const std::size_t volumes = layout.split() ? layout.channels * layout.frames : 1;
  const std::size_t count = element_count(shape), all = element_count(image.shape);
  Allocating allocating;
  try {
    // The pixels in place when they are stored as T (a float32 image computed in float).
    std::vector<T> converted;
    const T* in = io::values_in_place<T>(image);
    if (!in) {
      allocating(described("pixels", image.shape, pixel_type_of<T>()), all * sizeof(T));
      converted = io::to_values<T>(image);
      in = converted.data();
    }
    const std::vector<T> psf_values = kernel_values<T>(psf);
    // The result computed into the output image's bytes when it stores T, else into `scratch`.
    Image result{image.shape, type, {}};
    std::vector<T> scratch;
    T* out = nullptr;
    allocating(described("result", image.shape, pixel_type_of<T>()), all * sizeof(T));
    if (type == pixel_type_of<T>()) {
      result.bytes.resize(all * sizeof(T));
      out = io::values_in_place<T>(result);
    }
    if (!out) {
      scratch.resize(all);
      out = scratch.data();
    }
    for (std::size_t v = 0; v < volumes; ++v) {
      const T* from = in + v * count;
      T* to = out + v * count;
      if (layout.alpha && v % layout.channels == layout.channels - 1) {
        std::copy(from, from + count, to);
        continue;
      }
      allocating("deconvolving");  // (the library's working memory)
      try {
        deconvolve_volume<T>(job, from, shape, psf_values, psf_shape, mask, to, progress,
                             VolumeSteps{v, volumes});
      } catch (const Error& e) {
        rethrow_for(blamed_file(e, job, image_name), e);
      }
    }
    allocating(described("result", image.shape, type), all * io::size_of(type));
    if (!scratch.empty()) result = io::from_values(image.shape, scratch.data(), type, report);
    return result;
  } catch (const std::bad_alloc&) {
    allocating.fail(image_name);
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
  std::vector<io::Format> formats;
  std::vector<NamedOutput> named;
  for (const std::string& out : outputs) {
    formats.push_back(output_format(out));
    // (Before the work when one type is given; `same` is checked per image, once read.)
    if (job.type && !job.type->same_as_input) check_storable(out, formats.back(), job.type->pixel);
    named.push_back({"-o", out});
  }
  check_distinct_files(named, inputs);
  if (outputs.size() > 1 || outputs.front() != job.output) {  // -o DIR
    std::error_code ec;
    std::filesystem::create_directories(job.output, ec);
    if (ec) throw io::IoError(job.output + ": cannot create the directory: " + ec.message());
  }

  Progress progress(job.progress);
  progress.update(0, job.images.size(), "reading " + base_name(job.kernel));
  const Kernel psf = read_kernel(job.kernel, job);
  require_real(psf.type, job.kernel, "deconvolve");
  const Mask mask = read_mask(job.mask, job);
  for (std::size_t i = 0; i < job.images.size(); ++i) {
    const std::string& image_name = job.images[i];
    io::OutputFile output(outputs[i]);  // an unwritable target fails before the work
    progress.update(i, job.images.size(), "reading " + base_name(image_name));
    const Image image = read(image_name, job);
    require_real(image.type, image_name, "deconvolve");
    check_rank_fits(outputs[i], formats[i], image.shape);
    // Hyperstack channels and frames, RGB channels: each volume is deconvolved on its own.
    const Shape shape = volume_shape(image);
    const Shape psf_shape = promote(psf.shape, shape, job.kernel, image_name);
    check_tv(job, shape, image_name);
    // One mask for every channel/frame volume alike.
    if (mask.nonzero && mask.shape != shape)
      throw io::IoError(mask.name + ": the mask is " + to_string(mask.shape) + " but " +
                        (image.metadata.layout.split() ? "each channel/frame volume of " : "") +
                        image_name + " is " + to_string(shape));
    const PixelType type = output_type(job, image.type, false, formats[i], outputs[i]);
    progress.update(i, job.images.size(), "deconvolving " + base_name(image_name));
    io::Conversion report;
    Image result = computes_in_double(job.precision, image.type)
                       ? deconvolve_image<double>(job, image, image_name, psf, psf_shape, mask,
                                                  type, report, progress)
                       : deconvolve_image<float>(job, image, image_name, psf, psf_shape, mask, type,
                                                 report, progress);
    result.metadata = output_metadata(job, image.metadata, psf_shape);
    progress.update(i, job.images.size(), "writing " + base_name(outputs[i]));
    output.write(result);
    warn_conversion(progress, job, outputs[i], type, report);
  }
  return 0;
}

}  // namespace fftconv::cli
