// Wisdom across processes, as the README recommends: `export FILE` plans with Planning::measure
// and saves the wisdom; `import FILE`, in a fresh process that has planned nothing yet, loads it.
// (FFTW rejects threaded-solver wisdom unless its threads are set up before the import.)
#include <cstdio>
#include <string>
#include <vector>

#include "fftconv/fftconv.hpp"

int main(int argc, char** argv) {
  if (argc != 3) return 2;
  const std::string mode = argv[1], path = argv[2];
  try {
    if (mode == "export") {
      std::vector<double> image(48 * 40, 1.0), kernel(9, 1.0), out(48 * 40);
      fftconv::Options o;
      o.method = fftconv::Method::fft;
      o.planning = fftconv::Planning::measure;
      fftconv::convolve(fftconv::ConstView<double>(image.data(), {48, 40}),
                        fftconv::ConstView<double>(kernel.data(), {3, 3}),
                        fftconv::View<double>(out.data(), {48, 40}), o);
      fftconv::export_wisdom_to_file(path);
    } else {
      fftconv::import_wisdom_from_file(path);
      std::remove(path.c_str());
    }
  } catch (const fftconv::Error& e) {
    std::printf("wisdom %s failed: %s\n", mode.c_str(), e.what());
    return 1;
  }
  std::printf("wisdom %s: OK\n", mode.c_str());
  return 0;
}
