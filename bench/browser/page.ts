/**
 * The browser benchmark page (bundled and served by bench/browser/run.ts): runs the bench
 * workloads for one subject inside the page and reports median step times (the driver opens one
 * page per subject and workload, so a slow cell cannot time out the others).
 * Query: ?subject=tsgrad-wasm|tfjs-wasm&threads=N&only=W2,W3&budget=S&wasm=URL&tfjsWasm=URL
 */
import * as tf from '@tensorflow/tfjs';
import { setThreadsCount, setWasmPaths } from '@tensorflow/tfjs-backend-wasm';
import * as tg from '../../src/index.js';
import { allWorkloads, figureOf, type WorkloadSpec } from '../spec.js';
import { build as tfjsStep } from '../tfjs/models.js';
import { seededInit } from '../tsgrad/init.js';
import { buildStep } from '../tsgrad/workloads.js';

/** One cell's result as the driver reads it. */
export interface PageCell {
  id: string;
  figure?: number;
  medianMs?: number;
  steps?: number;
  error?: string;
}

/** What the page hands back through window.__tsgradResult. */
export interface PageResult {
  subject: string;
  threads: number;
  crossOriginIsolated: boolean;
  backend: string;
  cells: PageCell[];
}

interface PageWindow {
  __tsgradDone?: boolean;
  __tsgradResult?: PageResult;
  __tsgradError?: string;
  crossOriginIsolated?: boolean;
  location: { search: string };
}
const win = globalThis as unknown as PageWindow;

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)]!;
}

/** Times `step` after one warm-up: at least 3 steps, until `budget` seconds have passed. */
async function time(step: () => void, sync: () => Promise<void>, budget: number): Promise<{ ms: number; steps: number }> {
  step();
  await sync();
  const times: number[] = [];
  const t0 = performance.now();
  while (times.length < 3 || (performance.now() - t0) / 1000 < budget) {
    // Back to the event loop between steps, so the driver's polling gets answered.
    await new Promise((r) => setTimeout(r, 0));
    const s = performance.now();
    step();
    await sync();
    times.push(performance.now() - s);
    if (times.length >= 50) break;
  }
  return { ms: median(times), steps: times.length };
}

async function main(): Promise<void> {
  const q = new URLSearchParams(win.location.search);
  const subject = q.get('subject') ?? 'tsgrad-wasm';
  const threads = Number(q.get('threads') ?? '1');
  const budget = Number(q.get('budget') ?? '3');
  const only = (q.get('only') ?? 'W2,W3,W4,W5 train,W5 infer').split(',');
  const specs = allWorkloads().filter((s) => only.includes(s.id));
  let backend: string;
  let make: (spec: WorkloadSpec) => () => void;
  const sync = async (): Promise<void> => {};
  if (subject === 'tsgrad-wasm') {
    await tg.loadWasm(q.get('wasm') ?? undefined);
    backend = tg.setBackend('wasm').name;
    make = (spec) => buildStep(spec, seededInit(0), 0);
  } else if (subject === 'tfjs-wasm') {
    setWasmPaths(q.get('tfjsWasm') ?? '/node_modules/@tensorflow/tfjs-backend-wasm/dist/');
    setThreadsCount(threads);
    if (!(await tf.setBackend('wasm'))) throw new Error('tfjs backend wasm is not available in this browser');
    await tf.ready();
    backend = tf.getBackend();
    make = (spec) => tfjsStep(spec, 0);
  } else {
    throw new Error(`unknown subject ${subject}`);
  }
  const cells: PageCell[] = [];
  for (const spec of specs) {
    try {
      const { ms, steps } = await time(make(spec), sync, budget);
      cells.push({ id: spec.id, figure: figureOf(spec, ms / 1000), medianMs: ms, steps });
    } catch (e) {
      cells.push({ id: spec.id, error: (e instanceof Error ? e.message : String(e)).split('\n')[0]! });
    }
    console.log(`${subject} ${spec.id}: ${JSON.stringify(cells[cells.length - 1])}`);
  }
  win.__tsgradResult = { subject, threads, crossOriginIsolated: win.crossOriginIsolated === true, backend, cells };
  win.__tsgradDone = true;
}

main().catch((e: unknown) => {
  win.__tsgradError = e instanceof Error ? `${e.message}\n${e.stack ?? ''}` : String(e);
});
