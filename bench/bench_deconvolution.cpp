// bench_deconvolution: issue 21's speed workloads (section 4) on the C++ side, each beside the
// FFTW floor measured in the same run, the contenders interleaved (rounds in which each is called
// once, the first rotating), medians:
//
//   rl2d    richardson_lucy, 2048 x 2048 float32, 63 x 63 Gaussian PSF, 30 iterations
//   rl3d    richardson_lucy, 64 x 256 x 256 float32, 31^3 Gaussian PSF, 20 iterations
//   wiener  wiener, 4096 x 4096 float64 and float32, 63 x 63 Gaussian PSF, balance 0.1
//           (scikit-image's defaults: Laplacian regularizer, periodic edges)
//
// RL contenders (zero edges, no acceleration, clip off, Planning::estimate, as the Python
// drop-in's defaults besides clip):
//   automatic, 1 thread  the call the targets are about (the method convolve would pick)
//   fft, 1 thread        Method::fft forced: the transform path the floor describes
//   automatic, N threads the stated extra (--threads, default 2)
//   floor                per RL iteration "four FFTW transforms of the padded size": twice an
//                        in-place r2c of a zeroed buffer, the product with a cached spectrum and
//                        an in-place c2r (bench/fftw_floor.hpp's FloorBuffers, FFTW_ESTIMATE,
//                        1 thread), at next_fast_size(n + k - 1) per axis, the linear
//                        convolution's size; timed as `iterations` such iterations per call, so
//                        the table's ratio is (time of an RL call / iterations) / (floor / iteration)
//   floor at fft_shape   the same at fftconv::fft_shape(image, psf, same): the (smaller) shape
//                        the library's fft method transforms for zero edges and `same` windows
//                        (n + ceil((k - 1) / 2) per axis, rounded up to a length it runs fast)
// Wiener contenders: the call on 1 and N threads, and its floor: r2c of the PSF's grid and of the
// image's (both zeroed first), the product with a cached spectrum, one c2r, at the image's shape
// (the periodic transform grid: 4096 is FFTW-friendly); the regularizer's transfer function is
// not counted (the Laplacian's is a closed-form cosine sum).
//
// Before timing, every contender's warm-up result is checked against the 1-thread automatic
// call's: max |a - b| / max |b| within 4 x iterations x eps x log2(prod(n + k - 1)) for RL (each
// iteration's two convolutions, each side's rounding, errors adding up over the iterations), 4 x
// eps x log2(prod(n)) for Wiener. Inputs: a star field on a flat background, blurred by the PSF,
// Poisson noise, scaled to a maximum of 1 (bench/deconvolution/run.py makes the same kind).
//
//   bench_deconvolution [--only rl2d,rl3d,wiener] [--budget S] [--repeats N] [--threads N]
//                       [--json FILE]
// --budget: seconds per contender (rounds = clamp(S / slowest warm-up, 3, 15), default 10);
// --repeats N: exactly N rounds. Markdown tables on stdout; --json FILE: one JSON line per
// contender and workload. Exit status 2 on a disagreement or a usage error.
#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <functional>
#include <limits>
#include <memory>
#include <random>
#include <sstream>
#include <string>
#include <utility>
#include <vector>

#include "fftconv/deconvolve.hpp"
#include "fftconv/fftconv.hpp"
#include "fftw_floor.hpp"
#include "timing.hpp"

