// Kernel entry points called by the dispatcher (dispatch.cc). Kernel and op codes come from
// kernel_codes.h, generated from the kernel table in src/backend/kernels.ts.
#pragma once
#include "common.h"
#include "kernel_codes.h"

namespace tg {

struct Conv2dParams {
  int64_t sh, sw, ph, pw, dh, dw, groups;
};
struct Pool2dParams {
  int64_t kh, kw, sh, sw, ph, pw;
  bool countIncludePad;
};

// Each returns false when it does not handle the dtype combination (the TS glue then uses ref).
void k_copy(const View& src, const View& out);
void k_fill(const View& out, double value);
bool k_unary(int op, const View& x, const View& out, double alpha, double beta);
bool k_binary(int op, const View& a, const View& b, const View& out);
bool k_where(const View& c, const View& a, const View& b, const View& out);
bool k_activation_backward(int op, const View& g, const View& x, const View& y, const View& out, double alpha);
bool k_softmax(const View& x, int dim, bool log, const View& out);
bool k_softmax_backward(const View& g, const View& y, int dim, bool log, const View& out);
bool k_reduce(int op, const View& x, const int* dims, int ndims, const View& out);
bool k_arg_reduce(bool isMax, const View& x, int dim, const View& out);
bool k_matmul(const View& a, const View& b, const View& out);
bool k_conv2d(const View& x, const View& w, const View& out, const Conv2dParams& p, const View* bias);
bool k_conv2d_backward_input(const View& gy, const View& w, const View& gx, const Conv2dParams& p);
bool k_conv2d_backward_weight(const View& x, const View& gy, const View& gw, const Conv2dParams& p);
bool k_max_pool2d(const View& x, const View& out, const View& argmax, const Pool2dParams& p);
bool k_max_pool2d_backward(const View& gy, const View& argmax, const View& gx, const Pool2dParams& p);
bool k_avg_pool2d(const View& x, const View& out, const Pool2dParams& p);
bool k_avg_pool2d_backward(const View& gy, const View& gx, const Pool2dParams& p);
bool k_gather(const View& x, int dim, const View& index, const View& out);
bool k_scatter_add(const View& out, int dim, const View& index, const View& src);

struct AdamParams {
  double lr, beta1, beta2, eps, weightDecay, stepSize, bc2Sqrt;
  bool decoupled, maximize;
};
struct SgdParams {
  double lr, momentum, dampening, weightDecay;
  bool nesterov, maximize, firstStep;
};
bool k_channel_stats(const View& x, const View& mean, const View& var);
bool k_channel_grad_sums(const View& gy, const View& x, const View& mean, const View& sg, const View& sgx);
bool k_channel_affine(const View& x, const View& a, const View& d, const View& out, const View* y, const View* b);
bool k_adam_step(const View& p, const View& g, const View& m, const View& v, const View* vmax, const AdamParams& h);
bool k_sgd_step(const View& p, const View& g, const View* buf, const SgdParams& h);

// GEMM blocking: MR x NR register tile, KC depth, MC x NC cache blocks (gemm.cc).
template <typename T> struct Blocking;
#if defined(__wasm_simd128__)
// ---- wasm SIMD128 (wasm backend): 128-bit vectors and no FMA, so the tile is 6 rows by two
// vectors (12 accumulators, 2 B vectors and a broadcast fit the 16 registers V8 allocates on x86-64).
template <> struct Blocking<float> {
  static constexpr int MR = 6, NR = 8;
  static constexpr int64_t MC = 144, KC = 256, NC = 4080;
};
template <> struct Blocking<double> {
  static constexpr int MR = 6, NR = 4;
  static constexpr int64_t MC = 72, KC = 256, NC = 4080;
};
#else
template <> struct Blocking<float> {
  static constexpr int MR = 6, NR = 16;
  static constexpr int64_t MC = 144, KC = 256, NC = 4080;
};
template <> struct Blocking<double> {
  static constexpr int MR = 6, NR = 8;
  static constexpr int64_t MC = 72, KC = 256, NC = 4080;
};
#endif  // __wasm_simd128__

// Rows padded to whole micro-panels: the height of one depth block of a full A packing.
template <typename T> int64_t padded_rows(int64_t M) {
  return (M + Blocking<T>::MR - 1) / Blocking<T>::MR * Blocking<T>::MR;
}

// Where element (i, k) of an M x K operand sits in pack_gemm_a's layout: depth blocks of KC,
// each padded_rows(M) x kc, made of MR-row panels stored k-major (MR values per k). Lets a
// producer (the Winograd weight transform) write straight into the packed form.
template <typename T> int64_t packed_a_offset(int64_t M, int64_t K, int64_t i, int64_t k) {
  constexpr int MR = Blocking<T>::MR;
  constexpr int64_t KC = Blocking<T>::KC;
  const int64_t pc = k / KC * KC, kc = K - pc < KC ? K - pc : KC;
  return pc * padded_rows<T>(M) + i / MR * MR * kc + (k - pc) * MR + i % MR;
}

// An A operand packed once (pack_gemm_a) for many GEMMs that share it, e.g. a conv
// weight used by every chunk of images. `data` holds rows [0, M) of the full matrix.
template <typename T> struct PackedA {
  const T* data = nullptr;
  int64_t M = 0, K = 0;
};

// GEMM on raw strided matrices: C[m,n] = (accumulate ? C : 0) + sum_k A[m,k] B[k,n].
// Runs on the pool unless `serial`; called by matmul and the convolutions. With `pa`,
// A is read from that packing instead (A itself is then unused): rows [row0, row0+M).
template <typename T>
void gemm(int64_t M, int64_t N, int64_t K, const T* A, int64_t rsa, int64_t csa, const T* B, int64_t rsb, int64_t csb, T* C,
          int64_t rsc, int64_t csc, bool accumulate, bool serial, const PackedA<T>* pa = nullptr, int64_t row0 = 0);

// Number of elements pack_gemm_a writes for an M x K operand.
template <typename T> int64_t packed_a_size(int64_t M, int64_t K);
// Packs A (M x K, any strides) for gemm's `pa` into `out` (packed_a_size elements).
template <typename T> PackedA<T> pack_gemm_a(int64_t M, int64_t K, const T* A, int64_t rsa, int64_t csa, T* out);

}  // namespace tg
