#pragma once
// Umbrella header: everything a user of fftconv may include.
#include "fftconv/accuracy.hpp"
#include "fftconv/convolve.hpp"
#include "fftconv/error.hpp"
#include "fftconv/filter.hpp"
#include "fftconv/masked.hpp"
#include "fftconv/match.hpp"
#include "fftconv/options.hpp"
#include "fftconv/planning.hpp"
#include "fftconv/predict.hpp"
#include "fftconv/shape.hpp"
#include "fftconv/version.hpp"
#include "fftconv/view.hpp"
