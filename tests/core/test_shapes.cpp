// output_shape (scipy.signal's window lengths) and next_fast_size.
#include <doctest/doctest.h>

#include <algorithm>
#include <limits>
#include <utility>
#include <vector>

#include "fftconv/fftconv.hpp"

using fftconv::Mode;
using fftconv::Shape;

namespace {
bool is_7_smooth_with_one_11_or_13(std::size_t m) {
  for (std::size_t p : {std::size_t{2}, std::size_t{3}, std::size_t{5}, std::size_t{7}})
    while (m % p == 0)
      m /= p;
  return m == 1 || m == 11 || m == 13;
}
}  // namespace

TEST_CASE("output_shape follows scipy.signal for full, same and valid") {
  CHECK(fftconv::output_shape({10}, {3}, Mode::full) == Shape{12});
  CHECK(fftconv::output_shape({10}, {3}, Mode::same) == Shape{10});
  CHECK(fftconv::output_shape({10}, {3}, Mode::valid) == Shape{8});
  CHECK(fftconv::output_shape({10, 4}, {4, 4}, Mode::valid) == Shape{7, 1});
  CHECK(fftconv::output_shape({10, 4}, {4, 5}, Mode::valid) == Shape{7, 0});  // empty, no error
  CHECK(fftconv::output_shape({3, 5}, {7, 9}, Mode::same) == Shape{3, 5});
  CHECK(fftconv::output_shape({3, 5}, {7, 9}, Mode::full) == Shape{9, 13});
  CHECK(fftconv::output_shape({2, 3, 4}, {1, 1, 1}, Mode::valid) == Shape{2, 3, 4});
}

TEST_CASE("next_fast_size is the smallest FFT-friendly size at or above n") {
  CHECK(fftconv::next_fast_size(0) == 1);
  CHECK(fftconv::next_fast_size(1) == 1);
  // Brute force over a range: the answer is friendly and nothing between n and it is.
  std::size_t expected = 1;
  for (std::size_t n = 1; n <= 20000; ++n) {
    if (expected < n) {
      expected = n;
      while (!is_7_smooth_with_one_11_or_13(expected))
        ++expected;
    }
    REQUIRE(fftconv::next_fast_size(n) == expected);
  }
  CHECK(fftconv::next_fast_size(2175) == 2184);  // 2^3 3 7 13, not 2187 = 3^7
  CHECK(fftconv::next_fast_size(1031) == 1040);  // 2^4 5 13
  CHECK(fftconv::next_fast_size(143) == 144);    // 11 * 13 is not allowed
}

TEST_CASE("next_fast_size at the top of size_t") {
  const std::size_t big = (std::size_t{1} << 62) + 1;
  const std::size_t m = fftconv::next_fast_size(big);
  CHECK(m >= big);
  CHECK(is_7_smooth_with_one_11_or_13(m));
  CHECK_THROWS_AS(fftconv::next_fast_size(std::numeric_limits<std::size_t>::max()), fftconv::Error);
}

// Per axis: at or above the minimum length, FFT-friendly, and at most 1.25 times the minimum or
// next_fast_size of it, whichever is larger (which friendly length within that range is the
// calibrated table's choice: src/fft/length_costs.inc).
void check_padded_length(std::size_t length, std::size_t min) {
  CAPTURE(min);
  CAPTURE(length);
  CHECK(length >= min);
  CHECK(fftconv::next_fast_size(length) == length);
  CHECK(static_cast<double>(length) <= std::max(1.25 * static_cast<double>(min),
                                                static_cast<double>(fftconv::next_fast_size(min))));
}

