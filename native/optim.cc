// Fused optimizer updates (Adam/AdamW, SGD), in place over contiguous buffers.
// Each element is computed in double exactly as the TypeScript loops in
// src/optim do, with the state stored (and so rounded) before it is read back.
#include <cmath>

#include "kernels.h"

namespace tg {
namespace {

constexpr int64_t OPTIM_GRAIN = 16384;

// The common case (no amsgrad max): restrict pointers and no branch, so the double
// math vectorises (compiled twice: AVX2 where the CPU has it, baseline otherwise).
// The wide copy targets AVX2 without FMA: GCC contracts a*b+c in C++ by default, and a
// fused multiply-add would round differently from the scalar loop (and from src/optim).
template <typename T>
TG_INLINE void adam_plain_body(int64_t lo, int64_t hi, T* __restrict p, const T* __restrict g, T* __restrict m, T* __restrict v,
                               double decay, double l2, double sign, double b1, double b2, double stepSize, double bc2Sqrt, double eps) {
  for (int64_t i = lo; i < hi; i++) {
    const double pi = double(p[i]) * decay;
    const double gi = sign * double(g[i]) + l2 * pi;
    const T mi = static_cast<T>(b1 * double(m[i]) + (1 - b1) * gi);
    const T vi = static_cast<T>(b2 * double(v[i]) + (1 - b2) * gi * gi);
    m[i] = mi;
    v[i] = vi;
    p[i] = static_cast<T>(pi - (stepSize * double(mi)) / (std::sqrt(double(vi)) / bc2Sqrt + eps));
  }
}
template <typename T>
void adam_plain_generic(int64_t lo, int64_t hi, T* p, const T* g, T* m, T* v, double decay, double l2, double sign, double b1, double b2,
                        double stepSize, double bc2Sqrt, double eps) {
  adam_plain_body(lo, hi, p, g, m, v, decay, l2, sign, b1, b2, stepSize, bc2Sqrt, eps);
}
#if TG_X86
template <typename T>
__attribute__((target("avx2"))) void adam_plain_avx2(int64_t lo, int64_t hi, T* p, const T* g, T* m, T* v, double decay, double l2, double sign, double b1,
                             double b2, double stepSize, double bc2Sqrt, double eps) {
  adam_plain_body(lo, hi, p, g, m, v, decay, l2, sign, b1, b2, stepSize, bc2Sqrt, eps);
}
#endif

template <typename T> void adam_typed(const View& pv, const View& gv, const View& mv, const View& vv, const View* maxv, const AdamParams& h) {
  T* p = pv.ptr<T>();
  const T* g = gv.ptr<T>();
  T* m = mv.ptr<T>();
  T* v = vv.ptr<T>();
  T* vmax = maxv ? maxv->ptr<T>() : nullptr;
  const double decay = h.decoupled ? 1 - h.lr * h.weightDecay : 1;
  const double l2 = h.decoupled ? 0 : h.weightDecay;
  const double sign = h.maximize ? -1 : 1;
  const double b1 = h.beta1, b2 = h.beta2;
  // restrict needs four distinct buffers; anything else takes the general loop.
  const bool distinct = !vmax && p != m && p != v && m != v && static_cast<const void*>(g) != p && static_cast<const void*>(g) != m &&
                        static_cast<const void*>(g) != v;
  if (distinct) {
    auto fn = adam_plain_generic<T>;
#if TG_X86
    if (has_avx2_fma()) fn = adam_plain_avx2<T>;
#endif
    parallel_for_lambda(pv.numel(), OPTIM_GRAIN, [&](int64_t lo, int64_t hi) {
      fn(lo, hi, p, g, m, v, decay, l2, sign, b1, b2, h.stepSize, h.bc2Sqrt, h.eps);
    });
    return;
  }
  parallel_for_lambda(pv.numel(), OPTIM_GRAIN, [&](int64_t lo, int64_t hi) {
    for (int64_t i = lo; i < hi; i++) {
      const double pi = double(p[i]) * decay;
      const double gi = sign * double(g[i]) + l2 * pi;
      m[i] = static_cast<T>(b1 * double(m[i]) + (1 - b1) * gi);
      v[i] = static_cast<T>(b2 * double(v[i]) + (1 - b2) * gi * gi);
      double vh = double(v[i]);
      if (vmax) {
        if (vh > double(vmax[i])) vmax[i] = v[i];
        vh = double(vmax[i]);
      }
      p[i] = static_cast<T>(pi - (h.stepSize * double(m[i])) / (std::sqrt(vh) / h.bc2Sqrt + h.eps));
    }
  });
}

template <typename T> void sgd_typed(const View& pv, const View& gv, const View* bv, const SgdParams& h) {
  T* p = pv.ptr<T>();
  const T* g = gv.ptr<T>();
  T* b = bv ? bv->ptr<T>() : nullptr;
  const double sign = h.maximize ? -1 : 1;
  parallel_for_lambda(pv.numel(), OPTIM_GRAIN, [&](int64_t lo, int64_t hi) {
    if (!b) {
      for (int64_t i = lo; i < hi; i++) p[i] = static_cast<T>(double(p[i]) - h.lr * (sign * double(g[i]) + h.weightDecay * double(p[i])));
      return;
    }
    for (int64_t i = lo; i < hi; i++) {
      const double d = sign * double(g[i]) + h.weightDecay * double(p[i]);
      b[i] = static_cast<T>(h.firstStep ? d : h.momentum * double(b[i]) + (1 - h.dampening) * d);
      const double step = h.nesterov ? d + h.momentum * double(b[i]) : double(b[i]);
      p[i] = static_cast<T>(double(p[i]) - h.lr * step);
    }
  });
}

bool dense(const View& v) {
  int64_t s = 1;
  for (int d = v.nd - 1; d >= 0; d--) {
    if (v.shape[d] != 1 && v.strides[d] != s) return false;
    s *= v.shape[d];
  }
  return true;
}

bool compatible(const View& a, const View& b) { return a.dtype == b.dtype && a.numel() == b.numel() && dense(b); }

}  // namespace

bool k_adam_step(const View& p, const View& g, const View& m, const View& v, const View* vmax, const AdamParams& h) {
  if ((p.dtype != F32 && p.dtype != F64) || !dense(p) || !compatible(p, g) || !compatible(p, m) || !compatible(p, v)) return false;
  if (vmax && !compatible(p, *vmax)) return false;
  if (p.dtype == F32) adam_typed<float>(p, g, m, v, vmax, h);
  else adam_typed<double>(p, g, m, v, vmax, h);
  return true;
}

bool k_sgd_step(const View& p, const View& g, const View* buf, const SgdParams& h) {
  if ((p.dtype != F32 && p.dtype != F64) || !dense(p) || !compatible(p, g)) return false;
  if (buf && !compatible(p, *buf)) return false;
  if (p.dtype == F32) sgd_typed<float>(p, g, buf, h);
  else sgd_typed<double>(p, g, buf, h);
  return true;
}

}  // namespace tg
