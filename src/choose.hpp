#pragma once
// Method::automatic: a cost model in nanoseconds for each method, the cheaper one wins.
#include <cstddef>

#include "fftconv/options.hpp"
#include "problem.hpp"

namespace fftconv::detail {

struct MethodCosts {
  double direct_ns;
  double fft_ns;
};

/// Modelled single-thread time of each method for problem p with `nonzero_taps` kernel values
/// that are not zero, in precision of `element_bytes` (4 or 8).
MethodCosts estimate_costs(const Problem& p, std::size_t nonzero_taps, std::size_t element_bytes);

/// direct or fft, whichever the model says is faster.
Method choose_method(const Problem& p, std::size_t nonzero_taps, std::size_t element_bytes);

}  // namespace fftconv::detail
