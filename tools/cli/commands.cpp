// The subcommands: convolve/correlate/blur (files in, files out, one Filter per image shape),
// compare (the methods against direct on one image: measured and predicted times, differences)
// and match (template matching).
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <filesystem>
#include <map>
#include <memory>
#include <optional>
#include <set>
#include <string>
#include <type_traits>
#include <vector>

#include "fftconv/accuracy.hpp"
#include "fftconv/error.hpp"
#include "fftconv/filter.hpp"
#include "fftconv/masked.hpp"
#include "fftconv/match.hpp"
#include "fftconv/names.hpp"
#include "fftconv/predict.hpp"
#include "gaussian.hpp"
#include "io/convert.hpp"
#include "io/files.hpp"
#include "io/fits_names.hpp"
#include "job.hpp"
#include "progress.hpp"
#include "provenance.hpp"
#include "wisdom_cache.hpp"

namespace fftconv::cli {

namespace {

using io::Image;
using io::PixelType;

std::string base_name(const std::string& path) {
  return std::filesystem::path(path).filename().string();
}

/// No file may ask for more than the run's memory budget (--max-memory): a corrupt header
/// declaring a huge image is refused before the allocation, instead of pushing the machine
/// into swap.
io::ReadLimits read_limits(const Job& job) {
  io::ReadLimits limits;
  limits.max_bytes = job.options.max_memory_bytes;
  limits.name = "the memory budget (--max-memory)";
  return limits;
}

Image read(const std::string& path, const Job& job) {
  return io::read_image(path, read_limits(job));
}

/// The output format, as a usage error when the extension is not one; its support loaded (a
/// missing FITS or TIFF module fails here, before the work).
io::Format output_format(const std::string& path) {
  io::Format format;
  try {
    format = io::format_of(path);
  } catch (const io::IoError& e) {
    throw UsageError(e.what());
  }
  try {
    io::require_support(format);
  } catch (const io::IoError& e) {
    throw io::IoError(path + ": " + e.what());
  }
  return format;
}

/// Refuses an image the output format cannot hold, before the work.
void check_rank_fits(const std::string& out, io::Format format, const Shape& shape) {
  if ((format == io::Format::png && shape.rank() != 2) ||
      (format == io::Format::tiff && shape.rank() < 2))
    throw UsageError(out + ": " + io::name(format) + " cannot hold a " +
                     std::to_string(shape.rank()) + "-D result (PNG: 2-D; TIFF: 2-D or 3-D)");
}

bool computes_in_double(Precision precision, PixelType image_type) {
  if (precision == Precision::automatic) return image_type != PixelType::f32;
  return precision == Precision::double_precision;
}

const char* precision_name(bool in_double) {
  return in_double ? "float64" : "float32";
}

/// The kernel's shape with leading unit axes up to the image's rank: a 2-D kernel filters every
/// plane of a 3-D stack.
Shape promote(const Shape& kernel, const Shape& image, const std::string& kernel_name,
              const std::string& image_name) {
  if (kernel.rank() > image.rank())
    throw io::IoError(kernel_name + ": the kernel is " + std::to_string(kernel.rank()) + "-D but " +
                      image_name + " is " + std::to_string(image.rank()) +
                      "-D (a kernel may have the image's rank or less)");
  Shape promoted;
  for (int a = kernel.rank(); a < image.rank(); ++a)
    promoted.push_back(1);
  for (std::size_t e : kernel)
    promoted.push_back(e);
  return promoted;
}

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

/// A kernel as doubles with its shape: read once from the kernel file, or (blur) the Gaussian
/// for the image's rank.
struct Kernel {
  Shape shape;
  std::vector<double> values;
};

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

/// Refuses --dtype's pixel type for an output whose format cannot store it (PNG).
void check_storable(const std::string& out, io::Format format, PixelType type) {
  if (!io::can_store(format, type))
    throw UsageError(out + ": " + io::name(format) + " cannot store " + io::name(type) +
                     " pixels (--dtype; PNG: uint8 or uint16)");
}

/// The output pixel type: --dtype (same: the image's own), else the image's type when it is
/// floating point, else (an integer image) float32, except that PNG stores uint8/uint16 only.
PixelType output_type(const Job& job, PixelType image_type, io::Format format,
                      const std::string& out) {
  if (job.type) {
    const PixelType t = job.type->for_image(image_type);
    check_storable(out, format, t);
    return t;
  }
  PixelType t = io::is_integer(image_type) ? PixelType::f32 : image_type;
  if (!io::can_store(format, t))
    t = io::can_store(format, image_type) ? image_type : PixelType::u16;
  return t;
}

/// Where each image's result goes: -o itself for one image (unless it names a directory), else
/// DIR/<image name>, with the extension replaced by --format when given (both of .fits.gz).
/// (run_filter creates DIR once every output has passed its checks.)
std::vector<std::string> output_paths(const Job& job) {
  namespace fs = std::filesystem;
  const bool directory = job.images.size() > 1 || fs::is_directory(job.output) ||
                         (!job.output.empty() && job.output.back() == '/');
  if (!directory) {
    if (!job.format.empty())
      throw UsageError("--format applies to -o DIR (several images); the extension of -o " +
                       job.output + " chooses the format");
    return {job.output};
  }
  std::vector<std::string> paths;
  std::set<std::string> seen;
  for (const std::string& image : job.images) {
    fs::path name = fs::path(io::split_hdu_selector(image).file).filename();  // ("a.fits[SCI]")
    if (!job.format.empty()) {
      if (io::is_gzip_fits_name(name.string())) name.replace_extension();  // (a.fits.gz -> a)
      name.replace_extension(job.format);
    }
    const std::string path = (fs::path(job.output) / name).string();
    if (!seen.insert(path).second)
      throw UsageError("two images would both be written to " + path + " (same file name)");
    paths.push_back(path);
  }
  return paths;
}

/// An output file with the option that names it ("-o", "--weight-out"), for messages.
struct NamedOutput {
  std::string option, path;
};

/// Refuses an output that is one of the inputs (it would be replaced) or another output (one
/// result would replace the other), however the two are spelt (io::file_identity: relative or
/// absolute, ./ and .., symlinks, hard links).
void check_distinct_files(const std::vector<NamedOutput>& outputs,
                          const std::vector<std::string>& inputs) {
  std::map<std::string, std::string> input_of;  // identity -> the input as given
  for (const std::string& input : inputs)
    input_of.emplace(io::file_identity(io::split_hdu_selector(input).file), input);  // a.fits[SCI]
  std::map<std::string, const NamedOutput*> output_of;
  for (const NamedOutput& out : outputs) {
    const std::string identity = io::file_identity(out.path);
    const auto input = input_of.find(identity);
    if (input != input_of.end())
      throw UsageError(out.option + " " + out.path + " is the input file " + input->second +
                       "; write the result to another file");
    const auto [first, fresh] = output_of.emplace(identity, &out);
    if (!fresh)
      throw UsageError(first->second->option + " " + first->second->path + " and " + out.option +
                       " " + out.path + " name the same file");
  }
}

/// Filters by image shape and precision: every image of one shape reuses one Filter (plans and
/// the kernel spectrum made once).
class Filters {
 public:
  Filters(const Job& job, Operation operation) : job_(job), operation_(operation) {}

