import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { TsgradError } from '../core/errors.js';
import type { RunSpec } from './grid.js';
import { writeJsonAtomic } from './results.js';

/** One sbatch submission: the array job id and the grid indices it runs. */
export interface Submission {
  jobId: string;
  indices: number[];
  submittedAt: string;
}

/** The sweep's state, kept in `<out>/.sweep/manifest.json` so `sweep status` and tasks can find it. */
export interface SweepManifest {
  version: 1;
  grid: string;
  executor: 'local' | 'slurm';
  outDir: string;
  runner: string[];
  runs: RunSpec[];
  submissions: Submission[];
  /** sbatch options used for every submission (so resubmissions match). */
  sbatchArgs: string[];
}

/** The sweep's bookkeeping folder inside the output folder. */
export function sweepDir(outDir: string): string {
  return join(outDir, '.sweep');
}

/** Path of the manifest of the sweep writing into outDir. */
export function manifestPath(outDir: string): string {
  return join(sweepDir(outDir), 'manifest.json');
}

/** Reads the manifest in outDir; a clear error when there is none. */
export function readManifest(outDir: string): SweepManifest {
  const p = manifestPath(outDir);
  if (!existsSync(p)) throw new TsgradError(`sweep: no sweep in ${outDir} (missing ${p}); start one with tsgrad sweep GRID --out ${outDir}`);
  return readManifestFile(p);
}

/** Reads a manifest by its path. */
export function readManifestFile(p: string): SweepManifest {
  const m = JSON.parse(readFileSync(p, 'utf8')) as SweepManifest;
  if (m.version !== 1 || !Array.isArray(m.runs)) throw new TsgradError(`sweep: ${p} is not a tsgrad sweep manifest`);
  return m;
}

/** Writes the manifest atomically. */
export function writeManifest(m: SweepManifest): void {
  writeJsonAtomic(manifestPath(m.outDir), m);
}

/** The manifest in outDir, or null if there is none yet. */
export function readManifestIfAny(outDir: string): SweepManifest | null {
  return existsSync(manifestPath(outDir)) ? readManifestFile(manifestPath(outDir)) : null;
}
