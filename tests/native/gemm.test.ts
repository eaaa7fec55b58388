import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { View } from '../../src/backend/backend.js';
import type { DType } from '../../src/core/dtype.js';
import { setNumThreads, getNumThreads } from '../../src/backend/native/index.js';
import { Rng, close, makeView, nat, read, ref, skip, zeros, type Layout } from './util.js';

/** [B, R, C] view; 'transposed' stores each matrix column-major (a transposed operand read through strides). */
function mat(b: number, r: number, c: number, dtype: DType, layout: Layout, rng: Rng): View {
  if (layout === 'transposed') {
    const v = makeView([b, c, r], dtype, 'contiguous', () => rng.normal());
    return { ...v, shape: [b, r, c], strides: [c * r, 1, r] };
  }
  return makeView([b, r, c], dtype, layout, () => rng.normal());
}

function check(B: number, M: number, K: number, N: number, dtype: DType, la: Layout, lb: Layout, rng: Rng): void {
  const a = mat(B, M, K, dtype, la, rng), b = mat(B, K, N, dtype, lb, rng);
  const r = zeros([B, M, N], dtype), n = zeros([B, M, N], dtype);
  ref.matmul(a, b, r);
  nat!.matmul(a, b, n);
  // float32 accumulates in float: error grows like sqrt(K) times the size of the terms.
  const atol = dtype === 'float32' ? 2e-6 * Math.sqrt(K) * 4 : 1e-12 * Math.sqrt(K);
  close(read(n), read(r), dtype === 'float32' ? 1e-5 : 1e-12, atol, `matmul ${dtype} B${B} ${M}x${K}@${K}x${N} ${la}/${lb}`);
}

test('native matmul hand values', { skip }, () => {
  const seq = (v: number[]) => { let i = 0; return () => v[i++]!; };
  for (const dtype of ['float32', 'float64'] as DType[]) {
    const a = makeView([1, 2, 2], dtype, 'contiguous', seq([1, 2, 3, 4]));
    const b = makeView([1, 2, 2], dtype, 'contiguous', seq([5, 6, 7, 8]));
    const out = zeros([1, 2, 2], dtype);
    nat!.matmul(a, b, out);
    assert.deepEqual(read(out), [19, 22, 43, 50]);
    // b transposed through strides: [[5,7],[6,8]]
    nat!.matmul(a, { ...b, strides: [4, 1, 2] }, out);
    assert.deepEqual(read(out), [17, 23, 39, 53]);
  }
  // Identity times a 33x33 matrix of 1..1089 gives it back exactly.
  const n = 33;
  const eye = makeView([1, n, n], 'float32', 'contiguous', (() => { let i = 0; return () => (Math.floor(i / n) === i++ % n ? 1 : 0); })());
  const m = makeView([1, n, n], 'float32', 'contiguous', (() => { let i = 0; return () => ++i; })());
  const out = zeros([1, n, n], 'float32');
  nat!.matmul(eye, m, out);
  assert.deepEqual(read(out), read(m));
});

test('native matmul matches ref on odd sizes, batches and transposed operands', { skip }, () => {
  const rng = new Rng(10);
  const sizes = [1, 7, 17, 33, 65];
  const layouts: Layout[] = ['contiguous', 'transposed', 'padded'];
  let i = 0;
  for (const dtype of ['float32', 'float64'] as DType[]) {
    for (const M of sizes) {
      for (const N of sizes) {
        const K = sizes[(i++) % sizes.length]!;
        check(1 + (i % 3), M, K, N, dtype, layouts[i % 3]!, layouts[(i + 1) % 3]!, rng);
      }
    }
  }
});

test('native matmul on sizes past the cache blocks (threads, K > KC, M > MC)', { skip }, () => {
  const rng = new Rng(11);
  check(1, 129, 300, 257, 'float32', 'contiguous', 'contiguous', rng);
  check(1, 311, 257, 45, 'float32', 'transposed', 'contiguous', rng);
  check(1, 150, 520, 129, 'float64', 'contiguous', 'transposed', rng);
  check(3, 65, 129, 70, 'float32', 'padded', 'transposed', rng);
  // N past one NC block (4080 columns): the shared packed B holds several column blocks.
  check(1, 20, 5, 4100, 'float32', 'contiguous', 'transposed', rng);
  check(1, 25, 300, 4097, 'float64', 'transposed', 'contiguous', rng);
  // A broadcast batch operand (stride 0) as matmul(x, w) with a shared w produces.
  const a = mat(4, 20, 30, 'float32', 'contiguous', rng);
  const w = mat(1, 30, 17, 'float32', 'contiguous', rng);
  const wb = { ...w, shape: [4, 30, 17], strides: [0, 17, 1] };
  const r = zeros([4, 20, 17], 'float32'), n = zeros([4, 20, 17], 'float32');
  ref.matmul(a, wb, r);
  nat!.matmul(a, wb, n);
  close(read(n), read(r), 1e-5, 1e-4, 'matmul broadcast batch');
});

test('native matmul on every wide micro-kernel block and its edges (AVX-512 takes 12 x 32 blocks)', { skip }, () => {
  const rng = new Rng(14);
  // Rows around multiples of 6 and 12, columns around 16 and 32 (8 and 16 in float64): full 2 x 2,
  // 2 x 1 and 1 x 2 panel blocks beside partial tiles; K past one depth block so C accumulates.
  for (const dtype of ['float32', 'float64'] as DType[]) {
    for (const M of [6, 12, 18, 23, 36]) {
      for (const N of [8, 16, 32, 40, 47, 64]) {
        check(1, M, M === 23 ? 300 : 37, N, dtype, 'contiguous', M % 2 ? 'transposed' : 'contiguous', rng);
      }
    }
  }
  check(1, 120, 270, 200, 'float32', 'padded', 'contiguous', rng);
});

test('native matmul: empty and K = 0 products', { skip }, () => {
  const rng = new Rng(12);
  check(1, 0, 5, 3, 'float32', 'contiguous', 'contiguous', rng);
  check(2, 3, 0, 4, 'float64', 'contiguous', 'contiguous', rng);
  const out = makeView([1, 3, 4], 'float32', 'contiguous', () => 9);
  nat!.matmul(zeros([1, 3, 0], 'float32'), zeros([1, 0, 4], 'float32'), out);
  assert.deepEqual(read(out), new Array(12).fill(0), 'K = 0 overwrites out with zeros');
});

test('native matmul gives the same result on 1 thread and on several', { skip }, () => {
  const rng = new Rng(13);
  const a = mat(1, 200, 160, 'float64', 'contiguous', rng), b = mat(1, 160, 190, 'float64', 'transposed', rng);
  const prev = getNumThreads();
  try {
    setNumThreads(1);
    const one = zeros([1, 200, 190], 'float64');
    nat!.matmul(a, b, one);
    setNumThreads(3);
    assert.equal(getNumThreads(), 3);
    const three = zeros([1, 200, 190], 'float64');
    nat!.matmul(a, b, three);
    assert.deepEqual(read(three), read(one));
    const r = zeros([1, 200, 190], 'float64');
    ref.matmul(a, b, r);
    close(read(one), read(r), 1e-12, 1e-12, 'threads vs ref');
  } finally {
    setNumThreads(prev);
  }
  assert.throws(() => setNumThreads(0), /positive integer/);
});
