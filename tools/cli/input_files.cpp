#include "input_files.hpp"

#include <filesystem>
#include <new>

#include "failures.hpp"
#include "io/convert.hpp"
#include "io/files.hpp"

namespace fftconv::cli {

using io::Image;
using io::PixelType;

namespace {

/// No file may ask for more than the run's memory budget (--max-memory): a corrupt header
/// declaring a huge image is refused before the allocation, instead of pushing the machine
/// into swap.
io::ReadLimits read_limits(const Job& job) {
  io::ReadLimits limits;
  limits.max_bytes = job.options.max_memory_bytes;
  limits.name = "the memory budget (--max-memory)";
  return limits;
}

}  // namespace

std::string base_name(const std::string& path) {
  return std::filesystem::path(path).filename().string();
}

Image read(const std::string& path, const Job& job) {
  return io::read_image(path, read_limits(job));
}

Mask read_mask(const std::string& path, const Job& job) {
  Mask m;
  if (path.empty()) return m;
  const Image image = read(path, job);
  Allocating allocating;
  try {
    allocating(described("mask values", image.shape, PixelType::f64),
               element_count(image.shape) * sizeof(double));
    const std::vector<double> values = io::to_values<double>(image);
    m.name = path;
    m.shape = image.shape;
    allocating("allocating the mask", values.size());
    m.nonzero.reset(new bool[values.size()]);
    for (std::size_t i = 0; i < values.size(); ++i)
      m.nonzero[i] = values[i] != 0;
  } catch (const std::bad_alloc&) {
    allocating.fail(path);
  }
  return m;
}

Shape promote(const Shape& kernel, const Shape& image, const std::string& kernel_name,
              const std::string& image_name) {
  if (kernel.rank() > image.rank())
    throw io::IoError(kernel_name + ": the kernel is " + std::to_string(kernel.rank()) + "-D but " +
                      image_name + " is " + std::to_string(image.rank()) +
                      "-D (a kernel may have the image's rank or less)");
  Shape promoted;
  for (int a = kernel.rank(); a < image.rank(); ++a)
    promoted.push_back(1);
  for (std::size_t e : kernel)
    promoted.push_back(e);
  return promoted;
}

}  // namespace fftconv::cli
