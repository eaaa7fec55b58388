// Kernels over arbitrary strided layouts, checked against naive loops written here (the definition
// of each op), and edge values (infinities, NaN, empty tensors) checked against PyTorch's results.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import * as tg from '../../src/index.js';
import { assertClose, testBackends, withBackend } from '../helpers.js';

/** Reads element `idx` of a tensor through its strides (the definition of a strided view). */
function at(t: tg.Tensor, idx: readonly number[]): number {
  let off = t.offset;
  idx.forEach((i, d) => (off += i * t.strides[d]!));
  return t.data[off]!;
}

/** All index tuples of a shape, row-major. */
function indices(shape: readonly number[]): number[][] {
  let out: number[][] = [[]];
  for (const s of shape) out = out.flatMap((p) => Array.from({ length: s }, (_, i) => [...p, i]));
  return out;
}

/** A float64 tensor of logical shape `shape` laid out in memory as a permutation and/or a broadcast. */
function layout(shape: number[], perm: number[] | null, expandDim: number | null, g: tg.Generator): tg.Tensor {
  let t: tg.Tensor;
  if (expandDim !== null) {
    const small = shape.map((s, d) => (d === expandDim ? 1 : s));
    t = tg.randn(small, { dtype: 'float64', generator: g }).expand(shape);
  } else if (perm) {
    const inv = perm.map((_, i) => perm.indexOf(i));
    t = tg.randn(perm.map((d) => shape[d]!), { dtype: 'float64', generator: g }).permute(inv);
  } else {
    t = tg.randn(shape, { dtype: 'float64', generator: g });
  }
  assert.deepEqual(t.shape, shape);
  return t;
}

