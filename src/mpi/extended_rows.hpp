#pragma once
// Building rows of the image extended by its boundary rule from rows that arrive whole: which
// image rows an extended window along axis 0 needs (each once), and the extension of one row
// along the other axes. Shapes are canonical 3-D here: axis 0 split over the ranks, a row the
// (n1, n2) plane (n1 = 1 for 2-D images, n1 = n2 = 1 for 1-D).
#include <array>
#include <cstddef>
#include <vector>

#include "fftconv/options.hpp"
#include "fftconv/shape.hpp"

namespace fftconv::detail::mpi {

/// (n0, n1, n2) of a shape of rank 1 to 3.
std::array<std::size_t, 3> canonical_extents(const Shape& shape);

/// Extended positions [first, first + count) of axis 0 of length n0 under `rule`: the image rows
/// they read, each once and ascending (`wanted`), and for each position its index into `wanted`
/// or -1 (the fill value).
struct RowSources {
  std::vector<std::size_t> wanted;
  std::vector<std::ptrdiff_t> slot;
};
RowSources row_sources(Boundary rule, std::ptrdiff_t first, std::size_t count, std::size_t n0);

/// One row's extension along axes 1 and 2 to the windows first1/first2 (extended_window).
class PlaneExtension {
 public:
  PlaneExtension(Boundary rule, std::size_t n1, std::size_t n2, ExtendedWindow w1,
                 ExtendedWindow w2);
  std::size_t image_values() const { return n1_ * n2_; }  ///< values of one image row
  std::size_t rows() const { return map1_.size(); }       ///< extended extent along axis 1
  std::size_t columns() const { return map2_.size(); }    ///< along axis 2

  /// dst[i][j] (rows() x columns(), dst_pitch values between its rows) = the extended row of
  /// `row` (n1 x n2, C order), or `outside` everywhere when row is null (the rule's fill). With
  /// a nonfinite_replacement, NaN and infinities become *nonfinite_replacement
  /// (NanPolicy::fill).
  template <class T>
  void extend(const T* row, T outside, const T* nonfinite_replacement, T* dst,
              std::size_t dst_pitch) const;

 private:
  std::size_t n1_, n2_;
  std::vector<std::ptrdiff_t> map1_, map2_;
  std::size_t interior_begin_ = 0, interior_end_ = 0;  // map2_[j] consecutive over [begin, end)
};

}  // namespace fftconv::detail::mpi
