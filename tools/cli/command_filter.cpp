// convolve, correlate and blur: files in, files out, one Filter per image shape (blur: the
// Gaussian of --sigma as the kernel). Real or complex images and kernels (complex .npy files):
// each combination is computed in its own scalars, by one piece of code.
#include <algorithm>
#include <cmath>
#include <complex>
#include <cstdio>
#include <filesystem>
#include <map>
#include <memory>
#include <optional>
#include <stdexcept>
#include <string>
#include <tuple>
#include <type_traits>
#include <vector>

#include "commands.hpp"
#include "failures.hpp"
#include "fftconv/convolve.hpp"
#include "fftconv/error.hpp"
#include "fftconv/filter.hpp"
#include "fftconv/masked.hpp"
#include "gaussian.hpp"
#include "input_files.hpp"
#include "io/convert.hpp"
#include "io/files.hpp"
#include "output_files.hpp"
#include "pixel_values.hpp"
#include "progress.hpp"
#include "provenance.hpp"
#include "streaming.hpp"

namespace fftconv::cli {

namespace {

using io::Image;
using io::PixelType;

/// One value per axis from a list of one value (all axes) or `rank` values.
template <class V>
std::vector<V> per_axis(const std::vector<V>& values, int rank, const char* option,
                        const std::string& image_name) {
  if (values.size() == 1) return std::vector<V>(static_cast<std::size_t>(rank), values[0]);
  if (values.size() != static_cast<std::size_t>(rank))
    throw UsageError(std::string(option) + " has " + std::to_string(values.size()) +
                     " values but " + image_name + " is " + std::to_string(rank) +
                     "-D (give one value, or one per axis)");
  return values;
}

/// The longest Gaussian blur computes (as for --size).
constexpr std::size_t max_blur_length = std::size_t{1} << 24;

Kernel blur_kernel(const Job& job, const Shape& image_shape, const std::string& image_name) {
  const int rank = image_shape.rank();
  const std::vector<double> sigma = per_axis(job.sigma, rank, "--sigma", image_name);
  std::vector<std::size_t> sizes(static_cast<std::size_t>(rank));
  if (job.size.empty())
    for (std::size_t a = 0; a < sizes.size(); ++a) {
      const std::size_t radius = gaussian_radius(sigma[a], job.truncate);
      if (radius >= max_blur_length / 2) {
        char text[128];
        std::snprintf(text, sizeof text,
                      "--sigma %g with --truncate %g asks for a kernel longer than %zu taps",
                      sigma[a], job.truncate, max_blur_length);
        throw UsageError(text);
      }
      sizes[a] = 2 * radius + 1;
    }
  else
    sizes = per_axis(job.size, rank, "--size", image_name);
  Kernel k;
  k.values = gaussian_kernel(sigma, sizes, k.shape);
  return k;
}

/// Filters by image shape and scalar (float, double, complex of them): every image of one shape
/// reuses one Filter (plans and the kernel spectrum made once).
class Filters {
 public:
  Filters(const Job& job, Operation operation) : job_(job), operation_(operation) {}

  Operation operation() const { return operation_; }

  /// `method`: the job's --method unless given.
  template <class T>
  const Filter<T>& get(const Kernel& kernel, const Shape& image_shape,
                       std::optional<Method> method = std::nullopt) {
    auto& cache = std::get<Cache<T>>(caches_);
    std::vector<std::size_t> key(image_shape.begin(), image_shape.end());
    key.push_back(method ? 1 + static_cast<std::size_t>(*method) : 0);
    auto it = cache.find(key);
    if (it == cache.end()) {
      const std::vector<T> values = kernel_values<T>(kernel);
      Options options = job_.options;
      if (method) options.method = *method;
      auto filter = std::make_unique<Filter<T>>(ConstView<T>(values.data(), kernel.shape),
                                                image_shape, operation_, options);
      it = cache.emplace(key, std::move(filter)).first;
    }
    return *it->second;
  }

 private:
  template <class T>
  using Cache = std::map<std::vector<std::size_t>, std::unique_ptr<Filter<T>>>;

