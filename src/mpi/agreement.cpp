#include "mpi/agreement.hpp"

#include <climits>
#include <new>
#include <string>

#include "fftconv/error.hpp"
#include "util/check.hpp"

namespace fftconv::detail::mpi {

void check_mpi(int status, const char* call) {
  if (status == MPI_SUCCESS) return;
  char text[MPI_MAX_ERROR_STRING];
  int length = 0;
  MPI_Error_string(status, text, &length);
  fail(ErrorCode::internal, call, " failed: ", std::string(text, static_cast<std::size_t>(length)));
}

void agree(MPI_Comm comm, const std::function<void()>& work) {
  int rank = 0;
  check_mpi(MPI_Comm_rank(comm, &rank), "MPI_Comm_rank");
  bool failed = false;
  ErrorCode code = ErrorCode::internal;
  std::string message;
  try {
    work();
  } catch (const Error& e) {
    failed = true;
    code = e.code();
    message = e.what();
  } catch (const std::bad_alloc&) {
    failed = true;
    code = ErrorCode::out_of_memory;
    message = "out of memory";
  } catch (const std::exception& e) {  // (the program's file errors)
    failed = true;
    code = ErrorCode::invalid_argument;
    message = e.what();
  }
  // The lowest failing rank speaks for all (INT_MAX: nobody failed).
  int first_failed = failed ? rank : INT_MAX;
  check_mpi(MPI_Allreduce(MPI_IN_PLACE, &first_failed, 1, MPI_INT, MPI_MIN, comm), "MPI_Allreduce");
  if (first_failed == INT_MAX) return;
  int header[2] = {static_cast<int>(code), static_cast<int>(message.size())};
  check_mpi(MPI_Bcast(header, 2, MPI_INT, first_failed, comm), "MPI_Bcast");
  message.resize(static_cast<std::size_t>(header[1]));
  check_mpi(MPI_Bcast(message.data(), header[1], MPI_CHAR, first_failed, comm), "MPI_Bcast");
  if (rank == first_failed) throw Error(code, message);
  throw Error(static_cast<ErrorCode>(header[0]),
              concat("rank ", first_failed, " refused: ", message));
}

}  // namespace fftconv::detail::mpi
