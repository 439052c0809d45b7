// match: template matching, the score map written with -o and the best positions printed.
#include <algorithm>
#include <cmath>
#include <cstdio>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "commands.hpp"
#include "failures.hpp"
#include "fftconv/error.hpp"
#include "fftconv/match.hpp"
#include "input_files.hpp"
#include "io/convert.hpp"
#include "io/files.hpp"
#include "output_files.hpp"
#include "pixel_values.hpp"
#include "progress.hpp"

namespace fftconv::cli {

using io::Image;
using io::PixelType;

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
  require_real(image.type, job.images[0], "match");
  const Image templ_file = read(job.kernel, job);
  require_real(templ_file.type, job.kernel, "match");
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

}  // namespace fftconv::cli
