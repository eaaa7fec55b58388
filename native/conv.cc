// conv2d forward and both backward passes as im2col + GEMM, per image and group.
//   forward:        y[n,g]  = W_g (opg x cpg*KK)  @ col(x[n,g]) (cpg*KK x OH*OW)
//   backward input: gx[n,g] = col2im( W_g^T @ gy[n,g] )
//   backward weight: gW_g  = sum_n gy[n,g] @ col(x[n,g])^T
// A 1x1 / stride 1 / no padding convolution needs no col buffer: x itself is the matrix.
// Small feature maps put several images side by side in one col matrix so the GEMM
// stays wide (a 2x2 map alone would fill a quarter of a 16-wide micro-tile).
// With at least as many chunks as threads, threads take whole chunks (serial GEMMs,
// private col buffers, private gW partials); otherwise each GEMM is threaded.
// Float32 3x3 / stride 1 layers go to Winograd F(2x2, 3x3) instead (winograd.cc), and small
// padded maps with many channels to one GEMM per kernel tap (below).
#include <algorithm>
#include <cstdlib>
#include <cstring>
#include <type_traits>
#include <utility>
#include <vector>

#include "kernels.h"
#include "scratch.h"
#include "winograd.h"

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

thread_local Scratch t_col, t_partial, t_packW;

// Copies n elements. Rows of small feature maps are a few floats long, where a call to
// memcpy costs more than the copy; GCC would turn the plain loop back into that call.
template <typename T> __attribute__((optimize("no-tree-loop-distribute-patterns"))) inline void copy_row(T* d, const T* s, int64_t n) {
  if (n >= 32) {
    std::memcpy(d, s, sizeof(T) * n);
    return;
  }
  for (int64_t i = 0; i < n; i++) d[i] = s[i];
}

// The weight of every group packed once as GEMM operand A (W_g, or W_g^T when
// `transposed`), shared by all chunks: otherwise each chunk's GEMM repacks it.
template <typename T> struct PackedWeight {
  std::vector<PackedA<T>> groups;
  const PackedA<T>* at(int64_t gr) const { return groups.empty() ? nullptr : &groups[gr]; }
};
template <typename T> PackedWeight<T> pack_weight(const Geo& g, const T* w, bool transposed) {
  PackedWeight<T> pw;
  const int64_t M = transposed ? g.rows() : g.opg, K = transposed ? g.opg : g.rows();
  const int64_t per = packed_a_size<T>(M, K);
  T* buf = static_cast<T*>(t_packW.get(sizeof(T) * per * g.G));
  if (!buf) return pw;
  for (int64_t gr = 0; gr < g.G; gr++) {
    const T* wg = w + gr * g.opg * g.rows();
    pw.groups.push_back(transposed ? pack_gemm_a<T>(M, K, wg, 1, g.rows(), buf + gr * per) : pack_gemm_a<T>(M, K, wg, g.rows(), 1, buf + gr * per));
  }
  return pw;
}

// col[(c*KH+kh)*KW+kw][oh*OW+ow] = x[c][oh*sh-ph+kh*dh][ow*sw-pw+kw*dw] (0 outside);
// col rows are `ld` apart so several images can sit side by side.
template <typename T> void im2col(const Geo& g, const T* x, T* col, int64_t ld) {
  for (int64_t c = 0; c < g.cpg; c++)
    for (int64_t kh = 0; kh < g.KH; kh++)
      for (int64_t kw = 0; kw < g.KW; kw++) {
        T* dst = col + ((c * g.KH + kh) * g.KW + kw) * ld;
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
          if (g.sw == 1) copy_row(d + lo, src + lo, hi - lo);
          else for (int64_t ow = lo; ow < hi; ow++) d[ow] = src[ow * g.sw];
          for (int64_t ow = hi; ow < g.OW; ow++) d[ow] = T(0);
        }
      }
}

