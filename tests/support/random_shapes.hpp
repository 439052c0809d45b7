#pragma once
// Random shapes for the path tests: per rank, extents drawn from odd, even and prime lengths
// (1-length and longer than the image included).
#include <cstddef>
#include <random>

#include "fftconv/shape.hpp"

namespace testing {

inline constexpr std::size_t lengths_1d[] = {1,  2,  3,  4,  5,  7,  8,  11,
                                             13, 16, 17, 31, 32, 37, 64, 97};
inline constexpr std::size_t lengths_2d[] = {1, 2, 3, 4, 5, 7, 8, 11, 13, 16, 17, 23, 32};
inline constexpr std::size_t lengths_3d[] = {1, 2, 3, 4, 5, 7, 8, 9};

template <std::size_t N>
std::size_t pick(const std::size_t (&list)[N], std::mt19937_64& rng) {
  return list[std::uniform_int_distribution<std::size_t>(0, N - 1)(rng)];
}

inline fftconv::Shape random_shape(int rank, std::mt19937_64& rng) {
  fftconv::Shape s;
  for (int a = 0; a < rank; ++a)
    s.push_back(rank == 1   ? pick(lengths_1d, rng)
                : rank == 2 ? pick(lengths_2d, rng)
                            : pick(lengths_3d, rng));
  return s;
}

}  // namespace testing
