#include "core/choose.hpp"

#include <algorithm>
#include <cmath>
#include <limits>
#include <string>

#include "direct/direct_path.hpp"
#include "direct/separable.hpp"
#include "fft/geometry.hpp"
#include "fft/layout.hpp"
#include "fft/overlap_save.hpp"
#include "util/check.hpp"

namespace fftconv::detail {

namespace {
// Cost model in nanoseconds, single thread (bench/fit_chooser.py documents and fits it):
//   direct       = outputs * (per_output + per_tap * non-zero taps)
//   fft(P)       = c * P log2(P + 1) * (1 + gamma * max(0, log2 P - large)) + per_transform
//                  (P = the padded size; past 2^large points a transform also leaves the cache)
//   overlap_save = tiles * fft(tile input points) * factor (the tiles' copies, and their
//                  transform lengths, a little longer than their inputs)
//   separable    = (outputs * (terms * per_output + per_tap * row taps) * rows passed per output
//                  row + direct(column taps)) * factor   (taps summed over the terms)
// Fitted by bench/fit_chooser.py to `bench_paths --sizes 1024,2048,4096 --budget 0.5` and
// `bench_paths --gaussian --sizes 1024,2048 --kernels 3,7,15,31,63 --budget 0.5` (k = 3..255,
// same mode) on the development machine, 2026-11-21, after the row transforms went out of
// place: the model's pick is within 1.15x of the fastest measured method on every one of those
// workloads but one (4096^2 k = 15 float: 1.21x, where direct and overlap-save are within the
// model's error).
struct CostModel {
  double direct_ns_per_output;
  double direct_ns_per_tap;
  double fft_ns_per_point_log2;
  double fft_large_log2_points;
  double fft_large_gamma;
  double fft_ns_per_transform;
  double separable_factor;
  double overlap_save_factor;
};
constexpr CostModel float_model{0.1827, 0.0381, 0.3319, 21, 0.20, 6224, 1.208, 1.085};
constexpr CostModel double_model{0.4720, 0.0661, 0.5048, 21, 0.20, 4769, 1.230, 1.131};

// fft(P) above for P points.
double fft_model(double points, const CostModel& m) {
  const double beyond_cache = std::max(0.0, std::log2(points) - m.fft_large_log2_points);
  return m.fft_ns_per_point_log2 * points * std::log2(points + 1) *
             (1 + m.fft_large_gamma * beyond_cache) +
         m.fft_ns_per_transform;
}
}  // namespace

MethodCosts estimate_costs(const Problem& p, const KernelTaps& taps, std::size_t element_bytes) {
  const CostModel& m = element_bytes == sizeof(float) ? float_model : double_model;
  const double outputs = static_cast<double>(p.output_count());
  const auto direct = [&](double per_output_taps) {
    return outputs * (m.direct_ns_per_output + per_output_taps * m.direct_ns_per_tap);
  };
  MethodCosts c;
  c.direct_ns = direct(static_cast<double>(taps.nonzero));
  double points = 1;
  for (std::size_t length : transform_lengths(p))
    points *= static_cast<double>(length);
  c.fft_ns = fft_model(points, m);
  // Overlap-save: the fft model of one tile's input points (its transform lengths, a little
  // longer, are in the factor, as the fit counts them), times the tiles.
  const TileGrid grid = tile_grid(p);
  const double tile_points = static_cast<double>(grid.input[0]) *
                             static_cast<double>(grid.input[1]) *
                             static_cast<double>(grid.input[2]);
  // (One tile is the whole-image transform plus the tile's copies: at least the fft's cost.)
  c.overlap_save_ns =
      (grid.tiles == 1 ? std::max(c.fft_ns, fft_model(tile_points, m))
                       : static_cast<double>(grid.tiles) * fft_model(tile_points, m)) *
      m.overlap_save_factor;
  // Separable: each term's pass along the rows runs on every row a band reads
  // (separable_row_passes per output row), paying the per-output cost; the passes across them
  // are one sum per output over every term's column taps.
  c.separable_ns = std::numeric_limits<double>::infinity();
  if (taps.separable()) {
    const double along_rows = outputs *
                              (static_cast<double>(taps.terms) * m.direct_ns_per_output +
                               static_cast<double>(taps.row) * m.direct_ns_per_tap) *
                              separable_row_passes(p, taps.column);
    c.separable_ns = (along_rows + direct(static_cast<double>(taps.column))) * m.separable_factor;
  }
  // Complex data: the spatial methods run one real convolution per pair of parts; the FFT
  // methods' spectral form transforms each image part forward and each output part back, as
  // many transforms as (image parts + output parts) / 2 real convolutions.
  const double spatial_runs = static_cast<double>(p.image_parts * p.kernel_parts);
  const double spectral_runs = static_cast<double>(p.image_parts + p.output_parts()) / 2;
  c.direct_ns *= spatial_runs;
  c.separable_ns *= spatial_runs;
  c.fft_ns *= spectral_runs;
  c.overlap_save_ns *= spectral_runs;
  return c;
}

MethodChoice select_method(const Problem& p, Method requested, const KernelTaps& taps,
                           std::size_t element_bytes, std::size_t memory_limit) {
  const auto needed = [&](Method m) {
    if (m == Method::fft) return fft_working_bytes(p, element_bytes);
    if (m == Method::overlap_save) return overlap_save_working_bytes(p, element_bytes);
    const bool separable = m == Method::separable;
    return direct_working_bytes(p, element_bytes, separable ? taps.terms : 0,
                                separable ? taps.column : taps.nonzero);
  };
  if (requested != Method::automatic) {
    if (requested == Method::separable && !taps.separable()) fail_not_separable(p.kernel_shape());
    const std::size_t bytes = needed(requested);
    FFTCONV_CHECK(bytes <= memory_limit, out_of_memory, "the ", to_string(requested),
                  " method needs ", bytes,
                  " bytes of working memory, more than options.max_memory_bytes = ", memory_limit);
    return {requested, bytes};
  }
  // For automatic, a method whose sizes are impossible (overflow, a transform length beyond
  // FFTW's int) simply does not fit; only if none is possible is that an error. Ties go to the
  // earlier candidate.
  struct Candidate {
    Method method;
    double cost;
    bool possible = true;
    std::size_t bytes = 0;
  };
  const MethodCosts c = estimate_costs(p, taps, element_bytes);
  Candidate candidates[] = {{Method::direct, c.direct_ns},
                            {Method::fft, c.fft_ns},
                            {Method::overlap_save, c.overlap_save_ns},
                            {Method::separable, c.separable_ns}};
  const std::size_t count = taps.separable() ? 4 : 3;
  bool any_possible = false;
  for (std::size_t i = 0; i < count; ++i) {
    try {
      candidates[i].bytes = needed(candidates[i].method);
    } catch (const Error&) {
      candidates[i].possible = false;
    }
    any_possible = any_possible || candidates[i].possible;
  }
  if (!any_possible) needed(Method::fft);  // throws, naming the size
  std::size_t best = count;
  for (std::size_t i = 0; i < count; ++i)
    if (candidates[i].possible && candidates[i].bytes <= memory_limit &&
        (best == count || candidates[i].cost < candidates[best].cost))
      best = i;
  if (best == count) {
    const auto need = [](const Candidate& m) {
      return m.possible ? std::to_string(m.bytes) + " bytes" : std::string("an impossible size");
    };
    fail(ErrorCode::out_of_memory, "the direct method needs ", need(candidates[0]),
         " of working memory and the fft method ", need(candidates[1]),
         ", the overlap_save method ", need(candidates[2]),
         count > 3 ? ", the separable method " + need(candidates[3]) : std::string(),
         ", more than options.max_memory_bytes = ", memory_limit);
  }
  return {candidates[best].method, candidates[best].bytes};
}

}  // namespace fftconv::detail
