// accuracy_report: how far each method is from the exact result, versus kernel size, on random
// data and on a high-dynamic-range star field. Writes a Markdown table to stdout, the data to
// DIR/accuracy.tsv and, when gnuplot is installed, the plot DIR/accuracy.png (the README's).
//
//   accuracy_report [--size N] [--samples S] [--kernels 3,7,...,511] [--out DIR]
//
// Methods: direct and fft in float, fft in float computed in double
// (Options::compute_precision), direct and fft in double. The reference is
// fftconv::reference_convolve in double (double-double, rounded once to double) at S random
// output pixels per case
// (the whole image would take hours at k = 511): each pixel's k x k input window, zero outside
// the image, in `valid` mode. Measures per case, over the sampled pixels:
//   normwise: max |error| / max |reference| (max |reference| over the whole image, from the
//             double FFT result)
//   pixelwise: max over pixels of |error| / |reference|, the error a dim pixel sees
// Data: random (image and kernel uniform in [-1, 1]); star field (sky 1, noise 0.01, stars up
// to 1e6 times the sky, Gaussian PSF with sigma k / 6, normalized).
#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <random>
#include <sstream>
#include <string>
#include <vector>

#include "fftconv/fftconv.hpp"
#include "star_field.hpp"

namespace {

using Image = Eigen::Matrix<double, Eigen::Dynamic, Eigen::Dynamic, Eigen::RowMajor>;
template <class T>
using Mat = Eigen::Matrix<T, Eigen::Dynamic, Eigen::Dynamic, Eigen::RowMajor>;

struct Method {
  const char* name;
  bool is_float;
  fftconv::Method method;
  fftconv::Precision precision;
};

constexpr Method methods[] = {
    {"direct float", true, fftconv::Method::direct, fftconv::Precision::native},
    {"fft float", true, fftconv::Method::fft, fftconv::Precision::native},
    {"fft float, computed in double", true, fftconv::Method::fft,
     fftconv::Precision::double_precision},
    {"direct double", false, fftconv::Method::direct, fftconv::Precision::native},
    {"fft double", false, fftconv::Method::fft, fftconv::Precision::native},
};

struct Errors {
  double normwise = 0, pixelwise = 0;
};

/// The reference at output pixel (y, x) of `same` mode, zero boundary: the pixel's k x k window,
/// in double (the exact result to double precision, whatever precision the method used).
double reference_at(const Image& image, const Image& kernel, Eigen::Index y, Eigen::Index x) {
  const Eigen::Index k = kernel.rows(), n = image.rows(), s = (k - 1) / 2;
  Image window = Image::Zero(k, k);
  for (Eigen::Index i = 0; i < k; ++i)
    for (Eigen::Index j = 0; j < k; ++j) {
      const Eigen::Index iy = y + s - i, ix = x + s - j;  // convolution flips the kernel
      if (iy >= 0 && iy < n && ix >= 0 && ix < n) window(k - 1 - i, k - 1 - j) = image(iy, ix);
    }
  fftconv::Options valid;
  valid.mode = fftconv::Mode::valid;
  return fftconv::reference_convolve(window, kernel, valid)(0, 0);
}

template <class T>
Errors measure(const Image& image_d, const Image& kernel_d, const Method& m,
               const std::vector<std::pair<Eigen::Index, Eigen::Index>>& samples,
               double max_reference) {
  const Mat<T> image = image_d.cast<T>(), kernel = kernel_d.cast<T>();
  fftconv::Options o;
  o.method = m.method;
  o.compute_precision = m.precision;
  const Mat<T> result = fftconv::convolve(image, kernel, o);
  // The data as the method saw it (rounded to T), in double for the reference.
  const Image image_t = image.template cast<double>(), kernel_t = kernel.template cast<double>();
  Errors e;
  for (const auto& [y, x] : samples) {
    const double ref = reference_at(image_t, kernel_t, y, x);
    const double err = std::fabs(static_cast<double>(result(y, x)) - ref);
    e.normwise = std::max(e.normwise, err / max_reference);
    if (ref != 0) e.pixelwise = std::max(e.pixelwise, err / std::fabs(ref));
  }
  return e;
}

Image random_image(Eigen::Index n, std::mt19937_64& rng) {
  std::uniform_real_distribution<double> u(-1, 1);
  Image a(n, n);
  for (Eigen::Index i = 0; i < a.size(); ++i)
    a.data()[i] = u(rng);
  return a;
}

Image gaussian_psf(Eigen::Index k) {
  const double sigma = static_cast<double>(k) / 6, c = static_cast<double>(k - 1) / 2;
  Image psf(k, k);
  for (Eigen::Index y = 0; y < k; ++y)
    for (Eigen::Index x = 0; x < k; ++x) {
      const double dy = static_cast<double>(y) - c, dx = static_cast<double>(x) - c;
      psf(y, x) = std::exp(-(dy * dy + dx * dx) / (2 * sigma * sigma));
    }
  return psf / psf.sum();
}

std::vector<int> parse_list(const std::string& s) {
  std::vector<int> v;
  std::stringstream in(s);
  std::string item;
  while (std::getline(in, item, ','))
    v.push_back(std::atoi(item.c_str()));
  return v;
}

}  // namespace

