import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { ReduceOp } from '../../src/backend/backend.js';
import type { DType } from '../../src/core/dtype.js';
import { Rng, close, makeView, nat, read, ref, skip, zeros, type Layout } from './util.js';

const LAYOUTS: Layout[] = ['contiguous', 'padded', 'transposed', 'broadcast'];

function subsets(n: number): number[][] {
  const out: number[][] = [];
  for (let m = 0; m < 1 << n; m++) out.push([...Array(n).keys()].filter((d) => m & (1 << d)));
  return out;
}

test('native reduce matches ref over every dim subset, layout and op', { skip }, () => {
  const rng = new Rng(30);
  const shapes = [[], [1], [17], [7, 33], [3, 5, 65], [2, 3, 4, 5], [129, 3, 2], [0, 4], [300, 257]];
  for (const dtype of ['float32', 'float64'] as DType[]) {
    for (const op of ['sum', 'prod', 'max', 'min'] as ReduceOp[]) {
      for (const [si, shape] of shapes.entries()) {
        for (const dims of subsets(shape.length)) {
          if (op !== 'sum' && op !== 'prod' && dims.some((d) => shape[d] === 0)) continue; // max of nothing is rejected by the op layer
          const layout = LAYOUTS[(si + dims.length) % 4]!;
          const gen = op === 'prod' ? () => 1 + (rng.next() - 0.5) * 0.1 : () => (rng.next() < 0.01 ? NaN : rng.normal());
          const x = makeView(shape, dtype, layout, gen);
          const outShape = shape.map((s, d) => (dims.includes(d) ? 1 : s));
          const r = zeros(outShape, dtype), n = zeros(outShape, dtype);
          ref.reduce(op, x, dims, r);
          nat!.reduce(op, x, dims, n);
          // Both accumulate in double; only the summation order differs.
          close(read(n), read(r), dtype === 'float32' ? 1e-6 : 1e-12, 1e-12, `reduce ${op} ${dtype} ${JSON.stringify(shape)} dims ${dims} ${layout}`);
        }
      }
    }
  }
});

test('native float32 sum is accurate: a million 0.1s', { skip }, () => {
  const x = makeView([1000, 1000], 'float32', 'contiguous', () => 0.1);
  const out = zeros([1, 1], 'float32');
  nat!.reduce('sum', x, [0, 1], out);
  // Math.fround(0.1) * 1e6 rounded to float32; naive float accumulation would be off by ~1%.
  assert.equal(read(out)[0], Math.fround(Math.fround(0.1) * 1e6));
  const cols = zeros([1, 1000], 'float32');
  nat!.reduce('sum', x, [0], cols);
  assert.ok(read(cols).every((v) => v === Math.fround(Math.fround(0.1) * 1000)));
});

test('native reduce hand values', { skip }, () => {
  let i = 0;
  const x = makeView([2, 3], 'float64', 'contiguous', () => ++i); // [[1,2,3],[4,5,6]]
  const rows = zeros([2, 1], 'float64'), cols = zeros([1, 3], 'float64');
  nat!.reduce('sum', x, [1], rows);
  assert.deepEqual(read(rows), [6, 15]);
  nat!.reduce('prod', x, [0], cols);
  assert.deepEqual(read(cols), [4, 10, 18]);
  nat!.reduce('max', x, [0], cols);
  assert.deepEqual(read(cols), [4, 5, 6]);
  const empty = zeros([1, 3], 'float64');
  nat!.reduce('sum', makeView([0, 3], 'float64', 'contiguous', () => 1), [0], empty);
  assert.deepEqual(read(empty), [0, 0, 0]);
});

test('native argmax/argmin match ref (first index wins, NaN wins)', { skip }, () => {
  const rng = new Rng(31);
  for (const dtype of ['float32', 'float64', 'int32'] as DType[]) {
    for (const shape of [[1], [17], [7, 33], [3, 65, 5], [129, 2]]) {
      for (let dim = 0; dim < shape.length; dim++) {
        const x = makeView(shape, dtype, LAYOUTS[dim % 3]!, () => (dtype !== 'int32' && rng.next() < 0.02 ? NaN : rng.int(6)));
        const outShape = shape.map((s, d) => (d === dim ? 1 : s));
        for (const op of ['argmax', 'argmin'] as const) {
          const r = zeros(outShape, 'int32'), n = zeros(outShape, 'int32');
          ref.argReduce(op, x, dim, r);
          nat!.argReduce(op, x, dim, n);
          assert.deepEqual(read(n), read(r), `${op} ${dtype} ${JSON.stringify(shape)} dim ${dim}`);
        }
      }
    }
  }
  let i = 0;
  const vals = [3, 9, 9, 1];
  const x = makeView([4], 'float32', 'contiguous', () => vals[i++]!);
  const out = zeros([1], 'int32');
  nat!.argReduce('argmax', x, 0, out);
  assert.deepEqual(read(out), [1]);
  nat!.argReduce('argmin', x, 0, out);
  assert.deepEqual(read(out), [3]);
});

test('native gather and scatterAdd match ref', { skip }, () => {
  const rng = new Rng(32);
  for (const dtype of ['float32', 'float64', 'int32'] as DType[]) {
    for (const [xs, is] of [[[5, 7], [3, 7]], [[4, 9], [4, 2]], [[3, 4, 17], [3, 4, 6]], [[33], [65]]] as [number[], number[]][]) {
      for (let dim = 0; dim < xs.length; dim++) {
        const ishape = is.map((s, d) => (d === dim ? s : Math.min(s, xs[d]!)));
        const x = makeView(xs, dtype, 'transposed', () => rng.int(100) - 50);
        const index = makeView(ishape, 'int32', 'padded', () => rng.int(xs[dim]!));
        const r = zeros(ishape, dtype), n = zeros(ishape, dtype);
        ref.gather(x, dim, index, r);
        nat!.gather(x, dim, index, n);
        assert.deepEqual(read(n), read(r), `gather ${dtype} ${JSON.stringify(xs)} dim ${dim}`);
        const src = makeView(ishape, dtype, 'contiguous', () => rng.int(10));
        const sr = makeView(xs, dtype, 'contiguous', () => 1), sn = makeView(xs, dtype, 'contiguous', () => 1);
        ref.scatterAdd(sr, dim, index, src);
        nat!.scatterAdd(sn, dim, index, src);
        close(read(sn), read(sr), 1e-6, 0, `scatterAdd ${dtype} ${JSON.stringify(xs)} dim ${dim}`);
      }
    }
  }
  // Hand values: one-hot style scatter of [1,2,3] into 4 slots at [0,2,0].
  const seq = (v: number[]) => { let i = 0; return () => v[i++]!; };
  const out = zeros([4], 'float32');
  nat!.scatterAdd(out, 0, makeView([3], 'int32', 'contiguous', seq([0, 2, 0])), makeView([3], 'float32', 'contiguous', seq([1, 2, 3])));
  assert.deepEqual(read(out), [4, 0, 2, 0]);
  const g = zeros([2], 'float64');
  nat!.gather(makeView([3], 'float64', 'contiguous', seq([10, 20, 30])), 0, makeView([2], 'int32', 'contiguous', seq([2, 0])), g);
  assert.deepEqual(read(g), [30, 10]);
});
