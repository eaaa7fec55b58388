// Kernel dispatch without N-API, for the wasm module. Interim: it mirrors the dispatch in
// native/addon.cc until the shared N-API-free dispatcher (native/dispatch.h) lands, which
// will replace this file.
#pragma once
#include <cstddef>

#include "../common.h"

namespace tg {

constexpr int MAX_VIEWS = 6;

// Reads one view (nd, shape, offset, strides) from meta at pos; false when malformed.
bool read_view(const double* meta, size_t metaLen, size_t& pos, View& v);

// Runs kernel `kernel` on views v[0..nviews) with parameters prm[0..nprm). Returns 1 when it
// ran, 0 when the dtype/layout is left to ref, -1 on bad input (message written to err).
int dispatch(int kernel, View* v, int nviews, const double* prm, size_t nprm, char* err, size_t errlen);

}  // namespace tg
