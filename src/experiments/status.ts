import { execFileSync } from 'node:child_process';
import type { RunSpec } from './grid.js';
import type { SweepManifest } from './manifest.js';
import { inspectResult, readRunError, resultMatches, type RunResult } from './results.js';

/**
 * State of one run: done (result file), failed (error record, or a damaged result file), stale (a
 * result made with another configuration than the grid's), pending/running (in the Slurm queue),
 * missing (submitted but neither in the queue nor finished: killed, timed out, node lost), or
 * not-submitted.
 */
export type RunState = 'done' | 'failed' | 'stale' | 'pending' | 'running' | 'missing' | 'not-submitted';

/** A run with its state and, when done, its result. */
export interface RunStatus {
  spec: RunSpec;
  state: RunState;
  result?: RunResult;
  error?: string;
  /** Slurm job id of the latest submission that included the run. */
  jobId?: string;
}

/** The array tasks of the given jobs that Slurm still has queued or running: key `${jobId}_${index}`. */
export function queuedTasks(jobIds: readonly string[]): Map<string, 'pending' | 'running'> {
  const out = new Map<string, 'pending' | 'running'>();
  if (jobIds.length === 0) return out;
  let text: string;
  try {
    // -r lists each array task on its own line; %F is the array job id and %K the task index.
    text = execFileSync('squeue', ['-h', '-r', '-o', '%F|%K|%T', '-u', userName()], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
  } catch {
    return out; // no squeue here (a local sweep): nothing is queued
  }
  const wanted = new Set(jobIds);
  for (const line of text.split('\n')) {
    const [job, idx, st] = line.trim().split('|');
    if (!job || !idx || !wanted.has(job)) continue;
    const running = st === 'RUNNING' || st === 'COMPLETING' || st === 'CONFIGURING';
    out.set(`${job}_${idx}`, running ? 'running' : 'pending');
  }
  return out;
}

function userName(): string {
  return process.env['USER'] ?? process.env['LOGNAME'] ?? (process.getuid?.() === 0 ? 'root' : String(process.getuid?.()));
}

/** The state of every run of a sweep, by run name. */
export function runStates(m: SweepManifest): Map<string, RunStatus> {
  const queued = m.executor === 'slurm' ? queuedTasks(m.submissions.map((s) => s.jobId)) : new Map<string, 'pending' | 'running'>();
  const out = new Map<string, RunStatus>();
  for (const spec of m.runs) {
    const check = inspectResult(m.outDir, spec.runName);
    if (check.kind === 'ok' && resultMatches(check.result, spec.config)) {
      out.set(spec.runName, { spec, state: 'done', result: check.result });
      continue;
    }
    // Latest submission first: an older failed task must not hide a newer queued one.
    const subs = m.submissions.filter((s) => s.indices.includes(spec.index)).reverse();
    const live = subs.map((s) => ({ s, q: queued.get(`${s.jobId}_${spec.index}`) })).find((x) => x.q !== undefined);
    if (live) {
      out.set(spec.runName, { spec, state: live.q!, jobId: live.s.jobId });
      continue;
    }
    if (check.kind === 'bad') {
      out.set(spec.runName, { spec, state: 'failed', error: check.error, jobId: subs[0]?.jobId });
      continue;
    }
    if (check.kind === 'ok') {
      out.set(spec.runName, { spec, state: 'stale', error: 'result made with another configuration than the grid; rerun the sweep', jobId: subs[0]?.jobId });
      continue;
    }
    const err = readRunError(m.outDir, spec.runName);
    if (err) out.set(spec.runName, { spec, state: 'failed', error: err.error, jobId: subs[0]?.jobId });
    else out.set(spec.runName, { spec, state: subs.length > 0 || m.executor === 'local' ? 'missing' : 'not-submitted', jobId: subs[0]?.jobId });
  }
  return out;
}

/** One line per run plus totals: the table `tsgrad sweep status` prints. */
export function formatStatus(states: Iterable<RunStatus>): string {
  const rows = [...states];
  const w = Math.max(8, ...rows.map((r) => r.spec.runName.length));
  const lines = [`${'run'.padEnd(w)}  ${'state'.padEnd(13)}  epochs  train acc%  test acc% (best)  note`];
  const counts = new Map<RunState, number>();
  for (const r of rows) {
    counts.set(r.state, (counts.get(r.state) ?? 0) + 1);
    const h = r.result?.result;
    const last = (a: number[] | undefined): string => (a && a.length ? (100 * a[a.length - 1]!).toFixed(2) : '');
    const best = h && h.testAcc.length ? (100 * Math.max(...h.testAcc)).toFixed(2) : '';
    const note = r.state === 'failed' || r.state === 'stale' ? firstLine(r.error ?? '') : r.jobId && r.state !== 'done' ? `job ${r.jobId}_${r.spec.index}` : '';
    lines.push(`${r.spec.runName.padEnd(w)}  ${r.state.padEnd(13)}  ${String(h?.numEpochs ?? '').padStart(6)}  ${last(h?.trainAcc).padStart(10)}  ${(last(h?.testAcc) + (best ? ` (${best})` : '')).padStart(16)}  ${note}`);
  }
  lines.push(`total ${rows.length}: ` + [...counts].map(([k, v]) => `${v} ${k}`).join(', '));
  return lines.join('\n') + '\n';
}

function firstLine(s: string): string {
  const lines = s.split('\n').filter((l) => l.trim());
  const l = lines.find((x) => /Error/.test(x)) ?? lines[lines.length - 1] ?? '';
  return l.length > 100 ? l.slice(0, 97) + '...' : l;
}

/** The gathered results of a sweep (written to `<out>/summary.json` by sweep status). */
export function summarize(states: Iterable<RunStatus>): { runName: string; state: RunState; numEpochs?: number; finalTrainAcc?: number; finalTestAcc?: number; bestTestAcc?: number; error?: string }[] {
  return [...states].map((r) => {
    const h = r.result?.result;
    return {
      runName: r.spec.runName,
      state: r.state,
      ...(h ? { numEpochs: h.numEpochs, finalTrainAcc: h.trainAcc.at(-1), finalTestAcc: h.testAcc.at(-1), bestTestAcc: Math.max(...h.testAcc) } : {}),
      ...(r.error ? { error: r.error } : {}),
    };
  });
}
