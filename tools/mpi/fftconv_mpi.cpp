// fftconv-mpi: the fftconv program's convolve, correlate and deconvolve on an image split over
// MPI ranks (libfftconv_mpi). Each rank reads only its own rows of the image (npy by offsets,
// FITS by row ranges: tools/io/rows.hpp) and the whole kernel, and writes only its own rows of
// the result, in place into the output's temporary, which rank 0 created at its final size and
// renames into place once every rank has written (as fftconv does). Errors on any rank stop
// every rank with the first failing rank's message; no file is left.
//
//   mpirun -n 4 fftconv-mpi convolve image.fits psf.fits -o out.fits [--mode same|valid]
//       [--boundary RULE] [--fill V] [--method M] [--strategy S] [--threads N]
//   mpirun -n 4 fftconv-mpi deconvolve image.npy --psf psf.npy -o out.npy [--iterations N]
#include <mpi.h>
#include <CLI/CLI.hpp>

#include <algorithm>
#include <cstdio>
#include <exception>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "fftconv/fftconv.hpp"
#include "fftconv/mpi.hpp"
#include "io/convert.hpp"
#include "io/files.hpp"
#include "io/rows.hpp"
#include "mpi/agreement.hpp"

namespace {

using fftconv::mpi::RowRange;

struct Job {
  std::string command, image, kernel, output;
  fftconv::Options options;
  fftconv::mpi::Strategy strategy = fftconv::mpi::Strategy::automatic;
  int iterations = 50;
};

template <class E>
std::map<std::string, E> names_of() {
  std::map<std::string, E> m;
  for (const auto& entry : fftconv::names<E>())
    m.emplace(entry.name, entry.value);
  return m;
}

std::map<std::string, fftconv::mpi::Strategy> strategy_names() {
  using fftconv::mpi::Strategy;
  std::map<std::string, Strategy> m;
  for (Strategy s : {Strategy::automatic, Strategy::halo_exchange, Strategy::distributed_fft})
    m.emplace(fftconv::mpi::to_string(s), s);
  return m;
}

/// Rank 0's string on every rank.
std::string broadcast(MPI_Comm comm, std::string text) {
  unsigned long long size = text.size();
  MPI_Bcast(&size, 1, MPI_UNSIGNED_LONG_LONG, 0, comm);
  text.resize(size);
  MPI_Bcast(text.data(), static_cast<int>(size), MPI_CHAR, 0, comm);
  return text;
}

template <class T>
void run(MPI_Comm comm, const Job& job, const fftconv::io::ImageHeader& in_header,
         fftconv::io::RowReader& reader) {
  int rank = 0;
  MPI_Comm_rank(comm, &rank);
  const fftconv::Shape& shape = in_header.shape;
  const RowRange mine = fftconv::mpi::balanced_rows(comm, shape);
  std::vector<T> image, kernel, out;
  fftconv::Shape kernel_shape, out_shape, local_in = shape, local_out;
  fftconv::io::ImageHeader out_header;
  std::unique_ptr<fftconv::io::OutputFile> file;
  fftconv::detail::mpi::agree(comm, [&] {
    std::vector<unsigned char> bytes(mine.rows * fftconv::io::row_bytes(in_header));
    reader.read(mine.first_row, mine.rows, bytes.data());
    local_in[0] = mine.rows;
    image.resize(fftconv::element_count(local_in));
    fftconv::io::to_values(bytes.data(), in_header.type, image.size(), image.data());
    const fftconv::io::Image k = fftconv::io::read_image(job.kernel);
    kernel = fftconv::io::to_values<T>(k);
    kernel_shape = k.shape;
    out_shape = job.command == "deconvolve"
                    ? shape
                    : fftconv::output_shape(shape, kernel_shape, job.options.mode);
    out_header.shape = out_shape;
    out_header.type = sizeof(T) == 4 ? fftconv::io::PixelType::f32 : fftconv::io::PixelType::f64;
    out_header.metadata.history.push_back("fftconv-mpi " + job.command);
    if (rank == 0) {  // the temporary, its header written and its size set
      file = std::make_unique<fftconv::io::OutputFile>(job.output);
      file->start_rows(out_header);
    }
  });
  const std::string temporary = broadcast(comm, rank == 0 ? file->temporary_path() : "");
  const fftconv::ConstView<T> k(kernel.data(), kernel_shape);
  const fftconv::ConstView<T> in(image.data(), local_in);
  RowRange out_rows = mine;
  if (job.command == "deconvolve") {
    out.resize(image.size());
    fftconv::mpi::richardson_lucy(comm, in, shape, mine.first_row, k,
                                  fftconv::View<T>(out.data(), local_in), job.iterations,
                                  job.options, job.strategy);
  } else {
    const fftconv::mpi::Filter<T> filter(
        comm, k, shape, mine,
        job.command == "convolve" ? fftconv::Operation::convolve : fftconv::Operation::correlate,
        job.options, job.strategy);
    out_rows = filter.output_rows();
    local_out = filter.local_output_shape();
    out.resize(fftconv::element_count(local_out));
    filter.apply(in, fftconv::View<T>(out.data(), local_out));
    if (rank == 0)
      std::fprintf(stderr, "fftconv-mpi: %s on %s\n", job.command.c_str(),
                   fftconv::mpi::to_string(filter.strategy()));
  }
  std::vector<unsigned char> out_bytes(out.size() * sizeof(T));
  fftconv::io::Conversion report;
  fftconv::io::from_values(out.data(), out.size(), out_header.type, out_bytes.data(), report);
  out = std::vector<T>();
  // Every rank writes its own rows into the temporary (exact byte ranges, at once); rank 0
  // renames it into place when all have.
  fftconv::detail::mpi::agree(comm, [&] {
    const auto writer = fftconv::io::resume_image_rows(job.output, temporary, out_header);
    writer->write(out_rows.first_row, out_rows.rows, out_bytes.data());
    writer->finish();
  });
  fftconv::detail::mpi::agree(comm, [&] {
    if (rank == 0) file->finish_rows();
  });
}

}  // namespace

