#pragma once
// FITS file names as astronomers write them: cfitsio's HDU selector on an input path
// ("field.fits[1]", "field.fits[SCI]", "field.fits[SCI,2]") and gzip-compressed files
// ("field.fits.gz"). Everything that opens or checks an input file splits the selector off
// with split_hdu_selector first (the file is the part before the bracket).
#include <string>

namespace fftconv::io {

/// Whether `path` ends in a FITS extension (.fits, .fit, .fts), optionally followed by .gz
/// (any case).
bool is_fits_name(const std::string& path);
/// Whether `path` ends in .fits.gz, .fit.gz or .fts.gz (any case): written gzip-compressed.
bool is_gzip_fits_name(const std::string& path);

struct InputPath {
  std::string file;  ///< the file to open
  std::string hdu;   ///< the text between the brackets ("1", "SCI", "SCI,2"); empty: none
};

/// "a.fits[SCI]" -> {"a.fits", "SCI"}. A path is split only when it ends in ']' and the part
/// before the last '[' is a FITS name (is_fits_name); any other path is returned whole.
InputPath split_hdu_selector(const std::string& path);

}  // namespace fftconv::io
