/**
 * Plots of training curves as SVG (vega-lite + vega, headless) and PNG (resvg-wasm, embedded font).
 * Takes plain number arrays, so it depends on nothing but core.
 */
export { plotCurves, curvesSpec, type Series, type CurveOptions } from './curves.js';
export { plotRuns, runsSpec, type RunCurves, type RunMetric, type RunsOptions } from './runs.js';
export { renderVegaLite, svgToPng, type Plot, type RenderOptions, type VegaLiteSpec } from './render.js';
export { writePlot } from './write.js';
export { writeFileAtomic } from '../core/atomic-write.js';
export { FONT_FAMILY } from './font.js';
