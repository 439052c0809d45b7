#pragma once
// What the commands that compute real images one volume at a time share (deconvolve,
// frequency): each image read, checked, computed in float or double channel/frame volume by
// channel/frame volume (an alpha channel carried over), converted to the output type and
// written to its output; library errors named after the file they concern.
#include <algorithm>
#include <cstddef>
#include <new>
#include <string>
#include <vector>

#include "failures.hpp"
#include "fftconv/error.hpp"
#include "input_files.hpp"
#include "io/convert.hpp"
#include "io/files.hpp"
#include "job.hpp"
#include "output_files.hpp"
#include "pixel_values.hpp"
#include "progress.hpp"

namespace fftconv::cli {

/// `o` (a library options struct: DeconvolutionOptions', FrequencyOptions) with the job's run
/// settings: threads, planning and the memory budget.
template <class O>
O with_run_settings(const Job& job, O o) {
  o.threads = job.options.threads;
  o.planning = job.options.planning;
  o.max_memory_bytes = job.options.max_memory_bytes;
  return o;
}

/// Which volume of an image is being computed (`index` of `count`: the channel and frame volumes
/// of a split image, else 0 of 1), so the progress bar counts across them.
struct VolumeSteps {
  std::size_t index = 0, count = 1;
};

/// `image` computed in T into an image of `type`: compute(in, out, VolumeSteps) on each
/// channel/frame volume of a split image (volume_shape: the shape both point to), else on the
/// image whole; an alpha channel copied. A library error is rethrown prefixed with the file
/// blamed_file(error) names.
template <class T, class Compute, class Blame>
io::Image compute_volumes(const io::Image& image, const std::string& image_name, io::PixelType type,
                          io::Conversion& report, Compute&& compute, Blame&& blamed_file) {
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
    // The result computed into the output image's bytes when it stores T, else into `scratch`.
    io::Image result{image.shape, type, {}};
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
      allocating("computing");  // (the library's working memory)
      try {
        compute(from, to, VolumeSteps{v, volumes});
      } catch (const Error& e) {
        rethrow_for(blamed_file(e), e);
      }
    }
    allocating(described("result", image.shape, type), all * io::size_of(type));
    if (!scratch.empty()) result = io::from_values(image.shape, scratch.data(), type, report);
    return result;
  } catch (const std::bad_alloc&) {
    allocating.fail(image_name);
  }
}

/// Each image of the job, in turn: its output opened (an unwritable target fails before the
/// work), the image read, refused unless real (`command` names the command in the message) or of
/// a rank its output format cannot hold, its output type chosen, then
/// compute(image, image_name, type, report) (the result of `type`, with its metadata), written,
/// and the conversion's warning. `verb` ("deconvolving") names the work on the progress bar.
template <class Compute>
void write_each_image(const Job& job, const std::vector<std::string>& outputs,
                      const std::vector<io::Format>& formats, Progress& progress,
                      const char* command, const char* verb, Compute&& compute) {
  for (std::size_t i = 0; i < job.images.size(); ++i) {
    const std::string& image_name = job.images[i];
    io::OutputFile output(outputs[i]);  // an unwritable target fails before the work
    progress.update(i, job.images.size(), "reading " + base_name(image_name));
    const io::Image image = read(image_name, job);
    require_real(image.type, image_name, command);
    check_rank_fits(outputs[i], formats[i], image.shape);
    const io::PixelType type = output_type(job, image.type, false, formats[i], outputs[i]);
    progress.update(i, job.images.size(), std::string(verb) + " " + base_name(image_name));
    io::Conversion report;
    const io::Image result = compute(image, image_name, type, report);
    progress.update(i, job.images.size(), "writing " + base_name(outputs[i]));
    output.write(result);
    warn_conversion(progress, job, outputs[i], type, report);
  }
}

}  // namespace fftconv::cli
