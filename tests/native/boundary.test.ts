import assert from 'node:assert/strict';
import { test } from 'node:test';
import { loadAddon } from '../../src/backend/native/addon.js';
import { nativeBackend, nativeFallbacks } from '../../src/backend/native/index.js';
import { SUB_OP_CODES, kernelSpec } from '../../src/backend/kernels.js';
import * as tg from '../../src/index.js';
import { withBackend } from '../helpers.js';
import { makeView, read, ref, skip, zeros } from './util.js';

/** Metadata for contiguous views of the given shapes, then params. */
function meta(shapes: number[][], params: number[] = []): Float64Array {
  const m: number[] = [shapes.length];
  for (const s of shapes) {
    const strides = s.map((_, d) => s.slice(d + 1).reduce((a, b) => a * b, 1));
    m.push(s.length, ...s, 0, ...strides);
  }
  return new Float64Array([...m, ...params]);
}

test('the dispatcher refuses unknown codes and mismatched views with errors naming the kernel', { skip }, () => {
  const addon = loadAddon()!;
  const a = new Float32Array(6), b = new Float32Array(8), out = new Float32Array(6);
  assert.throws(() => addon.run(99, meta([[6]]), a), /tsgrad native: dispatch: unknown kernel code 99 \(known: 0\.\.24\)/);
  assert.throws(() => addon.run(-1, meta([[6]]), a), /unknown kernel code -1/);
  const binary = kernelSpec('binary').code;
  assert.throws(() => addon.run(binary, meta([[2, 3], [2, 4], [2, 3]], [0]), a, b, out), /tsgrad native: binary: view 'a' has shape \[2,3\], expected \[2,4\]|view 'b' has shape \[2,4\], expected \[2,3\] \(the shape of 'out'\)/);
  assert.throws(() => addon.run(binary, meta([[2, 3], [2, 3], [2, 3]], [999]), a, a, out), /binary: unknown binary op code 999/);
  const unary = kernelSpec('unary').code;
  assert.throws(() => addon.run(unary, meta([[6], [6]], [-3, 0, 0]), a, out), /unary: unknown unary op code -3/);
  assert.throws(() => addon.run(unary, meta([[7], [6]], [0, 0, 0]), a, out), /unary: view 'x' has shape \[7\], expected \[6\]|reaches outside/);
  assert.throws(() => addon.run(unary, meta([[6], [6]]), a, out), /unary: got 0 parameters, expected at least 3/);
  assert.throws(() => addon.run(unary, meta([[6]], [0, 0, 0]), a), /unary: got 1 views, expected 2\.\.2/);
  const matmul = kernelSpec('matmul').code;
  const big = new Float32Array(64);
  assert.throws(() => addon.run(matmul, meta([[1, 2, 3], [1, 4, 2], [1, 2, 2]]), big, big, big), /matmul: views a \[1,2,3\], b \[1,4,2\], out \[1,2,2\] do not fit/);
  const conv = kernelSpec('conv2d').code;
  assert.throws(() => addon.run(conv, meta([[1, 1, 4, 4], [1, 1, 3, 3], [1, 1, 4, 4]], [1, 1, 0, 0, 1, 1, 1]), big, big, big), /conv2d: view 'out' has shape \[1,1,4,4\], expected \[1,1,2,2\]/);
  assert.throws(() => addon.run(unary, new Float64Array([2, 1, 6, 0, 1, 1, 6, -1, 1, 0, 0, 0]), a, out), /unary: view 'out' has offset -1 \(offsets are integers >= 0\)/);
  assert.throws(() => addon.run(unary, new Float64Array([2, 17]), a, out), /view 'x' has rank 17; native kernels take at most 16 dims/);
  assert.throws(() => addon.run(unary, meta([[6], [6]], [0, 0, 0]), a, [1, 2] as unknown as Float32Array), /unary: data argument 1 is not a Float32\/Float64\/Int32\/Uint8Array/);
  // A valid call still runs.
  assert.equal(addon.run(unary, meta([[6], [6]], [SUB_OP_CODES.unary.neg, 0, 0]), new Float32Array([1, 2, 3, 4, 5, 6]), out), true);
  assert.deepEqual(Array.from(out), [-1, -2, -3, -4, -5, -6]);
});

test('views of rank 17 and more run on ref through the native backend, counted as rank fallbacks', { skip }, () => {
  const nat = nativeBackend()!;
  const shape = Array.from({ length: 17 }, (_, i) => (i % 5 === 0 ? 2 : 1));
  let i = 0;
  const x = makeView(shape, 'float32', 'contiguous', () => i++ - 3);
  const before = nativeFallbacks();
  const out = zeros(shape, 'float32');
  nat.unary('abs', x, out);
  const want = zeros(shape, 'float32');
  ref.unary('abs', x, want);
  assert.deepEqual(read(out), read(want));
  const after = nativeFallbacks();
  assert.equal(after.rank, before.rank + 1);
  assert.equal(after.byKernel['rank:unary'], (before.byKernel['rank:unary'] ?? 0) + 1);
  // And through tensors: a rank-20 sum and softmax on native.
  withBackend('native', () => {
    const t = tg.arange(0, 8, 1, { dtype: 'float32' }).reshape([2, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 2, 2]);
    assert.equal(t.sum().item(), 28);
    assert.equal(tg.softmax(t, -1).sum().item(), 4);
  });
});
