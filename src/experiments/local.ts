import { removeStaleTemps } from '../core/atomic-write.js';
import type { RunSpec } from './grid.js';
import { acquireSweepLock } from './lock.js';
import { writeManifest, readManifestIfAny, sweepDir } from './manifest.js';
import { runOne, type RunOutcome } from './run-one.js';

/** Options of the local executor. */
export interface LocalOptions {
  outDir: string;
  /** Parallel child processes. */
  jobs: number;
  runner: readonly string[];
  grid: string;
  /** Called when a run starts and ends. */
  onEvent?: (e: { spec: RunSpec; phase: 'start' | RunOutcome }) => void;
  /** Environment of the child processes (default process.env). */
  env?: Record<string, string | undefined>;
  /** Why a stored result is redone (damaged, or of another configuration). */
  onNotice?: (msg: string) => void;
}

/** Counts of a finished local sweep. */
export interface LocalSummary {
  done: string[];
  skipped: string[];
  failed: string[];
}

/**
 * Runs every spec as a child process, at most `jobs` at a time, holding the sweep lock of the output
 * folder (a second sweep there is refused while this one lives). Runs whose result file is intact
 * and of the same configuration are skipped; a failed run is recorded (`<run>.error.json`) and the
 * others go on.
 */
export async function runLocal(specs: readonly RunSpec[], opts: LocalOptions): Promise<LocalSummary> {
  const release = acquireSweepLock(sweepDir(opts.outDir), opts.outDir);
  try {
    return await runLocked(specs, opts);
  } finally {
    release();
  }
}

async function runLocked(specs: readonly RunSpec[], opts: LocalOptions): Promise<LocalSummary> {
  removeStaleTemps(opts.outDir);
  const prev = readManifestIfAny(opts.outDir);
  writeManifest({ version: 1, grid: opts.grid, executor: 'local', outDir: opts.outDir, runner: [...opts.runner], runs: [...specs], submissions: prev?.submissions ?? [], sbatchArgs: prev?.sbatchArgs ?? [] });
  const summary: LocalSummary = { done: [], skipped: [], failed: [] };
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < specs.length) {
      const spec = specs[next++]!;
      opts.onEvent?.({ spec, phase: 'start' });
      const outcome = await runOne(spec, { outDir: opts.outDir, runner: opts.runner, env: opts.env, ...(opts.onNotice ? { onNotice: opts.onNotice } : {}) });
      summary[outcome].push(spec.runName);
      opts.onEvent?.({ spec, phase: outcome });
    }
  };
  await Promise.all(Array.from({ length: Math.max(1, Math.min(opts.jobs, specs.length)) }, worker));
  return summary;
}
