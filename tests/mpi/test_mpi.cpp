// libfftconv_mpi against the single-process library: every rank builds the same global image
// and kernel, computes the single-process result, and checks its own rows of the distributed
// one. Run under mpirun with 1 to 4 ranks (tests/CMakeLists.txt): splits balanced, uneven (a
// rank with one row, a rank with none), in reverse rank order, kernels longer than a slab and
// than the image, every boundary rule, same and valid, both strategies, float and double.
#define DOCTEST_CONFIG_IMPLEMENT
#include <doctest/doctest.h>
#include <mpi.h>

#include <algorithm>
#include <cmath>
#include <limits>
#include <random>
#include <string>
#include <vector>

#include "fftconv/fftconv.hpp"
#include "fftconv/mpi.hpp"
#include "support/test_data.hpp"

namespace {

using fftconv::Boundary;
using fftconv::Mode;
using fftconv::Operation;
using fftconv::Shape;
using fftconv::mpi::RowRange;
using fftconv::mpi::Strategy;

int world_rank() {
  int r = 0;
  MPI_Comm_rank(MPI_COMM_WORLD, &r);
  return r;
}
int world_size() {
  int s = 1;
  MPI_Comm_size(MPI_COMM_WORLD, &s);
  return s;
}

enum class Split { balanced, uneven, reversed };

/// This rank's rows of n0 under a split.
RowRange split_rows(Split split, std::size_t n0) {
  const auto r = static_cast<std::size_t>(world_rank());
  const auto p = static_cast<std::size_t>(world_size());
  if (split == Split::balanced || p == 1) return fftconv::mpi::balanced_rows(MPI_COMM_WORLD, {n0});
  if (split == Split::reversed) {  // rank 0 holds the last rows
    const std::size_t q = p - 1 - r, base = n0 / p, extra = n0 % p;
    return {q * base + std::min(q, extra), base + (q < extra ? 1 : 0)};
  }
  // uneven: rank 0 one row, the last rank none (from 3 ranks on), the others the rest
  const std::size_t holders = p >= 3 ? p - 1 : p;
  if (r == 0) return {0, 1};
  if (r >= holders) return {n0, 0};
  const std::size_t rest = n0 - 1, share = rest / (holders - 1), extra = rest % (holders - 1);
  const std::size_t q = r - 1;
  return {1 + q * share + std::min(q, extra), share + (q < extra ? 1 : 0)};
}

template <class T>
fftconv::ConstView<T> rows_of(const testing::Array<T>& a, RowRange rows) {
  Shape s = a.shape;
  s[0] = rows.rows;
  return {a.values.data() + rows.first_row * (a.size() / a.shape[0]), s};
}

/// sqrt(sum x^2): the L2 norm the FFT's error is proportional to.
template <class T>
double l2(const testing::Array<T>& a) {
  long double s = 0;
  for (T v : a.values)
    s += static_cast<long double>(v) * v;
  return std::sqrt(static_cast<double>(s));
}

struct Case {
  Shape image, kernel;
};

template <class T>
void check_case(const Case& c, Boundary boundary, Mode mode, Operation op, Split split,
                Strategy strategy, fftconv::Method method) {
  std::mt19937_64 rng(42);  // the same data on every rank
  const auto image = testing::uniform<T>(c.image, rng, -1, 1);
  const auto kernel = testing::uniform<T>(c.kernel, rng, -1, 1);
  fftconv::Options o;
  o.mode = mode;
  o.boundary = boundary;
  o.fill_value = 0.75;
  o.method = method;
  testing::Array<T> expected(fftconv::output_shape(c.image, c.kernel, mode));
  fftconv::Options single = o;
  if (strategy == Strategy::distributed_fft) single.method = fftconv::Method::fft;
  if (op == Operation::convolve)
    fftconv::convolve(image.view(), kernel.view(), expected.view(), single);
  else
    fftconv::correlate(image.view(), kernel.view(), expected.view(), single);

  const RowRange mine = split_rows(split, c.image[0]);
  const fftconv::mpi::Filter<T> filter(MPI_COMM_WORLD, kernel.view(), c.image, mine, op, o,
                                       strategy);
  const RowRange out_rows = filter.output_rows();
  testing::Array<T> got(filter.local_output_shape());
  std::fill(got.values.begin(), got.values.end(), std::numeric_limits<T>::quiet_NaN());
  filter.apply(rows_of(image, mine), got.view());

  const std::size_t row_values = expected.shape[0] ? expected.size() / expected.shape[0] : 0;
  // The FFT's rounding: every result's error is within eps log2(points) ||image||_2 ||kernel||_2
  // (Cauchy-Schwarz on the transforms' rounding); 4x that for the two transforms compared.
  double points = 1;
  for (int a = 0; a < c.image.rank(); ++a)
    points *= static_cast<double>(fftconv::next_fast_size(c.image[a] + 2 * c.kernel[a]));
  const double tolerance =
      method == fftconv::Method::direct && strategy != Strategy::distributed_fft
          ? 0.0  // same band, same sums: bit for bit
          : 4 * std::numeric_limits<T>::epsilon() * std::log2(points) * l2(image) * l2(kernel);
  double worst = 0;
  for (std::size_t r = 0; r < out_rows.rows; ++r)
    for (std::size_t j = 0; j < row_values; ++j) {
      const double e = expected.values[(out_rows.first_row + r) * row_values + j];
      const double g = got.values[r * row_values + j];
      worst = std::max(worst,
                       std::isnan(g) ? std::numeric_limits<double>::infinity() : std::abs(e - g));
    }
  INFO("image ", fftconv::to_string(c.image), " kernel ", fftconv::to_string(c.kernel), " ",
       fftconv::to_string(boundary), " ", fftconv::to_string(mode), " ", fftconv::to_string(op),
       " split ", static_cast<int>(split), " ", fftconv::mpi::to_string(strategy), " rank ",
       world_rank(), " rows ", out_rows.first_row, "+", out_rows.rows);
  CHECK(worst <= tolerance);
}

const Boundary all_boundaries[] = {Boundary::zero,   Boundary::constant, Boundary::reflect,
                                   Boundary::mirror, Boundary::nearest,  Boundary::wrap};

template <class T>
void check_all(const Case& c, Strategy strategy, fftconv::Method method) {
  for (Boundary b : all_boundaries)
    for (Mode mode : {Mode::same, Mode::valid})
      for (Operation op : {Operation::convolve, Operation::correlate})
        for (Split split : {Split::balanced, Split::uneven, Split::reversed})
          check_case<T>(c, b, mode, op, split, strategy, method);
}

}  // namespace

