// fftconv called from a static destructor, after the library's own statics may be gone: the plan
// cache and planner lock must outlive every caller (they are never destroyed). Under
// AddressSanitizer a use-after-free here is a hard failure; without it, a wrong result is.
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <vector>

#include "fftconv/fftconv.hpp"

namespace {

int run_once(std::size_t n) {
  std::vector<double> image(n, 1.0), kernel(3, 1.0), out(n);
  fftconv::Options o;
  o.method = fftconv::Method::fft;
  fftconv::convolve(fftconv::ConstView<double>(image.data(), {n}),
                    fftconv::ConstView<double>(kernel.data(), {3}),
                    fftconv::View<double>(out.data(), {n}), o);
  // Interior values of a box of 3 over ones are 3.
  return std::fabs(out[n / 2] - 3.0) < 1e-12 ? 0 : 1;
}

struct CallsAtExit {
  ~CallsAtExit() {
    if (run_once(100) != 0 || run_once(257) != 0) {  // 257: a shape not planned before exit
      std::fputs("exit_order: wrong result in a static destructor\n", stderr);
      std::_Exit(1);
    }
  }
};

}  // namespace

int main() {
  static CallsAtExit at_exit;  // constructed before fftconv's statics: destroyed after them
  return run_once(100);        // makes the library's statics exist before main returns
}
