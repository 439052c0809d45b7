#pragma once
// Errors in collective calls: every rank must learn that some rank refused, or the others would
// wait forever in the next exchange. agree() runs a rank's checks (and any set-up that may
// throw), then all ranks compare verdicts: if any rank failed, every rank throws fftconv::Error
// with the lowest failing rank's code and message (prefixed with that rank on the others).
// (Any std::exception counts: std::bad_alloc as out_of_memory, others as invalid_argument.)
#include <mpi.h>

#include <functional>

#include "fftconv/export.hpp"

namespace fftconv::detail::mpi {

/// (Exported for the fftconv-mpi program, which agrees on its own file errors the same way.)
FFTCONV_MPI_API void agree(MPI_Comm comm, const std::function<void()>& work);

/// MPI_SUCCESS or throw fftconv::Error(internal) naming the MPI call and its error string.
void check_mpi(int status, const char* call);

}  // namespace fftconv::detail::mpi
