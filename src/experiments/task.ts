import { readFileSync } from 'node:fs';
import { TsgradError } from '../core/errors.js';
import type { RunSpec } from './grid.js';
import { runOne, type RunOutcome } from './run-one.js';

/** Runs the run with grid index `index` of a sweep snapshot (what one Slurm array task does). */
export async function runTask(snapshotPath: string, index: number, runner: readonly string[]): Promise<{ spec: RunSpec; outcome: RunOutcome }> {
  const snap = JSON.parse(readFileSync(snapshotPath, 'utf8')) as { outDir: string; runs: RunSpec[] };
  const spec = snap.runs.find((r) => r.index === index);
  if (!spec) throw new TsgradError(`sweep task: ${snapshotPath} has no run with index ${index} (indices ${snap.runs[0]?.index ?? '-'}..${snap.runs.at(-1)?.index ?? '-'})`);
  const outcome = await runOne(spec, { outDir: snap.outDir, runner, onLine: (l) => process.stdout.write(l + '\n') });
  return { spec, outcome };
}
