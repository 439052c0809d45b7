#include "band_plan.hpp"

#include <algorithm>
#include <limits>

#include "fftconv/error.hpp"
#include "io/image.hpp"

namespace fftconv::cli {

namespace {

constexpr std::size_t no_limit = std::numeric_limits<std::size_t>::max();

/// Whether the library's method for a band of `rows` fits `library_bytes` by its own count
/// (chosen_method: cheap, no planning); its other refusals are the Filter's to report.
template <class T>
bool library_fits(const BandGeometry& g, const std::vector<T>& kernel, Options options,
                  std::size_t rows, std::size_t library_bytes) {
  options.max_memory_bytes = library_bytes;
  try {
    chosen_method(ConstView<T>(kernel.data(), g.kernel), g.band_shape(rows), options);
    return true;
  } catch (const Error& e) {
    if (e.code() != ErrorCode::out_of_memory) throw;
    return false;
  }
}

/// The least working memory the library's method takes for a band of `rows` (bisection on
/// chosen_method's refusals), for the refusal's message.
template <class T>
std::size_t least_library_bytes(const BandGeometry& g, const std::vector<T>& kernel,
                                const Options& options, std::size_t rows) {
  std::size_t lo = 0, hi = 1;  // lo does not fit (0 bytes never does for a real band), hi does
  while (!library_fits(g, kernel, options, rows, hi)) {
    if (hi > no_limit / 2) return no_limit;
    lo = hi;
    hi *= 2;
  }
  while (hi - lo > 1) {
    const std::size_t mid = lo + (hi - lo) / 2;
    (library_fits(g, kernel, options, rows, mid) ? hi : lo) = mid;
  }
  return hi;
}

}  // namespace

Shape BandGeometry::band_shape(std::size_t rows) const {
  Shape shape{rows + kernel[0] - 1};
  for (std::size_t a = 1; a < windows.size(); ++a)
    shape.push_back(windows[a].count);
  return shape;
}

Shape BandGeometry::output_band_shape(std::size_t rows) const {
  Shape shape{rows};
  for (int a = 1; a < output.rank(); ++a)
    shape.push_back(output[a]);
  return shape;
}

BandGeometry band_geometry(const Shape& image, const Shape& kernel, const Options& options) {
  BandGeometry g;
  g.image = image;
  g.kernel = kernel;
  g.output = output_shape(image, kernel, options);
  for (int a = 0; a < image.rank(); ++a) {
    const std::ptrdiff_t origin = options.origin.empty() ? 0 : options.origin[a];
    g.windows.push_back(extended_window(image[a], kernel[a], options.mode, origin));
    if (a == 0) continue;
    g.image_row *= image[a];
    g.extended_row *= g.windows.back().count;
    g.output_row *= g.output[a];
  }
  return g;
}

std::size_t BandMemory::total(std::size_t rows) const {
  if (per_row != 0 && rows > (no_limit - fixed) / per_row) return no_limit;
  return fixed + rows * per_row;
}

template <class T>
BandPlan<T> plan_bands(const BandGeometry& g, const std::vector<T>& kernel, Operation operation,
                       Options options, std::size_t budget, const BandMemory& memory,
                       const std::string& image_name) {
  const auto remaining = [&](std::size_t rows) {
    return memory.total(rows) < budget ? budget - memory.total(rows) : 0;
  };
  const auto fits = [&](std::size_t rows) {
    return memory.total(rows) < budget && library_fits(g, kernel, options, rows, remaining(rows));
  };
  // The tallest band the buffers and the library's count allow (both grow with the height)...
  std::size_t rows = 0;
  for (std::size_t lo = 1, hi = g.output[0]; lo <= hi;) {
    const std::size_t mid = lo + (hi - lo) / 2;
    if (fits(mid)) {
      rows = mid;
      lo = mid + 1;
    } else {
      hi = mid - 1;
    }
  }
  // ... then the Filter itself, which also holds the kernel's spectrum: lower if it refuses.
  while (rows > 0) {
    options.max_memory_bytes = remaining(rows);
    try {
      return {rows, std::make_unique<Filter<T>>(ConstView<T>(kernel.data(), g.kernel),
                                                g.band_shape(rows), operation, options)};
    } catch (const Error& e) {
      if (e.code() != ErrorCode::out_of_memory) throw;
      rows = rows * 3 / 4;
    }
  }
  const std::size_t library = least_library_bytes(g, kernel, options, 1);
  const std::size_t least =
      library > no_limit - memory.total(1) ? no_limit : memory.total(1) + library;
  throw io::IoError(
      image_name + ": streaming it a band of rows at a time needs at least " +
      std::to_string(least) + " bytes (one output row and its " + std::to_string(g.kernel[0] - 1) +
      " halo rows), more than the memory budget (--max-memory) of " + std::to_string(budget) +
      " bytes; give --max-memory " + std::to_string(least) + " or more");
}

template BandPlan<float> plan_bands(const BandGeometry&, const std::vector<float>&, Operation,
                                    Options, std::size_t, const BandMemory&, const std::string&);
template BandPlan<double> plan_bands(const BandGeometry&, const std::vector<double>&, Operation,
                                     Options, std::size_t, const BandMemory&, const std::string&);

}  // namespace fftconv::cli
