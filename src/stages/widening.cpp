#include "stages/widening.hpp"

#include <vector>

#include "util/checked_math.hpp"
#include "util/copy.hpp"

namespace fftconv::detail {

namespace {
View<double> dense_view(std::vector<double>& data, const Problem& p, bool output) {
  Shape shape;
  for (const Axis& a : p.axes)
    shape.push_back(output ? a.out : a.n);
  return View<double>(data.data(), shape);
}
}  // namespace

std::size_t widening_bytes(const Problem& p) {
  const std::size_t image = p.image_count(), kernel = p.kernel_count(), out = p.output_count();
  const std::size_t outputs = p.masked ? checked_mul(out, 2, "widened copies") : out;
  const std::size_t copies =
      checked_add(checked_add(image, kernel, "widened copies"), outputs, "widened copies");
  return checked_mul(copies, sizeof(double), "widened copies");
}

template <class T>
std::vector<double> widened_copy(const ConstView<T>& v) {
  return dense_values<double>(v, [](T x) { return static_cast<double>(x); });
}

void apply_widened(const Problem& p, const ConstView<float>& image, const View<float>& out,
                   const View<float>& weight, const WidenedRun& run) {
  const bool want_weight = weight.data() != nullptr;
  std::vector<double> in = widened_copy(image);
  std::vector<double> result(p.output_count());
  std::vector<double> weights(want_weight ? p.output_count() : 0);
  run(dense_view(in, p, false), dense_view(result, p, true),
      want_weight ? dense_view(weights, p, true) : View<double>());
  store_rounded(result, out);
  if (want_weight) store_rounded(weights, weight);
}

template std::vector<double> widened_copy(const ConstView<float>&);
template std::vector<double> widened_copy(const ConstView<double>&);

}  // namespace fftconv::detail