int main(int argc, char** argv) {
  MPI_Init(&argc, &argv);
  int rank = 0;
  MPI_Comm_rank(MPI_COMM_WORLD, &rank);
  Job job;
  CLI::App app{"fftconv-mpi: convolution of images split over MPI ranks (run under mpirun)"};
  app.require_subcommand(1);
  auto add_common = [&](CLI::App* sub) {
    sub->add_option("-o,--output", job.output, "The output file (.npy or FITS)")->required();
    sub->add_option("--method", job.options.method, "The method on each band (default automatic)")
        ->transform(CLI::CheckedTransformer(names_of<fftconv::Method>()));
    sub->add_option("--strategy", job.strategy,
                    "automatic (default), halo_exchange or distributed_fft")
        ->transform(CLI::CheckedTransformer(strategy_names()));
    sub->add_option("--threads", job.options.threads, "Threads per rank (default 1)");
    sub->add_option("--planning", job.options.planning, "FFTW planning (default estimate)")
        ->transform(CLI::CheckedTransformer(names_of<fftconv::Planning>()));
  };
  for (const char* name : {"convolve", "correlate"}) {
    auto* sub = app.add_subcommand(name, std::string(name) + " IMAGE with KERNEL");
    sub->add_option("image", job.image, "The image (.npy or FITS)")->required();
    sub->add_option("kernel", job.kernel, "The kernel (any format fftconv reads)")->required();
    sub->add_option("--mode", job.options.mode, "same (default) or valid")
        ->transform(CLI::CheckedTransformer(names_of<fftconv::Mode>()));
    sub->add_option("--boundary", job.options.boundary, "Boundary rule (default zero)")
        ->transform(CLI::CheckedTransformer(names_of<fftconv::Boundary>()));
    sub->add_option("--fill", job.options.fill_value,
                    "The value outside the image for --boundary constant (implies it)");
    add_common(sub);
  }
  auto* deconvolve = app.add_subcommand("deconvolve", "Richardson-Lucy, zero edges");
  deconvolve->add_option("image", job.image, "The image (.npy or FITS)")->required();
  deconvolve->add_option("--psf", job.kernel, "The PSF")->required();
  deconvolve->add_option("--iterations", job.iterations, "Iterations (default 50)");
  add_common(deconvolve);
  int status = 0;
  try {
    app.parse(argc, argv);
    for (auto* sub : app.get_subcommands()) {
      job.command = sub->get_name();
      // As fftconv: --fill implies --boundary constant, and contradicts any other rule.
      if (sub->get_name() != "deconvolve" && sub->count("--fill")) {
        if (sub->count("--boundary") && job.options.boundary != fftconv::Boundary::constant)
          throw fftconv::Error(fftconv::ErrorCode::invalid_argument,
                               "--fill is the value outside the image for --boundary constant");
        job.options.boundary = fftconv::Boundary::constant;
      }
    }
    std::unique_ptr<fftconv::io::RowReader> reader;
    fftconv::detail::mpi::agree(MPI_COMM_WORLD, [&] {
      reader = fftconv::io::open_image_rows(job.image);
      if (!reader)
        throw fftconv::Error(fftconv::ErrorCode::invalid_argument,
                             job.image + ": only .npy and FITS images are read by rows");
      if (!reader->header().rows_refused.empty())
        throw fftconv::Error(fftconv::ErrorCode::invalid_argument,
                             job.image + ": " + reader->header().rows_refused);
      if (!fftconv::io::writes_rows(job.output))
        throw fftconv::Error(fftconv::ErrorCode::invalid_argument,
                             job.output + ": the output must be .npy or (uncompressed) FITS");
    });
    if (reader->header().type == fftconv::io::PixelType::f32)
      run<float>(MPI_COMM_WORLD, job, reader->header(), *reader);
    else
      run<double>(MPI_COMM_WORLD, job, reader->header(), *reader);
  } catch (const CLI::ParseError& e) {
    if (rank == 0)
      status = app.exit(e);
    else
      status = e.get_exit_code();
  } catch (const std::exception& e) {
    if (rank == 0) std::fprintf(stderr, "fftconv-mpi: %s\n", e.what());
    status = 1;
  }
  MPI_Finalize();
  return status;
}
