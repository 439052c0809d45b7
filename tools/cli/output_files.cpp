#include "output_files.hpp"

#include <cstdio>
#include <filesystem>
#include <map>
#include <set>

#include "io/fits_names.hpp"
#include "io/image.hpp"
#include "job.hpp"

namespace fftconv::cli {

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

void check_rank_fits(const std::string& out, io::Format format, const Shape& shape) {
  if ((format == io::Format::png && shape.rank() != 2) ||
      (format == io::Format::tiff && shape.rank() < 2))
    throw UsageError(out + ": " + io::name(format) + " cannot hold a " +
                     std::to_string(shape.rank()) + "-D result (PNG: 2-D; TIFF: 2-D or 3-D)");
}

void check_storable(const std::string& out, io::Format format, io::PixelType type) {
  if (!io::can_store(format, type))
    throw UsageError(
        out + ": " + io::name(format) + " cannot store " + io::name(type) + " pixels (" +
        (io::is_complex(type) ? "complex data: .npy only" : "--dtype; PNG: uint8 or uint16") + ")");
}

io::PixelType output_type(const Job& job, io::PixelType image_type, bool complex_result,
                          io::Format format, const std::string& out) {
  if (job.type) {
    const io::PixelType t = job.type->for_image(image_type);
    if (complex_result && !io::is_complex(t))
      throw UsageError(out + ": the result is complex, and --dtype " +
                       (job.type->same_as_input ? std::string("same (") + io::name(t) + ")"
                                                : std::string(io::name(t))) +
                       " is not (complex64 or complex128 hold it)");
    check_storable(out, format, t);
    return t;
  }
  io::PixelType t = io::is_integer(image_type) ? io::PixelType::f32 : image_type;
  if (complex_result) {
    t = io::complex_type(t);
    check_storable(out, format, t);
    return t;
  }
  if (!io::can_store(format, t))
    t = io::can_store(format, image_type) ? image_type : io::PixelType::u16;
  return t;
}

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

std::vector<io::Format> prepare_outputs(const Job& job, const std::vector<std::string>& outputs,
                                        const std::vector<std::string>& inputs,
                                        const std::vector<NamedOutput>& extra) {
  std::vector<io::Format> formats;
  std::vector<NamedOutput> named;
  for (const std::string& out : outputs) {
    formats.push_back(output_format(out));
    // (Before the work when one type is given; `same` is checked per image, once read.)
    if (job.type && !job.type->same_as_input) check_storable(out, formats.back(), job.type->pixel);
    named.push_back({"-o", out});
  }
  named.insert(named.end(), extra.begin(), extra.end());
  check_distinct_files(named, inputs);
  if (outputs.size() > 1 || outputs.front() != job.output) {  // -o DIR
    std::error_code ec;
    std::filesystem::create_directories(job.output, ec);
    if (ec) throw io::IoError(job.output + ": cannot create the directory: " + ec.message());
  }
  return formats;
}

void warn_conversion(Progress& progress, const Job& job, const std::string& path,
                     io::PixelType type, const io::Conversion& report) {
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

}  // namespace fftconv::cli