namespace {

struct Args {
  std::vector<std::string> only{"rl2d", "rl3d", "wiener"};
  double budget = 10;
  int repeats = 0;
  int threads = 2;
  std::string json;
};

struct Contender {
  Contender(std::string n, std::function<void()> f) : name(std::move(n)), call(std::move(f)) {}
  std::string name;
  std::function<void()> call;
  bench::Timing timing{};
  double warm = 0;
};

std::string load_average() {
  std::ifstream f("/proc/loadavg");
  std::string a, b, c;
  if (!(f >> a >> b >> c)) return "?";
  return a + " " + b + " " + c;
}

double seconds_of(const std::function<void()>& f) {
  const auto t0 = std::chrono::steady_clock::now();
  f();
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
}

/// Rounds in which every contender is called once, the first rotating (bench::time_interleaved,
/// with the warm-ups done by the caller and an optional fixed number of rounds).
int interleave(std::vector<Contender>& cs, const Args& args) {
  double slowest = 0;
  for (const Contender& c : cs)
    slowest = std::max(slowest, c.warm);
  const int rounds = args.repeats > 0
                         ? args.repeats
                         : std::clamp(static_cast<int>(args.budget / std::max(slowest, 1e-9)), 3, 15);
  std::vector<std::vector<double>> t(cs.size());
  for (int r = 0; r < rounds; ++r)
    for (std::size_t i = 0; i < cs.size(); ++i) {
      const std::size_t which = (i + static_cast<std::size_t>(r)) % cs.size();
      t[which].push_back(seconds_of(cs[which].call));
    }
  for (std::size_t i = 0; i < cs.size(); ++i) {
    std::sort(t[i].begin(), t[i].end());
    cs[i].timing = {t[i].front(), t[i][t[i].size() / 2], rounds};
  }
  return rounds;
}

// ---- inputs --------------------------------------------------------------------------------------

template <class T>
std::vector<T> gaussian_psf(const fftconv::Shape& k) {
  std::vector<std::vector<double>> axis;
  for (int a = 0; a < k.rank(); ++a) {
    const double sigma = static_cast<double>(k[a]) / 6, centre = (static_cast<double>(k[a]) - 1) / 2;
    std::vector<double> g(k[a]);
    for (std::size_t i = 0; i < k[a]; ++i) {
      const double x = (static_cast<double>(i) - centre) / sigma;
      g[i] = std::exp(-0.5 * x * x);
    }
    axis.push_back(g);
  }
  std::vector<double> p(fftconv::element_count(k), 1.0);
  double sum = 0;
  for (std::size_t i = 0; i < p.size(); ++i) {
    std::size_t rest = i;
    for (int a = k.rank() - 1; a >= 0; --a) {
      p[i] *= axis[static_cast<std::size_t>(a)][rest % k[a]];
      rest /= k[a];
    }
    sum += p[i];
  }
  std::vector<T> out(p.size());
  for (std::size_t i = 0; i < p.size(); ++i)
    out[i] = static_cast<T>(p[i] / sum);
  return out;
}

/// A flat background of 10 with a star (exponential flux, mean 2000) on one pixel in 500, blurred
/// by the PSF (fftconv::convolve, `same`, computed in double), Poisson noise, scaled to max 1.
template <class T>
std::vector<T> star_field(const fftconv::Shape& shape, const fftconv::Shape& psf_shape,
                          unsigned seed) {
  std::mt19937_64 rng(seed);
  const std::size_t n = fftconv::element_count(shape);
  std::vector<double> truth(n, 10.0), blurred(n);
  std::uniform_int_distribution<std::size_t> where(0, n - 1);
  std::exponential_distribution<double> flux(1.0 / 2000);
  for (std::size_t s = 0; s < n / 500; ++s)
    truth[where(rng)] += flux(rng);
  const std::vector<double> psf = gaussian_psf<double>(psf_shape);
  fftconv::Options o;
  o.nonnegative = true;
  fftconv::convolve(fftconv::ConstView<double>(truth.data(), shape),
                    fftconv::ConstView<double>(psf.data(), psf_shape),
                    fftconv::View<double>(blurred.data(), shape), o);
  std::vector<T> out(n);
  double top = 0;
  for (std::size_t i = 0; i < n; ++i) {
    std::poisson_distribution<long> noise(std::max(blurred[i], 0.0));
    blurred[i] = static_cast<double>(noise(rng));
    top = std::max(top, blurred[i]);
  }
  for (std::size_t i = 0; i < n; ++i)
    out[i] = static_cast<T>(blurred[i] / top);
  return out;
}

// ---- agreement -----------------------------------------------------------------------------------

template <class T>
double relative_difference(const std::vector<T>& a, const std::vector<T>& b) {
  double diff = 0, top = 0;
  for (std::size_t i = 0; i < a.size(); ++i) {
    const double x = static_cast<double>(a[i]), y = static_cast<double>(b[i]);
    if (!std::isfinite(x) || !std::isfinite(y)) return std::numeric_limits<double>::infinity();
    diff = std::max(diff, std::abs(x - y));
    top = std::max(top, std::abs(y));
  }
  return top > 0 ? diff / top : diff;
}

struct Disagreement {
  std::string what;
};

// ---- reporting -----------------------------------------------------------------------------------

struct Report {
  std::vector<std::string> json;
  std::string dtype_of(std::size_t bytes) const { return bytes == 4 ? "float32" : "float64"; }
};

std::string ms(double s) {
  char buf[32];
  std::snprintf(buf, sizeof buf, s >= 1 ? "%.0f" : "%.1f", s * 1e3);
  return buf;
}

std::string fixed(double v, int digits) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.*f", digits, v);
  return buf;
}

