// Softmax and log-softmax along one dim, and their gradients: each line is
// read a few times while it sits in L1 (max, exp and sum, normalise) instead
// of the seven full passes over memory that a composition of ops takes.
// Sums run in double; float32 lines with unit stride use AVX2 (vmath.h exp).
#include <cmath>
#include <limits>

#include "kernels.h"
#include "strided.h"
#include "vmath.h"

namespace tg {
namespace {

// A walk over the starts of the lines along `dim` (that dim squeezed out) of K views of like's shape.
template <int K> Walk<K> line_walk(const View* const* vs, const View& like, int dim) {
  int64_t shape[MAX_DIMS];
  for (int d = 0; d < like.nd; d++) shape[d] = d == dim ? 1 : like.shape[d];
  const int64_t* strides[K];
  int64_t offs[K];
  for (int k = 0; k < K; k++) {
    strides[k] = vs[k]->strides;
    offs[k] = vs[k]->offset;
  }
  return make_walk<K>(like.nd, shape, strides, offs);
}

// The row max that shifts the exponent: NaN or an infinite max counts as 0, as in the ref kernel.
template <typename T> T line_shift(const T* x, int64_t xs, int64_t n) {
  T m = -std::numeric_limits<T>::infinity();
  for (int64_t j = 0; j < n; j++) {
    const T v = x[j * xs];
    if (v > m || v != v) m = v;
  }
  return std::isfinite(m) ? m : T(0);
}

template <typename T> void softmax_line(const T* x, int64_t xs, T* o, int64_t os, int64_t n, bool log) {
  const T m = line_shift(x, xs, n);
  double s = 0;
  for (int64_t j = 0; j < n; j++) {
    const T z = x[j * xs] - m;
    const T e = std::exp(z);
    o[j * os] = log ? z : e;
    s += e;
  }
  if (log) {
    const T ls = static_cast<T>(std::log(s));
    for (int64_t j = 0; j < n; j++) o[j * os] -= ls;
  } else {
    for (int64_t j = 0; j < n; j++) o[j * os] = static_cast<T>(o[j * os] / s);
  }
}

template <typename T> void softmax_backward_line(const T* g, int64_t gs, const T* y, int64_t ys, T* o, int64_t os, int64_t n, bool log) {
  double s = 0;
  for (int64_t j = 0; j < n; j++) s += log ? double(g[j * gs]) : double(g[j * gs]) * y[j * ys];
  const T st = static_cast<T>(s);
  for (int64_t j = 0; j < n; j++) {
    const T gv = g[j * gs], yv = y[j * ys];
    o[j * os] = log ? gv - std::exp(yv) * st : yv * (gv - st);
  }
}

#if TG_X86
// Sum of 8 floats added into two double accumulators.
TG_AVX2 static inline void add_pd(__m256 v, __m256d& lo, __m256d& hi) {
  lo = _mm256_add_pd(lo, _mm256_cvtps_pd(_mm256_castps256_ps128(v)));
  hi = _mm256_add_pd(hi, _mm256_cvtps_pd(_mm256_extractf128_ps(v, 1)));
}

TG_AVX2 static inline double hsum_pd(__m256d lo, __m256d hi) {
  alignas(32) double t[4];
  _mm256_store_pd(t, _mm256_add_pd(lo, hi));
  return (t[0] + t[1]) + (t[2] + t[3]);
}

// exp of 8 lanes; blocks with a NaN or a lane outside exp8's range go through libm.
TG_AVX2 static inline __m256 exp8_safe(__m256 z) {
  if (all_within(z, -87.3f, 88.37f)) return exp8(z);
  alignas(32) float t[8];
  _mm256_store_ps(t, z);
  for (float& v : t) v = std::exp(v);
  return _mm256_load_ps(t);
}

TG_AVX2 void softmax_line_avx2(const float* x, float* o, int64_t n, bool log) {
  int64_t j = 0;
  float m = -std::numeric_limits<float>::infinity();
  if (n >= 8) {
    __m256 mv = _mm256_set1_ps(m), nan = _mm256_setzero_ps();
    for (; j + 8 <= n; j += 8) {
      const __m256 v = _mm256_loadu_ps(x + j);
      mv = _mm256_max_ps(mv, v);
      nan = _mm256_or_ps(nan, _mm256_cmp_ps(v, v, _CMP_UNORD_Q));
    }
    alignas(32) float t[8];
    _mm256_store_ps(t, mv);
    for (float v : t) m = v > m ? v : m;
    if (_mm256_movemask_ps(nan)) m = std::numeric_limits<float>::quiet_NaN();
  }
  for (; j < n; j++) {
    const float v = x[j];
    if (v > m || v != v) m = v;
  }
  if (!std::isfinite(m)) m = 0;
  const __m256 mv = _mm256_set1_ps(m);
  __m256d lo = _mm256_setzero_pd(), hi = lo;
  double s = 0;
  for (j = 0; j + 8 <= n; j += 8) {
    const __m256 z = _mm256_sub_ps(_mm256_loadu_ps(x + j), mv);
    const __m256 e = exp8_safe(z);
    _mm256_storeu_ps(o + j, log ? z : e);
    add_pd(e, lo, hi);
  }
  for (; j < n; j++) {
    const float z = x[j] - m, e = std::exp(z);
    o[j] = log ? z : e;
    s += e;
  }
  s += hsum_pd(lo, hi);
  if (log) {
    const float ls = static_cast<float>(std::log(s));
    const __m256 lv = _mm256_set1_ps(ls);
    for (j = 0; j + 8 <= n; j += 8) _mm256_storeu_ps(o + j, _mm256_sub_ps(_mm256_loadu_ps(o + j), lv));
    for (; j < n; j++) o[j] -= ls;
  } else {
    const __m256d inv = _mm256_set1_pd(1.0 / s);
    for (j = 0; j + 8 <= n; j += 8) {
      const __m256 e = _mm256_loadu_ps(o + j);
      const __m128 a = _mm256_cvtpd_ps(_mm256_mul_pd(_mm256_cvtps_pd(_mm256_castps256_ps128(e)), inv));
      const __m128 b = _mm256_cvtpd_ps(_mm256_mul_pd(_mm256_cvtps_pd(_mm256_extractf128_ps(e, 1)), inv));
      _mm256_storeu_ps(o + j, _mm256_set_m128(b, a));
    }
    for (; j < n; j++) o[j] = static_cast<float>(o[j] * (1.0 / s));
  }
}

TG_AVX2 void softmax_backward_line_avx2(const float* g, const float* y, float* o, int64_t n, bool log) {
  __m256d lo = _mm256_setzero_pd(), hi = lo;
  double s = 0;
  int64_t j = 0;
  for (; j + 8 <= n; j += 8) {
    const __m256 gv = _mm256_loadu_ps(g + j);
    add_pd(log ? gv : _mm256_mul_ps(gv, _mm256_loadu_ps(y + j)), lo, hi);
  }
  for (; j < n; j++) s += log ? double(g[j]) : double(g[j]) * y[j];
  s += hsum_pd(lo, hi);
  const float st = static_cast<float>(s);
  const __m256 sv = _mm256_set1_ps(st);
  for (j = 0; j + 8 <= n; j += 8) {
    const __m256 gv = _mm256_loadu_ps(g + j), yv = _mm256_loadu_ps(y + j);
    _mm256_storeu_ps(o + j, log ? _mm256_fnmadd_ps(exp8_safe(yv), sv, gv) : _mm256_mul_ps(yv, _mm256_sub_ps(gv, sv)));
  }
  for (; j < n; j++) o[j] = log ? g[j] - std::exp(y[j]) * st : y[j] * (g[j] - st);
}
#endif

// Lines per task: enough that a task holds about 32k elements.
int64_t line_grain(int64_t len) { return len >= ELEMENTWISE_GRAIN ? 1 : ELEMENTWISE_GRAIN / (len > 0 ? len : 1); }

template <typename T> void softmax_typed(const View& x, int dim, bool log, const View& out) {
  const View* vs[2] = {&x, &out};
  const Walk<2> w = line_walk<2>(vs, out, dim);
  const int64_t len = out.shape[dim], xd = x.strides[dim], od = out.strides[dim];
  const int64_t xs = w.istride(0), os = w.istride(1);
  const T* xp = static_cast<const T*>(x.data);
  T* op = static_cast<T*>(out.data);
  bool avx = false;
#if TG_X86
  avx = sizeof(T) == 4 && xd == 1 && od == 1 && has_avx2_fma();
#endif
  parallel_for_lambda(w.total, line_grain(len), [&](int64_t lo, int64_t hi) {
    walk_range(w, lo, hi, [&](const int64_t* off, int64_t n) {
      for (int64_t i = 0; i < n; i++) {
        const T* xl = xp + off[0] + i * xs;
        T* ol = op + off[1] + i * os;
#if TG_X86
        if constexpr (sizeof(T) == 4) {
          if (avx) {
            softmax_line_avx2(xl, ol, len, log);
            continue;
          }
        }
#endif
        softmax_line(xl, xd, ol, od, len, log);
      }
    });
  });
}

template <typename T> void softmax_backward_typed(const View& g, const View& y, int dim, bool log, const View& out) {
  const View* vs[3] = {&g, &y, &out};
  const Walk<3> w = line_walk<3>(vs, out, dim);
  const int64_t len = out.shape[dim], gd = g.strides[dim], yd = y.strides[dim], od = out.strides[dim];
  const int64_t gs = w.istride(0), ys = w.istride(1), os = w.istride(2);
  const T* gp = static_cast<const T*>(g.data);
  const T* yp = static_cast<const T*>(y.data);
  T* op = static_cast<T*>(out.data);
  bool avx = false;
#if TG_X86
  avx = sizeof(T) == 4 && gd == 1 && yd == 1 && od == 1 && has_avx2_fma();
#endif
  parallel_for_lambda(w.total, line_grain(len), [&](int64_t lo, int64_t hi) {
    walk_range(w, lo, hi, [&](const int64_t* off, int64_t n) {
      for (int64_t i = 0; i < n; i++) {
        const T* gl = gp + off[0] + i * gs;
        const T* yl = yp + off[1] + i * ys;
        T* ol = op + off[2] + i * os;
#if TG_X86
        if constexpr (sizeof(T) == 4) {
          if (avx) {
            softmax_backward_line_avx2(gl, yl, ol, len, log);
            continue;
          }
        }
#endif
        softmax_backward_line(gl, gd, yl, yd, ol, od, len, log);
      }
    });
  });
}

}  // namespace

bool k_softmax(const View& x, int dim, bool log, const View& out) {
  if (x.dtype != out.dtype || dim < 0 || dim >= out.nd) return false;
  if (out.numel() == 0) return true;
  if (x.dtype == F32) return softmax_typed<float>(x, dim, log, out), true;
  if (x.dtype == F64) return softmax_typed<double>(x, dim, log, out), true;
  return false;
}

bool k_softmax_backward(const View& g, const View& y, int dim, bool log, const View& out) {
  if (g.dtype != out.dtype || y.dtype != out.dtype || dim < 0 || dim >= out.nd) return false;
  if (out.numel() == 0) return true;
  if (out.dtype == F32) return softmax_backward_typed<float>(g, y, dim, log, out), true;
  if (out.dtype == F64) return softmax_backward_typed<double>(g, y, dim, log, out), true;
  return false;
}

}  // namespace tg
