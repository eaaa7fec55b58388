import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { Resvg, initWasm } from '@resvg/resvg-wasm';
import * as vega from 'vega';
import { compile, type TopLevelSpec } from 'vega-lite';
import { FONT_FAMILY, embeddedFont } from './font.js';

/**
 * A vega-lite v5 spec, typed loosely on purpose: vega-lite's own TopLevelSpec drags in vega's
 * typings, which need the DOM lib, into every user's type check. Cast to TopLevelSpec to edit it typed.
 */
export type VegaLiteSpec = Record<string, unknown>;

/** A rendered chart: the SVG text and the same chart as PNG bytes. */
export interface Plot {
  svg: string;
  png: Uint8Array;
}

/** Options of the PNG rasteriser. */
export interface RenderOptions {
  /** PNG pixels per SVG unit (default 2, for sharp text on high-density screens). */
  scale?: number;
}

let wasmReady: Promise<void> | null = null;

/** Loads resvg's wasm from node_modules once; every later call reuses it. */
function initResvg(): Promise<void> {
  if (!wasmReady) {
    const require = createRequire(import.meta.url);
    const wasmPath = require.resolve('@resvg/resvg-wasm/index_bg.wasm');
    wasmReady = initWasm(readFileSync(wasmPath)).catch((e: unknown) => {
      // A second initWasm in the same process throws "Already initialized": harmless.
      if (!/already initialized/i.test(String(e))) {
        wasmReady = null;
        throw new Error(`plot: cannot load the PNG rasteriser from ${wasmPath}: ${String(e)}`);
      }
    });
  }
  return wasmReady;
}

/** Rasterises SVG text to PNG bytes with the embedded font (the wasm rasteriser has no system fonts). */
export async function svgToPng(svg: string, opts: RenderOptions = {}): Promise<Uint8Array> {
  await initResvg();
  const scale = opts.scale ?? 2;
  if (!(scale > 0 && scale <= 16)) throw new RangeError(`svgToPng: scale must be in (0, 16], got ${scale}`);
  const resvg = new Resvg(svg, {
    font: { fontBuffers: [embeddedFont()], defaultFontFamily: FONT_FAMILY, sansSerifFamily: FONT_FAMILY },
    background: 'white',
    fitTo: { mode: 'zoom', value: scale },
  });
  try {
    const image = resvg.render();
    try {
      return image.asPng();
    } finally {
      image.free();
    }
  } finally {
    resvg.free();
  }
}

/** Compiles a vega-lite (v5) spec and renders it headless to SVG and PNG. */
export async function renderVegaLite(spec: VegaLiteSpec, opts: RenderOptions = {}): Promise<Plot> {
  const vgSpec = compile(spec as unknown as TopLevelSpec).spec;
  const view = new vega.View(vega.parse(vgSpec), { renderer: 'none' });
  try {
    const svg = await view.toSVG();
    return { svg, png: await svgToPng(svg, opts) };
  } finally {
    view.finalize();
  }
}

/** Chart-wide style: the embedded font everywhere and a white background, so SVG and PNG match. */
export const CHART_CONFIG = {
  font: FONT_FAMILY,
  background: 'white',
  title: { fontSize: 14, anchor: 'start' as const },
  axis: { labelFontSize: 11, titleFontSize: 12, grid: true, gridOpacity: 0.5 },
  legend: { labelFontSize: 11, titleFontSize: 12, labelLimit: 260 },
};
