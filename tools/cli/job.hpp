#pragma once
// What one `fftconv` invocation asks for, after argument parsing (main.cpp) and before any file
// is touched (run.cpp and the subcommands, commands.hpp).
#include <optional>
#include <stdexcept>
#include <string>
#include <vector>

#include "fftconv/deconvolve.hpp"
#include "fftconv/filter.hpp"
#include "fftconv/options.hpp"
#include "io/pixel_type.hpp"

namespace fftconv::cli {

enum class Command { convolve, correlate, blur, compare, match, deconvolve, frequency };

/// deconvolve --method: fftconv::richardson_lucy, landweber or wiener.
enum class DeconvolutionMethod { richardson_lucy, landweber, wiener };

/// The method's name on the command line: "rl", "landweber", "wiener".
inline const char* method_name(DeconvolutionMethod method) {
  return method == DeconvolutionMethod::wiener      ? "wiener"
         : method == DeconvolutionMethod::landweber ? "landweber"
                                                    : "rl";
}

/// deconvolve's settings (main.cpp refuses those the chosen method does not take).
struct Deconvolution {
  DeconvolutionMethod method = DeconvolutionMethod::richardson_lucy;
  int iterations = 50;                                      // rl, landweber
  Acceleration acceleration = Acceleration::none;           // rl
  double tv = 0;                                            // rl: tv_regularization
  double alpha = 1;                                         // landweber: the step
  DeconvolutionEdges edges = DeconvolutionEdges::extended;  // all three
  double balance = 0;                                       // wiener (required)
  Regularizer regularizer = Regularizer::laplacian;         // wiener
  bool clip = false;                                        // all three: to [-1, 1]
};

/// frequency --filter: fftconv::butterworth, gaussian_lowpass, band_pass, fourier_shift, or
/// frequency_filter with the array of a file.
enum class FrequencyFilter { butterworth, gaussian, band_pass, shift, transfer };

/// The filter's name on the command line: "butterworth", "gaussian", "band-pass", "shift",
/// "transfer".
inline const char* filter_name(FrequencyFilter filter) {
  switch (filter) {
    case FrequencyFilter::gaussian:
      return "gaussian";
    case FrequencyFilter::band_pass:
      return "band-pass";
    case FrequencyFilter::shift:
      return "shift";
    case FrequencyFilter::transfer:
      return "transfer";
    case FrequencyFilter::butterworth:
      break;
  }
  return "butterworth";
}

/// frequency's settings (main.cpp refuses those the chosen filter does not take; the transfer
/// file is Job::kernel, the boundary rule and the fill value Job::options').
struct Frequency {
  FrequencyFilter filter = FrequencyFilter::butterworth;
  double cutoff = 0.005;       // butterworth: cutoff_frequency_ratio (scikit-image's default)
  bool high_pass = true;       // butterworth (scikit-image's default; --low-pass: false)
  double order = 2;            // butterworth, band-pass
  double sigma_frequency = 0;  // gaussian (required)
  double low = 0, high = 0;    // band-pass: the cutoffs (required)
  std::vector<double> shift;   // shift: samples, one per axis (required)
  std::size_t padding = 0;     // all: FrequencyOptions::padding
};

/// The precision the computation runs in: `automatic` is float for float32 images and double
/// for everything else (float64 and integer images).
enum class Precision { automatic, single, double_precision };

/// --dtype: a pixel type for every output, or `same`: each image's own type.
struct OutputType {
  bool same_as_input = false;
  io::PixelType pixel = io::PixelType::f32;  ///< (when not same_as_input)
  io::PixelType for_image(io::PixelType image) const { return same_as_input ? image : pixel; }
};

struct Job {
  Command command = Command::convolve;
  std::vector<std::string> images;
  std::string kernel;             // convolve, correlate, compare; --psf, frequency's --transfer
  std::vector<double> sigma;      // blur: one value, or one per image axis
  std::vector<std::size_t> size;  // blur: kernel length, one value or one per axis
  double truncate = 4.0;          // blur: radius int(truncate * sigma + 0.5) when no --size
  std::string output;             // -o: a file, or a directory for several images
  std::string format;             // --format: the extension of files written into -o DIR
  std::string mask;               // --mask: bad pixels (non-zero), the images' shape
  Deconvolution deconvolution;    // deconvolve
  Frequency frequency;            // frequency
  std::string weight_out;         // --weight-out: the coverage map conv(M, k) (one image)
  std::string template_mask;      // match --template-mask: non-zero = part of the template
  std::size_t peaks = 5;          // match --peaks: how many positions to print
  std::size_t min_distance = 0;   // match --min-distance (0: half the template's extent)
  double threshold = 0.5;         // match --threshold
  Options options;
  Precision precision = Precision::automatic;
  std::optional<OutputType> type;    // --dtype; by default chosen per output (command_filter.cpp)
  bool correlate = false;            // compare --correlate
  int repeat = 1;                    // compare: timed runs per method (median reported)
  bool method_given = false;         // compare: --method given (time that one only)
  bool yes = false;                  // compare --yes: run without asking
  double confirm_above_seconds = 5;  // compare: print the estimate (and ask) above this
  std::string wisdom;                // --wisdom: a file, "none", or empty (the user's cache)
  bool quiet = false;
  bool progress = false;  // stderr is a terminal and not --quiet
};

/// A request that cannot run as given (exit code 2), found after parsing (e.g. --sigma with
/// three values for a 2-D image).
class UsageError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

/// Runs the job; returns the exit code (0) or throws io::IoError, fftconv::Error (exit 1) or
/// UsageError (exit 2).
int run(const Job& job);

}  // namespace fftconv::cli
