#pragma once
// Checks on the files a command writes, before the work: a format it can write, and no output
// that is an input or another output.
#include <string>
#include <vector>

#include "io/files.hpp"

namespace fftconv::cli {

/// The output format, as a usage error when the extension is not one; its support loaded (a
/// missing FITS or TIFF module fails here, before the work).
io::Format output_format(const std::string& path);

/// An output file with the option that names it ("-o", "--weight-out"), for messages.
struct NamedOutput {
  std::string option, path;
};

/// Refuses an output that is one of the inputs (it would be replaced) or another output (one
/// result would replace the other), however the two are spelt (io::file_identity: relative or
/// absolute, ./ and .., symlinks, hard links).
void check_distinct_files(const std::vector<NamedOutput>& outputs,
                          const std::vector<std::string>& inputs);

}  // namespace fftconv::cli
