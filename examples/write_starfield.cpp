// fftconv-write-starfield: writes the examples' synthetic star field to an image file (.npy,
// .fits, .tif or .png), as input for the fftconv program. The README's before/after pictures
// are made with it (tools/readme_images.sh).
//
//   fftconv-write-starfield OUT [--size N] [--stars M] [--sky B] [--noise S] [--max-flux F]
//                               [--type uint8|uint16|float32|float64] [--bad-pixels K]
//
// --bad-pixels K marks detector defects as NaN: K scattered pixels, a bad column two pixels wide
// over the middle half of the rows at a third of the width, and a 6 x 6 block at two thirds of
// both axes (integer types store NaN as 0).
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <limits>
#include <random>
#include <string>
#include <vector>

#include "io/convert.hpp"
#include "io/files.hpp"
#include "star_field.hpp"

int main(int argc, char** argv) {
  if (argc < 2 || argv[1][0] == '-') {
    std::fprintf(stderr,
                 "usage: fftconv-write-starfield OUT [--size N] [--stars M] [--sky B] "
                 "[--noise S] [--max-flux F] [--type T] [--bad-pixels K]\n");
    return 2;
  }
  const std::string out = argv[1];
  starfield::Spec spec;
  spec.size = 512;
  spec.stars = 400;
  std::string type_name = "float32";
  long bad_pixels = -1;  // no defects
  for (int i = 2; i + 1 < argc; i += 2) {
    const std::string a = argv[i];
    const char* v = argv[i + 1];
    if (a == "--size")
      spec.size = std::atol(v);
    else if (a == "--stars")
      spec.stars = std::atoi(v);
    else if (a == "--sky")
      spec.sky = std::atof(v);
    else if (a == "--noise")
      spec.noise = std::atof(v);
    else if (a == "--max-flux")
      spec.max_flux = std::atof(v);
    else if (a == "--type")
      type_name = v;
    else if (a == "--bad-pixels")
      bad_pixels = std::atol(v);
    else {
      std::fprintf(stderr, "fftconv-write-starfield: unknown option %s\n", a.c_str());
      return 2;
    }
  }
  fftconv::io::PixelType type;
  if (spec.size < 1 || !fftconv::io::parse_pixel_type(type_name, type)) {
    std::fprintf(stderr, "fftconv-write-starfield: bad --size or --type\n");
    return 2;
  }
  try {
    std::vector<starfield::Star> catalogue;
    starfield::Image img = starfield::make(spec, catalogue);
    const auto n = static_cast<std::size_t>(spec.size);
    if (bad_pixels >= 0) {
      const double nan = std::numeric_limits<double>::quiet_NaN();
      const Eigen::Index s = spec.size;
      std::mt19937_64 rng(spec.seed + 1);
      std::uniform_int_distribution<Eigen::Index> at(0, s - 1);
      for (long i = 0; i < bad_pixels; ++i)
        img(at(rng), at(rng)) = nan;
      img.block(s / 4, s / 3, s / 2, std::min<Eigen::Index>(2, s - s / 3)).setConstant(nan);
      img.block(2 * s / 3, 2 * s / 3, std::min<Eigen::Index>(6, s - 2 * s / 3),
                std::min<Eigen::Index>(6, s - 2 * s / 3))
          .setConstant(nan);
    }
    fftconv::io::Conversion report;
    fftconv::io::write_image(
        out, fftconv::io::from_values(fftconv::Shape{n, n}, img.data(), type, report));
    std::printf("%s: %zu x %zu %s, %d stars, sky %g, %zu pixels clipped\n", out.c_str(), n, n,
                fftconv::io::name(type), spec.stars, spec.sky, report.clipped);
    return 0;
  } catch (const std::exception& e) {
    std::fprintf(stderr, "fftconv-write-starfield: %s\n", e.what());
    return 1;
  }
}
