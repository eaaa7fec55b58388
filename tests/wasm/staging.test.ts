import assert from 'node:assert/strict';
import { test } from 'node:test';
import * as tg from '../../src/index.js';
import type { View } from '../../src/backend/backend.js';
import { refBackend } from '../../src/backend/ref/index.js';
import { wasmBackend } from '../../src/backend/wasm/index.js';

const w = wasmBackend()!;
const f32 = (data: Float32Array, shape: number[], strides: number[], offset = 0): View => ({ data, dtype: 'float32', shape, strides, offset });

test('an in-place op (input and output share storage) reads before it writes', () => {
  const data = Float32Array.from([1, 2, 3, 4]);
  const v = f32(data, [4], [1]);
  w.binary('add', v, v, v);
  assert.deepEqual([...data], [2, 4, 6, 8]);
  w.unary('neg', v, v);
  assert.deepEqual([...data], [-2, -4, -6, -8]);
});

test('a strided output leaves the elements between its rows untouched', () => {
  // out is column 1 of a 3x3 matrix: the staged range spans the other columns too.
  const big = Float32Array.from([10, 11, 12, 13, 14, 15, 16, 17, 18]);
  const out = f32(big, [3], [3], 1);
  const x = f32(Float32Array.from([1, 2, 3]), [3], [1]);
  w.unary('exp', x, out);
  assert.deepEqual([big[0], big[2], big[3], big[5], big[6], big[8]], [10, 12, 13, 15, 16, 18]);
  assert.ok(Math.abs(big[1]! - Math.E) < 1e-6 && Math.abs(big[7]! - Math.exp(3)) < 1e-4);
});

test('views reaching outside their storage are a clear error, not a crash', () => {
  const x = f32(new Float32Array(4), [5], [1]);
  assert.throws(() => w.unary('neg', x, f32(new Float32Array(5), [5], [1])), /tsgrad wasm: view 0 \(kernel 2, shape \[5\]\) reaches outside its storage of 4 elements/);
  assert.throws(() => w.copy(f32(new Float32Array(4), [2], [2], 2), f32(new Float32Array(2), [2], [1])), /reaches outside/);
});

test('a large matmul (staging arena grows, memory grows) matches ref', () => {
  const M = 300, K = 257, N = 190;
  const a = f32(Float32Array.from({ length: M * K }, (_, i) => Math.sin(i)), [1, M, K], [M * K, K, 1]);
  const b = f32(Float32Array.from({ length: K * N }, (_, i) => Math.cos(i)), [1, K, N], [K * N, 1, K]); // transposed layout
  const o1 = f32(new Float32Array(M * N), [1, M, N], [M * N, N, 1]), o2 = f32(new Float32Array(M * N), [1, M, N], [M * N, N, 1]);
  w.matmul(a, b, o1);
  refBackend.matmul(a, b, o2);
  for (let i = 0; i < M * N; i++) assert.ok(Math.abs(o1.data[i]! - o2.data[i]!) <= 1e-4 * (1 + Math.abs(o2.data[i]!)), `element ${i}`);
});

test("setBackend('wasm') runs tensor code and autograd", () => {
  const prev = tg.getBackend().name;
  tg.setBackend('wasm');
  try {
    assert.equal(tg.getBackend().name, 'wasm');
    const x = tg.tensor([[1, 2], [3, 4]], { requiresGrad: true });
    const y = tg.matmul(x, x).relu().sum();
    y.backward();
    assert.deepEqual(Array.from(tg.matmul(x, x).toTypedArray()), [7, 10, 15, 22]);
    assert.deepEqual(Array.from(x.grad!.toTypedArray()), [7, 11, 9, 13]);
  } finally {
    tg.setBackend(prev);
  }
});
