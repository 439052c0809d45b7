// compare: the methods against direct on one image: measured and predicted times, each
// method's difference from direct, and what error_bound promises.
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <optional>
#include <string>
#include <type_traits>
#include <vector>

#include "commands.hpp"
#include "failures.hpp"
#include "fftconv/accuracy.hpp"
#include "fftconv/error.hpp"
#include "fftconv/filter.hpp"
#include "fftconv/names.hpp"
#include "fftconv/predict.hpp"
#include "input_files.hpp"
#include "io/convert.hpp"
#include "pixel_values.hpp"
#include "progress.hpp"

namespace fftconv::cli {

namespace {

using io::Image;

const char* precision_name(bool in_double) {
  return in_double ? "float64" : "float32";
}

double median(std::vector<double> v) {
  std::sort(v.begin(), v.end());
  const std::size_t n = v.size();
  return n % 2 ? v[n / 2] : (v[n / 2 - 1] + v[n / 2]) / 2;
}

/// One method's row in compare's report: its Filter's setup time, the median time of its apply
/// over `runs` runs, the cost model's prediction and its result.
template <class T>
struct Timing {
  Method method = Method::automatic;
  Method runs_as = Method::automatic;  ///< what the Filter runs (automatic: its choice)
  double setup_ms = 0, apply_ms = 0, predicted_ms = 0;
  std::vector<T> result;
};

template <class T>
Timing<T> time_method(const Job& job, Method method, Operation operation,
                      const ConstView<T>& kernel, const Shape& image_shape,
                      const std::vector<T>& image, int runs) {
  using clock = std::chrono::steady_clock;
  Options options = job.options;
  options.method = method;
  Timing<T> t;
  t.method = method;
  t.predicted_ms = 1e3 * predicted_seconds(method, kernel, image_shape, options);
  const auto t0 = clock::now();
  const Filter<T> filter(kernel, image_shape, operation, options);
  t.setup_ms = std::chrono::duration<double, std::milli>(clock::now() - t0).count();
  t.runs_as = filter.method();
  t.result.resize(element_count(filter.output_shape()));
  std::vector<double> times;
  for (int r = 0; r < runs; ++r) {
    const auto t1 = clock::now();
    filter.apply(ConstView<T>(image.data(), image_shape),
                 View<T>(t.result.data(), filter.output_shape()));
    times.push_back(std::chrono::duration<double, std::milli>(clock::now() - t1).count());
  }
  t.apply_ms = median(times);
  return t;
}

/// "(y, x)": a multi-index for the report.
std::string position(const Shape& index) {
  std::string s;
  for (std::size_t i : index)
    s += (s.empty() ? "(" : ", ") + std::to_string(i);
  return s + ")";
}

/// What compare times: --method alone, else every method that applies to this kernel (separable
/// only for a separable or low-rank kernel: the model prices it, a Filter accepts it).
template <class T>
std::vector<Method> methods_to_time(const Job& job, const ConstView<T>& kernel,
                                    const Shape& image_shape) {
  if (job.method_given) return {job.options.method};
  std::vector<Method> methods{Method::fft, Method::overlap_save};
  if (std::isfinite(predicted_seconds(Method::separable, kernel, image_shape, job.options)))
    methods.push_back(Method::separable);
  methods.push_back(Method::direct);
  methods.push_back(Method::automatic);
  return methods;
}

std::string seconds_text(double seconds) {
  char text[32];
  std::snprintf(text, sizeof text, "%.3g s", seconds);
  return text;
}

/// Before a run the cost model expects to take longer than --confirm-above: the estimate on
/// stderr (unless --quiet) and, when stdin is a terminal and there is no --yes, the question.
/// False when the answer is not yes.
bool confirm_run(const Job& job, double seconds, const std::string& detail) {
  if (!(seconds > job.confirm_above_seconds)) return true;
  const bool ask = !job.yes && ::isatty(STDIN_FILENO);
  if (!ask && job.quiet) return true;
  std::fprintf(stderr, "fftconv: compare: the cost model expects about %s of computing (%s)%s",
               seconds_text(seconds).c_str(), detail.c_str(), ask ? "; continue? [y/N] " : "\n");
  if (!ask) return true;
  std::fflush(stderr);
  char answer[64];
  return std::fgets(answer, sizeof answer, stdin) && (answer[0] == 'y' || answer[0] == 'Y');
}

/// compare: times the methods (median of --repeat runs each) against the direct method's result
/// and prints the table; 1 if the user declined the run.
template <class T>
int compare_methods(const Job& job, const Kernel& kernel, const Image& image,
                    Allocating& allocating) {
  const Operation operation = job.correlate ? Operation::correlate : Operation::convolve;
  const std::vector<T> k = kernel_values<T>(kernel);
  const ConstView<T> kernel_view(k.data(), kernel.shape);
  const std::vector<Method> methods = methods_to_time(job, kernel_view, image.shape);
  const bool direct_timed = std::count(methods.begin(), methods.end(), Method::direct) > 0;

  // The cost model's total: every timed method --repeat times, and the reference once.
  Options direct_options = job.options;
  direct_options.method = Method::direct;
  double expected =
      direct_timed ? 0
                   : predicted_seconds(Method::direct, kernel_view, image.shape, direct_options);
  std::string detail;
  for (Method m : methods) {
    Options o = job.options;
    o.method = m;
    const double s = predicted_seconds(m, kernel_view, image.shape, o);
    expected += s * job.repeat;
    detail +=
        (detail.empty() ? "" : ", ") + std::string(fftconv::to_string(m)) + " " + seconds_text(s);
  }
  detail += job.repeat == 1 ? " a run" : " a run, " + std::to_string(job.repeat) + " runs each";
  if (!direct_timed) detail += ", direct reference once";
  // (an infinite estimate: --method separable for a kernel that is not; the Filter refuses it)
  if (std::isfinite(expected) && !confirm_run(job, expected, detail)) {
    std::fprintf(stderr, "fftconv: compare: not run\n");
    return 1;
  }

  allocating(described("pixels", image.shape, pixel_type_of<T>()),
             element_count(image.shape) * sizeof(T));
  const std::vector<T> values = io::to_values<T>(image);
  Progress progress(job.progress);
  std::vector<Timing<T>> timings;
  for (std::size_t i = 0; i < methods.size(); ++i) {
    // (its result, and the method's working memory)
    allocating(std::string("timing the ") + fftconv::to_string(methods[i]) + " method");
    progress.update(i, methods.size(), std::string("timing ") + fftconv::to_string(methods[i]));
    timings.push_back(
        time_method(job, methods[i], operation, kernel_view, image.shape, values, job.repeat));
  }
  std::vector<T> reference;
  for (const Timing<T>& t : timings)
    if (t.method == Method::direct) reference = t.result;
  if (!direct_timed) {
    allocating("computing the direct reference");
    progress.update(methods.size(), methods.size() + 1, "computing the direct reference");
    reference =
        time_method(job, Method::direct, operation, kernel_view, image.shape, values, 1).result;
  }
  const Shape out_shape = output_shape(image.shape, kernel.shape, job.options);

  std::printf("operation     %s, mode %s, %s, computed in %s\n", to_string(operation),
              to_string(job.options.mode),
              job.repeat == 1 ? "1 run per method"
                              : (std::to_string(job.repeat) + " runs per method (median)").c_str(),
              precision_name(std::is_same_v<T, double>));
  std::printf("image         %s  %s %s\n", job.images[0].c_str(), to_string(image.shape).c_str(),
              io::name(image.type));
  std::printf("kernel        %s  %s\n", job.kernel.c_str(), to_string(kernel.shape).c_str());
  std::printf("output        %s\n", to_string(out_shape).c_str());
  std::printf(
      "# method     measured setup and apply; predicted apply (fftconv::predicted_seconds, "
      "one thread); its largest difference from direct relative to max |direct|\n");
  // The difference from direct of each other method; the largest is detailed below.
  std::optional<ErrorStats> worst;
  Method worst_method = Method::direct;
  for (const Timing<T>& t : timings) {
    std::printf("%-13s setup %.3f ms, apply %.3f ms, predicted %.3f ms",
                fftconv::to_string(t.method), t.setup_ms, t.apply_ms, t.predicted_ms);
    if (t.method == Method::automatic) std::printf(", runs %s", fftconv::to_string(t.runs_as));
    if (t.method == Method::fft)
      std::printf(", transform %s",
                  to_string(fft_shape(image.shape, kernel.shape, job.options)).c_str());
    if (t.method == Method::direct) {
      std::printf(", the reference\n");
      continue;
    }
    const ErrorStats stats = compare(ConstView<T>(t.result.data(), out_shape),
                                     ConstView<T>(reference.data(), out_shape));
    std::printf(", max_rel %.3e\n", stats.max_rel);
    if (!worst || stats.max_rel > worst->max_rel) {
      worst = stats;
      worst_method = t.method;
    }
  }
  if (worst) {
    std::printf("max_abs       %.3e  (the largest |method - direct|: %s, at %s)\n", worst->max_abs,
                fftconv::to_string(worst_method), position(worst->worst_position).c_str());
    std::printf("max_rel       %.3e  (max_abs / max |direct|)\n", worst->max_rel);
    std::printf("rms           %.3e\n", worst->rms);
    std::printf("ulps          max %.3g, median %.3g  (|%s - direct| in units of the last place)\n",
                worst->max_ulp, worst->median_ulp, fftconv::to_string(worst_method));
  }
  // What error_bound promises for each timed method on this data.
  for (const Timing<T>& t : timings) {
    if (t.method == Method::automatic) continue;
    Options o = job.options;
    o.method = t.method;
    const auto bound = [&](Guarantee g) {
      return error_bound(ConstView<T>(values.data(), image.shape), kernel_view, o, operation, g);
    };
    const std::string label = std::string("bound ") + fftconv::to_string(t.method);
    std::printf("%-13s %.3e worst case, %.3e probabilistic  (fftconv::error_bound)\n",
                label.c_str(), bound(Guarantee::worst_case), bound(Guarantee::probabilistic));
  }
  return 0;
}

}  // namespace

int run_compare(const Job& job) {
  std::optional<Progress> progress;  // (ended before compare_methods may ask a question)
  progress.emplace(job.progress);
  progress->update(0, 1, "reading");
  const Image image = read(job.images[0], job);
  require_real(image.type, job.images[0], "compare");
  Kernel kernel = read_kernel(job.kernel, job);
  require_real(kernel.type, job.kernel, "compare");
  kernel.shape = promote(kernel.shape, image.shape, job.kernel, job.images[0]);
  Allocating allocating;
  try {
    progress.reset();
    return computes_in_double(job.precision, image.type)
               ? compare_methods<double>(job, kernel, image, allocating)
               : compare_methods<float>(job, kernel, image, allocating);
  } catch (const Error& e) {
    rethrow_for(job.images[0], e);
  } catch (const std::bad_alloc&) {
    allocating.fail(job.images[0]);
  }
}

}  // namespace fftconv::cli
