#pragma once
// The accuracy tests' calls: the library and its reference (reference_convolve/correlate) on
// dense test arrays, random shapes, every boundary rule and mode.
#include <cstddef>
#include <random>

#include "fftconv/fftconv.hpp"
#include "support/test_data.hpp"

namespace accuracy {

using fftconv::Boundary;
using fftconv::ConstView;
using fftconv::Guarantee;
using fftconv::Method;
using fftconv::Mode;
using fftconv::Operation;
using fftconv::Options;
using fftconv::Precision;
using fftconv::Shape;
using fftconv::View;
using testing::Array;

template <class T>
Array<double> to_double(const Array<T>& a) {
  Array<double> d(a.shape);
  for (std::size_t i = 0; i < a.size(); ++i)
    d.values[i] = static_cast<double>(a.values[i]);
  return d;
}

template <class T>
Array<T> call_reference(const Array<T>& image, const Array<T>& kernel, const Options& o,
                        bool correlate) {
  Array<T> out(fftconv::output_shape(image.shape, kernel.shape, o.mode));
  if (correlate)
    fftconv::reference_correlate(image.view(), kernel.view(), out.view(), o);
  else
    fftconv::reference_convolve(image.view(), kernel.view(), out.view(), o);
  return out;
}

template <class T>
Array<T> call_library(const Array<T>& image, const Array<T>& kernel, const Options& o,
                      bool correlate) {
  Array<T> out(fftconv::output_shape(image.shape, kernel.shape, o.mode));
  if (correlate)
    fftconv::correlate(image.view(), kernel.view(), out.view(), o);
  else
    fftconv::convolve(image.view(), kernel.view(), out.view(), o);
  return out;
}

inline Shape random_shape(std::mt19937_64& rng, int rank, std::size_t max_extent) {
  std::uniform_int_distribution<std::size_t> d(1, max_extent);
  Shape s;
  for (int a = 0; a < rank; ++a)
    s.push_back(d(rng));
  return s;
}

inline constexpr Boundary all_rules[] = {Boundary::zero,   Boundary::constant, Boundary::reflect,
                                         Boundary::mirror, Boundary::nearest,  Boundary::wrap};
inline constexpr Mode all_modes[] = {Mode::full, Mode::same, Mode::valid};

}  // namespace accuracy
