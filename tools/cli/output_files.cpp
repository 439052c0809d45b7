#include "output_files.hpp"

#include <map>

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

}  // namespace fftconv::cli