TEST_CASE("fft_shape: an FFT-friendly length from the shortest exact circular length up") {
  // same: 2048 + ceil(254 / 2) = 2175; full: 2048 + 254 = 2302; valid: max(2048, 255) = 2048.
  const std::pair<Mode, std::size_t> cases[] = {
      {Mode::same, 2175}, {Mode::full, 2302}, {Mode::valid, 2048}};
  for (const auto& c : cases) {
    const Shape s = fftconv::fft_shape({2048, 2048}, {255, 255}, c.first);
    REQUIRE(s.rank() == 2);
    check_padded_length(s[0], c.second);
    check_padded_length(s[1], c.second);
  }
  // An even kernel in same mode needs one more than an odd one: 103 + ceil(3 / 2) = 105 (104
  // would be friendly too: one less would show).
  check_padded_length(fftconv::fft_shape({103}, {4}, Mode::same)[0], 105);
  check_padded_length(fftconv::fft_shape({3}, {10}, Mode::same)[0], 10);  // the kernel must fit
  // 3-D, and lengths the calibrated table does not reach (next_fast_size there).
  const Shape s3 = fftconv::fft_shape({40, 30, 20}, {5, 7, 9}, Mode::full);
  check_padded_length(s3[0], 44);
  check_padded_length(s3[1], 36);
  check_padded_length(s3[2], 28);
  CHECK(fftconv::fft_shape({1000000}, {3}, Mode::full) == Shape{fftconv::next_fast_size(1000002)});
}

TEST_CASE("boundary_index follows the Boundary table, repeated past the image") {
  using fftconv::Boundary;
  // a b c d = 0 1 2 3; positions -3..6 (the table's columns), -1 for the fill value.
  const std::ptrdiff_t first = -3;
  const std::vector<std::pair<Boundary, std::vector<std::ptrdiff_t>>> table = {
      {Boundary::zero, {-1, -1, -1, 0, 1, 2, 3, -1, -1, -1}},
      {Boundary::constant, {-1, -1, -1, 0, 1, 2, 3, -1, -1, -1}},
      {Boundary::reflect, {2, 1, 0, 0, 1, 2, 3, 3, 2, 1}},
      {Boundary::mirror, {3, 2, 1, 0, 1, 2, 3, 2, 1, 0}},
      {Boundary::nearest, {0, 0, 0, 0, 1, 2, 3, 3, 3, 3}},
      {Boundary::wrap, {1, 2, 3, 0, 1, 2, 3, 0, 1, 2}}};
  for (const auto& entry : table) {  // (not a structured binding: INFO captures it)
    const Boundary rule = entry.first;
    for (std::size_t t = 0; t < entry.second.size(); ++t) {
      INFO(fftconv::to_string(rule), " position ", first + static_cast<std::ptrdiff_t>(t));
      CHECK(fftconv::boundary_index(rule, first + static_cast<std::ptrdiff_t>(t), 4) ==
            entry.second[t]);
    }
  }
  // Far past the image: reflect has period 2n, mirror 2n - 2, wrap n.
  CHECK(fftconv::boundary_index(Boundary::reflect, 4 + 8 * 5, 4) == 3);
  CHECK(fftconv::boundary_index(Boundary::mirror, -6 * 7, 4) == 0);
  CHECK(fftconv::boundary_index(Boundary::mirror, 9, 1) == 0);
  CHECK(fftconv::boundary_index(Boundary::wrap, -9, 4) == 3);
  CHECK_THROWS_AS(fftconv::boundary_index(Boundary::wrap, 0, 0), fftconv::Error);
  CHECK_THROWS_AS(fftconv::boundary_index(static_cast<Boundary>(17), 0, 3), fftconv::Error);
}

TEST_CASE("extended_window: the positions whose valid convolution is the result") {
  // n = 10, k = 4: full reads -3..12, same -2..10 ((k - 1) / 2 = 1 from full's start), valid 0..9.
  const auto full = fftconv::extended_window(10, 4, Mode::full);
  CHECK(full.first == -3);
  CHECK(full.count == 16);
  const auto same = fftconv::extended_window(10, 4, Mode::same);
  CHECK(same.first == -2);
  CHECK(same.count == 13);
  const auto shifted = fftconv::extended_window(10, 4, Mode::same, 2);
  CHECK(shifted.first == 0);
  const auto valid = fftconv::extended_window(10, 4, Mode::valid);
  CHECK(valid.first == 0);
  CHECK(valid.count == 10);
  CHECK(fftconv::extended_window(3, 5, Mode::valid).count == 4);  // empty result
  CHECK_THROWS_AS(fftconv::extended_window(10, 4, Mode::same, 3), fftconv::Error);
  CHECK_THROWS_AS(fftconv::extended_window(10, 4, Mode::same, -2), fftconv::Error);
  CHECK_THROWS_AS(fftconv::extended_window(10, 4, Mode::valid, 1), fftconv::Error);
  CHECK_THROWS_AS(fftconv::extended_window(0, 4, Mode::same), fftconv::Error);
}