for (const backend of testBackends()) {
  describe(`strided layouts and edge values [${backend}]`, () => {
    const run = (fn: () => void) => () => withBackend(backend, fn);

    it('batched matmul over permuted, expanded and sliced batch dims equals the naive sum', run(() => {
      const g = new tg.Generator(11);
      const perms: (number[] | null)[] = [null, [1, 0, 2, 3], [0, 1, 3, 2], [2, 3, 0, 1], [3, 1, 2, 0]];
      const expands: (number | null)[] = [null, 0, 1];
      for (const pa of perms) {
        for (const pb of perms) {
          for (const e of expands) {
            const a = layout([2, 3, 2, 4], pa, e, g);
            const b = layout([2, 3, 4, 3], pb, e === null ? null : 1 - e, g);
            const c = a.matmul(b);
            assert.deepEqual(c.shape, [2, 3, 2, 3]);
            for (const [i, j, m, n] of indices([2, 3, 2, 3])) {
              let s = 0;
              for (let k = 0; k < 4; k++) s += at(a, [i!, j!, m!, k]) * at(b, [i!, j!, k, n!]);
              assert.ok(Math.abs(at(c, [i!, j!, m!, n!]) - s) < 1e-12, `perm ${pa} / ${pb}, expand ${e}`);
            }
          }
        }
      }
      // A step-sliced batch and a batch broadcast from a lower rank.
      const a = tg.randn([4, 2, 3], { dtype: 'float64', generator: g }).slice(0, 1, 4, 2);
      const b = tg.randn([3, 5], { dtype: 'float64', generator: g });
      const c = a.matmul(b);
      for (const [i, m, n] of indices([2, 2, 5])) {
        let s = 0;
        for (let k = 0; k < 3; k++) s += at(a, [i!, m!, k]) * at(b, [k, n!]);
        assert.ok(Math.abs(at(c, [i!, m!, n!]) - s) < 1e-12);
      }
    }));

    it('reductions over any dims of permuted and expanded tensors equal naive sums', run(() => {
      const g = new tg.Generator(12);
      const dimsList: number[][] = [[0], [1], [2], [0, 2], [1, 2], [0, 1, 2]];
      for (const t of [layout([2, 3, 4], [2, 0, 1], null, g), layout([2, 3, 4], null, 1, g), layout([2, 3, 4], null, null, g).slice(2, 0, 4, 1)]) {
        for (const dims of dimsList) {
          for (const keepdim of [false, true]) {
            const s = t.sum(dims, keepdim);
            const keptShape = t.shape.map((n, d) => (dims.includes(d) ? 1 : n));
            const k = keepdim ? s : s.reshape(keptShape);
            for (const idx of indices(keptShape)) {
              let want = 0;
              for (const full of indices(t.shape)) if (full.every((v, d) => dims.includes(d) || v === idx[d])) want += at(t, full);
              assert.ok(Math.abs(at(k, idx) - want) < 1e-12, `dims ${dims} keepdim ${keepdim}`);
            }
          }
        }
      }
    }));

    it('softmax, logsumexp and max with infinities and NaN give PyTorch results', run(() => {
      // PyTorch: softmax([0, -inf]) = [1, 0]; logsumexp([-inf, -inf]) = -inf; logsumexp([inf, 1]) = inf.
      assert.deepEqual(tg.tensor([0, -Infinity]).softmax(0).toArray(), [1, 0]);
      assert.deepEqual(tg.tensor([[1000, 0], [-1000, -1000]]).softmax(1).toArray(), [[1, 0], [0.5, 0.5]]);
      assert.equal(tg.tensor([-Infinity, -Infinity]).logsumexp(0).item(), -Infinity);
      assert.equal(tg.tensor([Infinity, 1]).logsumexp(0).item(), Infinity);
      assertClose(tg.tensor([1000, 1000], { dtype: 'float64' }).logsumexp(0), [1000 + Math.log(2)], { rtol: 1e-15 });
      assertClose(tg.tensor([-1e4, 0], { dtype: 'float64' }).logSoftmax(0), [-1e4, 0], { rtol: 1e-15 });
      assert.ok(Number.isNaN(tg.tensor([1, NaN]).max().item()));
      assert.ok(Number.isNaN(tg.tensor([1, NaN]).min().item()));
      assert.deepEqual((tg.maximum(tg.tensor([NaN, 1]), tg.tensor([0, NaN])).toArray() as number[]).map(Number.isNaN), [true, true]);
      // Gradients through a masked softmax: the -inf entry gets 0.
      const x = tg.tensor([0, 0, 0], { dtype: 'float64', requiresGrad: true });
      x.add(tg.tensor([0, 0, -Infinity], { dtype: 'float64' })).softmax(0).mul(tg.tensor([1, 2, 3], { dtype: 'float64' })).sum().backward();
      assertClose(x.grad!, [-0.25, 0.25, 0], { atol: 1e-15 });
    }));

    it('empty tensors: sums are 0, products 1, means NaN, matmul over k=0 gives zeros', run(() => {
      assert.equal(tg.zeros([0]).sum().item(), 0);
      assert.equal(tg.zeros([0, 3]).prod().item(), 1);
      assert.deepEqual(tg.zeros([0, 3]).sum(0).toArray(), [0, 0, 0]);
      assert.ok(Number.isNaN(tg.zeros([0]).mean().item()));
      assert.deepEqual(tg.zeros([2, 0]).matmul(tg.zeros([0, 3])).toArray(), [[0, 0, 0], [0, 0, 0]]);
      assert.deepEqual(tg.cat([tg.zeros([0, 2]), tg.ones([1, 2])]).toArray(), [[1, 1]]);
      assert.deepEqual(tg.ones([3]).slice(0, 2, 2).add(1).shape, [0]);
      // 0-d tensors reduce over their one implicit dim to themselves (PyTorch: tensor(3.).mean(0) = 3).
      assert.equal(tg.tensor(3).mean(0).item(), 3);
      assert.equal(tg.tensor(3).sum(-1).item(), 3);
      assert.equal(tg.tensor(3).max(0).item(), 3);
    }));

    it('where broadcasts its condition, and elementwise ops accept 0-d tensors', run(() => {
      const c = tg.tensor([[true], [false]]);
      assert.deepEqual(tg.where(c, tg.tensor([1, 2, 3]), -1).toArray(), [[1, 2, 3], [-1, -1, -1]]);
      assert.deepEqual(tg.where(tg.tensor([true, false]), 1, 2.5).toArray(), [1, 2.5]);
      assert.deepEqual(tg.tensor([1, 2]).add(tg.tensor(10)).toArray(), [11, 12]);
      assert.deepEqual(tg.tensor(3).mul(tg.tensor([[1], [2]])).toArray(), [[3], [6]]);
    }));
  });
}
