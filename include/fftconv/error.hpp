#pragma once
#include <stdexcept>
#include <string>

#include "fftconv/export.hpp"
#include "fftconv/names.hpp"  // to_string(ErrorCode)

namespace fftconv {

/// What kind of failure an Error reports.
enum class ErrorCode {
  invalid_argument,  ///< a bad shape, view, option or size; the message names it and its value
  out_of_memory,     ///< an allocation failed; the message gives the number of bytes
  internal,          ///< a bug in fftconv or a failure inside FFTW (for example, no plan)
};

/// The one exception type fftconv throws. When a function throws, it has written nothing to
/// its output.
class FFTCONV_API Error : public std::runtime_error {
 public:
  Error(ErrorCode code, const std::string& message);
  ErrorCode code() const noexcept { return code_; }

 private:
  ErrorCode code_;
};

}  // namespace fftconv
