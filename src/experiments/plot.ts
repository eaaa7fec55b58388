import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { TsgradError } from '../core/errors.js';
import { plotRuns, type RunMetric } from '../plot/runs.js';
import { writePlot } from '../plot/write.js';
import { inspectResult, type RunResult } from './results.js';

/** A shell-style pattern (`*` any run of characters, `?` one character) as an anchored RegExp. */
export function globToRegExp(pattern: string): RegExp {
  const body = pattern.replace(/[.+^${}()|[\]\\]/g, '\\$&').replace(/\*/g, '.*').replace(/\?/g, '.');
  return new RegExp(`^${body}$`);
}

/**
 * The result files in `dir` whose run name matches the pattern (`exp1_1_*`), sorted by name. A
 * damaged or malformed file is left out and reported to `onSkip` (default: a line on stderr).
 */
export function matchRuns(dir: string, pattern: string, onSkip: (msg: string) => void = (m) => process.stderr.write(`plot-exp: ${m}\n`)): RunResult[] {
  let files: string[];
  try {
    files = readdirSync(dir);
  } catch (e) {
    throw new TsgradError(`plot-exp: cannot read the results folder ${dir}: ${(e as Error).message}`);
  }
  const re = globToRegExp(pattern.replace(/\.json$/, ''));
  const names = files
    .filter((f) => f.endsWith('.json') && !f.endsWith('.error.json') && f !== 'summary.json')
    .map((f) => f.slice(0, -5))
    .filter((n) => re.test(n))
    .sort();
  const out: RunResult[] = [];
  for (const n of names) {
    const c = inspectResult(dir, n);
    if (c.kind === 'ok') out.push(c.result);
    else if (c.kind === 'bad') onSkip(`skipping ${c.error}`);
  }
  return out;
}

/**
 * Plots the train/test loss and accuracy of the runs together and writes `<outBase>.svg` and
 * `<outBase>.png` atomically; returns their paths.
 */
export async function plotExperiments(runs: readonly RunResult[], outBase: string, opts: { metric?: RunMetric; title?: string } = {}): Promise<{ svg: string; png: string }> {
  if (runs.length === 0) throw new TsgradError('plot-exp: no runs to plot');
  const curves = runs.map((r) => ({
    name: r.runName,
    epoch: (r.result as { epoch?: number[] }).epoch ?? r.result.trainLoss.map((_, i) => i + 1),
    trainLoss: r.result.trainLoss,
    trainAcc: r.result.trainAcc,
    testLoss: r.result.testLoss,
    testAcc: r.result.testAcc,
  }));
  const plot = await plotRuns(curves, opts.metric ?? 'both', opts.title !== undefined ? { title: opts.title } : {});
  return writePlot(outBase, plot);
}

/** Default output base of plot-exp: `<dir>/plots/<pattern with * and ? spelled out>`. */
export function defaultPlotBase(dir: string, pattern: string): string {
  // '*' reads as 'all', set off by '_' from letters and digits: 'exp_a*' → exp_a_all, 'exp1_1_*' → exp1_1_all.
  const spelled = pattern.replace(/\.json$/, '').replace(/(?<=[A-Za-z0-9])\*/g, '_*').replace(/\*(?=[A-Za-z0-9])/g, '*_').replace(/\*/g, 'all').replace(/\?/g, 'x');
  return join(dir, 'plots', spelled.replace(/[^A-Za-z0-9_.-]/g, '_'));
}
