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

/** Calls tg.setNumThreads(n) when the package has one (it is optional). */
function trySetThreads(n: number): boolean {
  const fn = (tg as unknown as Record<string, unknown>)['setNumThreads'];
  if (typeof fn !== 'function') return false;
  (fn as (n: number) => void)(n);
  return true;
}

await serve({
  info() {
    const be = tg.setBackend(backendName);
    return { subject: `tsgrad-${backendName}`, backend: be.name, node: process.version };
  },
  async setup(spec, threads, seed) {
    tg.setBackend(backendName);
    trySetThreads(threads);
    return buildStep(spec, seededInit(seed), seed);
  },
});