TEST_CASE("mpi: halo exchange with the direct method equals the single process bit for bit") {
  // 13 rows over up to 4 ranks: slabs of 1 to 4 rows, kernels of 7 and 9 rows are longer.
  for (const Case& c : {Case{{13, 11}, {7, 4}}, Case{{13, 6}, {3, 3}}, Case{{5, 7}, {9, 2}},
                        Case{{9, 6, 5}, {3, 4, 2}}, Case{{17}, {6}}}) {
    check_all<double>(c, Strategy::halo_exchange, fftconv::Method::direct);
    check_all<float>(c, Strategy::halo_exchange, fftconv::Method::direct);
  }
}

TEST_CASE("mpi: halo exchange with the fft method agrees to rounding") {
  for (const Case& c : {Case{{13, 11}, {7, 4}}, Case{{9, 6, 5}, {3, 4, 2}}})
    check_all<double>(c, Strategy::halo_exchange, fftconv::Method::fft);
}

TEST_CASE("mpi: the distributed transform agrees to rounding") {
  for (const Case& c : {Case{{13, 11}, {7, 4}}, Case{{5, 7}, {9, 2}}, Case{{12, 10}, {12, 10}},
                        Case{{9, 6, 5}, {3, 4, 2}}}) {
    check_all<double>(c, Strategy::distributed_fft, fftconv::Method::automatic);
    check_all<float>(c, Strategy::distributed_fft, fftconv::Method::automatic);
  }
}

