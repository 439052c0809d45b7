// butterworth reproduces scikit-image 0.19.3's filters.butterworth: the values of
// docs/deconvolution-semantics.md section 3 (and a few more computed with the same version,
// Debian's python3-skimage 0.19.3-7), as literal expectations within 1e-10.
#include <doctest/doctest.h>

#include <cmath>
#include <vector>

#include "fftconv/fftconv.hpp"

namespace {

// img = (np.arange(48.).reshape(6, 8) * 7 % 11) / 10, the research note's 6 x 8 image.
std::vector<double> research_image() {
  std::vector<double> img(48);
  for (std::size_t i = 0; i < img.size(); ++i)
    img[i] = static_cast<double>((i * 7) % 11) / 10;
  return img;
}

double sum(const std::vector<double>& v) {
  double s = 0;
  for (double x : v)
    s += x;
  return s;
}

std::vector<double> butterworth_of(const std::vector<double>& image, const fftconv::Shape& shape,
                                   double c, bool high_pass, double order) {
  std::vector<double> out(image.size());
  fftconv::butterworth(fftconv::ConstView<double>(image.data(), shape),
                       fftconv::View<double>(out.data(), shape), c, high_pass, order);
  return out;
}

constexpr double tolerance = 1e-10;

}  // namespace

TEST_CASE("butterworth equals scikit-image 0.19.3 on the research note's 6x8 image") {
  const std::vector<double> img = research_image();
  struct Expected {
    bool high_pass;
    double order, at_0_0, at_2_3, sum;
  };
  // skimage.filters.butterworth(img, 0.15, high_pass, order): [0, 0], [2, 3] and the sum.
  const Expected cases[] = {
      {false, 1, 0.417512472783496, 0.422255833862699, 24},
      {false, 4, 0.489584359873016, 0.492371963374349, 24},
      {true, 2, -0.471656114121252, -0.377758155546193, 0},
      {true, 8, -0.492009045194312, -0.392212875822176, 0},
  };
  for (const Expected& e : cases) {
    CAPTURE(e.high_pass);
    CAPTURE(e.order);
    const std::vector<double> out = butterworth_of(img, {6, 8}, 0.15, e.high_pass, e.order);
    CHECK(std::fabs(out[0] - e.at_0_0) <= tolerance);
    CHECK(std::fabs(out[2 * 8 + 3] - e.at_2_3) <= tolerance);
    CHECK(std::fabs(sum(out) - e.sum) <= tolerance);
  }
}

TEST_CASE("butterworth equals scikit-image 0.19.3 on the research note's 1-D signal") {
  // skimage.filters.butterworth(x, 0.2, False, 2), printed to 10 decimals in the note.
  const std::vector<double> x = {0, 0, 1, 4, 1, 0, 0, 2, 0};
  const std::vector<double> expected = {0.0964378154, 0.4514318994, 1.4906031561,
                                        2.2202071852, 1.510798775,  0.5930489964,
                                        0.5029961703, 0.7426796183, 0.3917963839};
  const std::vector<double> out = butterworth_of(x, {9}, 0.2, false, 2);
  for (std::size_t i = 0; i < x.size(); ++i) {
    CAPTURE(i);
    CHECK(std::fabs(out[i] - expected[i]) <= tolerance);
  }
}

TEST_CASE("butterworth equals scikit-image 0.19.3 on odd and 3-D shapes and order 0") {
  // i5 = (np.arange(35.).reshape(5, 7) * 5 % 13) / 10; butterworth(i5, 0.1, True, 3).
  std::vector<double> i5(35);
  for (std::size_t i = 0; i < i5.size(); ++i)
    i5[i] = static_cast<double>((i * 5) % 13) / 10;
  const std::vector<double> high = butterworth_of(i5, {5, 7}, 0.1, true, 3);
  CHECK(std::fabs(high[0] - -0.5725291433308785) <= tolerance);
  CHECK(std::fabs(high[4 * 7 + 6] - -0.4749881312412565) <= tolerance);
  CHECK(std::fabs(high[2 * 7 + 5] - -0.18783911459036615) <= tolerance);
  // i3 = (np.arange(60.).reshape(3, 4, 5) * 7 % 11) / 10; butterworth(i3, 0.25, False, 1.5).
  std::vector<double> i3(60);
  for (std::size_t i = 0; i < i3.size(); ++i)
    i3[i] = static_cast<double>((i * 7) % 11) / 10;
  const std::vector<double> low = butterworth_of(i3, {3, 4, 5}, 0.25, false, 1.5);
  CHECK(std::fabs(low[0] - 0.4152557383762992) <= tolerance);
  CHECK(std::fabs(low[(1 * 4 + 2) * 5 + 3] - 0.4499259241979174) <= tolerance);
  CHECK(std::fabs(low[(2 * 4 + 3) * 5 + 4] - 0.49540075278951207) <= tolerance);
  // order 0: 0^0 = 1, both pass types give half the image.
  const std::vector<double> img = research_image();
  for (bool high_pass : {false, true}) {
    const std::vector<double> half = butterworth_of(img, {6, 8}, 0.15, high_pass, 0);
    for (std::size_t i = 0; i < img.size(); ++i)
      CHECK(std::fabs(half[i] - img[i] / 2) <= tolerance);
  }
}