std::string sci(double v) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.1e", v);
  return buf;
}

std::string json_line(const std::string& target, const std::string& dtype,
                      const std::string& image, const std::string& psf, const Contender& c,
                      const std::string& extra) {
  std::ostringstream s;
  s << "{\"bench\": \"deconvolution\", \"target\": \"" << target << "\", \"dtype\": \"" << dtype
    << "\", \"image\": \"" << image << "\", \"psf\": \"" << psf << "\", \"contender\": \""
    << c.name << "\", \"median_s\": " << c.timing.median << ", \"best_s\": " << c.timing.best
    << ", \"rounds\": " << c.timing.repeats << extra << "}";
  return s.str();
}

// ---- Richardson-Lucy -----------------------------------------------------------------------------

template <class T>
void bench_rl(const std::string& target, const fftconv::Shape& image_shape,
              const fftconv::Shape& psf_shape, int iterations, const Args& args, Report& report) {
  const std::string dtype = report.dtype_of(sizeof(T));
  const std::string image_name = fftconv::to_string(image_shape);
  const std::string psf_name = fftconv::to_string(psf_shape);
  const std::string load_before = load_average();
  const std::vector<T> image = star_field<T>(image_shape, psf_shape, 21);
  const std::vector<T> psf = gaussian_psf<T>(psf_shape);
  const fftconv::ConstView<T> image_v(image.data(), image_shape), psf_v(psf.data(), psf_shape);

  // The floors' shapes, and their buffers and plans made before any threaded fftconv call.
  fftconv::Shape linear = image_shape;
  for (int a = 0; a < image_shape.rank(); ++a)
    linear[a] = fftconv::next_fast_size(image_shape[a] + psf_shape[a] - 1);
  fftconv::Options same;
  same.mode = fftconv::Mode::same;
  const fftconv::Shape library = fftconv::fft_shape(image_shape, psf_shape, same);
  const auto floor_linear = bench::floor_buffers<T>(linear, fftconv::Planning::estimate);
  const auto floor_library = bench::floor_buffers<T>(library, fftconv::Planning::estimate);
  const fftconv::Method chosen = fftconv::chosen_method(psf_v, image_shape, same);

  struct Variant {
    std::string name;
    fftconv::Method method;
    int threads;
    std::vector<T> out;
  };
  std::vector<Variant> variants = {
      {"fftconv automatic, 1 thread", fftconv::Method::automatic, 1, {}},
      {"fftconv fft (forced), 1 thread", fftconv::Method::fft, 1, {}},
      {"fftconv automatic, " + std::to_string(args.threads) + " threads",
       fftconv::Method::automatic, args.threads, {}}};
  std::vector<Contender> cs;
  for (Variant& v : variants) {
    v.out.resize(image.size());
    fftconv::RichardsonLucyOptions o;
    o.iterations = iterations;
    o.method = v.method;
    o.threads = v.threads;
    Variant* vp = &v;
    cs.emplace_back(v.name, [vp, o, image_v, psf_v, &image_shape] {
                    fftconv::richardson_lucy(image_v, psf_v,
                                             fftconv::View<T>(vp->out.data(), image_shape), o);
                  });
  }
  const auto* fl = floor_linear.get();
  const auto* fb = floor_library.get();
  cs.emplace_back("floor: 4 transforms x iterations at next_fast_size(n + k - 1)", [fl, iterations] {
                  for (int i = 0; i < iterations; ++i) {
                    bench::convolution_floor(*fl);
                    bench::convolution_floor(*fl);
                  }
                });
  cs.emplace_back("floor: 4 transforms x iterations at fft_shape(same)", [fb, iterations] {
                  for (int i = 0; i < iterations; ++i) {
                    bench::convolution_floor(*fb);
                    bench::convolution_floor(*fb);
                  }
                });
  std::fprintf(stderr, "%s: warm-ups...\n", target.c_str());
  for (Contender& c : cs)
    c.warm = seconds_of(c.call);

  // Agreement with the 1-thread automatic call before timing.
  const double eps = std::numeric_limits<T>::epsilon();
  double log_size = 0;
  for (int a = 0; a < image_shape.rank(); ++a)
    log_size += std::log2(static_cast<double>(image_shape[a] + psf_shape[a] - 1));
  const double tol = 4.0 * iterations * eps * log_size;
  std::vector<double> diffs(variants.size(), 0.0);
  for (std::size_t i = 1; i < variants.size(); ++i) {
    diffs[i] = relative_difference(variants[i].out, variants[0].out);
    if (!(diffs[i] <= tol))
      throw Disagreement{target + ": " + variants[i].name + " differs from " + variants[0].name +
                         " by " + sci(diffs[i]) + " (relative max) > " + sci(tol)};
  }
  std::fprintf(stderr, "%s: timing...\n", target.c_str());
  const int rounds = interleave(cs, args);
  const double per_floor_linear = cs[variants.size()].timing.median / iterations;
  const double per_floor_library = cs[variants.size() + 1].timing.median / iterations;

  std::printf("\n### %s: richardson_lucy, %s %s, %s Gaussian PSF (sigma = k/6), %d iterations\n\n",
              target.c_str(), image_name.c_str(), dtype.c_str(), psf_name.c_str(), iterations);
  std::printf("Automatic method: %s. Floor shapes: next_fast_size(n + k - 1) = %s; the library's "
              "fft_shape(same) = %s. Medians of %d interleaved rounds (best in brackets), "
              "agreement with the first row: relative max difference <= %s "
              "(4 x iterations x eps x log2(prod(n + k - 1))). Load average before %s, after %s.\n\n",
              fftconv::to_string(chosen), fftconv::to_string(linear).c_str(),
              fftconv::to_string(library).c_str(), rounds, sci(tol).c_str(), load_before.c_str(),
              load_average().c_str());
  std::printf("| contender | call, ms | per iteration, ms | / floor at %s | / floor at %s | "
              "agreement |\n|---|---|---|---|---|---|\n",
              fftconv::to_string(linear).c_str(), fftconv::to_string(library).c_str());
  for (std::size_t i = 0; i < cs.size(); ++i) {
    const Contender& c = cs[i];
    const double per = c.timing.median / iterations;
    const std::string agreement = i < variants.size() ? (i == 0 ? "reference" : sci(diffs[i])) : "";
    std::printf("| %s | %s (%s) | %s | %s | %s | %s |\n", c.name.c_str(), ms(c.timing.median).c_str(),
                ms(c.timing.best).c_str(), fixed(per * 1e3, 2).c_str(),
                fixed(per / per_floor_linear, 2).c_str(), fixed(per / per_floor_library, 2).c_str(),
                agreement.c_str());
    std::ostringstream extra;
    extra << ", \"iterations\": " << iterations << ", \"per_iteration_s\": " << per
          << ", \"per_iteration_over_floor\": " << per / per_floor_linear
          << ", \"per_iteration_over_library_floor\": " << per / per_floor_library
          << ", \"floor_shape\": \"" << fftconv::to_string(linear) << "\", \"library_fft_shape\": \""
          << fftconv::to_string(library) << "\", \"automatic_method\": \""
          << fftconv::to_string(chosen) << "\"";
    report.json.push_back(json_line(target, dtype, image_name, psf_name, c, extra.str()));
  }
  std::fflush(stdout);
}

