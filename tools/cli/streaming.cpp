#include "streaming.hpp"

#include <algorithm>
#include <limits>
#include <memory>
#include <new>
#include <vector>

#include "band_input.hpp"
#include "band_plan.hpp"
#include "failures.hpp"
#include "fftconv/error.hpp"
#include "fftconv/filter.hpp"
#include "output_files.hpp"
#include "pixel_values.hpp"
#include "provenance.hpp"

namespace fftconv::cli {

namespace {

using io::PixelType;

constexpr std::size_t no_limit = std::numeric_limits<std::size_t>::max();

/// a * b + c bytes, saturated at SIZE_MAX (an image too large to address never fits).
std::size_t bytes_of(std::size_t count, std::size_t size, std::size_t plus = 0) {
  if (size != 0 && count > no_limit / size) return no_limit;
  return count * size > no_limit - plus ? no_limit : count * size + plus;
}

/// What the in-memory run holds besides the library's working memory (command_filter.cpp): the
/// kernel's values, the image as stored and as T, the result as T and as stored.
template <class T>
std::size_t in_memory_bytes(const io::ImageHeader& image, const Shape& out, const Kernel& kernel,
                            PixelType type) {
  const std::size_t n = element_count(image.shape), m = element_count(out);
  std::size_t bytes = bytes_of(element_count(kernel.shape), sizeof(double) + sizeof(T));
  bytes = bytes_of(n, io::size_of(image.type), bytes);
  if (image.type != pixel_type_of<T>()) bytes = bytes_of(n, sizeof(T), bytes);
  bytes = bytes_of(m, sizeof(T), bytes);
  if (type != pixel_type_of<T>()) bytes = bytes_of(m, io::size_of(type), bytes);
  return bytes;
}

/// Whether the in-memory run fits the budget: its buffers, and the library's method for the
/// whole image within what they leave (chosen_method's count; its other refusals are left to
/// the in-memory run to report).
template <class T>
bool fits_in_memory(const Job& job, const io::ImageHeader& image, const Shape& out,
                    const Kernel& kernel, PixelType type) {
  const std::size_t budget = job.options.max_memory_bytes;
  const std::size_t buffers = in_memory_bytes<T>(image, out, kernel, type);
  if (buffers >= budget) return false;
  Options options = job.options;
  options.max_memory_bytes = budget - buffers;
  const std::vector<T> k = kernel_values<T>(kernel);
  try {
    chosen_method(ConstView<T>(k.data(), kernel.shape), image.shape, options);
  } catch (const Error& e) {
    return e.code() != ErrorCode::out_of_memory;
  }
  return true;
}

/// Why the (real) image cannot be streamed ("" when it can).
std::string refusal(const Job& job, const io::ImageHeader& image, const std::string& output) {
  if (!image.rows_refused.empty()) return image.rows_refused;
  if (!job.mask.empty() || !job.weight_out.empty())
    return "--mask and --weight-out are not streamed";
  if (!job.options.axes.empty()) return "--axes is not streamed";
  if (job.options.preserve_nan) return "--preserve-nan is not streamed";
  if (!io::writes_rows(output))
    return "streaming writes .npy and uncompressed FITS outputs only, not " + output;
  return "";
}

/// Filters the image of `rows` into `output` a band of output rows at a time, in T.
template <class T>
Streamed stream(const Job& job, const Kernel& kernel, io::RowReader& rows,
                const std::string& image_name, io::OutputFile& output, PixelType type,
                Progress& progress) {
  const io::ImageHeader& image = rows.header();
  const BandGeometry g = band_geometry(image.shape, kernel.shape, job.options);
  const Operation operation =
      job.command == Command::correlate ? Operation::correlate : Operation::convolve;
  // Each band is the valid convolution of its piece of the extended image.
  Options band_options = job.options;
  band_options.mode = Mode::valid;
  band_options.origin = Offsets();
  const bool converted = type != pixel_type_of<T>();
  const T fill =
      job.options.boundary == Boundary::constant ? static_cast<T>(job.options.fill_value) : T(0);
  Streamed streamed;
  streamed.type = type;
  streamed.outputs = element_count(g.output);
  Allocating allocating;
  try {
    const std::vector<T> k = kernel_values<T>(kernel);
    BandMemory memory;
    memory.fixed = bytes_of(element_count(kernel.shape), sizeof(double) + sizeof(T),
                            BandInput<T>::bytes(g, image.type));
    memory.fixed = bytes_of((g.kernel[0] - 1) * g.extended_row, sizeof(T), memory.fixed);
    memory.per_row = (g.extended_row + g.output_row) * sizeof(T) +
                     (converted ? g.output_row * io::size_of(type) : 0);
    allocating("preparing the kernel for bands");
    const BandPlan<T> plan =
        plan_bands(g, k, operation, band_options, job.options.max_memory_bytes, memory, image_name);
    const std::size_t height = plan.rows, out_rows = g.output[0];
    const Shape band_shape = g.band_shape(height), out_shape = g.output_band_shape(height);
    allocating("allocating a band of " + std::to_string(height) + " rows",
               memory.total(height) - memory.fixed);
    std::vector<T> band(element_count(band_shape)), result(element_count(out_shape));
    io::PixelBytes stored(converted ? element_count(out_shape) * io::size_of(type) : 0);
    BandInput<T> input(rows, g, job.options.boundary, fill);
    io::ImageHeader header;
    header.shape = g.output;
    header.type = type;
    header.metadata = output_metadata(job, image.metadata, kernel.shape);
    io::RowWriter& writer = output.start_rows(header);
    const std::size_t bands = (out_rows + height - 1) / height;
    allocating("filtering");
    for (std::size_t b = 0; b < bands; ++b) {
      // (The last band too is `height` rows, its extra ones beyond the output not written.)
      const std::size_t first = b * height, count = std::min(height, out_rows - first);
      input.fill(first, height, band.data());
      plan.filter->apply(ConstView<T>(band.data(), band_shape), View<T>(result.data(), out_shape));
      const std::size_t values = count * g.output_row;
      if (job.options.nan_policy == NanPolicy::propagate)
        streamed.nonfinite_out += count_nonfinite(result.data(), values);
      if (converted) {
        io::from_values(result.data(), values, type, stored.data(), streamed.report);
        writer.write(first, count, stored.data());
      } else {
        writer.write(first, count, reinterpret_cast<const unsigned char*>(result.data()));
      }
      progress.step(b + 1, bands, "band");
    }
    if (job.options.nan_policy == NanPolicy::propagate) {
      streamed.nonfinite_in = input.nonfinite();
      if (streamed.nonfinite_in == 0) streamed.nonfinite_out = 0;
    }
    output.finish_rows();
  } catch (const Error& e) {
    rethrow_for(image_name, e);
  } catch (const std::bad_alloc&) {
    allocating.fail(image_name);
  }
  return streamed;
}

}  // namespace

std::optional<Streamed> stream_if_too_large(const Job& job, const Kernel& file_kernel,
                                            const std::string& image_name, io::OutputFile& output,
                                            io::Format format, Progress& progress) {
  std::unique_ptr<io::RowReader> rows;
  try {
    rows = io::open_image_rows(image_name);
  } catch (const io::IoError&) {
    return std::nullopt;  // (a bad file: reading it whole reports it, the budget first)
  }
  if (!rows || rows->header().shape.rank() == 0) return std::nullopt;
  const io::ImageHeader& image = rows->header();
  Kernel kernel = file_kernel;
  kernel.shape = promote(kernel.shape, image.shape, job.kernel, image_name);
  const Shape out = output_shape(image.shape, kernel.shape, job.options);
  if (element_count(out) == 0) return std::nullopt;  // (refused by the in-memory run)
  // (Complex data is not streamed: read whole as before, within the budget or refused.)
  if (io::is_complex(image.type) || kernel.is_complex()) return std::nullopt;
  const PixelType type = output_type(job, image.type, false, format, output.path());
  const bool in_double = computes_in_double(job.precision, image.type);
  if ((in_double ? fits_in_memory<double>(job, image, out, kernel, type)
                 : fits_in_memory<float>(job, image, out, kernel, type)))
    return std::nullopt;
  const std::string refused = refusal(job, image, output.path());
  if (!refused.empty())
    throw io::IoError(image_name + ": does not fit the memory budget (--max-memory) of " +
                      std::to_string(job.options.max_memory_bytes) +
                      " bytes, and cannot be streamed a band of rows at a time: " + refused);
  check_rank_fits(output.path(), format, image.shape);
  return in_double ? stream<double>(job, kernel, *rows, image_name, output, type, progress)
                   : stream<float>(job, kernel, *rows, image_name, output, type, progress);
}

}  // namespace fftconv::cli
