// GEMM: C = (accumulate ? C : 0) + A @ B on strided matrices, BLIS style.
// Loops: jc (NC columns) > pc (KC depth, B panel packed) > ic (MC rows, A block
// packed) > jr (NR) > ir (MR) > micro-kernel. Packing reads any strides, so
// transposed operands cost nothing extra. The micro-kernel keeps an MR x NR
// tile of C in registers: 6x16 floats or 6x8 doubles = 12 AVX2 accumulators,
// enough independent FMAs to hide the 4-cycle latency on two FMA pipes.
// Threaded: B is packed once (its blocks in parallel) and threads take strips of
// rows, each packing only its own A; with few rows, threads take column strips
// and pack their own parts of B. Two pool dispatches, no barrier inside a task.
#if defined(__x86_64__)
#include <immintrin.h>
#endif
#if defined(__wasm_simd128__)
#include <wasm_simd128.h>
#endif

#include <cstdlib>
#include <cstring>

#include "kernels.h"
#include "scratch.h"

namespace tg {
namespace {

thread_local Scratch t_packA, t_packB, t_packFull;

// ---- micro-kernels: acc[MR x NR] = packedA (k x MR) * packedB (k x NR), then C (ldc, unit columns) = / += acc ----

template <typename T> void ukr_generic(int64_t K, const T* A, const T* B, T* C, int64_t ldc, bool acc) {
  constexpr int MR = Blocking<T>::MR, NR = Blocking<T>::NR;
  T c[MR][NR] = {};
  for (int64_t k = 0; k < K; k++) {
    for (int i = 0; i < MR; i++) {
      const T a = A[k * MR + i];
      for (int j = 0; j < NR; j++) c[i][j] += a * B[k * NR + j];
    }
  }
  for (int i = 0; i < MR; i++)
    for (int j = 0; j < NR; j++) C[i * ldc + j] = acc ? C[i * ldc + j] + c[i][j] : c[i][j];
}

#if TG_X86
TG_AVX2 void ukr_avx2_f32(int64_t K, const float* A, const float* B, float* C, int64_t ldc, bool acc) {
  __m256 c00 = _mm256_setzero_ps(), c01 = c00, c10 = c00, c11 = c00, c20 = c00, c21 = c00;
  __m256 c30 = c00, c31 = c00, c40 = c00, c41 = c00, c50 = c00, c51 = c00;
  for (int i = 0; i < 6; i++) _mm_prefetch(reinterpret_cast<const char*>(C + i * ldc), _MM_HINT_T0);
  for (int64_t k = 0; k < K; k++) {
    const __m256 b0 = _mm256_load_ps(B), b1 = _mm256_load_ps(B + 8);
    __m256 a = _mm256_broadcast_ss(A);
    c00 = _mm256_fmadd_ps(a, b0, c00); c01 = _mm256_fmadd_ps(a, b1, c01);
    a = _mm256_broadcast_ss(A + 1);
    c10 = _mm256_fmadd_ps(a, b0, c10); c11 = _mm256_fmadd_ps(a, b1, c11);
    a = _mm256_broadcast_ss(A + 2);
    c20 = _mm256_fmadd_ps(a, b0, c20); c21 = _mm256_fmadd_ps(a, b1, c21);
    a = _mm256_broadcast_ss(A + 3);
    c30 = _mm256_fmadd_ps(a, b0, c30); c31 = _mm256_fmadd_ps(a, b1, c31);
    a = _mm256_broadcast_ss(A + 4);
    c40 = _mm256_fmadd_ps(a, b0, c40); c41 = _mm256_fmadd_ps(a, b1, c41);
    a = _mm256_broadcast_ss(A + 5);
    c50 = _mm256_fmadd_ps(a, b0, c50); c51 = _mm256_fmadd_ps(a, b1, c51);
    A += 6;
    B += 16;
  }
  __m256 r[12] = {c00, c01, c10, c11, c20, c21, c30, c31, c40, c41, c50, c51};
  for (int i = 0; i < 6; i++) {
    float* c = C + i * ldc;
    if (acc) {
      _mm256_storeu_ps(c, _mm256_add_ps(_mm256_loadu_ps(c), r[2 * i]));
      _mm256_storeu_ps(c + 8, _mm256_add_ps(_mm256_loadu_ps(c + 8), r[2 * i + 1]));
    } else {
      _mm256_storeu_ps(c, r[2 * i]);
      _mm256_storeu_ps(c + 8, r[2 * i + 1]);
    }
  }
}

TG_AVX2 void ukr_avx2_f64(int64_t K, const double* A, const double* B, double* C, int64_t ldc, bool acc) {
  __m256d c00 = _mm256_setzero_pd(), c01 = c00, c10 = c00, c11 = c00, c20 = c00, c21 = c00;
  __m256d c30 = c00, c31 = c00, c40 = c00, c41 = c00, c50 = c00, c51 = c00;
  for (int i = 0; i < 6; i++) _mm_prefetch(reinterpret_cast<const char*>(C + i * ldc), _MM_HINT_T0);
  for (int64_t k = 0; k < K; k++) {
    const __m256d b0 = _mm256_load_pd(B), b1 = _mm256_load_pd(B + 4);
    __m256d a = _mm256_broadcast_sd(A);
    c00 = _mm256_fmadd_pd(a, b0, c00); c01 = _mm256_fmadd_pd(a, b1, c01);
    a = _mm256_broadcast_sd(A + 1);
    c10 = _mm256_fmadd_pd(a, b0, c10); c11 = _mm256_fmadd_pd(a, b1, c11);
    a = _mm256_broadcast_sd(A + 2);
    c20 = _mm256_fmadd_pd(a, b0, c20); c21 = _mm256_fmadd_pd(a, b1, c21);
    a = _mm256_broadcast_sd(A + 3);
    c30 = _mm256_fmadd_pd(a, b0, c30); c31 = _mm256_fmadd_pd(a, b1, c31);
    a = _mm256_broadcast_sd(A + 4);
    c40 = _mm256_fmadd_pd(a, b0, c40); c41 = _mm256_fmadd_pd(a, b1, c41);
    a = _mm256_broadcast_sd(A + 5);
    c50 = _mm256_fmadd_pd(a, b0, c50); c51 = _mm256_fmadd_pd(a, b1, c51);
    A += 6;
    B += 8;
  }
  __m256d r[12] = {c00, c01, c10, c11, c20, c21, c30, c31, c40, c41, c50, c51};
  for (int i = 0; i < 6; i++) {
    double* c = C + i * ldc;
    if (acc) {
      _mm256_storeu_pd(c, _mm256_add_pd(_mm256_loadu_pd(c), r[2 * i]));
      _mm256_storeu_pd(c + 4, _mm256_add_pd(_mm256_loadu_pd(c + 4), r[2 * i + 1]));
    } else {
      _mm256_storeu_pd(c, r[2 * i]);
      _mm256_storeu_pd(c + 4, r[2 * i + 1]);
    }
  }
}
#endif

// ---- wasm SIMD128 micro-kernels (wasm backend; see Blocking in kernels.h) ----
#if defined(__wasm_simd128__)
void ukr_wasm_f32(int64_t K, const float* A, const float* B, float* C, int64_t ldc, bool acc) {
  v128_t c00 = wasm_f32x4_splat(0.f), c01 = c00, c10 = c00, c11 = c00, c20 = c00, c21 = c00;
  v128_t c30 = c00, c31 = c00, c40 = c00, c41 = c00, c50 = c00, c51 = c00;
  for (int64_t k = 0; k < K; k++) {
    const v128_t b0 = wasm_v128_load(B), b1 = wasm_v128_load(B + 4);
    v128_t a = wasm_v128_load32_splat(A);
    c00 = wasm_f32x4_add(c00, wasm_f32x4_mul(a, b0)); c01 = wasm_f32x4_add(c01, wasm_f32x4_mul(a, b1));
    a = wasm_v128_load32_splat(A + 1);
    c10 = wasm_f32x4_add(c10, wasm_f32x4_mul(a, b0)); c11 = wasm_f32x4_add(c11, wasm_f32x4_mul(a, b1));
    a = wasm_v128_load32_splat(A + 2);
    c20 = wasm_f32x4_add(c20, wasm_f32x4_mul(a, b0)); c21 = wasm_f32x4_add(c21, wasm_f32x4_mul(a, b1));
    a = wasm_v128_load32_splat(A + 3);
    c30 = wasm_f32x4_add(c30, wasm_f32x4_mul(a, b0)); c31 = wasm_f32x4_add(c31, wasm_f32x4_mul(a, b1));
    a = wasm_v128_load32_splat(A + 4);
    c40 = wasm_f32x4_add(c40, wasm_f32x4_mul(a, b0)); c41 = wasm_f32x4_add(c41, wasm_f32x4_mul(a, b1));
    a = wasm_v128_load32_splat(A + 5);
    c50 = wasm_f32x4_add(c50, wasm_f32x4_mul(a, b0)); c51 = wasm_f32x4_add(c51, wasm_f32x4_mul(a, b1));
    A += 6;
    B += 8;
  }
  const v128_t r[12] = {c00, c01, c10, c11, c20, c21, c30, c31, c40, c41, c50, c51};
  for (int i = 0; i < 6; i++) {
    float* c = C + i * ldc;
    if (acc) {
      wasm_v128_store(c, wasm_f32x4_add(wasm_v128_load(c), r[2 * i]));
      wasm_v128_store(c + 4, wasm_f32x4_add(wasm_v128_load(c + 4), r[2 * i + 1]));
    } else {
      wasm_v128_store(c, r[2 * i]);
      wasm_v128_store(c + 4, r[2 * i + 1]);
    }
  }
}

void ukr_wasm_f64(int64_t K, const double* A, const double* B, double* C, int64_t ldc, bool acc) {
  v128_t c00 = wasm_f64x2_splat(0.0), c01 = c00, c10 = c00, c11 = c00, c20 = c00, c21 = c00;
  v128_t c30 = c00, c31 = c00, c40 = c00, c41 = c00, c50 = c00, c51 = c00;
  for (int64_t k = 0; k < K; k++) {
    const v128_t b0 = wasm_v128_load(B), b1 = wasm_v128_load(B + 2);
    v128_t a = wasm_v128_load64_splat(A);
    c00 = wasm_f64x2_add(c00, wasm_f64x2_mul(a, b0)); c01 = wasm_f64x2_add(c01, wasm_f64x2_mul(a, b1));
    a = wasm_v128_load64_splat(A + 1);
    c10 = wasm_f64x2_add(c10, wasm_f64x2_mul(a, b0)); c11 = wasm_f64x2_add(c11, wasm_f64x2_mul(a, b1));
    a = wasm_v128_load64_splat(A + 2);
    c20 = wasm_f64x2_add(c20, wasm_f64x2_mul(a, b0)); c21 = wasm_f64x2_add(c21, wasm_f64x2_mul(a, b1));
    a = wasm_v128_load64_splat(A + 3);
    c30 = wasm_f64x2_add(c30, wasm_f64x2_mul(a, b0)); c31 = wasm_f64x2_add(c31, wasm_f64x2_mul(a, b1));
    a = wasm_v128_load64_splat(A + 4);
    c40 = wasm_f64x2_add(c40, wasm_f64x2_mul(a, b0)); c41 = wasm_f64x2_add(c41, wasm_f64x2_mul(a, b1));
    a = wasm_v128_load64_splat(A + 5);
    c50 = wasm_f64x2_add(c50, wasm_f64x2_mul(a, b0)); c51 = wasm_f64x2_add(c51, wasm_f64x2_mul(a, b1));
    A += 6;
    B += 4;
  }
  const v128_t r[12] = {c00, c01, c10, c11, c20, c21, c30, c31, c40, c41, c50, c51};
  for (int i = 0; i < 6; i++) {
    double* c = C + i * ldc;
    if (acc) {
      wasm_v128_store(c, wasm_f64x2_add(wasm_v128_load(c), r[2 * i]));
      wasm_v128_store(c + 2, wasm_f64x2_add(wasm_v128_load(c + 2), r[2 * i + 1]));
    } else {
      wasm_v128_store(c, r[2 * i]);
      wasm_v128_store(c + 2, r[2 * i + 1]);
    }
  }
}
#endif  // __wasm_simd128__

#if TG_X86
// ---- AVX-512 micro-kernels: RA A panels (6 rows each) x RB B panels (one zmm wide each) ----
// The 2 x 2 block keeps 24 of the 32 zmm registers as accumulators (12 x 32 floats or 12 x 16
// doubles): per k, two B loads and twelve broadcasts feed 24 independent FMAs, enough to fill
// both 512-bit FMA pipes. Panels are the same packed MR x NR panels the AVX2 kernel reads, so
// packing and pack_gemm_a's layout do not depend on the ISA; a panel's successor sits kc panels on.
// Every block shape sums each C element over k in the same order (one accumulator, k ascending), so
// a product is bit-identical however threads split it into blocks (the gemm test checks 1 vs 3
// threads); a second accumulator set for the 6-accumulator single tile would break that.
template <typename T> struct Z;
template <> struct Z<float> {
  using V = __m512;
  TG_AVX512 static TG_INLINE V zero() { return _mm512_setzero_ps(); }
  TG_AVX512 static TG_INLINE V load(const float* p) { return _mm512_load_ps(p); }
  TG_AVX512 static TG_INLINE V loadu(const float* p) { return _mm512_loadu_ps(p); }
  TG_AVX512 static TG_INLINE V bcast(const float* p) { return _mm512_set1_ps(*p); }
  TG_AVX512 static TG_INLINE V fma(V a, V b, V c) { return _mm512_fmadd_ps(a, b, c); }
  TG_AVX512 static TG_INLINE V add(V a, V b) { return _mm512_add_ps(a, b); }
  TG_AVX512 static TG_INLINE void storeu(float* p, V v) { _mm512_storeu_ps(p, v); }
};
template <> struct Z<double> {
  using V = __m512d;
  TG_AVX512 static TG_INLINE V zero() { return _mm512_setzero_pd(); }
  TG_AVX512 static TG_INLINE V load(const double* p) { return _mm512_load_pd(p); }
  TG_AVX512 static TG_INLINE V loadu(const double* p) { return _mm512_loadu_pd(p); }
  TG_AVX512 static TG_INLINE V bcast(const double* p) { return _mm512_set1_pd(*p); }
  TG_AVX512 static TG_INLINE V fma(V a, V b, V c) { return _mm512_fmadd_pd(a, b, c); }
  TG_AVX512 static TG_INLINE V add(V a, V b) { return _mm512_add_pd(a, b); }
  TG_AVX512 static TG_INLINE void storeu(double* p, V v) { _mm512_storeu_pd(p, v); }
};

template <typename T, int RA, int RB>
TG_AVX512 void ukr_avx512(int64_t K, const T* A, const T* B, T* C, int64_t ldc, bool acc) {
  using ZT = Z<T>;
  using V = typename ZT::V;
  constexpr int MR = Blocking<T>::MR, NR = Blocking<T>::NR;
  static_assert(NR * sizeof(T) == 64, "one zmm per panel row");
  const int64_t pa = MR * K, pb = NR * K;  // distance between consecutive packed panels
  V c[RA * MR][RB];
#pragma GCC unroll 12
  for (int i = 0; i < RA * MR; i++)
#pragma GCC unroll 2
    for (int j = 0; j < RB; j++) c[i][j] = ZT::zero();
  for (int i = 0; i < RA * MR; i++) _mm_prefetch(reinterpret_cast<const char*>(C + i * ldc), _MM_HINT_T0);
#pragma GCC unroll 2
  for (int64_t k = 0; k < K; k++) {
    V b[RB];
#pragma GCC unroll 2
    for (int j = 0; j < RB; j++) b[j] = ZT::load(B + j * pb);
#pragma GCC unroll 2
    for (int r = 0; r < RA; r++) {
#pragma GCC unroll 6
      for (int i = 0; i < MR; i++) {
        const V a = ZT::bcast(A + r * pa + i);
#pragma GCC unroll 2
        for (int j = 0; j < RB; j++) c[r * MR + i][j] = ZT::fma(a, b[j], c[r * MR + i][j]);
      }
    }
    A += MR;
    B += NR;
  }
#pragma GCC unroll 12
  for (int i = 0; i < RA * MR; i++) {
#pragma GCC unroll 2
    for (int j = 0; j < RB; j++) {
      T* p = C + i * ldc + j * NR;
      ZT::storeu(p, acc ? ZT::add(ZT::loadu(p), c[i][j]) : c[i][j]);
    }
  }
}
#endif

template <typename T> using Ukr = void (*)(int64_t, const T*, const T*, T*, int64_t, bool);
template <typename T> Ukr<T> pick_ukr();
template <> Ukr<float> pick_ukr<float>() {
#if defined(__wasm_simd128__)
  return ukr_wasm_f32;
#endif
#if TG_X86
  if (has_avx512()) return ukr_avx512<float, 1, 1>;
  if (has_avx2_fma()) return ukr_avx2_f32;
#endif
  return ukr_generic<float>;
}
template <> Ukr<double> pick_ukr<double>() {
#if defined(__wasm_simd128__)
  return ukr_wasm_f64;
#endif
#if TG_X86
  if (has_avx512()) return ukr_avx512<double, 1, 1>;
  if (has_avx2_fma()) return ukr_avx2_f64;
#endif
  return ukr_generic<double>;
}

// The AVX-512 blocks of several panels, indexed [RA - 1][RB - 1] ([0][0] unused: the single tile is pick_ukr's); null without AVX-512.
template <typename T> struct WideUkr {
  Ukr<T> k[2][2] = {};
  bool on = false;
};
template <typename T> WideUkr<T> pick_wide() {
  WideUkr<T> w;
#if TG_X86
  if (has_avx512()) {
    w.on = true;
    w.k[0][1] = ukr_avx512<T, 1, 2>;
    w.k[1][0] = ukr_avx512<T, 2, 1>;
    w.k[1][1] = ukr_avx512<T, 2, 2>;
  }
#endif
  return w;
}

// Rows of A per cache block on the AVX-512 path. 96, 144, 240 and 384 measured alike per CPU-second
// at n = 256..2048 on a Xeon with 48 KiB L1d / 2 MiB L2 (a busy machine); 144 is a multiple of 12 (whole 2-panel blocks).
template <typename T> constexpr int64_t mc_avx512() { return Blocking<T>::MC; }

// ---- packing (zero-padded to whole micro-tiles) ----

// One full micro-panel of a row-major A (rows r0..r5, k contiguous): dst[k*6 + i] = r_i[k].
template <typename T> void pack_a_panel_rows(int64_t kc, const T* src, int64_t rsa, T* dst) {
  // k outer: contiguous stores, six read streams (i outer wrote with a stride of MR).
  const T *r0 = src, *r1 = src + rsa, *r2 = src + 2 * rsa, *r3 = src + 3 * rsa, *r4 = src + 4 * rsa, *r5 = src + 5 * rsa;
  for (int64_t k = 0; k < kc; k++) {
    T* d = dst + k * 6;
    d[0] = r0[k]; d[1] = r1[k]; d[2] = r2[k]; d[3] = r3[k]; d[4] = r4[k]; d[5] = r5[k];
  }
}

#if TG_X86
// Float32 with AVX2: eight k at a time, the 6x8 block transposed in registers (as an 8x8
// with two zero rows), each k's six values stored as 4 + 2 (no masked stores: slow on AMD).
TG_AVX2 void pack_a_panel_rows_avx2(int64_t kc, const float* src, int64_t rsa, float* dst) {
  int64_t k = 0;
  const __m256 z = _mm256_setzero_ps();
  for (; k + 8 <= kc; k += 8) {
    const float* s = src + k;
    const __m256 r0 = _mm256_loadu_ps(s), r1 = _mm256_loadu_ps(s + rsa), r2 = _mm256_loadu_ps(s + 2 * rsa),
                 r3 = _mm256_loadu_ps(s + 3 * rsa), r4 = _mm256_loadu_ps(s + 4 * rsa), r5 = _mm256_loadu_ps(s + 5 * rsa);
    const __m256 t0 = _mm256_unpacklo_ps(r0, r1), t1 = _mm256_unpackhi_ps(r0, r1), t2 = _mm256_unpacklo_ps(r2, r3),
                 t3 = _mm256_unpackhi_ps(r2, r3), t4 = _mm256_unpacklo_ps(r4, r5), t5 = _mm256_unpackhi_ps(r4, r5);
    const __m256 u0 = _mm256_shuffle_ps(t0, t2, _MM_SHUFFLE(1, 0, 1, 0)), u1 = _mm256_shuffle_ps(t0, t2, _MM_SHUFFLE(3, 2, 3, 2)),
                 u2 = _mm256_shuffle_ps(t1, t3, _MM_SHUFFLE(1, 0, 1, 0)), u3 = _mm256_shuffle_ps(t1, t3, _MM_SHUFFLE(3, 2, 3, 2)),
                 u4 = _mm256_shuffle_ps(t4, z, _MM_SHUFFLE(1, 0, 1, 0)), u5 = _mm256_shuffle_ps(t4, z, _MM_SHUFFLE(3, 2, 3, 2)),
                 u6 = _mm256_shuffle_ps(t5, z, _MM_SHUFFLE(1, 0, 1, 0)), u7 = _mm256_shuffle_ps(t5, z, _MM_SHUFFLE(3, 2, 3, 2));
    // Column t of the block: rows 0-3 in the low 128 bits of u(t%4) (t < 4) or its high half, rows 4-5 likewise in u(4 + t%4).
    const __m256 a[4] = {u0, u1, u2, u3}, b[4] = {u4, u5, u6, u7};
    float* d = dst + k * 6;
    for (int t = 0; t < 4; t++) {
      _mm_storeu_ps(d + t * 6, _mm256_castps256_ps128(a[t]));
      _mm_storel_pi(reinterpret_cast<__m64*>(d + t * 6 + 4), _mm256_castps256_ps128(b[t]));
      _mm_storeu_ps(d + (t + 4) * 6, _mm256_extractf128_ps(a[t], 1));
      _mm_storel_pi(reinterpret_cast<__m64*>(d + (t + 4) * 6 + 4), _mm256_extractf128_ps(b[t], 1));
    }
  }
  pack_a_panel_rows<float>(kc - k, src + k, rsa, dst + k * 6);
}
#endif

// A block [mc x kc] -> panels of MR rows, each stored k-major (MR values per k).
template <typename T> void pack_a(int64_t mc, int64_t kc, const T* A, int64_t rsa, int64_t csa, T* buf) {
  constexpr int MR = Blocking<T>::MR;
  for (int64_t ir = 0; ir < mc; ir += MR) {
    const int64_t mr = mc - ir < MR ? mc - ir : MR;
    T* dst = buf + ir * kc;
    const T* src = A + ir * rsa;
    if (mr == MR && csa == 1) {
#if TG_X86
      if constexpr (sizeof(T) == 4) {
        if (has_avx2_fma()) {
          pack_a_panel_rows_avx2(kc, reinterpret_cast<const float*>(src), rsa, reinterpret_cast<float*>(dst));
          continue;
        }
      }
#endif
      pack_a_panel_rows(kc, src, rsa, dst);
    } else if (mr == MR && rsa == 1) {
      // Transposed A (e.g. W^T in conv backward): each k's MR values are contiguous.
      for (int64_t k = 0; k < kc; k++) std::memcpy(dst + k * MR, src + k * csa, MR * sizeof(T));
    } else {
      for (int64_t k = 0; k < kc; k++) {
        for (int64_t i = 0; i < mr; i++) dst[k * MR + i] = src[i * rsa + k * csa];
        for (int64_t i = mr; i < MR; i++) dst[k * MR + i] = T(0);
      }
    }
  }
}

// One full panel of a transposed B (column j of the panel at src + j*csb, k contiguous):
// dst[k*NR + j] = src[j*csb + k]. Float32 with AVX2 goes through 8x8 register transposes
// (eight contiguous loads, eight contiguous stores) instead of NR scattered stores per k.
template <typename T> void pack_b_panel_t(int64_t kc, const T* src, int64_t csb, T* dst) {
  constexpr int NR = Blocking<T>::NR;
  for (int64_t j = 0; j < NR; j++) {
    const T* col = src + j * csb;
    for (int64_t k = 0; k < kc; k++) dst[k * NR + j] = col[k];
  }
}

#if TG_X86
TG_AVX2 void pack_b_panel_t_avx2(int64_t kc, const float* src, int64_t csb, float* dst) {
  int64_t k = 0;
  for (; k + 8 <= kc; k += 8) {
    for (int h = 0; h < 2; h++) {
      const float* s = src + h * 8 * csb + k;
      const __m256 r0 = _mm256_loadu_ps(s), r1 = _mm256_loadu_ps(s + csb), r2 = _mm256_loadu_ps(s + 2 * csb),
                   r3 = _mm256_loadu_ps(s + 3 * csb), r4 = _mm256_loadu_ps(s + 4 * csb), r5 = _mm256_loadu_ps(s + 5 * csb),
                   r6 = _mm256_loadu_ps(s + 6 * csb), r7 = _mm256_loadu_ps(s + 7 * csb);
      const __m256 t0 = _mm256_unpacklo_ps(r0, r1), t1 = _mm256_unpackhi_ps(r0, r1), t2 = _mm256_unpacklo_ps(r2, r3),
                   t3 = _mm256_unpackhi_ps(r2, r3), t4 = _mm256_unpacklo_ps(r4, r5), t5 = _mm256_unpackhi_ps(r4, r5),
                   t6 = _mm256_unpacklo_ps(r6, r7), t7 = _mm256_unpackhi_ps(r6, r7);
      const __m256 u0 = _mm256_shuffle_ps(t0, t2, _MM_SHUFFLE(1, 0, 1, 0)), u1 = _mm256_shuffle_ps(t0, t2, _MM_SHUFFLE(3, 2, 3, 2)),
                   u2 = _mm256_shuffle_ps(t1, t3, _MM_SHUFFLE(1, 0, 1, 0)), u3 = _mm256_shuffle_ps(t1, t3, _MM_SHUFFLE(3, 2, 3, 2)),
                   u4 = _mm256_shuffle_ps(t4, t6, _MM_SHUFFLE(1, 0, 1, 0)), u5 = _mm256_shuffle_ps(t4, t6, _MM_SHUFFLE(3, 2, 3, 2)),
                   u6 = _mm256_shuffle_ps(t5, t7, _MM_SHUFFLE(1, 0, 1, 0)), u7 = _mm256_shuffle_ps(t5, t7, _MM_SHUFFLE(3, 2, 3, 2));
      float* d = dst + k * 16 + h * 8;
      _mm256_storeu_ps(d, _mm256_permute2f128_ps(u0, u4, 0x20));
      _mm256_storeu_ps(d + 16, _mm256_permute2f128_ps(u1, u5, 0x20));
      _mm256_storeu_ps(d + 32, _mm256_permute2f128_ps(u2, u6, 0x20));
      _mm256_storeu_ps(d + 48, _mm256_permute2f128_ps(u3, u7, 0x20));
      _mm256_storeu_ps(d + 64, _mm256_permute2f128_ps(u0, u4, 0x31));
      _mm256_storeu_ps(d + 80, _mm256_permute2f128_ps(u1, u5, 0x31));
      _mm256_storeu_ps(d + 96, _mm256_permute2f128_ps(u2, u6, 0x31));
      _mm256_storeu_ps(d + 112, _mm256_permute2f128_ps(u3, u7, 0x31));
    }
  }
  for (; k < kc; k++)
    for (int j = 0; j < 16; j++) dst[k * 16 + j] = src[j * csb + k];
}

template <> void pack_b_panel_t<float>(int64_t kc, const float* src, int64_t csb, float* dst) {
  if (has_avx2_fma()) return pack_b_panel_t_avx2(kc, src, csb, dst);
  for (int64_t j = 0; j < 16; j++)
    for (int64_t k = 0; k < kc; k++) dst[k * 16 + j] = src[j * csb + k];
}
#endif

// B block [kc x nc] -> panels of NR columns, each stored k-major (NR values per k).
template <typename T> void pack_b(int64_t kc, int64_t nc, const T* B, int64_t rsb, int64_t csb, T* buf) {
  constexpr int NR = Blocking<T>::NR;
  for (int64_t jr = 0; jr < nc; jr += NR) {
    const int64_t nr = nc - jr < NR ? nc - jr : NR;
    T* dst = buf + jr * kc;
    const T* src = B + jr * csb;
    if (nr == NR && csb == 1) {
      for (int64_t k = 0; k < kc; k++) std::memcpy(dst + k * NR, src + k * rsb, NR * sizeof(T));
    } else if (nr == NR && rsb == 1) {
      pack_b_panel_t(kc, src, csb, dst);
    } else {
      for (int64_t k = 0; k < kc; k++) {
        for (int64_t j = 0; j < nr; j++) dst[k * NR + j] = src[k * rsb + j * csb];
        for (int64_t j = nr; j < NR; j++) dst[k * NR + j] = T(0);
      }
    }
  }
}

// One thread's share: the whole blocked loop nest over an M x N sub-problem.
// Where block (jc, pc) of a fully packed B starts: blocks are stored jc-major, each
// jc block K deep and round_up(nc, NR) wide, so (jc, pc) sits at jc*K + pc*width.
template <typename T> int64_t packed_b_offset(int64_t N, int64_t K, int64_t jc, int64_t pc) {
  using BL = Blocking<T>;
  const int64_t nc = N - jc < BL::NC ? N - jc : BL::NC;
  return jc * K + pc * ((nc + BL::NR - 1) / BL::NR * BL::NR);
}

// `packedB` (optional) is all of B packed by pack_b_full; the thread then packs only A.
// `pa` (optional) is all of A packed by pack_gemm_a, this call's row 0 being its row0:
// depth block pc starts at pc * padded_rows(M), and row r of it at r * kc within.
template <typename T>
void gemm_serial(int64_t M, int64_t N, int64_t K, const T* A, int64_t rsa, int64_t csa, const T* B, int64_t rsb, int64_t csb, T* C,
                 int64_t rsc, int64_t csc, bool accumulate, const T* packedB = nullptr, const PackedA<T>* pa = nullptr, int64_t row0 = 0) {
  using BL = Blocking<T>;
  constexpr int MR = BL::MR, NR = BL::NR;
  if (M <= 0 || N <= 0) return;
  if (K <= 0) {
    if (!accumulate)
      for (int64_t i = 0; i < M; i++)
        for (int64_t j = 0; j < N; j++) C[i * rsc + j * csc] = T(0);
    return;
  }
  const Ukr<T> ukr = pick_ukr<T>();
  static const WideUkr<T> wide = pick_wide<T>();
  const int64_t kcMax = K < BL::KC ? K : BL::KC;
  const int64_t ncMax = N < BL::NC ? (N + NR - 1) / NR * NR : BL::NC;
  const int64_t MCb = wide.on ? mc_avx512<T>() : BL::MC;
  const int64_t mcMax = M < MCb ? (M + MR - 1) / MR * MR : MCb;
  T* bufB = packedB ? nullptr : static_cast<T*>(t_packB.get(sizeof(T) * kcMax * ncMax));
  T* bufA = pa ? nullptr : static_cast<T*>(t_packA.get(sizeof(T) * kcMax * mcMax));
  alignas(64) T tmp[MR * NR];
  for (int64_t jc = 0; jc < N; jc += BL::NC) {
    const int64_t nc = N - jc < BL::NC ? N - jc : BL::NC;
    for (int64_t pc = 0; pc < K; pc += BL::KC) {
      const int64_t kc = K - pc < BL::KC ? K - pc : BL::KC;
      const bool acc = accumulate || pc > 0;
      const T* pb = bufB;
      if (packedB) pb = packedB + packed_b_offset<T>(N, K, jc, pc);
      else pack_b(kc, nc, B + pc * rsb + jc * csb, rsb, csb, bufB);
      for (int64_t ic = 0; ic < M; ic += MCb) {
        const int64_t mc = M - ic < MCb ? M - ic : MCb;
        const T* pA = bufA;
        if (pa) pA = pa->data + pc * padded_rows<T>(pa->M) + (row0 + ic) * kc;
        else pack_a(mc, kc, A + ic * rsa + pc * csa, rsa, csa, bufA);
        // With AVX-512, blocks of up to 2 x 2 full panels go to one wide kernel call.
        for (int64_t jr = 0; jr < nc;) {
          const int64_t nb = wide.on && nc - jr >= 2 * NR ? 2 : 1;
          for (int64_t ir = 0; ir < mc;) {
            const int64_t na = wide.on && mc - ir >= 2 * MR ? 2 : 1;
            const bool full = mc - ir >= MR && nc - jr >= NR;
            if ((na > 1 || nb > 1) && full && csc == 1) {
              wide.k[na - 1][nb - 1](kc, pA + ir * kc, pb + jr * kc, C + (ic + ir) * rsc + (jc + jr), rsc, acc);
              ir += na * MR;
              continue;
            }
            for (int64_t jb = 0; jb < nb; jb++) {
              const int64_t j0 = jr + jb * NR, nr = nc - j0 < NR ? nc - j0 : NR;
              const int64_t mr = mc - ir < MR ? mc - ir : MR;
              T* c = C + (ic + ir) * rsc + (jc + j0) * csc;
              if (mr == MR && nr == NR && csc == 1) {
                ukr(kc, pA + ir * kc, pb + j0 * kc, c, rsc, acc);
              } else {
                // Edge or strided tile: compute into a scratch tile, then copy the valid part.
                ukr(kc, pA + ir * kc, pb + j0 * kc, tmp, NR, false);
                for (int64_t i = 0; i < mr; i++)
                  for (int64_t j = 0; j < nr; j++) {
                    T& dst = c[i * rsc + j * csc];
                    dst = acc ? dst + tmp[i * NR + j] : tmp[i * NR + j];
                  }
              }
            }
            ir += MR;
          }
          jr += nb * NR;
        }
      }
    }
  }
}

}  // namespace

template <typename T> int64_t packed_a_size(int64_t M, int64_t K) {
  return padded_rows<T>(M) * K;
}

template <typename T> PackedA<T> pack_gemm_a(int64_t M, int64_t K, const T* A, int64_t rsa, int64_t csa, T* out) {
  // Depth blocks of KC, each all M rows deep, in the order gemm_serial reads them; packed in parallel.
  const int64_t blocks = (K + Blocking<T>::KC - 1) / Blocking<T>::KC;
  parallel_for_lambda(blocks, 1, [&](int64_t lo, int64_t hi) {
    for (int64_t b = lo; b < hi; b++) {
      const int64_t pc = b * Blocking<T>::KC, kc = K - pc < Blocking<T>::KC ? K - pc : Blocking<T>::KC;
      pack_a(M, kc, A + pc * csa, rsa, csa, out + pc * padded_rows<T>(M));
    }
  });
  return PackedA<T>{out, M, K};
}

template <typename T>
void gemm(int64_t M, int64_t N, int64_t K, const T* A, int64_t rsa, int64_t csa, const T* B, int64_t rsb, int64_t csb, T* C,
          int64_t rsc, int64_t csc, bool accumulate, bool serial, const PackedA<T>* pa, int64_t row0) {
  using BL = Blocking<T>;
  const int threads = num_threads();
  const double work = double(M) * double(N) * double(K);
  if (serial || threads <= 1 || in_parallel() || work < 48.0 * 48 * 48) {
    gemm_serial<T>(M, N, K, A, rsa, csa, B, rsb, csb, C, rsc, csc, accumulate, nullptr, pa, row0);
    return;
  }
  const int64_t unitsM = (M + BL::MR - 1) / BL::MR, unitsN = (N + BL::NR - 1) / BL::NR;
  // A wide, short product (N >= 8·M, e.g. a weight gradient g^T @ x) splits the columns
  // instead: each thread then packs and reads only its half of the large B, where row strips
  // would have every thread stream all of it (about 20% faster for 100 x 200 x 3072).
  const bool wide = N >= 8 * M && unitsN >= 4 * threads;
  if (unitsM >= 2 * threads && !wide) {
    // Pack all of B once, in parallel, then give each thread a strip of rows: no thread
    // repacks B (for x @ W with a wide W that would double the packing work).
    const int64_t width = (N + BL::NR - 1) / BL::NR * BL::NR;
    // Kept per calling thread: a fresh multi-MiB allocation per call costs page faults.
    T* packed = static_cast<T*>(t_packFull.get(sizeof(T) * K * width));
    if (packed) {
      const int64_t jcBlocks = (N + BL::NC - 1) / BL::NC, pcBlocks = (K + BL::KC - 1) / BL::KC;
      parallel_for_lambda(jcBlocks * pcBlocks, 1, [&](int64_t lo, int64_t hi) {
        for (int64_t b = lo; b < hi; b++) {
          const int64_t jc = (b / pcBlocks) * BL::NC, pc = (b % pcBlocks) * BL::KC;
          const int64_t nc = N - jc < BL::NC ? N - jc : BL::NC, kc = K - pc < BL::KC ? K - pc : BL::KC;
          pack_b(kc, nc, B + pc * rsb + jc * csb, rsb, csb, packed + packed_b_offset<T>(N, K, jc, pc));
        }
      });
      // Row strips of about MC rows, claimed dynamically: B is already packed, so more
      // strips than threads cost nothing, and a thread slowed by another process (or a
      // V8 helper thread) no longer leaves the other core idle at the end of a big product.
      // A multiple of the thread count, so a quiet machine still splits evenly (3 strips on
      // 2 threads would leave one thread a third more work).
      const int64_t strips = (M + BL::MC - 1) / BL::MC;
      const int64_t want = (strips + threads - 1) / threads * threads;
      const int parts = static_cast<int>(want < unitsM ? want : unitsM);
      parallel_tasks_lambda(parts, [&](int tid, int np) {
        const int64_t u0 = unitsM * tid / np, u1 = unitsM * (tid + 1) / np;
        const int64_t i0 = u0 * BL::MR, i1 = u1 * BL::MR < M ? u1 * BL::MR : M;
        if (i1 > i0) gemm_serial(i1 - i0, N, K, A + i0 * rsa, rsa, csa, B, rsb, csb, C + i0 * rsc, rsc, csc, accumulate, packed, pa, row0 + i0);
      });
      if (t_packFull.bytes > (size_t(64) << 20)) t_packFull.release();  // do not hoard huge panels
      return;
    }
  }
  // Few rows: split the columns into strips of whole tiles (each thread packs its own B part).
  const bool splitN = wide || unitsN >= unitsM;
  const int64_t units = splitN ? unitsN : unitsM;
  int parts = threads < units ? threads : static_cast<int>(units);
  parallel_tasks_lambda(parts, [&](int tid, int np) {
    const int64_t u0 = units * tid / np, u1 = units * (tid + 1) / np;
    if (splitN) {
      const int64_t j0 = u0 * BL::NR, j1 = u1 * BL::NR < N ? u1 * BL::NR : N;
      gemm_serial<T>(M, j1 - j0, K, A, rsa, csa, B + j0 * csb, rsb, csb, C + j0 * csc, rsc, csc, accumulate, nullptr, pa, row0);
    } else {
      const int64_t i0 = u0 * BL::MR, i1 = u1 * BL::MR < M ? u1 * BL::MR : M;
      gemm_serial<T>(i1 - i0, N, K, A + i0 * rsa, rsa, csa, B, rsb, csb, C + i0 * rsc, rsc, csc, accumulate, nullptr, pa, row0 + i0);
    }
  });
}

template void gemm<float>(int64_t, int64_t, int64_t, const float*, int64_t, int64_t, const float*, int64_t, int64_t, float*, int64_t,
                          int64_t, bool, bool, const PackedA<float>*, int64_t);
template void gemm<double>(int64_t, int64_t, int64_t, const double*, int64_t, int64_t, const double*, int64_t, int64_t, double*,
                           int64_t, int64_t, bool, bool, const PackedA<double>*, int64_t);
template int64_t packed_a_size<float>(int64_t, int64_t);
template int64_t packed_a_size<double>(int64_t, int64_t);
template PackedA<float> pack_gemm_a<float>(int64_t, int64_t, const float*, int64_t, int64_t, float*);
template PackedA<double> pack_gemm_a<double>(int64_t, int64_t, const double*, int64_t, int64_t, double*);

namespace {
template <typename T> void matmul_typed(const View& a, const View& b, const View& out) {
  const int64_t Bt = a.shape[0], M = a.shape[1], K = a.shape[2], N = b.shape[2];
  const T* ap = a.ptr<T>();
  const T* bp = b.ptr<T>();
  T* op = out.ptr<T>();
  auto one = [&](int64_t i, bool serial) {
    gemm<T>(M, N, K, ap + i * a.strides[0], a.strides[1], a.strides[2], bp + i * b.strides[0], b.strides[1], b.strides[2],
            op + i * out.strides[0], out.strides[1], out.strides[2], false, serial);
  };
  const double per = double(M) * double(N) * double(K);
  if (Bt >= 2 && per < 256.0 * 256 * 256) {
    // Many small products: one thread per batch entry.
    parallel_for_lambda(Bt, 1, [&](int64_t lo, int64_t hi) {
      for (int64_t i = lo; i < hi; i++) one(i, true);
    });
  } else {
    for (int64_t i = 0; i < Bt; i++) one(i, false);
  }
}
}  // namespace

bool k_matmul(const View& a, const View& b, const View& out) {
  if (a.nd != 3 || b.nd != 3 || out.nd != 3) return false;
  if (a.dtype != b.dtype || a.dtype != out.dtype) return false;
  if (out.numel() == 0) return true;
  if (a.dtype == F32) return matmul_typed<float>(a, b, out), true;
  if (a.dtype == F64) return matmul_typed<double>(a, b, out), true;
  return false;
}

}  // namespace tg
