import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { setImmediate as tick } from 'node:timers/promises';
import * as tg from '../src/index.js';
import { assertClose } from './helpers.js';

describe('autograd basics', () => {
  it('computes d/dx of sum(x*x) = 2x and accumulates across backward calls', () => {
    const x = tg.tensor([1, -2, 3], { requiresGrad: true });
    x.mul(x).sum().backward();
    assertClose(x.grad!, [2, -4, 6]);
    x.mul(x).sum().backward();
    assertClose(x.grad!, [4, -8, 12]);
    x.grad!.zero_();
    assertClose(x.grad!, [0, 0, 0]);
  });

  it('refuses backward on a non-scalar without a gradient', () => {
    const x = tg.tensor([1, 2], { requiresGrad: true });
    assert.throws(() => x.mul(2).backward(), /one-element output, got shape \[2\]/);
    x.mul(2).backward(tg.tensor([1, 1]));
    assertClose(x.grad!, [2, 2]);
  });

  it('reports a second backward through a freed graph, and allows it with retainGraph', () => {
    const x = tg.tensor([1, 2], { requiresGrad: true });
    const y = x.exp().sum();
    y.backward();
    assert.throws(() => y.backward(), /backward through the graph a second time/);
    const z = x.exp().sum();
    z.backward(null, { retainGraph: true });
    z.backward();
    assertClose(x.grad!, [1, 2].map((v) => 3 * Math.exp(v)), { rtol: 1e-5 });
  });

  it('records nothing inside noGrad and cuts the graph at detach', () => {
    const x = tg.tensor([1, 2], { requiresGrad: true });
    const y = tg.noGrad(() => x.mul(3));
    assert.equal(y.requiresGrad, false);
    const z = x.detach().mul(3);
    assert.equal(z.requiresGrad, false);
    assert.equal(tg.isGradEnabled(), true);
  });

  it('errors instead of a wrong gradient when a saved tensor is changed in place', () => {
    const w = tg.tensor([1, 2], { requiresGrad: true });
    const x = tg.tensor([3, 4]);
    const y = w.mul(x).sum();
    x.mul_(2);
    assert.throws(() => y.backward(), /modified by an in-place operation/);
    assert.throws(() => w.add_(1), /leaf tensor that requires grad/);
    tg.noGrad(() => w.add_(1));
    assertClose(w, [2, 3]);
  });

  it('gives each leaf a .grad of its own: fresh gradients are taken as they are, shared ones are copied', () => {
    const a = tg.tensor([1, 2, 3], { requiresGrad: true });
    const b = tg.tensor([4, 5, 6], { requiresGrad: true });
    a.add(b).sum().backward(); // add passes one gradient to both inputs
    assert.notEqual(a.grad!.data, b.grad!.data);
    a.grad!.add_(10);
    assertClose(b.grad!, [1, 1, 1]);

    // A gradient the caller passes in is never adopted, not even through a view.
    const x = tg.tensor([[1, 2], [3, 4]], { requiresGrad: true });
    const seed = tg.tensor([1, 2, 3, 4]);
    x.reshape([4]).backward(seed);
    assert.notEqual(x.grad!.data, seed.data);
    seed.mul_(0);
    assertClose(x.grad!, [[1, 2], [3, 4]]);

    // A custom Function may return any tensor (here one it keeps): the leaf gets a copy.
    const kept = tg.tensor([7, 8]);
    class Keep extends tg.Function {
      static override forward(_ctx: tg.FunctionCtx, t: tg.Tensor): tg.Tensor {
        return t.mul(1);
      }
      static override backward(): tg.Tensor[] {
        return [kept];
      }
    }
    const w = tg.tensor([0, 0], { requiresGrad: true });
    (Keep.apply(w) as tg.Tensor).sum().backward();
    assert.notEqual(w.grad!.data, kept.data);

    // Linear's weight gradient arrives in the weight's own (contiguous) layout, and a second
    // backward adds into it in place without touching the first pass's tensors.
    const lw = tg.tensor([[1, 2, 3], [4, 5, 6]], { requiresGrad: true });
    const inp = tg.tensor([[1, 0, 2], [0, 1, 1]]);
    tg.linear(inp, lw).sum().backward();
    assert.ok(lw.grad!.isContiguous());
    assertClose(lw.grad!, [[1, 1, 3], [1, 1, 3]]);
    const first = lw.grad!;
    tg.linear(inp, lw).square().sum().backward();
    assert.equal(lw.grad, first);
    // x Wᵀ = [[7, 16], [5, 11]]; d/dW of its summed squares is 2 (x Wᵀ)ᵀ x = [[14, 10, 38], [32, 22, 86]].
    assertClose(lw.grad!, [[15, 11, 41], [33, 23, 89]]);
    assertClose(inp, [[1, 0, 2], [0, 1, 1]]);
  });

  it('keeps memory flat over many training steps (no dispose needed)', async () => {
    tg.manualSeed(0);
    const w = tg.randn([128, 128], { requiresGrad: true });
    const x = tg.randn([64, 128]);
    const step = () => {
      const loss = x.matmul(w).tanh().square().mean();
      loss.backward();
      tg.noGrad(() => w.sub_(w.grad!.mul(0.01)));
      w.grad = null;
    };
    // V8 frees array-buffer memory in a background sweep after a collection: let it finish (a few
    // event-loop turns) so the figure is what is still reachable, not what is waiting to be freed.
    const used = async () => {
      for (let i = 0; i < 3; i++) {
        global.gc?.();
        await tick();
      }
      const m = process.memoryUsage();
      return m.heapUsed + m.arrayBuffers;
    };
    for (let i = 0; i < 50; i++) step();
    const before = await used();
    for (let i = 0; i < 300; i++) step();
    const after = await used();
    // Each step allocates over 200 KB of activations and gradients; a leak would keep 60 MB or more.
    assert.ok(after - before < 15e6, `memory grew by ${((after - before) / 1e6).toFixed(1)} MB over 300 steps`);
  });
});
