// Walking several strided views of one shape at once: dims are collapsed
// (size-1 dims dropped, mergeable neighbours fused) so that contiguous data
// becomes one long row, then rows are handed to a kernel with their offsets.
#pragma once
#include <cstdint>

#include "common.h"

namespace tg {

template <int K> struct Walk {
  int nd = 0;
  int64_t shape[MAX_DIMS];
  int64_t strides[K][MAX_DIMS];
  int64_t offset[K];
  int64_t total = 1;
  int64_t inner() const { return nd ? shape[nd - 1] : 1; }
  int64_t istride(int k) const { return nd ? strides[k][nd - 1] : 0; }
};

// Builds a collapsed walk over `shape` for K views given their strides/offsets.
template <int K> Walk<K> make_walk(int nd, const int64_t* shape, const int64_t* const* strides, const int64_t* offsets) {
  Walk<K> w;
  for (int k = 0; k < K; k++) w.offset[k] = offsets[k];
  for (int d = 0; d < nd; d++) {
    w.total *= shape[d];
    if (shape[d] == 1) continue;
    bool merge = w.nd > 0;
    if (merge)
      for (int k = 0; k < K; k++)
        if (w.strides[k][w.nd - 1] != strides[k][d] * shape[d]) merge = false;
    if (merge) {
      w.shape[w.nd - 1] *= shape[d];
      for (int k = 0; k < K; k++) w.strides[k][w.nd - 1] = strides[k][d];
    } else {
      w.shape[w.nd] = shape[d];
      for (int k = 0; k < K; k++) w.strides[k][w.nd] = strides[k][d];
      w.nd++;
    }
  }
  return w;
}

// Calls row(offs[K], len) for the elements [begin, end) of the walk in row-major order.
template <int K, typename F> TG_INLINE void walk_range(const Walk<K>& w, int64_t begin, int64_t end, F&& row) {
  if (begin >= end) return;
  int64_t offs[K];
  if (w.nd == 0) {
    for (int k = 0; k < K; k++) offs[k] = w.offset[k];
    row(offs, int64_t(1));
    return;
  }
  const int nd = w.nd;
  const int64_t len = w.shape[nd - 1];
  int64_t idx[MAX_DIMS];
  int64_t rem = begin;
  for (int d = nd - 1; d >= 0; d--) {
    idx[d] = rem % w.shape[d];
    rem /= w.shape[d];
  }
  for (int k = 0; k < K; k++) {
    offs[k] = w.offset[k];
    for (int d = 0; d < nd; d++) offs[k] += idx[d] * w.strides[k][d];
  }
  int64_t pos = begin;
  while (pos < end) {
    int64_t n = len - idx[nd - 1];
    if (n > end - pos) n = end - pos;
    row(offs, n);
    pos += n;
    if (pos >= end) break;
    // Move to the start of the next row.
    for (int k = 0; k < K; k++) offs[k] += (n - 0) * w.strides[k][nd - 1];
    idx[nd - 1] += n;
    for (int d = nd - 1; d > 0 && idx[d] == w.shape[d]; d--) {
      for (int k = 0; k < K; k++) offs[k] += w.strides[k][d - 1] - w.shape[d] * w.strides[k][d];
      idx[d] = 0;
      idx[d - 1]++;
    }
  }
}

// Elements per thread below which elementwise kernels stay on one thread.
constexpr int64_t ELEMENTWISE_GRAIN = 32768;

}  // namespace tg
