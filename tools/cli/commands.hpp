#pragma once
// The subcommands, one file each: run_filter (command_filter.cpp: convolve, correlate and
// blur), run_compare (command_compare.cpp), run_match (command_match.cpp), run_deconvolve
// (command_deconvolve.cpp) and run_frequency (command_frequency.cpp). run (run.cpp) chooses one.
// Each returns the exit code or throws as run does (job.hpp).
#include "job.hpp"

namespace fftconv::cli {

int run_filter(const Job& job);
int run_compare(const Job& job);
int run_match(const Job& job);
int run_deconvolve(const Job& job);
int run_frequency(const Job& job);

}  // namespace fftconv::cli
