#pragma once
// Checks on the files a command writes, before the work: a format it can write, and no output
// that is an input or another output; where each result goes, its pixel type, and the warning
// when storing it clipped values. (Shared by the subcommands that write images: convolve,
// correlate and blur in command_filter.cpp, deconvolve in command_deconvolve.cpp, frequency in
// command_frequency.cpp.)
#include <string>
#include <vector>

#include "fftconv/shape.hpp"
#include "io/convert.hpp"
#include "io/files.hpp"
#include "io/pixel_type.hpp"
#include "job.hpp"
#include "progress.hpp"

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

/// Refuses an image the output format cannot hold, before the work (PNG: 2-D; TIFF: 2-D or 3-D).
void check_rank_fits(const std::string& out, io::Format format, const Shape& shape);

/// Refuses an output pixel type (--dtype's, or a complex result's) that the output's format
/// cannot store (PNG: uint8/uint16; complex types: npy only).
void check_storable(const std::string& out, io::Format format, io::PixelType type);

/// The output pixel type: --dtype (same: the image's own), else the image's type when it is
/// floating point, else (an integer image) float32, except that PNG stores uint8/uint16 only.
/// A complex result (of a complex image or kernel) takes the complex type of that choice
/// (complex64 for float32, complex128 for float64), or a complex --dtype.
io::PixelType output_type(const Job& job, io::PixelType image_type, bool complex_result,
                          io::Format format, const std::string& out);

/// Where each image's result goes: -o itself for one image (unless it names a directory), else
/// DIR/<image name>, with the extension replaced by --format when given (both of .fits.gz).
/// (The caller creates DIR once every output has passed its checks.)
std::vector<std::string> output_paths(const Job& job);

/// The checks before the work of a command writing `outputs` (output_paths: one per image), and
/// `extra` outputs (--weight-out): each output's format (with one --dtype for all, that it can
/// store it), no output naming one of the `inputs` or another output; -o DIR created. Returns
/// the outputs' formats.
std::vector<io::Format> prepare_outputs(const Job& job, const std::vector<std::string>& outputs,
                                        const std::vector<std::string>& inputs,
                                        const std::vector<NamedOutput>& extra = {});

/// The warning (unless --quiet) that storing a result as `type` in `path` clipped values to the
/// type's range or wrote NaN/Inf as numbers.
void warn_conversion(Progress& progress, const Job& job, const std::string& path,
                     io::PixelType type, const io::Conversion& report);

}  // namespace fftconv::cli
