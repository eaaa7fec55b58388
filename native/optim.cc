// Fused optimizer updates (Adam/AdamW, SGD), in place over contiguous buffers.
// Each element is computed in double exactly as the TypeScript loops in
// src/optim do, with the state stored (and so rounded) before it is read back.
#include <cmath>

#include "kernels.h"

namespace tg {
namespace {

constexpr int64_t OPTIM_GRAIN = 16384;

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
