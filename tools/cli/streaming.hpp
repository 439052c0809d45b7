#pragma once
// convolve and correlate on an image larger than the memory budget (--max-memory): overlap-save
// along axis 0 through the files. Each band of output rows is a `valid` convolution of the
// extended image's rows it reads (band_input.hpp) with one Filter made for the band's shape
// (band_plan.hpp), written into the output file in place (io::OutputFile::start_rows). The
// result equals the in-memory one to rounding (bit for bit where both sum directly).
#include <cstddef>
#include <optional>
#include <string>

#include "input_files.hpp"
#include "io/convert.hpp"
#include "io/files.hpp"
#include "job.hpp"
#include "progress.hpp"

namespace fftconv::cli {

/// What a streamed image reports afterwards (command_filter.cpp's warnings).
struct Streamed {
  io::PixelType type = io::PixelType::f32;  ///< the output's
  io::Conversion report;
  std::size_t nonfinite_in = 0, nonfinite_out = 0, outputs = 0;
};

/// Filters `image_name` with `kernel` (read, of any rank up to the image's) into `output`
/// (of `format`) a band at a time when the in-memory run would not fit job.options'
/// max_memory_bytes: the image's pixels, their conversion to the computation's scalar, the
/// result in both forms and the library's working memory for the whole image. Nothing (and
/// nothing done) when it fits, when the file's header cannot be read without its pixels (TIFF,
/// PNG, gzip- or tile-compressed FITS) or when the image or kernel is complex: those are read
/// whole as before. Throws io::IoError when it does not fit and cannot be streamed (a
/// Fortran-order npy file, --mask, --weight-out, --axes, --preserve-nan, an output format not
/// written by rows), naming why.
std::optional<Streamed> stream_if_too_large(const Job& job, const Kernel& kernel,
                                            const std::string& image_name, io::OutputFile& output,
                                            io::Format format, Progress& progress);

}  // namespace fftconv::cli
