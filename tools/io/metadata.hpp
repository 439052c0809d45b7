#pragma once
// What a file holds beside its pixels that a writer of the same format carries over: the FITS
// header an astronomer's tools need (WCS, BUNIT, EXPTIME, ...), and the channels and frames of
// a TIFF (ImageJ hyperstacks, RGB). Writers of other formats ignore it.
#include <cstddef>
#include <string>
#include <vector>

namespace fftconv::io {

/// How an image's planes split into independent volumes (TIFF: ImageJ hyperstacks and RGB(A)).
/// The image is a stack of frames x channels x slices planes, in that order (frame outermost):
/// each (frame, channel) is one volume of `slices` planes, filtered on its own.
struct Layout {
  std::size_t channels = 1;  ///< ImageJ channels, or the colour samples (RGB 3, RGBA 4)
  std::size_t frames = 1;    ///< ImageJ frames (time points)
  bool rgb = false;          ///< the channels are one pixel's colour samples (RGB or RGBA)
  bool alpha = false;        ///< the last channel is alpha: carried over, not filtered
  /// Whether the planes are more than one volume.
  bool split() const { return channels * frames > 1; }
};

struct Metadata {
  /// The header cards (80 characters each) of the FITS HDU the image came from, without the
  /// structural ones (see decode_fits): write_fits copies them into the output's header.
  std::vector<std::string> fits_cards;
  /// Lines write_fits adds as HISTORY cards (what made the image from its input); none: it
  /// adds "written by fftconv X.Y.Z".
  std::vector<std::string> history;
  Layout layout;
};

}  // namespace fftconv::io
