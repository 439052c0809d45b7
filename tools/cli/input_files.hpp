#pragma once
// The files a command reads: images (within the run's memory budget), mask files, and the
// kernel with the image's rank.
#include <memory>
#include <string>
#include <vector>

#include "fftconv/shape.hpp"
#include "io/image.hpp"
#include "job.hpp"

namespace fftconv::cli {

/// The file name of `path` without its directories, for progress messages.
std::string base_name(const std::string& path);

/// The image in the file at `path`, refused before its allocation when it is larger than the
/// run's memory budget (--max-memory).
io::Image read(const std::string& path, const Job& job);

/// A mask file as booleans, true where the file's pixel is non-zero: --mask (bad pixels; read
/// once, its shape checked against each image) and match --template-mask (the template's
/// pixels).
struct Mask {
  std::string name;
  Shape shape;
  std::unique_ptr<bool[]> nonzero;
};

/// The mask file at `path` (nothing for an empty path).
Mask read_mask(const std::string& path, const Job& job);

/// A kernel as doubles with its shape: read once from the kernel file, or (blur) the Gaussian
/// for the image's rank.
struct Kernel {
  Shape shape;
  std::vector<double> values;
};

/// The kernel's shape with leading unit axes up to the image's rank: a 2-D kernel filters every
/// plane of a 3-D stack.
Shape promote(const Shape& kernel, const Shape& image, const std::string& kernel_name,
              const std::string& image_name);

}  // namespace fftconv::cli