// ---- Wiener --------------------------------------------------------------------------------------

template <class T>
void bench_wiener(const fftconv::Shape& image_shape, const fftconv::Shape& psf_shape,
                  const Args& args, Report& report) {
  const std::string dtype = report.dtype_of(sizeof(T));
  const std::string image_name = fftconv::to_string(image_shape);
  const std::string psf_name = fftconv::to_string(psf_shape);
  const std::string load_before = load_average();
  const double balance = 0.1;
  const std::vector<T> image = star_field<T>(image_shape, psf_shape, 22);
  const std::vector<T> psf = gaussian_psf<T>(psf_shape);
  const fftconv::ConstView<T> image_v(image.data(), image_shape), psf_v(psf.data(), psf_shape);
  // Periodic edges: the transform grid is the image (its lengths are FFTW-friendly).
  for (int a = 0; a < image_shape.rank(); ++a)
    if (fftconv::next_fast_size(image_shape[a]) != image_shape[a])
      std::fprintf(stderr, "wiener: %s is not FFT-friendly: the floor is not the call's grid\n",
                   image_name.c_str());
  const auto image_grid = bench::floor_buffers<T>(image_shape, fftconv::Planning::estimate);
  const auto psf_grid = bench::floor_buffers<T>(image_shape, fftconv::Planning::estimate);

  struct Variant {
    std::string name;
    int threads;
    std::vector<T> out;
  };
  std::vector<Variant> variants = {
      {"fftconv, 1 thread", 1, {}},
      {"fftconv, " + std::to_string(args.threads) + " threads", args.threads, {}}};
  std::vector<Contender> cs;
  for (Variant& v : variants) {
    v.out.resize(image.size());
    fftconv::WienerOptions o;
    o.threads = v.threads;
    Variant* vp = &v;
    cs.emplace_back(v.name, [vp, o, image_v, psf_v, balance, &image_shape] {
                    fftconv::wiener(image_v, psf_v, fftconv::View<T>(vp->out.data(), image_shape),
                                    balance, o);
                  });
  }
  const auto* ig = image_grid.get();
  const auto* pg = psf_grid.get();
  cs.emplace_back("floor: r2c (PSF) + r2c (image) + product + c2r", [ig, pg] {
                  using F = bench::Fftw<T>;
                  pg->clear();
                  F::exec_r2c(pg->forward, pg->x, pg->spectrum());
                  bench::convolution_floor(*ig);
                });
  std::fprintf(stderr, "wiener %s: warm-ups...\n", dtype.c_str());
  for (Contender& c : cs)
    c.warm = seconds_of(c.call);
  const double eps = std::numeric_limits<T>::epsilon();
  double log_size = 0;
  for (int a = 0; a < image_shape.rank(); ++a)
    log_size += std::log2(static_cast<double>(image_shape[a]));
  const double tol = 4 * eps * log_size;
  const double diff = relative_difference(variants[1].out, variants[0].out);
  if (!(diff <= tol))
    throw Disagreement{"wiener: " + variants[1].name + " differs from " + variants[0].name +
                       " by " + sci(diff) + " > " + sci(tol)};
  std::fprintf(stderr, "wiener %s: timing...\n", dtype.c_str());
  const int rounds = interleave(cs, args);
  const double floor = cs.back().timing.median;

  std::printf("\n### wiener: %s %s, %s Gaussian PSF, balance %.1f, Laplacian, periodic edges\n\n",
              image_name.c_str(), dtype.c_str(), psf_name.c_str(), balance);
  std::printf("Medians of %d interleaved rounds (best in brackets); floor: 3 FFTW transforms at "
              "%s (FFTW_ESTIMATE, 1 thread). Load average before %s, after %s.\n\n",
              rounds, image_name.c_str(), load_before.c_str(), load_average().c_str());
  std::printf("| contender | call, ms | / floor | agreement |\n|---|---|---|---|\n");
  for (std::size_t i = 0; i < cs.size(); ++i) {
    const Contender& c = cs[i];
    const std::string agreement =
        i == 0 ? "reference" : i < variants.size() ? sci(diff) + " <= " + sci(tol) : "";
    std::printf("| %s | %s (%s) | %s | %s |\n", c.name.c_str(), ms(c.timing.median).c_str(),
                ms(c.timing.best).c_str(), fixed(c.timing.median / floor, 2).c_str(),
                agreement.c_str());
    std::ostringstream extra;
    extra << ", \"balance\": " << balance << ", \"over_floor\": " << c.timing.median / floor;
    report.json.push_back(json_line("wiener", dtype, image_name, psf_name, c, extra.str()));
  }
  std::fflush(stdout);
}

