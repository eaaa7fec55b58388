// N-API glue: turns run()'s JavaScript arguments into the dispatcher's (dispatch.h) and its
// result back into a boolean or a JS error. The metadata encoding and the checks live in
// dispatch.cc, shared with every other host (e.g. a wasm build).
//
// run(kernel, meta, data0, data1, ...): meta = [nviews, then per view nd, shape[nd], offset,
// strides[nd], then kernel parameters]. Returns true when the kernel ran, false when the
// dtype/layout combination is left to ref; throws an Error naming the kernel on a bad call.
#include <node_api.h>

#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#if defined(__GLIBC__)
#include <malloc.h>
#endif

#include "dispatch.h"
#include "kernels.h"

namespace tg {
namespace {

napi_value throw_error(napi_env env, const char* msg) {
  napi_throw_error(env, nullptr, msg);
  return nullptr;
}

#define CHECK(call)                                                        \
  do {                                                                     \
    if ((call) != napi_ok) return throw_error(env, "tsgrad native: N-API call failed: " #call); \
  } while (0)

napi_value run(napi_env env, napi_callback_info info) {
  constexpr int MAXV = KERNEL_MAX_VIEWS;
  size_t argc = 2 + MAXV + 1;  // one spare slot so that too many arguments are noticed
  napi_value argv[2 + MAXV + 1];
  CHECK(napi_get_cb_info(env, info, &argc, argv, nullptr, nullptr));
  if (argc < 2) return throw_error(env, "tsgrad native: run(kernel, meta, ...data) needs at least 2 arguments");
  int32_t kernel = 0;
  if (napi_get_value_int32(env, argv[0], &kernel) != napi_ok) return throw_error(env, "tsgrad native: run: the kernel code must be a number");
  bool isTyped = false;
  CHECK(napi_is_typedarray(env, argv[1], &isTyped));
  napi_typedarray_type mt = napi_int8_array;
  size_t metaLen = 0;
  void* metaData = nullptr;
  if (isTyped) CHECK(napi_get_typedarray_info(env, argv[1], &mt, &metaLen, &metaData, nullptr, nullptr));
  if (!isTyped || mt != napi_float64_array) return throw_error(env, "tsgrad native: run: meta must be a Float64Array");
  if (argc > 2 + static_cast<size_t>(MAXV)) return throw_error(env, "tsgrad native: run: too many views");
  const int ndata = static_cast<int>(argc - 2);
  void* data[MAXV];
  size_t lengths[MAXV];
  int dtypes[MAXV];
  for (int i = 0; i < ndata; i++) {
    bool typed = false;
    CHECK(napi_is_typedarray(env, argv[2 + i], &typed));
    napi_typedarray_type t = napi_int8_array;
    if (typed) CHECK(napi_get_typedarray_info(env, argv[2 + i], &t, &lengths[i], &data[i], nullptr, nullptr));
    switch (typed ? t : napi_int8_array) {
      case napi_float32_array: dtypes[i] = F32; break;
      case napi_float64_array: dtypes[i] = F64; break;
      case napi_int32_array: dtypes[i] = I32; break;
      case napi_uint8_array: dtypes[i] = BOOL; break;
      default: {
        char msg[160];
        std::snprintf(msg, sizeof msg, "tsgrad native: %s: data argument %d is not a Float32/Float64/Int32/Uint8Array", kernel_name(kernel), i);
        return throw_error(env, msg);
      }
    }
  }
  char err[512];
  err[0] = 0;
  const int r = dispatch_meta(kernel, static_cast<const double*>(metaData), metaLen, data, lengths, dtypes, ndata, err, sizeof err);
  if (r == DISPATCH_ERROR) return throw_error(env, err[0] ? err : "tsgrad native: kernel failed");
  napi_value result;
  CHECK(napi_get_boolean(env, r == DISPATCH_RAN, &result));
  return result;
}

napi_value string_array(napi_env env, const char* const* names, int n) {
  napi_value arr;
  if (napi_create_array_with_length(env, n, &arr) != napi_ok) return nullptr;
  for (int i = 0; i < n; i++) {
    napi_value s;
    if (napi_create_string_utf8(env, names[i], NAPI_AUTO_LENGTH, &s) != napi_ok || napi_set_element(env, arr, i, s) != napi_ok) return nullptr;
  }
  return arr;
}

// codes(): the tables this addon was compiled with, compared with src/backend/kernels.ts at load:
// { kernels: [name by code], unary, binary, reduce, activation, argReduce: [name by code], maxDims }.
napi_value codes(napi_env env, napi_callback_info) {
  const char* kernels[K_COUNT];
  for (int i = 0; i < K_COUNT; i++) kernels[i] = KERNEL_INFO[i].code == i ? KERNEL_INFO[i].name : "?";
  napi_value obj, maxDims;
  CHECK(napi_create_object(env, &obj));
  const struct {
    const char* key;
    const char* const* names;
    int n;
  } lists[] = {{"kernels", kernels, K_COUNT},          {"unary", UNARY_NAMES, U_COUNT},           {"binary", BINARY_NAMES, B_COUNT},
               {"reduce", REDUCE_NAMES, R_COUNT},      {"activation", ACTIVATION_NAMES, A_COUNT}, {"argReduce", ARG_REDUCE_NAMES, AR_COUNT}};
  for (const auto& l : lists) {
    napi_value arr = string_array(env, l.names, l.n);
    if (arr == nullptr) return throw_error(env, "tsgrad native: codes(): N-API call failed");
    CHECK(napi_set_named_property(env, obj, l.key, arr));
  }
  CHECK(napi_create_int32(env, MAX_DIMS, &maxDims));
  CHECK(napi_set_named_property(env, obj, "maxDims", maxDims));
  return obj;
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

// The vector ISA the kernels run ('avx512', 'avx2' or 'portable'); with an argument 'host', the widest the CPU supports.
napi_value isa(napi_env env, napi_callback_info info) {
  size_t argc = 1;
  napi_value arg, r;
  CHECK(napi_get_cb_info(env, info, &argc, &arg, nullptr, nullptr));
  char which[8] = "";
  size_t len = 0;
  if (argc >= 1) napi_get_value_string_utf8(env, arg, which, sizeof which, &len);
  const Isa chosen = std::strcmp(which, "host") == 0 ? host_isa() : active_isa();
  CHECK(napi_create_string_utf8(env, isa_name(chosen), NAPI_AUTO_LENGTH, &r));
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
      {"codes", nullptr, codes, nullptr, nullptr, nullptr, napi_default, nullptr},
      {"isa", nullptr, isa, nullptr, nullptr, nullptr, napi_default, nullptr},
  };
  if (napi_define_properties(env, exports, sizeof props / sizeof props[0], props) != napi_ok) return nullptr;
  return exports;
}

}  // namespace
}  // namespace tg

NAPI_MODULE(NODE_GYP_MODULE_NAME, tg::init)
