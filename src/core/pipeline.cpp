#include "core/pipeline.hpp"

#include <new>
#include <string>

#include "stages/clamping.hpp"
#include "stages/missing_pixels.hpp"
#include "stages/widening.hpp"
#include "util/check.hpp"

namespace fftconv::detail {

namespace {

/// Runs f, turning an allocation failure in it (std::bad_alloc, or an aligned buffer's
/// Error(out_of_memory)) into Error(out_of_memory) that names the method and the working memory
/// it needs; a failure already described so passes unchanged.
template <class F>
decltype(auto) naming_allocation_failure(const MethodChoice& choice, F&& f) {
  constexpr const char* prefix = "out of memory: ";
  try {
    return f();
  } catch (const std::bad_alloc&) {
    fail(ErrorCode::out_of_memory, prefix, "the ", to_string(choice.method), " method needs ",
         choice.bytes, " bytes of working memory");
  } catch (const Error& e) {
    if (e.code() != ErrorCode::out_of_memory || std::string(e.what()).rfind(prefix, 0) == 0) throw;
    fail(ErrorCode::out_of_memory, prefix, "the ", to_string(choice.method), " method needs ",
         choice.bytes, " bytes of working memory (", e.what(), ")");
  }
}

}  // namespace

template <class T>
Pipeline<T>::Pipeline(Plan<T> plan, const ConstView<T>& kernel_im) : plan_(std::move(plan)) {
  FFTCONV_CHECK(kernel_im.data() == nullptr || !widens<T>(plan_.problem), internal,
                "complex data's spectral form widened");
  naming_allocation_failure(plan_.choice, [&] {
    if (widens<T>(plan_.problem)) {
      std::vector<double> k = widened_copy(plan_.kernel.values());
      wide_path_.emplace(plan_, ConstView<double>(k.data(), plan_.kernel.values().shape()));
    } else {
      path_.emplace(plan_, plan_.kernel.values(), kernel_im);
    }
  });
  plan_.kernel.drop_values();
}

template <class T>
Pipeline<T>::~Pipeline() = default;
template <class T>
Pipeline<T>::Pipeline(Pipeline&&) noexcept = default;

// The stages in the order they wrap the path.
template <class T>
void Pipeline<T>::apply(const ConstView<T>& image, const unsigned char* masked, const View<T>& out,
                        const View<T>& weight) const {
  naming_allocation_failure(plan_.choice, [&] {
    if constexpr (std::is_same_v<T, float>) {
      if (wide_path_) {
        apply_widened(
            plan_.problem, image, out, weight,
            [&](const ConstView<double>& i, const View<double>& o, const View<double>& w) {
              missing_pixels_then_path(*wide_path_, i, masked, o, w);
            });
      } else {
        missing_pixels_then_path(*path_, image, masked, out, weight);
      }
    } else {
      missing_pixels_then_path(*path_, image, masked, out, weight);
    }
    if (plan_.problem.nonnegative) clamp_negative(out);
  });
}

template <class T>
void Pipeline<T>::apply(const Parts<const T>& image, const Parts<T>& out) const {
  FFTCONV_CHECK(path_.has_value(), internal, "complex data's spectral form widened");
  naming_allocation_failure(
      plan_.choice, [&] { path_->run(image, out, static_cast<T>(plan_.problem.fill_value)); });
}

template <class T>
template <class C>
void Pipeline<T>::missing_pixels_then_path(const PreparedPath<C>& path, const ConstView<C>& image,
                                           const unsigned char* masked, const View<C>& out,
                                           const View<C>& weight) const {
  const Problem& p = plan_.problem;
  if (!handles_missing(p, masked != nullptr, weight.data() != nullptr)) {
    path.run(image, out, static_cast<C>(p.fill_value));
    return;
  }
  apply_with_missing<C>(
      p, plan_.kernel.sum(), image, masked, out, weight,
      [&path](const ConstView<C>& i, const View<C>& o, C fill) { path.run(i, o, fill); });
}

template class Pipeline<float>;
template class Pipeline<double>;

}  // namespace fftconv::detail
