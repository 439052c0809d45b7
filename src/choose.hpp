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

/// The method a call runs: `requested` if it is direct or fft, else the faster by the model among
/// the methods whose working memory fits `memory_limit` (a method whose sizes are impossible does
/// not fit). Throws fftconv::Error(out_of_memory) naming the needed bytes when the method (or,
/// for automatic, every method) needs more than the limit; callers prefix the call's name.
Method select_method(const Problem& p, Method requested, std::size_t nonzero_taps,
                     std::size_t element_bytes, std::size_t memory_limit);

}  // namespace fftconv::detail
