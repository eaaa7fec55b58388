// The wasm build's stand-in for native/threadpool.cc: one thread. The kernels' parallel_for /
// parallel_tasks calls run inline on the caller, in the same chunk order a one-thread pool uses.
#include "../common.h"

namespace tg {

void parallel_for(int64_t n, int64_t, RangeFn fn, void* ctx) {
  if (n > 0) fn(ctx, 0, n);
}

void parallel_tasks(int parts, TaskFn fn, void* ctx) {
  for (int i = 0; i < parts; i++) fn(ctx, i, parts);
}

int num_threads() { return 1; }

void set_num_threads(int) {}

bool in_parallel() { return false; }

bool has_avx2_fma() { return false; }

}  // namespace tg

// thread_local objects with destructors (the kernels' Scratch buffers) register them here; the
// module's one thread lives as long as the instance, so there is nothing to run at exit.
extern "C" int __cxa_thread_atexit(void (*)(void*), void*, void*) { return 0; }
