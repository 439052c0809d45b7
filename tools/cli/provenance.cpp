#include "provenance.hpp"

#include <cctype>
#include <cstdio>
#include <cstdlib>
#include <filesystem>

#include "fftconv/names.hpp"
#include "fftconv/version.hpp"
#include "io/printable.hpp"

namespace fftconv::cli {

namespace {

const char* command_name(Command c) {
  switch (c) {
    case Command::correlate:
      return "correlate";
    case Command::blur:
      return "blur";
    case Command::compare:
      return "compare";
    case Command::match:
      return "match";
    case Command::deconvolve:
      return "deconvolve";
    case Command::frequency:
      return "frequency";
    case Command::convolve:
      break;
  }
  return "convolve";
}

std::string number(double v) {
  char text[32];
  std::snprintf(text, sizeof text, "%g", v);
  return text;
}

/// A file name for a header card: printable ASCII only (FITS allows no other bytes).
std::string card_text(const std::string& path) {
  return io::printable(std::filesystem::path(path).filename().string(), 60);
}

/// The FITS axis number (1 = NAXIS1) of a CRPIXn or CRPIXna keyword, else 0.
int crpix_axis(const std::string& keyword) {
  if (keyword.compare(0, 5, "CRPIX") != 0 || keyword.size() < 6) return 0;
  std::size_t end = 5;
  while (end < keyword.size() && std::isdigit(static_cast<unsigned char>(keyword[end])))
    ++end;
  if (end == 5 || end + 1 < keyword.size() ||
      (end < keyword.size() && !std::isupper(static_cast<unsigned char>(keyword[end]))))
    return 0;
  return std::atoi(keyword.c_str() + 5);
}

/// `card` (CRPIXn = value / comment) with `shift` added to its value; unchanged when the value
/// is not a number.
std::string shifted(const std::string& card, double shift) {
  const std::size_t slash = card.find('/', 10);
  const std::string value = card.substr(10, slash == std::string::npos ? 70 : slash - 10);
  char* end = nullptr;
  const double v = std::strtod(value.c_str(), &end);
  if (end == value.c_str()) return card;
  char text[96];
  std::snprintf(text, sizeof text, "%-8.8s= %20.14G", card.c_str(), v + shift);
  std::string out = text;
  if (slash != std::string::npos) out += " " + card.substr(slash);
  out.resize(80, ' ');
  return out;
}

/// deconvolve's settings: the method's, and the mask.
std::string deconvolution_settings(const Job& job) {
  const Deconvolution& d = job.deconvolution;
  std::string line = " psf=" + card_text(job.kernel) + " method=" + method_name(d.method);
  if (d.method == DeconvolutionMethod::wiener)
    line += " balance=" + number(d.balance) + " regularizer=" + to_string(d.regularizer);
  else
    line += " iterations=" + std::to_string(d.iterations);
  if (d.method == DeconvolutionMethod::richardson_lucy && d.acceleration != Acceleration::none)
    line += " acceleration=biggs-andrews";
  if (d.method == DeconvolutionMethod::richardson_lucy && d.tv > 0) line += " tv=" + number(d.tv);
  if (d.method == DeconvolutionMethod::landweber) line += " alpha=" + number(d.alpha);
  line += std::string(" edges=") + to_string(d.edges);
  if (!job.mask.empty()) line += " mask=" + card_text(job.mask);
  if (d.clip) line += " clip";
  return line;
}

/// frequency's settings: the filter's, then the grid's (boundary, padding, fill value).
std::string frequency_settings(const Job& job) {
  const Frequency& f = job.frequency;
  std::string line = std::string(" filter=") + filter_name(f.filter);
  switch (f.filter) {
    case FrequencyFilter::butterworth:
      line += " cutoff=" + number(f.cutoff) + (f.high_pass ? " high-pass" : " low-pass") +
              " order=" + number(f.order);
      break;
    case FrequencyFilter::gaussian:
      line += " sigma-frequency=" + number(f.sigma_frequency);
      break;
    case FrequencyFilter::band_pass:
      line += " low=" + number(f.low) + " high=" + number(f.high) + " order=" + number(f.order);
      break;
    case FrequencyFilter::shift:
      line += " shift=";
      for (std::size_t i = 0; i < f.shift.size(); ++i)
        line += (i ? "," : "") + number(f.shift[i]);
      break;
    case FrequencyFilter::transfer:
      line += " transfer=" + card_text(job.kernel);
      break;
  }
  line += std::string(" boundary=") + to_string(job.options.boundary);
  if (f.padding) line += " padding=" + std::to_string(f.padding);
  if (job.options.boundary == Boundary::constant) line += " fill=" + number(job.options.fill_value);
  return line;
}

}  // namespace

std::string history_line(const Job& job) {
  std::string line = "fftconv " + std::to_string(version_major) + "." +
                     std::to_string(version_minor) + "." + std::to_string(version_patch) + " " +
                     command_name(job.command);
  if (job.command == Command::deconvolve) return line + deconvolution_settings(job);
  if (job.command == Command::frequency) return line + frequency_settings(job);
  if (job.command == Command::blur) {
    line += " sigma=";
    for (std::size_t i = 0; i < job.sigma.size(); ++i)
      line += (i ? "," : "") + number(job.sigma[i]);
  } else {
    line += " kernel=" + card_text(job.kernel);
  }
  line += std::string(" mode=") + to_string(job.options.mode) +
          " boundary=" + to_string(job.options.boundary);
  if (job.options.boundary == Boundary::constant) line += " fill=" + number(job.options.fill_value);
  if (!job.options.axes.empty()) {
    line += " axes=";
    for (int i = 0; i < job.options.axes.rank(); ++i)
      line += (i ? "," : "") + std::to_string(job.options.axes[i]);
  }
  if (job.options.nan_policy != NanPolicy::propagate)
    line += std::string(" nan=") + to_string(job.options.nan_policy);
  if (!job.mask.empty()) line += " mask=" + card_text(job.mask);
  if (job.options.normalize_kernel) line += " normalize-kernel";
  return line;
}

io::Metadata output_metadata(const Job& job, const io::Metadata& input, const Shape& kernel) {
  io::Metadata out;
  const int rank = kernel.rank();
  for (const std::string& card : input.fits_cards) {
    const int axis = crpix_axis(card.substr(0, card.find_first_of(" =")));
    if (axis < 1 || axis > rank || job.options.mode == Mode::same) {
      out.fits_cards.push_back(card);
      continue;
    }
    const std::size_t k = kernel[rank - axis];  // NAXIS1 is the last C-order axis
    const double shift = job.options.mode == Mode::full ? static_cast<double>((k - 1) / 2)
                                                        : -static_cast<double>(k / 2);
    out.fits_cards.push_back(shifted(card, shift));
  }
  out.history = input.history;
  out.history.push_back(history_line(job));
  out.layout = input.layout;
  return out;
}

}  // namespace fftconv::cli
