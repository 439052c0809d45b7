#include "fftconv/error.hpp"

namespace fftconv {

Error::Error(ErrorCode code, const std::string& message)
    : std::runtime_error(message), code_(code) {}

}  // namespace fftconv
