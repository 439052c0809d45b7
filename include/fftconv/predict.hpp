#pragma once
// What the method chooser expects a call to cost: the time its cost model predicts for each
// method (the model Method::automatic minimizes; README, "Methods and the automatic choice").
#include "fftconv/export.hpp"
#include "fftconv/options.hpp"
#include "fftconv/shape.hpp"
#include "fftconv/view.hpp"

namespace fftconv {

/// The cost model's time in seconds for one application of `method` with this kernel to an
/// image of image_shape (a Filter's apply, or the work of one convolve/correlate after its
/// setup), on one thread, in the precision the arithmetic runs in (options.compute_precision).
/// Method::automatic: the time of the method chosen_method picks. +infinity for
/// Method::separable with a kernel that is neither separable nor low-rank (a Filter would refuse
/// it). The model covers the convolution itself, not missing-pixel handling (NanPolicy), FFTW
/// planning or threads; it was fitted on one machine, so expect the right order of magnitude
/// and ranking rather than the measured time. Cheap: validates and evaluates the model without
/// planning or allocating image-sized buffers. Throws fftconv::Error as chosen_method does.
FFTCONV_API double predicted_seconds(Method method, ConstView<float> kernel,
                                     const Shape& image_shape, const Options& options = Options{});
FFTCONV_API double predicted_seconds(Method method, ConstView<double> kernel,
                                     const Shape& image_shape, const Options& options = Options{});

}  // namespace fftconv
