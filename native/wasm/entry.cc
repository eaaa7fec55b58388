// The wasm module's C entry point: the JS side (src/backend/wasm) stages views in linear memory,
// writes their metadata in the same encoding as the native addon (src/backend/native/index.ts
// encode(): [nviews, per view nd, shape[nd], offset, strides[nd], then kernel parameters]) and
// calls tg_run with one pointer, element count and dtype per view.
#include <cstdint>
#include <cstdio>
#include <cstdlib>

#include "dispatch.h"

namespace {

char g_err[256];

}  // namespace

extern "C" {

/** Allocates `bytes` in linear memory (64-byte aligned, for the SIMD loads); 0 when out of memory. */
__attribute__((export_name("tg_alloc"))) void* tg_alloc(size_t bytes) {
  return std::aligned_alloc(64, (bytes + 63) / 64 * 64);
}

/** Frees a block from tg_alloc. */
__attribute__((export_name("tg_free"))) void tg_free(void* p) { std::free(p); }

/** The message of the last tg_run that returned -1 (NUL-terminated, in linear memory). */
__attribute__((export_name("tg_error"))) const char* tg_error() { return g_err; }

/**
 * Runs `kernel` on views described by meta[0..metaLen); view i's data is at ptrs[i], holds
 * lens[i] elements of dtype dtypes[i] (0 f32, 1 f64, 2 i32, 3 bool). Returns 1 when the kernel
 * ran, 0 when it leaves this dtype/layout to ref, -1 on bad input (message in tg_error()).
 */
__attribute__((export_name("tg_run"))) int tg_run(int kernel, const double* meta, int metaLen, void* const* ptrs,
                                                  const uint32_t* lens, const int32_t* dtypes) {
  g_err[0] = '\0';
  if (metaLen < 1) {
    std::snprintf(g_err, sizeof g_err, "tsgrad wasm: empty view metadata");
    return -1;
  }
  size_t pos = 0;
  const int nviews = static_cast<int>(meta[pos++]);
  if (nviews < 0 || nviews > tg::MAX_VIEWS) {
    std::snprintf(g_err, sizeof g_err, "tsgrad wasm: %d views (at most %d)", nviews, tg::MAX_VIEWS);
    return -1;
  }
  tg::View v[tg::MAX_VIEWS];
  for (int i = 0; i < nviews; i++) {
    if (!tg::read_view(meta, static_cast<size_t>(metaLen), pos, v[i])) {
      std::snprintf(g_err, sizeof g_err, "tsgrad wasm: malformed view metadata (kernel %d, view %d)", kernel, i);
      return -1;
    }
    if (dtypes[i] < 0 || dtypes[i] > 3) {
      std::snprintf(g_err, sizeof g_err, "tsgrad wasm: view %d has unknown dtype code %d", i, int(dtypes[i]));
      return -1;
    }
    v[i].data = ptrs[i];
    v[i].length = lens[i];
    v[i].dtype = static_cast<tg::DType>(dtypes[i]);
  }
  return tg::dispatch(kernel, v, nviews, meta + pos, static_cast<size_t>(metaLen) - pos, g_err, sizeof g_err);
}

}  // extern "C"
