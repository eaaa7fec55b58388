import { execFileSync } from 'node:child_process';
import { chmodSync, mkdirSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { TsgradError } from '../core/errors.js';
import type { RunSpec } from './grid.js';
import { readManifestIfAny, sweepDir, writeManifest, type SweepManifest } from './manifest.js';
import { writeJsonAtomic } from './results.js';
import { runStates } from './status.js';

/** Options of the Slurm executor. */
export interface SlurmOptions {
  outDir: string;
  runner: readonly string[];
  grid: string;
  /** Extra sbatch options (e.g. --partition=gpu, --time=02:00:00, --cpus-per-task=4). */
  sbatchArgs: readonly string[];
  /** At most this many array tasks at once (the `%N` of --array); 0: no limit. */
  maxParallel?: number;
}

/** What a submission did. */
export interface SubmitSummary {
  jobId: string | null;
  submitted: string[];
  /** Already finished, or already pending/running in an earlier submission. */
  skipped: string[];
}

function shq(s: string): string {
  return `'${s.replace(/'/g, `'\\''`)}'`;
}

/** Runs a Slurm client command; a clear error if it is missing or fails. */
export function slurmCmd(cmd: string, args: readonly string[]): string {
  try {
    return execFileSync(cmd, args, { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
  } catch (e) {
    const err = e as NodeJS.ErrnoException & { stderr?: string };
    if (err.code === 'ENOENT') throw new TsgradError(`sweep: ${cmd} not found; the slurm executor needs the Slurm client commands (sbatch, squeue) on PATH`);
    throw new TsgradError(`sweep: ${cmd} ${args.join(' ')} failed: ${(err.stderr ?? err.message).trim()}`);
  }
}

/**
 * Submits the runs that are neither finished nor already queued as one Slurm job array (one
 * configuration per task, the array index being the run's grid index). Each task runs
 * `<runner> sweep task <snapshot> <index>`, which skips a finished run and records a failure, so
 * resubmitting is always safe: calling this again submits exactly the failed, killed and lost runs.
 */
export function submitSlurm(specs: readonly RunSpec[], opts: SlurmOptions): SubmitSummary {
  const outDir = resolve(opts.outDir);
  const prev = readManifestIfAny(outDir);
  const manifest: SweepManifest = {
    version: 1,
    grid: opts.grid,
    executor: 'slurm',
    outDir,
    runner: [...opts.runner],
    runs: [...specs],
    submissions: prev?.submissions ?? [],
    sbatchArgs: [...opts.sbatchArgs],
  };
  const states = runStates(manifest);
  const todo = specs.filter((s) => ['failed', 'stale', 'missing', 'not-submitted'].includes(states.get(s.runName)!.state));
  const skipped = specs.filter((s) => !todo.includes(s)).map((s) => s.runName);
  if (todo.length === 0) {
    writeManifest(manifest);
    return { jobId: null, submitted: [], skipped };
  }
  const dir = sweepDir(outDir);
  mkdirSync(join(dir, 'logs'), { recursive: true });
  const stamp = new Date().toISOString().replace(/[:.]/g, '-');
  // Tasks read a snapshot of the runs, so a later change of the grid cannot shift a queued task's index.
  const snapshot = join(dir, `runs-${stamp}.json`);
  writeJsonAtomic(snapshot, { outDir, runs: specs });
  const script = join(dir, `job-${stamp}.sh`);
  writeFileSync(
    script,
    [
      '#!/bin/bash',
      '# Written by tsgrad sweep --executor slurm: one grid configuration per array task.',
      `#SBATCH --job-name=tsgrad-${shortName(opts.grid)}`,
      `#SBATCH --output=${join(dir, 'logs', '%A_%a.out')}`,
      `exec ${opts.runner.map(shq).join(' ')} sweep task ${shq(snapshot)} "$SLURM_ARRAY_TASK_ID"`,
      '',
    ].join('\n'),
  );
  chmodSync(script, 0o755);
  const indices = todo.map((s) => s.index);
  const array = indices.join(',') + (opts.maxParallel ? `%${opts.maxParallel}` : '');
  const out = slurmCmd('sbatch', ['--parsable', `--array=${array}`, ...opts.sbatchArgs, script]).trim();
  const jobId = out.split(';')[0]!.trim();
  if (!/^\d+$/.test(jobId)) throw new TsgradError(`sweep: sbatch printed ${JSON.stringify(out)}, expected a job id`);
  manifest.submissions.push({ jobId, indices, submittedAt: new Date().toISOString() });
  writeManifest(manifest);
  return { jobId, submitted: todo.map((s) => s.runName), skipped };
}

function shortName(grid: string): string {
  return (grid.split('/').pop() ?? 'grid').replace(/\.(ya?ml|json)$/i, '').replace(/[^A-Za-z0-9_.-]/g, '_');
}
