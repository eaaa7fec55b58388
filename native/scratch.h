// A per-thread scratch buffer that only grows: kernels keep one per purpose
// (thread_local) so packing and im2col buffers are not reallocated per call.
#pragma once
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <new>

namespace tg {

// Grows to the largest size asked for, 64-byte aligned (for AVX loads). Never returns null:
// a failed allocation throws std::bad_alloc, which the dispatcher turns into a JS error
// naming the kernel (callers need no null check).
struct Scratch {
  void* p = nullptr;
  size_t bytes = 0;
  void* get(size_t n) {
    if (n > bytes) {
      std::free(p);
      p = nullptr;
      bytes = 0;
      if (n > SIZE_MAX - 63) throw std::bad_alloc();
      p = std::aligned_alloc(64, (n + 63) / 64 * 64);
      if (p == nullptr) throw std::bad_alloc();
      bytes = n;
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
