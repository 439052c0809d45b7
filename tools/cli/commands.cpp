// The subcommands: convolve/correlate/blur (files in, files out, one Filter per image shape)
// and compare (FFT against direct on one image: timings and the difference).
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
#include "gaussian.hpp"
#include "io/convert.hpp"
#include "io/files.hpp"
#include "job.hpp"
#include "progress.hpp"

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

/// The output format, as a usage error when the extension is not one.
io::Format output_format(const std::string& path) {
  try {
    return io::format_of(path);
  } catch (const io::IoError& e) {
    throw UsageError(e.what());
  }
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

Kernel blur_kernel(const Job& job, const Shape& image_shape, const std::string& image_name) {
  const int rank = image_shape.rank();
  const std::vector<double> sigma = per_axis(job.sigma, rank, "--sigma", image_name);
  std::vector<std::size_t> sizes(static_cast<std::size_t>(rank));
  if (job.size.empty())
    for (std::size_t a = 0; a < sizes.size(); ++a)
      sizes[a] = 2 * gaussian_radius(sigma[a]) + 1;
  else
    sizes = per_axis(job.size, rank, "--size", image_name);
  Kernel k;
  k.values = gaussian_kernel(sigma, sizes, k.shape);
  return k;
}

/// The output pixel type: --type, else the image's type when it is floating point, else (an
/// integer image) the computation's float type, except that PNG stores uint8/uint16 only.
PixelType output_type(const Job& job, PixelType image_type, io::Format format, bool in_double) {
  if (job.type) return *job.type;
  PixelType t = !io::is_integer(image_type) ? image_type
                : in_double                 ? PixelType::f64
                                            : PixelType::f32;
  if (!io::can_store(format, t))
    t = io::can_store(format, image_type) ? image_type : PixelType::u16;
  return t;
}

/// Where each image's result goes: -o itself for one image (unless it names a directory), else
/// DIR/<image name>, with the extension replaced by --format when given. (run_filter creates
/// DIR once every output has passed its checks.)
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
    fs::path name = fs::path(image).filename();
    if (!job.format.empty()) name.replace_extension(job.format);
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
    input_of.emplace(io::file_identity(input), input);
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

  template <class T>
  const Filter<T>& get(const Kernel& kernel, const Shape& image_shape) {
    auto& cache = cache_for<T>();
    const std::vector<std::size_t> key(image_shape.begin(), image_shape.end());
    auto it = cache.find(key);
    if (it == cache.end()) {
      const std::vector<T> values(kernel.values.begin(), kernel.values.end());
      auto filter = std::make_unique<Filter<T>>(ConstView<T>(values.data(), kernel.shape),
                                                image_shape, operation_, job_.options);
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

/// A bad-pixel mask (--mask): non-zero pixels are bad. Read once; its shape is checked against
/// each image.
struct Mask {
  std::string name;
  Shape shape;
  std::unique_ptr<bool[]> bad;
};

Mask read_mask(const std::string& path, const Job& job) {
  Mask m;
  if (path.empty()) return m;
  const Image image = read(path, job);
  const std::vector<double> values = io::to_values<double>(image);
  m.name = path;
  m.shape = image.shape;
  m.bad.reset(new bool[values.size()]);
  for (std::size_t i = 0; i < values.size(); ++i)
    m.bad[i] = values[i] != 0;
  return m;
}

/// The filtered image and (when asked for) the coverage map.
struct Filtered {
  Image values, weight;
};

template <class T>
Filtered filter_image(Filters& filters, const Job& job, const Kernel& kernel, const Mask& mask,
                      const Image& image, const std::string& image_name, PixelType type,
                      io::Conversion& report) {
  try {
    const std::vector<T> in = io::to_values<T>(image);
    const Shape out_shape = output_shape(image.shape, kernel.shape, job.options.mode);
    std::vector<T> out(element_count(out_shape));
    Filtered result;
    if (!mask.bad && job.weight_out.empty()) {
      const Filter<T>& filter = filters.get<T>(kernel, image.shape);
      filter.apply(ConstView<T>(in.data(), image.shape), View<T>(out.data(), out_shape));
    } else {
      if (mask.bad && mask.shape != image.shape)
        throw io::IoError(mask.name + ": the mask is " + to_string(mask.shape) + " but " +
                          image_name + " is " + to_string(image.shape));
      // convolve_masked convolves; correlation is convolution with the kernel flipped (all
      // axes reversed: the C-order values in reverse).
      std::vector<T> k(kernel.values.begin(), kernel.values.end());
      if (job.command == Command::correlate) std::reverse(k.begin(), k.end());
      std::unique_ptr<bool[]> none;
      if (!mask.bad) none.reset(new bool[in.size()]());
      std::vector<T> weight(job.weight_out.empty() ? 0 : out.size());
      convolve_masked(ConstView<T>(in.data(), image.shape),
                      ConstView<bool>(mask.bad ? mask.bad.get() : none.get(), image.shape),
                      ConstView<T>(k.data(), kernel.shape), View<T>(out.data(), out_shape),
                      weight.empty() ? View<T>() : View<T>(weight.data(), out_shape), job.options);
      if (!weight.empty()) {
        io::Conversion ignored;
        result.weight =
            io::from_values(out_shape, weight.data(),
                            std::is_same_v<T, float> ? PixelType::f32 : PixelType::f64, ignored);
      }
    }
    result.values = io::from_values(out_shape, out.data(), type, report);
    return result;
  } catch (const Error& e) {
    rethrow_for(image_name, e);
  }
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
    if (job.type && !io::can_store(formats.back(), *job.type))
      throw UsageError(out + ": " + io::name(formats.back()) + " cannot store " +
                       io::name(*job.type) + " pixels (PNG: uint8 or uint16)");
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
    file_kernel.values = io::to_values<double>(k);
  }
  const Mask mask = read_mask(job.mask, job);
  Filters filters(job, operation);
  for (std::size_t i = 0; i < job.images.size(); ++i) {
    const std::string& image_name = job.images[i];
    io::OutputFile output(outputs[i]);  // an unwritable target fails before the work
    progress.update(i, job.images.size(), "reading " + base_name(image_name));
    const Image image = read(image_name, job);
    check_rank_fits(outputs[i], formats[i], image.shape);
    Kernel kernel =
        job.command == Command::blur ? blur_kernel(job, image.shape, image_name) : file_kernel;
    kernel.shape = promote(kernel.shape, image.shape, job.kernel, image_name);
    if (element_count(output_shape(image.shape, kernel.shape, job.options.mode)) == 0)
      throw io::IoError(image_name + ": the kernel (" + to_string(kernel.shape) +
                        ") is larger than the image (" + to_string(image.shape) +
                        ") along some axis, so the valid-mode result is empty");
    const bool in_double = computes_in_double(job.precision, image.type);
    const PixelType type = output_type(job, image.type, formats[i], in_double);
    std::unique_ptr<io::OutputFile> weight_file;  // (an unwritable target fails before the work)
    if (!job.weight_out.empty()) {
      check_rank_fits(job.weight_out, output_format(job.weight_out), image.shape);
      weight_file = std::make_unique<io::OutputFile>(job.weight_out);
    }
    progress.update(i, job.images.size(), "filtering " + base_name(image_name));
    io::Conversion report;
    const Filtered result =
        in_double
            ? filter_image<double>(filters, job, kernel, mask, image, image_name, type, report)
            : filter_image<float>(filters, job, kernel, mask, image, image_name, type, report);
    progress.update(i, job.images.size(), "writing " + base_name(outputs[i]));
    output.write(result.values);
    if (weight_file) weight_file->write(result.weight);  // (after the values it belongs to)
    warn_conversion(progress, job, outputs[i], type, report);
  }
  return 0;
}

double median(std::vector<double> v) {
  std::sort(v.begin(), v.end());
  const std::size_t n = v.size();
  return n % 2 ? v[n / 2] : (v[n / 2 - 1] + v[n / 2]) / 2;
}

/// Time to construct a Filter (setup) and the median time of its apply over `repeat` runs.
template <class T>
std::vector<T> time_method(const Job& job, Method method, Operation operation, const Kernel& kernel,
                           const Shape& image_shape, const std::vector<T>& image, double& setup_ms,
                           double& apply_ms) {
  using clock = std::chrono::steady_clock;
  Options options = job.options;
  options.method = method;
  const std::vector<T> k(kernel.values.begin(), kernel.values.end());
  const auto t0 = clock::now();
  const Filter<T> filter(ConstView<T>(k.data(), kernel.shape), image_shape, operation, options);
  setup_ms = std::chrono::duration<double, std::milli>(clock::now() - t0).count();
  std::vector<T> out(element_count(filter.output_shape()));
  std::vector<double> times;
  for (int r = 0; r < job.repeat; ++r) {
    const auto t1 = clock::now();
    filter.apply(ConstView<T>(image.data(), image_shape),
                 View<T>(out.data(), filter.output_shape()));
    times.push_back(std::chrono::duration<double, std::milli>(clock::now() - t1).count());
  }
  apply_ms = median(times);
  return out;
}

/// "(y, x)": a multi-index for the report.
std::string position(const Shape& index) {
  std::string s;
  for (std::size_t i : index)
    s += (s.empty() ? "(" : ", ") + std::to_string(i);
  return s + ")";
}

template <class T>
void compare_methods(const Job& job, const Kernel& kernel, const Image& image) {
  const Operation operation = job.correlate ? Operation::correlate : Operation::convolve;
  const std::vector<T> values = io::to_values<T>(image);
  Options automatic_options = job.options;
  automatic_options.method = Method::automatic;
  const std::vector<T> k(kernel.values.begin(), kernel.values.end());
  const Filter<T> automatic(ConstView<T>(k.data(), kernel.shape), image.shape, operation,
                            automatic_options);
  double fft_setup = 0, fft_apply = 0, direct_setup = 0, direct_apply = 0;
  const std::vector<T> fft =
      time_method(job, Method::fft, operation, kernel, image.shape, values, fft_setup, fft_apply);
  const std::vector<T> direct = time_method(job, Method::direct, operation, kernel, image.shape,
                                            values, direct_setup, direct_apply);
  const Shape out_shape = automatic.output_shape();
  // The difference, with the direct result as the reference (fftconv::compare), and what
  // error_bound promises for each method on this data.
  const ErrorStats stats =
      compare(ConstView<T>(fft.data(), out_shape), ConstView<T>(direct.data(), out_shape));
  const auto bound = [&](Method m, Guarantee g) {
    Options o = job.options;
    o.method = m;
    return error_bound(ConstView<T>(values.data(), image.shape),
                       ConstView<T>(k.data(), kernel.shape), o, operation, g);
  };
  const Shape transform = fft_shape(image.shape, kernel.shape, job.options);
  std::printf("operation     %s, mode %s, %s, computed in %s\n",
              operation == Operation::convolve ? "convolve" : "correlate",
              job.options.mode == Mode::full   ? "full"
              : job.options.mode == Mode::same ? "same"
                                               : "valid",
              job.repeat == 1 ? "1 run per method"
                              : (std::to_string(job.repeat) + " runs per method (median)").c_str(),
              precision_name(std::is_same_v<T, double>));
  std::printf("image         %s  %s %s\n", job.images[0].c_str(), to_string(image.shape).c_str(),
              io::name(image.type));
  std::printf("kernel        %s  %s\n", job.kernel.c_str(), to_string(kernel.shape).c_str());
  std::printf("output        %s\n", to_string(out_shape).c_str());
  std::printf("automatic     %s\n", fftconv::to_string(automatic.method()));
  std::printf("fft           setup %.3f ms, apply %.3f ms (transform %s)\n", fft_setup, fft_apply,
              to_string(transform).c_str());
  std::printf("direct        setup %.3f ms, apply %.3f ms\n", direct_setup, direct_apply);
  std::printf("speedup       %.2fx (direct apply / fft apply)\n", direct_apply / fft_apply);
  std::printf("max_abs       %.3e  (|fft - direct|, at %s)\n", stats.max_abs,
              position(stats.worst_position).c_str());
  std::printf("max_rel       %.3e  (max_abs / max |direct|)\n", stats.max_rel);
  std::printf("rms           %.3e\n", stats.rms);
  std::printf("ulps          max %.3g, median %.3g  (|fft - direct| in units of the last place)\n",
              stats.max_ulp, stats.median_ulp);
  std::printf("bound fft     %.3e worst case, %.3e probabilistic  (fftconv::error_bound)\n",
              bound(Method::fft, Guarantee::worst_case),
              bound(Method::fft, Guarantee::probabilistic));
  std::printf("bound direct  %.3e worst case, %.3e probabilistic\n",
              bound(Method::direct, Guarantee::worst_case),
              bound(Method::direct, Guarantee::probabilistic));
}

int run_compare(const Job& job) {
  Progress progress(job.progress);
  progress.update(0, 1, "reading");
  const Image image = read(job.images[0], job);
  const Image k = read(job.kernel, job);
  Kernel kernel{promote(k.shape, image.shape, job.kernel, job.images[0]), io::to_values<double>(k)};
  progress.update(0, 1, "timing fft and direct");
  try {
    if (computes_in_double(job.precision, image.type))
      compare_methods<double>(job, kernel, image);
    else
      compare_methods<float>(job, kernel, image);
  } catch (const Error& e) {
    rethrow_for(job.images[0], e);
  }
  return 0;
}

/// match: the score map of IMAGE against TEMPLATE (computed in double), written with -o, and
/// the best positions printed.
int run_match(const Job& job) {
  std::vector<std::string> inputs{job.images[0], job.kernel};
  if (!job.template_mask.empty()) inputs.push_back(job.template_mask);
  const PixelType type = job.type.value_or(PixelType::f32);
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
  const std::vector<double> values = io::to_values<double>(image);
  const std::vector<double> templ = io::to_values<double>(templ_file);
  const Shape score_shape = output_shape(image.shape, templ_shape, Mode::valid);
  if (element_count(score_shape) == 0)
    throw io::IoError(job.kernel + ": the template (" + to_string(templ_shape) +
                      ") is larger than the image (" + to_string(image.shape) +
                      ") along some axis");
  std::vector<double> score(element_count(score_shape));
  progress->update(0, 1, "matching");
  try {
    if (job.template_mask.empty()) {
      match_template(ConstView<double>(values.data(), image.shape),
                     ConstView<double>(templ.data(), templ_shape),
                     View<double>(score.data(), score_shape), job.options);
    } else {
      const Image m = read(job.template_mask, job);
      if (m.shape != templ_file.shape)
        throw io::IoError(job.template_mask + ": the template mask is " + to_string(m.shape) +
                          " but the template " + job.kernel + " is " + to_string(templ_file.shape));
      const std::vector<double> mv = io::to_values<double>(m);
      std::unique_ptr<bool[]> use(new bool[mv.size()]);
      for (std::size_t i = 0; i < mv.size(); ++i)
        use[i] = mv[i] != 0;
      match_template(ConstView<double>(values.data(), image.shape),
                     ConstView<double>(templ.data(), templ_shape),
                     ConstView<bool>(use.get(), templ_shape),
                     View<double>(score.data(), score_shape), job.options);
    }
  } catch (const Error& e) {
    rethrow_for(job.images[0] + ", " + job.kernel, e);  // (the problem may be either file's)
  }
  if (output) {
    progress->update(0, 1, "writing " + base_name(job.output));
    io::Conversion report;
    output->write(io::from_values(score_shape, score.data(), type, report));
  }
  progress.reset();
  if (job.peaks == 0) return 0;
  std::size_t distance = job.min_distance;
  if (distance == 0)
    for (std::size_t e : templ_shape)
      distance = std::max(distance, e / 2);
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
  switch (job.command) {
    case Command::compare:
      return run_compare(job);
    case Command::match:
      return run_match(job);
    default:
      return run_filter(job);
  }
}

}  // namespace fftconv::cli
