#pragma once
// The padded transform lengths: among the FFT-friendly lengths at or above each axis's minimum,
// the combination the FFT path runs fastest by a cost model calibrated on this library's FFTW
// (length_costs.inc, measured by bench/calibrate_lengths). The smallest friendly length is often
// not the fastest: 2079 = 3^3 7 11 takes about twice as long as 2100 = 2^2 3 5^2 7.
#include <array>
#include <cstddef>

namespace fftconv::detail {

/// next_fast_size(n), from the table where it reaches (a search instead of an enumeration).
std::size_t next_friendly_length(std::size_t n);

/// Transform lengths for the minimum lengths `min` per canonical axis (the last is the real
/// axis; axes of minimum 1 stay 1). `rows[a]` is how many 1-D transforms along axis a the path
/// runs per transform of the axes before it (the mean of the rows holding input and those the
/// output needs). Each length is FFT-friendly and at most 1.25 times its minimum (or
/// next_fast_size of it, if larger). If any minimum is beyond the table, every axis gets
/// next_fast_size of its minimum. The
/// cost, with row(P) and column(P) the table's times (float plus double) for one row of the last
/// axis and one column of an outer pass:
///   rows[0] rows[1] row(P2) + C (rows[0] column(P1) + P1 column(P0)),  C = P2 / 2 + 1
/// (in 2-D and 1-D, P0 = 1 and its term vanishes; in 1-D P1 = 1 too).
std::array<std::size_t, 3> cheapest_lengths(const std::array<std::size_t, 3>& min,
                                            const std::array<double, 3>& rows);

}  // namespace fftconv::detail