  /// `method`: the job's --method unless given.
  template <class T>
  const Filter<T>& get(const Kernel& kernel, const Shape& image_shape,
                       std::optional<Method> method = std::nullopt) {
    auto& cache = cache_for<T>();
    std::vector<std::size_t> key(image_shape.begin(), image_shape.end());
    key.push_back(method ? 1 + static_cast<std::size_t>(*method) : 0);
    auto it = cache.find(key);
    if (it == cache.end()) {
      const std::vector<T> values(kernel.values.begin(), kernel.values.end());
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
  std::map<std::vector<std::size_t>, std::unique_ptr<Filter<T>>>& cache_for() {
    if constexpr (std::is_same_v<T, float>)
      return single_;
    else
      return double_;
  }

  const Job& job_;
  Operation operation_;
  std::map<std::vector<std::size_t>, std::unique_ptr<Filter<float>>> single_;
  std::map<std::vector<std::size_t>, std::unique_ptr<Filter<double>>> double_;
};

/// Prefixes a library error with the file it concerns.
[[noreturn]] void rethrow_for(const std::string& file, const Error& e) {
  throw Error(e.code(), file + ": " + e.what());
}

/// What a command is allocating, for the message when memory runs out: a bare std::bad_alloc
/// names neither the file nor the buffer.
class Allocating {
 public:
  /// Now doing `what` ("allocating the 512x512 float64 result", "filtering"), which allocates
  /// `bytes` (0: not known, as for a library call's working memory).
  void operator()(std::string what, std::size_t bytes = 0) {
    what_ = std::move(what);
    bytes_ = bytes;
  }
  [[noreturn]] void fail(const std::string& file) const {
    throw io::IoError(file + ": out of memory while " + what_ +
                      (bytes_ ? " (" + std::to_string(bytes_) + " bytes)" : std::string()));
  }

 private:
  std::string what_ = "allocating";
  std::size_t bytes_ = 0;
};

/// "the 512x512 float64 <what>" and its bytes, for Allocating.
std::string described(const char* what, const Shape& shape, PixelType type) {
  return std::string("allocating the ") + to_string(shape) + " " + io::name(type) + " " + what;
}

/// A mask file as booleans, true where the file's pixel is non-zero: --mask (bad pixels; read
/// once, its shape checked against each image) and match --template-mask (the template's
/// pixels).
struct Mask {
  std::string name;
  Shape shape;
  std::unique_ptr<bool[]> nonzero;
};

Mask read_mask(const std::string& path, const Job& job) {
  Mask m;
  if (path.empty()) return m;
  const Image image = read(path, job);
  Allocating allocating;
  try {
    allocating(described("mask values", image.shape, PixelType::f64),
               element_count(image.shape) * sizeof(double));
    const std::vector<double> values = io::to_values<double>(image);
    m.name = path;
    m.shape = image.shape;
    allocating("allocating the mask", values.size());
    m.nonzero.reset(new bool[values.size()]);
    for (std::size_t i = 0; i < values.size(); ++i)
      m.nonzero[i] = values[i] != 0;
  } catch (const std::bad_alloc&) {
    allocating.fail(path);
  }
  return m;
}

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

/// The pixel type of the precision T.
template <class T>
constexpr PixelType pixel_type_of() {
  return std::is_same_v<T, float> ? PixelType::f32 : PixelType::f64;
}

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

template <class T>
std::size_t count_nonfinite(const T* values, std::size_t count) {
  return static_cast<std::size_t>(
      std::count_if(values, values + count, [](T v) { return !std::isfinite(v); }));
}

/// Filters one image or volume (its shape checked against the mask's by run_filter).
template <class T>
Filtered filter_image(Filters& filters, const Job& job, const Kernel& kernel, const Mask& mask,
                      const Image& image, const std::string& image_name, PixelType type,
                      io::Conversion& report, Progress& progress, VolumeSteps volume) {
  Allocating allocating;
  try {
    // The pixels in place when they are stored as T (a float32 image computed in float).
    std::vector<T> converted;
    const T* in = io::values_in_place<T>(image);
    const std::size_t in_count = element_count(image.shape);
    if (!in) {
      allocating(described("pixels", image.shape, pixel_type_of<T>()), in_count * sizeof(T));
      converted = io::to_values<T>(image);
      in = converted.data();
    }
    const Shape out_shape = output_shape(image.shape, kernel.shape, job.options.mode);
    Filtered result;
    std::vector<T> scratch;
    allocating(described("result", out_shape, pixel_type_of<T>()),  // (as T; finish_output
               element_count(out_shape) * sizeof(T));               // converts it to `type`)
    T* const out = output_values(result.values, out_shape, type, scratch);
    allocating("filtering");  // (the library's working memory)
    if (!mask.nonzero && job.weight_out.empty()) {
      const Filter<T>& filter = filters.get<T>(kernel, image.shape);
      const std::size_t planes =
          image.shape.rank() == 3 && kernel.shape[0] == 1 ? image.shape[0] : 1;
      if (planes > 1 &&
          (filter.method() == Method::direct || filter.method() == Method::separable)) {
        // A stack filtered with a kernel of lower rank, by direct sums: plane by plane with the
        // same method gives the same sums (bit-identical), and steps the progress bar counts.
        // (The FFT methods transform the stack whole: per plane they would round differently.)
        const Shape plane{image.shape[1], image.shape[2]};
        const Kernel plane_kernel{Shape{kernel.shape[1], kernel.shape[2]}, kernel.values};
        const Filter<T>& per_plane = filters.get<T>(plane_kernel, plane, filter.method());
        const Shape out_plane = per_plane.output_shape();
        const std::size_t in_step = element_count(plane), out_step = element_count(out_plane);
        for (std::size_t p = 0; p < planes; ++p) {
          per_plane.apply(ConstView<T>(in + p * in_step, plane),
                          View<T>(out + p * out_step, out_plane));
          progress.step(volume.index * planes + p + 1, volume.count * planes, "plane");
        }
        result.plane_steps = true;
      } else {
        filter.apply(ConstView<T>(in, image.shape), View<T>(out, out_shape));
      }
    } else {
      // convolve_masked convolves; correlation is convolution with the kernel flipped (all
      // axes reversed: the C-order values in reverse).
      std::vector<T> k(kernel.values.begin(), kernel.values.end());
      if (job.command == Command::correlate) std::reverse(k.begin(), k.end());
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
      convolve_masked(ConstView<T>(in, image.shape),
                      ConstView<bool>(mask.nonzero ? mask.nonzero.get() : none.get(), image.shape),
                      ConstView<T>(k.data(), kernel.shape), View<T>(out, out_shape),
                      weight ? View<T>(weight, out_shape) : View<T>(), job.options);
      io::Conversion ignored;  // (the coverage map is stored as T: nothing to clip)
      finish_output(result.weight, weight_scratch, ignored, allocating);
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

/// The shape of one (frame, channel) volume of an image whose planes split into several
/// (io::Layout: ImageJ hyperstack channels and frames, RGB(A) channels); else the image's.
Shape volume_shape(const Image& image) {
  const io::Layout& layout = image.metadata.layout;
  if (!layout.split() || image.shape.rank() != 3) return image.shape;
  const std::size_t slices = image.shape[0] / (layout.channels * layout.frames);
  return slices == 1 ? Shape{image.shape[1], image.shape[2]}
                     : Shape{slices, image.shape[1], image.shape[2]};
}

/// filter_image on each (frame, channel) volume on its own, never mixing channels or frames;
/// an alpha channel is carried over unfiltered. The results are stacked in the input's layout.
/// The progress bar counts the planes across the volumes, or (volumes filtered whole) the
/// volumes.
template <class T>
Filtered filter_volumes(Filters& filters, const Job& job, const Kernel& kernel, const Mask& mask,
                        const Image& image, const std::string& image_name, PixelType type,
                        io::Conversion& report, Progress& progress) {
  const io::Layout& layout = image.metadata.layout;
  if (!layout.split())
    return filter_image<T>(filters, job, kernel, mask, image, image_name, type, report, progress,
                           VolumeSteps{});
  const Shape shape = volume_shape(image);
  const std::size_t volumes = layout.channels * layout.frames;
  const std::size_t volume_bytes = element_count(shape) * io::size_of(image.type);
  // The volumes' results stacked as planes (frame, channel, slice).
  const Shape volume_out = output_shape(shape, kernel.shape, job.options.mode);
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
        one = filter_image<T>(filters, job, kernel, mask, volume, image_name, type, report,
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

void warn_conversion(Progress& progress, const Job& job, const std::string& path, PixelType type,
                     const io::Conversion& report) {
  if (job.quiet || (report.clipped == 0 && report.nonfinite == 0)) return;
  char range[96];
  std::snprintf(range, sizeof range, "[%.17g, %.17g]", io::lowest(type), io::highest(type));
  std::string line = "fftconv: warning: " + path + ": ";
  if (report.clipped)
    line += std::to_string(report.clipped) + " pixels outside the " + io::name(type) + " range " +
            range + " were clipped";
  if (report.clipped && report.nonfinite) line += "; ";
  if (report.nonfinite)
    line += std::to_string(report.nonfinite) + " NaN/Inf pixels were written as 0 (NaN) or " +
            "the range's end (Inf)";
  progress.print(line);
}

/// --nan propagate lets a few bad pixels spoil much of the output (with the fft method, all
/// of it): say how much, and what repairs it.
void warn_nan_spread(Progress& progress, const Job& job, const std::string& image_name,
                     const Filtered& result) {
  if (job.quiet || result.nonfinite_in == 0) return;
  char share[32];
  std::snprintf(share, sizeof share, "%.3g%%",
                100.0 * static_cast<double>(result.nonfinite_out) /
                    static_cast<double>(std::max<std::size_t>(result.outputs, 1)));
  progress.print("fftconv: warning: " + image_name + ": " + std::to_string(result.nonfinite_in) +
                 " NaN/Inf input pixels made " + std::to_string(result.nonfinite_out) + " of " +
                 std::to_string(result.outputs) + " output pixels (" + share +
                 ") NaN/Inf; --nan interpolate fills them from their valid neighbours (--nan "
                 "fill: with --fill)");
}

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
  std::vector<io::Format> formats;
  for (const std::string& out : outputs) {
    formats.push_back(output_format(out));
    // (Before the work when one type is given; `same` is checked per image, once read.)
    if (job.type && !job.type->same_as_input) check_storable(out, formats.back(), job.type->pixel);
  }
  std::vector<NamedOutput> named;
  for (const std::string& out : outputs)
    named.push_back({"-o", out});
  if (!job.weight_out.empty()) named.push_back({"--weight-out", job.weight_out});
  check_distinct_files(named, inputs);
  if (outputs.size() > 1 || outputs.front() != job.output) {  // -o DIR
    std::error_code ec;
    std::filesystem::create_directories(job.output, ec);
    if (ec) throw io::IoError(job.output + ": cannot create the directory: " + ec.message());
  }

  Progress progress(job.progress);
  Kernel file_kernel;
  if (!job.kernel.empty()) {
    progress.update(0, job.images.size(), "reading " + base_name(job.kernel));
    const Image k = read(job.kernel, job);
    file_kernel.shape = k.shape;
    try {
      file_kernel.values = io::to_values<double>(k);
    } catch (const std::bad_alloc&) {
      Allocating allocating;
      allocating(described("kernel values", k.shape, PixelType::f64),
                 element_count(k.shape) * sizeof(double));
      allocating.fail(job.kernel);
    }
  }
  const Mask mask = read_mask(job.mask, job);
  Filters filters(job, operation);
  for (std::size_t i = 0; i < job.images.size(); ++i) {
    const std::string& image_name = job.images[i];
    io::OutputFile output(outputs[i]);  // an unwritable target fails before the work
    progress.update(i, job.images.size(), "reading " + base_name(image_name));
    const Image image = read(image_name, job);
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
    if (element_count(output_shape(shape, kernel.shape, job.options.mode)) == 0)
      throw io::IoError(image_name + ": the kernel (" + to_string(kernel.shape) +
                        ") is larger than the image (" + to_string(shape) +
                        ") along some axis, so the valid-mode result is empty");
    // One mask for every channel/frame volume alike.
    if (mask.nonzero && mask.shape != shape)
      throw io::IoError(mask.name + ": the mask is " + to_string(mask.shape) + " but " +
                        (image.metadata.layout.split() ? "each channel/frame volume of " : "") +
                        image_name + " is " + to_string(shape));
    const bool in_double = computes_in_double(job.precision, image.type);
    const PixelType type = output_type(job, image.type, formats[i], outputs[i]);
    std::unique_ptr<io::OutputFile> weight_file;  // (an unwritable target fails before the work)
    if (!job.weight_out.empty()) {
      check_rank_fits(job.weight_out, output_format(job.weight_out), image.shape);
      weight_file = std::make_unique<io::OutputFile>(job.weight_out);
    }
    progress.update(i, job.images.size(), "filtering " + base_name(image_name));
    io::Conversion report;
    Filtered result = in_double ? filter_volumes<double>(filters, job, kernel, mask, image,
                                                         image_name, type, report, progress)
                                : filter_volumes<float>(filters, job, kernel, mask, image,
                                                        image_name, type, report, progress);
    result.values.metadata = output_metadata(job, image.metadata, kernel.shape);
    result.weight.metadata = result.values.metadata;
    progress.update(i, job.images.size(), "writing " + base_name(outputs[i]));
    output.write(result.values);
    if (weight_file) weight_file->write(result.weight);  // (after the values it belongs to)
    warn_nan_spread(progress, job, image_name, result);
    warn_conversion(progress, job, outputs[i], type, report);
  }
  return 0;
}

double median(std::vector<double> v) {
  std::sort(v.begin(), v.end());
  const std::size_t n = v.size();
  return n % 2 ? v[n / 2] : (v[n / 2 - 1] + v[n / 2]) / 2;
}

/// One method's row in compare's report: its Filter's setup time, the median time of its apply
/// over `runs` runs, the cost model's prediction and its result.
template <class T>
struct Timing {
  Method method = Method::automatic;
  Method runs_as = Method::automatic;  ///< what the Filter runs (automatic: its choice)
  double setup_ms = 0, apply_ms = 0, predicted_ms = 0;
  std::vector<T> result;
};

template <class T>
Timing<T> time_method(const Job& job, Method method, Operation operation,
                      const ConstView<T>& kernel, const Shape& image_shape,
                      const std::vector<T>& image, int runs) {
  using clock = std::chrono::steady_clock;
  Options options = job.options;
  options.method = method;
  Timing<T> t;
  t.method = method;
  t.predicted_ms = 1e3 * predicted_seconds(method, kernel, image_shape, options);
  const auto t0 = clock::now();
  const Filter<T> filter(kernel, image_shape, operation, options);
  t.setup_ms = std::chrono::duration<double, std::milli>(clock::now() - t0).count();
  t.runs_as = filter.method();
  t.result.resize(element_count(filter.output_shape()));
  std::vector<double> times;
  for (int r = 0; r < runs; ++r) {
    const auto t1 = clock::now();
    filter.apply(ConstView<T>(image.data(), image_shape),
                 View<T>(t.result.data(), filter.output_shape()));
    times.push_back(std::chrono::duration<double, std::milli>(clock::now() - t1).count());
  }
  t.apply_ms = median(times);
  return t;
}

/// "(y, x)": a multi-index for the report.
std::string position(const Shape& index) {
  std::string s;
  for (std::size_t i : index)
    s += (s.empty() ? "(" : ", ") + std::to_string(i);
  return s + ")";
}

/// What compare times: --method alone, else every method that applies to this kernel (separable
/// only for a separable or low-rank kernel: the model prices it, a Filter accepts it).
template <class T>
std::vector<Method> methods_to_time(const Job& job, const ConstView<T>& kernel,
                                    const Shape& image_shape) {
  if (job.method_given) return {job.options.method};
  std::vector<Method> methods{Method::fft, Method::overlap_save};
  if (std::isfinite(predicted_seconds(Method::separable, kernel, image_shape, job.options)))
    methods.push_back(Method::separable);
  methods.push_back(Method::direct);
  methods.push_back(Method::automatic);
  return methods;
}

std::string seconds_text(double seconds) {
  char text[32];
  std::snprintf(text, sizeof text, "%.3g s", seconds);
  return text;
}

/// Before a run the cost model expects to take longer than --confirm-above: the estimate on
/// stderr (unless --quiet) and, when stdin is a terminal and there is no --yes, the question.
/// False when the answer is not yes.
bool confirm_run(const Job& job, double seconds, const std::string& detail) {
  if (!(seconds > job.confirm_above_seconds)) return true;
  const bool ask = !job.yes && ::isatty(STDIN_FILENO);
  if (!ask && job.quiet) return true;
  std::fprintf(stderr, "fftconv: compare: the cost model expects about %s of computing (%s)%s",
               seconds_text(seconds).c_str(), detail.c_str(), ask ? "; continue? [y/N] " : "\n");
  if (!ask) return true;
  std::fflush(stderr);
  char answer[64];
  return std::fgets(answer, sizeof answer, stdin) && (answer[0] == 'y' || answer[0] == 'Y');
}

/// compare: times the methods (median of --repeat runs each) against the direct method's result
/// and prints the table; 1 if the user declined the run.
template <class T>
int compare_methods(const Job& job, const Kernel& kernel, const Image& image,
                    Allocating& allocating) {
  const Operation operation = job.correlate ? Operation::correlate : Operation::convolve;
  const std::vector<T> k(kernel.values.begin(), kernel.values.end());
  const ConstView<T> kernel_view(k.data(), kernel.shape);
  const std::vector<Method> methods = methods_to_time(job, kernel_view, image.shape);
  const bool direct_timed = std::count(methods.begin(), methods.end(), Method::direct) > 0;

  // The cost model's total: every timed method --repeat times, and the reference once.
  Options direct_options = job.options;
  direct_options.method = Method::direct;
  double expected =
      direct_timed ? 0
                   : predicted_seconds(Method::direct, kernel_view, image.shape, direct_options);
  std::string detail;
  for (Method m : methods) {
    Options o = job.options;
    o.method = m;
    const double s = predicted_seconds(m, kernel_view, image.shape, o);
    expected += s * job.repeat;
    detail +=
        (detail.empty() ? "" : ", ") + std::string(fftconv::to_string(m)) + " " + seconds_text(s);
  }
  detail += job.repeat == 1 ? " a run" : " a run, " + std::to_string(job.repeat) + " runs each";
  if (!direct_timed) detail += ", direct reference once";
  // (an infinite estimate: --method separable for a kernel that is not; the Filter refuses it)
  if (std::isfinite(expected) && !confirm_run(job, expected, detail)) {
    std::fprintf(stderr, "fftconv: compare: not run\n");
    return 1;
  }

  allocating(described("pixels", image.shape, pixel_type_of<T>()),
             element_count(image.shape) * sizeof(T));
  const std::vector<T> values = io::to_values<T>(image);
  Progress progress(job.progress);
  std::vector<Timing<T>> timings;
  for (std::size_t i = 0; i < methods.size(); ++i) {
    // (its result, and the method's working memory)
    allocating(std::string("timing the ") + fftconv::to_string(methods[i]) + " method");
    progress.update(i, methods.size(), std::string("timing ") + fftconv::to_string(methods[i]));
    timings.push_back(
        time_method(job, methods[i], operation, kernel_view, image.shape, values, job.repeat));
  }
  std::vector<T> reference;
  for (const Timing<T>& t : timings)
    if (t.method == Method::direct) reference = t.result;
  if (!direct_timed) {
    allocating("computing the direct reference");
    progress.update(methods.size(), methods.size() + 1, "computing the direct reference");
    reference =
        time_method(job, Method::direct, operation, kernel_view, image.shape, values, 1).result;
  }
  const Shape out_shape = output_shape(image.shape, kernel.shape, job.options.mode);

  std::printf("operation     %s, mode %s, %s, computed in %s\n", to_string(operation),
              to_string(job.options.mode),
              job.repeat == 1 ? "1 run per method"
                              : (std::to_string(job.repeat) + " runs per method (median)").c_str(),
              precision_name(std::is_same_v<T, double>));
  std::printf("image         %s  %s %s\n", job.images[0].c_str(), to_string(image.shape).c_str(),
              io::name(image.type));
  std::printf("kernel        %s  %s\n", job.kernel.c_str(), to_string(kernel.shape).c_str());
  std::printf("output        %s\n", to_string(out_shape).c_str());
  std::printf(
      "# method     measured setup and apply; predicted apply (fftconv::predicted_seconds, "
      "one thread); its largest difference from direct relative to max |direct|\n");
  // The difference from direct of each other method; the largest is detailed below.
  std::optional<ErrorStats> worst;
  Method worst_method = Method::direct;
  for (const Timing<T>& t : timings) {
    std::printf("%-13s setup %.3f ms, apply %.3f ms, predicted %.3f ms",
                fftconv::to_string(t.method), t.setup_ms, t.apply_ms, t.predicted_ms);
    if (t.method == Method::automatic) std::printf(", runs %s", fftconv::to_string(t.runs_as));
    if (t.method == Method::fft)
      std::printf(", transform %s",
                  to_string(fft_shape(image.shape, kernel.shape, job.options)).c_str());
    if (t.method == Method::direct) {
      std::printf(", the reference\n");
      continue;
    }
    const ErrorStats stats = compare(ConstView<T>(t.result.data(), out_shape),
                                     ConstView<T>(reference.data(), out_shape));
    std::printf(", max_rel %.3e\n", stats.max_rel);
    if (!worst || stats.max_rel > worst->max_rel) {
      worst = stats;
      worst_method = t.method;
    }
  }
  if (worst) {
    std::printf("max_abs       %.3e  (the largest |method - direct|: %s, at %s)\n", worst->max_abs,
                fftconv::to_string(worst_method), position(worst->worst_position).c_str());
    std::printf("max_rel       %.3e  (max_abs / max |direct|)\n", worst->max_rel);
    std::printf("rms           %.3e\n", worst->rms);
    std::printf("ulps          max %.3g, median %.3g  (|%s - direct| in units of the last place)\n",
                worst->max_ulp, worst->median_ulp, fftconv::to_string(worst_method));
  }
  // What error_bound promises for each timed method on this data.
  for (const Timing<T>& t : timings) {
    if (t.method == Method::automatic) continue;
    Options o = job.options;
    o.method = t.method;
    const auto bound = [&](Guarantee g) {
      return error_bound(ConstView<T>(values.data(), image.shape), kernel_view, o, operation, g);
    };
    const std::string label = std::string("bound ") + fftconv::to_string(t.method);
    std::printf("%-13s %.3e worst case, %.3e probabilistic  (fftconv::error_bound)\n",
                label.c_str(), bound(Guarantee::worst_case), bound(Guarantee::probabilistic));
  }
  return 0;
}

int run_compare(const Job& job) {
  std::optional<Progress> progress;  // (ended before compare_methods may ask a question)
  progress.emplace(job.progress);
  progress->update(0, 1, "reading");
  const Image image = read(job.images[0], job);
  const Image k = read(job.kernel, job);
  Allocating allocating;
  try {
    allocating(described("kernel values", k.shape, PixelType::f64),
               element_count(k.shape) * sizeof(double));
    Kernel kernel{promote(k.shape, image.shape, job.kernel, job.images[0]),
                  io::to_values<double>(k)};
    progress.reset();
    return computes_in_double(job.precision, image.type)
               ? compare_methods<double>(job, kernel, image, allocating)
               : compare_methods<float>(job, kernel, image, allocating);
  } catch (const Error& e) {
    rethrow_for(job.images[0], e);
  } catch (const std::bad_alloc&) {
    allocating.fail(job.images[0]);
  }
}

/// match: the score map of IMAGE against TEMPLATE (computed in double), written with -o, and
/// the best positions printed.
int run_match(const Job& job) {
  std::vector<std::string> inputs{job.images[0], job.kernel};
  if (!job.template_mask.empty()) inputs.push_back(job.template_mask);
  if (job.type && job.type->same_as_input)
    throw UsageError("match writes float32 or float64 scores: --dtype same does not apply");
  const PixelType type = job.type ? job.type->pixel : PixelType::f32;
  if (type != PixelType::f32 && type != PixelType::f64)
    throw UsageError("match writes float32 or float64 scores, not " + std::string(io::name(type)));
  std::unique_ptr<io::OutputFile> output;
  if (!job.output.empty()) {
    const io::Format format = output_format(job.output);
    if (!io::can_store(format, type))
      throw UsageError(job.output + ": " + io::name(format) + " cannot store " + io::name(type) +
                       " scores (use .npy, .fits or .tif)");
    check_distinct_files({{"-o", job.output}}, inputs);
    output = std::make_unique<io::OutputFile>(job.output);
  }
  std::optional<Progress> progress;  // (ended before the peaks are printed)
  progress.emplace(job.progress);
  progress->update(0, 1, "reading");
  const Image image = read(job.images[0], job);
  const Image templ_file = read(job.kernel, job);
  const Shape templ_shape = promote(templ_file.shape, image.shape, job.kernel, job.images[0]);
  const Shape score_shape = output_shape(image.shape, templ_shape, Mode::valid);
  if (element_count(score_shape) == 0)
    throw io::IoError(job.kernel + ": the template (" + to_string(templ_shape) +
                      ") is larger than the image (" + to_string(image.shape) +
                      ") along some axis");
  const Mask use = read_mask(job.template_mask, job);  // (none without --template-mask)
  if (use.nonzero && use.shape != templ_file.shape)
    throw io::IoError(job.template_mask + ": the template mask is " + to_string(use.shape) +
                      " but the template " + job.kernel + " is " + to_string(templ_file.shape));
  Allocating allocating;
  std::vector<double> values, score;
  try {
    allocating(described("pixels", image.shape, PixelType::f64),
               element_count(image.shape) * sizeof(double));
    values = io::to_values<double>(image);
    allocating(described("template values", templ_file.shape, PixelType::f64),
               element_count(templ_file.shape) * sizeof(double));
    const std::vector<double> templ = io::to_values<double>(templ_file);
    allocating(described("score map", score_shape, PixelType::f64),
               element_count(score_shape) * sizeof(double));
    score.resize(element_count(score_shape));
    progress->update(0, 1, "matching");
    allocating("matching");  // (the library's working memory)
    try {
      if (!use.nonzero)
        match_template(ConstView<double>(values.data(), image.shape),
                       ConstView<double>(templ.data(), templ_shape),
                       View<double>(score.data(), score_shape), job.options);
      else
        match_template(ConstView<double>(values.data(), image.shape),
                       ConstView<double>(templ.data(), templ_shape),
                       ConstView<bool>(use.nonzero.get(), templ_shape),
                       View<double>(score.data(), score_shape), job.options);
    } catch (const Error& e) {
      rethrow_for(job.images[0] + ", " + job.kernel, e);  // (the problem may be either file's)
    }
    if (output) {
      progress->update(0, 1, "writing " + base_name(job.output));
      allocating(described("scores", score_shape, type),
                 element_count(score_shape) * io::size_of(type));
      io::Conversion report;
      output->write(io::from_values(score_shape, score.data(), type, report));
    }
  } catch (const std::bad_alloc&) {
    allocating.fail(job.images[0]);
  }
  progress.reset();
  if (job.peaks == 0) return 0;
  std::size_t distance = job.min_distance;
  if (distance == 0)
    for (std::size_t e : templ_shape)
      distance = std::max(distance, e / 2);
  // (A window holding a NaN/Inf pixel scores NaN; in the masked form, an image without a
  // finite pixel leaves every window without valid pixels.)
  const bool no_finite_pixel =
      std::none_of(values.begin(), values.end(), [](double v) { return std::isfinite(v); });
  if (no_finite_pixel || count_nonfinite(score.data(), score.size()) == score.size()) {
    std::printf(
        "# no valid window: every %s window of %s holds NaN/Inf pixels%s, so there is "
        "nothing to rank\n",
        to_string(templ_shape).c_str(), job.images[0].c_str(),
        no_finite_pixel             ? " (the image has no finite pixel)"
        : job.template_mask.empty() ? " (--template-mask matches around them)"
                                    : "");
    return 0;
  }
  const std::vector<Peak> peaks =
      find_peaks(ConstView<double>(score.data(), score_shape), job.threshold, distance);
  std::printf(
      "# best %zu of %zu positions with score >= %g, %zu+ pixels apart; position = the "
      "template's first pixel in the image (sub-pixel: parabola fit)\n",
      std::min(job.peaks, peaks.size()), peaks.size(), job.threshold, distance + 1);
  std::printf("# rank  score       position\n");
  for (std::size_t i = 0; i < std::min(job.peaks, peaks.size()); ++i) {
    std::string where;
    for (int a = 0; a < peaks[i].rank; ++a) {
      char buf[32];
      std::snprintf(buf, sizeof buf, "%s%.2f", a ? ", " : "(",
                    peaks[i].position[static_cast<std::size_t>(a)]);
      where += buf;
    }
    std::printf("%-6zu  %.6f  %s)\n", i + 1, peaks[i].value, where.c_str());
  }
  return 0;
}

}  // namespace

int run(const Job& job) {
  WisdomCache wisdom(job.wisdom, job.options.planning, [&job](const std::string& line) {
    if (!job.quiet) std::fprintf(stderr, "%s\n", line.c_str());
  });
  int code = 0;
  switch (job.command) {
    case Command::compare:
      code = run_compare(job);
      break;
    case Command::match:
      code = run_match(job);
      break;
    default:
      code = run_filter(job);
  }
  wisdom.save();  // (a failed run throws past it: nothing is written)
  return code;
}

}  // namespace fftconv::cli
