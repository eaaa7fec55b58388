import { epochAxis } from './ticks.js';
import { CHART_CONFIG, renderVegaLite, type Plot, type RenderOptions, type VegaLiteSpec } from './render.js';

/**
 * The curves of one training run, plain numbers per evaluation point (a FitResult fits as is).
 * `epoch[i]` is where point i was taken (fractional when evaluated mid-epoch); default 1, 2, 3, ...
 * Accuracies are fractions in [0, 1]. Missing arrays or NaN values are simply not drawn.
 */
export interface RunCurves {
  name: string;
  epoch?: readonly number[];
  trainLoss?: readonly number[];
  trainAcc?: readonly number[];
  testLoss?: readonly number[];
  testAcc?: readonly number[];
}

/** Which panel(s) plotRuns draws. */
export type RunMetric = 'loss' | 'accuracy' | 'both';

/** Titles and size of a runs chart. */
export interface RunsOptions extends RenderOptions {
  /** Chart title (default: 'Loss' / 'Accuracy' / none for both). */
  title?: string;
  /** Inner size of each panel in SVG units (defaults 380 × 240). */
  width?: number;
  height?: number;
  /** Logarithmic loss axis. */
  logLoss?: boolean;
}

interface RunRow {
  run: string;
  split: 'train' | 'test';
  metric: 'loss' | 'accuracy';
  epoch: number;
  value: number | null;
}

/** Flattens runs into rows, checking lengths; names the run and array at fault. */
function runRows(runs: readonly RunCurves[]): RunRow[] {
  if (!Array.isArray(runs) || runs.length === 0) throw new TypeError('plotRuns: expected at least one run');
  const rows: RunRow[] = [];
  const names = new Set<string>();
  for (const r of runs) {
    if (typeof r.name !== 'string' || r.name === '') throw new TypeError('plotRuns: every run needs a non-empty name');
    if (names.has(r.name)) throw new TypeError(`plotRuns: two runs are named ${JSON.stringify(r.name)}`);
    names.add(r.name);
    const arrays = [
      ['train', 'loss', r.trainLoss, 'trainLoss'],
      ['test', 'loss', r.testLoss, 'testLoss'],
      ['train', 'accuracy', r.trainAcc, 'trainAcc'],
      ['test', 'accuracy', r.testAcc, 'testAcc'],
    ] as const;
    const n = Math.max(0, ...arrays.map((a) => a[2]?.length ?? 0));
    const epoch = r.epoch ?? Array.from({ length: n }, (_, i) => i + 1);
    for (const [split, metric, values, key] of arrays) {
      if (!values) continue;
      if (values.length > epoch.length) throw new RangeError(`plotRuns: run ${JSON.stringify(r.name)} has ${values.length} ${key} values but ${epoch.length} epochs`);
      values.forEach((v: number, i: number) => {
        const e = epoch[i]!;
        if (!Number.isFinite(e)) throw new RangeError(`plotRuns: run ${JSON.stringify(r.name)} has epoch[${i}] = ${e}`);
        rows.push({ run: r.name, split, metric, epoch: e, value: Number.isFinite(v) ? v : null });
      });
    }
  }
  return rows;
}

/** One panel (loss or accuracy) of the runs chart: colour = run, dash = train/test. */
function panel(metric: 'loss' | 'accuracy', multi: boolean, epochs: readonly number[], opts: RunsOptions, title: string | undefined): Record<string, unknown> {
  return {
    ...(title !== undefined ? { title } : {}),
    width: opts.width ?? 380,
    height: opts.height ?? 240,
    transform: [{ filter: { field: 'metric', equal: metric } }],
    mark: { type: 'line', point: true, strokeWidth: 2 },
    encoding: {
      x: { field: 'epoch', type: 'quantitative', title: 'epoch', scale: { zero: false, nice: false }, axis: epochAxis(epochs) },
      y: {
        field: 'value',
        type: 'quantitative',
        title: metric,
        scale: metric === 'loss' && opts.logLoss ? { type: 'log' } : { zero: false },
        ...(metric === 'accuracy' ? { axis: { format: '%' } } : {}),
      },
      // One run: colour tells train from test. Many runs: colour is the run, dash the split.
      color: multi ? { field: 'run', type: 'nominal', title: 'run' } : { field: 'split', type: 'nominal', title: null, sort: ['train', 'test'] },
      strokeDash: {
        field: 'split',
        type: 'nominal',
        title: multi ? 'split' : null,
        sort: ['train', 'test'],
        // Legend swatches as strokes, so the dash pattern shows (the default is a point).
        legend: multi ? { symbolType: 'stroke', symbolStrokeWidth: 2, symbolSize: 400, encode: { symbols: { update: { stroke: { value: '#444' } } } } } : null,
      },
      // Without detail, vega-lite would join train and test of one run into one line.
      detail: [{ field: 'run' }, { field: 'split' }],
    },
  };
}

/** The vega-lite spec of plotRuns (exported so callers can restyle it). */
export function runsSpec(runs: readonly RunCurves[], metric: RunMetric, opts: RunsOptions = {}): VegaLiteSpec {
  if (metric !== 'loss' && metric !== 'accuracy' && metric !== 'both') throw new TypeError(`plotRuns: metric must be 'loss', 'accuracy' or 'both', got ${JSON.stringify(metric)}`);
  const rows = runRows(runs);
  if (opts.logLoss && rows.some((r) => r.metric === 'loss' && r.value !== null && r.value <= 0)) throw new RangeError('plotRuns: logLoss needs every loss > 0');
  const multi = runs.length > 1;
  const epochs = rows.map((r) => r.epoch);
  const base = { $schema: 'https://vega.github.io/schema/vega-lite/v5.json', data: { values: rows }, config: CHART_CONFIG };
  if (metric === 'both') {
    return {
      ...base,
      ...(opts.title !== undefined ? { title: opts.title } : {}),
      hconcat: [panel('loss', multi, epochs, opts, 'Loss'), panel('accuracy', multi, epochs, opts, 'Accuracy')],
      resolve: { scale: { color: 'shared', strokeDash: 'shared' } },
    } as unknown as VegaLiteSpec;
  }
  const title = opts.title ?? (metric === 'loss' ? 'Loss' : 'Accuracy');
  return { ...base, ...panel(metric, multi, epochs, opts, title) } as unknown as VegaLiteSpec;
}

/** Plots loss and/or accuracy, train and test, of one or many runs together (SVG + PNG). */
export async function plotRuns(runs: readonly RunCurves[], metric: RunMetric = 'both', opts: RunsOptions = {}): Promise<Plot> {
  return renderVegaLite(runsSpec(runs, metric, opts), opts);
}