TEST_CASE("mpi: the automatic strategy") {
  // A 3x3 kernel on a tall image: the halo is two rows, far cheaper than transposes.
  const Shape image{256, 64}, small{3, 3};
  const RowRange mine = fftconv::mpi::balanced_rows(MPI_COMM_WORLD, image);
  CHECK(fftconv::mpi::chosen_strategy(MPI_COMM_WORLD, small, image, mine) ==
        Strategy::halo_exchange);
  // A kernel as large as the image on 4 ranks: each band (n0 / P + k0 - 1 rows: 1278) is 62% of
  // the whole window (2046 rows), which the distributed transform splits evenly: 25% each plus
  // the transposes. (On 2 and 3 ranks the model still finds halo exchange cheaper, 8.1 against
  // 11.0 and 7.0 against 7.3 ms: the transposes' passes over memory cost what splitting saves.)
  const Shape big{1024, 256}, big_kernel{1023, 255};
  if (world_size() >= 4)
    CHECK(fftconv::mpi::chosen_strategy(MPI_COMM_WORLD, big_kernel, big,
                                        fftconv::mpi::balanced_rows(MPI_COMM_WORLD, big)) ==
          Strategy::distributed_fft);
  // Whatever it picks, the result is the single process's.
  check_case<double>({{40, 12}, {21, 5}}, Boundary::reflect, Mode::same, Operation::convolve,
                     Split::balanced, Strategy::automatic, fftconv::Method::automatic);
}

TEST_CASE("mpi: the options the band takes and the distributed transform's own") {
  std::mt19937_64 rng(7);
  const Shape shape{14, 9};
  auto image = testing::uniform<double>(shape, rng, 0, 1);
  image.values[20] = std::numeric_limits<double>::quiet_NaN();
  const auto kernel = testing::uniform<double>({5, 3}, rng, 0, 1);
  const RowRange mine = split_rows(Split::uneven, shape[0]);
  for (fftconv::NanPolicy policy : {fftconv::NanPolicy::fill, fftconv::NanPolicy::interpolate})
    for (Strategy strategy : {Strategy::halo_exchange, Strategy::distributed_fft}) {
      if (policy == fftconv::NanPolicy::interpolate && strategy == Strategy::distributed_fft)
        continue;
      fftconv::Options o;
      o.boundary = Boundary::mirror;
      o.nan_policy = policy;
      o.fill_value = 0.5;
      o.nonnegative = true;
      o.origin = {1, -1};
      o.method = fftconv::Method::fft;
      testing::Array<double> expected(shape);
      fftconv::convolve(image.view(), kernel.view(), expected.view(), o);
      const fftconv::mpi::Filter<double> filter(MPI_COMM_WORLD, kernel.view(), shape, mine,
                                                Operation::convolve, o, strategy);
      testing::Array<double> got(filter.local_output_shape());
      filter.apply(rows_of(image, mine), got.view());
      const std::size_t w = shape[1];
      for (std::size_t i = 0; i < got.size(); ++i) {
        const double e = expected.values[mine.first_row * w + i], g = got.values[i];
        INFO("policy ", fftconv::to_string(policy), " ", fftconv::mpi::to_string(strategy), " ", i);
        CHECK((std::isnan(e) ? std::isnan(g) : std::abs(e - g) <= 1e-13));
      }
    }
}

TEST_CASE("mpi: preserve_nan with an origin and reflecting or periodic edges, bit for bit") {
  // The band's copies of a NaN beyond the image's edge are not image pixels: only outputs
  // centred on the image's own NaN become NaN again (1-D, a NaN near each end, origin +-1).
  for (Boundary b : {Boundary::reflect, Boundary::mirror, Boundary::wrap, Boundary::nearest})
    for (std::ptrdiff_t origin : {-1, 1, 2})
      for (fftconv::NanPolicy policy :
           {fftconv::NanPolicy::fill, fftconv::NanPolicy::interpolate}) {
        std::vector<double> image{1, std::nan(""), 3, 4, 5, 6, 7, std::nan(""), 9};
        const std::vector<double> kernel{1, 2, 3, 4};
        fftconv::Options o;
        o.boundary = b;
        o.nan_policy = policy;
        o.preserve_nan = true;
        o.origin = {origin};
        o.method = fftconv::Method::direct;
        std::vector<double> expected(9);
        fftconv::convolve(fftconv::ConstView<double>(image.data(), {9}),
                          fftconv::ConstView<double>(kernel.data(), {4}),
                          fftconv::View<double>(expected.data(), {9}), o);
        const RowRange mine = split_rows(Split::uneven, 9);
        std::vector<double> got(mine.rows);
        fftconv::mpi::convolve(MPI_COMM_WORLD, {image.data() + mine.first_row, {mine.rows}}, {9},
                               mine.first_row, {kernel.data(), {4}}, {got.data(), {mine.rows}}, o,
                               Strategy::halo_exchange);
        for (std::size_t i = 0; i < got.size(); ++i) {
          const double e = expected[mine.first_row + i];
          INFO(fftconv::to_string(b), " origin ", origin, " ", fftconv::to_string(policy),
               " output ", mine.first_row + i, ": ", e, " vs ", got[i]);
          CHECK((std::isnan(e) ? std::isnan(got[i]) : e == got[i]));
        }
      }
}

