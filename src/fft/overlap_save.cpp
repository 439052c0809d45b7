#include "fft/overlap_save.hpp"

#include <algorithm>
#include <cmath>
#include <limits>

#include "fft/layout.hpp"
#include "fft/length_costs.hpp"
#include "fft/memory.hpp"
#include "fftconv/shape.hpp"
#include "stages/boundary_extension.hpp"
#include "util/check.hpp"
#include "util/checked_math.hpp"
#include "util/copy.hpp"
#include "util/parallel.hpp"

namespace fftconv::detail {

namespace {

// The tile input length along one axis (see tile_grid): the least transform work for the whole
// axis, tiles * L * log2(2L), the last tile counted whole, among lengths up to `cap`.
std::size_t tile_length(const Axis& a, std::size_t cap) {
  const std::size_t whole = std::max(a.out + a.k - 1, a.k);  // (an empty window: one output)
  const auto work = [&](std::size_t L) {
    const double tiles = std::ceil(static_cast<double>(a.out) / static_cast<double>(L - a.k + 1));
    return std::max(tiles, 1.0) * static_cast<double>(L) * std::log2(2 * static_cast<double>(L));
  };
  const std::size_t lo = std::max<std::size_t>(32, 2 * a.k);
  const std::size_t hi = std::min(std::max<std::size_t>(64, 16 * a.k), std::max(cap, lo));
  std::size_t best = whole <= std::max(cap, lo) ? whole : 0;
  for (std::size_t L = next_friendly_length(lo); L <= hi && L < whole;
       L = next_friendly_length(L + 1))
    if (best == 0 || work(L) < work(best)) best = L;
  return best == 0 ? next_friendly_length(lo) : best;
}

}  // namespace

TileGrid tile_grid(const Problem& p) {
  // Tiles of at most about tile_points_limit points (the kernel permitting): the per-axis cap
  // is that limit's d-th root over the d axes that have more than one output.
  int dims = 0;
  for (const Axis& ax : p.axes)
    dims += ax.out + ax.k - 1 > 1;
  const auto cap = static_cast<std::size_t>(
      std::pow(static_cast<double>(tile_points_limit), 1.0 / std::max(dims, 1)));
  TileGrid g;
  g.tiles = 1;
  for (std::size_t a = 0; a < 3; ++a) {
    const Axis& ax = p.axes[a];
    g.input[a] = tile_length(ax, cap);
    g.output[a] = g.input[a] - ax.k + 1;
    g.count[a] = ax.out == 0 ? 0 : (ax.out + g.output[a] - 1) / g.output[a];
    g.tiles = checked_mul(g.tiles, g.count[a], "tile count");
  }
  return g;
}

Problem tile_problem(const Problem& p, const TileGrid& grid) {
  Shape image, kernel;
  for (int a = 3 - p.rank; a < 3; ++a) {
    image.push_back(grid.input[static_cast<std::size_t>(a)]);
    kernel.push_back(p.axes[static_cast<std::size_t>(a)].k);
  }
  Problem t = make_problem(image, kernel, Mode::valid, p.correlate, "overlap-save tile");
  t.planning = p.planning;
  t.threads = 1;
  t.image_parts = p.image_parts;
  t.kernel_parts = p.kernel_parts;
  return t;
}

namespace {
// The threads overlap-save runs on: at most p.threads, one per tile.
int tile_threads(const Problem& p, const TileGrid& g) {
  return static_cast<int>(std::min<std::size_t>(static_cast<std::size_t>(p.threads),
                                                std::max<std::size_t>(g.tiles, 1)));
}
}  // namespace

std::size_t overlap_save_working_bytes(const Problem& p, std::size_t element_bytes) {
  const TileGrid g = tile_grid(p);
  const Problem t = tile_problem(p, g);
  const std::size_t tile_values =
      checked_add(checked_mul(t.image_count(), static_cast<std::size_t>(p.image_parts),
                              "overlap-save tile size"),
                  checked_mul(t.output_count(), static_cast<std::size_t>(p.output_parts()),
                              "overlap-save tile size"),
                  "overlap-save tile size");
  const std::size_t per_thread =
      checked_add(fft_working_bytes(t, element_bytes),
                  checked_mul(tile_values, element_bytes, "overlap-save tile bytes"),
                  "overlap-save working memory");
  std::size_t bytes = checked_mul(per_thread, static_cast<std::size_t>(tile_threads(p, g)),
                                  "overlap-save working memory");
  // (complex data's parts are never copied here: ComplexPipeline copies an image that shares
  // memory with the output, and counts it)
  if (p.output_parts() == 1)
    bytes = checked_add(bytes, checked_mul(p.image_count(), element_bytes, "image copy"),
                        "overlap-save working memory");
  return checked_add(bytes, extension_map_bytes(p), "overlap-save working memory");
}

template <class T>
OverlapSaveKernel<T>::OverlapSaveKernel(const Problem& p, const ConstView<T>& kernel,
                                        const ConstView<T>& kernel_im)
    : p_(p), grid_(tile_grid(p)), tile_(tile_problem(p, grid_), kernel, kernel_im) {}

template <class T>
void OverlapSaveKernel<T>::apply(const ConstView<T>& caller_image, const View<T>& out,
                                 T fill) const {
  // Tiles read the image while other tiles' outputs are written.
  AlignedBuffer<T> image_copy;
  const ConstView<T> image = unaliased(caller_image, out, image_copy);
  apply(Parts<const T>{image, ConstView<T>(), false}, Parts<T>{out, View<T>(), false}, fill);
}

template <class T>
void OverlapSaveKernel<T>::apply(const Parts<const T>& image, const Parts<T>& out, T fill) const {
  FFTCONV_CHECK(!parts_share_memory(image, out) || !image.is_complex, internal,
                "overlap-save's complex parts share memory with the output");
  const int parts_in = image.is_complex ? 2 : 1;
  const int parts_out = out.im.data() != nullptr ? 2 : 1;
  const auto maps = extension_maps(p_);
  const TileGrid& g = grid_;
  const Shape input_shape{g.input[0], g.input[1], g.input[2]};
  const Shape output_shape{g.output[0], g.output[1], g.output[2]};
  const std::size_t input_count = g.input[0] * g.input[1] * g.input[2];
  const std::size_t output_count = g.output[0] * g.output[1] * g.output[2];
  const DenseStrides input_strides{g.input[1] * g.input[2], g.input[2], 1};
  const DenseStrides output_strides{g.output[1] * g.output[2], g.output[2], 1};
  const int threads = tile_threads(p_, g);
  // Everything allocated before any output is written: per thread a tile input and a tile output
  // per part and the tile transforms' working memory (reused by every tile the thread takes).
  const auto in_parts = static_cast<std::size_t>(parts_in);
  const auto out_parts = static_cast<std::size_t>(parts_out);
  std::vector<AlignedBuffer<T>> inputs, outputs;
  std::vector<typename FftKernel<T>::Workspace> workspaces(static_cast<std::size_t>(threads));
  for (int t = 0; t < threads; ++t) {
    inputs.emplace_back(input_count * in_parts);
    outputs.emplace_back(output_count * out_parts);
    tile_.reserve(workspaces[static_cast<std::size_t>(t)]);
  }
  const ConstView<T> image_views[2] = {image.re, image.im};
  const View<T> out_views[2] = {out.re, out.im};
  parallel_for(g.tiles, threads, [&](std::size_t chunk, std::size_t begin, std::size_t end) {
    T* const in = inputs[chunk].data();
    T* const scratch = outputs[chunk].data();
    typename FftKernel<T>::Workspace& workspace = workspaces[chunk];
    const auto view_in = [&](std::size_t part) {
      return ConstView<T>(in + part * input_count, input_shape);
    };
    const auto scratch_out = [&](std::size_t part) {
      return View<T>(scratch + part * output_count, output_shape);
    };
    for (std::size_t tile = begin; tile < end; ++tile) {
      // Tile (i0, i1, i2): outputs from origin o, `valid` of them per axis; its input is extended
      // positions o .. o + L - 1, zeros past the extended image's end (read only by outputs past
      // the window's end, which are dropped).
      const std::size_t index[3] = {tile / (g.count[1] * g.count[2]),
                                    tile / g.count[2] % g.count[1], tile % g.count[2]};
      std::array<MapRun, 3> runs;
      std::size_t origin[3], valid[3];
      bool partial = false;
      for (std::size_t a = 0; a < 3; ++a) {
        origin[a] = index[a] * g.output[a];
        valid[a] = std::min(g.output[a], p_.axes[a].out - origin[a]);
        const std::size_t available = std::min(g.input[a], maps[a].size() - origin[a]);
        runs[a] = MapRun{maps[a].data() + origin[a], available};
        partial = partial || available < g.input[a] || valid[a] < g.output[a];
      }
      if (partial) std::fill(in, in + input_count * in_parts, T(0));
      for (std::size_t part = 0; part < in_parts; ++part)  // (the imaginary part: fill + 0i)
        extend_into(image_views[part], runs, part == 0 ? fill : T(0), in + part * input_count,
                    input_strides);
      const Parts<const T> tile_in{view_in(0), in_parts > 1 ? view_in(1) : ConstView<T>(),
                                   in_parts > 1};
      const auto at = [&](const View<T>& o) {
        return o.data() + static_cast<std::ptrdiff_t>(origin[0]) * o.stride(0) +
               static_cast<std::ptrdiff_t>(origin[1]) * o.stride(1) +
               static_cast<std::ptrdiff_t>(origin[2]) * o.stride(2);
      };
      if (!partial) {  // straight into the output
        const auto window = [&](const View<T>& o) {
          return View<T>(at(o), output_shape, Strides{o.stride(0), o.stride(1), o.stride(2)});
        };
        tile_.apply(
            tile_in,
            Parts<T>{window(out.re), out_parts > 1 ? window(out.im) : View<T>(), out_parts > 1},
            T(0), workspace);
        continue;
      }
      tile_.apply(
          tile_in,
          Parts<T>{scratch_out(0), out_parts > 1 ? scratch_out(1) : View<T>(), out_parts > 1}, T(0),
          workspace);
      for (std::size_t part = 0; part < out_parts; ++part) {
        const View<T>& o = out_views[part];
        const T* from = scratch + part * output_count;
        for (std::size_t j0 = 0; j0 < valid[0]; ++j0)
          for (std::size_t j1 = 0; j1 < valid[1]; ++j1)
            store_row(from + j0 * output_strides[0] + j1 * output_strides[1], valid[2],
                      at(o) + static_cast<std::ptrdiff_t>(j0) * o.stride(0) +
                          static_cast<std::ptrdiff_t>(j1) * o.stride(1),
                      o.stride(2));
      }
    }
  });
}

template class OverlapSaveKernel<float>;
template class OverlapSaveKernel<double>;

}  // namespace fftconv::detail
