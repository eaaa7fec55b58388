import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { PNG } from 'pngjs';
import { plotCurves, plotRuns, runsSpec, svgToPng, writePlot } from '../../src/plot/index.js';

/** Decodes PNG bytes into width, height and RGBA pixels. */
function decode(png: Uint8Array): PNG {
  return PNG.sync.read(Buffer.from(png));
}

/** Counts pixels within `tol` of an RGB colour. */
function countColour(img: PNG, rgb: [number, number, number], tol = 12): number {
  let n = 0;
  for (let i = 0; i < img.data.length; i += 4) {
    if (Math.abs(img.data[i]! - rgb[0]) <= tol && Math.abs(img.data[i + 1]! - rgb[1]) <= tol && Math.abs(img.data[i + 2]! - rgb[2]) <= tol) n++;
  }
  return n;
}

/** Counts near-black pixels inside a rectangle (text is drawn in black). */
function darkIn(img: PNG, x0: number, y0: number, x1: number, y1: number): number {
  let n = 0;
  for (let y = y0; y < y1; y++) {
    for (let x = x0; x < x1; x++) {
      const i = (y * img.width + x) * 4;
      if (img.data[i]! < 80 && img.data[i + 1]! < 80 && img.data[i + 2]! < 80) n++;
    }
  }
  return n;
}

const svgSize = (svg: string): [number, number] => {
  const m = /<svg[^>]*width="(\d+(?:\.\d+)?)"[^>]*height="(\d+(?:\.\d+)?)"/.exec(svg);
  assert.ok(m, 'svg has width and height');
  return [Number(m[1]), Number(m[2])];
};

// vega's default category colours (tableau10): first two series.
const BLUE: [number, number, number] = [0x4c, 0x78, 0xa8];
const ORANGE: [number, number, number] = [0xf5, 0x85, 0x18];

test('plotCurves: SVG names title, axes and series; PNG is the SVG at 2x with both line colours', async () => {
  const plot = await plotCurves(
    [
      { name: 'train loss', x: [1, 2, 3, 4], y: [2.3, 1.1, 0.7, 0.5] },
      { name: 'test loss', x: [1, 2, 3, 4], y: [2.0, 1.2, 0.9, 0.8] },
    ],
    { title: 'My Title', xLabel: 'epoch', yLabel: 'loss' },
  );
  for (const text of ['My Title', '>epoch<', '>loss<', '>train loss<', '>test loss<']) assert.ok(plot.svg.includes(text), `svg contains ${text}`);
  assert.match(plot.svg, /font-family="DejaVu Sans"/);
  const [w, h] = svgSize(plot.svg);
  const img = decode(plot.png);
  assert.equal(img.width, Math.round(w * 2));
  assert.equal(img.height, Math.round(h * 2));
  assert.ok(countColour(img, BLUE) > 200, 'first series drawn in blue');
  assert.ok(countColour(img, ORANGE) > 200, 'second series drawn in orange');
  // Background is white, not transparent.
  assert.deepEqual([...img.data.subarray(0, 4)], [255, 255, 255, 255]);
});

test('plotCurves: the y axis spans the data, not zero (ticks 0.4..2.0)', async () => {
  const plot = await plotCurves([{ name: 'a', x: [10, 11, 12], y: [0.5, 1.25, 2] }], { title: 't', xLabel: 'x', yLabel: 'y' });
  const ticks = (plot.svg.match(/>[0-9.]+</g) ?? []).map((t) => Number(t.slice(1, -1)));
  const yTicks = ticks.filter((t) => t < 5);
  assert.equal(Math.min(...yTicks), 0.4);
  assert.equal(Math.max(...yTicks), 2);
  assert.ok(ticks.includes(10) && ticks.includes(12), `x ticks: ${ticks.join(' ')}`);
});

test('svgToPng: the embedded font draws text (no system fonts in wasm)', async () => {
  const svg = '<svg xmlns="http://www.w3.org/2000/svg" width="200" height="40"><text x="5" y="30" font-family="DejaVu Sans" font-size="24" fill="black">Hello 123</text></svg>';
  const img = decode(await svgToPng(svg, { scale: 1 }));
  assert.equal(img.width, 200);
  assert.equal(img.height, 40);
  const dark = darkIn(img, 0, 0, 200, 40);
  assert.ok(dark > 150, `text pixels: ${dark}`);
  // Text stays left of x≈130 (9 glyphs at 24px): nothing drawn at the far right.
  assert.equal(darkIn(img, 150, 0, 200, 40), 0);
  // Also with a generic family name (vega's default is sans-serif).
  const img2 = decode(await svgToPng(svg.replace('DejaVu Sans', 'sans-serif'), { scale: 1 }));
  assert.ok(darkIn(img2, 0, 0, 200, 40) > 150);
});