int main(int argc, char** argv) {
  Eigen::Index n = 512;
  std::size_t sample_count = 2000;
  std::vector<int> kernels{3, 7, 15, 31, 63, 127, 255, 511};
  std::string dir = ".";
  for (int i = 1; i + 1 < argc; i += 2) {
    const std::string a = argv[i];
    if (a == "--size")
      n = std::atol(argv[i + 1]);
    else if (a == "--samples")
      sample_count = static_cast<std::size_t>(std::atol(argv[i + 1]));
    else if (a == "--kernels")
      kernels = parse_list(argv[i + 1]);
    else if (a == "--out")
      dir = argv[i + 1];
    else {
      std::fprintf(stderr,
                   "usage: accuracy_report [--size N] [--samples S] [--kernels a,b,..] "
                   "[--out DIR]\n");
      return 2;
    }
  }
  std::mt19937_64 rng(20261121);
  std::uniform_int_distribution<Eigen::Index> pos(0, n - 1);
  std::vector<std::pair<Eigen::Index, Eigen::Index>> samples;
  for (std::size_t s = 0; s < sample_count; ++s)
    samples.emplace_back(pos(rng), pos(rng));

  starfield::Spec spec;
  spec.size = n;
  spec.stars = static_cast<int>(n * n / 2000);
  spec.sky = 1;
  spec.noise = 0.01;
  spec.min_flux = 10;
  spec.max_flux = 1e6 * 2 * M_PI * spec.seeing * spec.seeing;  // peak = 1e6 x sky
  std::vector<starfield::Star> catalogue;
  const Image stars = starfield::make(spec, catalogue);
  const Image random = random_image(n, rng);

  std::ofstream tsv(dir + "/accuracy.tsv");
  tsv << "# data\tk";
  for (const Method& m : methods)
    tsv << "\t" << m.name << " normwise\t" << m.name << " pixelwise";
  tsv << "\n";
  std::printf(
      "Max error of each method against the double-double reference, %ld x %ld, `same`"
      " mode, zero boundary, %zu sampled pixels per case.\n\n",
      static_cast<long>(n), static_cast<long>(n), sample_count);
  std::printf("| data | k | measure |");
  for (const Method& m : methods)
    std::printf(" %s |", m.name);
  std::printf("\n|---|---|---|");
  for (std::size_t i = 0; i < std::size(methods); ++i)
    std::printf("---|");
  std::printf("\n");
  const auto t0 = std::chrono::steady_clock::now();
  for (const char* data : {"random", "star field"}) {
    const bool is_stars = data[0] == 's';
    const Image& image = is_stars ? stars : random;
    for (int k : kernels) {
      const Image kernel = is_stars ? gaussian_psf(k) : random_image(k, rng);
      fftconv::Options exact;
      exact.method = fftconv::Method::fft;
      const double max_reference = fftconv::convolve(image, kernel, exact).cwiseAbs().maxCoeff();
      std::vector<Errors> errors;
      for (const Method& m : methods)
        errors.push_back(m.is_float ? measure<float>(image, kernel, m, samples, max_reference)
                                    : measure<double>(image, kernel, m, samples, max_reference));
      tsv << (is_stars ? "stars" : "random") << "\t" << k;
      for (const Errors& e : errors)
        tsv << "\t" << e.normwise << "\t" << e.pixelwise;
      tsv << "\n";
      for (int which = 0; which < 2; ++which) {
        std::printf("| %s | %d | %s |", data, k, which == 0 ? "normwise" : "pixelwise");
        for (const Errors& e : errors)
          std::printf(" %.1e |", which == 0 ? e.normwise : e.pixelwise);
        std::printf("\n");
      }
      std::fflush(stdout);
    }
    tsv << "\n\n";  // a gnuplot data block per data set
  }
  tsv.close();
  std::fprintf(stderr, "accuracy_report: %.0f s\n",
               std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count());

  // The plot: normwise error on random data, pixelwise error on the star field.
  std::ofstream gp(dir + "/accuracy.gp");
  gp << "set terminal pngcairo size 1100,520 font ',10'\n"
     << "set output '" << dir << "/accuracy.png'\n"
     << "set multiplot layout 1,2\n"
     << "set logscale xy\nset format y '10^{%L}'\nset xtics (3,7,15,31,63,127,255,511)\n"
     << "set xlabel 'kernel size k (k x k)'\nset grid\nset key below font ',9'\n";
  const char* styles[] = {"lw 2 dt 2 lc rgb '#1f77b4'", "lw 2 lc rgb '#1f77b4'",
                          "lw 2 lc rgb '#2ca02c'", "lw 2 dt 2 lc rgb '#d62728'",
                          "lw 2 lc rgb '#d62728'"};
  for (int panel = 0; panel < 2; ++panel) {
    gp << "set title '"
       << (panel == 0 ? "random data: max |error| / max |result|"
                      : "star field (peak/sky 1e6): max over pixels of |error| / |result|")
       << "'\nset ylabel '" << (panel == 0 ? "normwise relative error" : "pixelwise relative error")
       << "'\nplot ";
    for (std::size_t m = 0; m < std::size(methods); ++m)
      gp << (m ? ", " : "") << "'" << dir << "/accuracy.tsv' index " << panel
         << " using 2:" << 3 + 2 * m + static_cast<std::size_t>(panel) << " with linespoints "
         << styles[m] << " title '" << methods[m].name << "'";
    gp << "\n";
  }
  gp << "unset multiplot\n";
  gp.close();
  if (std::system("command -v gnuplot > /dev/null 2>&1") == 0) {
    if (std::system(("gnuplot '" + dir + "/accuracy.gp'").c_str()) != 0) return 1;
    std::fprintf(stderr, "accuracy_report: wrote %s/accuracy.png\n", dir.c_str());
  } else {
    std::fprintf(stderr, "accuracy_report: gnuplot not found; %s/accuracy.gp makes the plot\n",
                 dir.c_str());
  }
  return 0;
}
