import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { PNG } from 'pngjs';
import * as tg from '../../src/index.js';
import { ImageError, readPngImage, resizePlane } from '../../src/train/images.js';
import { decodeState, encodeState, type JsonValue } from '../../src/train/json-state.js';
import { channelStats, padImages } from '../../src/train/prepare.js';

test('encodeState/decodeState: tensors (float32 bit-exact), Maps, NaN and ±Infinity survive JSON', () => {
  const t = tg.tensor([0.1, -1e-30, 3.4e38, 1 / 3], { dtype: 'float32', shape: [2, 2] });
  const state = { a: 1, b: [NaN, Infinity, -Infinity], m: new Map<string, unknown>([['x', t]]), s: 'str', n: null };
  const back = decodeState(JSON.parse(JSON.stringify(encodeState(state))) as JsonValue) as typeof state;
  assert.equal(back.a, 1);
  assert.ok(Number.isNaN(back.b[0]));
  assert.deepEqual(back.b.slice(1), [Infinity, -Infinity]);
  const bt = back.m.get('x') as tg.Tensor;
  assert.deepEqual(bt.shape, [2, 2]);
  assert.equal(bt.dtype, 'float32');
  assert.deepEqual(Array.from(bt.toTypedArray()), Array.from(t.toTypedArray()));
  assert.throws(() => encodeState({ f: () => 1 }), /state\.f is a function/);
});

test('resizePlane: area averaging when shrinking (by hand), bilinear when enlarging', () => {
  // 4×4 → 2×2: each output is the mean of a 2×2 block.
  const src = Float32Array.from([1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16]);
  assert.deepEqual(Array.from(resizePlane(src, 4, 4, 2, 2)), [3.5, 5.5, 11.5, 13.5]);
  // 3×3 → 2×2: footprints of 1.5 pixels; top-left = (1 + 0.5·2 + 0.5·4 + 0.25·5) / 2.25.
  const s3 = Float32Array.from([1, 2, 3, 4, 5, 6, 7, 8, 9]);
  assert.ok(Math.abs(resizePlane(s3, 3, 3, 2, 2)[0]! - (1 + 1 + 2 + 1.25) / 2.25) < 1e-6);
  // 1×2 → 1×4: half-pixel centres: 0.25 → clamp to 0, 0.75 → 0.25 of the way, …
  assert.deepEqual(Array.from(resizePlane(Float32Array.from([0, 4]), 1, 2, 1, 4)), [0, 1, 3, 4]);
});

test('readPngImage: grayscale by luminance, alpha over black, and clear errors for bad files', () => {
  const dir = mkdtempSync(join(tmpdir(), 'tsgrad-png-'));
  try {
    const png = new PNG({ width: 2, height: 1 });
    png.data.set([255, 0, 0, 255, 255, 255, 255, 128]); // opaque red; half-transparent white
    writeFileSync(join(dir, 'a.png'), PNG.sync.write(png));
    const g = readPngImage(join(dir, 'a.png'), 1, 1, 2);
    assert.ok(Math.abs(g[0]! - 0.299) < 1e-6);
    assert.ok(Math.abs(g[1]! - 128 / 255) < 1e-6);
    const rgb = readPngImage(join(dir, 'a.png'), 3, 1, 2);
    assert.deepEqual(Array.from(rgb).map((v) => Math.round(v * 1000) / 1000), [1, 0.502, 0, 0.502, 0, 0.502]);
    writeFileSync(join(dir, 'b.png'), 'not a png');
    assert.throws(() => readPngImage(join(dir, 'b.png'), 1, 28, 28), (e: Error) => e instanceof ImageError && /b\.png: not a PNG file \(it does not start with the PNG signature/.test(e.message));
    assert.throws(() => readPngImage(join(dir, 'none.png'), 1, 28, 28), /none\.png: no such file/);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('channelStats and padImages: by-hand values', () => {
  const x = tg.tensor([0, 1, 1, 0, 0.5, 0.5, 0.5, 0.5], { dtype: 'float32', shape: [1, 2, 2, 2] });
  // A constant channel gets std 1e-6 (a floor), not 0, so normalising it cannot divide by zero.
  assert.deepEqual(channelStats(x), { mean: [0.5, 0.5], std: [0.5, 1e-6] });
  const p = padImages(tg.tensor([1, 2, 3, 4], { dtype: 'float32', shape: [1, 1, 2, 2] }), 4, 4);
  assert.deepEqual(Array.from(p.toTypedArray()), [0, 0, 0, 0, 0, 1, 2, 0, 0, 3, 4, 0, 0, 0, 0, 0]);
});
