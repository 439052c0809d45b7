// fftconv: convolve, correlate, blur, deconvolve and frequency-filter image files, and compare the
// FFT path with the direct sum, from the command line. Exit codes: 0 success, 1 a file or
// computation problem (one line on stderr naming the file), 2 a usage error.
#include <CLI/CLI.hpp>

#include <cctype>
#include <cstdio>
#include <exception>
#include <limits>
#include <map>
#include <new>
#include <string>
#include <utility>

#include "fftconv/deconvolve.hpp"
#include "fftconv/error.hpp"
#include "fftconv/names.hpp"
#include "fftconv/version.hpp"
#include "io/image.hpp"
#include "job.hpp"
#include "memory_budget.hpp"
#include "progress.hpp"

namespace {

using fftconv::cli::Command;
using fftconv::cli::DeconvolutionMethod;
using fftconv::cli::FrequencyFilter;
using fftconv::cli::Job;
using fftconv::cli::Precision;

/// The library's names of E's values (fftconv/names.hpp), with the program's own `aliases`.
template <class E>
std::map<std::string, E> names_of(std::map<std::string, E> aliases = {}) {
  for (const auto& [value, name] : fftconv::names<E>())
    aliases.emplace(name, value);
  return aliases;
}

/// Accepts one of the map's names (any case) and hands CLI11 the enum's value.
template <class E>
CLI::Validator one_of(const std::map<std::string, E>& choices) {
  std::string names;
  for (const auto& [name, value] : choices)
    names += (names.empty() ? "" : ", ") + name;
  return CLI::Validator(
      [choices, names](std::string& input) -> std::string {
        std::string key = input;
        for (char& c : key)
          c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
        const auto it = choices.find(key);
        if (it == choices.end()) return input + " is not one of " + names;
        input = std::to_string(static_cast<int>(it->second));
        return "";
      },
      "{" + names + "}");
}

/// A number in [lo, hi] (CLI::Range lets NaN through).
CLI::Validator number_in(double lo, double hi, const std::string& what) {
  return CLI::Validator(
      [lo, hi, what](std::string& text) -> std::string {
        double v = 0;
        std::size_t used = 0;
        try {
          v = std::stod(text, &used);
        } catch (const std::exception&) {
          used = 0;
        }
        if (used != text.size() || !(v >= lo && v <= hi))
          return what + " " + text + " is not a number in [" + CLI::detail::to_string(lo) + ", " +
                 CLI::detail::to_string(hi) + "]";
        return "";
      },
      "NUMBER");
}

/// What finite_number accepts besides finiteness.
enum class Sign { any, non_negative, positive };

/// A finite number (>= 0, > 0 or of either sign).
CLI::Validator finite_number(const std::string& what, Sign sign = Sign::non_negative) {
  return CLI::Validator(
      [what, sign](std::string& text) -> std::string {
        double v = 0;
        std::size_t used = 0;
        try {
          v = std::stod(text, &used);
        } catch (const std::exception&) {
          used = 0;
        }
        const double max = std::numeric_limits<double>::max();
        const bool fits = sign == Sign::any        ? v >= -max && v <= max
                          : sign == Sign::positive ? v > 0 && v <= max
                                                   : v >= 0 && v <= max;
        if (used != text.size() || !fits)
          return what + " " + text + " is not a finite number" +
                 (sign == Sign::any        ? ""
                  : sign == Sign::positive ? " > 0"
                                           : " >= 0");
        return "";
      },
      "NUMBER");
}

/// --threads: 0 (all hardware threads) or a positive count; a bad value is echoed as given
/// (CLI11 prefixes the option's name).
CLI::Validator thread_count() {
  return CLI::Validator(
      [](std::string& text) -> std::string {
        long long v = -1;
        std::size_t used = 0;
        try {
          v = std::stoll(text, &used);
        } catch (const std::exception&) {
          used = 0;
        }
        if (used != text.size() || v < 0 || v > std::numeric_limits<int>::max())
          return text + " is not a thread count (0 = all hardware threads, or 1, 2, ...)";
        return "";
      },
      "N");
}

/// Every method with what it does in one line; the names are the library's own
/// (fftconv::to_string), so the help cannot fall behind the enumeration.
const std::pair<fftconv::Method, const char*> method_descriptions[] = {
    {fftconv::Method::automatic,
     "the default, also 'auto': the fastest of the others by fftconv's cost model"},
    {fftconv::Method::direct, "the spatial sum: small kernels"},
    {fftconv::Method::fft, "one FFT of the whole padded image: large kernels"},
    {fftconv::Method::separable,
     "row and column passes: separable or low-rank kernels such as Gaussians and boxes"},
    {fftconv::Method::overlap_save,
     "FFTs of output tiles: large kernels on large images, in bounded memory"},
};

std::map<std::string, fftconv::Method> method_names() {
  return names_of<fftconv::Method>({{"auto", fftconv::Method::automatic}});
}

std::string method_help() {
  std::string help;
  for (const auto& [method, description] : method_descriptions)
    help += (help.empty() ? "How to compute: " : ", ") + std::string(fftconv::to_string(method)) +
            " (" + description + ")";
  return help;
}

void add_run_options(CLI::App* sub, Job& job);

/// --boundary and --fill. `default_boundary` names the subcommand's default --boundary in its
/// help, `fill_more` ends --fill's.
void add_boundary_options(CLI::App* sub, Job& job, const std::string& default_boundary,
                          const std::string& fill_more = "") {
  sub->add_option("--boundary", job.options.boundary,
                  "Values outside the image (default: " + default_boundary +
                      "): zero, constant (--fill), reflect (c b a | a b c d | d c b, "
                      "scipy.ndimage 'reflect'), mirror (d c b | a b c d | c b a, scipy.ndimage "
                      "'mirror'), nearest, wrap")
      ->transform(one_of(names_of<fftconv::Boundary>()));
  sub->add_option("--fill", job.options.fill_value,
                  "The value outside the image for --boundary constant (implies it)" + fill_more);
}

/// The options every filtering subcommand takes, mirroring fftconv::Options. `default_boundary`
/// names the subcommand's default --boundary in its help.
void add_options(CLI::App* sub, Job& job, const std::string& default_boundary) {
  sub->add_option("--mode", job.options.mode,
                  "Output size: full (n+k-1), same (n, the default), valid (n-k+1)")
      ->transform(one_of(names_of<fftconv::Mode>()));
  add_boundary_options(sub, job, default_boundary,
                       "; with --nan fill, the value bad pixels get instead (the boundary is then "
                       "unchanged)");
  sub->add_option("--method", job.options.method, method_help())->transform(one_of(method_names()));
  add_run_options(sub, job);
  sub->add_flag("--normalize-kernel", job.options.normalize_kernel,
                "Divide the kernel by its sum (refused if it sums to zero)");
  sub->add_flag("-q,--quiet", job.quiet, "No progress bar, no warnings");
}

/// --threads, --planning, --wisdom and --precision: the subcommands that compute on images with
/// FFTW plans (all but match).
void add_run_options(CLI::App* sub, Job& job) {
  // (--precision is the program's own choice, not fftconv::Precision: float, double, or by
  // the image's type.)
  const std::map<std::string, Precision> precisions{{"auto", Precision::automatic},
                                                    {"float", Precision::single},
                                                    {"double", Precision::double_precision}};
  sub->add_option("--threads", job.options.threads, "Threads per image (0 = all; default 1)")
      ->check(thread_count());
  sub->add_option("--planning", job.options.planning,
                  "FFTW planning: estimate (default), measure, patient")
      ->transform(one_of(names_of<fftconv::Planning>()));
  sub->add_option("--wisdom", job.wisdom,
                  "With --planning measure/patient: FFTW wisdom read before and saved after the "
                  "run in FILE (default $XDG_CACHE_HOME/fftconv/wisdom, else "
                  "~/.cache/fftconv/wisdom; none: neither)")
      ->type_name("FILE|none");
  sub->add_option("--precision", job.precision,
                  "Compute in float or double; auto (default): float for float32 and complex64 "
                  "images, double otherwise")
      ->transform(one_of(precisions));
}

/// --nan, --mask and --weight-out: the subcommands that filter images.
void add_mask_options(CLI::App* sub, Job& job) {
  sub->add_option("--nan", job.options.nan_policy,
                  "NaN/Inf (and --mask) pixels: propagate (default), interpolate (normalized "
                  "convolution, as astropy's nan_treatment='interpolate'), fill (replaced by "
                  "--fill, default 0)")
      ->transform(one_of(names_of<fftconv::NanPolicy>()));
  sub->add_option("--min-weight", job.options.min_weight,
                  "--nan interpolate: outputs with less than this fraction of the kernel's "
                  "weight on valid pixels are NaN (default 1e-3)")
      ->check(number_in(0, 1e6, "--min-weight"));
  sub->add_flag("--preserve-nan", job.options.preserve_nan,
                "--nan interpolate/fill: pixels that were NaN (or masked) stay NaN");
  sub->add_option("--mask", job.mask,
                  "Bad-pixel mask with the images' shape: non-zero pixels are treated like NaN "
                  "(see --nan)");
  sub->add_option("--weight-out", job.weight_out,
                  "Also write the coverage map conv(M, k) (M = 1 on finite, unmasked pixels) to "
                  "this file (one image only; written after the values)");
}

/// -o, --type and --format: the subcommands that write files.
void add_output_options(CLI::App* sub, Job& job, std::string& type) {
  sub->add_option("-o,--output", job.output,
                  "Output file (its extension picks the format), or a directory for several "
                  "images")
      ->required();
  sub->add_option("--dtype,--type", type,
                  "Output pixel type: same (the image's own), float32, float64, complex64, "
                  "complex128, or uint8, int8, uint16, int16, uint32, int32, uint64, int64 "
                  "(default: float images keep their type, integer images give float32; PNG: the "
                  "image's uint8/uint16, else uint16; a complex image or kernel gives the complex "
                  "type of that choice, .npy only). Integer outputs are rounded to nearest and "
                  "clamped to the type's range, with a warning counting the clamped pixels. "
                  "--type is the older name");
  sub->add_option("--format", job.format,
                  "With -o DIR: the extension of the written files (npy, fits, tif, png; "
                  "default: each image's own)");
}

/// The options of `options` (each with its `name` and `taken_by`: which choices take it) given
/// on the command line that the subcommand's chosen method or filter does not take (`takes`):
/// "--alpha (landweber only), --regularizer (wiener only)"; empty when there are none.
template <class Option, std::size_t N, class Takes>
std::string refused_options(const CLI::App* sub, const Option (&options)[N], Takes&& takes) {
  std::string refused;
  for (const Option& o : options)
    if (!takes(o) && sub->count(o.name))
      refused += (refused.empty() ? "" : ", ") + std::string(o.name) + " (" + o.taken_by + ")";
  return refused;
}

/// deconvolve's options that only some methods take, and which.
struct MethodOption {
  const char* name;
  bool rl, landweber, wiener;
  const char* taken_by;
};
const MethodOption method_options[] = {
    {"--iterations", true, true, false, "rl and landweber"},
    {"--acceleration", true, false, false, "rl only"},
    {"--tv", true, false, false, "rl only"},
    {"--mask", true, true, false, "rl and landweber"},
    {"--alpha", false, true, false, "landweber only"},
    {"--balance", false, false, true, "wiener only"},
    {"--regularizer", false, false, true, "wiener only"},
};

/// deconvolve's options and their defaults.
void add_deconvolve_options(CLI::App* sub, Job& job) {
  fftconv::cli::Deconvolution& d = job.deconvolution;
  const std::map<std::string, DeconvolutionMethod> methods{
      {"rl", DeconvolutionMethod::richardson_lucy},
      {"richardson-lucy", DeconvolutionMethod::richardson_lucy},
      {"richardson_lucy", DeconvolutionMethod::richardson_lucy},
      {"landweber", DeconvolutionMethod::landweber},
      {"wiener", DeconvolutionMethod::wiener}};
  sub->add_option("--psf", job.kernel,
                  "The point-spread function, the blur to undo (required; the same formats as "
                  "the images; need not sum to 1; a PSF of lower rank applies to every plane of "
                  "a stack)")
      ->required();
  sub->add_option("--method", d.method,
                  "rl (default, also richardson-lucy: Richardson-Lucy, the maximum-likelihood "
                  "object under Poisson noise; data must be >= 0), landweber (projected "
                  "gradient steps on the squared residual, result >= 0), wiener (a regularized "
                  "inverse filter in one step; needs --balance)")
      ->transform(one_of(methods));
  sub->add_option("--iterations", d.iterations,
                  "rl, landweber: iterations (default 50; 0 returns the starting estimate)")
      ->check(CLI::Range(0, 100000000));
  sub->add_option("--acceleration", d.acceleration,
                  "rl: none (default) or biggs-andrews (vector extrapolation, Biggs & Andrews "
                  "1997: typically 3 to 4 times fewer iterations for the same result)")
      ->transform(one_of(names_of<fftconv::Acceleration>(
          {{"biggs-andrews", fftconv::Acceleration::biggs_andrews}})));
  sub->add_option("--tv", d.tv,
                  "rl: total-variation regularization weight lambda (default 0: none; below "
                  "1/(2 ndim); typical 1e-4 to 1e-2)")
      ->check(number_in(0, 1, "--tv"));
  sub->add_option("--alpha", d.alpha,
                  "landweber: the step relative to the largest stable one, in (0, 2) (default 1)")
      ->check(number_in(0, 2, "--alpha"));
  sub->add_option("--edges", d.edges,
                  "What lies outside the image: extended (the default, every method: the object "
                  "is reconstructed beyond the edges, no ringing there; wiener pads with the "
                  "image's mirror image), zero (a dark surround, scikit-image's richardson_lucy), "
                  "periodic (the image is one period, scikit-image's wiener)")
      ->transform(one_of(names_of<fftconv::DeconvolutionEdges>()));
  sub->add_option("--balance", d.balance,
                  "wiener (required there): the regularization weight, the noise-to-signal power "
                  "ratio (e.g. 0.01; larger: smoother, less noise; 0: the plain inverse filter)")
      ->check(finite_number("--balance"));
  sub->add_option("--regularizer", d.regularizer,
                  "wiener: laplacian (default, scikit-image's: smooth results) or identity "
                  "(Tikhonov)")
      ->transform(one_of(names_of<fftconv::Regularizer>()));
  sub->add_option("--mask", job.mask,
                  "rl, landweber: bad-pixel mask with the images' shape: non-zero pixels are left "
                  "out of the fit (their values are not read; NaN there is fine) and "
                  "reconstructed from their neighbours");
  sub->add_flag("--clip", d.clip,
                "Clip the result to [-1, 1], as scikit-image's clip=True for data in [0, 1] "
                "(default: not clipped)");
  add_run_options(sub, job);
  sub->add_flag("-q,--quiet", job.quiet, "No progress bar, no warnings");
}

/// deconvolve: the options the chosen method does not take, and --balance that wiener needs,
/// as a usage error's message (empty when the combination is fine).
std::string deconvolve_usage(const CLI::App* sub, const Job& job) {
  const DeconvolutionMethod method = job.deconvolution.method;
  const std::string refused = refused_options(sub, method_options, [method](const MethodOption& o) {
    return method == DeconvolutionMethod::wiener      ? o.wiener
           : method == DeconvolutionMethod::landweber ? o.landweber
                                                      : o.rl;
  });
  const std::string name = fftconv::cli::method_name(method);
  if (!refused.empty()) return "deconvolve --method " + name + " does not take " + refused;
  if (method == DeconvolutionMethod::wiener && !sub->count("--balance"))
    return "deconvolve --method wiener needs --balance B, the regularization weight (e.g. 0.01; "
           "0: the plain inverse filter)";
  const double alpha = job.deconvolution.alpha;
  if (!(alpha > 0 && alpha < 2))
    return "--alpha " + CLI::detail::to_string(alpha) +
           " is not in (0, 2): landweber diverges with steps of 2 or more";
  return "";
}

/// frequency's options that only some filters take: which (FilterBit flags), and the message's
/// words.
enum FilterBit : unsigned {
  butterworth_bit = 1u << static_cast<unsigned>(FrequencyFilter::butterworth),
  gaussian_bit = 1u << static_cast<unsigned>(FrequencyFilter::gaussian),
  band_pass_bit = 1u << static_cast<unsigned>(FrequencyFilter::band_pass),
  shift_bit = 1u << static_cast<unsigned>(FrequencyFilter::shift),
  transfer_bit = 1u << static_cast<unsigned>(FrequencyFilter::transfer),
};
struct FilterOption {
  const char* name;
  unsigned filters;
  const char* taken_by;
};
const FilterOption filter_options[] = {
    {"--cutoff", butterworth_bit, "butterworth only"},
    {"--high-pass", butterworth_bit, "butterworth only"},
    {"--low-pass", butterworth_bit, "butterworth only"},
    {"--order", butterworth_bit | band_pass_bit, "butterworth and band-pass"},
    {"--sigma-frequency", gaussian_bit, "gaussian only"},
    {"--low", band_pass_bit, "band-pass only"},
    {"--high", band_pass_bit, "band-pass only"},
    {"--shift", shift_bit, "shift only"},
    {"--transfer", transfer_bit, "transfer only"},
};

/// frequency's options and their defaults.
void add_frequency_options(CLI::App* sub, Job& job) {
  fftconv::cli::Frequency& f = job.frequency;
  const std::map<std::string, FrequencyFilter> filters{
      {"butterworth", FrequencyFilter::butterworth},
      {"gaussian", FrequencyFilter::gaussian},
      {"band-pass", FrequencyFilter::band_pass},
      {"band_pass", FrequencyFilter::band_pass},
      {"shift", FrequencyFilter::shift},
      {"transfer", FrequencyFilter::transfer}};
  sub->add_option("--filter", f.filter,
                  "The transfer function H(f), f the frequency in cycles per sample (numpy.fft."
                  "fftfreq's): butterworth (scikit-image's filters.butterworth: 1 / (1 + (|f| / "
                  "cutoff)^(2 order)), --high-pass 1 minus that), gaussian (exp(-|f|^2 / (2 "
                  "sigma^2)), --sigma-frequency required), band-pass (the butterworth low-pass at "
                  "--high minus the one at --low, both required), shift (exp(-2 pi i f . shift): "
                  "a sub-pixel shift, out[x] = image[x - shift]; --shift required), transfer (H "
                  "from the file of --transfer)")
      ->required()
      ->transform(one_of(filters));
  sub->add_option("--cutoff", f.cutoff,
                  "butterworth: the cutoff frequency ratio, cycles per sample (default 0.005, "
                  "scikit-image's)")
      ->check(finite_number("--cutoff", Sign::positive));
  sub->add_flag("--high-pass",
                "butterworth: pass the high frequencies (the default, "
                "scikit-image's)");
  sub->add_flag("--low-pass", "butterworth: pass the low frequencies instead");
  sub->add_option("--order", f.order, "butterworth, band-pass: the filter order (default 2)")
      ->check(finite_number("--order"));
  sub->add_option("--sigma-frequency", f.sigma_frequency,
                  "gaussian (required there): the Gaussian's standard deviation in cycles per "
                  "sample (a blur of 1 / (2 pi S) pixels)")
      ->check(finite_number("--sigma-frequency", Sign::positive));
  sub->add_option("--low", f.low, "band-pass (required there): the lower cutoff, cycles per sample")
      ->check(finite_number("--low", Sign::positive));
  sub->add_option("--high", f.high,
                  "band-pass (required there): the upper cutoff, cycles per sample (above --low)")
      ->check(finite_number("--high", Sign::positive));
  sub->add_option("--shift", f.shift,
                  "shift (required there): the shift in pixels, one value per axis, axis 0 "
                  "first (e.g. 0.5,-1.25)")
      ->delimiter(',')
      ->check(finite_number("--shift", Sign::any))
      ->type_name("S0,S1[,S2]");
  sub->add_option("--transfer", job.kernel,
                  "transfer (required there): H over the transform grid's frequency bins, a "
                  "complex64/complex128 .npy (a real file: imaginary part 0) of the grid's full "
                  "spectrum (numpy.fft.fftn's layout, not fftshifted; its Hermitian part is "
                  "applied) or half spectrum (numpy.fft.rfftn's, the last axis L/2+1). The grid is "
                  "the image itself with the default --boundary wrap and --padding 0, else each "
                  "axis n + 2 padding rounded up to a fast FFT length (fftconv::"
                  "frequency_grid_shape)")
      ->type_name("FILE");
  sub->add_option("--padding", f.padding,
                  "Samples added at each end of every axis by the --boundary rule before the "
                  "transform (default 0: with wrap, circular filtering over the image itself; "
                  "with another rule and a padding of the filter's reach, no wrap-around)")
      ->check(CLI::Range(std::size_t{0}, std::size_t{1} << 30));
  add_boundary_options(sub, job, "wrap, circular as scikit-image");
  add_run_options(sub, job);
  sub->add_flag("-q,--quiet", job.quiet, "No progress bar, no warnings");
}

/// frequency: the options the chosen filter does not take, and those it needs, as a usage
/// error's message (empty when the combination is fine).
std::string frequency_usage(const CLI::App* sub, Job& job) {
  fftconv::cli::Frequency& f = job.frequency;
  const unsigned bit = 1u << static_cast<unsigned>(f.filter);
  const std::string refused = refused_options(
      sub, filter_options, [bit](const FilterOption& o) { return (o.filters & bit) != 0; });
  const std::string name = fftconv::cli::filter_name(f.filter);
  if (!refused.empty()) return "frequency --filter " + name + " does not take " + refused;
  if (sub->count("--high-pass") && sub->count("--low-pass"))
    return "--high-pass and --low-pass both given: give one";
  f.high_pass = !sub->count("--low-pass");
  const std::pair<FrequencyFilter, const char*> needs[] = {
      {FrequencyFilter::gaussian, "--sigma-frequency"},
      {FrequencyFilter::band_pass, "--low"},
      {FrequencyFilter::band_pass, "--high"},
      {FrequencyFilter::shift, "--shift"},
      {FrequencyFilter::transfer, "--transfer"}};
  for (const auto& [filter, option] : needs)
    if (filter == f.filter && !sub->count(option))
      return "frequency --filter " + name + " needs " + option;
  if (f.filter == FrequencyFilter::band_pass && !(f.low < f.high))
    return "--low " + CLI::detail::to_string(f.low) + " must be below --high " +
           CLI::detail::to_string(f.high);
  return "";
}

std::string one_line(std::string s) {
  while (!s.empty() && s.back() == '\n')
    s.pop_back();
  return s;
}

}  // namespace

