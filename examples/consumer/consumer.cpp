// Uses the installed library from C++: blurs an impulse with a 3x3 box and checks the result.
#include <fftconv/fftconv.hpp>

#include <cstdio>

int main() {
  Eigen::MatrixXd image = Eigen::MatrixXd::Zero(8, 8);
  image(4, 4) = 1;
  const Eigen::MatrixXd box = Eigen::MatrixXd::Constant(3, 3, 1.0 / 9);
  fftconv::Options options;
  options.method = fftconv::Method::fft;
  const Eigen::MatrixXd blurred = fftconv::convolve(image, box, options);
  const bool ok = std::abs(blurred(3, 3) - 1.0 / 9) < 1e-12 && std::abs(blurred.sum() - 1) < 1e-12;
  try {
    fftconv::convolve(image, Eigen::MatrixXd(0, 3));
  } catch (const fftconv::Error& e) {  // caught across the shared library
    std::printf("consumer_cpp: %s; refused as expected: %s\n", ok ? "OK" : "WRONG", e.what());
    return ok ? 0 : 1;
  }
  return 1;
}
