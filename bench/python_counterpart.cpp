// python_counterpart: the C++ side of the Python package's benchmarks (bench/python/run.py).
// Times fftconv::convolve (or Filter<T>::apply) on views of one problem, in the process's own
// FFTW plan cache, the same library the extension links, so that the Python call's cost above
// the C++ call is measured on the same computation:
//
//   python_counterpart --dtype float64 --image 8x8 --kernel 3x3 [--mode same]
//       [--method automatic] [--boundary zero] [--api convolve|filter] [--threads N]
//       [--image-file F --kernel-file F] [--out-file F] [--calls C] [--repeats R]
//       [--frames F --workers W [--distinct D]] [--serve]
//
// Inputs: raw C-order arrays of --dtype (what numpy's tofile writes), or without the files
// image U[0,1) and kernel N(0,1)/k as the other benchmarks. One warm-up call (plans made and
// cached), then R samples of C calls each; a sample is its wall time / C (seconds per call).
// Prints one JSON line: median_s, best_s, samples, calls, the method that runs, the padded shape,
// cpu_per_wall (the process's CPU time over the wall time of the samples: ~W when W threads ran).
// --api filter times Filter<T>::apply on a Filter made once (its constructor is not timed);
// with --frames F --workers W a call is F applies of the shared Filter spread over W std::threads
// (each with its own output buffer), for the thread-scaling benchmark; --distinct D reads frame f
// from copy f mod D of the image (D buffers, as a caller's distinct frames are).
// --out-file writes the warm-up call's result (raw, C order) for the agreement check.
// --serve: after the warm-up, read commands from stdin, one per line, and answer each with one
// line on stdout: "time R C" (R samples of C calls: the JSON line), "quit". The Python driver
// interleaves its own samples with these rounds while this process waits on its stdin.
#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <ctime>
#include <fstream>
#include <functional>
#include <iostream>
#include <memory>
#include <random>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

#include "fftconv/fftconv.hpp"

