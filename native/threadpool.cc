// A persistent pthread pool. Workers spin briefly after each task (kernels
// arrive back to back during training) and then sleep on a condition variable.
// Tasks are claimed, not assigned: the caller and the workers take task
// indices from one atomic counter, so when a worker is slow to wake (a busy
// machine) the caller simply runs its share instead of waiting for it.
#include <pthread.h>
#include <sched.h>
#include <unistd.h>

#include <atomic>
#include <cstdio>
#include <cstring>
#include <cstdlib>
#include <exception>
#include <vector>

#include "common.h"

#if defined(__x86_64__) || defined(__i386__)
#include <cpuid.h>
#endif

namespace tg {
namespace {

struct Pool {
  int size = 1;  // threads including the caller
  std::vector<pthread_t> workers;
  pthread_mutex_t mu = PTHREAD_MUTEX_INITIALIZER;
  pthread_cond_t cv = PTHREAD_COND_INITIALIZER;
  std::atomic<uint64_t> gen{0};
  // Task claims for the current generation: (generation << 32) | next task index.
  std::atomic<uint64_t> claim{0};
  std::atomic<int> done{0};
  bool stop = false;
  TaskFn fn = nullptr;
  void* ctx = nullptr;
  int parts = 0;
  // The first exception a task of the current generation threw (e.g. std::bad_alloc from a
  // scratch buffer): caught on whichever thread ran the task, rethrown on the caller's.
  std::atomic<bool> failed{false};
  std::exception_ptr error;
};

Pool* g_pool = nullptr;
// One caller at a time owns the pool (Node worker threads may each load the addon);
// a second concurrent caller runs its task serially instead of waiting.
std::atomic<bool> g_busy{false};
int g_requested = 0;  // 0: not decided yet
thread_local bool t_in_parallel = false;

inline void cpu_relax() {
#if defined(__x86_64__) || defined(__i386__)
  __builtin_ia32_pause();
#endif
}

// Runs tasks of generation `g` until none is left; returns when the counter moves on.
void run_claimed(Pool* pool, uint64_t g) {
  for (;;) {
    uint64_t c = pool->claim.load(std::memory_order_acquire);
    if ((c >> 32) != (g & 0xffffffffu)) return;
    const int idx = static_cast<int>(c & 0xffffffffu);
    if (idx >= pool->parts) return;
    if (!pool->claim.compare_exchange_weak(c, c + 1, std::memory_order_acq_rel)) continue;
    try {
      pool->fn(pool->ctx, idx, pool->parts);
    } catch (...) {
      // An exception must not unwind a worker (std::terminate) nor leave the caller's frame
      // while other tasks still use it: keep the first, finish the generation, rethrow later.
      if (!pool->failed.exchange(true, std::memory_order_acq_rel)) pool->error = std::current_exception();
    }
    pool->done.fetch_add(1, std::memory_order_acq_rel);
  }
}

struct WorkerArg {
  Pool* pool;
  int tid;
};

void* worker_main(void* p) {
  WorkerArg arg = *static_cast<WorkerArg*>(p);
  delete static_cast<WorkerArg*>(p);
  Pool* pool = arg.pool;
  t_in_parallel = true;
  uint64_t seen = 0;
  for (;;) {
    // Spin a little before sleeping: the next kernel usually follows within microseconds.
    uint64_t g = pool->gen.load(std::memory_order_acquire);
    for (int spin = 0; g == seen && spin < 20000; spin++) {
      cpu_relax();
      g = pool->gen.load(std::memory_order_acquire);
    }
    if (g == seen) {
      pthread_mutex_lock(&pool->mu);
      while ((g = pool->gen.load(std::memory_order_acquire)) == seen && !pool->stop) pthread_cond_wait(&pool->cv, &pool->mu);
      pthread_mutex_unlock(&pool->mu);
    }
    if (pool->stop) return nullptr;
    seen = g;
    run_claimed(pool, g);
  }
}

int default_threads() {
  const char* env = std::getenv("TSGRAD_NUM_THREADS");
  if (env && *env) {
    int n = std::atoi(env);
    if (n > 0) return n;
  }
  long n = sysconf(_SC_NPROCESSORS_ONLN);
  return n > 0 ? static_cast<int>(n) : 1;
}

void destroy_pool() {
  if (!g_pool) return;
  pthread_mutex_lock(&g_pool->mu);
  g_pool->stop = true;
  g_pool->gen.fetch_add(1);
  pthread_cond_broadcast(&g_pool->cv);
  pthread_mutex_unlock(&g_pool->mu);
  for (pthread_t t : g_pool->workers) pthread_join(t, nullptr);
  delete g_pool;
  g_pool = nullptr;
}

Pool* pool() {
  if (g_pool) return g_pool;
  if (g_requested == 0) g_requested = default_threads();
  g_pool = new Pool();
  g_pool->size = g_requested;
  for (int i = 1; i < g_requested; i++) {
    pthread_t t;
    if (pthread_create(&t, nullptr, worker_main, new WorkerArg{g_pool, i}) != 0) {
      g_pool->size = i;  // run with the threads we got
      break;
    }
    g_pool->workers.push_back(t);
  }
  return g_pool;
}

}  // namespace

int num_threads() {
  if (g_requested == 0) g_requested = default_threads();
  return g_requested;
}

void set_num_threads(int n) {
  if (n < 1) n = 1;
  if (n > 256) n = 256;
  if (g_pool && g_pool->size == n) return;
  while (g_busy.exchange(true, std::memory_order_acquire)) cpu_relax();  // never tear down a pool in use
  destroy_pool();
  g_requested = n;
  g_busy.store(false, std::memory_order_release);
}

bool in_parallel() { return t_in_parallel; }

void parallel_tasks(int parts, TaskFn fn, void* ctx) {
  if (parts <= 1 || t_in_parallel) {
    for (int i = 0; i < parts; i++) fn(ctx, i, parts);  // serial (nested or trivial)
    return;
  }
  if (g_busy.exchange(true, std::memory_order_acquire)) {
    for (int i = 0; i < parts; i++) fn(ctx, i, parts);
    return;
  }
  // Releases the pool however this call ends (a task may throw).
  struct Release {
    ~Release() { g_busy.store(false, std::memory_order_release); }
  } release;
  Pool* p = pool();
  if (p->size <= 1) {
    for (int i = 0; i < parts; i++) fn(ctx, i, parts);
    return;
  }
  p->fn = fn;
  p->ctx = ctx;
  p->parts = parts;
  p->done.store(0, std::memory_order_relaxed);
  const uint64_t g = p->gen.load(std::memory_order_relaxed) + 1;
  p->claim.store((g & 0xffffffffu) << 32, std::memory_order_release);
  pthread_mutex_lock(&p->mu);
  p->gen.store(g, std::memory_order_release);
  pthread_cond_broadcast(&p->cv);
  pthread_mutex_unlock(&p->mu);
  t_in_parallel = true;
  run_claimed(p, g);
  t_in_parallel = false;
  // Wait only for tasks a worker has claimed and not finished yet.
  for (int spin = 0; p->done.load(std::memory_order_acquire) < parts; spin++) {
    if (spin < 4000) cpu_relax();
    else sched_yield();
  }
  if (p->failed.load(std::memory_order_acquire)) {
    std::exception_ptr e = p->error;
    p->error = nullptr;
    p->failed.store(false, std::memory_order_release);
    std::rethrow_exception(e);
  }
}

void parallel_for(int64_t n, int64_t grain, RangeFn fn, void* ctx) {
  if (n <= 0) return;
  if (grain < 1) grain = 1;
  int parts = num_threads();
  if (t_in_parallel || n < 2 * grain || parts <= 1) {
    fn(ctx, 0, n);
    return;
  }
  // A few chunks per thread balance uneven progress (chunks are claimed dynamically).
  parts *= 4;
  int64_t maxParts = n / grain;
  if (parts > maxParts) parts = static_cast<int>(maxParts);
  struct Split {
    RangeFn fn;
    void* ctx;
    int64_t n;
  } s{fn, ctx, n};
  parallel_tasks(
      parts,
      [](void* c, int tid, int nparts) {
        Split* s = static_cast<Split*>(c);
        int64_t b = s->n * tid / nparts, e = s->n * (tid + 1) / nparts;
        if (e > b) s->fn(s->ctx, b, e);
      },
      &s);
}

namespace {

#if TG_X86
// XCR0: which register states the OS saves on a context switch (XGETBV, valid when OSXSAVE is set).
uint64_t xcr0() {
  uint32_t lo, hi;
  __asm__ volatile("xgetbv" : "=a"(lo), "=d"(hi) : "c"(0));
  return (uint64_t(hi) << 32) | lo;
}
#endif

Isa detect_host_isa() {
#if TG_X86
  unsigned a, b, c, d;
  if (!__get_cpuid(1, &a, &b, &c, &d)) return ISA_PORTABLE;
  const bool fma = c & (1u << 12), osxsave = c & (1u << 27), avx = c & (1u << 28);
  if (!osxsave || !avx || !fma) return ISA_PORTABLE;
  const uint64_t xcr = xcr0();
  if ((xcr & 0x6) != 0x6) return ISA_PORTABLE;  // XMM and YMM state
  if (__get_cpuid_max(0, nullptr) < 7) return ISA_PORTABLE;
  __cpuid_count(7, 0, a, b, c, d);
  if (!(b & (1u << 5))) return ISA_PORTABLE;  // AVX2
  const bool f = b & (1u << 16), dq = b & (1u << 17), bw = b & (1u << 30), vl = b & (1u << 31);
  if (f && dq && bw && vl && (xcr & 0xe0) == 0xe0) return ISA_AVX512;  // opmask, ZMM0-15 upper halves, ZMM16-31
  return ISA_AVX2;
#else
  return ISA_PORTABLE;
#endif
}

Isa choose_isa() {
  const Isa host = detect_host_isa();
  const char* legacy = std::getenv("TSGRAD_NATIVE_NO_SIMD");
  if (legacy && *legacy && std::strcmp(legacy, "0") != 0) return ISA_PORTABLE;
  const char* env = std::getenv("TSGRAD_ISA");
  if (!env || !*env) return host;
  Isa want;
  if (std::strcmp(env, "avx512") == 0) want = ISA_AVX512;
  else if (std::strcmp(env, "avx2") == 0) want = ISA_AVX2;
  else if (std::strcmp(env, "portable") == 0) want = ISA_PORTABLE;
  else {
    std::fprintf(stderr, "tsgrad: TSGRAD_ISA=%s is not one of avx512, avx2, portable; using %s\n", env, isa_name(host));
    return host;
  }
  if (want > host) {
    std::fprintf(stderr, "tsgrad: TSGRAD_ISA=%s but this CPU/OS supports at most %s; using %s\n", env, isa_name(host), isa_name(host));
    return host;
  }
  return want;
}

}  // namespace

const char* isa_name(Isa isa) {
  switch (isa) {
    case ISA_AVX512: return "avx512";
    case ISA_AVX2: return "avx2";
    default: return "portable";
  }
}

Isa host_isa() {
  static const Isa h = detect_host_isa();
  return h;
}

Isa active_isa() {
  static const Isa chosen = choose_isa();
  return chosen;
}

bool has_avx2_fma() { return active_isa() >= ISA_AVX2; }
bool has_avx512() { return active_isa() >= ISA_AVX512; }

}  // namespace tg
