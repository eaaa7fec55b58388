// Per-channel kernels of BatchNorm over contiguous [N, C, S] views (see Backend in
// src/backend/backend.ts): channel statistics, the two gradient sums, and the affine
// map out = a[c]·x + b[c]·y + d[c]. Sums run in double; float32 rows use AVX2 with
// double accumulators. Statistics are parallel over channels, the affine map over rows.
#if defined(__x86_64__)
#include <immintrin.h>
#endif

#include "kernels.h"

namespace tg {
namespace {

bool contiguous_ncs(const View& v) {
  return v.nd == 3 && (v.shape[2] <= 1 || v.strides[2] == 1) && (v.shape[1] <= 1 || v.strides[1] == v.shape[2]) &&
         (v.shape[0] <= 1 || v.strides[0] == v.shape[1] * v.shape[2]);
}
bool vector_of(const View& v, int64_t c, int dtype) {
  return v.nd == 1 && v.shape[0] == c && (c <= 1 || v.strides[0] == 1) && v.dtype == dtype;
}

// ---- row primitives: generic, and AVX2 for float32 ----

template <typename T> struct Rows {
  static double sum(const T* x, int64_t n) {
    double s0 = 0, s1 = 0;
    int64_t i = 0;
    for (; i + 2 <= n; i += 2) s0 += double(x[i]), s1 += double(x[i + 1]);
    for (; i < n; i++) s0 += double(x[i]);
    return s0 + s1;
  }
  static double sq_dev(const T* x, int64_t n, double m) {
    double s = 0;
    for (int64_t i = 0; i < n; i++) s += (double(x[i]) - m) * (double(x[i]) - m);
    return s;
  }
  static void grad_sums(const T* g, const T* x, int64_t n, double m, double& sg, double& sgx) {
    for (int64_t i = 0; i < n; i++) sg += double(g[i]), sgx += double(g[i]) * (double(x[i]) - m);
  }
  static void affine(const T* x, const T* y, int64_t n, T a, T b, T d, T* out) {
    if (y) for (int64_t i = 0; i < n; i++) out[i] = a * x[i] + b * y[i] + d;
    else for (int64_t i = 0; i < n; i++) out[i] = a * x[i] + d;
  }
};

#if TG_X86
TG_AVX2 double hsum_pd(__m256d v) {
  alignas(32) double t[4];
  _mm256_store_pd(t, v);
  return (t[0] + t[1]) + (t[2] + t[3]);
}
TG_AVX2 double sum_avx2(const float* x, int64_t n) {
  __m256d a0 = _mm256_setzero_pd(), a1 = a0;
  int64_t i = 0;
  for (; i + 8 <= n; i += 8) {
    a0 = _mm256_add_pd(a0, _mm256_cvtps_pd(_mm_loadu_ps(x + i)));
    a1 = _mm256_add_pd(a1, _mm256_cvtps_pd(_mm_loadu_ps(x + i + 4)));
  }
  double s = hsum_pd(_mm256_add_pd(a0, a1));
  for (; i < n; i++) s += double(x[i]);
  return s;
}
TG_AVX2 double sq_dev_avx2(const float* x, int64_t n, double m) {
  const __m256 mv = _mm256_set1_ps(float(m));
  __m256d a0 = _mm256_setzero_pd(), a1 = a0;
  int64_t i = 0;
  for (; i + 8 <= n; i += 8) {
    const __m256 d = _mm256_sub_ps(_mm256_loadu_ps(x + i), mv);
    const __m256d lo = _mm256_cvtps_pd(_mm256_castps256_ps128(d)), hi = _mm256_cvtps_pd(_mm256_extractf128_ps(d, 1));
    a0 = _mm256_fmadd_pd(lo, lo, a0);
    a1 = _mm256_fmadd_pd(hi, hi, a1);
  }
  double s = hsum_pd(_mm256_add_pd(a0, a1));
  for (; i < n; i++) s += (double(x[i]) - double(float(m))) * (double(x[i]) - double(float(m)));
  return s;
}
TG_AVX2 void grad_sums_avx2(const float* g, const float* x, int64_t n, double m, double& sg, double& sgx) {
  const __m256 mv = _mm256_set1_ps(float(m));
  __m256d s0 = _mm256_setzero_pd(), s1 = s0, t0 = s0, t1 = s0;
  int64_t i = 0;
  for (; i + 8 <= n; i += 8) {
    const __m256 gv = _mm256_loadu_ps(g + i), d = _mm256_sub_ps(_mm256_loadu_ps(x + i), mv);
    const __m256d glo = _mm256_cvtps_pd(_mm256_castps256_ps128(gv)), ghi = _mm256_cvtps_pd(_mm256_extractf128_ps(gv, 1));
    s0 = _mm256_add_pd(s0, glo);
    s1 = _mm256_add_pd(s1, ghi);
    t0 = _mm256_fmadd_pd(glo, _mm256_cvtps_pd(_mm256_castps256_ps128(d)), t0);
    t1 = _mm256_fmadd_pd(ghi, _mm256_cvtps_pd(_mm256_extractf128_ps(d, 1)), t1);
  }
  double a = hsum_pd(_mm256_add_pd(s0, s1)), b = hsum_pd(_mm256_add_pd(t0, t1));
  for (; i < n; i++) a += double(g[i]), b += double(g[i]) * (double(x[i]) - double(float(m)));
  sg += a;
  sgx += b;
}
TG_AVX2 void affine_avx2(const float* x, const float* y, int64_t n, float a, float b, float d, float* out) {
  const __m256 av = _mm256_set1_ps(a), bv = _mm256_set1_ps(b), dv = _mm256_set1_ps(d);
  int64_t i = 0;
  if (y) {
    for (; i + 8 <= n; i += 8)
      _mm256_storeu_ps(out + i, _mm256_fmadd_ps(av, _mm256_loadu_ps(x + i), _mm256_fmadd_ps(bv, _mm256_loadu_ps(y + i), dv)));
    for (; i < n; i++) out[i] = a * x[i] + b * y[i] + d;
  } else {
    for (; i + 8 <= n; i += 8) _mm256_storeu_ps(out + i, _mm256_fmadd_ps(av, _mm256_loadu_ps(x + i), dv));
    for (; i < n; i++) out[i] = a * x[i] + d;
  }
}
#endif

// Float32 rows take the AVX2 path when the CPU has it.
template <typename T> struct FastRows : Rows<T> {};
template <> struct FastRows<float> {
  static double sum(const float* x, int64_t n) {
#if TG_X86
    if (has_avx2_fma()) return sum_avx2(x, n);
#endif
    return Rows<float>::sum(x, n);
  }
  static double sq_dev(const float* x, int64_t n, double m) {
#if TG_X86
    if (has_avx2_fma()) return sq_dev_avx2(x, n, m);
#endif
    return Rows<float>::sq_dev(x, n, m);
  }
  static void grad_sums(const float* g, const float* x, int64_t n, double m, double& sg, double& sgx) {
#if TG_X86
    if (has_avx2_fma()) return grad_sums_avx2(g, x, n, m, sg, sgx);
#endif
    Rows<float>::grad_sums(g, x, n, m, sg, sgx);
  }
  static void affine(const float* x, const float* y, int64_t n, float a, float b, float d, float* out) {
#if TG_X86
    if (has_avx2_fma()) return affine_avx2(x, y, n, a, b, d, out);
#endif
    Rows<float>::affine(x, y, n, a, b, d, out);
  }
};

template <typename T> void stats_typed(const View& x, const View& mean, const View& var) {
  const int64_t N = x.shape[0], C = x.shape[1], S = x.shape[2];
  const T* xp = x.ptr<T>();
  T* mp = mean.ptr<T>();
  T* vp = var.ptr<T>();
  const double count = double(N * S);
  parallel_for_lambda(C, 1, [&](int64_t lo, int64_t hi) {
    for (int64_t c = lo; c < hi; c++) {
      double s = 0;
      for (int64_t n = 0; n < N; n++) s += FastRows<T>::sum(xp + (n * C + c) * S, S);
      const double m = s / count;
      // The deviations are taken from the mean as stored, so var matches what callers normalise with.
      const double ms = double(T(m));
      double q = 0;
      for (int64_t n = 0; n < N; n++) q += FastRows<T>::sq_dev(xp + (n * C + c) * S, S, ms);
      mp[c] = T(m);
      vp[c] = T(q / count);
    }
  });
}

template <typename T> void grad_sums_typed(const View& gy, const View& x, const View& mean, const View& sg, const View& sgx) {
  const int64_t N = x.shape[0], C = x.shape[1], S = x.shape[2];
  const T* gp = gy.ptr<T>();
  const T* xp = x.ptr<T>();
  const T* mp = mean.ptr<T>();
  T* sp = sg.ptr<T>();
  T* tp = sgx.ptr<T>();
  parallel_for_lambda(C, 1, [&](int64_t lo, int64_t hi) {
    for (int64_t c = lo; c < hi; c++) {
      double a = 0, b = 0;
      for (int64_t n = 0; n < N; n++) FastRows<T>::grad_sums(gp + (n * C + c) * S, xp + (n * C + c) * S, S, double(mp[c]), a, b);
      sp[c] = T(a);
      tp[c] = T(b);
    }
  });
}

template <typename T> void affine_typed(const View& x, const View& a, const View& d, const View& out, const View* y, const View* b) {
  const int64_t C = x.shape[1], S = x.shape[2], rows = x.shape[0] * C;
  const T* xp = x.ptr<T>();
  const T* ap = a.ptr<T>();
  const T* dp = d.ptr<T>();
  const T* yp = y ? y->ptr<T>() : nullptr;
  const T* bp = b ? b->ptr<T>() : nullptr;
  T* op = out.ptr<T>();
  const int64_t grain = S >= 4096 ? 1 : 4096 / (S > 0 ? S : 1);
  parallel_for_lambda(rows, grain, [&](int64_t lo, int64_t hi) {
    for (int64_t r = lo; r < hi; r++) {
      const int64_t c = r % C;
      FastRows<T>::affine(xp + r * S, yp ? yp + r * S : nullptr, S, ap[c], bp ? bp[c] : T(0), dp[c], op + r * S);
    }
  });
}

}  // namespace

bool k_channel_stats(const View& x, const View& mean, const View& var) {
  if (!contiguous_ncs(x) || (x.dtype != F32 && x.dtype != F64)) return false;
  if (!vector_of(mean, x.shape[1], x.dtype) || !vector_of(var, x.shape[1], x.dtype)) return false;
  if (x.shape[0] * x.shape[2] == 0) return false;  // no elements: leave the NaN mean to ref
  if (x.dtype == F32) stats_typed<float>(x, mean, var);
  else stats_typed<double>(x, mean, var);
  return true;
}

bool k_channel_grad_sums(const View& gy, const View& x, const View& mean, const View& sg, const View& sgx) {
  if (!contiguous_ncs(x) || !contiguous_ncs(gy) || gy.dtype != x.dtype || (x.dtype != F32 && x.dtype != F64)) return false;
  for (int d = 0; d < 3; d++)
    if (gy.shape[d] != x.shape[d]) return false;
  const int64_t C = x.shape[1];
  if (!vector_of(mean, C, x.dtype) || !vector_of(sg, C, x.dtype) || !vector_of(sgx, C, x.dtype)) return false;
  if (x.dtype == F32) grad_sums_typed<float>(gy, x, mean, sg, sgx);
  else grad_sums_typed<double>(gy, x, mean, sg, sgx);
  return true;
}

bool k_channel_affine(const View& x, const View& a, const View& d, const View& out, const View* y, const View* b) {
  if (!contiguous_ncs(x) || !contiguous_ncs(out) || out.dtype != x.dtype || (x.dtype != F32 && x.dtype != F64)) return false;
  const int64_t C = x.shape[1];
  for (int k = 0; k < 3; k++)
    if (out.shape[k] != x.shape[k] || (y && y->shape[k] != x.shape[k])) return false;
  if (!vector_of(a, C, x.dtype) || !vector_of(d, C, x.dtype)) return false;
  if ((y == nullptr) != (b == nullptr)) return false;
  if (y && (!contiguous_ncs(*y) || y->dtype != x.dtype || !vector_of(*b, C, x.dtype))) return false;
  if (x.dtype == F32) affine_typed<float>(x, a, d, out, y, b);
  else affine_typed<double>(x, a, d, out, y, b);
  return true;
}

}  // namespace tg
