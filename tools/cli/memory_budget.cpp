#include "memory_budget.hpp"

#include <unistd.h>

#include <cctype>
#include <limits>

namespace fftconv::cli {

namespace {

bool is_digit(char c) {
  return std::isdigit(static_cast<unsigned char>(c)) != 0;
}

/// N% of `physical`: N is digits with an optional fraction, in (0, 100].
std::optional<std::size_t> share_of(const std::string& number, std::size_t physical) {
  std::size_t i = 0;
  while (i < number.size() && is_digit(number[i]))
    ++i;
  const std::size_t whole_digits = i;
  if (i < number.size() && number[i] == '.') {
    ++i;
    const std::size_t fraction_start = i;
    while (i < number.size() && is_digit(number[i]))
      ++i;
    if (i == fraction_start) return std::nullopt;
  }
  if (whole_digits == 0 || i != number.size() || physical == 0) return std::nullopt;
  const long double percent = std::stold(number);
  if (!(percent > 0 && percent <= 100)) return std::nullopt;
  const auto bytes = static_cast<std::size_t>(static_cast<long double>(physical) * percent / 100);
  if (bytes == 0) return std::nullopt;
  return bytes;
}

}  // namespace

std::size_t physical_memory() {
  const long pages = ::sysconf(_SC_PHYS_PAGES), page = ::sysconf(_SC_PAGESIZE);
  if (pages <= 0 || page <= 0) return 0;
  return static_cast<std::size_t>(pages) * static_cast<std::size_t>(page);
}

std::size_t default_memory_budget(std::size_t physical) {
  return physical == 0 ? std::numeric_limits<std::size_t>::max() : physical / 2;
}

std::optional<std::size_t> parse_memory_budget(const std::string& text, std::size_t physical) {
  if (!text.empty() && text.back() == '%')
    return share_of(text.substr(0, text.size() - 1), physical);
  std::size_t digits = 0, value = 0;
  constexpr std::size_t max = std::numeric_limits<std::size_t>::max();
  for (; digits < text.size() && is_digit(text[digits]); ++digits) {
    const auto d = static_cast<std::size_t>(text[digits] - '0');
    if (value > (max - d) / 10) return std::nullopt;
    value = value * 10 + d;
  }
  if (digits == 0 || text.size() - digits > 1) return std::nullopt;
  if (digits < text.size()) {
    const char suffixes[] = "KMGT";
    int power = 0;
    for (int p = 0; p < 4; ++p)
      if (std::toupper(static_cast<unsigned char>(text[digits])) == suffixes[p]) power = p + 1;
    if (power == 0) return std::nullopt;
    for (int p = 0; p < power; ++p) {
      if (value > max / 1024) return std::nullopt;
      value *= 1024;
    }
  }
  if (value == 0) return std::nullopt;
  return value;
}

}  // namespace fftconv::cli