TEST_CASE("mpi: each rank's memory is its own") {
  // max_memory_bytes bounds each rank's working memory: the band (extended by the kernel's
  // reach), the rows exchanged, and the band's direct method (which extends its input once more).
  // For 256 x 64 doubles with a 9 x 9 kernel the single process needs 152592 bytes; a rank of
  // 3 needs 140088, of 4 115728 (1 rank: 326160, 2: 183824). 145000 is accepted from 3 ranks on,
  // with the single process's result, and refused before on every rank.
  std::mt19937_64 rng(3);
  const Shape shape{256, 64};
  const auto image = testing::uniform<double>(shape, rng, 0, 1);
  const auto kernel = testing::uniform<double>({9, 9}, rng, 0, 1);
  const RowRange mine = fftconv::mpi::balanced_rows(MPI_COMM_WORLD, shape);
  fftconv::Options o;
  o.method = fftconv::Method::direct;
  testing::Array<double> expected(shape);
  fftconv::convolve(image.view(), kernel.view(), expected.view(), o);
  o.max_memory_bytes = 145000;
  if (world_size() >= 3) {
    const fftconv::mpi::Filter<double> f(MPI_COMM_WORLD, kernel.view(), shape, mine,
                                         Operation::convolve, o);
    CHECK(f.strategy() == Strategy::halo_exchange);
    testing::Array<double> got(f.local_output_shape());
    f.apply(rows_of(image, mine), got.view());
    CHECK(std::equal(got.values.begin(), got.values.end(),
                     expected.values.begin() + static_cast<std::ptrdiff_t>(mine.first_row * 64)));
  } else {
    CHECK_THROWS_WITH_AS(fftconv::mpi::Filter<double>(MPI_COMM_WORLD, kernel.view(), shape, mine,
                                                      Operation::convolve, o),
                         doctest::Contains("max_memory_bytes"), fftconv::Error);
  }
  // The distributed transform counts its grid and spectrum.
  fftconv::Options small;
  small.max_memory_bytes = 20000;
  CHECK_THROWS_WITH_AS(
      fftconv::mpi::Filter<double>(MPI_COMM_WORLD, kernel.view(), shape, mine, Operation::convolve,
                                   small, Strategy::distributed_fft),
      doctest::Contains("max_memory_bytes"), fftconv::Error);
}

