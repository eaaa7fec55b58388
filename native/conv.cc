// conv2d forward and both backward passes as im2col + GEMM, per image and group.
//   forward:        y[n,g]  = W_g (opg x cpg*KK)  @ col(x[n,g]) (cpg*KK x OH*OW)
//   backward input: gx[n,g] = col2im( W_g^T @ gy[n,g] )
//   backward weight: gW_g  = sum_n gy[n,g] @ col(x[n,g])^T
// A 1x1 / stride 1 / no padding convolution needs no col buffer: x itself is the matrix.
// With at least as many images as threads, threads take whole images (serial GEMMs,
// private col buffers, private gW partials); otherwise each GEMM is threaded.
#include <cstdlib>
#include <cstring>
#include <vector>

#include "kernels.h"

namespace tg {
namespace {

struct Geo {
  int64_t N, C, H, W, O, KH, KW, OH, OW, G, cpg, opg;
  int64_t sh, sw, ph, pw, dh, dw;
  int64_t kk() const { return KH * KW; }
  int64_t rows() const { return cpg * KH * KW; }  // col rows
  int64_t cols() const { return OH * OW; }         // col columns
  bool pointwise() const { return KH == 1 && KW == 1 && sh == 1 && sw == 1 && ph == 0 && pw == 0; }
};

bool contiguous4(const View& v) {
  if (v.nd != 4) return false;
  int64_t s = 1;
  for (int d = 3; d >= 0; d--) {
    if (v.shape[d] != 1 && v.strides[d] != s) return false;
    s *= v.shape[d];
  }
  return true;
}

bool geometry(const View& x, const View& w, const View& y, const Conv2dParams& p, Geo& g) {
  if (!contiguous4(x) || !contiguous4(w) || !contiguous4(y)) return false;
  if (x.dtype != w.dtype || x.dtype != y.dtype || (x.dtype != F32 && x.dtype != F64)) return false;
  g = Geo{x.shape[0], x.shape[1], x.shape[2], x.shape[3], w.shape[0], w.shape[2], w.shape[3], y.shape[2], y.shape[3],
          p.groups, 0, 0, p.sh, p.sw, p.ph, p.pw, p.dh, p.dw};
  if (g.G < 1 || g.C % g.G || g.O % g.G) return false;
  g.cpg = g.C / g.G;
  g.opg = g.O / g.G;
  return w.shape[1] == g.cpg && y.shape[0] == g.N && y.shape[1] == g.O;
}

struct Scratch {
  void* p = nullptr;
  size_t bytes = 0;
  void* get(size_t n) {
    if (n > bytes) {
      std::free(p);
      p = std::malloc(n);
      bytes = p ? n : 0;
    }
    return p;
  }
  ~Scratch() { std::free(p); }
};
thread_local Scratch t_col;

// col[(c*KH+kh)*KW+kw][oh*OW+ow] = x[c][oh*sh-ph+kh*dh][ow*sw-pw+kw*dw] (0 outside).
template <typename T> void im2col(const Geo& g, const T* x, T* col) {
  for (int64_t c = 0; c < g.cpg; c++)
    for (int64_t kh = 0; kh < g.KH; kh++)
      for (int64_t kw = 0; kw < g.KW; kw++) {
        T* dst = col + ((c * g.KH + kh) * g.KW + kw) * g.cols();
        const T* plane = x + c * g.H * g.W;
        // Output columns whose input column is inside the image: ow in [lo, hi).
        const int64_t off = kw * g.dw - g.pw;
        int64_t lo = off >= 0 ? 0 : (-off + g.sw - 1) / g.sw;
        int64_t hi = g.W - off <= 0 ? 0 : (g.W - off + g.sw - 1) / g.sw;
        if (hi > g.OW) hi = g.OW;
        if (lo > hi) lo = hi;
        for (int64_t oh = 0; oh < g.OH; oh++) {
          T* d = dst + oh * g.OW;
          const int64_t ih = oh * g.sh - g.ph + kh * g.dh;
          if (ih < 0 || ih >= g.H) {
            for (int64_t ow = 0; ow < g.OW; ow++) d[ow] = T(0);
            continue;
          }
          const T* src = plane + ih * g.W + off;
          for (int64_t ow = 0; ow < lo; ow++) d[ow] = T(0);
          if (g.sw == 1) std::memcpy(d + lo, src + lo, (hi - lo) * sizeof(T));
          else for (int64_t ow = lo; ow < hi; ow++) d[ow] = src[ow * g.sw];
          for (int64_t ow = hi; ow < g.OW; ow++) d[ow] = T(0);
        }
      }
}

// The adjoint of im2col: x[c][ih][iw] += col[...] (x already holds earlier contributions).
template <typename T> void col2im(const Geo& g, const T* col, T* x) {
  for (int64_t c = 0; c < g.cpg; c++)
    for (int64_t kh = 0; kh < g.KH; kh++)
      for (int64_t kw = 0; kw < g.KW; kw++) {
        const T* srcRow = col + ((c * g.KH + kh) * g.KW + kw) * g.cols();
        T* plane = x + c * g.H * g.W;
        const int64_t off = kw * g.dw - g.pw;
        int64_t lo = off >= 0 ? 0 : (-off + g.sw - 1) / g.sw;
        int64_t hi = g.W - off <= 0 ? 0 : (g.W - off + g.sw - 1) / g.sw;
        if (hi > g.OW) hi = g.OW;
        if (lo > hi) lo = hi;
        for (int64_t oh = 0; oh < g.OH; oh++) {
          const int64_t ih = oh * g.sh - g.ph + kh * g.dh;
          if (ih < 0 || ih >= g.H) continue;
          const T* s = srcRow + oh * g.OW;
          T* d = plane + ih * g.W + off;
          if (g.sw == 1) for (int64_t ow = lo; ow < hi; ow++) d[ow] += s[ow];
          else for (int64_t ow = lo; ow < hi; ow++) d[ow * g.sw] += s[ow];
        }
      }
}

template <typename T> void forward_image(const Geo& g, const T* x, const T* w, T* y, int64_t n, bool serial) {
  for (int64_t gr = 0; gr < g.G; gr++) {
    const T* xg = x + (n * g.C + gr * g.cpg) * g.H * g.W;
    const T* wg = w + gr * g.opg * g.rows();
    T* yg = y + (n * g.O + gr * g.opg) * g.cols();
    const T* col = xg;
    if (!g.pointwise()) {
      T* buf = static_cast<T*>(t_col.get(sizeof(T) * g.rows() * g.cols()));
      im2col(g, xg, buf);
      col = buf;
    }
    gemm<T>(g.opg, g.cols(), g.rows(), wg, g.rows(), 1, col, g.cols(), 1, yg, g.cols(), 1, false, serial);
  }
}

template <typename T> void backward_input_image(const Geo& g, const T* gy, const T* w, T* gx, int64_t n, bool serial) {
  T* gxn = gx + n * g.C * g.H * g.W;
  if (!g.pointwise()) std::memset(gxn, 0, sizeof(T) * g.C * g.H * g.W);
  for (int64_t gr = 0; gr < g.G; gr++) {
    const T* wg = w + gr * g.opg * g.rows();
    const T* gyg = gy + (n * g.O + gr * g.opg) * g.cols();
    T* gxg = gxn + gr * g.cpg * g.H * g.W;
    if (g.pointwise()) {
      gemm<T>(g.cpg, g.cols(), g.opg, wg, 1, g.rows(), gyg, g.cols(), 1, gxg, g.cols(), 1, false, serial);
    } else {
      T* buf = static_cast<T*>(t_col.get(sizeof(T) * g.rows() * g.cols()));
      gemm<T>(g.rows(), g.cols(), g.opg, wg, 1, g.rows(), gyg, g.cols(), 1, buf, g.cols(), 1, false, serial);
      col2im(g, buf, gxg);
    }
  }
}

// gw (O x cpg*KK) += (or =) contributions of image n.
template <typename T> void backward_weight_image(const Geo& g, const T* x, const T* gy, T* gw, int64_t n, bool accumulate, bool serial) {
  for (int64_t gr = 0; gr < g.G; gr++) {
    const T* xg = x + (n * g.C + gr * g.cpg) * g.H * g.W;
    const T* gyg = gy + (n * g.O + gr * g.opg) * g.cols();
    T* gwg = gw + gr * g.opg * g.rows();
    const T* col = xg;
    if (!g.pointwise()) {
      T* buf = static_cast<T*>(t_col.get(sizeof(T) * g.rows() * g.cols()));
      im2col(g, xg, buf);
      col = buf;
    }
    // gW_g (opg x rows) = gy_g (opg x cols) @ col^T (cols x rows)
    gemm<T>(g.opg, g.rows(), g.cols(), gyg, g.cols(), 1, col, 1, g.cols(), gwg, g.rows(), 1, accumulate, serial);
  }
}

template <typename T> void conv_forward(const Geo& g, const View& x, const View& w, const View& y) {
  const T* xp = x.ptr<T>();
  const T* wp = w.ptr<T>();
  T* yp = y.ptr<T>();
  if (g.N >= num_threads() && g.N > 1) {
    parallel_for_lambda(g.N, 1, [&](int64_t lo, int64_t hi) {
      for (int64_t n = lo; n < hi; n++) forward_image(g, xp, wp, yp, n, true);
    });
  } else {
    for (int64_t n = 0; n < g.N; n++) forward_image(g, xp, wp, yp, n, false);
  }
}

template <typename T> void conv_backward_input(const Geo& g, const View& gy, const View& w, const View& gx) {
  const T* gyp = gy.ptr<T>();
  const T* wp = w.ptr<T>();
  T* gxp = gx.ptr<T>();
  if (g.N >= num_threads() && g.N > 1) {
    parallel_for_lambda(g.N, 1, [&](int64_t lo, int64_t hi) {
      for (int64_t n = lo; n < hi; n++) backward_input_image(g, gyp, wp, gxp, n, true);
    });
  } else {
    for (int64_t n = 0; n < g.N; n++) backward_input_image(g, gyp, wp, gxp, n, false);
  }
}

template <typename T> void conv_backward_weight(const Geo& g, const View& x, const View& gy, const View& gw) {
  const T* xp = x.ptr<T>();
  const T* gyp = gy.ptr<T>();
  T* gwp = gw.ptr<T>();
  const int64_t size = g.O * g.rows();
  const int threads = num_threads();
  if (g.N == 0) {
    std::memset(gwp, 0, sizeof(T) * size);
    return;
  }
  if (g.N >= threads && threads > 1) {
    // Thread 0 accumulates into gw itself, the others into private partials summed at the end.
    std::vector<T> partial(size_t(threads - 1) * size);
    parallel_tasks_lambda(threads, [&](int tid, int np) {
      const int64_t lo = g.N * tid / np, hi = g.N * (tid + 1) / np;
      T* dst = tid == 0 ? gwp : partial.data() + (tid - 1) * size;
      if (lo == hi) std::memset(dst, 0, sizeof(T) * size);
      for (int64_t n = lo; n < hi; n++) backward_weight_image(g, xp, gyp, dst, n, n > lo, true);
    });
    for (int t = 0; t < threads - 1; t++) {
      const T* p = partial.data() + t * size;
      for (int64_t i = 0; i < size; i++) gwp[i] += p[i];
    }
  } else {
    for (int64_t n = 0; n < g.N; n++) backward_weight_image(g, xp, gyp, gwp, n, n > 0, false);
  }
}

}  // namespace

bool k_conv2d(const View& x, const View& w, const View& out, const Conv2dParams& p) {
  Geo g;
  if (!geometry(x, w, out, p, g)) return false;
  if (out.numel() == 0) return true;
  if (x.dtype == F32) conv_forward<float>(g, x, w, out);
  else conv_forward<double>(g, x, w, out);
  return true;
}

bool k_conv2d_backward_input(const View& gy, const View& w, const View& gx, const Conv2dParams& p) {
  Geo g;
  if (!geometry(gx, w, gy, p, g)) return false;
  if (gx.numel() == 0) return true;
  if (gx.dtype == F32) conv_backward_input<float>(g, gy, w, gx);
  else conv_backward_input<double>(g, gy, w, gx);
  return true;
}

bool k_conv2d_backward_weight(const View& x, const View& gy, const View& gw, const Conv2dParams& p) {
  Geo g;
  if (!geometry(x, gw, gy, p, g)) return false;
  if (gw.numel() == 0) return true;
  if (x.dtype == F32) conv_backward_weight<float>(g, x, gy, gw);
  else conv_backward_weight<double>(g, x, gy, gw);
  return true;
}

}  // namespace tg