  const Job& job_;
  Operation operation_;
  std::tuple<Cache<float>, Cache<double>, Cache<std::complex<float>>, Cache<std::complex<double>>>
      caches_;
};

/// The filtered image and (when asked for) the coverage map; with --nan propagate, how many
/// input pixels were NaN/Inf and, if any, how many outputs they made NaN/Inf.
struct Filtered {
  Image values, weight;
  std::size_t nonfinite_in = 0, nonfinite_out = 0, outputs = 0;
  bool plane_steps = false;  // the progress bar counted the planes
};

/// Which volume of an image filter_image works on (volume `index` of `count`: the channel and
/// frame volumes of a split image, else 0 of 1), so the progress bar counts across them.
struct VolumeSteps {
  std::size_t index = 0, count = 1;
};

/// The output image, and the numbers to compute into: the image's own bytes when it stores T
/// (no conversion copy), else `scratch`, converted by finish_output.
template <class T>
T* output_values(Image& output, const Shape& shape, PixelType type, std::vector<T>& scratch) {
  output = Image{shape, type, {}};
  if (type == pixel_type_of<T>()) {
    output.bytes.resize(element_count(shape) * sizeof(T));
    if (T* values = io::values_in_place<T>(output)) return values;
  }
  scratch.resize(element_count(shape));
  return scratch.data();
}

template <class T>
void finish_output(Image& output, const std::vector<T>& scratch, io::Conversion& report,
                   Allocating& allocating) {
  allocating(described("result", output.shape, output.type),
             element_count(output.shape) * io::size_of(output.type));
  if (!scratch.empty()) output = io::from_values(output.shape, scratch.data(), output.type, report);
}

/// Filters `in` (of `shape`) into `out` with the library: a Filter from `filters` when image and
/// kernel are both real or both complex, else (a real image with a complex kernel, or the
/// reverse) one convolve/correlate call with the two (two real operations, not the four of
/// making both complex). True when it stepped the progress bar plane by plane.
template <class I, class K, class O>
bool apply_filter(Filters& filters, const Job& job, const Kernel& kernel, const I* in,
                  const Shape& shape, O* out, const Shape& out_shape, Progress& progress,
                  VolumeSteps volume) {
  if constexpr (!std::is_same_v<I, K>) {
    const std::vector<K> k = kernel_values<K>(kernel);
    const ConstView<I> image(in, shape);
    const ConstView<K> kernel_view(k.data(), kernel.shape);
    if (filters.operation() == Operation::correlate)
      correlate(image, kernel_view, View<O>(out, out_shape), job.options);
    else
      convolve(image, kernel_view, View<O>(out, out_shape), job.options);
    return false;
  } else {
    const Filter<I>& filter = filters.get<I>(kernel, shape);
    const std::size_t planes =
        shape.rank() == 3 && kernel.shape[0] == 1 && job.options.axes.empty() ? shape[0] : 1;
    if (planes > 1 && (filter.method() == Method::direct || filter.method() == Method::separable)) {
      // A stack filtered with a kernel of lower rank, by direct sums: plane by plane with the
      // same method gives the same sums (bit-identical), and steps the progress bar counts.
      // (The FFT methods transform the stack whole: per plane they would round differently.)
      const Shape plane{shape[1], shape[2]};
      Kernel plane_kernel = kernel;
      plane_kernel.shape = Shape{kernel.shape[1], kernel.shape[2]};
      const Filter<I>& per_plane = filters.get<I>(plane_kernel, plane, filter.method());
      const Shape out_plane = per_plane.output_shape();
      const std::size_t in_step = element_count(plane), out_step = element_count(out_plane);
      for (std::size_t p = 0; p < planes; ++p) {
        per_plane.apply(ConstView<I>(in + p * in_step, plane),
                        View<I>(out + p * out_step, out_plane));
        progress.step(volume.index * planes + p + 1, volume.count * planes, "plane");
      }
      return true;
    }
    filter.apply(ConstView<I>(in, shape), View<I>(out, out_shape));
    return false;
  }
}

/// --mask or --weight-out: convolve_masked, of real data only (run_filter refuses complex files
/// with them); the coverage map into `result.weight`.
template <class T>
void filter_masked(const Job& job, const Kernel& kernel, const Mask& mask, const T* in,
                   const Shape& shape, T* out, const Shape& out_shape, Filtered& result,
                   Allocating& allocating) {
  // convolve_masked convolves; correlation is convolution with the kernel flipped (all axes
  // reversed: the C-order values in reverse).
  std::vector<T> k = kernel_values<T>(kernel);
  if (job.command == Command::correlate) std::reverse(k.begin(), k.end());
  const std::size_t in_count = element_count(shape);
  std::unique_ptr<bool[]> none;
  if (!mask.nonzero) {
    allocating("allocating the all-valid mask", in_count);
    none.reset(new bool[in_count]());
  }
  std::vector<T> weight_scratch;
  T* weight = nullptr;
  if (!job.weight_out.empty()) {
    allocating(described("coverage map", out_shape, pixel_type_of<T>()),
               element_count(out_shape) * sizeof(T));
    weight = output_values(result.weight, out_shape, pixel_type_of<T>(), weight_scratch);
  }
  allocating("filtering");
  convolve_masked(ConstView<T>(in, shape),
                  ConstView<bool>(mask.nonzero ? mask.nonzero.get() : none.get(), shape),
                  ConstView<T>(k.data(), kernel.shape), View<T>(out, out_shape),
                  weight ? View<T>(weight, out_shape) : View<T>(), job.options);
  io::Conversion ignored;  // (the coverage map is stored as T: nothing to clip)
  finish_output(result.weight, weight_scratch, ignored, allocating);
}

/// Filters one image or volume of scalar I with a kernel of K (its shape checked against the
/// mask's by run_filter) into `type` pixels.
template <class I, class K>
Filtered filter_image(Filters& filters, const Job& job, const Kernel& kernel, const Mask& mask,
                      const Image& image, const std::string& image_name, PixelType type,
                      io::Conversion& report, Progress& progress, VolumeSteps volume) {
  using O = result_t<I, K>;
  Allocating allocating;
  try {
    // The pixels in place when they are stored as I (a float32 image computed in float).
    std::vector<I> converted;
    const I* in = io::values_in_place<I>(image);
    const std::size_t in_count = element_count(image.shape);
    if (!in) {
      allocating(described("pixels", image.shape, pixel_type_of<I>()), in_count * sizeof(I));
      converted = io::to_values<I>(image);
      in = converted.data();
    }
    const Shape out_shape = output_shape(image.shape, kernel.shape, job.options);
    Filtered result;
    std::vector<O> scratch;
    allocating(described("result", out_shape, pixel_type_of<O>()),  // (as O; finish_output
               element_count(out_shape) * sizeof(O));               // converts it to `type`)
    O* const out = output_values(result.values, out_shape, type, scratch);
    allocating("filtering");  // (the library's working memory)
    if (!mask.nonzero && job.weight_out.empty()) {
      result.plane_steps = apply_filter<I, K>(filters, job, kernel, in, image.shape, out, out_shape,
                                              progress, volume);
    } else if constexpr (!is_complex_v<O>) {
      filter_masked<O>(job, kernel, mask, in, image.shape, out, out_shape, result, allocating);
    } else {
      throw std::logic_error("masked filtering of complex data (refused by run_filter)");
    }
    if (job.options.nan_policy == NanPolicy::propagate) {
      result.nonfinite_in = count_nonfinite(in, in_count);
      if (result.nonfinite_in)
        result.nonfinite_out = count_nonfinite(out, element_count(out_shape));
    }
    result.outputs = element_count(out_shape);
    finish_output(result.values, scratch, report, allocating);
    return result;
  } catch (const Error& e) {
    rethrow_for(image_name, e);
  } catch (const std::bad_alloc&) {
    allocating.fail(image_name);
  }
}

/// filter_image on each (frame, channel) volume on its own, never mixing channels or frames;
/// an alpha channel is carried over unfiltered. The results are stacked in the input's layout.
/// The progress bar counts the planes across the volumes, or (volumes filtered whole) the
/// volumes.
template <class I, class K>
Filtered filter_volumes(Filters& filters, const Job& job, const Kernel& kernel, const Mask& mask,
                        const Image& image, const std::string& image_name, PixelType type,
                        io::Conversion& report, Progress& progress) {
  const io::Layout& layout = image.metadata.layout;
  using T = part_t<I>;  // (the coverage map's scalar)
  if (!layout.split())
    return filter_image<I, K>(filters, job, kernel, mask, image, image_name, type, report, progress,
                              VolumeSteps{});
  const Shape shape = volume_shape(image);
  const std::size_t volumes = layout.channels * layout.frames;
  const std::size_t volume_bytes = element_count(shape) * io::size_of(image.type);
  // The volumes' results stacked as planes (frame, channel, slice).
  const Shape volume_out = output_shape(shape, kernel.shape, job.options);
  const int r = volume_out.rank();
  const Shape out_shape{volumes * (r == 3 ? volume_out[0] : 1), volume_out[r - 2],
                        volume_out[r - 1]};
  Filtered all;
  Allocating allocating;
  try {
    allocating(described("result", out_shape, type), element_count(out_shape) * io::size_of(type));
    all.values.bytes.reserve(element_count(out_shape) * io::size_of(type));
    if (!job.weight_out.empty()) {
      allocating(described("coverage map", out_shape, pixel_type_of<T>()),
                 element_count(out_shape) * sizeof(T));
      all.weight.bytes.reserve(element_count(out_shape) * sizeof(T));
    }
    for (std::size_t v = 0; v < volumes; ++v) {
      allocating("copying a channel/frame volume", volume_bytes);
      const auto first = image.bytes.begin() + static_cast<std::ptrdiff_t>(v * volume_bytes);
      const Image volume{shape, image.type,
                         io::PixelBytes(first, first + static_cast<std::ptrdiff_t>(volume_bytes))};
      Filtered one;
      if (layout.alpha && v % layout.channels == layout.channels - 1) {
        allocating("copying the alpha channel", element_count(shape) * sizeof(double));
        const std::vector<double> alpha = io::to_values<double>(volume);
        one.values = io::from_values(shape, alpha.data(), type, report);
      } else {
        one = filter_image<I, K>(filters, job, kernel, mask, volume, image_name, type, report,
                                 progress, VolumeSteps{v, volumes});
      }
      // (a 2-D volume is one plane)
      if (!one.plane_steps) progress.step(v + 1, volumes, shape.rank() == 2 ? "plane" : "volume");
      all.nonfinite_in += one.nonfinite_in;
      all.nonfinite_out += one.nonfinite_out;
      all.outputs += one.outputs;
      all.values.bytes.insert(all.values.bytes.end(), one.values.bytes.begin(),
                              one.values.bytes.end());
      all.weight.bytes.insert(all.weight.bytes.end(), one.weight.bytes.begin(),
                              one.weight.bytes.end());
      all.weight.type = one.weight.type;
    }
  } catch (const std::bad_alloc&) {
    allocating.fail(image_name);
  }
  all.values.shape = out_shape;
  all.values.type = type;
  all.weight.shape = all.values.shape;
  all.values.metadata.layout = layout;
  all.weight.metadata.layout = layout;
  return all;
}

template <class T>
struct Tag {
  using type = T;
};

/// f(Tag<I>{}, Tag<K>{}) with the scalars an image and a kernel are computed in: float or
/// double (`in_double`), complex where the file is.
template <class F>
Filtered with_scalars(bool in_double, bool image_complex, bool kernel_complex, F&& f) {
  const auto in = [&](auto real) -> Filtered {
    using T = typename decltype(real)::type;
    using C = std::complex<T>;
    if (image_complex) return kernel_complex ? f(Tag<C>{}, Tag<C>{}) : f(Tag<C>{}, Tag<T>{});
    return kernel_complex ? f(Tag<T>{}, Tag<C>{}) : f(Tag<T>{}, Tag<T>{});
  };
  return in_double ? in(Tag<double>{}) : in(Tag<float>{});
}

/// --nan propagate lets a few bad pixels spoil much of the output (with the fft method, all
/// of it): say how much, and what repairs it.
/// (`nonfinite_in` bad input pixels made `nonfinite_out` of `outputs` bad.)
void warn_nan_spread(Progress& progress, const Job& job, const std::string& image_name,
                     std::size_t nonfinite_in, std::size_t nonfinite_out, std::size_t outputs) {
  if (job.quiet || nonfinite_in == 0) return;
  char share[32];
  std::snprintf(share, sizeof share, "%.3g%%",
                100.0 * static_cast<double>(nonfinite_out) /
                    static_cast<double>(std::max<std::size_t>(outputs, 1)));
  progress.print("fftconv: warning: " + image_name + ": " + std::to_string(nonfinite_in) +
                 " NaN/Inf input pixels made " + std::to_string(nonfinite_out) + " of " +
                 std::to_string(outputs) + " output pixels (" + share +
                 ") NaN/Inf; --nan interpolate fills them from their valid neighbours (--nan "
                 "fill: with --fill)");
}

}  // namespace

int run_filter(const Job& job) {
  const Operation operation =
      job.command == Command::correlate ? Operation::correlate : Operation::convolve;
  const std::vector<std::string> outputs = output_paths(job);
  std::vector<std::string> inputs = job.images;
  if (!job.kernel.empty()) inputs.push_back(job.kernel);
  if (!job.mask.empty()) inputs.push_back(job.mask);
  if (!job.weight_out.empty()) {
    if (job.images.size() != 1)
      throw UsageError("--weight-out writes one coverage map: give one image");
    const io::Format format = output_format(job.weight_out);
    if (!io::can_store(format, PixelType::f32))
      throw UsageError(job.weight_out + ": " + io::name(format) +
                       " cannot store the float coverage map (use .npy, .fits or .tif)");
  }
  std::vector<NamedOutput> extra;
  if (!job.weight_out.empty()) extra.push_back({"--weight-out", job.weight_out});
  const std::vector<io::Format> formats = prepare_outputs(job, outputs, inputs, extra);

  // (convolve_masked is real: complex files are refused with --mask and --weight-out)
  const bool masked = !job.mask.empty() || !job.weight_out.empty();
  const char* const masked_use = "masked filtering (--mask, --weight-out)";
  Progress progress(job.progress);
  Kernel file_kernel;
  if (!job.kernel.empty()) {
    progress.update(0, job.images.size(), "reading " + base_name(job.kernel));
    file_kernel = read_kernel(job.kernel, job);
    if (masked) require_real(file_kernel.type, job.kernel, masked_use);
  }
  const Mask mask = read_mask(job.mask, job);
  Filters filters(job, operation);
  for (std::size_t i = 0; i < job.images.size(); ++i) {
    const std::string& image_name = job.images[i];
    io::OutputFile output(outputs[i]);   // an unwritable target fails before the work
    if (job.command != Command::blur) {  // (an image larger than the budget: a band at a time)
      progress.update(i, job.images.size(), "filtering " + base_name(image_name));
      if (const std::optional<Streamed> streamed =
              stream_if_too_large(job, file_kernel, image_name, output, formats[i], progress)) {
        warn_nan_spread(progress, job, image_name, streamed->nonfinite_in, streamed->nonfinite_out,
                        streamed->outputs);
        warn_conversion(progress, job, outputs[i], streamed->type, streamed->report);
        continue;
      }
    }
    progress.update(i, job.images.size(), "reading " + base_name(image_name));
    const Image image = read(image_name, job);
    if (masked) require_real(image.type, image_name, masked_use);
    check_rank_fits(outputs[i], formats[i], image.shape);
    // Hyperstack channels and frames, RGB channels: each volume is filtered on its own.
    const Shape shape = volume_shape(image);
    if (image.metadata.layout.alpha && (job.options.mode != Mode::same || !job.weight_out.empty()))
      throw UsageError(image_name +
                       ": its alpha channel is carried over unfiltered, which needs --mode same "
                       "and no --weight-out");
    Kernel kernel =
        job.command == Command::blur ? blur_kernel(job, shape, image_name) : file_kernel;
    kernel.shape = promote(kernel.shape, shape, job.kernel, image_name);
    if (element_count(output_shape(shape, kernel.shape, job.options)) == 0)
      throw io::IoError(image_name + ": the kernel (" + to_string(kernel.shape) +
                        ") is larger than the image (" + to_string(shape) +
                        ") along some axis, so the valid-mode result is empty");
    // One mask for every channel/frame volume alike.
    if (mask.nonzero && mask.shape != shape)
      throw io::IoError(mask.name + ": the mask is " + to_string(mask.shape) + " but " +
                        (image.metadata.layout.split() ? "each channel/frame volume of " : "") +
                        image_name + " is " + to_string(shape));
    const bool in_double = computes_in_double(job.precision, image.type);
    const bool image_complex = io::is_complex(image.type);
    const PixelType type =
        output_type(job, image.type, image_complex || kernel.is_complex(), formats[i], outputs[i]);
    std::unique_ptr<io::OutputFile> weight_file;  // (an unwritable target fails before the work)
    if (!job.weight_out.empty()) {
      check_rank_fits(job.weight_out, output_format(job.weight_out), image.shape);
      weight_file = std::make_unique<io::OutputFile>(job.weight_out);
    }
    progress.update(i, job.images.size(), "filtering " + base_name(image_name));
    io::Conversion report;
    Filtered result = with_scalars(
        in_double, image_complex, kernel.is_complex(), [&](auto image_scalar, auto kernel_scalar) {
          return filter_volumes<typename decltype(image_scalar)::type,
                                typename decltype(kernel_scalar)::type>(
              filters, job, kernel, mask, image, image_name, type, report, progress);
        });
    result.values.metadata = output_metadata(job, image.metadata, kernel.shape);
    result.weight.metadata = result.values.metadata;
    progress.update(i, job.images.size(), "writing " + base_name(outputs[i]));
    output.write(result.values);
    if (weight_file) weight_file->write(result.weight);  // (after the values it belongs to)
    warn_nan_spread(progress, job, image_name, result.nonfinite_in, result.nonfinite_out,
                    result.outputs);
    warn_conversion(progress, job, outputs[i], type, report);
  }
  return 0;
}

}  // namespace fftconv::cli
