// In-place ops: values by hand, version counters, and the autograd errors that replace wrong gradients.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import * as tg from '../../src/index.js';
import { testBackends, withBackend } from '../helpers.js';

for (const backend of testBackends()) {
  describe(`in-place ops [${backend}]`, () => {
    const run = (fn: () => void) => () => withBackend(backend, fn);

    it('compute the right values and return the tensor itself', run(() => {
      const x = tg.tensor([1, 2, 3]);
      assert.equal(x.add_(tg.tensor([1, 1, 1]), 2), x);
      assert.deepEqual(x.toArray(), [3, 4, 5]);
      assert.deepEqual(x.sub_(1, 3).toArray(), [0, 1, 2]);
      assert.deepEqual(x.sub_(tg.tensor([1, 1, 1])).toArray(), [-1, 0, 1]);
      assert.deepEqual(x.mul_(tg.tensor([2, 3, 4])).toArray(), [-2, 0, 4]);
      assert.deepEqual(x.div_(4).toArray(), [-0.5, 0, 1]);
      assert.deepEqual(x.add_(0.5).toArray(), [0, 0.5, 1.5]);
      const y = tg.tensor([1, 2, 3]);
      assert.deepEqual(y.addcmul_(tg.tensor([1, 2, 3]), tg.tensor([2, 2, 2]), 0.5).toArray(), [2, 4, 6]);
      assert.deepEqual(y.addcdiv_(tg.tensor([1, 2, 3]), tg.tensor([2, 2, 2]), 2).toArray(), [3, 6, 9]);
      assert.deepEqual(y.addcmul_(tg.tensor([1, 1, 1]), tg.tensor([1, 2, 3])).toArray(), [4, 8, 12]);
      assert.deepEqual(tg.tensor([-2, 0.5, 3]).clamp_(-1, 1).toArray(), [-1, 0.5, 1]);
      assert.deepEqual(tg.tensor([-2, 0.5, 3]).clamp_(null, 0).toArray(), [-2, 0, 0]);
      assert.deepEqual(tg.tensor([-2, 0.5, 3]).clamp_(0).toArray(), [0, 0.5, 3]);
      assert.deepEqual(tg.ones([2, 2]).fill_(7).toArray(), [[7, 7], [7, 7]]);
      assert.deepEqual(tg.ones([2, 2]).zero_().toArray(), [[0, 0], [0, 0]]);
    }));

    it('broadcast the operand into the target; copy_ broadcasts and casts', run(() => {
      const w = tg.zeros([2, 3]);
      w.add_(tg.tensor([1, 2, 3]));
      w.mul_(tg.tensor([[1], [10]]));
      assert.deepEqual(w.toArray(), [[1, 2, 3], [10, 20, 30]]);
      w.copy_(tg.tensor([9, 8, 7]));
      assert.deepEqual(w.toArray(), [[9, 8, 7], [9, 8, 7]]);
      const i = tg.tensor(Int32Array.from([1, 2]));
      i.copy_(tg.tensor([2.7, -1.5]));
      assert.deepEqual(i.toArray(), [2, -1]);
      i.add_(3);
      assert.deepEqual(i.toArray(), [5, 2]);
      i.copy_(4);
      assert.deepEqual(i.toArray(), [4, 4]);
      // A float result cannot be written into an integer tensor (PyTorch refuses too).
      assert.throws(() => i.add_(0.5), /add_: the result is float but the in-place target is int32/);
      assert.throws(() => i.mul_(tg.tensor([1.5, 1])), /mul_: the result is float but the in-place target is int32/);
      assert.throws(() => i.div_(2), /div_: the result is float but the in-place target is int32/);
    }));

    it('write into non-contiguous views', run(() => {
      const base = tg.zeros([3, 3]);
      base.t().slice(0, 1).add_(tg.tensor([1, 2, 3]));
      assert.deepEqual(base.toArray(), [[0, 1, 1], [0, 2, 2], [0, 3, 3]]);
      base.slice(1, 0, 3, 2).clamp_(0.5, 2.5);
      assert.deepEqual(base.toArray(), [[0.5, 1, 1], [0.5, 2, 2], [0.5, 3, 2.5]]);
    }));

    it('bump the version counter shared by a tensor and its views', run(() => {
      const x = tg.zeros([4]);
      const v = x.slice(0, 1, 3);
      assert.equal(x._version.value, 0);
      v.add_(1);
      x.zero_();
      v.copy_(tg.tensor([1, 2]));
      assert.equal(x._version.value, 3);
      assert.equal(v._version, x._version);
      x.add(1);
      assert.equal(x._version.value, 3, 'out-of-place ops do not bump it');
    }));

    it('refuse to modify a leaf that requires grad, unless inside noGrad', run(() => {
      const w = tg.tensor([1, 2], { requiresGrad: true });
      for (const [name, f] of [
        ['add_', () => w.add_(1)], ['sub_', () => w.sub_(1)], ['mul_', () => w.mul_(2)], ['div_', () => w.div_(2)],
        ['zero_', () => w.zero_()], ['fill_', () => w.fill_(1)], ['copy_', () => w.copy_(tg.zeros([2]))],
        ['clamp_', () => w.clamp_(0, 1)], ['addcmul_', () => w.addcmul_(tg.ones([2]), tg.ones([2]))], ['addcdiv_', () => w.addcdiv_(tg.ones([2]), tg.ones([2]))],
      ] as [string, () => void][]) {
        assert.throws(f, new RegExp(`^AutogradError: ${name}: a leaf tensor that requires grad cannot be modified in place while gradients are recorded`));
      }
      assert.deepEqual(w.toArray(), [1, 2], 'nothing was written');
      tg.noGrad(() => {
        w.mul_(3);
        w.addcmul_(tg.ones([2]), tg.ones([2]), -1);
      });
      assert.deepEqual(w.toArray(), [2, 5]);
      assert.equal(w.requiresGrad, true);
      assert.equal(w.isLeaf, true);
    }));

    it('refuse to modify a tensor of the graph, and catch saved tensors changed later', run(() => {
      const x = tg.tensor([1, 2], { requiresGrad: true });
      assert.throws(() => x.mul(2).add_(1), /add_: in-place modification of a tensor that is part of the autograd graph is not supported/);
      assert.throws(() => x.slice(0, 0, 1).fill_(0), /fill_: in-place modification of a tensor that is part of the autograd graph/);
      // exp saves its output; a later in-place change of an input saved by mul is caught at backward.
      const c = tg.tensor([3, 4]);
      const y = x.mul(c).sum();
      c.slice(0, 0, 1).fill_(0);
      assert.throws(() => y.backward(), /saved by mul was modified by an in-place operation \(version 0 when saved, 1 now\)/);
      // A change to a tensor that no backward reads is fine: add saves nothing.
      const d = tg.tensor([3, 4]);
      const z = x.add(d).sum();
      d.zero_();
      z.backward();
      assert.deepEqual(x.grad!.toArray(), [1, 1]);
    }));
  });
}