test('plotCurves: NaN values leave a gap instead of failing', async () => {
  const plot = await plotCurves([{ name: 's', x: [1, 2, 3, 4, 5], y: [1, 2, NaN, 4, 5] }], { title: 't', xLabel: 'x', yLabel: 'y' });
  // The line path has a move-to in the middle: two segments.
  const line = /class="mark-line role-mark[^"]*"[^>]*><path[^>]* d="([^"]+)"/.exec(plot.svg);
  assert.ok(line, 'a line path');
  assert.equal((line[1]!.match(/M/g) ?? []).length, 2);
});

test('plotCurves: bad input gets clear errors', async () => {
  await assert.rejects(() => plotCurves([], { title: 't', xLabel: 'x', yLabel: 'y' }), /at least one series/);
  await assert.rejects(() => plotCurves([{ name: 'a', x: [1, 2], y: [1] }], { title: 't', xLabel: 'x', yLabel: 'y' }), /"a" has 2 x values but 1 y values/);
  await assert.rejects(() => plotCurves([{ name: 'a', x: [1], y: [1] }, { name: 'a', x: [1], y: [2] }], { title: 't', xLabel: 'x', yLabel: 'y' }), /two series are named "a"/);
  await assert.rejects(() => plotCurves([{ name: 'a', x: [1, NaN], y: [1, 2] }], { title: 't', xLabel: 'x', yLabel: 'y' }), /x\[1\] = NaN/);
  await assert.rejects(() => plotCurves([{ name: 'a', x: [1, 2], y: [1, 0] }], { title: 't', xLabel: 'x', yLabel: 'y', logY: true }), /logY/);
});

test('plotRuns: one chart per metric, train solid and test dashed, runs by colour', async () => {
  const runs = [
    { name: 'mlp', trainLoss: [1.2, 0.8, 0.6], testLoss: [1.0, 0.75, 0.65], trainAcc: [0.6, 0.75, 0.8], testAcc: [0.65, 0.74, 0.78] },
    { name: 'cnn', epoch: [1, 2], trainLoss: [0.9, 0.5], testLoss: [0.6, 0.45], trainAcc: [0.7, 0.83], testAcc: [0.78, 0.84] },
  ];
  const both = await plotRuns(runs, 'both');
  assert.ok(both.svg.includes('>Loss<') && both.svg.includes('>Accuracy<'));
  assert.ok(both.svg.includes('>mlp<') && both.svg.includes('>cnn<'));
  assert.ok(both.svg.includes('>80%<'), 'accuracy axis in percent');
  // 2 runs × 2 splits × 2 panels = 8 lines, 4 of them dashed.
  const lines = both.svg.match(/class="mark-line role-mark/g) ?? [];
  const paths = both.svg.match(/<path[^>]*stroke-dasharray="[^"]*"[^>]*\/>/g) ?? [];
  assert.ok(lines.length >= 2);
  const linePaths = both.svg.split('class="mark-line role-mark').slice(1).flatMap((chunk) => chunk.split('</g>')[0]!.match(/<path[^>]*>/g) ?? []);
  assert.equal(linePaths.length, 8);
  assert.equal(linePaths.filter((p) => /stroke-dasharray="(?!1,0")[^"]+"/.test(p)).length, 4);
  assert.ok(paths.length > 0);
  const img = decode(both.png);
  assert.ok(countColour(img, BLUE) > 200 && countColour(img, ORANGE) > 200);

  const acc = await plotRuns(runs, 'accuracy');
  assert.ok(acc.svg.includes('>Accuracy<') && !acc.svg.includes('>Loss<'));
});

test('plotRuns: a single run colours train and test; bad input is named', async () => {
  const one = await plotRuns([{ name: 'only', trainLoss: [1, 0.5], testLoss: [1.1, 0.7] }], 'loss');
  assert.ok(one.svg.includes('>train<') && one.svg.includes('>test<'));
  assert.throws(() => runsSpec([{ name: 'r', epoch: [1], trainLoss: [1, 2] }], 'loss'), /run "r" has 2 trainLoss values but 1 epochs/);
  assert.throws(() => runsSpec([], 'loss'), /at least one run/);
  assert.throws(() => runsSpec([{ name: 'r' }], 'f1' as 'loss'), /metric must be/);
});

test('writePlot: writes .svg and .png atomically, replacing old files, leaving no temporary files', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'tsgrad-plot-'));
  try {
    const plot = await plotCurves([{ name: 'a', x: [0, 1], y: [0, 1] }], { title: 't', xLabel: 'x', yLabel: 'y' });
    const paths = writePlot(join(dir, 'sub', 'curves'), plot);
    assert.deepEqual(paths, { svg: join(dir, 'sub', 'curves.svg'), png: join(dir, 'sub', 'curves.png') });
    assert.equal(readFileSync(paths.svg, 'utf8'), plot.svg);
    assert.deepEqual(new Uint8Array(readFileSync(paths.png)), plot.png);
    writePlot(join(dir, 'sub', 'curves'), { svg: '<svg/>', png: new Uint8Array([1, 2]) });
    assert.equal(readFileSync(paths.svg, 'utf8'), '<svg/>');
    assert.deepEqual(readdirSync(join(dir, 'sub')).sort(), ['curves.png', 'curves.svg']);
    assert.throws(() => writePlot(join(dir, 'x.png'), plot), /without extension/);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
