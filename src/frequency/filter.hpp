#pragma once
// One frequency-domain filter call after validation: the grid allocated and planned, filled
// from the image by the boundary rule, filtered (transformed, multiplied by the transfer
// function, transformed back), and the image's window written to out (which may alias the image:
// the image is read whole into the grid first).
#include "fft/real_grid.hpp"
#include "frequency/grid.hpp"
#include "frequency/spectrum_product.hpp"
#include "util/check.hpp"

namespace fftconv::detail {

/// Runs `call` with `transfer` (see filter_spectrum, and its `concurrent`) of `form`. Errors
/// raised below (allocation, planning, a transfer's) get `what` prefixed; out is written only at
/// the end.
template <class T, class Transfer>
void run_frequency_filter(const FrequencyCall& call, const ConstView<T>& image, const View<T>& out,
                          Transfer&& transfer, TransferForm form, bool concurrent,
                          const char* what) {
  with_call_errors(what, [&] {
    fft::RealGrid<T> grid(call.lengths, call.threads, call.planning);
    load_grid(call, image, grid);
    filter_spectrum(grid, transfer, form, concurrent);
    store_window(call, grid, out);
  });
}

}  // namespace fftconv::detail
