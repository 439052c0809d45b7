#pragma once
// The files a command reads: images (within the run's memory budget), mask files, and the
// kernel with the image's rank; complex pixels refused where a command takes real ones.
#include <complex>
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

/// Refuses pixels of a complex `type` (read from `path`) where `use` ("compare", "a mask")
/// takes real numbers: an io::IoError naming the file and the type.
void require_real(io::PixelType type, const std::string& path, const std::string& use);

/// The mask file at `path` (nothing for an empty path); complex pixels are refused.
Mask read_mask(const std::string& path, const Job& job);

/// A kernel as doubles (complex doubles for a complex file) with its shape: read once from the
/// kernel file, or (blur) the Gaussian for the image's rank.
struct Kernel {
  Shape shape;
  io::PixelType type = io::PixelType::f64;           ///< the file's
  std::vector<double> values;                        ///< a real kernel's
  std::vector<std::complex<double>> complex_values;  ///< a complex kernel's (`values` is empty)
  bool is_complex() const { return io::is_complex(type); }
};

/// The kernel file at `path`.
Kernel read_kernel(const std::string& path, const Job& job);

/// The kernel's values as K, the scalar a Filter or a library call takes (float, double or
/// std::complex of them): a real kernel's also as complex numbers (imaginary part 0); a complex
/// kernel's only as complex numbers (a std::logic_error otherwise: callers check is_complex).
template <class K>
std::vector<K> kernel_values(const Kernel& kernel);

/// The shape of one (frame, channel) volume of an image whose planes split into several
/// (io::Layout: ImageJ hyperstack channels and frames, RGB(A) channels); else the image's.
Shape volume_shape(const io::Image& image);

/// The kernel's shape with leading unit axes up to the image's rank: a 2-D kernel filters every
/// plane of a 3-D stack.
Shape promote(const Shape& kernel, const Shape& image, const std::string& kernel_name,
              const std::string& image_name);

}  // namespace fftconv::cli
