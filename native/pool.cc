// 2-d max/avg pooling, forward and backward, over contiguous NCHW planes.
// Threads split the N*C planes; every plane is independent in all four passes.
#include <cmath>
#include <cstring>
#include <vector>

#include "kernels.h"

namespace tg {
namespace {

bool contiguous(const View& v) {
  int64_t s = 1;
  for (int d = v.nd - 1; d >= 0; d--) {
    if (v.shape[d] != 1 && v.strides[d] != s) return false;
    s *= v.shape[d];
  }
  return true;
}

struct PoolGeo {
  int64_t planes, H, W, OH, OW;
};

bool pool_geo(const View& big, const View& small, PoolGeo& g) {
  if (big.nd != 4 || small.nd != 4 || !contiguous(big) || !contiguous(small)) return false;
  if (big.shape[0] != small.shape[0] || big.shape[1] != small.shape[1]) return false;
  g = PoolGeo{big.shape[0] * big.shape[1], big.shape[2], big.shape[3], small.shape[2], small.shape[3]};
  return true;
}

// The clipped window of output (oh, ow) and its divisor, exactly as the ref kernel computes them.
struct Win {
  int64_t hs, he, ws, we, divisor;
};
TG_INLINE Win window(const PoolGeo& g, const Pool2dParams& p, int64_t oh, int64_t ow) {
  const int64_t h0 = oh * p.sh - p.ph, w0 = ow * p.sw - p.pw;
  const int64_t hp = std::min(h0 + p.kh, g.H + p.ph) - h0, wp = std::min(w0 + p.kw, g.W + p.pw) - w0;
  Win r;
  r.hs = std::max<int64_t>(h0, 0);
  r.ws = std::max<int64_t>(w0, 0);
  r.he = std::min(h0 + p.kh, g.H);
  r.we = std::min(w0 + p.kw, g.W);
  r.divisor = p.countIncludePad ? hp * wp : (r.he - r.hs) * (r.we - r.ws);
  return r;
}

template <typename F> void over_planes(const PoolGeo& g, F&& f) {
  const int64_t per = g.H * g.W + g.OH * g.OW;
  parallel_for_lambda(g.planes, (16384 + per - 1) / (per ? per : 1), [&](int64_t lo, int64_t hi) {
    for (int64_t pl = lo; pl < hi; pl++) f(pl);
  });
}

template <typename T> void max_fwd(const PoolGeo& g, const Pool2dParams& p, const T* x, T* y, int32_t* am) {
  over_planes(g, [&](int64_t pl) {
    const T* xp = x + pl * g.H * g.W;
    T* yp = y + pl * g.OH * g.OW;
    int32_t* ap = am + pl * g.OH * g.OW;
    for (int64_t oh = 0; oh < g.OH; oh++)
      for (int64_t ow = 0; ow < g.OW; ow++) {
        const Win w = window(g, p, oh, ow);
        T best = -INFINITY;
        int64_t bi = w.hs * g.W + w.ws;
        // Branch-free scan (random data mispredicts `v > best` half the time); a window
        // holding a NaN is rescanned below with the exact rule of the ref kernel.
        bool nan = false;
        for (int64_t h = w.hs; h < w.he; h++) {
          const T* row = xp + h * g.W;
          for (int64_t c = w.ws; c < w.we; c++) {
            const T v = row[c];
            const bool take = v > best;
            nan |= v != v;
            best = take ? v : best;
            bi = take ? h * g.W + c : bi;
          }
        }
        if (nan) {
          best = -INFINITY;
          bi = w.hs * g.W + w.ws;
        }
        for (int64_t h = nan ? w.hs : w.he; h < w.he; h++) {
          const T* row = xp + h * g.W;
          for (int64_t c = w.ws; c < w.we; c++) {
            const T v = row[c];
            if (v > best || v != v) {
              best = v;
              bi = h * g.W + c;
              if (v != v) break;  // like ref: leaves this row only
            }
          }
        }
        yp[oh * g.OW + ow] = best;
        ap[oh * g.OW + ow] = static_cast<int32_t>(bi);
      }
  });
}

template <typename T> void max_bwd(const PoolGeo& g, const T* gy, const int32_t* am, T* gx) {
  over_planes(g, [&](int64_t pl) {
    T* gxp = gx + pl * g.H * g.W;
    std::memset(gxp, 0, sizeof(T) * g.H * g.W);
    const T* gyp = gy + pl * g.OH * g.OW;
    const int32_t* ap = am + pl * g.OH * g.OW;
    const int64_t n = g.OH * g.OW, hw = g.H * g.W;
    for (int64_t i = 0; i < n; i++) {
      const int64_t j = ap[i];
      if (j >= 0 && j < hw) gxp[j] += gyp[i];
    }
  });
}

template <typename T> void avg_fwd(const PoolGeo& g, const Pool2dParams& p, const T* x, T* y) {
  over_planes(g, [&](int64_t pl) {
    const T* xp = x + pl * g.H * g.W;
    T* yp = y + pl * g.OH * g.OW;
    for (int64_t oh = 0; oh < g.OH; oh++)
      for (int64_t ow = 0; ow < g.OW; ow++) {
        const Win w = window(g, p, oh, ow);
        double s = 0;
        for (int64_t h = w.hs; h < w.he; h++)
          for (int64_t c = w.ws; c < w.we; c++) s += double(xp[h * g.W + c]);
        yp[oh * g.OW + ow] = static_cast<T>(s / double(w.divisor));
      }
  });
}

template <typename T> void avg_bwd(const PoolGeo& g, const Pool2dParams& p, const T* gy, T* gx) {
  over_planes(g, [&](int64_t pl) {
    thread_local std::vector<double> acc;  // double accumulation, like ref
    acc.assign(g.H * g.W, 0.0);
    const T* gyp = gy + pl * g.OH * g.OW;
    for (int64_t oh = 0; oh < g.OH; oh++)
      for (int64_t ow = 0; ow < g.OW; ow++) {
        const Win w = window(g, p, oh, ow);
        const double v = double(gyp[oh * g.OW + ow]) / double(w.divisor);
        for (int64_t h = w.hs; h < w.he; h++)
          for (int64_t c = w.ws; c < w.we; c++) acc[h * g.W + c] += v;
      }
    T* gxp = gx + pl * g.H * g.W;
    for (int64_t i = 0; i < g.H * g.W; i++) gxp[i] = static_cast<T>(acc[i]);
  });
}

bool float_pair(const View& a, const View& b) { return a.dtype == b.dtype && (a.dtype == F32 || a.dtype == F64); }

}  // namespace

bool k_max_pool2d(const View& x, const View& out, const View& argmax, const Pool2dParams& p) {
  PoolGeo g;
  if (!float_pair(x, out) || argmax.dtype != I32 || !pool_geo(x, out, g) || !contiguous(argmax) || argmax.numel() != out.numel()) return false;
  if (x.dtype == F32) max_fwd(g, p, x.ptr<float>(), out.ptr<float>(), argmax.ptr<int32_t>());
  else max_fwd(g, p, x.ptr<double>(), out.ptr<double>(), argmax.ptr<int32_t>());
  return true;
}

bool k_max_pool2d_backward(const View& gy, const View& argmax, const View& gx, const Pool2dParams&) {
  PoolGeo g;
  if (!float_pair(gy, gx) || argmax.dtype != I32 || !pool_geo(gx, gy, g) || !contiguous(argmax) || argmax.numel() != gy.numel()) return false;
  if (gx.dtype == F32) max_bwd(g, gy.ptr<float>(), argmax.ptr<int32_t>(), gx.ptr<float>());
  else max_bwd(g, gy.ptr<double>(), argmax.ptr<int32_t>(), gx.ptr<double>());
  return true;
}

bool k_avg_pool2d(const View& x, const View& out, const Pool2dParams& p) {
  PoolGeo g;
  if (!float_pair(x, out) || !pool_geo(x, out, g)) return false;
  if (x.dtype == F32) avg_fwd(g, p, x.ptr<float>(), out.ptr<float>());
  else avg_fwd(g, p, x.ptr<double>(), out.ptr<double>());
  return true;
}

bool k_avg_pool2d_backward(const View& gy, const View& gx, const Pool2dParams& p) {
  PoolGeo g;
  if (!float_pair(gy, gx) || !pool_geo(gx, gy, g)) return false;
  if (gx.dtype == F32) avg_bwd(g, p, gy.ptr<float>(), gx.ptr<float>());
  else avg_bwd(g, p, gy.ptr<double>(), gx.ptr<double>());
  return true;
}

}  // namespace tg
