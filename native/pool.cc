// 2-d max/avg pooling, forward and backward, over contiguous NCHW planes.
// Threads split the N*C planes; every plane is independent in all four passes.
#include <cmath>
#include <cstring>
#include <vector>

#if defined(__x86_64__)
#if defined(__x86_64__)
#include <immintrin.h>
#endif
#endif

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

// Branch-free scan of rows [hs, he) x columns [ws, we) (random data mispredicts `v > best`
// half the time): the first maximum and its flat index. Returns true when a NaN was seen,
// and the window must then be rescanned with the exact rule of max_window.
template <typename T> TG_INLINE bool max_scan(const T* xp, int64_t W, int64_t hs, int64_t he, int64_t ws, int64_t we, T& best, int64_t& bi) {
  best = -INFINITY;
  bi = hs * W + ws;
  bool nan = false;
  for (int64_t h = hs; h < he; h++) {
    const T* row = xp + h * W;
    for (int64_t c = ws; c < we; c++) {
      const T v = row[c];
      const bool take = v > best;
      nan |= v != v;
      best = take ? v : best;
      bi = take ? h * W + c : bi;
    }
  }
  return nan;
}

// One output of max pooling over its clipped window, with the exact rule of the ref kernel.
template <typename T> TG_INLINE void max_window(const PoolGeo& g, const Pool2dParams& p, const T* xp, int64_t oh, int64_t ow, T& best, int64_t& bi) {
  const Win w = window(g, p, oh, ow);
  if (!max_scan(xp, g.W, w.hs, w.he, w.ws, w.we, best, bi)) return;
  best = -INFINITY;
  bi = w.hs * g.W + w.ws;
  for (int64_t h = w.hs; h < w.he; h++) {
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
}

// First output index whose window starts at or after `pad`, and one past the last whose
// KH-long window ends inside `size`: outputs in between need no clipping.
TG_INLINE void interior(int64_t size, int64_t k, int64_t stride, int64_t pad, int64_t outs, int64_t& lo, int64_t& hi) {
  lo = (pad + stride - 1) / stride;
  hi = size + pad - k >= 0 ? (size + pad - k) / stride + 1 : 0;
  if (hi > outs) hi = outs;
  if (lo > hi) lo = hi;
}

#if TG_X86
// Eight stride-2 outputs (ow .. ow+7) of one output row, all with unclipped windows, in
// float32 lanes: candidate (kh, kw) of the eight windows is the even floats of the 16 read
// at row h0+kh from column 2*ow - pw + kw. Ties keep the earlier candidate (strict >), as
// the scalar scan does. Returns false, writing nothing, when a window holds a NaN.
template <int KH, int KW>
TG_AVX2 bool max8_stride2(const PoolGeo& g, const Pool2dParams& p, const float* xp, int64_t oh, int64_t ow, float* y, int32_t* am) {
  const int64_t h0 = oh * 2 - p.ph, w0 = ow * 2 - p.pw;
  __m256 best = _mm256_setzero_ps(), nan = _mm256_setzero_ps();
  __m256i code = _mm256_setzero_si256();
  for (int kh = 0; kh < KH; kh++)
    for (int kw = 0; kw < KW; kw++) {
      const float* s = xp + (h0 + kh) * g.W + w0 + kw;
      const __m256 a = _mm256_loadu_ps(s), b = _mm256_loadu_ps(s + 8);
      const __m256 v = _mm256_castpd_ps(_mm256_permute4x64_pd(_mm256_castps_pd(_mm256_shuffle_ps(a, b, 0x88)), 0xD8));
      nan = _mm256_or_ps(nan, _mm256_cmp_ps(v, v, _CMP_UNORD_Q));
      if (kh == 0 && kw == 0) {
        best = v;
        continue;
      }
      const __m256 take = _mm256_cmp_ps(v, best, _CMP_GT_OQ);
      best = _mm256_blendv_ps(best, v, take);
      code = _mm256_castps_si256(_mm256_blendv_ps(_mm256_castsi256_ps(code), _mm256_castsi256_ps(_mm256_set1_epi32(int32_t(kh * g.W + kw))), take));
    }
  if (_mm256_movemask_ps(nan)) return false;
  // Flat index: (h0 + kh) * W + w0 + 2k + kw = h0*W + w0 + 2k + code.
  const __m256i base = _mm256_add_epi32(_mm256_set1_epi32(int32_t(h0 * g.W + w0)), _mm256_setr_epi32(0, 2, 4, 6, 8, 10, 12, 14));
  _mm256_storeu_ps(y + oh * g.OW + ow, best);
  _mm256_storeu_si256(reinterpret_cast<__m256i*>(am + oh * g.OW + ow), _mm256_add_epi32(base, code));
  return true;
}
#endif

// A plane with a KH x KW window known at compile time: unclipped windows are unrolled
// (no window arithmetic, no variable-length loops); float32 with stride 2 takes them eight
// at a time in AVX2 lanes; edges and NaN windows take max_window.
template <typename T, int KH, int KW> void max_plane(const PoolGeo& g, const Pool2dParams& p, const T* xp, T* yp, int32_t* ap) {
  int64_t ohLo, ohHi, owLo, owHi;
  interior(g.H, KH, p.sh, p.ph, g.OH, ohLo, ohHi);
  interior(g.W, KW, p.sw, p.pw, g.OW, owLo, owHi);
  bool vec = false;
#if TG_X86
  vec = sizeof(T) == 4 && p.sw == 2 && p.sh == 2 && owHi - owLo >= 8 && has_avx2_fma();
#endif
  for (int64_t oh = 0; oh < g.OH; oh++) {
    const bool inRow = oh >= ohLo && oh < ohHi;
    // Vector groups cover [owLo, vecEnd); the last one is right-aligned and may overlap.
    int64_t vecEnd = owLo;
#if TG_X86
    if constexpr (sizeof(T) == 4) {
      // A group reads one float past its last window: stay inside the plane.
      const int64_t lastRow = (oh * 2 - p.ph + KH - 1) * g.W;
      if (vec && inRow && lastRow + (owHi - 1) * 2 - p.pw + KW < g.H * g.W) {
        bool ok = true;
        for (int64_t ow = owLo; ok && ow < owHi; ow += 8) {
          const int64_t start = ow + 8 <= owHi ? ow : owHi - 8;
          ok = max8_stride2<KH, KW>(g, p, xp, oh, start, yp, ap);
        }
        if (ok) vecEnd = owHi;
      }
    }
#endif
    for (int64_t ow = 0; ow < g.OW; ow++) {
      if (ow >= owLo && ow < vecEnd) continue;
      T best;
      int64_t bi;
      // Unclipped windows scan KH x KW with constant bounds (unrolled).
      const int64_t h0 = oh * p.sh - p.ph, w0 = ow * p.sw - p.pw;
      const bool done = inRow && ow >= owLo && ow < owHi && !max_scan(xp, g.W, h0, h0 + KH, w0, w0 + KW, best, bi);
      if (!done) max_window(g, p, xp, oh, ow, best, bi);
      yp[oh * g.OW + ow] = best;
      ap[oh * g.OW + ow] = static_cast<int32_t>(bi);
    }
  }
}

template <typename T> void max_fwd(const PoolGeo& g, const Pool2dParams& p, const T* x, T* y, int32_t* am) {
  over_planes(g, [&](int64_t pl) {
    const T* xp = x + pl * g.H * g.W;
    T* yp = y + pl * g.OH * g.OW;
    int32_t* ap = am + pl * g.OH * g.OW;
    if (p.kh == 2 && p.kw == 2) return max_plane<T, 2, 2>(g, p, xp, yp, ap);
    if (p.kh == 3 && p.kw == 3) return max_plane<T, 3, 3>(g, p, xp, yp, ap);
    for (int64_t oh = 0; oh < g.OH; oh++)
      for (int64_t ow = 0; ow < g.OW; ow++) {
        T best;
        int64_t bi;
        max_window(g, p, xp, oh, ow, best, bi);
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
