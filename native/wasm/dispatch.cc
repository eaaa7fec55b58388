// See dispatch.h. Kernel codes and parameter layouts match native/addon.cc and
// src/backend/native/codes.ts.
#include "dispatch.h"

#include <cstdio>

#include "../kernels.h"

namespace tg {
namespace {

enum KernelCode {
  K_COPY, K_FILL, K_UNARY, K_BINARY, K_WHERE, K_REDUCE, K_ARG_REDUCE, K_MATMUL, K_CONV2D, K_CONV2D_BWD_INPUT,
  K_CONV2D_BWD_WEIGHT, K_MAX_POOL2D, K_MAX_POOL2D_BWD, K_AVG_POOL2D, K_AVG_POOL2D_BWD, K_GATHER, K_SCATTER_ADD,
  K_ADAM_STEP, K_SGD_STEP, K_CHANNEL_STATS, K_CHANNEL_GRAD_SUMS, K_CHANNEL_AFFINE,
  K_ACTIVATION_BWD, K_SOFTMAX, K_SOFTMAX_BWD
};

// True when every element the view can address lies inside its storage.
bool in_bounds(const View& v) {
  int64_t lo = v.offset, hi = v.offset;
  for (int d = 0; d < v.nd; d++) {
    if (v.shape[d] < 0) return false;
    if (v.shape[d] == 0) return true;
    int64_t span = (v.shape[d] - 1) * v.strides[d];
    if (span < 0) lo += span;
    else hi += span;
  }
  return lo >= 0 && hi < static_cast<int64_t>(v.length);
}

}  // namespace

bool read_view(const double* meta, size_t metaLen, size_t& pos, View& v) {
  if (pos >= metaLen) return false;
  v.nd = static_cast<int>(meta[pos++]);
  if (v.nd < 0 || v.nd > MAX_DIMS || pos + 2 * v.nd + 1 > metaLen) return false;
  for (int d = 0; d < v.nd; d++) v.shape[d] = static_cast<int64_t>(meta[pos++]);
  v.offset = static_cast<int64_t>(meta[pos++]);
  for (int d = 0; d < v.nd; d++) v.strides[d] = static_cast<int64_t>(meta[pos++]);
  return true;
}

int dispatch(int kernel, View* v, int nviews, const double* prm, size_t nprm, char* err, size_t errlen) {
  for (int i = 0; i < nviews; i++) {
    if (!in_bounds(v[i])) {
      std::snprintf(err, errlen, "view %d (kernel %d) reaches outside its storage of %zu elements", i, kernel, v[i].length);
      return -1;
    }
  }
  auto P = [&](size_t i) { return i < nprm ? prm[i] : 0.0; };
  auto conv = [&]() {
    return Conv2dParams{int64_t(P(0)), int64_t(P(1)), int64_t(P(2)), int64_t(P(3)), int64_t(P(4)), int64_t(P(5)), int64_t(P(6))};
  };
  auto pool = [&]() {
    return Pool2dParams{int64_t(P(0)), int64_t(P(1)), int64_t(P(2)), int64_t(P(3)), int64_t(P(4)), int64_t(P(5)), P(6) != 0};
  };
  auto need = [&](int lo, int hi, const char* what) {
    if (nviews >= lo && nviews <= hi) return true;
    std::snprintf(err, errlen, "%s needs %d to %d views, got %d", what, lo, hi, nviews);
    return false;
  };
  bool ok = false;
  switch (kernel) {
    case K_COPY: if (!need(2, 2, "copy")) return -1; k_copy(v[0], v[1]); ok = true; break;
    case K_FILL: if (!need(1, 1, "fill")) return -1; k_fill(v[0], P(0)); ok = true; break;
    case K_UNARY: if (!need(2, 2, "unary")) return -1; ok = k_unary(int(P(0)), v[0], v[1], P(1), P(2)); break;
    case K_BINARY: if (!need(3, 3, "binary")) return -1; ok = k_binary(int(P(0)), v[0], v[1], v[2]); break;
    case K_WHERE: if (!need(4, 4, "where")) return -1; ok = k_where(v[0], v[1], v[2], v[3]); break;
    case K_REDUCE: {
      if (!need(2, 2, "reduce")) return -1;
      int dims[MAX_DIMS];
      int nd = int(P(1));
      if (nd < 0 || nd > MAX_DIMS) {
        std::snprintf(err, errlen, "reduce: bad dims count %d", nd);
        return -1;
      }
      for (int i = 0; i < nd; i++) dims[i] = int(P(2 + i));
      ok = k_reduce(int(P(0)), v[0], dims, nd, v[1]);
      break;
    }
    case K_ARG_REDUCE: if (!need(2, 2, "argReduce")) return -1; ok = k_arg_reduce(P(0) != 0, v[0], int(P(1)), v[1]); break;
    case K_MATMUL: if (!need(3, 3, "matmul")) return -1; ok = k_matmul(v[0], v[1], v[2]); break;
    case K_CONV2D: if (!need(3, 4, "conv2d")) return -1; ok = k_conv2d(v[0], v[1], v[2], conv(), nviews == 4 ? &v[3] : nullptr); break;
    case K_CONV2D_BWD_INPUT: if (!need(3, 3, "conv2dBackwardInput")) return -1; ok = k_conv2d_backward_input(v[0], v[1], v[2], conv()); break;
    case K_CONV2D_BWD_WEIGHT: if (!need(3, 3, "conv2dBackwardWeight")) return -1; ok = k_conv2d_backward_weight(v[0], v[1], v[2], conv()); break;
    case K_MAX_POOL2D: if (!need(3, 3, "maxPool2d")) return -1; ok = k_max_pool2d(v[0], v[1], v[2], pool()); break;
    case K_MAX_POOL2D_BWD: if (!need(3, 3, "maxPool2dBackward")) return -1; ok = k_max_pool2d_backward(v[0], v[1], v[2], pool()); break;
    case K_AVG_POOL2D: if (!need(2, 2, "avgPool2d")) return -1; ok = k_avg_pool2d(v[0], v[1], pool()); break;
    case K_AVG_POOL2D_BWD: if (!need(2, 2, "avgPool2dBackward")) return -1; ok = k_avg_pool2d_backward(v[0], v[1], pool()); break;
    case K_GATHER: if (!need(3, 3, "gather")) return -1; ok = k_gather(v[0], int(P(0)), v[1], v[2]); break;
    case K_SCATTER_ADD: if (!need(3, 3, "scatterAdd")) return -1; ok = k_scatter_add(v[0], int(P(0)), v[1], v[2]); break;
    case K_ADAM_STEP: {
      if (!need(4, 5, "adamStep")) return -1;
      AdamParams h{P(0), P(1), P(2), P(3), P(4), P(5), P(6), P(7) != 0, P(8) != 0};
      ok = k_adam_step(v[0], v[1], v[2], v[3], nviews > 4 ? &v[4] : nullptr, h);
      break;
    }
    case K_SGD_STEP: {
      if (!need(2, 3, "sgdStep")) return -1;
      SgdParams h{P(0), P(1), P(2), P(3), P(4) != 0, P(5) != 0, P(6) != 0};
      ok = k_sgd_step(v[0], v[1], nviews > 2 ? &v[2] : nullptr, h);
      break;
    }
    case K_CHANNEL_STATS: if (!need(3, 3, "channelStats")) return -1; ok = k_channel_stats(v[0], v[1], v[2]); break;
    case K_CHANNEL_GRAD_SUMS: if (!need(5, 5, "channelGradSums")) return -1; ok = k_channel_grad_sums(v[0], v[1], v[2], v[3], v[4]); break;
    case K_CHANNEL_AFFINE:
      if (nviews != 4 && nviews != 6) {
        std::snprintf(err, errlen, "channelAffine needs 4 or 6 views, got %d", nviews);
        return -1;
      }
      ok = k_channel_affine(v[0], v[1], v[2], v[3], nviews == 6 ? &v[4] : nullptr, nviews == 6 ? &v[5] : nullptr);
      break;
    case K_ACTIVATION_BWD: if (!need(4, 4, "activationBackward")) return -1; ok = k_activation_backward(int(P(0)), v[0], v[1], v[2], v[3], P(1)); break;
    case K_SOFTMAX: if (!need(2, 2, "softmax")) return -1; ok = k_softmax(v[0], int(P(0)), P(1) != 0, v[1]); break;
    case K_SOFTMAX_BWD: if (!need(3, 3, "softmaxBackward")) return -1; ok = k_softmax_backward(v[0], v[1], int(P(0)), P(1) != 0, v[2]); break;
    default:
      std::snprintf(err, errlen, "unknown kernel code %d", kernel);
      return -1;
  }
  return ok ? 1 : 0;
}

}  // namespace tg
