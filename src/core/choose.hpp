#pragma once
// Method::automatic: a cost model in nanoseconds for each method, the cheapest one that fits the
// memory limit wins.
#include <cstddef>

#include "core/problem.hpp"
#include "fftconv/options.hpp"

namespace fftconv::detail {

/// What the model needs to know of the kernel.
struct KernelTaps {
  std::size_t nonzero = 0;  ///< kernel values that are not zero
  /// For a separable kernel (direct/separable.hpp), its terms and the non-zero values of their
  /// row factors and of their column factors (summed over the terms); all 0 if it is not
  /// separable.
  std::size_t terms = 0, row = 0, column = 0;
  bool separable() const { return row > 0; }
};

struct MethodCosts {
  double direct_ns;
  double fft_ns;
  double overlap_save_ns;
  double separable_ns;  ///< +inf for a kernel that is not separable
};

/// Modelled single-thread time of each method (automatic takes the cheapest that fits; ties go
/// to direct, then fft, then overlap_save) for problem p in the precision of `element_bytes`
/// (4 or 8).
MethodCosts estimate_costs(const Problem& p, const KernelTaps& taps, std::size_t element_bytes);

/// A method and the working memory it needs (bytes).
struct MethodChoice {
  Method method = Method::automatic;
  std::size_t bytes = 0;
};

/// The method a call runs: `requested` if it is not automatic (separable needs a separable
/// kernel: else fftconv::Error(invalid_argument)), else the fastest by the model among the
/// methods whose working memory fits `memory_limit` (a method whose sizes are impossible does not
/// fit). Throws fftconv::Error(out_of_memory) naming the needed bytes when the method (or, for
/// automatic, every method) needs more than the limit; callers prefix the call's name.
MethodChoice select_method(const Problem& p, Method requested, const KernelTaps& taps,
                           std::size_t element_bytes, std::size_t memory_limit);

}  // namespace fftconv::detail