namespace {

struct Args {
  std::string dtype = "float64", api = "convolve", image_file, kernel_file, out_file;
  fftconv::Shape image_shape{8, 8}, kernel_shape{3, 3};
  fftconv::Options options;
  int calls = 1, repeats = 5, frames = 1, workers = 1, distinct = 1;
  bool serve = false;
};

fftconv::Shape parse_shape(const std::string& text) {
  fftconv::Shape s;
  std::stringstream in(text);
  std::string part;
  while (std::getline(in, part, 'x'))
    s.push_back(static_cast<std::size_t>(std::stoull(part)));
  return s;
}

[[noreturn]] void usage(const std::string& why) {
  std::fprintf(stderr,
               "python_counterpart: %s\nusage: python_counterpart --dtype float32|float64 "
               "--image RxC --kernel RxC [--mode M] [--method M] [--boundary B] [--threads N] "
               "[--api convolve|filter] [--image-file F --kernel-file F] [--out-file F] "
               "[--calls C] [--repeats R] [--frames F --workers W [--distinct D]] [--serve]\n",
               why.c_str());
  std::exit(2);
}

Args parse_args(int argc, char** argv) {
  Args a;
  for (int i = 1; i < argc; ++i) {
    const std::string flag = argv[i];
    if (flag == "--serve") {
      a.serve = true;
      continue;
    }
    if (i + 1 >= argc) usage("missing value after " + flag);
    const std::string v = argv[++i];
    try {
      if (flag == "--dtype")
        a.dtype = v;
      else if (flag == "--image")
        a.image_shape = parse_shape(v);
      else if (flag == "--kernel")
        a.kernel_shape = parse_shape(v);
      else if (flag == "--mode")
        a.options.mode = fftconv::parse<fftconv::Mode>(v);
      else if (flag == "--method")
        a.options.method = fftconv::parse<fftconv::Method>(v);
      else if (flag == "--boundary")
        a.options.boundary = fftconv::parse<fftconv::Boundary>(v);
      else if (flag == "--threads")
        a.options.threads = std::stoi(v);
      else if (flag == "--api")
        a.api = v;
      else if (flag == "--image-file")
        a.image_file = v;
      else if (flag == "--kernel-file")
        a.kernel_file = v;
      else if (flag == "--out-file")
        a.out_file = v;
      else if (flag == "--calls")
        a.calls = std::max(1, std::stoi(v));
      else if (flag == "--repeats")
        a.repeats = std::max(1, std::stoi(v));
      else if (flag == "--frames")
        a.frames = std::max(1, std::stoi(v));
      else if (flag == "--workers")
        a.workers = std::max(1, std::stoi(v));
      else if (flag == "--distinct")
        a.distinct = std::max(1, std::stoi(v));
      else
        usage("unknown option " + flag);
    } catch (const std::exception& e) {
      usage(flag + " " + v + ": " + e.what());
    }
  }
  if (a.dtype != "float32" && a.dtype != "float64") usage("--dtype is float32 or float64");
  if (a.api != "convolve" && a.api != "filter") usage("--api is convolve or filter");
  if (a.image_shape.rank() != a.kernel_shape.rank()) usage("--image and --kernel ranks differ");
  return a;
}

template <class T>
void fill(std::vector<T>& v, const std::string& file, bool image, std::size_t k) {
  if (!file.empty()) {
    std::ifstream in(file, std::ios::binary);
    in.read(reinterpret_cast<char*>(v.data()), static_cast<std::streamsize>(v.size() * sizeof(T)));
    if (!in || in.peek() != std::char_traits<char>::eof()) {
      std::fprintf(stderr, "python_counterpart: %s does not hold exactly %zu values of %zu bytes\n",
                   file.c_str(), v.size(), sizeof(T));
      std::exit(1);
    }
    return;
  }
  std::mt19937_64 rng(image ? 11 : 12);
  std::uniform_real_distribution<double> u(0, 1);
  std::normal_distribution<double> g(0, 1.0 / static_cast<double>(k));
  for (T& x : v)
    x = static_cast<T>(image ? u(rng) : g(rng));
}

template <class T>
int run(const Args& a) {
  using clock = std::chrono::steady_clock;
  std::vector<T> image(fftconv::element_count(a.image_shape));
  std::vector<T> kernel(fftconv::element_count(a.kernel_shape));
  fill(image, a.image_file, true, a.kernel_shape[0]);
  fill(kernel, a.kernel_file, false, a.kernel_shape[0]);
  const fftconv::Shape out_shape = fftconv::output_shape(a.image_shape, a.kernel_shape, a.options);
  const fftconv::ConstView<T> in(image.data(), a.image_shape), ker(kernel.data(), a.kernel_shape);
  // One output buffer per worker (a single call uses the first).
  std::vector<std::vector<T>> outs(static_cast<std::size_t>(a.workers),
                                   std::vector<T>(fftconv::element_count(out_shape)));
  const fftconv::View<T> dst(outs[0].data(), out_shape);

  std::unique_ptr<fftconv::Filter<T>> filter;
  fftconv::Method method;
  if (a.api == "filter") {
    filter = std::make_unique<fftconv::Filter<T>>(ker, a.image_shape, fftconv::Operation::convolve,
                                                  a.options);
    method = filter->method();
  } else {
    method = fftconv::chosen_method(ker, a.image_shape, a.options);
  }
  std::function<void()> call;
  std::vector<std::vector<T>> copies;  // --distinct: the other copies of the image
  if (!filter) {
    call = [&] { fftconv::convolve(in, ker, dst, a.options); };
  } else if (a.frames == 1 && a.workers == 1) {
    call = [&] { filter->apply(in, dst); };
  } else {
    // F applies of the shared Filter over W threads (frame f on thread f mod W, read from copy
    // f mod D of the image).
    for (int d = 1; d < a.distinct; ++d)
      copies.push_back(image);
    call = [&] {
      std::vector<std::thread> pool;
      for (int w = 0; w < a.workers; ++w)
        pool.emplace_back([&, w] {
          const fftconv::View<T> mine(outs[static_cast<std::size_t>(w)].data(), out_shape);
          for (int f = w; f < a.frames; f += a.workers) {
            const std::size_t copy = static_cast<std::size_t>(f % a.distinct);
            filter->apply(
                copy == 0 ? in : fftconv::ConstView<T>(copies[copy - 1].data(), a.image_shape),
                mine);
          }
        });
      for (auto& t : pool)
        t.join();
    };
  }
  call();  // warm-up: plans made and cached, buffers touched
  if (!a.out_file.empty()) {
    std::ofstream out(a.out_file, std::ios::binary);
    out.write(reinterpret_cast<const char*>(outs[0].data()),
              static_cast<std::streamsize>(outs[0].size() * sizeof(T)));
  }
  const std::string padded =
      fftconv::to_string(fftconv::fft_shape(a.image_shape, a.kernel_shape, a.options));
  const auto cpu_seconds = [] {
    timespec ts{};
    clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts);
    return static_cast<double>(ts.tv_sec) + 1e-9 * static_cast<double>(ts.tv_nsec);
  };
  const auto time_samples = [&](int repeats, int calls) {
    std::vector<double> t;
    const double cpu0 = cpu_seconds();
    const auto wall0 = clock::now();
    for (int r = 0; r < repeats; ++r) {
      const auto t0 = clock::now();
      for (int c = 0; c < calls; ++c)
        call();
      t.push_back(std::chrono::duration<double>(clock::now() - t0).count() / calls);
    }
    // CPU time of the process (every thread) over wall time: ~W when W workers all ran.
    const double cpu_per_wall =
        (cpu_seconds() - cpu0) / std::chrono::duration<double>(clock::now() - wall0).count();
    std::vector<double> sorted = t;
    std::sort(sorted.begin(), sorted.end());
    const std::size_t n = sorted.size();
    const double median = n % 2 ? sorted[n / 2] : 0.5 * (sorted[n / 2 - 1] + sorted[n / 2]);
    std::printf(
        "{\"median_s\": %.9g, \"best_s\": %.9g, \"samples\": %d, \"calls\": %d, "
        "\"method\": \"%s\", \"api\": \"%s\", \"dtype\": \"%s\", \"image\": \"%s\", "
        "\"kernel\": \"%s\", \"padded\": \"%s\", \"frames\": %d, \"workers\": %d, "
        "\"cpu_per_wall\": %.3f, \"times_s\": [",
        median, sorted.front(), repeats, calls, fftconv::to_string(method), a.api.c_str(),
        a.dtype.c_str(), fftconv::to_string(a.image_shape).c_str(),
        fftconv::to_string(a.kernel_shape).c_str(), padded.c_str(), a.frames, a.workers,
        cpu_per_wall);
    for (std::size_t i = 0; i < t.size(); ++i)
      std::printf("%s%.9g", i ? ", " : "", t[i]);
    std::printf("]}\n");
    std::fflush(stdout);
  };
  if (!a.serve) {
    time_samples(a.repeats, a.calls);
    return 0;
  }
  std::printf("{\"ready\": true, \"method\": \"%s\", \"padded\": \"%s\"}\n",
              fftconv::to_string(method), padded.c_str());
  std::fflush(stdout);
  for (std::string line; std::getline(std::cin, line);) {
    std::istringstream words(line);
    std::string command;
    words >> command;
    if (command == "quit") break;
    int repeats = 0, calls = 0;
    if (command != "time" || !(words >> repeats >> calls) || repeats < 1 || calls < 1) {
      std::printf("{\"error\": \"unknown command: %s\"}\n", line.c_str());
      std::fflush(stdout);
      continue;
    }
    time_samples(repeats, calls);
  }
  return 0;
}

}  // namespace

int main(int argc, char** argv) {
  const Args a = parse_args(argc, argv);
  try {
    return a.dtype == "float32" ? run<float>(a) : run<double>(a);
  } catch (const std::exception& e) {
    std::fprintf(stderr, "python_counterpart: %s\n", e.what());
    return 1;
  }
}
