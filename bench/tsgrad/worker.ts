/**
 * Benchmark worker for tsgrad on one backend: `node worker.js <backend>`.
 * The parent also sets TSGRAD_NUM_THREADS; where the package exports
 * setNumThreads (the native backend's thread pool), it is called as well.
 */
import * as tg from '../../src/index.js';
import { serve } from '../worker-loop.js';
import { seededInit } from './init.js';
import { buildStep } from './workloads.js';

const backendName = process.argv[2] ?? 'ref';

/** A function the package may export (thread control is optional), or null. */
function optional<F>(name: string): F | null {
  const fn = (tg as unknown as Record<string, unknown>)[name];
  return typeof fn === 'function' ? (fn as F) : null;
}

/** Threads tsgrad's kernels use: its getNumThreads() when exported, else what the parent asked for. */
function threadsInUse(): number | string {
  if (backendName === 'ref' || backendName === 'wasm') return 1; // the wasm build runs its kernels on one thread in Node
  return optional<() => number>('getNumThreads')?.() ?? `${process.env['TSGRAD_NUM_THREADS']} (TSGRAD_NUM_THREADS)`;
}

await serve({
  info() {
    const be = tg.setBackend(backendName);
    // The native kernels' ISA path (TSGRAD_ISA can lower it), looked up optionally like the thread count.
    const isa = backendName === 'native' ? optional<() => string | null>('nativeIsa')?.() ?? 'unknown' : 'n/a';
    return { subject: `tsgrad-${backendName}`, backend: be.name, node: process.version, threads: threadsInUse(), isa };
  },
  async setup(spec, threads, seed) {
    const be = tg.setBackend(backendName);
    // A backend whose kernels failed to load hands over to another; timing that under this name would mislead.
    if (be.name !== backendName) return `tsgrad's ${backendName} backend did not load (tsgrad fell back to ${be.name}); see the worker's stderr with --verbose`;
    optional<(n: number) => void>('setNumThreads')?.(threads);
    return buildStep(spec, seededInit(seed), seed);
  },
});
