#include "input_files.hpp"

#include <filesystem>
#include <new>
#include <stdexcept>

#include "failures.hpp"
#include "io/convert.hpp"
#include "io/files.hpp"
#include "pixel_values.hpp"

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

void require_real(PixelType type, const std::string& path, const std::string& use) {
  if (io::is_complex(type))
    throw io::IoError(path + ": " + io::name(type) + " pixels, but " + use +
                      " takes real numbers only");
}

Mask read_mask(const std::string& path, const Job& job) {
  Mask m;
  if (path.empty()) return m;
  const Image image = read(path, job);
  require_real(image.type, path, "a mask");
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

Kernel read_kernel(const std::string& path, const Job& job) {
  const Image k = read(path, job);
  Kernel kernel;
  kernel.shape = k.shape;
  kernel.type = k.type;
  Allocating allocating;
  try {
    const PixelType as = io::is_complex(k.type) ? PixelType::c128 : PixelType::f64;
    allocating(described("kernel values", k.shape, as), element_count(k.shape) * io::size_of(as));
    if (kernel.is_complex())
      kernel.complex_values = io::to_values<std::complex<double>>(k);
    else
      kernel.values = io::to_values<double>(k);
  } catch (const std::bad_alloc&) {
    allocating.fail(path);
  }
  return kernel;
}

template <class K>
std::vector<K> kernel_values(const Kernel& kernel) {
  if (!kernel.is_complex()) return std::vector<K>(kernel.values.begin(), kernel.values.end());
  if constexpr (is_complex_v<K>) {
    std::vector<K> values(kernel.complex_values.size());
    for (std::size_t i = 0; i < values.size(); ++i)
      values[i] = K(kernel.complex_values[i]);
    return values;
  } else {
    throw std::logic_error("a complex kernel's values as real numbers");
  }
}

template std::vector<float> kernel_values(const Kernel&);
template std::vector<double> kernel_values(const Kernel&);
template std::vector<std::complex<float>> kernel_values(const Kernel&);
template std::vector<std::complex<double>> kernel_values(const Kernel&);

Shape volume_shape(const Image& image) {
  const io::Layout& layout = image.metadata.layout;
  if (!layout.split() || image.shape.rank() != 3) return image.shape;
  const std::size_t slices = image.shape[0] / (layout.channels * layout.frames);
  return slices == 1 ? Shape{image.shape[1], image.shape[2]}
                     : Shape{slices, image.shape[1], image.shape[2]};
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
