/**
 * Measures one workload for all subjects: one worker process per subject,
 * warm-up, then rounds in which the subjects take turns (so that drifts in
 * machine speed hit all of them alike), then each worker's peak RSS.
 */
import type { WorkerMessage } from './protocol.js';
import { figureOf, type WorkloadSpec } from './spec.js';
import { estimateStepSeconds, type SubjectDef } from './subjects.js';
import { WorkerProcess } from './worker-proc.js';

/** How long and how often to measure. */
export interface MeasureOptions {
  readonly threads: number;
  readonly seed: number;
  /** Rounds of interleaved timing. */
  readonly rounds: number;
  /** Seconds of timed steps per subject and workload (split over the rounds). */
  readonly budget: number;
  /** Fewest timed steps per subject and workload, however slow its steps are. */
  readonly minSteps: number;
  /** Seconds of warm-up after the first step (which is always a warm-up step). */
  readonly warmup: number;
  /** Cells whose estimated step time exceeds this many seconds are skipped (slow pure-JS subjects only). */
  readonly maxStep: number;
  readonly verbose: boolean;
  /** Progress lines go here. */
  log(line: string): void;
}

/** The outcome of one subject on one workload. */
export interface CellResult {
  readonly workload: string;
  readonly subject: string;
  status: 'ok' | 'skipped' | 'n/a' | 'error';
  note?: string;
  /** The figure: GFLOP/s (W1) or samples/s, from the median step time. */
  value?: number;
  unit: string;
  medianStepS?: number;
  p10StepS?: number;
  p90StepS?: number;
  timedSteps?: number;
  warmupSteps?: number;
  /** Peak resident set size of the worker process, MiB. */
  peakRssMiB?: number;
  /** Resident set size after the worker's imports, before the workload was built, MiB. */
  baseRssMiB?: number;
  info?: Record<string, string | number | boolean>;
}

/** The q-quantile (0..1) of numbers, by linear interpolation. */
export function quantile(xs: readonly number[], q: number): number {
  const s = [...xs].sort((a, b) => a - b);
  const pos = (s.length - 1) * q;
  const lo = Math.floor(pos);
  const hi = Math.ceil(pos);
  return s[lo]! + (s[hi]! - s[lo]!) * (pos - lo);
}

interface Live {
  readonly def: SubjectDef;
  readonly w: WorkerProcess;
  readonly r: CellResult;
  times: number[];
  est: number;
}

const clamp = (v: number, lo: number, hi: number): number => Math.min(hi, Math.max(lo, v));

/** Runs one workload for every subject and returns one result per subject, in the subjects' order. */
export async function measureWorkload(spec: WorkloadSpec, subjects: readonly SubjectDef[], o: MeasureOptions): Promise<CellResult[]> {
  const results: CellResult[] = [];
  const live: Live[] = [];
  for (const def of subjects) {
    const r: CellResult = { workload: spec.id, subject: def.name, status: 'ok', unit: spec.metric };
    results.push(r);
    const est = estimateStepSeconds(def, spec);
    if (est > o.maxStep) {
      r.status = 'skipped';
      r.note = `${def.name}: skipped, one step would take ~${est.toFixed(0)} s at its ~${def.nominal!.dense} GFLOP/s (dense) / ~${def.nominal!.conv} GFLOP/s (conv); --max-step ${Math.ceil(est)} runs it`;
      continue;
    }
    live.push({ def, w: new WorkerProcess(def.name, def.launch(o.threads), o.verbose), r, times: [], est: 0 });
  }
  const fail = (l: Live, m: WorkerMessage): void => {
    l.r.status = 'error';
    l.r.note = `${l.def.name}: ${m.type === 'error' ? m.message : `unexpected reply ${JSON.stringify(m)}`}`;
    l.w.kill();
    o.log(`  ${l.r.note}`);
  };
  const active = (): Live[] => live.filter((l) => l.r.status === 'ok');
  const run = async (l: Live, steps: number): Promise<number[] | null> => {
    const m = await l.w.request({ cmd: 'run', steps }, 120 + steps * Math.max(l.est, 1) * 10);
    if (m.type === 'run') return m.times;
    fail(l, m);
    return null;
  };

  // Start all workers at once: their imports overlap.
  await Promise.all(
    live.map(async (l) => {
      const m = await l.w.next(300);
      if (m.type !== 'ready') return fail(l, m);
      l.r.baseRssMiB = m.baseRssKiB / 1024;
      l.r.info = m.info;
      l.w.freeze();
    }),
  );
  for (const l of active()) {
    const m = await l.w.request({ cmd: 'setup', spec, threads: o.threads, seed: o.seed }, 900);
    if (m.type === 'setup' && m.ok) l.r.info = { ...l.r.info, ...m.info };
    else if (m.type === 'setup' && !m.ok) {
      l.r.status = 'n/a';
      l.r.note = `${l.def.name}: ${m.na}`;
      o.log(`  ${l.r.note}`);
    } else fail(l, m);
  }
  for (const l of active()) {
    const first = await run(l, 1);
    if (!first) continue;
    l.est = first[0]!;
    l.r.warmupSteps = 1;
    if (l.est < 1 && o.warmup > 0) {
      const extra = clamp(Math.ceil(o.warmup / l.est), 1, 50);
      const more = await run(l, extra);
      if (!more) continue;
      l.est = quantile(more, 0.5);
      l.r.warmupSteps += extra;
    }
  }
  // Each subject's timed steps are spread over the rounds; a subject with fewer steps than rounds sits out the last ones.
  const planned = new Map(active().map((l) => [l, clamp(Math.round(o.budget / l.est), o.minSteps, 5000)]));
  for (let round = 0; round < o.rounds; round++) {
    const order = active();
    const shift = order.length ? round % order.length : 0;
    for (const l of [...order.slice(shift), ...order.slice(0, shift)]) {
      const total = planned.get(l)!;
      const steps = Math.floor(total / o.rounds) + (round < total % o.rounds ? 1 : 0);
      if (steps === 0) continue;
      const times = await run(l, steps);
      if (times) l.times.push(...times);
    }
  }
  for (const l of live) {
    if (l.r.status === 'ok' || l.r.status === 'n/a') {
      const m = await l.w.request({ cmd: 'exit' }, 60);
      if (m.type === 'exit') l.r.peakRssMiB = m.maxRssKiB / 1024;
      else l.w.kill();
    }
    await l.w.closed();
    if (l.r.status !== 'ok') continue;
    const med = quantile(l.times, 0.5);
    Object.assign(l.r, {
      value: figureOf(spec, med),
      medianStepS: med,
      p10StepS: quantile(l.times, 0.1),
      p90StepS: quantile(l.times, 0.9),
      timedSteps: l.times.length,
    });
    o.log(`  ${l.def.name.padEnd(14)} ${fmtFigure(l.r.value!)} ${spec.metric}  (median ${fmtSeconds(med)} over ${l.times.length} steps, peak ${l.r.peakRssMiB?.toFixed(0)} MiB)`);
  }
  return results;
}

/** A figure with 3 significant digits, no exponent. */
export function fmtFigure(v: number): string {
  if (v >= 1000) return Math.round(v).toLocaleString('en-US');
  return v >= 100 ? v.toFixed(0) : v >= 10 ? v.toFixed(1) : v.toFixed(2);
}

/** Seconds as s or ms. */
export function fmtSeconds(s: number): string {
  return s >= 1 ? `${s.toFixed(2)} s` : `${(s * 1000).toFixed(s < 0.01 ? 3 : 1)} ms`;
}
