import type { TopLevelSpec } from 'vega-lite';
import { epochAxis } from './ticks.js';
import { CHART_CONFIG, renderVegaLite, type Plot, type RenderOptions, type VegaLiteSpec } from './render.js';

/** One named line: y against x, plain numbers (NaN or ±Infinity leave a gap). */
export interface Series {
  name: string;
  x: readonly number[];
  y: readonly number[];
}

/** Titles and size of a line chart. */
export interface CurveOptions extends RenderOptions {
  title: string;
  xLabel: string;
  yLabel: string;
  /** Inner plot size in SVG units (defaults 420 × 260). */
  width?: number;
  height?: number;
  /** Logarithmic y axis (all finite y must be > 0). */
  logY?: boolean;
  /** d3 number format of the y axis labels, e.g. '%' for accuracies (default: vega's choice). */
  yFormat?: string;
}

/** A row of the long-format table vega-lite draws from; null y is a gap in the line. */
export interface CurveRow {
  series: string;
  x: number;
  y: number | null;
}

/** Checks series and flattens them into rows; NaN / ±Infinity become null (gaps). */
export function seriesRows(series: readonly Series[], where: string): CurveRow[] {
  if (!Array.isArray(series) || series.length === 0) throw new TypeError(`${where}: expected at least one series, got ${series.length === 0 ? 'none' : typeof series}`);
  const rows: CurveRow[] = [];
  const seen = new Set<string>();
  for (const s of series) {
    if (typeof s.name !== 'string' || s.name === '') throw new TypeError(`${where}: every series needs a non-empty name`);
    if (seen.has(s.name)) throw new TypeError(`${where}: two series are named ${JSON.stringify(s.name)}`);
    seen.add(s.name);
    if (s.x.length !== s.y.length) throw new RangeError(`${where}: series ${JSON.stringify(s.name)} has ${s.x.length} x values but ${s.y.length} y values`);
    for (let i = 0; i < s.x.length; i++) {
      const x = s.x[i]!;
      if (!Number.isFinite(x)) throw new RangeError(`${where}: series ${JSON.stringify(s.name)} has x[${i}] = ${x}; x values must be finite`);
      const y = s.y[i]!;
      rows.push({ series: s.name, x, y: Number.isFinite(y) ? y : null });
    }
  }
  return rows;
}

/** The vega-lite spec of a line chart of `series` (exported so callers can restyle it). */
export function curvesSpec(series: readonly Series[], opts: CurveOptions): VegaLiteSpec {
  const rows = seriesRows(series, 'plotCurves');
  if (opts.logY && rows.some((r) => r.y !== null && r.y <= 0)) throw new RangeError(`plotCurves: logY needs every finite y > 0`);
  // Points mark each value while they are few enough to tell apart (a one-epoch run is then visible).
  const maxLen = Math.max(...series.map((s) => s.x.length));
  const spec: TopLevelSpec = {
    $schema: 'https://vega.github.io/schema/vega-lite/v5.json',
    title: opts.title,
    width: opts.width ?? 420,
    height: opts.height ?? 260,
    data: { values: rows },
    mark: { type: 'line', point: maxLen <= 40, strokeWidth: 2 },
    encoding: {
      x: { field: 'x', type: 'quantitative', title: opts.xLabel, scale: { zero: false, nice: false }, axis: epochAxis(rows.map((r) => r.x)) },
      y: {
        field: 'y',
        type: 'quantitative',
        title: opts.yLabel,
        scale: opts.logY ? { type: 'log' } : { zero: false },
        ...(opts.yFormat ? { axis: { format: opts.yFormat } } : {}),
      },
      color: { field: 'series', type: 'nominal', title: null, sort: series.map((s) => s.name) },
    },
    config: CHART_CONFIG,
  };
  return spec as unknown as VegaLiteSpec;
}

/** Renders a line chart of `series` (vega-lite → SVG with vega, PNG with resvg-wasm). */
export async function plotCurves(series: readonly Series[], opts: CurveOptions): Promise<Plot> {
  return renderVegaLite(curvesSpec(series, opts), opts);
}
