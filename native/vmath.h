// AVX2 float32 rows of exp, sigmoid, tanh and ELU for the unary kernel.
// exp is Cephes' expf (range reduction by ln 2, degree-5 polynomial, about
// 1 ulp); any 8-lane block holding a NaN or an argument outside the reduced
// range is recomputed with libm, so special values behave exactly as in C.
#pragma once
#if defined(__x86_64__)
#include <immintrin.h>
#endif

#include <cmath>

#include "common.h"

namespace tg {

#if TG_X86
// exp of 8 floats assumed inside [-87.3, 88.37] (no NaN).
TG_AVX2 static inline __m256 exp8(__m256 x) {
  const __m256 log2e = _mm256_set1_ps(1.44269504088896341f);
  const __m256 c1 = _mm256_set1_ps(0.693359375f), c2 = _mm256_set1_ps(-2.12194440e-4f);
  __m256 n = _mm256_floor_ps(_mm256_fmadd_ps(x, log2e, _mm256_set1_ps(0.5f)));
  x = _mm256_fnmadd_ps(n, c1, x);
  x = _mm256_fnmadd_ps(n, c2, x);
  __m256 y = _mm256_set1_ps(1.9875691500E-4f);
  y = _mm256_fmadd_ps(y, x, _mm256_set1_ps(1.3981999507E-3f));
  y = _mm256_fmadd_ps(y, x, _mm256_set1_ps(8.3334519073E-3f));
  y = _mm256_fmadd_ps(y, x, _mm256_set1_ps(4.1665795894E-2f));
  y = _mm256_fmadd_ps(y, x, _mm256_set1_ps(1.6666665459E-1f));
  y = _mm256_fmadd_ps(y, x, _mm256_set1_ps(5.0000001201E-1f));
  y = _mm256_fmadd_ps(y, _mm256_mul_ps(x, x), _mm256_add_ps(x, _mm256_set1_ps(1.0f)));
  const __m256i e = _mm256_slli_epi32(_mm256_add_epi32(_mm256_cvtps_epi32(n), _mm256_set1_epi32(127)), 23);
  return _mm256_mul_ps(y, _mm256_castsi256_ps(e));
}

// True when every lane of v is inside [lo, hi] (false for NaN lanes).
TG_AVX2 static inline bool all_within(__m256 v, float lo, float hi) {
  const __m256 ok = _mm256_and_ps(_mm256_cmp_ps(v, _mm256_set1_ps(lo), _CMP_GE_OQ), _mm256_cmp_ps(v, _mm256_set1_ps(hi), _CMP_LE_OQ));
  return _mm256_movemask_ps(ok) == 0xff;
}

TG_AVX2 static inline __m256 abs8(__m256 x) { return _mm256_andnot_ps(_mm256_set1_ps(-0.0f), x); }

// Applies vec to whole blocks that pass `check`, scalar to the rest.
template <typename Vec, typename Scalar, typename Check>
TG_AVX2 static inline void vec_row(const float* x, float* o, int64_t n, Vec vec, Scalar scalar, Check check) {
  int64_t i = 0;
  for (; i + 8 <= n; i += 8) {
    const __m256 v = _mm256_loadu_ps(x + i);
    if (check(v)) _mm256_storeu_ps(o + i, vec(v));
    else for (int j = 0; j < 8; j++) o[i + j] = scalar(x[i + j]);
  }
  for (; i < n; i++) o[i] = scalar(x[i]);
}

TG_AVX2 static void exp_row_avx2(const float* x, float* o, int64_t n) {
  vec_row(x, o, n, [](__m256 v) TG_AVX2 { return exp8(v); }, [](float v) { return std::exp(v); },
          [](__m256 v) TG_AVX2 { return all_within(v, -87.3f, 88.37f); });
}

static inline float sigmoid_scalar(float v) {
  if (v >= 0) return 1.0f / (1.0f + std::exp(-v));
  const float e = std::exp(v);
  return e / (1.0f + e);
}

TG_AVX2 static void sigmoid_row_avx2(const float* x, float* o, int64_t n) {
  vec_row(
      x, o, n,
      [](__m256 v) TG_AVX2 {
        const __m256 e = exp8(_mm256_max_ps(_mm256_sub_ps(_mm256_setzero_ps(), abs8(v)), _mm256_set1_ps(-87.0f)));
        const __m256 r = _mm256_div_ps(_mm256_set1_ps(1.0f), _mm256_add_ps(_mm256_set1_ps(1.0f), e));
        return _mm256_blendv_ps(_mm256_mul_ps(e, r), r, _mm256_cmp_ps(v, _mm256_setzero_ps(), _CMP_GE_OQ));
      },
      sigmoid_scalar, [](__m256 v) TG_AVX2 { return all_within(v, -80.0f, 80.0f); });
}

// tanh: Cephes' odd polynomial below |x| = 0.625, else 1 - 2 / (exp(2|x|) + 1) with |x| capped at 9 (tanh = 1 in float).
TG_AVX2 static void tanh_row_avx2(const float* x, float* o, int64_t n) {
  vec_row(
      x, o, n,
      [](__m256 v) TG_AVX2 {
        const __m256 a = abs8(v);
        const __m256 z = _mm256_mul_ps(v, v);
        __m256 p = _mm256_set1_ps(-5.70498872745E-3f);
        p = _mm256_fmadd_ps(p, z, _mm256_set1_ps(2.06390887954E-2f));
        p = _mm256_fmadd_ps(p, z, _mm256_set1_ps(-5.37397155531E-2f));
        p = _mm256_fmadd_ps(p, z, _mm256_set1_ps(1.33314422036E-1f));
        p = _mm256_fmadd_ps(p, z, _mm256_set1_ps(-3.33332819422E-1f));
        const __m256 small = _mm256_fmadd_ps(_mm256_mul_ps(p, z), v, v);
        const __m256 e = exp8(_mm256_mul_ps(_mm256_min_ps(a, _mm256_set1_ps(9.0f)), _mm256_set1_ps(2.0f)));
        __m256 big = _mm256_sub_ps(_mm256_set1_ps(1.0f), _mm256_div_ps(_mm256_set1_ps(2.0f), _mm256_add_ps(e, _mm256_set1_ps(1.0f))));
        big = _mm256_or_ps(big, _mm256_and_ps(v, _mm256_set1_ps(-0.0f)));  // sign of x
        return _mm256_blendv_ps(big, small, _mm256_cmp_ps(a, _mm256_set1_ps(0.625f), _CMP_LT_OQ));
      },
      [](float v) { return std::tanh(v); }, [](__m256 v) TG_AVX2 { return all_within(v, -1e30f, 1e30f); });
}

// ELU: x > 0 ? x : alpha * expm1(x); expm1 is a degree-8 Taylor polynomial below |x| = 0.5, else exp(x) - 1.
TG_AVX2 static void elu_row_avx2(const float* x, float* o, int64_t n, float alpha) {
  const __m256 al = _mm256_set1_ps(alpha);
  vec_row(
      x, o, n,
      [al](__m256 v) TG_AVX2 {
        const __m256 neg = _mm256_min_ps(_mm256_setzero_ps(), v);  // keeps -0
        __m256 p = _mm256_set1_ps(1.0f / 40320);
        p = _mm256_fmadd_ps(p, neg, _mm256_set1_ps(1.0f / 5040));
        p = _mm256_fmadd_ps(p, neg, _mm256_set1_ps(1.0f / 720));
        p = _mm256_fmadd_ps(p, neg, _mm256_set1_ps(1.0f / 120));
        p = _mm256_fmadd_ps(p, neg, _mm256_set1_ps(1.0f / 24));
        p = _mm256_fmadd_ps(p, neg, _mm256_set1_ps(1.0f / 6));
        p = _mm256_fmadd_ps(p, neg, _mm256_set1_ps(0.5f));
        p = _mm256_fmadd_ps(p, neg, _mm256_set1_ps(1.0f));
        const __m256 taylor = _mm256_mul_ps(p, neg);
        const __m256 viaExp = _mm256_sub_ps(exp8(_mm256_max_ps(neg, _mm256_set1_ps(-80.0f))), _mm256_set1_ps(1.0f));
        const __m256 em1 = _mm256_blendv_ps(viaExp, taylor, _mm256_cmp_ps(neg, _mm256_set1_ps(-0.5f), _CMP_GT_OQ));
        return _mm256_blendv_ps(_mm256_mul_ps(al, em1), v, _mm256_cmp_ps(v, _mm256_setzero_ps(), _CMP_GT_OQ));
      },
      [alpha](float v) { return v > 0 ? v : alpha * std::expm1(v); }, [](__m256 v) TG_AVX2 { return all_within(v, -3e38f, 3e38f); });
}
#endif

}  // namespace tg
