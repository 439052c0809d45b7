#pragma once
// Checking refusals: the call throws fftconv::Error with the expected code, and its message
// contains every given fragment (the argument's name, its value, ...).
#include <doctest/doctest.h>

#include <initializer_list>
#include <string>
#include <utility>

#include "fftconv/error.hpp"

namespace testing {

/// Runs f, expects an Error with `code` whose message contains every fragment.
template <class F>
void expect_error(fftconv::ErrorCode code, F&& f, std::initializer_list<std::string> fragments) {
  try {
    f();
    FAIL("no exception");
  } catch (const fftconv::Error& e) {
    CHECK(e.code() == code);
    const std::string message = e.what();
    for (const std::string& fragment : fragments) {
      CAPTURE(message);
      CHECK(message.find(fragment) != std::string::npos);
    }
  }
}

template <class F>
void expect_invalid(F&& f, std::initializer_list<std::string> fragments) {
  expect_error(fftconv::ErrorCode::invalid_argument, std::forward<F>(f), fragments);
}

}  // namespace testing
