// dtypes: float32 / float64 / int32 / bool behaviour, type promotion (PyTorch's rules, with int32
// standing where PyTorch has int64), and casts. Expected values are worked out by hand.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import * as tg from '../../src/index.js';
import { promoteTypes } from '../../src/core/dtype.js';
import { testBackends, withBackend } from '../helpers.js';

const i32 = (v: number[]) => tg.tensor(Int32Array.from(v));
const f64 = (v: number[]) => tg.tensor(Float64Array.from(v));
const bool = (v: boolean[]) => tg.tensor(v);

for (const backend of testBackends()) {
  describe(`dtypes [${backend}]`, () => {
    const run = (fn: () => void) => () => withBackend(backend, fn);

    it('promotes tensor dtypes: bool < int32 < float32 < float64', run(() => {
      assert.equal(promoteTypes('int32', 'float32'), 'float32');
      assert.equal(promoteTypes('float64', 'float32'), 'float64');
      assert.equal(promoteTypes('bool', 'int32'), 'int32');
      const r = i32([1, 2]).add(tg.tensor([0.5, 0.5]));
      assert.deepEqual([r.dtype, r.toArray()], ['float32', [1.5, 2.5]]);
      const s = tg.tensor([1, 2]).mul(f64([0.1, 0.1]));
      assert.equal(s.dtype, 'float64');
      assert.deepEqual(s.toArray(), [Math.fround(1) * 0.1, 2 * 0.1]);
      const b = bool([true, false]).add(i32([5, 5]));
      assert.deepEqual([b.dtype, b.toArray()], ['int32', [6, 5]]);
    }));

    it('plain numbers adapt to the tensor, except a fraction next to an integer tensor', run(() => {
      assert.deepEqual([i32([1, 2]).add(2).dtype, i32([1, 2]).add(2).toArray()], ['int32', [3, 4]]);
      assert.deepEqual([i32([1, 2]).add(1.5).dtype, i32([1, 2]).add(1.5).toArray()], ['float32', [2.5, 3.5]]);
      assert.equal(f64([1]).mul(3).dtype, 'float64');
      assert.equal(tg.tensor([1]).mul(1e-300).dtype, 'float32');
      assert.deepEqual([bool([true, false]).add(1).dtype, bool([true, false]).add(1).toArray()], ['int32', [2, 1]]);
      assert.deepEqual(tg.sub(10, i32([1, 2])).toArray(), [9, 8]);
    }));

    it('true division and float-only functions give float32 from integers', run(() => {
      const d = i32([1, 2, -3]).div(i32([2, 2, 2]));
      assert.deepEqual([d.dtype, d.toArray()], ['float32', [0.5, 1, -1.5]]);
      const e = i32([0]).exp();
      assert.deepEqual([e.dtype, e.item()], ['float32', 1]);
      assert.equal(i32([4]).sqrt().item(), 2);
      assert.equal(i32([4]).sigmoid().dtype, 'float32');
      assert.deepEqual(i32([2, 4]).pow(-1).toArray(), [0.5, 0.25]);
      assert.equal(i32([2]).pow(i32([3])).dtype, 'float32');
    }));

    it('integer ops stay integer where PyTorch keeps them', run(() => {
      const x = i32([3, -2, 7]);
      assert.deepEqual([x.neg().dtype, x.neg().toArray()], ['int32', [-3, 2, -7]]);
      assert.deepEqual(x.abs().toArray(), [3, 2, 7]);
      assert.deepEqual(x.pow(2).toArray(), [9, 4, 49]);
      assert.deepEqual(x.relu().toArray(), [3, 0, 7]);
      assert.deepEqual(x.clamp(0, 5).toArray(), [3, 0, 5]);
      assert.equal(x.clamp(0, 5).dtype, 'int32');
      assert.deepEqual([x.clamp(0.5, 5).dtype, x.clamp(0.5, 5).toArray()], ['float32', [3, 0.5, 5]]);
      assert.deepEqual([x.sum().dtype, x.sum().item()], ['int32', 8]);
      assert.deepEqual([x.max().dtype, x.max().item()], ['int32', 7]);
      assert.deepEqual([x.mean().dtype, x.mean().item()], ['float32', Math.fround(8 / 3)]);
      assert.deepEqual([x.prod().dtype, x.prod().item()], ['int32', -42]);
      assert.deepEqual(tg.maximum(x, 0).toArray(), [3, 0, 7]);
    }));

    it('bool: comparisons and logic produce it, sums count it', run(() => {
      const a = tg.tensor([1, 2, 3]);
      const gt = a.gt(1.5);
      assert.deepEqual([gt.dtype, gt.toArray()], ['bool', [false, true, true]]);
      assert.deepEqual(a.eq(tg.tensor([1, 0, 3])).toArray(), [true, false, true]);
      assert.deepEqual(a.ne(2).toArray(), [true, false, true]);
      assert.deepEqual(a.le(2).toArray(), [true, true, false]);
      assert.deepEqual(a.lt(2).toArray(), [true, false, false]);
      assert.deepEqual(a.ge(2).toArray(), [false, true, true]);
      assert.deepEqual(gt.logicalAnd(a.lt(3)).toArray(), [false, true, false]);
      assert.deepEqual(gt.logicalOr(a.lt(1.5)).toArray(), [true, true, true]);
      assert.deepEqual(gt.logicalNot().toArray(), [true, false, false]);
      assert.deepEqual([gt.sum().dtype, gt.sum().item()], ['int32', 2]);
      assert.equal(gt.float().mean().item(), Math.fround(2 / 3));
      assert.deepEqual(i32([1, 2]).eq(f64([1, 2.5])).toArray(), [true, false]);
      assert.deepEqual(tg.tensor([NaN]).eq(tg.tensor([NaN])).toArray(), [false]);
      // bool + bool is logical or and bool · bool logical and, still bool (PyTorch).
      const t = bool([true, true, false]);
      const f = bool([true, false, false]);
      assert.deepEqual([t.add(f).dtype, t.add(f).int().toArray()], ['bool', [1, 1, 0]]);
      assert.deepEqual([t.mul(f).dtype, t.mul(f).int().toArray()], ['bool', [1, 0, 0]]);
    }));

    it('casts: float -> int truncates toward zero, anything -> bool is "non-zero"', run(() => {
      assert.deepEqual(tg.tensor([2.7, -2.7, 0.5, -0.5]).int().toArray(), [2, -2, 0, 0]);
      assert.deepEqual(tg.tensor([2.7, 0, -1]).bool().toArray(), [true, false, true]);
      assert.deepEqual(bool([true, false]).float().toArray(), [1, 0]);
      assert.deepEqual(i32([7]).double().toArray(), [7]);
      const x = f64([1 / 3]);
      assert.equal(x.float().item(), Math.fround(1 / 3));
      assert.equal(x.float().double().dtype, 'float64');
      assert.equal(x.to('float64'), x, 'to() the same dtype returns the tensor itself');
      assert.deepEqual(tg.tensor([[1.5, 2.5]]).t().to('int32').toArray(), [[1], [2]]);
    }));

    it('casts keep gradients flowing in the original dtype', run(() => {
      const x = f64([0.5, 1.5]).requiresGrad_();
      x.float().mul(2).sum().backward();
      assert.equal(x.grad!.dtype, 'float64');
      assert.deepEqual(x.grad!.toArray(), [2, 2]);
      const y = x.int();
      assert.equal(y.requiresGrad, false, 'an integer result carries no gradient');
    }));

    it('float32 rounds every result, float64 does not', run(() => {
      assert.equal(tg.tensor([1]).div(3).item(), Math.fround(1 / 3));
      assert.equal(f64([1]).div(3).item(), 1 / 3);
      assert.equal(tg.tensor([16777216]).add(1).item(), 16777216);
      assert.equal(f64([16777216]).add(1).item(), 16777217);
    }));
  });
}
