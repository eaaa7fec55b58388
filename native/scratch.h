// A per-thread scratch buffer that only grows: kernels keep one per purpose
// (thread_local) so packing and im2col buffers are not reallocated per call.
#pragma once
#include <cstddef>
#include <cstdlib>

namespace tg {

// Grows to the largest size asked for, 64-byte aligned (for AVX loads).
struct Scratch {
  void* p = nullptr;
  size_t bytes = 0;
  void* get(size_t n) {
    if (n > bytes) {
      std::free(p);
      p = std::aligned_alloc(64, (n + 63) / 64 * 64);
      bytes = p ? n : 0;
    }
    return p;
  }
  void release() {
    std::free(p);
    p = nullptr;
    bytes = 0;
  }
  ~Scratch() { std::free(p); }
};

}  // namespace tg