// The adjoint of im2col: x[c][ih][iw] += col[...] (x already holds earlier contributions).
template <typename T> void col2im(const Geo& g, const T* col, int64_t ld, T* x) {
  for (int64_t c = 0; c < g.cpg; c++)
    for (int64_t kh = 0; kh < g.KH; kh++)
      for (int64_t kw = 0; kw < g.KW; kw++) {
        const T* srcRow = col + ((c * g.KH + kh) * g.KW + kw) * ld;
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

// Copies rows [r0, r0+nr) of images n0.. into a [nr, nb*cols] matrix (images side by side), or back.
template <typename T> void gather_rows(const T* src, int64_t chanStride, int64_t r0, int64_t nr, int64_t cols, int64_t n0, int64_t nb, T* dst) {
  for (int64_t r = 0; r < nr; r++)
    for (int64_t i = 0; i < nb; i++) copy_row(dst + r * nb * cols + i * cols, src + (n0 + i) * chanStride + (r0 + r) * cols, cols);
}
template <typename T> void scatter_rows(const T* src, int64_t chanStride, int64_t r0, int64_t nr, int64_t cols, int64_t n0, int64_t nb, T* dst) {
  for (int64_t r = 0; r < nr; r++)
    for (int64_t i = 0; i < nb; i++) copy_row(dst + (n0 + i) * chanStride + (r0 + r) * cols, src + r * nb * cols + i * cols, cols);
}

// Scratch: col/gcol [rows, nb*cols], and a [max(opg,cpg), nb*cols] staging matrix for y/gy.
template <typename T> struct Bufs {
  T* col;
  T* stage;
};
template <typename T> Bufs<T> bufs(const Geo& g, int64_t nb) {
  const int64_t width = nb * g.cols();
  const int64_t colN = g.rows() * width, stageN = (g.opg > g.cpg ? g.opg : g.cpg) * width;
  T* base = static_cast<T*>(t_col.get(sizeof(T) * (colN + stageN)));
  return {base, base + colN};
}

// Images [n0, n0+nb) of the forward pass. One image writes straight into y.
template <typename T>
void forward_chunk(const Geo& g, const T* x, const T* w, const PackedWeight<T>& pw, T* y, int64_t n0, int64_t nb, bool serial) {
  const int64_t cols = g.cols(), width = nb * cols;
  for (int64_t gr = 0; gr < g.G; gr++) {
    const T* wg = w + gr * g.opg * g.rows();
    const PackedA<T>* pa = pw.at(gr);
    if (nb == 1 && g.pointwise()) {
      gemm<T>(g.opg, cols, g.rows(), wg, g.rows(), 1, x + (n0 * g.C + gr * g.cpg) * cols, cols, 1,
              y + (n0 * g.O + gr * g.opg) * cols, cols, 1, false, serial, pa);
      continue;
    }
    Bufs<T> b = bufs<T>(g, nb);
    if (g.pointwise()) gather_rows(x, g.C * cols, gr * g.cpg, g.cpg, cols, n0, nb, b.col);
    else
      for (int64_t i = 0; i < nb; i++) im2col(g, x + ((n0 + i) * g.C + gr * g.cpg) * g.H * g.W, b.col + i * cols, width);
    if (nb == 1) {
      gemm<T>(g.opg, cols, g.rows(), wg, g.rows(), 1, b.col, cols, 1, y + (n0 * g.O + gr * g.opg) * cols, cols, 1, false, serial, pa);
    } else {
      gemm<T>(g.opg, width, g.rows(), wg, g.rows(), 1, b.col, width, 1, b.stage, width, 1, false, serial, pa);
      scatter_rows(b.stage, g.O * cols, gr * g.opg, g.opg, cols, n0, nb, y);
    }
  }
}

// Group gr's output gradient for images [n0, n0+nb) as an [opg, nb*cols] matrix: in place for
// one image, else gathered side by side into b.stage. Sets its row stride `ld`.
template <typename T> const T* gy_chunk(const Geo& g, const T* gy, int64_t gr, int64_t n0, int64_t nb, const Bufs<T>& b, int64_t& ld) {
  const int64_t cols = g.cols();
  if (nb == 1) {
    ld = cols;
    return gy + (n0 * g.O + gr * g.opg) * cols;
  }
  gather_rows(gy, g.O * cols, gr * g.opg, g.opg, cols, n0, nb, b.stage);
  ld = nb * cols;
  return b.stage;
}

template <typename T>
void backward_input_chunk(const Geo& g, const T* gy, const T* w, const PackedWeight<T>& pw, T* gx, int64_t n0, int64_t nb, bool serial) {
  const int64_t cols = g.cols(), width = nb * cols, plane = g.H * g.W;
  if (!g.pointwise()) std::memset(gx + n0 * g.C * plane, 0, sizeof(T) * nb * g.C * plane);
  for (int64_t gr = 0; gr < g.G; gr++) {
    const T* wg = w + gr * g.opg * g.rows();
    const PackedA<T>* pa = pw.at(gr);
    if (nb == 1 && g.pointwise()) {
      gemm<T>(g.cpg, cols, g.opg, wg, 1, g.rows(), gy + (n0 * g.O + gr * g.opg) * cols, cols, 1,
              gx + (n0 * g.C + gr * g.cpg) * plane, cols, 1, false, serial, pa);
      continue;
    }
    Bufs<T> b = bufs<T>(g, nb);
    int64_t ldy;
    const T* gyc = gy_chunk(g, gy, gr, n0, nb, b, ldy);
    // gcol [rows, width] = W_g^T @ gy_chunk
    gemm<T>(g.rows(), width, g.opg, wg, 1, g.rows(), gyc, ldy, 1, b.col, width, 1, false, serial, pa);
    if (g.pointwise()) scatter_rows(b.col, g.C * cols, gr * g.cpg, g.cpg, cols, n0, nb, gx);
    else
      for (int64_t i = 0; i < nb; i++) col2im(g, b.col + i * cols, width, gx + ((n0 + i) * g.C + gr * g.cpg) * plane);
  }
}

// gw (O x cpg*KK) += (or =) the contributions of images [n0, n0+nb).
template <typename T>
void backward_weight_chunk(const Geo& g, const T* x, const T* gy, T* gw, int64_t n0, int64_t nb, bool accumulate, bool serial) {
  const int64_t cols = g.cols(), width = nb * cols;
  for (int64_t gr = 0; gr < g.G; gr++) {
    T* gwg = gw + gr * g.opg * g.rows();
    if (nb == 1 && g.pointwise()) {
      gemm<T>(g.opg, g.rows(), cols, gy + (n0 * g.O + gr * g.opg) * cols, cols, 1, x + (n0 * g.C + gr * g.cpg) * cols, 1, cols, gwg,
              g.rows(), 1, accumulate, serial);
      continue;
    }
    Bufs<T> b = bufs<T>(g, nb);
    if (g.pointwise()) gather_rows(x, g.C * cols, gr * g.cpg, g.cpg, cols, n0, nb, b.col);
    else
      for (int64_t i = 0; i < nb; i++) im2col(g, x + ((n0 + i) * g.C + gr * g.cpg) * g.H * g.W, b.col + i * cols, width);
    int64_t ldy;
    const T* gyc = gy_chunk(g, gy, gr, n0, nb, b, ldy);
    // gW_g (opg x rows) (+)= gy_chunk (opg x width) @ col^T (width x rows)
    gemm<T>(g.opg, g.rows(), width, gyc, ldy, 1, b.col, 1, width, gwg, g.rows(), 1, accumulate, serial);
  }
}

// Images per chunk: enough side by side that the GEMM has >= ~256 columns.
int64_t chunk_images(const Geo& g) {
  const int64_t cols = g.cols() > 0 ? g.cols() : 1;
  int64_t nb = (256 + cols - 1) / cols;
  const int64_t perThread = (g.N + num_threads() - 1) / num_threads();
  if (nb > perThread) nb = perThread;
  return nb < 1 ? 1 : nb;
}

// Runs f(n0, nb, serial) over chunks: threads take whole chunks when there are enough of them.
template <typename F> void over_chunks(const Geo& g, F&& f) {
  const int64_t nb = chunk_images(g);
  const int64_t chunks = (g.N + nb - 1) / nb;
  if (chunks >= num_threads() && chunks > 1) {
    parallel_for_lambda(chunks, 1, [&](int64_t lo, int64_t hi) {
      for (int64_t c = lo; c < hi; c++) f(c * nb, std::min(nb, g.N - c * nb), true);
    });
  } else {
    for (int64_t c = 0; c < chunks; c++) f(c * nb, std::min(nb, g.N - c * nb), false);
  }
}

// ---- small padded maps: one GEMM per kernel tap over the outputs it reaches ----
//
// On a 2x2 map a padded 3x3 convolution sees the image with only 4 of its 9 taps per output
// (69% on 4x4, 84% on 8x8): im2col's zeros make the rest of the GEMM multiply by zero. Here
// each tap (kh, kw) is a 1x1 convolution between W[:, :, kh, kw] and the input shifted by the
// tap, restricted to the rectangle of outputs whose input lies inside the image: gather those
// inputs of all images [C, m], one threaded GEMM, scatter-add the [O, m] result. Only the
// products that are not with padding are computed. Stride 1, no dilation, one group.

struct Rect {
  int64_t oh0, oh1, ow0, ow1;
  int64_t h() const { return oh1 - oh0; }
  int64_t w() const { return ow1 - ow0; }
  int64_t size() const { return h() > 0 && w() > 0 ? h() * w() : 0; }
};

// Outputs (oh, ow) whose input (oh - ph + kh, ow - pw + kw) lies inside the image.
Rect tap_rect(const Geo& g, int64_t kh, int64_t kw) {
  Rect r{std::max<int64_t>(0, g.ph - kh), std::min<int64_t>(g.OH, g.H + g.ph - kh), std::max<int64_t>(0, g.pw - kw),
         std::min<int64_t>(g.OW, g.W + g.pw - kw)};
  return r;
}

bool use_taps(const Geo& g) {
  if (g.G != 1 || g.sh != 1 || g.sw != 1 || g.dh != 1 || g.dw != 1 || g.kk() == 1) return false;
  if (g.ph == 0 && g.pw == 0) return false;
  // Worth it where padding is a large share of the taps and the gathers are cheap next to the
  // GEMMs: small maps with many channels (the deep layers of a VGG).
  int64_t valid = 0;
  for (int64_t kh = 0; kh < g.KH; kh++)
    for (int64_t kw = 0; kw < g.KW; kw++) valid += tap_rect(g, kh, kw).size();
  // Measured on W5's layers: a clear gain at batch 32 on 4x4 and 2x2 maps and at batch 256 on
  // 2x2 maps (padding over half the taps); none at batch 256 on 4x4, where the im2col GEMM is
  // already wide and the gathers of many images cost as much as the zeros saved.
  const int64_t all = g.kk() * g.cols();
  if (g.cols() > 16 || g.C < 64 || g.O < 64 || valid * 4 > all * 3) return false;
  return g.N * g.cols() <= 1024 || valid * 2 <= all;
}

// dst[c][(n, oh, ow) in rect] = src[n][c][oh + dh][ow + dw] (channels `chans`, images of `plane` elements).
template <typename T>
void gather_rect(const Geo& g, const T* src, int64_t chans, int64_t H, int64_t W, const Rect& r, int64_t dh, int64_t dw, T* dst) {
  const int64_t m = g.N * r.size();
  parallel_for_lambda(chans, 8, [&](int64_t lo, int64_t hi) {
    for (int64_t c = lo; c < hi; c++) {
      T* d = dst + c * m;
      for (int64_t n = 0; n < g.N; n++) {
        const T* s = src + (n * chans + c) * H * W;
        for (int64_t oh = r.oh0; oh < r.oh1; oh++, d += r.w()) copy_row(d, s + (oh + dh) * W + r.ow0 + dw, r.w());
      }
    }
  });
}

// dst[n][c][oh + dh][ow + dw] += src[c][(n, oh, ow) in rect].
template <typename T>
void scatter_add_rect(const Geo& g, const T* src, int64_t chans, int64_t H, int64_t W, const Rect& r, int64_t dh, int64_t dw, T* dst) {
  const int64_t m = g.N * r.size();
  parallel_for_lambda(chans, 8, [&](int64_t lo, int64_t hi) {
    for (int64_t c = lo; c < hi; c++) {
      const T* s = src + c * m;
      for (int64_t n = 0; n < g.N; n++) {
        T* d = dst + (n * chans + c) * H * W;
        for (int64_t oh = r.oh0; oh < r.oh1; oh++, s += r.w()) {
          T* row = d + (oh + dh) * W + r.ow0 + dw;
          for (int64_t i = 0; i < r.w(); i++) row[i] += s[i];
        }
      }
    }
  });
}

// Scratch for one tap: the gathered operand and the GEMM result, each at most max(C, O) x N*OH*OW.
template <typename T> std::pair<T*, T*> tap_bufs(const Geo& g) {
  const int64_t rows = std::max(g.C, g.O), m = g.N * g.cols();
  T* base = static_cast<T*>(t_col.get(sizeof(T) * 2 * rows * m));
  return {base, base + rows * m};
}

template <typename T> void taps_forward(const Geo& g, const T* x, const T* w, T* y) {
  auto [in, out] = tap_bufs<T>(g);
  std::memset(y, 0, sizeof(T) * g.N * g.O * g.cols());
  for (int64_t kh = 0; kh < g.KH; kh++)
    for (int64_t kw = 0; kw < g.KW; kw++) {
      const Rect r = tap_rect(g, kh, kw);
      const int64_t m = g.N * r.size();
      if (m == 0) continue;
      gather_rect(g, x, g.C, g.H, g.W, r, kh - g.ph, kw - g.pw, in);
      // out [O, m] = W[:, :, kh, kw] (O x C, strides C*KK and KK) @ in [C, m]
      gemm<T>(g.O, m, g.C, w + kh * g.KW + kw, g.C * g.kk(), g.kk(), in, m, 1, out, m, 1, false, false);
      scatter_add_rect(g, out, g.O, g.OH, g.OW, r, 0, 0, y);
    }
}

template <typename T> void taps_backward_input(const Geo& g, const T* gy, const T* w, T* gx) {
  auto [in, out] = tap_bufs<T>(g);
  std::memset(gx, 0, sizeof(T) * g.N * g.C * g.H * g.W);
  for (int64_t kh = 0; kh < g.KH; kh++)
    for (int64_t kw = 0; kw < g.KW; kw++) {
      const Rect r = tap_rect(g, kh, kw);
      const int64_t m = g.N * r.size();
      if (m == 0) continue;
      gather_rect(g, gy, g.O, g.OH, g.OW, r, 0, 0, in);
      // out [C, m] = W[:, :, kh, kw]^T (C x O) @ gy_rect [O, m]
      gemm<T>(g.C, m, g.O, w + kh * g.KW + kw, g.kk(), g.C * g.kk(), in, m, 1, out, m, 1, false, false);
      scatter_add_rect(g, out, g.C, g.H, g.W, r, kh - g.ph, kw - g.pw, gx);
    }
}

template <typename T> void taps_backward_weight(const Geo& g, const T* x, const T* gy, T* gw) {
  auto [xin, gyin] = tap_bufs<T>(g);
  T* tmp = static_cast<T*>(t_partial.get(sizeof(T) * g.O * g.C));
  for (int64_t kh = 0; kh < g.KH; kh++)
    for (int64_t kw = 0; kw < g.KW; kw++) {
      const Rect r = tap_rect(g, kh, kw);
      const int64_t m = g.N * r.size();
      if (m == 0) {
        for (int64_t o = 0; o < g.O; o++)
          for (int64_t c = 0; c < g.C; c++) gw[(o * g.C + c) * g.kk() + kh * g.KW + kw] = T(0);
        continue;
      }
      gather_rect(g, x, g.C, g.H, g.W, r, kh - g.ph, kw - g.pw, xin);
      gather_rect(g, gy, g.O, g.OH, g.OW, r, 0, 0, gyin);
      // tmp [O, C] = gy_rect [O, m] @ x_rect^T [m, C]; then into gw[:, :, kh, kw]
      gemm<T>(g.O, g.C, m, gyin, m, 1, xin, 1, m, tmp, g.C, 1, false, false);
      parallel_for_lambda(g.O, 16, [&](int64_t lo, int64_t hi) {
        for (int64_t o = lo; o < hi; o++)
          for (int64_t c = 0; c < g.C; c++) gw[(o * g.C + c) * g.kk() + kh * g.KW + kw] = tmp[o * g.C + c];
      });
    }
}

// Winograd F(2x2, 3x3) (winograd.cc) for float32 3x3 / stride 1 layers with enough channels to
// amortise its transforms and maps of at least 4x4 (on 2x2 and 3x3 maps most of each 4x4 input
// tile is padding; the per-tap path skips padding instead). Measured on the W4/W5 layers:
// 1.5-2.4x faster than im2col + GEMM on 8x8 to 32x32 maps, about even on 4x4 at batch 32.
bool use_winograd(const Geo& g) {
  return g.G == 1 && g.KH == 3 && g.KW == 3 && g.sh == 1 && g.sw == 1 && g.dh == 1 && g.dw == 1 && g.ph == g.pw &&
         g.ph <= 2 && g.cpg >= 16 && g.O >= 16 && g.cols() >= 16;
}

// Pre-packing the weight pays when more than one chunk would pack it.
bool share_weight(const Geo& g) {
  return (g.N + chunk_images(g) - 1) / chunk_images(g) > 1;
}

// y[n, o] += bias[o] for images [n0, n0+nb): run right after they are written, while in cache.
template <typename T> void add_bias(const Geo& g, const View& bias, T* y, int64_t n0, int64_t nb) {
  const T* b = bias.ptr<T>();
  const int64_t bs = bias.strides[0], cols = g.cols();
  for (int64_t n = n0; n < n0 + nb; n++)
    for (int64_t o = 0; o < g.O; o++) {
      T* row = y + (n * g.O + o) * cols;
      const T v = b[o * bs];
      for (int64_t j = 0; j < cols; j++) row[j] += v;
    }
}

template <typename T> void conv_forward(const Geo& g, const View& x, const View& w, const View& y, const View* bias) {
  const T* xp = x.ptr<T>();
  const T* wp = w.ptr<T>();
  T* yp = y.ptr<T>();
  if constexpr (std::is_same_v<T, float>) {
    if (use_winograd(g)) {
      winograd_forward(xp, wp, yp, g.N, g.C, g.H, g.W, g.O, g.OH, g.OW, g.ph, bias ? bias->ptr<float>() : nullptr,
                       bias ? bias->strides[0] : 0);
      return;
    }
  }
  if (use_taps(g)) {
    taps_forward(g, xp, wp, yp);
    if (bias) parallel_for_lambda(g.N, 1, [&](int64_t lo, int64_t hi) { add_bias(g, *bias, yp, lo, hi - lo); });
    return;
  }
  const PackedWeight<T> pw = share_weight(g) ? pack_weight<T>(g, wp, false) : PackedWeight<T>{};
  over_chunks(g, [&](int64_t n0, int64_t nb, bool serial) {
    forward_chunk(g, xp, wp, pw, yp, n0, nb, serial);
    if (bias) add_bias(g, *bias, yp, n0, nb);
  });
}

template <typename T> void conv_backward_input(const Geo& g, const View& gy, const View& w, const View& gx) {
  const T* gyp = gy.ptr<T>();
  const T* wp = w.ptr<T>();
  T* gxp = gx.ptr<T>();
  if constexpr (std::is_same_v<T, float>) {
    if (use_winograd(g)) return winograd_backward_input(gyp, wp, gxp, g.N, g.C, g.H, g.W, g.O, g.OH, g.OW, g.ph);
  }
  if (use_taps(g)) return taps_backward_input(g, gyp, wp, gxp);
  const PackedWeight<T> pw = share_weight(g) ? pack_weight<T>(g, wp, true) : PackedWeight<T>{};
  over_chunks(g, [&](int64_t n0, int64_t nb, bool serial) { backward_input_chunk(g, gyp, wp, pw, gxp, n0, nb, serial); });
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
  if constexpr (std::is_same_v<T, float>) {
    if (use_winograd(g)) return winograd_backward_weight(xp, gyp, gwp, g.N, g.C, g.H, g.W, g.O, g.OH, g.OW, g.ph);
  }
  if (use_taps(g)) return taps_backward_weight(g, xp, gyp, gwp);
  const int64_t nb = chunk_images(g);
  const int64_t chunks = (g.N + nb - 1) / nb;
  // Per-thread partials cost (threads-1)*size extra writes plus a summing pass; they pay
  // only when each thread's share of the reduction (N*OH*OW / threads) is long next to
  // that. The deep 3x3 layers of a VGG (512 x 4608 weights, 2x2 or 4x4 maps) are the
  // opposite: there one parallel GEMM per chunk, threads splitting gW's rows, wins.
  const bool partials = chunks >= threads && threads > 1 && (g.N * g.cols() >= int64_t(threads) * 1024 || size <= 65536);
  T* part = partials ? static_cast<T*>(t_partial.get(sizeof(T) * size_t(threads - 1) * size)) : nullptr;
  if (part) {
    // Thread 0 accumulates into gw itself, the others into private partials summed at the end.
    parallel_tasks_lambda(threads, [&](int tid, int np) {
      const int64_t lo = chunks * tid / np, hi = chunks * (tid + 1) / np;
      T* dst = tid == 0 ? gwp : part + (tid - 1) * size;
      if (lo == hi) std::memset(dst, 0, sizeof(T) * size);
      for (int64_t c = lo; c < hi; c++)
        backward_weight_chunk(g, xp, gyp, dst, c * nb, std::min(nb, g.N - c * nb), c > lo, true);
    });
    parallel_for_lambda(size, 4096, [&](int64_t lo, int64_t hi) {
      for (int t = 0; t < threads - 1; t++) {
        const T* p = part + t * size;
        for (int64_t i = lo; i < hi; i++) gwp[i] += p[i];
      }
    });
    return;
  }
  // One chunk of as many images as a ~16 MiB col buffer holds; each GEMM is parallel.
  const int64_t perImage = g.rows() * g.cols() > 0 ? g.rows() * g.cols() : 1;
  int64_t big = (int64_t(4) << 20) / perImage;
  big = big < 1 ? 1 : (big > g.N ? g.N : big);
  for (int64_t n0 = 0; n0 < g.N; n0 += big) backward_weight_chunk(g, xp, gyp, gwp, n0, std::min(big, g.N - n0), n0 > 0, false);
}

}  // namespace

bool k_conv2d(const View& x, const View& w, const View& out, const Conv2dParams& p, const View* bias) {
  Geo g;
  if (!geometry(x, w, out, p, g)) return false;
  if (bias && (bias->dtype != x.dtype || bias->nd != 1 || bias->shape[0] != g.O)) return false;
  if (out.numel() == 0) return true;
  if (x.dtype == F32) conv_forward<float>(g, x, w, out, bias);
  else conv_forward<double>(g, x, w, out, bias);
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
