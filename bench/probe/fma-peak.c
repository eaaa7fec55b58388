/* FP32 FMA peak probe: every thread runs independent FMA chains (enough to cover the FMA
 * latency on two pipes) on registers only, for the widest vector the build allows.
 * Prints GFLOP/s for `threads` threads (2 FLOP per lane per FMA); a second argument `cpu`
 * divides by the process's CPU time instead of wall time (per-core peak on a busy machine). Built and run by
 * bench/probe/isa-ab.mjs with -mavx2 -mfma (ymm) or -mavx512f (zmm). */
#include <immintrin.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

#ifdef __AVX512F__
typedef __m512 V;
#define LANES 16
#define SET1 _mm512_set1_ps
#define FMA _mm512_fmadd_ps
#define ADD _mm512_add_ps
#define RED(v) _mm512_reduce_add_ps(v)
#else
typedef __m256 V;
#define LANES 8
#define SET1 _mm256_set1_ps
#define FMA _mm256_fmadd_ps
#define ADD _mm256_add_ps
static float RED(V v) { float t[8]; _mm256_storeu_ps(t, v); return t[0] + t[7]; }
#endif

#define CHAINS 12
static const long ITERS = 100000000L / CHAINS * 4;
static volatile float sink;

static void* run(void* arg) {
  (void)arg;
  const V a = SET1(0.999999f), b = SET1(1e-7f);
  /* Twelve named chains (an array plus an asm barrier made GCC store them every iteration). */
  V c0 = SET1(0), c1 = SET1(1), c2 = SET1(2), c3 = SET1(3), c4 = SET1(4), c5 = SET1(5);
  V c6 = SET1(6), c7 = SET1(7), c8 = SET1(8), c9 = SET1(9), c10 = SET1(10), c11 = SET1(11);
  for (long it = 0; it < ITERS; it++) {
    c0 = FMA(c0, a, b); c1 = FMA(c1, a, b); c2 = FMA(c2, a, b); c3 = FMA(c3, a, b);
    c4 = FMA(c4, a, b); c5 = FMA(c5, a, b); c6 = FMA(c6, a, b); c7 = FMA(c7, a, b);
    c8 = FMA(c8, a, b); c9 = FMA(c9, a, b); c10 = FMA(c10, a, b); c11 = FMA(c11, a, b);
  }
  V s = ADD(ADD(ADD(c0, c1), ADD(c2, c3)), ADD(ADD(c4, c5), ADD(c6, c7)));
  s = ADD(s, ADD(ADD(c8, c9), ADD(c10, c11)));
  sink = RED(s);
  return NULL;
}

static clockid_t g_clock = CLOCK_MONOTONIC;
static double now(void) {
  struct timespec t;
  clock_gettime(g_clock, &t);
  return t.tv_sec + t.tv_nsec * 1e-9;
}

int main(int argc, char** argv) {
  int threads = argc > 1 ? atoi(argv[1]) : 2;
  if (threads < 1 || threads > 64) threads = 2;
  /* "cpu": GFLOP per CPU-second of the process (robust to time-slicing on a shared machine). */
  if (argc > 2 && argv[2][0] == 'c') g_clock = CLOCK_PROCESS_CPUTIME_ID;
  double best = 0;
  for (int rep = 0; rep < 3; rep++) {
    pthread_t t[64];
    double t0 = now();
    for (int i = 0; i < threads; i++) pthread_create(&t[i], NULL, run, NULL);
    for (int i = 0; i < threads; i++) pthread_join(t[i], NULL);
    double g = 2.0 * LANES * CHAINS * (double)ITERS * threads / (now() - t0) / 1e9;
    if (g > best) best = g;
  }
  printf("%.1f\n", best);
  return 0;
}
