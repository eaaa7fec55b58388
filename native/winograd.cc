// 3x3 / stride 1 convolutions as Winograd F(2x2, 3x3) (Lavin & Gray, 2016), float32.
// Each 2x2 output tile is Y = A^T [ sum_c U_c ⊙ V_c ] A with U_c = G g_c G^T (the 3x3 kernel
// as a 4x4 tile) and V_c = B^T d_c B (the 4x4 input patch): 16 products per channel pair
// and tile instead of 36, so 2.25x fewer multiply-adds. Across channels each of the 16
// positions xi is a GEMM:  M[xi] (Co x tiles) = U[xi] (Co x Ci) @ V[xi] (Ci x tiles).
// Tiles go in chunks of whole tile rows, so V and M of a chunk stay in L2; threads take
// whole chunks and run serial GEMMs against the 16 weight matrices packed once per call.
// The backward pass to the input is the same convolution of gy with the kernel flipped and
// its channel axes swapped, with padding 2 - p.
#include <cstring>
#include <cstdlib>

#include "kernels.h"
#include "scratch.h"
#include "winograd.h"

namespace tg {
namespace {

constexpr int XI = 16;

thread_local Scratch t_chunk, t_dU, t_tiles, t_upack;

struct Geo {
  int64_t N, Ci, H, W, Co, OH, OW, pad, TH, TW;
  int64_t ld = 0, vplane = 0, mplane = 0;  // a chunk's tile stride, and its V / M plane strides
};

// A plane stride of n floats, skewed by 64 bytes: 16 planes a multiple of 4 KiB apart would map
// to the same cache sets, and the transforms stream through all 16 at once.
int64_t skewed(int64_t n) {
  return (n + 15) / 16 * 16 + 16;
}

// Vectors of 8 and 4 floats (GCC/Clang vector extensions), or plain floats, for the tile loops.
typedef float v8f __attribute__((vector_size(32)));
typedef float v4f __attribute__((vector_size(16)));
template <typename V> TG_INLINE V load(const float* p) {
  V v;
  std::memcpy(&v, p, sizeof(V));
  return v;
}
template <typename V> TG_INLINE void store(float* p, V v) {
  std::memcpy(p, &v, sizeof(V));
}

// Tiles [j, j + width of V) of one tile row: E and O hold the even and odd columns of the four
// rows of B^T d, so tile j's patch columns are E[j], O[j], E[j + 1], O[j + 1].
template <typename V> TG_INLINE void input_tiles(const float* E, const float* O, int64_t rs, int64_t j, float* v, int64_t plane) {
  for (int a = 0; a < 4; a++) {
    const V c0 = load<V>(E + a * rs + j), c1 = load<V>(O + a * rs + j);
    const V c2 = load<V>(E + a * rs + j + 1), c3 = load<V>(O + a * rs + j + 1);
    store<V>(v + (a * 4 + 0) * plane + j, c0 - c2);
    store<V>(v + (a * 4 + 1) * plane + j, c1 + c2);
    store<V>(v + (a * 4 + 2) * plane + j, c2 - c1);
    store<V>(v + (a * 4 + 3) * plane + j, c1 - c3);
  }
}

// V[xi][c][(R - R0) * TW + j] = (B^T d B)[xi] for the 4x4 input patch d of tile (row R, column j),
// B^T = [[1, 0, -1, 0], [0, 1, 1, 0], [0, -1, 1, 0], [0, 1, 0, -1]]. `buf` holds 4 padded input
// rows and the even / odd columns of B^T d (rows combined first: that part is column-wise).
TG_INLINE void input_transform_body(const Geo& g, const float* x, int64_t R0, int64_t R1, float* V, float* buf) {
  const int64_t Wp = 2 * g.TW + 2, rs = g.TW + 1, plane = g.vplane, ld = g.ld;
  const int64_t lo = g.pad, hi = g.pad + g.W < Wp ? g.pad + g.W : Wp;  // padded columns that hold input
  float* E = buf + 4 * Wp;
  float* O = E + 4 * rs;
  for (int64_t c = 0; c < g.Ci; c++)
    for (int64_t R = R0; R < R1; R++) {
      const int64_t n = R / g.TH, th = R % g.TH;
      const float* src = x + (n * g.Ci + c) * g.H * g.W;
      for (int r = 0; r < 4; r++) {
        float* row = buf + r * Wp;
        const int64_t ih = 2 * th - g.pad + r;
        if (ih < 0 || ih >= g.H) {
          std::memset(row, 0, sizeof(float) * Wp);
          continue;
        }
        for (int64_t k = 0; k < lo; k++) row[k] = 0.f;
        std::memcpy(row + lo, src + ih * g.W, sizeof(float) * (hi - lo));
        for (int64_t k = hi; k < Wp; k++) row[k] = 0.f;
      }
      const float *p0 = buf, *p1 = buf + Wp, *p2 = buf + 2 * Wp, *p3 = buf + 3 * Wp;
      for (int64_t k = 0; k < rs; k++) {
        const int64_t e = 2 * k, o = 2 * k + 1;
        E[k] = p0[e] - p2[e];
        E[rs + k] = p1[e] + p2[e];
        E[2 * rs + k] = p2[e] - p1[e];
        E[3 * rs + k] = p1[e] - p3[e];
        O[k] = p0[o] - p2[o];
        O[rs + k] = p1[o] + p2[o];
        O[2 * rs + k] = p2[o] - p1[o];
        O[3 * rs + k] = p1[o] - p3[o];
      }
      float* v = V + c * ld + (R - R0) * g.TW;
      int64_t j = 0;
      for (; j + 8 <= g.TW; j += 8) input_tiles<v8f>(E, O, rs, j, v, plane);
      for (; j + 4 <= g.TW; j += 4) input_tiles<v4f>(E, O, rs, j, v, plane);
      for (; j < g.TW; j++) input_tiles<float>(E, O, rs, j, v, plane);
    }
}

// Tiles [j, j + width of V) of one tile row: y tile = A^T m A + b, A^T = [[1, 1, 1, 0], [0, 1, -1, -1]];
// out holds four rows of TW: the tiles' top-left, top-right, bottom-left, bottom-right outputs.
template <typename V> TG_INLINE void output_tiles(const float* m, int64_t plane, int64_t j, float b, float* out, int64_t TW) {
  V s[4], d[4];  // per row of m: m A's first and second columns
  for (int a = 0; a < 4; a++) {
    const V m0 = load<V>(m + (a * 4 + 0) * plane + j), m1 = load<V>(m + (a * 4 + 1) * plane + j);
    const V m2 = load<V>(m + (a * 4 + 2) * plane + j), m3 = load<V>(m + (a * 4 + 3) * plane + j);
    s[a] = m0 + m1 + m2;
    d[a] = m1 - m2 - m3;
  }
  store<V>(out + j, s[0] + s[1] + s[2] + b);
  store<V>(out + TW + j, d[0] + d[1] + d[2] + b);
  store<V>(out + 2 * TW + j, s[1] - s[2] - s[3] + b);
  store<V>(out + 3 * TW + j, d[1] - d[2] - d[3] + b);
}

// Writes the output tiles of chunk rows [R0, R1) from M (+ bias); `buf` holds 4 rows of TW.
TG_INLINE void output_transform_body(const Geo& g, const float* M, int64_t R0, int64_t R1, float* y, const float* bias,
                                     int64_t bs, float* buf) {
  const int64_t plane = g.mplane, ld = g.ld, TW = g.TW;
  for (int64_t o = 0; o < g.Co; o++) {
    const float b = bias ? bias[o * bs] : 0.f;
    for (int64_t R = R0; R < R1; R++) {
      const int64_t n = R / g.TH, th = R % g.TH, oh = 2 * th;
      const float* m = M + o * ld + (R - R0) * TW;
      int64_t j = 0;
      for (; j + 8 <= TW; j += 8) output_tiles<v8f>(m, plane, j, b, buf, TW);
      for (; j + 4 <= TW; j += 4) output_tiles<v4f>(m, plane, j, b, buf, TW);
      for (; j < TW; j++) output_tiles<float>(m, plane, j, b, buf, TW);
      float* dst = y + (n * g.Co + o) * g.OH * g.OW + oh * g.OW;
      // Interleave the left and right columns of the tiles; an odd width drops the last one.
      const float *l0 = buf, *r0 = buf + TW, *l1 = buf + 2 * TW, *r1 = buf + 3 * TW;
      const int64_t pairs = g.OW / 2;
      for (int64_t k = 0; k < pairs; k++) {
        dst[2 * k] = l0[k];
        dst[2 * k + 1] = r0[k];
      }
      if (g.OW & 1) dst[2 * pairs] = l0[pairs];
      if (oh + 1 < g.OH) {
        dst += g.OW;
        for (int64_t k = 0; k < pairs; k++) {
          dst[2 * k] = l1[k];
          dst[2 * k + 1] = r1[k];
        }
        if (g.OW & 1) dst[2 * pairs] = l1[pairs];
      }
    }
  }
}

// Tiles [j, j + width of V) of one tile row: Yhat = A dy A^T for the 2x2 output-gradient tile
// dy = [[a, b], [c, d]] (A = [[1, 0], [1, 1], [1, -1], [0, -1]]); e0/o0 and e1/o1 hold the even and
// odd columns of its two rows.
template <typename V>
TG_INLINE void grad_tiles(const float* e0, const float* o0, const float* e1, const float* o1, int64_t j, float* v, int64_t plane) {
  const V a = load<V>(e0 + j), b = load<V>(o0 + j), c = load<V>(e1 + j), d = load<V>(o1 + j);
  const V zero = a - a;
  const V rows[4][2] = {{a, b}, {a + c, b + d}, {a - c, b - d}, {zero - c, zero - d}};
  for (int r = 0; r < 4; r++) {
    const V p = rows[r][0], q = rows[r][1];
    store<V>(v + (r * 4 + 0) * plane + j, p);
    store<V>(v + (r * 4 + 1) * plane + j, p + q);
    store<V>(v + (r * 4 + 2) * plane + j, p - q);
    store<V>(v + (r * 4 + 3) * plane + j, zero - q);
  }
}

// Y[xi][o][(R - R0) * TW + j] = (A dy A^T)[xi] for the output-gradient tile (row R, column j),
// zero past the bottom and right edges. `buf` holds four rows of TW.
TG_INLINE void grad_transform_body(const Geo& g, const float* gy, int64_t R0, int64_t R1, float* Y, float* buf) {
  const int64_t TW = g.TW, plane = g.mplane, ld = g.ld, pairs = g.OW / 2;
  float *e0 = buf, *o0 = buf + TW, *e1 = buf + 2 * TW, *o1 = buf + 3 * TW;
  for (int64_t o = 0; o < g.Co; o++)
    for (int64_t R = R0; R < R1; R++) {
      const int64_t n = R / g.TH, oh = 2 * (R % g.TH);
      const float* r0 = gy + (n * g.Co + o) * g.OH * g.OW + oh * g.OW;
      const float* r1 = r0 + g.OW;
      const bool second = oh + 1 < g.OH;
      for (int64_t k = 0; k < pairs; k++) {
        e0[k] = r0[2 * k];
        o0[k] = r0[2 * k + 1];
        e1[k] = second ? r1[2 * k] : 0.f;
        o1[k] = second ? r1[2 * k + 1] : 0.f;
      }
      if (g.OW & 1) {
        e0[pairs] = r0[2 * pairs];
        e1[pairs] = second ? r1[2 * pairs] : 0.f;
        o0[pairs] = o1[pairs] = 0.f;
      }
      float* v = Y + o * ld + (R - R0) * TW;
      int64_t j = 0;
      for (; j + 8 <= TW; j += 8) grad_tiles<v8f>(e0, o0, e1, o1, j, v, plane);
      for (; j + 4 <= TW; j += 4) grad_tiles<v4f>(e0, o0, e1, o1, j, v, plane);
      for (; j < TW; j++) grad_tiles<float>(e0, o0, e1, o1, j, v, plane);
    }
}

// Each transform compiled for AVX2 and for the baseline ISA, picked at run time.
TG_AVX2 void grad_transform_avx2(const Geo& g, const float* gy, int64_t R0, int64_t R1, float* Y, float* buf) {
  grad_transform_body(g, gy, R0, R1, Y, buf);
}
void grad_transform(const Geo& g, const float* gy, int64_t R0, int64_t R1, float* Y, float* buf) {
  if (has_avx2_fma()) return grad_transform_avx2(g, gy, R0, R1, Y, buf);
  grad_transform_body(g, gy, R0, R1, Y, buf);
}
TG_AVX2 void input_transform_avx2(const Geo& g, const float* x, int64_t R0, int64_t R1, float* V, float* buf) {
  input_transform_body(g, x, R0, R1, V, buf);
}
void input_transform(const Geo& g, const float* x, int64_t R0, int64_t R1, float* V, float* buf) {
  if (has_avx2_fma()) return input_transform_avx2(g, x, R0, R1, V, buf);
  input_transform_body(g, x, R0, R1, V, buf);
}
TG_AVX2 void output_transform_avx2(const Geo& g, const float* M, int64_t R0, int64_t R1, float* y, const float* bias,
                                   int64_t bs, float* buf) {
  output_transform_body(g, M, R0, R1, y, bias, bs, buf);
}
void output_transform(const Geo& g, const float* M, int64_t R0, int64_t R1, float* y, const float* bias, int64_t bs,
                      float* buf) {
  if (has_avx2_fma()) return output_transform_avx2(g, M, R0, R1, y, bias, bs, buf);
  output_transform_body(g, M, R0, R1, y, bias, bs, buf);
}

// Tile rows per chunk: V and M of one chunk (16 * (Ci + Co) * tiles floats) near 1 MiB, and
// at least one chunk per thread.
int64_t rows_per_chunk(const Geo& g) {
  const int64_t rowsAll = g.N * g.TH;
  int64_t tiles = (int64_t(1) << 18) / (XI * (g.Ci + g.Co));
  if (tiles < 32) tiles = 32;
  int64_t rpc = (tiles + g.TW - 1) / g.TW;
  const int64_t threads = num_threads();
  if ((rowsAll + rpc - 1) / rpc < threads) rpc = (rowsAll + threads - 1) / threads;
  return rpc < 1 ? 1 : rpc;
}

// y [N, Co, OH, OW] (+ bias) = the 3x3 convolution of x [N, Ci, H, W] padded by g.pad, with U
// the 16 packed weight matrices (Co x Ci each).
void run(Geo g, const float* x, const PackedA<float>* U, float* y, const float* bias, int64_t bs) {
  const int64_t rpc = rows_per_chunk(g), rowsAll = g.N * g.TH;
  const int64_t chunks = (rowsAll + rpc - 1) / rpc;
  g.ld = rpc * g.TW;
  g.vplane = skewed(g.Ci * g.ld);
  g.mplane = skewed(g.Co * g.ld);
  parallel_for_lambda(chunks, 1, [&](int64_t lo, int64_t hi) {
    float* V = static_cast<float*>(t_chunk.get(sizeof(float) * (XI * (g.vplane + g.mplane) + 4 * (2 * g.TW + 2) + 8 * (g.TW + 1))));
    float* M = V + XI * g.vplane;
    float* buf = M + XI * g.mplane;
    for (int64_t ch = lo; ch < hi; ch++) {
      const int64_t R0 = ch * rpc, R1 = R0 + rpc < rowsAll ? R0 + rpc : rowsAll;
      input_transform(g, x, R0, R1, V, buf);
      for (int xi = 0; xi < XI; xi++)
        gemm<float>(g.Co, (R1 - R0) * g.TW, g.Ci, U[xi].data, 0, 0, V + xi * g.vplane, g.ld, 1, M + xi * g.mplane, g.ld, 1, false, true,
                    &U[xi]);
      output_transform(g, M, R0, R1, y, bias, bs, buf);
    }
  });
}

// u[xi] = (G g G^T)[xi / 4][xi % 4] for 3x3 kernels g (g[a * 3 + b], one kernel per lane),
// G = [[1, 0, 0], [1/2, 1/2, 1/2], [1/2, -1/2, 1/2], [0, 0, 1]].
template <typename V> TG_INLINE void transform_kernels(const V* g, V* u) {
  V t[4][3];
  for (int b = 0; b < 3; b++) {
    t[0][b] = g[b];
    t[1][b] = 0.5f * (g[b] + g[3 + b] + g[6 + b]);
    t[2][b] = 0.5f * (g[b] - g[3 + b] + g[6 + b]);
    t[3][b] = g[6 + b];
  }
  for (int a = 0; a < 4; a++) {
    u[a * 4 + 0] = t[a][0];
    u[a * 4 + 1] = 0.5f * (t[a][0] + t[a][1] + t[a][2]);
    u[a * 4 + 2] = 0.5f * (t[a][0] - t[a][1] + t[a][2]);
    u[a * 4 + 3] = t[a][2];
  }
}

// Panels [lo, hi) of the packed weights: the MR rows of a panel are transformed together, one
// per vector lane, and each position's MR values stored contiguously, as the packing wants them.
TG_INLINE void weight_panels_body(const float* w, int64_t C, int64_t rows, int64_t depth, bool backward, int64_t per, int64_t lo,
                                  int64_t hi, float* packed) {
  constexpr int MR = Blocking<float>::MR;
  static_assert(MR <= 8, "a panel's rows must fit one vector");
  for (int64_t p = lo; p < hi; p++)
    for (int64_t k = 0; k < depth; k++) {
      float lanes[9][8] = {};
      for (int r = 0; r < MR && p * MR + r < rows; r++) {
        const int64_t i = p * MR + r;
        const float* kern = w + (backward ? k * C + i : i * C + k) * 9;
        for (int e = 0; e < 9; e++) lanes[e][r] = kern[backward ? 8 - e : e];  // 8 - e: rotated 180 degrees
      }
      v8f g[9], u[XI];
      for (int e = 0; e < 9; e++) g[e] = load<v8f>(lanes[e]);
      transform_kernels<v8f>(g, u);
      float* dst = packed + packed_a_offset<float>(rows, depth, p * MR, k);
      for (int xi = 0; xi < XI; xi++) std::memcpy(dst + xi * per, &u[xi], sizeof(float) * MR);
    }
}
TG_AVX2 void weight_panels_avx2(const float* w, int64_t C, int64_t rows, int64_t depth, bool backward, int64_t per, int64_t lo,
                                int64_t hi, float* packed) {
  weight_panels_body(w, C, rows, depth, backward, per, lo, hi, packed);
}

// The 16 transformed weight matrices as GEMM operand A, written straight into the packed
// layout: U[xi] (O x C) for the forward pass; for the backward one the flipped kernel with the
// channel axes swapped (C x O).
void prepare_weights(const float* w, int64_t O, int64_t C, bool backward, PackedA<float>* U) {
  constexpr int MR = Blocking<float>::MR;
  const int64_t rows = backward ? C : O, depth = backward ? O : C;
  const int64_t per = skewed(packed_a_size<float>(rows, depth));
  float* packed = static_cast<float*>(t_upack.get(sizeof(float) * XI * per));
  const bool avx = has_avx2_fma();
  parallel_for_lambda((rows + MR - 1) / MR, 1, [&](int64_t lo, int64_t hi) {
    if (avx) weight_panels_avx2(w, C, rows, depth, backward, per, lo, hi, packed);
    else weight_panels_body(w, C, rows, depth, backward, per, lo, hi, packed);
  });
  for (int xi = 0; xi < XI; xi++) U[xi] = PackedA<float>{packed + xi * per, rows, depth};
}

// gw[o][c .. c + lanes) = G^T dU[.][o][c] G, G^T = [[1, 1/2, 1/2, 0], [0, 1/2, -1/2, 0], [0, 1/2, 1/2, 1]];
// u points at dU[0][o][c], k at gw[o][c].
template <typename V> TG_INLINE void grad_kernels(const float* u, int64_t plane, float* k) {
  constexpr int L = sizeof(V) / sizeof(float);
  V t[3][4];  // G^T dU
  for (int b = 0; b < 4; b++) {
    const V u0 = load<V>(u + b * plane), u1 = load<V>(u + (4 + b) * plane);
    const V u2 = load<V>(u + (8 + b) * plane), u3 = load<V>(u + (12 + b) * plane);
    t[0][b] = u0 + 0.5f * (u1 + u2);
    t[1][b] = 0.5f * (u1 - u2);
    t[2][b] = 0.5f * (u1 + u2) + u3;
  }
  float out[9][L];
  for (int a = 0; a < 3; a++) {
    store<V>(out[a * 3 + 0], t[a][0] + 0.5f * (t[a][1] + t[a][2]));
    store<V>(out[a * 3 + 1], 0.5f * (t[a][1] - t[a][2]));
    store<V>(out[a * 3 + 2], 0.5f * (t[a][1] + t[a][2]) + t[a][3]);
  }
  for (int l = 0; l < L; l++)
    for (int e = 0; e < 9; e++) k[l * 9 + e] = out[e][l];
}

TG_INLINE void weight_grad_body(const float* dU, int64_t plane, int64_t C, int64_t lo, int64_t hi, float* gw) {
  for (int64_t o = lo; o < hi; o++) {
    int64_t c = 0;
    for (; c + 8 <= C; c += 8) grad_kernels<v8f>(dU + o * C + c, plane, gw + (o * C + c) * 9);
    for (; c < C; c++) grad_kernels<float>(dU + o * C + c, plane, gw + (o * C + c) * 9);
  }
}
TG_AVX2 void weight_grad_avx2(const float* dU, int64_t plane, int64_t C, int64_t lo, int64_t hi, float* gw) {
  weight_grad_body(dU, plane, C, lo, hi, gw);
}

// gw [O, C, 3, 3] from the 16 summed tile products dU[xi] (O x C, planes `plane` apart).
void weight_grad_from_tiles(const float* dU, int64_t plane, int64_t O, int64_t C, float* gw) {
  const bool avx = has_avx2_fma();
  parallel_for_lambda(O, 8, [&](int64_t lo, int64_t hi) {
    if (avx) weight_grad_avx2(dU, plane, C, lo, hi, gw);
    else weight_grad_body(dU, plane, C, lo, hi, gw);
  });
}

Geo make_geo(int64_t N, int64_t Ci, int64_t H, int64_t W, int64_t Co, int64_t OH, int64_t OW, int64_t pad) {
  return Geo{N, Ci, H, W, Co, OH, OW, pad, (OH + 1) / 2, (OW + 1) / 2};
}

}  // namespace

void winograd_forward(const float* x, const float* w, float* y, int64_t N, int64_t C, int64_t H, int64_t W, int64_t O, int64_t OH,
                      int64_t OW, int64_t pad, const float* bias, int64_t bs) {
  PackedA<float> U[XI];
  prepare_weights(w, O, C, false, U);
  run(make_geo(N, C, H, W, O, OH, OW, pad), x, U, y, bias, bs);
}

void winograd_backward_weight(const float* x, const float* gy, float* gw, int64_t N, int64_t C, int64_t H, int64_t W, int64_t O,
                              int64_t OH, int64_t OW, int64_t pad) {
  Geo g = make_geo(N, C, H, W, O, OH, OW, pad);
  // Chunks of whole tile rows, about 8 MiB of transformed tiles each (they stay in L3), so
  // each of the 16 GEMMs dU[xi] += Y[xi] V[xi]^T runs a long reduction; threads transform a
  // chunk's rows together, then take whole GEMMs.
  const int64_t rowsAll = N * g.TH;
  int64_t rpc = ((int64_t(1) << 21) / (XI * (C + O)) + g.TW - 1) / g.TW;
  rpc = rpc < 1 ? 1 : (rpc > rowsAll ? rowsAll : rpc);
  g.ld = rpc * g.TW;
  g.vplane = skewed(C * g.ld);
  g.mplane = skewed(O * g.ld);
  const int64_t uplane = skewed(O * C);
  float* dU = static_cast<float*>(t_dU.get(sizeof(float) * XI * uplane));
  float* V = static_cast<float*>(t_tiles.get(sizeof(float) * XI * (g.vplane + g.mplane)));
  float* Y = V + XI * g.vplane;
  for (int64_t R0 = 0; R0 < rowsAll; R0 += rpc) {
    const int64_t R1 = R0 + rpc < rowsAll ? R0 + rpc : rowsAll, n = (R1 - R0) * g.TW;
    parallel_for_lambda(R1 - R0, 1, [&](int64_t lo, int64_t hi) {
      float* buf = static_cast<float*>(t_chunk.get(sizeof(float) * (4 * (2 * g.TW + 2) + 8 * (g.TW + 1))));
      // Rows [R0 + lo, R0 + hi) start lo tile rows into the chunk's columns.
      input_transform(g, x, R0 + lo, R0 + hi, V + lo * g.TW, buf);
      grad_transform(g, gy, R0 + lo, R0 + hi, Y + lo * g.TW, buf);
    });
    parallel_for_lambda(XI, 1, [&](int64_t lo, int64_t hi) {
      for (int64_t xi = lo; xi < hi; xi++)
        gemm<float>(O, C, n, Y + xi * g.mplane, g.ld, 1, V + xi * g.vplane, 1, g.ld, dU + xi * uplane, C, 1, R0 > 0, true);
    });
  }
  weight_grad_from_tiles(dU, uplane, O, C, gw);
}

void winograd_backward_input(const float* gy, const float* w, float* gx, int64_t N, int64_t C, int64_t H, int64_t W, int64_t O,
                             int64_t OH, int64_t OW, int64_t pad) {
  PackedA<float> U[XI];
  prepare_weights(w, O, C, true, U);
  run(make_geo(N, O, OH, OW, C, H, W, 2 - pad), gy, U, gx, nullptr, 0);
}

}  // namespace tg
