#pragma once
// The metadata an output file carries over from its input: the input's FITS header (with the
// WCS reference pixel moved when the output grows or shrinks) and a HISTORY line naming the
// operation, so the result can be traced to what made it.
#include <string>

#include "fftconv/shape.hpp"
#include "io/metadata.hpp"
#include "job.hpp"

namespace fftconv::cli {

/// "fftconv 0.3.0 convolve kernel=psf.fits mode=same boundary=reflect" (blur: sigma=... instead
/// of the kernel; non-default NaN handling and a mask are named too); "fftconv 0.7.0 deconvolve
/// psf=psf.fits method=rl iterations=50 edges=extended" with the method's other settings;
/// "fftconv 0.7.0 frequency filter=butterworth cutoff=0.005 high-pass order=2 boundary=wrap".
std::string history_line(const Job& job);

/// `input`'s cards and layout with the history line added; CRPIXn (and the alternate CRPIXna) moved
/// by the output's offset from the image along each axis: +(k-1)/2 in full mode, -k/2 in valid mode
/// (the pixel mapping of fftconv::Options), nothing in same mode. `kernel` has the image's rank.
io::Metadata output_metadata(const Job& job, const io::Metadata& input, const Shape& kernel);

}  // namespace fftconv::cli
