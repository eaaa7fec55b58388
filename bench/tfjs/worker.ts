/**
 * Benchmark worker for TensorFlow.js: `node worker.js cpu|wasm`. The workloads,
 * in tfjs's own idiom, are in models.ts.
 */
import * as tf from '@tensorflow/tfjs';
import { getThreadsCount, setThreadsCount } from '@tensorflow/tfjs-backend-wasm';
import { serve } from '../worker-loop.js';
import { build } from './models.js';

const backendName = process.argv[2] === 'wasm' ? 'wasm' : 'cpu';

await serve({
  info() {
    const threads = backendName === 'wasm' && tf.getBackend() === 'wasm' ? getThreadsCount() : 1;
    return { subject: `tfjs-${backendName}`, tfjs: tf.version.tfjs, node: process.version, threads };
  },
  async setup(spec, threads, seed) {
    if (backendName === 'wasm') setThreadsCount(threads);
    await tf.setBackend(backendName);
    await tf.ready();
    const step = build(spec, seed);
    try {
      step(); // a first step shows whether every kernel the workload needs exists on this backend
    } catch (e) {
      const msg = e instanceof Error ? e.message : String(e);
      if (/not (yet )?(implemented|registered|found)/i.test(msg)) return `tfjs-${backendName} lacks a kernel this workload needs: ${msg.split('\n')[0]}`;
      throw e;
    }
    return step;
  },
});
