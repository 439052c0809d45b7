// Runs a job: its subcommand, between reading and saving the FFTW wisdom cache.
#include <cstdio>
#include <string>

#include "commands.hpp"
#include "job.hpp"
#include "wisdom_cache.hpp"

namespace fftconv::cli {

int run(const Job& job) {
  WisdomCache wisdom(job.wisdom, job.options.planning, [&job](const std::string& line) {
    if (!job.quiet) std::fprintf(stderr, "%s\n", line.c_str());
  });
  int code = 0;
  switch (job.command) {
    case Command::compare:
      code = run_compare(job);
      break;
    case Command::match:
      code = run_match(job);
      break;
    case Command::deconvolve:
      code = run_deconvolve(job);
      break;
    case Command::frequency:
      code = run_frequency(job);
      break;
    default:
      code = run_filter(job);
  }
  wisdom.save();  // (a failed run throws past it: nothing is written)
  return code;
}

}  // namespace fftconv::cli
