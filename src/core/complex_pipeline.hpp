#pragma once
// Complex data on the real pipelines. With image a + ib, kernel c + id and R the real operation
// (convolution; or correlation, which conjugates the kernel: sign s = -1, else s = 1):
//   out = [R(a, c) - s R(b, d)] + i [s R(a, d) + R(b, c)]
// leaving out the terms of a part that is absent (a real image has no b, a real kernel no d).
// Each R is a real BatchedPipeline, so every method, mode, boundary rule (the fill value v is
// v + 0i: the imaginary part is extended with 0), batch axis and thread count works as for real
// data; the parts are strided views into the caller's interleaved memory (std::complex<T> is an
// array of two T). The terms are combined in the arithmetic's precision and rounded to T once:
// float data with compute_precision = double_precision runs on double copies of its parts.
#include <complex>
#include <memory>

#include "core/batched_pipeline.hpp"
#include "util/copy.hpp"

namespace fftconv::detail {

/// The real and imaginary parts of a view: for a complex view two strided views of T into its
/// memory; for a real view the view itself and no imaginary part.
template <class E>
struct Parts {
  View<E> re, im;
  bool is_complex = false;
};

template <class T>
Parts<const T> parts(const ConstView<std::complex<T>>& v);
template <class T>
Parts<T> parts(const View<std::complex<T>>& v);
template <class E>
Parts<E> parts(const View<E>& v) {
  return {v, View<E>(), false};
}

/// Whether a complex image's imaginary part needs pipelines of its own: a constant boundary with a
/// non-zero fill value v extends the image with v + 0i, the imaginary part with 0. Otherwise one
/// pipeline per kernel part serves both image parts (and, applied twice, keeps its spectrum).
inline bool imaginary_extended_apart(const Problem& p, bool image_complex) {
  return image_complex && p.boundary == Boundary::constant && p.fill_value != 0;
}

/// Whether any part of `in` may share memory with a part of `out` (an output written part by part
/// while the input's parts are still read).
template <class T>
bool parts_share_memory(const Parts<const T>& in, const Parts<T>& out) {
  for (const ConstView<T>& i : {in.re, in.im}) {
    if (i.data() == nullptr) continue;  // (a real input's absent part)
    for (const View<T>& o : {out.re, out.im})
      if (o.data() != nullptr && may_share_memory(i, o)) return true;
  }
  return false;
}

/// Refuses what complex data cannot do: options.nonnegative (no order on complex numbers),
/// normalize_kernel (each part would be divided by its own sum) and a nan_policy other than
/// propagate.
void check_complex_options(const Problem& p, const char* what);

template <class T>
class ComplexPipeline {
 public:
  /// Prepares a real pipeline per part of the kernel (and, for a constant boundary with a
  /// non-zero fill value, one more per part for the image's imaginary part, extended with 0).
  /// options.max_memory_bytes bounds them all: what the term buffers leave of it is shared
  /// equally by the real pipelines; an application checks its buffers against what is left.
  ComplexPipeline(const Call& call, const Parts<const T>& kernel, bool image_complex);
  ~ComplexPipeline();
  ComplexPipeline(ComplexPipeline&&) noexcept;

  /// out = the operation on `image` (validated views of b's shapes, b the call's batch or
  /// stacked from it); out has both parts.
  void apply(const Batch& b, const Parts<const T>& image, const Parts<T>& out) const;

  Method method() const;

 private:
  template <class C>
  struct Terms;
  void make_terms(const Call& shared, const Parts<const T>& kernel, bool image_complex,
                  bool widened);
  std::unique_ptr<const Terms<T>> native_;
  std::unique_ptr<const Terms<double>> widened_;  ///< float data computed in double
  std::size_t limit_ = 0;                         ///< options.max_memory_bytes
  std::size_t pipeline_bytes_ = 0;                ///< what the real pipelines counted
};

extern template class ComplexPipeline<float>;
extern template class ComplexPipeline<double>;

}  // namespace fftconv::detail
