// N-API glue: decodes views from a Float64Array of metadata plus the typed
// arrays themselves (used in place, never copied) and dispatches to kernels.
//
// run(kernel, meta, data0, data1, ...): meta = [nviews, then per view
// nd, shape[nd], offset, strides[nd], then kernel parameters]. Returns true
// when the kernel ran, false when the dtype/layout combination is left to ref.
#include <node_api.h>

#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#if defined(__GLIBC__)
#include <malloc.h>
#endif

#include "kernels.h"

namespace tg {
namespace {

enum KernelCode {
  K_COPY, K_FILL, K_UNARY, K_BINARY, K_WHERE, K_REDUCE, K_ARG_REDUCE, K_MATMUL, K_CONV2D, K_CONV2D_BWD_INPUT,
  K_CONV2D_BWD_WEIGHT, K_MAX_POOL2D, K_MAX_POOL2D_BWD, K_AVG_POOL2D, K_AVG_POOL2D_BWD, K_GATHER, K_SCATTER_ADD,
  K_ADAM_STEP, K_SGD_STEP, K_CHANNEL_STATS, K_CHANNEL_GRAD_SUMS, K_CHANNEL_AFFINE,
  K_ACTIVATION_BWD, K_SOFTMAX, K_SOFTMAX_BWD
};

constexpr int MAX_VIEWS = 6;

napi_value throw_error(napi_env env, const char* msg) {
  napi_throw_range_error(env, nullptr, msg);
  return nullptr;
}

#define CHECK(call)                                                        \
  do {                                                                     \
    if ((call) != napi_ok) return throw_error(env, "tsgrad native: N-API call failed: " #call); \
  } while (0)

bool read_view(const double* meta, size_t metaLen, size_t& pos, View& v) {
  if (pos >= metaLen) return false;
  v.nd = static_cast<int>(meta[pos++]);
  if (v.nd < 0 || v.nd > MAX_DIMS || pos + 2 * v.nd + 1 > metaLen) return false;
  for (int d = 0; d < v.nd; d++) v.shape[d] = static_cast<int64_t>(meta[pos++]);
  v.offset = static_cast<int64_t>(meta[pos++]);
  for (int d = 0; d < v.nd; d++) v.strides[d] = static_cast<int64_t>(meta[pos++]);
  return true;
}

// True when every element the view can address lies inside its typed array.
bool in_bounds(const View& v) {
  int64_t lo = v.offset, hi = v.offset;
  for (int d = 0; d < v.nd; d++) {
    if (v.shape[d] < 0) return false;
    if (v.shape[d] == 0) return true;  // empty: nothing is touched
    int64_t span = (v.shape[d] - 1) * v.strides[d];
    if (span < 0) lo += span;
    else hi += span;
  }
  return lo >= 0 && hi < static_cast<int64_t>(v.length);
}

napi_value run(napi_env env, napi_callback_info info) {
  size_t argc = 2 + MAX_VIEWS;
  napi_value argv[2 + MAX_VIEWS];
  CHECK(napi_get_cb_info(env, info, &argc, argv, nullptr, nullptr));
  if (argc < 2) return throw_error(env, "tsgrad native: run(kernel, meta, ...data) needs at least 2 arguments");
  int32_t kernel = 0;
  CHECK(napi_get_value_int32(env, argv[0], &kernel));
  napi_typedarray_type mt;
  size_t metaLen = 0;
  void* metaData = nullptr;
  CHECK(napi_get_typedarray_info(env, argv[1], &mt, &metaLen, &metaData, nullptr, nullptr));
  if (mt != napi_float64_array) return throw_error(env, "tsgrad native: meta must be a Float64Array");
  const double* meta = static_cast<const double*>(metaData);

  size_t pos = 0;
  const int nviews = static_cast<int>(meta[pos++]);
  if (nviews < 0 || nviews > MAX_VIEWS || static_cast<size_t>(nviews) + 2 > argc)
    return throw_error(env, "tsgrad native: view count does not match the data arguments");
  View v[MAX_VIEWS];
  for (int i = 0; i < nviews; i++) {
    if (!read_view(meta, metaLen, pos, v[i])) return throw_error(env, "tsgrad native: malformed view metadata");
    napi_typedarray_type t;
    CHECK(napi_get_typedarray_info(env, argv[2 + i], &t, &v[i].length, &v[i].data, nullptr, nullptr));
    switch (t) {
      case napi_float32_array: v[i].dtype = F32; break;
      case napi_float64_array: v[i].dtype = F64; break;
      case napi_int32_array: v[i].dtype = I32; break;
      case napi_uint8_array: v[i].dtype = BOOL; break;
      default: return throw_error(env, "tsgrad native: unsupported typed array type");
    }
    if (!in_bounds(v[i])) {
      char msg[160];
      std::snprintf(msg, sizeof msg, "tsgrad native: view %d (kernel %d) reaches outside its storage of %zu elements", i, kernel,
                    v[i].length);
      return throw_error(env, msg);
    }
  }
  const double* prm = meta + pos;
  const size_t nprm = metaLen - pos;
  auto P = [&](size_t i) { return i < nprm ? prm[i] : 0.0; };
  auto conv = [&]() {
    return Conv2dParams{int64_t(P(0)), int64_t(P(1)), int64_t(P(2)), int64_t(P(3)), int64_t(P(4)), int64_t(P(5)), int64_t(P(6))};
  };
  auto pool = [&]() {
    return Pool2dParams{int64_t(P(0)), int64_t(P(1)), int64_t(P(2)), int64_t(P(3)), int64_t(P(4)), int64_t(P(5)), P(6) != 0};
  };

  bool ok = false;
  switch (kernel) {
    case K_COPY: k_copy(v[0], v[1]); ok = true; break;
    case K_FILL: k_fill(v[0], P(0)); ok = true; break;
    case K_UNARY: ok = k_unary(int(P(0)), v[0], v[1], P(1), P(2)); break;
    case K_BINARY: ok = k_binary(int(P(0)), v[0], v[1], v[2]); break;
    case K_WHERE: ok = k_where(v[0], v[1], v[2], v[3]); break;
    case K_REDUCE: {
      int dims[MAX_DIMS];
      int nd = int(P(1));
      if (nd < 0 || nd > MAX_DIMS) return throw_error(env, "tsgrad native: reduce: bad dims");
      for (int i = 0; i < nd; i++) dims[i] = int(P(2 + i));
      ok = k_reduce(int(P(0)), v[0], dims, nd, v[1]);
      break;
    }
    case K_ARG_REDUCE: ok = k_arg_reduce(P(0) != 0, v[0], int(P(1)), v[1]); break;
    case K_MATMUL: ok = k_matmul(v[0], v[1], v[2]); break;
    case K_CONV2D: ok = (nviews == 3 || nviews == 4) && k_conv2d(v[0], v[1], v[2], conv(), nviews == 4 ? &v[3] : nullptr); break;
    case K_CONV2D_BWD_INPUT: ok = k_conv2d_backward_input(v[0], v[1], v[2], conv()); break;
    case K_CONV2D_BWD_WEIGHT: ok = k_conv2d_backward_weight(v[0], v[1], v[2], conv()); break;
    case K_MAX_POOL2D: ok = k_max_pool2d(v[0], v[1], v[2], pool()); break;
    case K_MAX_POOL2D_BWD: ok = k_max_pool2d_backward(v[0], v[1], v[2], pool()); break;
    case K_AVG_POOL2D: ok = k_avg_pool2d(v[0], v[1], pool()); break;
    case K_AVG_POOL2D_BWD: ok = k_avg_pool2d_backward(v[0], v[1], pool()); break;
    case K_GATHER: ok = k_gather(v[0], int(P(0)), v[1], v[2]); break;
    case K_SCATTER_ADD: ok = k_scatter_add(v[0], int(P(0)), v[1], v[2]); break;
    case K_ADAM_STEP: {
      // params: lr, beta1, beta2, eps, weightDecay, stepSize, bc2Sqrt, decoupled, maximize; a 5th view is maxExpAvgSq
      AdamParams h{P(0), P(1), P(2), P(3), P(4), P(5), P(6), P(7) != 0, P(8) != 0};
      if (nviews < 4) return throw_error(env, "tsgrad native: adamStep needs 4 or 5 views");
      ok = k_adam_step(v[0], v[1], v[2], v[3], nviews > 4 ? &v[4] : nullptr, h);
      break;
    }
    case K_SGD_STEP: {
      // params: lr, momentum, dampening, weightDecay, nesterov, maximize, firstStep; a 3rd view is the momentum buffer
      SgdParams h{P(0), P(1), P(2), P(3), P(4) != 0, P(5) != 0, P(6) != 0};
      if (nviews < 2) return throw_error(env, "tsgrad native: sgdStep needs 2 or 3 views");
      ok = k_sgd_step(v[0], v[1], nviews > 2 ? &v[2] : nullptr, h);
      break;
    }
    case K_CHANNEL_STATS: ok = nviews == 3 && k_channel_stats(v[0], v[1], v[2]); break;
    case K_CHANNEL_GRAD_SUMS: ok = nviews == 5 && k_channel_grad_sums(v[0], v[1], v[2], v[3], v[4]); break;
    case K_CHANNEL_AFFINE:
      // views: x, a, d, out, and optionally y, b
      ok = (nviews == 4 || nviews == 6) && k_channel_affine(v[0], v[1], v[2], v[3], nviews == 6 ? &v[4] : nullptr, nviews == 6 ? &v[5] : nullptr);
      break;
    case K_ACTIVATION_BWD: ok = nviews == 4 && k_activation_backward(int(P(0)), v[0], v[1], v[2], v[3], P(1)); break;
    case K_SOFTMAX: ok = nviews == 2 && k_softmax(v[0], int(P(0)), P(1) != 0, v[1]); break;
    case K_SOFTMAX_BWD: ok = nviews == 3 && k_softmax_backward(v[0], v[1], int(P(0)), P(1) != 0, v[2]); break;
    default: return throw_error(env, "tsgrad native: unknown kernel code");
  }
  napi_value result;
  CHECK(napi_get_boolean(env, ok, &result));
  return result;
}

napi_value set_threads(napi_env env, napi_callback_info info) {
  size_t argc = 1;
  napi_value argv[1];
  CHECK(napi_get_cb_info(env, info, &argc, argv, nullptr, nullptr));
  int32_t n = 0;
  if (argc < 1 || napi_get_value_int32(env, argv[0], &n) != napi_ok || n < 1)
    return throw_error(env, "setNumThreads: expected a positive integer");
  set_num_threads(n);
  return nullptr;
}

napi_value get_threads(napi_env env, napi_callback_info) {
  napi_value r;
  CHECK(napi_create_int32(env, num_threads(), &r));
  return r;
}

napi_value simd(napi_env env, napi_callback_info) {
  napi_value r;
  const char* s = has_avx2_fma() ? "avx2+fma" : "scalar";
  CHECK(napi_create_string_utf8(env, s, NAPI_AUTO_LENGTH, &r));
  return r;
}

// Training allocates and frees the same large activation buffers every step. glibc serves blocks
// over its mmap threshold with fresh mappings, so each step pays page faults and munmap for every
// one of them; keeping them on the heap instead lets freed blocks be reused at once (a caching
// allocator in all but name). TSGRAD_MALLOC_TUNING=0 leaves the process's malloc alone.
void tune_malloc() {
#if defined(__GLIBC__)
  const char* opt = std::getenv("TSGRAD_MALLOC_TUNING");
  if (opt != nullptr && std::strcmp(opt, "0") == 0) return;
  mallopt(M_MMAP_THRESHOLD, 256 << 20);
  mallopt(M_TRIM_THRESHOLD, 512 << 20);
#endif
}

napi_value init(napi_env env, napi_value exports) {
  tune_malloc();
  napi_property_descriptor props[] = {
      {"run", nullptr, run, nullptr, nullptr, nullptr, napi_default, nullptr},
      {"setNumThreads", nullptr, set_threads, nullptr, nullptr, nullptr, napi_default, nullptr},
      {"getNumThreads", nullptr, get_threads, nullptr, nullptr, nullptr, napi_default, nullptr},
      {"simd", nullptr, simd, nullptr, nullptr, nullptr, napi_default, nullptr},
  };
  if (napi_define_properties(env, exports, sizeof props / sizeof props[0], props) != napi_ok) return nullptr;
  return exports;
}

}  // namespace
}  // namespace tg

NAPI_MODULE(NODE_GYP_MODULE_NAME, tg::init)
