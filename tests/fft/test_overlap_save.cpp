// Method::overlap_save: tiles in bounded memory, on any number of threads.
#include <doctest/doctest.h>

#include <random>

#include "support/library_call.hpp"

using fftconv::Method;
using fftconv::Mode;
using namespace testing;

// Overlap-save's memory is a tile's working set per thread (plus, counted but made only for an
// in-place call, a copy of the image), not the padded image's: a limit the whole-image fft
// cannot meet still lets it run. Tiles split across threads give the same values.
TEST_CASE_TEMPLATE("overlap-save: many tiles in bounded memory, any thread count", T, float,
                   double) {
  std::mt19937_64 rng(911);
  const std::size_t n = 1 << 18, k = 31;
  const Array<T> image = uniform<T>({n}, rng, -1, 1);
  const Array<T> kernel = normal<T>({k}, rng);
  fftconv::Options o;
  // the image's copy, the index map (8 bytes per position of this long axis), a quarter image
  // more; the fft needs a spectrum and a work array of about the image's size each, and the map
  o.max_memory_bytes = n * sizeof(T) + n * 8 + (n * sizeof(T)) / 4;
  o.method = Method::fft;
  CHECK_THROWS_AS(call(Op::convolve, image, kernel, o), fftconv::Error);
  o.method = Method::overlap_save;
  const Reference ref = reference(image, kernel, Mode::same, false);
  check_against(ref, Op::convolve, image, kernel, o);
  o.threads = 3;
  const Array<T> one =
      call(Op::convolve, image, kernel, fftconv::Options{Mode::same, Method::overlap_save});
  CHECK(call(Op::convolve, image, kernel, o).values == one.values);
  // 2-D with partial tiles on both axes and a rule
  const Array<T> image2 = uniform<T>({300, 170}, rng, -1, 1);
  const Array<T> kernel2 = normal<T>({9, 12}, rng);
  for (Mode mode : {Mode::full, Mode::same, Mode::valid}) {
    fftconv::Options o2;
    o2.mode = mode;
    o2.method = Method::overlap_save;
    o2.boundary = fftconv::Boundary::reflect;
    const Reference ref2 = reference(image2, kernel2, mode, true, fftconv::Boundary::reflect, 0);
    check_against(ref2, Op::correlate, image2, kernel2, o2, Layout::strided_block);
  }
}
