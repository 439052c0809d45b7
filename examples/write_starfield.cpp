// fftconv-write-starfield: writes the examples' synthetic star field to an image file (.npy,
// .fits, .tif or .png), as input for the fftconv program. The README's before/after pictures
// are made with it (tools/readme_images.sh).
//
//   fftconv-write-starfield OUT [--size N] [--stars M] [--sky B] [--noise S] [--max-flux F]
//                               [--type uint8|uint16|float32|float64]
#include <cstdio>
#include <cstdlib>
#include <string>
#include <vector>

#include "io/convert.hpp"
#include "io/files.hpp"
#include "star_field.hpp"

int main(int argc, char** argv) {
  if (argc < 2 || argv[1][0] == '-') {
    std::fprintf(stderr,
                 "usage: fftconv-write-starfield OUT [--size N] [--stars M] [--sky B] "
                 "[--noise S] [--max-flux F] [--type T]\n");
    return 2;
  }
  const std::string out = argv[1];
  starfield::Spec spec;
  spec.size = 512;
  spec.stars = 400;
  std::string type_name = "float32";
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
    const starfield::Image img = starfield::make(spec, catalogue);
    const auto n = static_cast<std::size_t>(spec.size);
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
