// Reductions (sum/prod/max/min over any set of dims) and argmax/argmin.
// Values accumulate in double (float32 sums too, for accuracy) in a
// contiguous accumulator that x is walked into with stride 0 on the reduced
// dims, exactly like the ref kernel, so any layout walks x in memory order.
#if defined(__x86_64__)
#include <immintrin.h>
#endif

#include <cmath>
#include <vector>

#include "kernels.h"
#include "strided.h"

namespace tg {
namespace {

// Row sum in double with independent accumulators (AVX2 converts 4 floats at a time).
template <typename T> TG_INLINE double row_sum(const T* x, int64_t xs, int64_t n) {
  double s0 = 0, s1 = 0, s2 = 0, s3 = 0;
  int64_t i = 0;
  if (xs == 1) {
    for (; i + 4 <= n; i += 4) {
      s0 += double(x[i]);
      s1 += double(x[i + 1]);
      s2 += double(x[i + 2]);
      s3 += double(x[i + 3]);
    }
  }
  for (; i < n; i++) s0 += double(x[i * xs]);
  return (s0 + s1) + (s2 + s3);
}

#if TG_X86
TG_AVX2 double row_sum_avx2_f32(const float* x, int64_t n) {
  __m256d a0 = _mm256_setzero_pd(), a1 = a0, a2 = a0, a3 = a0;
  int64_t i = 0;
  for (; i + 16 <= n; i += 16) {
    a0 = _mm256_add_pd(a0, _mm256_cvtps_pd(_mm_loadu_ps(x + i)));
    a1 = _mm256_add_pd(a1, _mm256_cvtps_pd(_mm_loadu_ps(x + i + 4)));
    a2 = _mm256_add_pd(a2, _mm256_cvtps_pd(_mm_loadu_ps(x + i + 8)));
    a3 = _mm256_add_pd(a3, _mm256_cvtps_pd(_mm_loadu_ps(x + i + 12)));
  }
  __m256d a = _mm256_add_pd(_mm256_add_pd(a0, a1), _mm256_add_pd(a2, a3));
  alignas(32) double t[4];
  _mm256_store_pd(t, a);
  double s = (t[0] + t[1]) + (t[2] + t[3]);
  for (; i < n; i++) s += double(x[i]);
  return s;
}
TG_AVX2 double row_sum_avx2_f64(const double* x, int64_t n) {
  __m256d a0 = _mm256_setzero_pd(), a1 = a0, a2 = a0, a3 = a0;
  int64_t i = 0;
  for (; i + 16 <= n; i += 16) {
    a0 = _mm256_add_pd(a0, _mm256_loadu_pd(x + i));
    a1 = _mm256_add_pd(a1, _mm256_loadu_pd(x + i + 4));
    a2 = _mm256_add_pd(a2, _mm256_loadu_pd(x + i + 8));
    a3 = _mm256_add_pd(a3, _mm256_loadu_pd(x + i + 12));
  }
  __m256d a = _mm256_add_pd(_mm256_add_pd(a0, a1), _mm256_add_pd(a2, a3));
  alignas(32) double t[4];
  _mm256_store_pd(t, a);
  double s = (t[0] + t[1]) + (t[2] + t[3]);
  for (; i < n; i++) s += x[i];
  return s;
}
#endif

template <typename T> double fast_row_sum(const T* x, int64_t xs, int64_t n, bool avx);
template <> double fast_row_sum<float>(const float* x, int64_t xs, int64_t n, bool avx) {
#if TG_X86
  if (avx && xs == 1) return row_sum_avx2_f32(x, n);
#endif
  (void)avx;
  return row_sum(x, xs, n);
}
template <> double fast_row_sum<double>(const double* x, int64_t xs, int64_t n, bool avx) {
#if TG_X86
  if (avx && xs == 1) return row_sum_avx2_f64(x, n);
#endif
  (void)avx;
  return row_sum(x, xs, n);
}

// NaN is sticky for max/min, like the ref kernel.
TG_INLINE double take_max(double acc, double v) { return (v > acc || v != v) ? v : acc; }
TG_INLINE double take_min(double acc, double v) { return (v < acc || v != v) ? v : acc; }

template <typename T, int OP> TG_INLINE void reduce_rows(const Walk<2>& w, const T* x, double* acc, int64_t lo, int64_t hi, bool avx) {
  const int64_t xs = w.istride(0), as = w.istride(1);
  walk_range(w, lo, hi, [&](const int64_t* off, int64_t n) {
    const T* xp = x + off[0];
    double* ap = acc + off[1];
    if (as == 0) {
      // The inner dim is reduced: fold the row into one value.
      double r = *ap;
      if (OP == R_SUM) r += fast_row_sum<T>(xp, xs, n, avx);
      else if (OP == R_PROD) for (int64_t i = 0; i < n; i++) r *= double(xp[i * xs]);
      else if (OP == R_MAX) for (int64_t i = 0; i < n; i++) r = take_max(r, double(xp[i * xs]));
      else for (int64_t i = 0; i < n; i++) r = take_min(r, double(xp[i * xs]));
      *ap = r;
    } else {
      // The inner dim is kept: accumulate the row elementwise.
      for (int64_t i = 0; i < n; i++) {
        double& a = ap[i * as];
        const double v = double(xp[i * xs]);
        if (OP == R_SUM) a += v;
        else if (OP == R_PROD) a *= v;
        else if (OP == R_MAX) a = take_max(a, v);
        else a = take_min(a, v);
      }
    }
  });
}

double init_of(int op) {
  switch (op) {
    case R_SUM: return 0;
    case R_PROD: return 1;
    case R_MAX: return -INFINITY;
    default: return INFINITY;
  }
}

double combine(int op, double a, double b) {
  switch (op) {
    case R_SUM: return a + b;
    case R_PROD: return a * b;
    case R_MAX: return take_max(a, b);
    default: return take_min(a, b);
  }
}

template <typename T, int OP> void reduce_typed(const View& x, const int* dims, int ndims, const View& out) {
  // Contiguous double accumulator over out's shape; stride 0 along reduced dims.
  const int nd = x.nd;
  int64_t accStrides[MAX_DIMS];
  int64_t accSize = 1;
  for (int d = nd - 1; d >= 0; d--) {
    bool reduced = false;
    for (int i = 0; i < ndims; i++) reduced |= dims[i] == d;
    accStrides[d] = reduced ? 0 : accSize;
    if (!reduced) accSize *= x.shape[d];
  }
  const int64_t* strides[2] = {x.strides, accStrides};
  const int64_t offs[2] = {x.offset, 0};
  Walk<2> w = make_walk<2>(nd, x.shape, strides, offs);
  const T* xp = static_cast<const T*>(x.data);
  const bool avx = has_avx2_fma();
  std::vector<double> acc(accSize, init_of(OP));

  const int threads = num_threads();
  const bool parallel = threads > 1 && w.total >= 2 * ELEMENTWISE_GRAIN && w.nd >= 1 && w.shape[0] >= threads;
  if (!parallel) {
    reduce_rows<T, OP>(w, xp, acc.data(), 0, w.total, avx);
  } else {
    // Split the outermost walk dim: a kept dim gives threads disjoint accumulators,
    // a reduced one gets a private accumulator per thread, combined afterwards.
    const int64_t outer = w.shape[0], per = w.total / outer;
    const bool kept = w.strides[1][0] != 0;
    std::vector<std::vector<double>> priv(kept ? 0 : threads - 1, std::vector<double>(accSize, init_of(OP)));
    parallel_tasks_lambda(threads, [&](int tid, int np) {
      const int64_t b = outer * tid / np, e = outer * (tid + 1) / np;
      double* a = (kept || tid == 0) ? acc.data() : priv[tid - 1].data();
      reduce_rows<T, OP>(w, xp, a, b * per, e * per, avx);
    });
    for (auto& p : priv)
      for (int64_t i = 0; i < accSize; i++) acc[i] = combine(OP, acc[i], p[i]);
  }
  // Write the accumulator into out (any strides).
  int64_t idx[MAX_DIMS] = {0};
  T* op = static_cast<T*>(out.data);
  for (int64_t i = 0; i < accSize; i++) {
    int64_t o = out.offset, rem = i;
    for (int d = nd - 1; d >= 0; d--) {
      idx[d] = rem % out.shape[d];
      rem /= out.shape[d];
      o += idx[d] * out.strides[d];
    }
    op[o] = static_cast<T>(acc[i]);
  }
}

template <typename T> void reduce_dispatch(int op, const View& x, const int* dims, int ndims, const View& out) {
  switch (op) {
    case R_SUM: return reduce_typed<T, R_SUM>(x, dims, ndims, out);
    case R_PROD: return reduce_typed<T, R_PROD>(x, dims, ndims, out);
    case R_MAX: return reduce_typed<T, R_MAX>(x, dims, ndims, out);
    default: return reduce_typed<T, R_MIN>(x, dims, ndims, out);
  }
}

template <typename T> void arg_typed(bool isMax, const View& x, int dim, const View& out) {
  const int64_t len = x.shape[dim], step = x.strides[dim];
  int64_t xw[MAX_DIMS], shape[MAX_DIMS];
  for (int d = 0; d < x.nd; d++) {
    shape[d] = d == dim ? 1 : x.shape[d];
    xw[d] = d == dim ? 0 : x.strides[d];
  }
  const int64_t* strides[2] = {xw, out.strides};
  const int64_t offs[2] = {x.offset, out.offset};
  Walk<2> w = make_walk<2>(x.nd, shape, strides, offs);
  const T* xp = static_cast<const T*>(x.data);
  int32_t* op = static_cast<int32_t*>(out.data);
  const int64_t xs = w.istride(0), os = w.istride(1);
  parallel_for_lambda(w.total, (ELEMENTWISE_GRAIN + len - 1) / (len > 0 ? len : 1), [&](int64_t lo, int64_t hi) {
    walk_range(w, lo, hi, [&](const int64_t* off, int64_t n) {
      for (int64_t i = 0; i < n; i++) {
        const T* p = xp + off[0] + i * xs;
        T best = p[0];
        int32_t bi = 0;
        for (int64_t j = 1; j < len; j++) {
          if (best != best) break;  // a NaN wins and stays
          const T v = p[j * step];
          const bool better = isMax ? (v > best || v != v) : (v < best || v != v);
          if (better) {
            best = v;
            bi = static_cast<int32_t>(j);
          }
        }
        op[off[1] + i * os] = bi;
      }
    });
  });
}

}  // namespace

bool k_reduce(int op, const View& x, const int* dims, int ndims, const View& out) {
  if (x.dtype != out.dtype || out.nd != x.nd || op < 0 || op >= R_COUNT) return false;
  for (int i = 0; i < ndims; i++)
    if (dims[i] < 0 || dims[i] >= x.nd) return false;
  if (out.numel() == 0) return true;
  if (x.dtype == F32) return reduce_dispatch<float>(op, x, dims, ndims, out), true;
  if (x.dtype == F64) return reduce_dispatch<double>(op, x, dims, ndims, out), true;
  return false;
}

bool k_arg_reduce(bool isMax, const View& x, int dim, const View& out) {
  if (out.dtype != I32 || dim < 0 || dim >= x.nd || x.shape[dim] == 0 || out.nd != x.nd) return false;
  if (out.numel() == 0) return true;
  if (x.dtype == F32) return arg_typed<float>(isMax, x, dim, out), true;
  if (x.dtype == F64) return arg_typed<double>(isMax, x, dim, out), true;
  if (x.dtype == I32) return arg_typed<int32_t>(isMax, x, dim, out), true;
  return false;
}

}  // namespace tg
