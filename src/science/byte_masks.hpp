#pragma once
// convolve_masked and match_template with masks of bytes (non-zero = set), as the C API passes
// them: the C++ entry points' own validation, in their order, then their computation; no copy
// of the mask is made before the arguments and the memory limit are checked. A null mask is no
// mask.
#include "fftconv/options.hpp"
#include "fftconv/view.hpp"

namespace fftconv::detail {

template <class T>
void convolve_masked_bytes(const ConstView<T>& image, const ConstView<unsigned char>* mask,
                           const ConstView<T>& kernel, const View<T>& values, const View<T>& weight,
                           const Options& options);

template <class T>
void match_template_bytes(const ConstView<T>& image, const ConstView<T>& templ,
                          const ConstView<unsigned char>* templ_mask, const View<T>& score,
                          const Options& options);

}  // namespace fftconv::detail
