#pragma once
// FFTW plans and wisdom. fftconv makes every plan itself, on buffers it owns, caches up to 64 of
// them (keyed by transform kind, shape, precision, effort, threads, placement and alignment) and
// serializes all planning behind one lock. Wisdom is what FFTW learned while planning with
// Planning::measure or patient; saving it lets a later run plan the same sizes instantly.
#include <cstddef>
#include <string>

#include "fftconv/export.hpp"

namespace fftconv {

/// FFTW's accumulated wisdom, double and single precision, as one string.
FFTCONV_API std::string export_wisdom();

/// Adds wisdom produced by export_wisdom (this or an earlier run, same FFTW version); call it at
/// start-up, before planning. Throws fftconv::Error(invalid_argument) if FFTW rejects it (the
/// double precision part is imported first and stays if only the single precision part fails).
FFTCONV_API void import_wisdom(const std::string& wisdom);

/// export_wisdom to a file (written whole or not at all: a temporary file, then a rename).
/// Throws fftconv::Error naming the path if it cannot be written.
FFTCONV_API void export_wisdom_to_file(const std::string& path);

/// import_wisdom from a file. Throws fftconv::Error naming the path if it cannot be read or FFTW
/// rejects its contents.
FFTCONV_API void import_wisdom_from_file(const std::string& path);

/// How many FFTW plans fftconv has made in this process: repeated calls with the same shapes and
/// options leave it unchanged (the plans are cached).
FFTCONV_API std::size_t fft_plans_created();

}  // namespace fftconv
