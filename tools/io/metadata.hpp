#pragma once
// What a file holds beside its pixels that a writer of the same format carries over: the FITS
// header an astronomer's tools need (WCS, BUNIT, EXPTIME, ...). Writers of other formats
// ignore it.
#include <string>
#include <vector>

namespace fftconv::io {

struct Metadata {
  /// The header cards (80 characters each) of the FITS HDU the image came from, without the
  /// structural ones (see decode_fits): write_fits copies them into the output's header.
  std::vector<std::string> fits_cards;
  /// Lines write_fits adds as HISTORY cards (what made the image from its input); none: it
  /// adds "written by fftconv X.Y.Z".
  std::vector<std::string> history;
};

}  // namespace fftconv::io
