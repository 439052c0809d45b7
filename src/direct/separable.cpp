#include "direct/separable.hpp"

#include <algorithm>
#include <cmath>
#include <limits>

#include "util/check.hpp"
#include "util/copy.hpp"

namespace fftconv::detail {

namespace {

// The sum (or the largest) of one count over the terms.
template <class C>
std::size_t over_terms(const std::vector<SeparableTerm<C>>& terms,
                       std::size_t SeparableTerm<C>::*count, bool largest) {
  std::size_t n = 0;
  for (const SeparableTerm<C>& t : terms)
    n = largest ? std::max(n, t.*count) : n + t.*count;
  return n;
}

}  // namespace

template <class C>
std::size_t SeparableFactors<C>::row_taps() const {
  return over_terms(terms, &SeparableTerm<C>::row_taps, false);
}

template <class C>
std::size_t SeparableFactors<C>::column_taps() const {
  return over_terms(terms, &SeparableTerm<C>::column_taps, false);
}

template <class C>
std::size_t SeparableFactors<C>::most_row_taps() const {
  return over_terms(terms, &SeparableTerm<C>::row_taps, true);
}

namespace {

struct Pivot {
  std::size_t row = 0, column = 0;
  long double value = 0;
};

// The largest |value(r, c)| over the rows x width matrix.
template <class Value>
Pivot largest(std::size_t rows, std::size_t width, const Value& value) {
  Pivot p;
  for (std::size_t r = 0; r < rows; ++r)
    for (std::size_t c = 0; c < width; ++c)
      if (std::fabs(value(r, c)) > std::fabs(p.value)) p = {r, c, value(r, c)};
  return p;
}

// The term through pivot p of the matrix value(r, c): its column and its row divided by the
// pivot, balanced by a power of two near sqrt|pivot| (exact), so neither pass's sums grow past
// the kernel's scale times the data's (a row factor of 1 under a tiny normalized kernel would let
// the first pass overflow where the result does not); both rounded to C.
template <class C, class Value>
SeparableTerm<C> term_through(const Pivot& p, std::size_t rows, std::size_t width,
                              const Value& value) {
  const long double balance = std::ldexp(1.0L, std::ilogb(std::fabs(p.value)) / 2);
  SeparableTerm<C> t;
  t.column.resize(rows);
  t.row.resize(width);
  for (std::size_t r = 0; r < rows; ++r) {
    t.column[r] = static_cast<C>(value(r, p.column) / balance);
    t.column_taps += t.column[r] != C(0);
  }
  for (std::size_t c = 0; c < width; ++c) {
    t.row[c] = static_cast<C>(value(p.row, c) / p.value * balance);
    t.row_taps += t.row[c] != C(0);
  }
  return t;
}

// column[r] * row[c] in long double (exact for float factors, within 2^-64 relative for double,
// far below C's rounding).
template <class C>
long double product(const SeparableTerm<C>& t, std::size_t r, std::size_t c) {
  return static_cast<long double>(t.column[r]) * static_cast<long double>(t.row[c]);
}

}  // namespace

template <class C, class T>
std::optional<SeparableFactors<C>> separable_factors(const ConstView<T>& kernel3) {
  const std::size_t k1 = kernel3.extent(1), width = kernel3.extent(2);
  const std::size_t rows = kernel3.extent(0) * k1;
  if (rows < 2 || width < 2) return std::nullopt;
  // Read in place (no copy: the kernel may be a huge stride-0 view), values exact in long double.
  const auto at = [&](std::size_t r, std::size_t c) {
    return static_cast<long double>(
        row_start(kernel3, r / k1, r % k1)[static_cast<std::ptrdiff_t>(c) * kernel3.stride(2)]);
  };
  const auto usable = [](const Pivot& p) {
    return p.value != 0 && std::isfinite(static_cast<double>(p.value));
  };
  // The test: |residual| <= U u |columns| |rows| for every value (|columns| = the sum of the
  // terms' |column factor| there, |rows| of their |row factor|).
  const long double tolerance =
      separable_tolerance_units * static_cast<long double>(std::numeric_limits<C>::epsilon()) / 2;
  const auto fits = [&](long double residual, long double columns, long double rows_sum) {
    return std::fabs(residual) <= tolerance * columns * rows_sum;
  };

  SeparableFactors<C> f;
  const Pivot first = largest(rows, width, at);
  if (!usable(first)) return std::nullopt;
  f.terms.push_back(term_through<C>(first, rows, width, at));
  const SeparableTerm<C>& one = f.terms[0];
  bool one_term = true;  // (tested in place, stopping at the first value that fails)
  for (std::size_t r = 0; r < rows && one_term; ++r)
    for (std::size_t c = 0; c < width && one_term; ++c)
      one_term =
          fits(at(r, c) - product(one, r, c), std::fabs(one.column[r]), std::fabs(one.row[c]));
  if (one_term) return f;

  // More terms, on the residual kept densely in long double.
  // (r terms must also do fewer multiply-adds than the kernel's rows x width)
  const std::size_t most_terms =
      std::min(separable_tap_limit / (rows + width), (rows * width - 1) / (rows + width));
  if (most_terms < 2) return std::nullopt;
  std::vector<long double> residual(rows * width), columns(rows, 0.0L), rows_sum(width, 0.0L);
  for (std::size_t r = 0; r < rows; ++r)
    for (std::size_t c = 0; c < width; ++c)
      residual[r * width + c] = at(r, c);
  const auto residual_at = [&](std::size_t r, std::size_t c) { return residual[r * width + c]; };
  for (;;) {
    const SeparableTerm<C>& t = f.terms.back();
    for (std::size_t r = 0; r < rows; ++r)
      columns[r] += std::fabs(static_cast<long double>(t.column[r]));
    for (std::size_t c = 0; c < width; ++c)
      rows_sum[c] += std::fabs(static_cast<long double>(t.row[c]));
    bool all_fit = true;
    for (std::size_t r = 0; r < rows; ++r)
      for (std::size_t c = 0; c < width; ++c) {
        residual[r * width + c] -= product(t, r, c);
        all_fit = all_fit && fits(residual[r * width + c], columns[r], rows_sum[c]);
      }
    if (all_fit) return f;
    if (f.terms.size() == most_terms) return std::nullopt;
    const Pivot next = largest(rows, width, residual_at);
    if (!usable(next)) return std::nullopt;
    f.terms.push_back(term_through<C>(next, rows, width, residual_at));
  }
}

void fail_not_separable(const Shape& kernel_shape) {
  fail(ErrorCode::invalid_argument, "options.method = separable: the kernel (shape ",
       to_string(kernel_shape),
       ") is not separable (a row factor times a column factor, or the sum of r such terms with "
       "r (rows + row length) at most ",
       separable_tap_limit, " and below the kernel's size, to ", separable_tolerance_units,
       " units of rounding)");
}

template struct SeparableFactors<float>;
template struct SeparableFactors<double>;
template std::optional<SeparableFactors<float>> separable_factors<float>(const ConstView<float>&);
template std::optional<SeparableFactors<double>> separable_factors<double>(const ConstView<float>&);
template std::optional<SeparableFactors<double>> separable_factors<double>(
    const ConstView<double>&);

}  // namespace fftconv::detail