TEST_CASE("mpi: a bad argument on one rank is refused on every rank, nothing written") {
  const Shape shape{8, 8};
  std::vector<double> image(64, 1.0), kernel(9, 1.0);
  const RowRange mine = fftconv::mpi::balanced_rows(MPI_COMM_WORLD, shape);
  const Shape local{mine.rows, 8};
  // Rank 0 (only) passes an output with a wrong shape.
  std::vector<double> out(mine.rows * 8 + 8, -7.0);
  const Shape out_shape{world_rank() == 0 ? mine.rows + 1 : mine.rows, 8};
  bool threw = false;
  try {
    fftconv::mpi::convolve(MPI_COMM_WORLD, {image.data(), local}, shape, mine.first_row,
                           {kernel.data(), {3, 3}}, {out.data(), out_shape});
  } catch (const fftconv::Error& e) {
    threw = true;
    CHECK(std::string(e.what()).find("local_out has shape") != std::string::npos);
  }
  CHECK(threw);
  CHECK(std::all_of(out.begin(), out.end(), [](double v) { return v == -7.0; }));
  // Rows that do not tile the image: every rank refuses.
  threw = false;
  try {
    const fftconv::mpi::Filter<double> f(MPI_COMM_WORLD, {kernel.data(), {3, 3}}, shape,
                                         {0, mine.rows}, Operation::convolve);
  } catch (const fftconv::Error& e) {
    threw = true;
    if (world_size() > 1) CHECK(std::string(e.what()).find("tile") != std::string::npos);
  }
  CHECK(threw == (world_size() > 1));
  // Ranks disagreeing on the strategy or the options: refused on every rank, not a hang.
  fftconv::Options mine_options;
  mine_options.boundary = world_rank() == 0 ? Boundary::zero : Boundary::wrap;
  if (world_size() > 1) {
    CHECK_THROWS_WITH_AS(
        fftconv::mpi::Filter<double>(
            MPI_COMM_WORLD, {kernel.data(), {3, 3}}, shape, mine, Operation::convolve, {},
            world_rank() == 0 ? Strategy::halo_exchange : Strategy::distributed_fft),
        doctest::Contains("different"), fftconv::Error);
    CHECK_THROWS_WITH_AS(
        fftconv::mpi::Filter<double>(MPI_COMM_WORLD, {kernel.data(), {3, 3}}, shape, mine,
                                     Operation::convolve, mine_options),
        doctest::Contains("different"), fftconv::Error);
  }
  // The library's own checks of values, with the caller's boundary: a fill value beyond float.
  std::vector<float> image32(64, 1.0f), kernel32(9, 1.0f), out32(mine.rows * 8);
  fftconv::Options huge_fill;
  huge_fill.boundary = Boundary::constant;
  huge_fill.fill_value = 1e40;
  CHECK_THROWS_AS(
      fftconv::mpi::convolve(MPI_COMM_WORLD, {image32.data(), local}, shape, mine.first_row,
                             {kernel32.data(), {3, 3}}, {out32.data(), local}, huge_fill),
      fftconv::Error);
  // distributed_fft does not restore NaNs: preserve_nan refused there.
  fftconv::Options preserve;
  preserve.nan_policy = fftconv::NanPolicy::fill;
  preserve.preserve_nan = true;
  CHECK_THROWS_WITH_AS(
      fftconv::mpi::Filter<double>(MPI_COMM_WORLD, {kernel.data(), {3, 3}}, shape, mine,
                                   Operation::convolve, preserve, Strategy::distributed_fft),
      doctest::Contains("preserve_nan"), fftconv::Error);
  // A moved-from Filter refuses every use.
  fftconv::mpi::Filter<double> a(MPI_COMM_WORLD, {kernel.data(), {3, 3}}, shape, mine,
                                 Operation::convolve);
  const fftconv::mpi::Filter<double> b(std::move(a));
  CHECK(b.strategy() == Strategy::halo_exchange);
  CHECK_THROWS_AS((void)a.strategy(), fftconv::Error);  // NOLINT(bugprone-use-after-move)
  CHECK_THROWS_AS((void)a.local_output_shape(), fftconv::Error);
  // Richardson-Lucy refuses what the single process refuses: an infinite pixel.
  std::vector<double> bright(mine.rows * 8, 1.0), rl_out(mine.rows * 8);
  if (!bright.empty() && world_rank() == world_size() - 1) bright[0] = INFINITY;
  CHECK_THROWS_WITH_AS(
      fftconv::mpi::richardson_lucy(MPI_COMM_WORLD, {bright.data(), local}, shape, mine.first_row,
                                    {kernel.data(), {3, 3}}, {rl_out.data(), local}, 3),
      doctest::Contains("non-finite"), fftconv::Error);
  // full mode and batch axes are refused, distributed_fft for a 1-D image.
  fftconv::Options full;
  full.mode = Mode::full;
  CHECK_THROWS_AS(fftconv::mpi::Filter<double>(MPI_COMM_WORLD, {kernel.data(), {3, 3}}, shape, mine,
                                               Operation::convolve, full),
                  fftconv::Error);
  CHECK_THROWS_AS(fftconv::mpi::Filter<double>(MPI_COMM_WORLD, {kernel.data(), {3}}, Shape{8},
                                               fftconv::mpi::balanced_rows(MPI_COMM_WORLD, {8}),
                                               Operation::convolve, {}, Strategy::distributed_fft),
                  fftconv::Error);
}

