// Views share storage: writing through a view changes the base (and the other way round);
// strides and offsets are the ones PyTorch reports for the same views; contiguous, toArray, item.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import * as tg from '../../src/index.js';
import { testBackends, withBackend } from '../helpers.js';

/** 0..n-1 as float32 in the given shape. */
function iota(shape: number[]): tg.Tensor {
  return tg.arange(shape.reduce((a, b) => a * b, 1)).float().reshape(shape);
}

for (const backend of testBackends()) {
  describe(`views [${backend}]`, () => {
    const run = (fn: () => void) => () => withBackend(backend, fn);

    it('layouts match PyTorch: strides and storage offsets', run(() => {
      const x = iota([2, 3, 4]);
      assert.deepEqual(x.strides, [12, 4, 1]);
      assert.deepEqual(x.transpose(0, 2).strides, [1, 4, 12]);
      assert.deepEqual(x.permute([1, 2, 0]).strides, [4, 1, 12]);
      const s = x.slice(2, 1, 4, 2);
      assert.deepEqual([s.shape, s.strides, s.offset], [[2, 3, 2], [12, 4, 2], 1]);
      const sel = x.select(1, 2);
      assert.deepEqual([sel.shape, sel.strides, sel.offset], [[2, 4], [12, 1], 8]);
      const n = x.narrow(0, 1, 1);
      assert.deepEqual([n.shape, n.offset], [[1, 3, 4], 12]);
      const e = tg.zeros([3, 1]).expand([2, 3, 4]);
      assert.deepEqual(e.strides, [0, 1, 0]);
      assert.deepEqual(x.unsqueeze(1).shape, [2, 1, 3, 4]);
      assert.deepEqual(x.flatten(1).shape, [2, 12]);
      assert.deepEqual(iota([2, 1, 3, 1]).squeeze().shape, [2, 3]);
      assert.deepEqual(iota([2, 1, 3, 1]).squeeze(1).shape, [2, 3, 1]);
      assert.deepEqual(iota([2, 1, 3, 1]).squeeze(0).shape, [2, 1, 3, 1]);
      assert.deepEqual(x.reshape(4, 6).shape, [4, 6]);
      assert.deepEqual(x.view([-1]).shape, [24]);
    }));

    it('writing through a view changes the base', run(() => {
      const base = iota([3, 4]);
      base.select(1, 2).fill_(-1);
      base.slice(0, 0, 3, 2).slice(1, 0, 1).add_(100);
      base.t().select(0, 3).mul_(0);
      assert.deepEqual(base.toArray(), [[100, 1, -1, 0], [4, 5, -1, 0], [108, 9, -1, 0]]);
      const v = base.view([12]);
      v.narrow(0, 4, 2).copy_(tg.tensor([7, 8]));
      base.reshape([2, 6]).select(0, 1).select(0, 5).fill_(42);
      base.unsqueeze(0).squeeze(0).flatten().select(0, 1).fill_(-5);
      base.permute([1, 0]).slice(0, 1, 2).select(1, 1).fill_(55);
      assert.deepEqual(base.toArray(), [[100, -5, -1, 0], [7, 55, -1, 0], [108, 9, -1, 42]]);
      // detach() shares storage too.
      base.detach().zero_();
      assert.deepEqual(base.sum().item(), 0);
    }));

    it('writing to the base shows through every view', run(() => {
      const base = iota([2, 3]);
      const views = [base.t(), base.view([6]), base.slice(1, 1), base.select(0, 1), base.expand([2, 2, 3]), base.unsqueeze(0)];
      base.mul_(10);
      assert.deepEqual(views.map((v) => v.toArray()), [
        [[0, 30], [10, 40], [20, 50]],
        [0, 10, 20, 30, 40, 50],
        [[10, 20], [40, 50]],
        [30, 40, 50],
        [[[0, 10, 20], [30, 40, 50]], [[0, 10, 20], [30, 40, 50]]],
        [[[0, 10, 20], [30, 40, 50]]],
      ]);
    }));

    it('reshape views when it can and copies when it must; view refuses', run(() => {
      const base = iota([2, 3]);
      const r1 = base.reshape([3, 2]);
      r1.fill_(1);
      assert.equal(base.sum().item(), 6, 'contiguous reshape is a view');
      const r2 = base.t().reshape([6]);
      r2.fill_(9);
      assert.equal(base.sum().item(), 6, 'non-contiguous reshape is a copy');
      // A transposed tensor viewed by splitting a dimension keeps sharing.
      const t = iota([4, 6]).t();
      const split = t.view([2, 3, 4]);
      assert.deepEqual(split.strides, [3, 1, 6]);
      assert.throws(() => t.view([24]), /view: shape \[24\] cannot view a non-contiguous tensor of shape \[6,4\]/);
    }));

    it('contiguous copies only when needed, clone always copies', run(() => {
      const x = iota([2, 3]);
      assert.equal(x.contiguous(), x);
      assert.equal(x.isContiguous(), true);
      const t = x.t();
      assert.equal(t.isContiguous(), false);
      const c = t.contiguous();
      assert.notEqual(c, t);
      assert.equal(c.isContiguous(), true);
      assert.deepEqual(c.strides, [2, 1]);
      assert.deepEqual(c.toArray(), [[0, 3], [1, 4], [2, 5]]);
      c.fill_(0);
      assert.equal(x.sum().item(), 15);
      const k = x.clone();
      k.fill_(0);
      assert.equal(x.sum().item(), 15);
      assert.equal(tg.zeros([3, 1]).expand([3, 4]).isContiguous(), false);
      assert.equal(tg.zeros([1, 3]).expand([1, 3]).isContiguous(), true);
    }));

    it('slice follows Python: negative indices, clamped ends, steps', run(() => {
      const x = tg.arange(10);
      assert.deepEqual(x.slice(0, -3).toArray(), [7, 8, 9]);
      assert.deepEqual(x.slice(0, 2, -2).toArray(), [2, 3, 4, 5, 6, 7]);
      assert.deepEqual(x.slice(0, -100, 3).toArray(), [0, 1, 2]);
      assert.deepEqual(x.slice(0, 8, 100).toArray(), [8, 9]);
      assert.deepEqual(x.slice(0, 7, 3).toArray(), []);
      assert.deepEqual(x.slice(0, 1, undefined, 3).toArray(), [1, 4, 7]);
      assert.deepEqual(x.slice(0, -4, -1, 2).toArray(), [6, 8]);
      assert.deepEqual(x.slice(0, 0, 10, 4).slice(0, 1).toArray(), [4, 8]);
      assert.deepEqual(x.narrow(0, -2, 2).toArray(), [8, 9]);
      assert.deepEqual(x.select(0, -1).item(), 9);
    }));

    it('toArray and item read any layout in logical order', run(() => {
      const x = iota([2, 3]);
      assert.deepEqual(x.t().toArray(), [[0, 3], [1, 4], [2, 5]]);
      assert.deepEqual(x.slice(1, 0, 3, 2).toArray(), [[0, 2], [3, 5]]);
      assert.deepEqual(tg.tensor([5]).expand([2, 2]).toArray(), [[5, 5], [5, 5]]);
      assert.equal(x.select(0, 1).select(0, 2).item(), 5);
      assert.equal(x.t().slice(0, 2).slice(1, 1).item(), 5);
      assert.equal(typeof tg.tensor([[7]]).item(), 'number');
      assert.deepEqual(Array.from(x.t().toTypedArray()), [0, 3, 1, 4, 2, 5]);
      assert.deepEqual(x.size(), [2, 3]);
      assert.equal(x.size(-1), 3);
      assert.equal(x.numel(), 6);
      assert.equal(x.ndim, 2);
    }));

    it('cat, stack, indexSelect, gather, scatterAdd and oneHot give hand-computed values', run(() => {
      const a = iota([2, 2]);
      assert.deepEqual(tg.cat([a, a.t()], 1).toArray(), [[0, 1, 0, 2], [2, 3, 1, 3]]);
      assert.deepEqual(tg.stack([a, a.mul(2)], 1).toArray(), [[[0, 1], [0, 2]], [[2, 3], [4, 6]]]);
      const idx = tg.tensor(Int32Array.from([1, 1, 0]));
      assert.deepEqual(a.indexSelect(1, idx).toArray(), [[1, 1, 0], [3, 3, 2]]);
      const gi = tg.tensor(Int32Array.from([1, 0, 0, 0]), { shape: [2, 2] });
      assert.deepEqual(a.gather(1, gi).toArray(), [[1, 0], [2, 2]]);
      assert.deepEqual(tg.zeros([3]).scatterAdd(0, tg.tensor(Int32Array.from([2, 0, 2])), tg.tensor([1, 2, 3])).toArray(), [2, 0, 4]);
      const oh = tg.oneHot(tg.tensor(Int32Array.from([2, 0, 1, 2]), { shape: [2, 2] }), 3);
      assert.deepEqual([oh.dtype, oh.shape], ['float32', [2, 2, 3]]);
      assert.deepEqual(oh.toArray(), [[[0, 0, 1], [1, 0, 0]], [[0, 1, 0], [0, 0, 1]]]);
      assert.equal(tg.oneHot(tg.tensor(Int32Array.from([1])), 2, 'int32').dtype, 'int32');
    }));

    it('argmax / argmin: first index on ties, NaN counts as the extreme (PyTorch)', run(() => {
      const x = tg.tensor([[1, 5, 5], [7, 2, 7]]);
      assert.deepEqual(x.argmax(1).toArray(), [1, 0]);
      assert.deepEqual(x.argmin(0).toArray(), [0, 1, 0]);
      assert.deepEqual(x.argmax(1, true).shape, [2, 1]);
      assert.equal(x.argmax().item(), 3);
      assert.deepEqual(x.argmax(undefined, true).shape, [1, 1]);
      assert.equal(x.t().argmax().item(), 1, 'flattened in logical order of the transposed view');
      assert.equal(tg.tensor([1, NaN, 3, NaN]).argmax().item(), 1);
      assert.equal(tg.tensor([1, NaN, 3, NaN]).argmin().item(), 1);
      assert.deepEqual(tg.tensor([[1, 2], [NaN, 0]]).argmax(1).toArray(), [1, 0]);
      assert.ok(Number.isNaN(tg.tensor([1, NaN, 3]).max().item()));
      assert.equal(x.argmax(1).dtype, 'int32');
    }));

    it('elementwise functions without gradients: sign, floor, ceil, round half to even', run(() => {
      assert.deepEqual(tg.tensor([-2, 0, 3]).sign().toArray(), [-1, 0, 1]);
      assert.deepEqual(tg.tensor([-1.5, 1.5, 2.7]).floor().toArray(), [-2, 1, 2]);
      assert.deepEqual(tg.tensor([-1.5, 1.5, 2.1]).ceil().toArray(), [-1, 2, 3]);
      assert.deepEqual(tg.tensor([0.5, 1.5, 2.5, -0.5, -1.5, 2.4]).round().toArray(), [0, 2, 2, -0, -2, 2]);
    }));
  });
}