int main(int argc, char** argv) {
  Job job;
  std::string type;
  std::vector<std::string> files;
  CLI::App app{
      "fftconv: FFT convolution, correlation, blurring, deconvolution and frequency-domain "
      "filtering of images and volumes (.npy, .fits, .tif, .png)",
      "fftconv"};
  app.set_version_flag("--version", "fftconv " + std::to_string(fftconv::version_major) + "." +
                                        std::to_string(fftconv::version_minor) + "." +
                                        std::to_string(fftconv::version_patch));
  app.require_subcommand(1);

  auto* convolve = app.add_subcommand(
      "convolve", "Convolve images with a kernel (the kernel is flipped): IMAGE... KERNEL -o OUT");
  auto* correlate = app.add_subcommand(
      "correlate", "Cross-correlate images with a kernel (not flipped): IMAGE... KERNEL -o OUT");
  for (auto* sub : {convolve, correlate}) {
    sub->add_option("files", files,
                    "One or more images, then the kernel (a kernel of lower rank filters every "
                    "plane of a stack; complex64/complex128 .npy files for either)")
        ->required();
    add_options(sub, job, "zero, as scipy.signal");
    add_output_options(sub, job, type);
    add_mask_options(sub, job);
  }
  auto* blur = app.add_subcommand(
      "blur",
      "Gaussian blur, as scipy.ndimage.gaussian_filter (reflect boundary by default): IMAGE... "
      "--sigma S[,S...] [--truncate T | --size K] -o OUT");
  blur->add_option("files", files, "One or more images")->required();
  blur->add_option("--sigma", job.sigma,
                   "Standard deviation in pixels: one value for every axis, or one per axis "
                   "(--sigma 2,3; 0 = no blur along that axis)")
      ->required()
      ->delimiter(',')
      ->check(number_in(0, 1e6, "sigma"));
  blur->add_option("--truncate", job.truncate,
                   "Kernel radius in standard deviations, per axis int(truncate*sigma+0.5) "
                   "(default 4, as scipy.ndimage.gaussian_filter)")
      ->check(number_in(0, 1e3, "--truncate"));
  blur->add_option("--size", job.size,
                   "Odd kernel length instead of --truncate: one value, or one per axis "
                   "(default 2*int(truncate*sigma+0.5)+1)")
      ->delimiter(',')
      ->check(CLI::Range(std::size_t{1}, std::size_t{1} << 24));
  add_options(blur, job, "reflect, as scipy.ndimage");
  add_output_options(blur, job, type);
  add_mask_options(blur, job);

  auto* match = app.add_subcommand(
      "match", "Template matching (normalized cross-correlation): IMAGE TEMPLATE [-o SCORE]");
  match->add_option("files", files, "IMAGE TEMPLATE")->required()->expected(2);
  match->add_option("-o,--output", job.output,
                    "Write the score map (valid positions, in [-1, 1]) to this file");
  match->add_option("--peaks", job.peaks, "Print the best N positions (default 5; 0: none)");
  match->add_option("--threshold", job.threshold, "Lowest score printed (default 0.5)")
      ->check(number_in(-1, 1, "--threshold"));
  match->add_option("--min-distance", job.min_distance,
                    "Pixels between printed peaks (default: half the template's largest extent)");
  match->add_option("--template-mask", job.template_mask,
                    "Masked matching: non-zero pixels of this file (the template's shape) are "
                    "the template; NaN image pixels are left out");
  match->add_option("--min-overlap", job.options.min_overlap,
                    "--template-mask: windows with fewer valid template pixels score 0");
  match->add_option("--method", job.options.method, method_help())
      ->transform(one_of(method_names()));
  match->add_option("--threads", job.options.threads, "Threads (0 = all; default 1)")
      ->check(thread_count());
  match->add_option("--dtype,--type", type, "Score pixel type: float32 (default) or float64");
  match->add_flag("-q,--quiet", job.quiet, "No progress bar, no warnings");

  auto* compare = app.add_subcommand(
      "compare",
      "Time the methods on one image against the direct sum: measured and predicted times, and "
      "each method's difference from direct (--method: just that one)");
  compare->add_option("files", files, "IMAGE KERNEL")->required()->expected(2);
  compare->add_flag("--correlate", job.correlate, "Correlate instead of convolve");
  compare->add_option("--repeat", job.repeat, "Timed runs per method (the median is reported)")
      ->check(CLI::Range(1, 1000));
  compare->add_flag("-y,--yes", job.yes,
                    "Run without asking, however long the cost model expects the run to take");
  compare
      ->add_option("--confirm-above", job.confirm_above_seconds,
                   "Seconds of expected run time above which compare prints its estimate and,"
                   " on a terminal without --yes, asks before running (default 5)")
      ->check(number_in(0, 1e9, "--confirm-above"));
  add_options(compare, job, "zero, as scipy.signal");

  auto* deconvolve = app.add_subcommand(
      "deconvolve",
      "Undo a known blur: Richardson-Lucy (default), Landweber or Wiener deconvolution with the "
      "PSF of --psf: IMAGE... --psf PSF -o OUT");
  deconvolve->add_option("files", files, "One or more images (real numbers)")->required();
  add_deconvolve_options(deconvolve, job);
  add_output_options(deconvolve, job, type);

  auto* frequency = app.add_subcommand(
      "frequency",
      "Frequency-domain filters: Butterworth (scikit-image's filters.butterworth), Gaussian "
      "low-pass, band-pass, sub-pixel shift, or any transfer function from a file; circular "
      "(--boundary wrap) by default: IMAGE... --filter F -o OUT");
  frequency->add_option("files", files, "One or more images (real numbers)")->required();
  add_frequency_options(frequency, job);
  add_output_options(frequency, job, type);
  std::vector<int> axes;
  for (auto* sub : {convolve, correlate})
    sub->add_option("--axes", axes,
                    "Axes to convolve along, comma-separated (e.g. 1,2 or -2,-1; "
                    "default every axis). The others are batch axes: a stack of frames, each "
                    "filtered on its own; the kernel's length there is 1 or the image's")
        ->delimiter(',')
        ->type_name("A,B,...");
  std::string max_memory;
  for (auto* sub : {convolve, correlate, blur, match, compare, deconvolve, frequency})
    sub->add_option("--max-memory", max_memory,
                    "Memory the run may use: BYTES (suffix K, M, G or T: powers of 1024) or N% "
                    "of physical memory (default 50%). A file declaring a larger image is "
                    "refused before it is read; the computation's method must fit it too")
        ->type_name("BYTES|N%");

  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    return app.exit(e) == 0 ? 0 : 2;
  }

  const auto usage = [](const std::string& message) {
    std::fprintf(stderr, "fftconv: usage error: %s\n", one_line(message).c_str());
    return 2;
  };
  auto* chosen = app.get_subcommands().front();
  if (axes.size() > static_cast<std::size_t>(fftconv::max_rank))
    return usage("--axes lists " + std::to_string(axes.size()) + " axes; an image has at most " +
                 std::to_string(fftconv::max_rank));
  for (int axis : axes)
    job.options.axes.push_back(axis);
  if (chosen == convolve || chosen == correlate || chosen == compare || chosen == match) {
    if (files.size() < 2)
      return usage(chosen->get_name() + " needs an image and a kernel (IMAGE... KERNEL)");
    job.kernel = files.back();
    files.pop_back();
  }
  job.images = files;
  job.command = chosen == convolve     ? Command::convolve
                : chosen == correlate  ? Command::correlate
                : chosen == blur       ? Command::blur
                : chosen == match      ? Command::match
                : chosen == deconvolve ? Command::deconvolve
                : chosen == frequency  ? Command::frequency
                                       : Command::compare;
  if (chosen == blur && !chosen->count("--boundary"))
    job.options.boundary = fftconv::Boundary::reflect;  // (--fill below may make it constant)
  if (chosen == deconvolve) {
    const std::string problem = deconvolve_usage(deconvolve, job);
    if (!problem.empty()) return usage(problem);
  }
  if (chosen == frequency) {
    const std::string problem = frequency_usage(frequency, job);
    if (!problem.empty()) return usage(problem);
    if (!chosen->count("--boundary"))
      job.options.boundary = fftconv::Boundary::wrap;  // (--fill below may make it constant)
  }
  if (chosen != match && chosen != deconvolve && chosen->count("--fill") &&
      job.options.nan_policy != fftconv::NanPolicy::fill) {
    if (chosen->count("--boundary") && job.options.boundary != fftconv::Boundary::constant)
      return usage("--fill is the value outside the image for --boundary constant");
    job.options.boundary = fftconv::Boundary::constant;
  }
  if (chosen == blur && chosen->count("--truncate") && !job.size.empty())
    return usage("--truncate and --size both set the kernel's length; give one");
  if (chosen == compare) job.method_given = chosen->count("--method") > 0;
  if (type == "same") {
    job.type = fftconv::cli::OutputType{true};
  } else if (!type.empty()) {
    fftconv::io::PixelType t;
    if (!fftconv::io::parse_pixel_type(type, t)) return usage("unknown --dtype " + type);
    job.type = fftconv::cli::OutputType{false, t};
  }
  for (std::size_t s : job.size)
    if (s % 2 == 0)
      return usage("--size " + std::to_string(s) + " is even; the Gaussian needs a centre tap");
  job.progress = !job.quiet && fftconv::cli::Progress::stderr_is_terminal();
  const std::size_t physical = fftconv::cli::physical_memory();
  job.options.max_memory_bytes = fftconv::cli::default_memory_budget(physical);
  if (chosen->count("--max-memory")) {
    const auto budget = fftconv::cli::parse_memory_budget(max_memory, physical);
    if (!budget)
      return usage("--max-memory '" + max_memory +
                   "' is not a byte count (e.g. 800000000, 512M, 4G) or a share of physical "
                   "memory in (0, 100] % (e.g. 50%)");
    job.options.max_memory_bytes = *budget;
  }

  try {
    return fftconv::cli::run(job);
  } catch (const fftconv::cli::UsageError& e) {
    return usage(e.what());
  } catch (const fftconv::io::IoError& e) {
    std::fprintf(stderr, "fftconv: error: %s\n", one_line(e.what()).c_str());
  } catch (const fftconv::Error& e) {
    std::fprintf(stderr, "fftconv: error: %s\n", one_line(e.what()).c_str());
  } catch (const std::bad_alloc&) {
    std::fprintf(stderr, "fftconv: error: out of memory\n");
  } catch (const std::exception& e) {
    std::fprintf(stderr, "fftconv: error: %s\n", one_line(e.what()).c_str());
  }
  return 1;
}
