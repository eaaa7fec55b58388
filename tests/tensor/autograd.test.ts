// Autograd rules: requiresGrad propagation, leaves, retainGrad, noGrad, detach, .grad accumulation,
// explicit gradients, retainGraph, graphs that reuse a tensor, custom Function contracts.
// Expected gradients are derived by hand in the comments.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import * as tg from '../../src/index.js';
import { assertClose, testBackends, withBackend } from '../helpers.js';

for (const backend of testBackends()) {
  describe(`autograd rules [${backend}]`, () => {
    const run = (fn: () => void) => () => withBackend(backend, fn);

    it('requiresGrad propagates through ops; leaves have no gradFn', run(() => {
      const a = tg.tensor([1, 2], { requiresGrad: true });
      const b = tg.tensor([3, 4]);
      assert.equal(a.isLeaf, true);
      assert.equal(a.gradFn, null);
      const c = a.mul(b);
      assert.equal(c.requiresGrad, true);
      assert.equal(c.isLeaf, false);
      assert.equal(c.gradFn!.name, 'mul');
      const d = b.mul(2);
      assert.equal(d.requiresGrad, false);
      assert.equal(d.isLeaf, true);
      assert.equal(a.argmax().requiresGrad, false, 'integer results are not differentiable');
      assert.equal(a.gt(1).requiresGrad, false);
      const e = tg.zeros([2]).requiresGrad_();
      assert.equal(e.requiresGrad, true);
      e.requiresGrad = false;
      assert.equal(e.requiresGrad, false);
    }));

    it('noGrad records nothing and restores the mode, even after a throw', run(() => {
      const a = tg.tensor([1, 2], { requiresGrad: true });
      const r = tg.noGrad(() => a.mul(2).exp());
      assert.equal(r.requiresGrad, false);
      assert.equal(r.gradFn, null);
      assert.throws(() => tg.noGrad(() => { throw new Error('boom'); }), /boom/);
      assert.equal(tg.isGradEnabled(), true);
      const nested = tg.noGrad(() => tg.noGrad(() => 1) + (tg.isGradEnabled() ? 1 : 0));
      assert.equal(nested, 1);
      const prev = tg.setGradEnabled(false);
      assert.equal(a.mul(1).requiresGrad, false);
      tg.setGradEnabled(prev);
    }));

    it('detach shares storage but cuts the graph', run(() => {
      const a = tg.tensor([1, 2], { requiresGrad: true });
      const y = a.mul(3);
      const d = y.detach();
      assert.equal(d.requiresGrad, false);
      assert.equal(d.isLeaf, true);
      assert.equal(d.data, y.data);
      // z = a·stop(3a): dz/da = 3a (the detached factor is a constant).
      a.mul(d).sum().backward();
      assert.deepEqual(a.grad!.toArray(), [3, 6]);
    }));

    it('.grad accumulates across backward calls until zeroed or reset', run(() => {
      const w = tg.tensor([1, -1], { requiresGrad: true });
      const loss = () => w.mul(w).mul(tg.tensor([1, 2])).sum(); // d/dw = [2w0, 4w1] = [2, -4]
      loss().backward();
      assert.deepEqual(w.grad!.toArray(), [2, -4]);
      loss().backward();
      assert.deepEqual(w.grad!.toArray(), [4, -8]);
      w.grad!.zero_();
      loss().backward();
      assert.deepEqual(w.grad!.toArray(), [2, -4]);
      w.grad = null;
      loss().backward();
      assert.deepEqual(w.grad!.toArray(), [2, -4]);
      assert.equal(w.grad!.requiresGrad, false);
    }));

    it('gradients reach every use of a tensor (diamonds, reuse through views)', run(() => {
      const d = tg.tensor([2], { requiresGrad: true });
      const d1 = d.mul(d);
      d1.add(d1.mul(d)).sum().backward(); // d² + d³ -> 2d + 3d² = 16
      assert.deepEqual(d.grad!.toArray(), [16]);
      const m = tg.tensor([[1, 2], [3, 4]], { requiresGrad: true });
      m.t().mul(m).sum().backward(); // sum_ij m_ji m_ij -> grad 2·m_ji
      assert.deepEqual(m.grad!.toArray(), [[2, 6], [4, 8]]);
    }));

    it('retainGrad keeps non-leaf gradients; others are not stored', run(() => {
      const a = tg.tensor([1, 2], { requiresGrad: true });
      const b = a.mul(3);
      b.retainGrad();
      const c = b.mul(b).sum(); // dc/db = 2b = [6, 12]; dc/da = 3·2b = [18, 36]
      const unretained = b.add(0);
      c.backward();
      assert.deepEqual(b.grad!.toArray(), [6, 12]);
      assert.deepEqual(a.grad!.toArray(), [18, 36]);
      assert.equal(unretained.grad, null);
      // The retained gradient is a fresh tensor the user may modify.
      const e = tg.tensor([1, 2], { requiresGrad: true }).expand([3, 2]);
      e.retainGrad();
      e.sum().backward();
      e.grad!.zero_();
      assert.deepEqual(e.grad!.toArray(), [[0, 0], [0, 0], [0, 0]]);
    }));

    it('backward with an explicit gradient, and with options only', run(() => {
      const x = tg.tensor([1, 2, 3], { requiresGrad: true });
      x.mul(x).backward(tg.tensor([1, 0, -1])); // 2x·g
      assert.deepEqual(x.grad!.toArray(), [2, 0, -6]);
      const y = tg.tensor([2], { requiresGrad: true });
      const z = y.exp().sum();
      z.backward({ retainGraph: true });
      z.backward();
      assertClose(y.grad!, [2 * Math.exp(2)], { rtol: 1e-6 });
      // backward on a leaf itself seeds its gradient with ones.
      const l = tg.tensor([3], { requiresGrad: true });
      l.backward();
      assert.deepEqual(l.grad!.toArray(), [1]);
      // The gradient argument is not aliased: changing it later does not change .grad.
      const h = tg.tensor([1, 2], { requiresGrad: true });
      const seed = tg.tensor([1, 1]);
      h.mul(1).backward(seed);
      seed.fill_(5);
      assert.deepEqual(h.grad!.toArray(), [1, 1]);
    }));

    it('float64 leaves get float64 gradients through float32 parts of the graph', run(() => {
      const f = tg.tensor([1, 2], { dtype: 'float64', requiresGrad: true });
      f.float().mul(tg.tensor([0.5, 0.25])).sum().backward();
      assert.equal(f.grad!.dtype, 'float64');
      assert.deepEqual(f.grad!.toArray(), [0.5, 0.25]);
    }));

    it('backward frees the graph as it goes', run(() => {
      const x = tg.tensor([1, 2], { requiresGrad: true });
      const y = x.mul(2);
      const z = y.sum();
      z.backward();
      assert.equal(z.gradFn!.released, true);
      assert.equal(y.gradFn!.released, true);
      assert.deepEqual(y.gradFn!.inputs, []);
      // A branch the backward never reached is untouched.
      const w = x.mul(5);
      assert.equal(w.gradFn!.released, false);
    }));

    it('custom Function: forward records nothing, needsInputGrad, null gradients, saved tensors', run(() => {
      let insideRequiresGrad: boolean | null = null;
      let needs: readonly boolean[] = [];
      class MulAdd extends tg.Function {
        static override forward(ctx: tg.FunctionCtx, a: tg.Tensor, b: tg.Tensor, c: number): tg.Tensor {
          const out = a.mul(b).add(c);
          insideRequiresGrad = out.requiresGrad;
          needs = ctx.needsInputGrad;
          ctx.saveForBackward(a, b);
          return out;
        }
        static override backward(ctx: tg.FunctionCtx, g: tg.Tensor): (tg.Tensor | null)[] {
          const [a, b] = ctx.savedTensors as [tg.Tensor, tg.Tensor];
          return [ctx.needsInputGrad[0] ? g.mul(b) : null, ctx.needsInputGrad[1] ? g.mul(a) : null, null];
        }
      }
      const a = tg.tensor([1, 2], { requiresGrad: true });
      const b = tg.tensor([3, 4]);
      const y = MulAdd.apply(a, b, 10);
      assert.equal(insideRequiresGrad, false, 'nothing is recorded inside forward');
      assert.deepEqual(needs, [true, false, false]);
      assert.deepEqual(y.toArray(), [13, 18]);
      assert.equal(y.gradFn!.name, 'MulAdd');
      y.sum().backward();
      assert.deepEqual(a.grad!.toArray(), [3, 4]);
      assert.equal(b.grad, null);
      // Saved tensors are guarded by the version counter like built-in ops.
      const y2 = MulAdd.apply(a, b, 0);
      b.mul_(2);
      assert.throws(() => y2.sum().backward(), /saved by MulAdd was modified by an in-place operation/);
      // Under noGrad, apply records nothing.
      assert.equal(tg.noGrad(() => MulAdd.apply(a, b, 0)).requiresGrad, false);
      // A forward that returns its input unchanged still gets its own graph node.
      class Identity extends tg.Function {
        static override forward(_ctx: tg.FunctionCtx, x: tg.Tensor): tg.Tensor {
          return x;
        }
        static override backward(_ctx: tg.FunctionCtx, g: tg.Tensor): tg.Tensor[] {
          return [g.mul(2)];
        }
      }
      const leaf = tg.tensor([1], { requiresGrad: true });
      const out = Identity.apply(leaf);
      assert.notEqual(out, leaf);
      assert.equal(leaf.isLeaf, true);
      out.sum().backward();
      assert.deepEqual(leaf.grad!.toArray(), [2]);
    }));

    it('custom Function errors: wrong gradient shape, forward returning a non-tensor', run(() => {
      class BadShape extends tg.Function {
        static override forward(_ctx: tg.FunctionCtx, x: tg.Tensor): tg.Tensor {
          return x.sum();
        }
        static override backward(_ctx: tg.FunctionCtx, g: tg.Tensor): tg.Tensor[] {
          return [g];
        }
      }
      assert.throws(() => BadShape.apply(tg.ones([3], { requiresGrad: true })).backward(),
        /^ShapeError: backward: BadShape returned a gradient of shape \[\] for input 0 of shape \[3\]$/);
      class NotTensor extends tg.Function {
        static override forward(): tg.Tensor {
          return 3 as unknown as tg.Tensor;
        }
      }
      assert.throws(() => NotTensor.apply(tg.ones([1])), /^AutogradError: NotTensor.forward must return a Tensor$/);
    }));
  });
}
