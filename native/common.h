// Shared types of the tsgrad native kernels: strided views, dtypes, the
// thread pool and run-time CPU feature selection.
#pragma once
#include <cstddef>
#include <cstdint>

namespace tg {

enum DType { F32 = 0, F64 = 1, I32 = 2, BOOL = 3 };

constexpr int MAX_DIMS = 16;

// A strided window onto typed-array memory (element units, like the TS View).
struct View {
  void* data = nullptr;
  DType dtype = F32;
  size_t length = 0;  // elements in the typed array, for bounds checks
  int nd = 0;
  int64_t shape[MAX_DIMS] = {0};
  int64_t strides[MAX_DIMS] = {0};
  int64_t offset = 0;

  int64_t numel() const {
    int64_t n = 1;
    for (int i = 0; i < nd; i++) n *= shape[i];
    return n;
  }
  template <typename T> T* ptr() const { return static_cast<T*>(data) + offset; }
};

// ---- thread pool (threadpool.cc) ----
// Calls fn(ctx, begin, end) on disjoint chunks covering [0, n), using the
// persistent workers when n >= grain * 2; the caller's thread takes a chunk.
using RangeFn = void (*)(void* ctx, int64_t begin, int64_t end);
void parallel_for(int64_t n, int64_t grain, RangeFn fn, void* ctx);
// Runs fn(ctx, i, parts) once for every task i in [0, parts) on the pool (tasks are claimed
// dynamically, so any thread may run any task; use `parts` <= num_threads() for one task per thread).
using TaskFn = void (*)(void* ctx, int tid, int parts);
void parallel_tasks(int parts, TaskFn fn, void* ctx);
int num_threads();
void set_num_threads(int n);
// True while running inside a pool task (nested parallelism runs serially).
bool in_parallel();

template <typename F> void parallel_for_lambda(int64_t n, int64_t grain, F&& f) {
  parallel_for(
      n, grain, [](void* c, int64_t b, int64_t e) { (*static_cast<F*>(c))(b, e); }, &f);
}
template <typename F> void parallel_tasks_lambda(int parts, F&& f) {
  parallel_tasks(
      parts, [](void* c, int t, int p) { (*static_cast<F*>(c))(t, p); }, &f);
}

// ---- CPU features (threadpool.cc) ----
// The vector ISA the kernels use, chosen once at load: the widest the CPU and OS support
// (cpuid + XGETBV), lowered by TSGRAD_ISA=avx512|avx2|portable (TSGRAD_NATIVE_NO_SIMD=1 = portable).
enum Isa { ISA_PORTABLE = 0, ISA_AVX2 = 1, ISA_AVX512 = 2 };
Isa active_isa();
// The widest ISA this CPU and OS support, whatever TSGRAD_ISA says.
Isa host_isa();
const char* isa_name(Isa isa);
// True when the AVX2+FMA paths run (also true on the AVX-512 path, which keeps AVX2 kernels it has no wider version of).
bool has_avx2_fma();
// True when the AVX-512 (F, DQ, BW, VL) paths run.
bool has_avx512();

}  // namespace tg

// Compile one function body twice: for AVX2+FMA and for the baseline ISA.
#if defined(__x86_64__) && (defined(__GNUC__) || defined(__clang__))
#define TG_X86 1
#define TG_AVX2 __attribute__((target("avx2,fma")))
#define TG_AVX512 __attribute__((target("avx512f,avx512dq,avx512bw,avx512vl,avx2,fma")))
#else
#define TG_X86 0
#define TG_AVX2
#define TG_AVX512
#endif
#define TG_INLINE inline __attribute__((always_inline))
