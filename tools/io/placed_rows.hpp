#pragma once
// Rows written in place into a file whose pixels are stored raw, C order, at one offset (npy,
// FITS without scaling): each write is one pwrite of exactly its rows' bytes in the file's byte
// order, so several processes may write different rows of one file at once.
#include <cstddef>
#include <memory>

#include "rows.hpp"

namespace fftconv::io {

/// A writer of `header`'s rows into `fd`, whose data start at `data_offset`, stored
/// little-endian (npy) or big-endian (FITS). finish() does nothing.
std::unique_ptr<RowWriter> placed_rows(const ImageHeader& header, int fd, std::size_t data_offset,
                                       bool little_endian);

}  // namespace fftconv::io
