// What the backend boundary checks (src/backend/validate.ts) cost: W2 and W5 training steps and a
// W5 inference batch, with the checks on and off in alternating rounds in one process (the
// machine is shared, so only the in-process ratio means much).
//   node --expose-gc dist/bench/validation-ab.js [--cpu] [--rounds N] [--steps N] [--only W2,W5:train,W5:infer]
import type { Backend } from '../src/backend/backend.js';
import { KERNELS } from '../src/backend/kernels.js';
import { registerBackend, setBackendValidation } from '../src/backend/registry.js';
import { validated } from '../src/backend/validate.js';
import * as tg from '../src/index.js';
import { allWorkloads } from './spec.js';
import { seededInit } from './tsgrad/init.js';
import { buildStep } from './tsgrad/workloads.js';

function flag(name: string, fallback: string): string {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 ? process.argv[i + 1] ?? fallback : fallback;
}
const rounds = Number(flag('rounds', '6'));
const only = flag('only', 'W2,W5:train,W5:infer').split(',');
const median = (xs: number[]): number => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
const gc = (globalThis as { gc?: () => void }).gc;
// --cpu: one native thread and process CPU time instead of wall time (steadier on a shared machine).
const cpu = process.argv.includes('--cpu');
if (cpu) tg.setNumThreads(1);
const clock = (): number => {
  if (!cpu) return performance.now();
  const u = process.cpuUsage();
  return (u.user + u.system) / 1000;
};

console.log(`backend ${tg.getBackend().name}, ${tg.getNumThreads()} threads, ${cpu ? 'process CPU time' : 'wall time'}, ${rounds} rounds of checks on/off`);
for (const spec of allWorkloads().filter((w) => only.includes(w.id.replace(' ', ':'))) ) {
  const step = buildStep(spec, seededInit(0), 0);
  const steps = Number(flag('steps', spec.group === 'W2' ? '40' : '3'));
  for (let i = 0; i < 2; i++) step(); // warm-up
  const times: Record<'on' | 'off', number[]> = { on: [], off: [] };
  for (let r = 0; r < rounds; r++) {
    for (const mode of r % 2 ? (['off', 'on'] as const) : (['on', 'off'] as const)) {
      setBackendValidation(mode === 'on');
      gc?.();
      const t0 = clock();
      for (let i = 0; i < steps; i++) step();
      times[mode].push((clock() - t0) / steps);
    }
  }
  setBackendValidation(true);
  const on = median(times.on), off = median(times.off);
  // The checks alone: replay one step's kernel calls through the checks into a backend that does nothing.
  const calls = recordStep(step);
  const noop = validated(noopBackend());
  const reps = 200;
  const t0 = clock();
  for (let r = 0; r < reps; r++) for (const [name, args] of calls) (noop as unknown as Record<string, (...a: unknown[]) => unknown>)[name]!(...args);
  const checkMs = (clock() - t0) / reps;
  console.log(`${spec.id.padEnd(9)} ${calls.length} kernel calls per step; checking them takes ${(checkMs * 1000).toFixed(0)} µs per step = ${((100 * checkMs) / off).toFixed(2)}% of the step`);
  console.log(`${spec.id.padEnd(9)} step: checks on ${on.toFixed(2)} ms, off ${off.toFixed(2)} ms (median of ${rounds} rounds of ${steps}); on/off ${(on / off).toFixed(3)}; rounds on [${times.on.map((t) => t.toFixed(2)).join(', ')}] off [${times.off.map((t) => t.toFixed(2)).join(', ')}]`);
}

/** The kernel calls one step makes: (method, arguments), recorded on the way to the real backend. */
function recordStep(step: () => void): [string, unknown[]][] {
  const calls: [string, unknown[]][] = [];
  const real = tg.getBackend();
  const rec: Record<string, unknown> = { name: 'recorder' };
  for (const k of KERNELS) {
    const fn = (real as unknown as Record<string, unknown>)[k.name];
    if (typeof fn !== 'function') continue;
    rec[k.name] = (...a: unknown[]): unknown => {
      calls.push([k.name, a]);
      return (fn as (...x: unknown[]) => unknown).apply(real, a);
    };
  }
  const prev = real.name;
  registerBackend('recorder', () => rec as unknown as Backend);
  tg.setBackend('recorder');
  try {
    step();
  } finally {
    tg.setBackend(prev);
  }
  return calls;
}

/** A backend whose kernels do nothing (fused ones decline). */
function noopBackend(): Backend {
  const be: Record<string, unknown> = { name: 'noop' };
  for (const k of KERNELS) be[k.name] = k.fused ? () => false : () => undefined;
  return be as unknown as Backend;
}
