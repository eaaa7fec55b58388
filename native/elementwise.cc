// Elementwise kernels: copy (with casts), fill, unary, binary, where.
// Each row loop is compiled twice (AVX2+FMA and baseline) and picked at run time;
// contiguous and scalar-broadcast rows get their own loops so they vectorise.
#include <cmath>
#include <cstring>
#include <limits>

#include "kernels.h"
#include "strided.h"
#include "vmath.h"
#include <type_traits>

namespace tg {
namespace {

// JavaScript truthiness of a number: NaN and 0 are false.
template <typename T> TG_INLINE bool truthy(T x) { return x != 0 && x == x; }

// ToInt32 as JavaScript does on Int32Array stores (truncate, wrap modulo 2^32, NaN/Inf -> 0).
TG_INLINE int32_t js_to_int32(double x) {
  if (x >= -2147483648.0 && x < 2147483648.0) return static_cast<int32_t>(x);
  if (!std::isfinite(x)) return 0;
  double m = std::fmod(std::trunc(x), 4294967296.0);
  if (m < 0) m += 4294967296.0;
  return static_cast<int32_t>(static_cast<uint32_t>(m));
}

template <typename S, typename D> TG_INLINE D cast_to(S v) { return static_cast<D>(v); }
template <> TG_INLINE int32_t cast_to<float, int32_t>(float v) { return js_to_int32(v); }
template <> TG_INLINE int32_t cast_to<double, int32_t>(double v) { return js_to_int32(v); }
template <> TG_INLINE uint8_t cast_to<float, uint8_t>(float v) { return truthy(v) ? 1 : 0; }
template <> TG_INLINE uint8_t cast_to<double, uint8_t>(double v) { return truthy(v) ? 1 : 0; }
template <> TG_INLINE uint8_t cast_to<int32_t, uint8_t>(int32_t v) { return v != 0 ? 1 : 0; }
template <> TG_INLINE uint8_t cast_to<uint8_t, uint8_t>(uint8_t v) { return v; }

// ---- row loops, one body for both ISAs ----

template <typename S, typename D> TG_INLINE void copy_row(const S* s, int64_t ss, D* d, int64_t ds, int64_t n) {
  if (ss == 1 && ds == 1) {
    for (int64_t i = 0; i < n; i++) d[i] = cast_to<S, D>(s[i]);
  } else {
    for (int64_t i = 0; i < n; i++) d[i * ds] = cast_to<S, D>(s[i * ss]);
  }
}

template <typename T, typename F> TG_INLINE void unary_row(const T* x, int64_t xs, T* o, int64_t os, int64_t n, F& f) {
  if (xs == 1 && os == 1) {
    for (int64_t i = 0; i < n; i++) o[i] = f(x[i]);
  } else {
    for (int64_t i = 0; i < n; i++) o[i * os] = f(x[i * xs]);
  }
}

template <typename T, typename O, typename F>
TG_INLINE void binary_row(const T* a, int64_t as, const T* b, int64_t bs, O* o, int64_t os, int64_t n, F& f) {
  if (os == 1 && as == 1 && bs == 1) {
    for (int64_t i = 0; i < n; i++) o[i] = f(a[i], b[i]);
  } else if (os == 1 && as == 1 && bs == 0) {
    const T bv = *b;
    for (int64_t i = 0; i < n; i++) o[i] = f(a[i], bv);
  } else if (os == 1 && as == 0 && bs == 1) {
    const T av = *a;
    for (int64_t i = 0; i < n; i++) o[i] = f(av, b[i]);
  } else {
    for (int64_t i = 0; i < n; i++) o[i * os] = f(a[i * as], b[i * bs]);
  }
}

// ---- chunk drivers: walk a range of the collapsed index space ----

template <typename S, typename D> TG_INLINE void copy_chunk(const Walk<2>& w, const S* s, D* d, int64_t b, int64_t e) {
  const int64_t ss = w.istride(0), ds = w.istride(1);
  walk_range(w, b, e, [&](const int64_t* off, int64_t n) { copy_row<S, D>(s + off[0], ss, d + off[1], ds, n); });
}
template <typename S, typename D> TG_AVX2 void copy_chunk_avx2(const Walk<2>& w, const S* s, D* d, int64_t b, int64_t e) { copy_chunk(w, s, d, b, e); }
template <typename S, typename D> void copy_chunk_base(const Walk<2>& w, const S* s, D* d, int64_t b, int64_t e) { copy_chunk(w, s, d, b, e); }

template <typename T, typename F> TG_INLINE void unary_chunk(const Walk<2>& w, const T* x, T* o, F& f, int64_t b, int64_t e) {
  const int64_t xs = w.istride(0), os = w.istride(1);
  F fn = f;  // a local copy: its captured parameters cannot alias the output, so the row vectorises
  walk_range(w, b, e, [&](const int64_t* off, int64_t n) { unary_row(x + off[0], xs, o + off[1], os, n, fn); });
}
template <typename T, typename F> TG_AVX2 void unary_chunk_avx2(const Walk<2>& w, const T* x, T* o, F& f, int64_t b, int64_t e) { unary_chunk(w, x, o, f, b, e); }
template <typename T, typename F> void unary_chunk_base(const Walk<2>& w, const T* x, T* o, F& f, int64_t b, int64_t e) { unary_chunk(w, x, o, f, b, e); }

template <typename T, typename O, typename F>
TG_INLINE void binary_chunk(const Walk<3>& w, const T* a, const T* bb, O* o, F& f, int64_t b, int64_t e) {
  const int64_t as = w.istride(0), bs = w.istride(1), os = w.istride(2);
  F fn = f;  // see unary_chunk
  walk_range(w, b, e, [&](const int64_t* off, int64_t n) { binary_row(a + off[0], as, bb + off[1], bs, o + off[2], os, n, fn); });
}
template <typename T, typename O, typename F>
TG_AVX2 void binary_chunk_avx2(const Walk<3>& w, const T* a, const T* bb, O* o, F& f, int64_t b, int64_t e) { binary_chunk(w, a, bb, o, f, b, e); }
template <typename T, typename O, typename F>
void binary_chunk_base(const Walk<3>& w, const T* a, const T* bb, O* o, F& f, int64_t b, int64_t e) { binary_chunk(w, a, bb, o, f, b, e); }

// Activation gradients: out = f(g, x, y) over four views of one shape.
template <typename T, typename F>
TG_INLINE void act_chunk(const Walk<4>& w, const T* g, const T* x, const T* y, T* o, F& f, int64_t b, int64_t e) {
  const int64_t gs = w.istride(0), xs = w.istride(1), ys = w.istride(2), os = w.istride(3);
  F fn = f;  // see unary_chunk
  walk_range(w, b, e, [&](const int64_t* off, int64_t n) {
    const T *gg = g + off[0], *xx = x + off[1], *yy = y + off[2];
    T* oo = o + off[3];
    if (gs == 1 && xs == 1 && ys == 1 && os == 1) {
      for (int64_t i = 0; i < n; i++) oo[i] = fn(gg[i], xx[i], yy[i]);
    } else {
      for (int64_t i = 0; i < n; i++) oo[i * os] = fn(gg[i * gs], xx[i * xs], yy[i * ys]);
    }
  });
}
template <typename T, typename F>
TG_AVX2 void act_chunk_avx2(const Walk<4>& w, const T* g, const T* x, const T* y, T* o, F& f, int64_t b, int64_t e) { act_chunk(w, g, x, y, o, f, b, e); }
template <typename T, typename F>
void act_chunk_base(const Walk<4>& w, const T* g, const T* x, const T* y, T* o, F& f, int64_t b, int64_t e) { act_chunk(w, g, x, y, o, f, b, e); }

template <int K> Walk<K> walk_of(const View* const* vs, const View& shape_of) {
  const int64_t* strides[K];
  int64_t offs[K];
  for (int k = 0; k < K; k++) {
    strides[k] = vs[k]->strides;
    offs[k] = vs[k]->offset;
  }
  return make_walk<K>(shape_of.nd, shape_of.shape, strides, offs);
}

template <typename S, typename D> void copy_typed(const View& src, const View& out) {
  const View* vs[2] = {&src, &out};
  Walk<2> w = walk_of<2>(vs, out);
  const S* s = static_cast<const S*>(src.data);
  D* d = static_cast<D*>(out.data);
  const bool avx = has_avx2_fma();
  parallel_for_lambda(w.total, ELEMENTWISE_GRAIN, [&](int64_t b, int64_t e) {
    if (avx) copy_chunk_avx2<S, D>(w, s, d, b, e);
    else copy_chunk_base<S, D>(w, s, d, b, e);
  });
}

template <typename S> void copy_from(const View& src, const View& out) {
  switch (out.dtype) {
    case F32: return copy_typed<S, float>(src, out);
    case F64: return copy_typed<S, double>(src, out);
    case I32: return copy_typed<S, int32_t>(src, out);
    case BOOL: return copy_typed<S, uint8_t>(src, out);
  }
}

template <typename T, typename F> void run_unary(const View& x, const View& out, F f) {
  const View* vs[2] = {&x, &out};
  Walk<2> w = walk_of<2>(vs, out);
  const T* xp = static_cast<const T*>(x.data);
  T* op = static_cast<T*>(out.data);
  const bool avx = has_avx2_fma();
  parallel_for_lambda(w.total, ELEMENTWISE_GRAIN, [&](int64_t b, int64_t e) {
    if (avx) unary_chunk_avx2<T, F>(w, xp, op, f, b, e);
    else unary_chunk_base<T, F>(w, xp, op, f, b, e);
  });
}

// Math.pow semantics: NaN exponents and (+-1) ** (+-Infinity) give NaN, unlike C's pow.
template <typename T> TG_INLINE T js_pow(T x, T y) {
  if (y != y || ((x == T(1) || x == T(-1)) && std::isinf(y))) return std::numeric_limits<T>::quiet_NaN();
  return std::pow(x, y);
}

template <typename T> T sigmoid(T x) {
  if (x >= 0) return T(1) / (T(1) + std::exp(-x));
  T e = std::exp(x);
  return e / (T(1) + e);
}

// float32 ops with an AVX2 row (vmath.h): contiguous rows go through it, strided rows through f.
template <typename F, typename R> void run_unary_rows(const View& x, const View& out, F f, R vecRow) {
  const View* vs[2] = {&x, &out};
  Walk<2> w = walk_of<2>(vs, out);
  const float* xp = static_cast<const float*>(x.data);
  float* op = static_cast<float*>(out.data);
  const int64_t xs = w.istride(0), os = w.istride(1);
  parallel_for_lambda(w.total, ELEMENTWISE_GRAIN / 4, [&](int64_t lo, int64_t hi) {
    walk_range(w, lo, hi, [&](const int64_t* off, int64_t n) {
      if (xs == 1 && os == 1) vecRow(xp + off[0], op + off[1], n);
      else for (int64_t i = 0; i < n; i++) op[off[1] + i * os] = f(xp[off[0] + i * xs]);
    });
  });
}

template <typename T> void unary_typed(int op, const View& x, const View& out, double alpha, double beta) {
  const T a = static_cast<T>(alpha), b = static_cast<T>(beta);
#if TG_X86
  if constexpr (std::is_same_v<T, float>) {
    if (has_avx2_fma()) {
      switch (op) {
        case U_EXP: return run_unary_rows(x, out, [](float v) { return std::exp(v); }, exp_row_avx2);
        case U_SIGMOID: return run_unary_rows(x, out, [](float v) { return sigmoid_scalar(v); }, sigmoid_row_avx2);
        case U_TANH: return run_unary_rows(x, out, [](float v) { return std::tanh(v); }, tanh_row_avx2);
        case U_ELU:
          return run_unary_rows(x, out, [a](float v) { return v > 0 ? v : a * std::expm1(v); },
                                [a](const float* xi, float* o, int64_t n) { elu_row_avx2(xi, o, n, a); });
        default: break;
      }
    }
  }
#endif
  const bool hasLo = !std::isnan(alpha), hasHi = !std::isnan(beta);
  switch (op) {
    case U_NEG: return run_unary<T>(x, out, [](T v) { return -v; });
    case U_EXP: return run_unary<T>(x, out, [](T v) { return std::exp(v); });
    case U_LOG: return run_unary<T>(x, out, [](T v) { return std::log(v); });
    case U_SQRT: return run_unary<T>(x, out, [](T v) { return std::sqrt(v); });
    case U_RSQRT: return run_unary<T>(x, out, [](T v) { return T(1) / std::sqrt(v); });
    case U_ABS: return run_unary<T>(x, out, [](T v) { return std::fabs(v); });
    case U_SIGN: return run_unary<T>(x, out, [](T v) { return v > 0 ? T(1) : v < 0 ? T(-1) : v; });
    case U_RECIPROCAL: return run_unary<T>(x, out, [](T v) { return T(1) / v; });
    case U_SQUARE: return run_unary<T>(x, out, [](T v) { return v * v; });
    case U_SIN: return run_unary<T>(x, out, [](T v) { return std::sin(v); });
    case U_COS: return run_unary<T>(x, out, [](T v) { return std::cos(v); });
    case U_LOG1P: return run_unary<T>(x, out, [](T v) { return std::log1p(v); });
    case U_EXPM1: return run_unary<T>(x, out, [](T v) { return std::expm1(v); });
    case U_FLOOR: return run_unary<T>(x, out, [](T v) { return std::floor(v); });
    case U_CEIL: return run_unary<T>(x, out, [](T v) { return std::ceil(v); });
    case U_ROUND: return run_unary<T>(x, out, [](T v) { return std::nearbyint(v); });  // half to even
    case U_NOT: return run_unary<T>(x, out, [](T v) { return truthy(v) ? T(0) : T(1); });
    case U_RELU: return run_unary<T>(x, out, [](T v) { return v <= 0 ? T(0) : v; });  // NaN passes through
    case U_SIGMOID: return run_unary<T>(x, out, [](T v) { return sigmoid(v); });
    case U_TANH: return run_unary<T>(x, out, [](T v) { return std::tanh(v); });
    case U_LEAKY_RELU: return run_unary<T>(x, out, [a](T v) { return v > 0 ? v : a * v; });
    case U_ELU: return run_unary<T>(x, out, [a](T v) { return v > 0 ? v : a * std::expm1(v); });
    case U_POW_SCALAR:
      if (alpha == 2) return run_unary<T>(x, out, [](T v) { return v * v; });
      if (alpha == 0.5) return run_unary<T>(x, out, [](T v) { return std::sqrt(v); });
      return run_unary<T>(x, out, [a](T v) { return js_pow(v, a); });
    case U_CLAMP:
      return run_unary<T>(x, out, [=](T v) {
        if (hasLo && v < a) v = a;
        if (hasHi && v > b) v = b;
        return v;
      });
  }
}

template <typename T, typename O, typename F> void run_binary(const View& a, const View& b, const View& out, F f) {
  const View* vs[3] = {&a, &b, &out};
  Walk<3> w = walk_of<3>(vs, out);
  const T* ap = static_cast<const T*>(a.data);
  const T* bp = static_cast<const T*>(b.data);
  O* op = static_cast<O*>(out.data);
  const bool avx = has_avx2_fma();
  parallel_for_lambda(w.total, ELEMENTWISE_GRAIN, [&](int64_t lo, int64_t hi) {
    if (avx) binary_chunk_avx2<T, O, F>(w, ap, bp, op, f, lo, hi);
    else binary_chunk_base<T, O, F>(w, ap, bp, op, f, lo, hi);
  });
}

template <typename T> void binary_typed(int op, const View& a, const View& b, const View& out) {
  using B = uint8_t;
  switch (op) {
    case B_ADD: return run_binary<T, T>(a, b, out, [](T x, T y) { return x + y; });
    case B_SUB: return run_binary<T, T>(a, b, out, [](T x, T y) { return x - y; });
    case B_MUL: return run_binary<T, T>(a, b, out, [](T x, T y) { return x * y; });
    case B_DIV: return run_binary<T, T>(a, b, out, [](T x, T y) { return x / y; });
    case B_POW: return run_binary<T, T>(a, b, out, [](T x, T y) { return js_pow(x, y); });
    case B_MAXIMUM: return run_binary<T, T>(a, b, out, [](T x, T y) { return (x != x || y != y) ? x + y : x > y ? x : y; });
    case B_MINIMUM: return run_binary<T, T>(a, b, out, [](T x, T y) { return (x != x || y != y) ? x + y : x < y ? x : y; });
    case B_EQ: return run_binary<T, B>(a, b, out, [](T x, T y) { return B(x == y); });
    case B_NE: return run_binary<T, B>(a, b, out, [](T x, T y) { return B(x != y); });
    case B_LT: return run_binary<T, B>(a, b, out, [](T x, T y) { return B(x < y); });
    case B_LE: return run_binary<T, B>(a, b, out, [](T x, T y) { return B(x <= y); });
    case B_GT: return run_binary<T, B>(a, b, out, [](T x, T y) { return B(x > y); });
    case B_GE: return run_binary<T, B>(a, b, out, [](T x, T y) { return B(x >= y); });
    case B_AND: return run_binary<T, B>(a, b, out, [](T x, T y) { return B(truthy(x) && truthy(y)); });
    case B_OR: return run_binary<T, B>(a, b, out, [](T x, T y) { return B(truthy(x) || truthy(y)); });
  }
}

template <typename T> void where_typed(const View& c, const View& a, const View& b, const View& out) {
  const View* vs[4] = {&c, &a, &b, &out};
  Walk<4> w = walk_of<4>(vs, out);
  const uint8_t* cp = static_cast<const uint8_t*>(c.data);
  const T* ap = static_cast<const T*>(a.data);
  const T* bp = static_cast<const T*>(b.data);
  T* op = static_cast<T*>(out.data);
  const int64_t cs = w.istride(0), as = w.istride(1), bs = w.istride(2), os = w.istride(3);
  parallel_for_lambda(w.total, ELEMENTWISE_GRAIN, [&](int64_t lo, int64_t hi) {
    walk_range(w, lo, hi, [&](const int64_t* off, int64_t n) {
      const uint8_t* cc = cp + off[0];
      const T* aa = ap + off[1];
      const T* bb = bp + off[2];
      T* oo = op + off[3];
      for (int64_t i = 0; i < n; i++) oo[i * os] = cc[i * cs] ? aa[i * as] : bb[i * bs];
    });
  });
}

template <typename T> void fill_typed(const View& out, T v) {
  const View* vs[1] = {&out};
  Walk<1> w = walk_of<1>(vs, out);
  T* op = static_cast<T*>(out.data);
  const int64_t os = w.istride(0);
  parallel_for_lambda(w.total, ELEMENTWISE_GRAIN, [&](int64_t lo, int64_t hi) {
    walk_range(w, lo, hi, [&](const int64_t* off, int64_t n) {
      T* oo = op + off[0];
      if (os == 1) for (int64_t i = 0; i < n; i++) oo[i] = v;
      else for (int64_t i = 0; i < n; i++) oo[i * os] = v;
    });
  });
}

template <typename T, typename F> void run_activation_backward(const View& g, const View& x, const View& y, const View& out, F f) {
  const View* vs[4] = {&g, &x, &y, &out};
  Walk<4> w = walk_of<4>(vs, out);
  const T* gp = static_cast<const T*>(g.data);
  const T* xp = static_cast<const T*>(x.data);
  const T* yp = static_cast<const T*>(y.data);
  T* op = static_cast<T*>(out.data);
  const bool avx = has_avx2_fma();
  parallel_for_lambda(w.total, ELEMENTWISE_GRAIN, [&](int64_t lo, int64_t hi) {
    if (avx) act_chunk_avx2<T, F>(w, gp, xp, yp, op, f, lo, hi);
    else act_chunk_base<T, F>(w, gp, xp, yp, op, f, lo, hi);
  });
}

template <typename T> void activation_backward_typed(int op, const View& g, const View& x, const View& y, const View& out, double alpha) {
  const T a = static_cast<T>(alpha);
  switch (op) {
    case A_RELU: return run_activation_backward<T>(g, x, y, out, [](T gv, T, T yv) { return yv > 0 ? gv : T(0); });
    case A_LEAKY_RELU: return run_activation_backward<T>(g, x, y, out, [a](T gv, T xv, T) { return xv > 0 ? gv : a * gv; });
    case A_ELU: return run_activation_backward<T>(g, x, y, out, [a](T gv, T xv, T yv) { return xv > 0 ? gv : gv * (yv + a); });
    case A_SIGMOID: return run_activation_backward<T>(g, x, y, out, [](T gv, T, T yv) { return gv * yv * (T(1) - yv); });
    case A_TANH: return run_activation_backward<T>(g, x, y, out, [](T gv, T, T yv) { return gv * (T(1) - yv * yv); });
  }
}

}  // namespace

bool k_activation_backward(int op, const View& g, const View& x, const View& y, const View& out, double alpha) {
  if (g.dtype != out.dtype || x.dtype != out.dtype || y.dtype != out.dtype || op < 0 || op >= A_COUNT) return false;
  if (out.dtype == F32) return activation_backward_typed<float>(op, g, x, y, out, alpha), true;
  if (out.dtype == F64) return activation_backward_typed<double>(op, g, x, y, out, alpha), true;
  return false;
}


void k_copy(const View& src, const View& out) {
  switch (src.dtype) {
    case F32: return copy_from<float>(src, out);
    case F64: return copy_from<double>(src, out);
    case I32: return copy_from<int32_t>(src, out);
    case BOOL: return copy_from<uint8_t>(src, out);
  }
}

void k_fill(const View& out, double value) {
  switch (out.dtype) {
    case F32: return fill_typed<float>(out, static_cast<float>(value));
    case F64: return fill_typed<double>(out, value);
    case I32: return fill_typed<int32_t>(out, js_to_int32(value));
    // Uint8Array stores wrap modulo 256 like ToUint8.
    case BOOL: return fill_typed<uint8_t>(out, static_cast<uint8_t>(static_cast<uint32_t>(js_to_int32(value))));
  }
}

bool k_unary(int op, const View& x, const View& out, double alpha, double beta) {
  if (x.dtype != out.dtype) return false;
  if (x.dtype == F32) return unary_typed<float>(op, x, out, alpha, beta), true;
  if (x.dtype == F64) return unary_typed<double>(op, x, out, alpha, beta), true;
  return false;
}

bool k_binary(int op, const View& a, const View& b, const View& out) {
  if (a.dtype != b.dtype) return false;
  const bool cmp = op >= B_EQ;
  if (cmp ? out.dtype != BOOL : out.dtype != a.dtype) return false;
  if (a.dtype == F32) return binary_typed<float>(op, a, b, out), true;
  if (a.dtype == F64) return binary_typed<double>(op, a, b, out), true;
  return false;
}

bool k_where(const View& c, const View& a, const View& b, const View& out) {
  if (c.dtype != BOOL || a.dtype != out.dtype || b.dtype != out.dtype) return false;
  switch (out.dtype) {
    case F32: return where_typed<float>(c, a, b, out), true;
    case F64: return where_typed<double>(c, a, b, out), true;
    case I32: return where_typed<int32_t>(c, a, b, out), true;
    case BOOL: return where_typed<uint8_t>(c, a, b, out), true;
  }
  return false;
}

}  // namespace tg
