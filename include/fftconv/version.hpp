#pragma once
// The one place the version number lives; CMake parses these three lines.
#define FFTCONV_VERSION_MAJOR 0
#define FFTCONV_VERSION_MINOR 7
#define FFTCONV_VERSION_PATCH 0

namespace fftconv {
inline constexpr int version_major = FFTCONV_VERSION_MAJOR;
inline constexpr int version_minor = FFTCONV_VERSION_MINOR;
inline constexpr int version_patch = FFTCONV_VERSION_PATCH;
}  // namespace fftconv