int usage() {
  std::fprintf(stderr,
               "usage: bench_deconvolution [--only rl2d,rl3d,wiener] [--budget S] [--repeats N] "
               "[--threads N] [--json FILE]\n");
  return 2;
}

}  // namespace

int main(int argc, char** argv) {
  Args args;
  for (int i = 1; i < argc; ++i) {
    const std::string a = argv[i];
    if (i + 1 >= argc) return usage();
    const std::string v = argv[++i];
    if (a == "--only") {
      args.only.clear();
      std::stringstream s(v);
      std::string t;
      while (std::getline(s, t, ','))
        if (t == "rl2d" || t == "rl3d" || t == "wiener")
          args.only.push_back(t);
        else
          return usage();
    } else if (a == "--budget") {
      args.budget = std::atof(v.c_str());
    } else if (a == "--repeats") {
      args.repeats = std::atoi(v.c_str());
    } else if (a == "--threads") {
      args.threads = std::atoi(v.c_str());
    } else if (a == "--json") {
      args.json = v;
    } else {
      return usage();
    }
  }
  std::string command = argv[0];
  for (int i = 1; i < argc; ++i)
    command += std::string(" ") + argv[i];
  std::printf("## fftconv deconvolution benchmarks (issue 21, section 4), C++\n\n");
  std::printf("Command: `%s`  \nLoad average at the start: %s  \n", command.c_str(),
              load_average().c_str());
  std::fflush(stdout);
  Report report;
  try {
    for (const std::string& t : args.only) {
      if (t == "rl2d") bench_rl<float>("rl2d", {2048, 2048}, {63, 63}, 30, args, report);
      if (t == "rl3d") bench_rl<float>("rl3d", {64, 256, 256}, {31, 31, 31}, 20, args, report);
      if (t == "wiener") {
        bench_wiener<double>({4096, 4096}, {63, 63}, args, report);
        bench_wiener<float>({4096, 4096}, {63, 63}, args, report);
      }
    }
  } catch (const Disagreement& d) {
    std::printf("\n**DISAGREEMENT** %s: not timed\n", d.what.c_str());
    return 2;
  }
  std::printf("\nLoad average at the end: %s\n", load_average().c_str());
  if (!args.json.empty()) {
    std::ofstream f(args.json);
    for (const std::string& line : report.json)
      f << line << "\n";
  }
  return 0;
}
