#pragma once
// --max-memory: the memory one run may use, as a byte count or a share of physical memory. The
// readers refuse a file declaring a larger image before allocating for it, and the computation
// gets it as Options::max_memory_bytes.
#include <cstddef>
#include <optional>
#include <string>

namespace fftconv::cli {

/// The machine's physical memory in bytes; 0 when unknown.
std::size_t physical_memory();

/// The budget without --max-memory: half of `physical`, or unlimited when it is unknown (0).
std::size_t default_memory_budget(std::size_t physical);

/// BYTES (decimal digits, optionally followed by K, M, G or T: times 1024, 1024^2, ...; any
/// case) or N% (N in (0, 100], decimals allowed) of `physical` bytes. Nothing for anything
/// else: junk, signs, spaces, 0, more than size_t holds, or a share when `physical` is 0.
std::optional<std::size_t> parse_memory_budget(const std::string& text, std::size_t physical);

}  // namespace fftconv::cli