TEST_CASE("mpi: Richardson-Lucy equals the single-process iteration") {
  for (const Case& c : {Case{{15, 12}, {5, 4}}, Case{{9, 7, 6}, {3, 4, 3}}})
    for (Strategy strategy : {Strategy::halo_exchange, Strategy::distributed_fft})
      for (Split split : {Split::balanced, Split::uneven}) {
        std::mt19937_64 rng(11);
        const auto image = testing::uniform<double>(c.image, rng, 0, 1);
        const auto psf = testing::uniform<double>(c.kernel, rng, 0, 1);
        const int iterations = 10;
        testing::Array<double> expected(c.image);
        fftconv::RichardsonLucyOptions ro;
        ro.iterations = iterations;
        ro.method = fftconv::Method::fft;
        fftconv::richardson_lucy(image.view(), psf.view(), expected.view(), ro);
        const RowRange mine = split_rows(split, c.image[0]);
        Shape local = c.image;
        local[0] = mine.rows;
        testing::Array<double> got(local);
        fftconv::Options o;
        o.method = fftconv::Method::fft;
        fftconv::mpi::richardson_lucy(MPI_COMM_WORLD, rows_of(image, mine), c.image, mine.first_row,
                                      psf.view(), got.view(), iterations, o, strategy);
        // Each iteration's two FFT convolutions round at 4 eps log2(points) of the values
        // (the estimate stays of the order of the data): iterations times that, relative.
        double points = 1, top = 0;
        for (int a = 0; a < c.image.rank(); ++a)
          points *= static_cast<double>(fftconv::next_fast_size(c.image[a] + 2 * c.kernel[a]));
        for (double v : expected.values)
          top = std::max(top, std::abs(v));
        const double tolerance =
            iterations * 4 * std::numeric_limits<double>::epsilon() * std::log2(points) * top;
        double worst = 0;
        const std::size_t w = image.size() / c.image[0];
        for (std::size_t i = 0; i < got.size(); ++i)
          worst =
              std::max(worst, std::abs(got.values[i] - expected.values[mine.first_row * w + i]));
        INFO(fftconv::to_string(c.image), " ", fftconv::mpi::to_string(strategy), " rank ",
             world_rank());
        CHECK(worst <= tolerance);
      }
}

TEST_CASE("mpi: balanced_rows and output_rows") {
  const RowRange r = fftconv::mpi::balanced_rows(MPI_COMM_WORLD, {10, 3});
  std::size_t total = r.rows, first = r.first_row;
  MPI_Allreduce(MPI_IN_PLACE, &total, 1, MPI_UINT64_T, MPI_SUM, MPI_COMM_WORLD);
  MPI_Allreduce(MPI_IN_PLACE, &first, 1, MPI_UINT64_T, MPI_MIN, MPI_COMM_WORLD);
  CHECK(total == 10);
  CHECK(first == 0);
  // valid: image rows [a, b) give output rows [a - k0/2, b - k0/2) clipped to [0, n0 - k0 + 1).
  const RowRange v = fftconv::mpi::output_rows({10, 3}, {5, 1}, Mode::valid, {3, 4});
  CHECK(v.first_row == 1);
  CHECK(v.rows == 4);
  const RowRange edge = fftconv::mpi::output_rows({10, 3}, {5, 1}, Mode::valid, {0, 2});
  CHECK(edge.first_row == 0);
  CHECK(edge.rows == 0);
  const RowRange tail = fftconv::mpi::output_rows({10, 3}, {5, 1}, Mode::valid, {8, 2});
  CHECK(tail.rows == 0);
}

int main(int argc, char** argv) {
  MPI_Init(&argc, &argv);
  doctest::Context context(argc, argv);
  int failed = context.run();
  // Every rank's verdict counts.
  MPI_Allreduce(MPI_IN_PLACE, &failed, 1, MPI_INT, MPI_MAX, MPI_COMM_WORLD);
  MPI_Finalize();
  return failed;
}
