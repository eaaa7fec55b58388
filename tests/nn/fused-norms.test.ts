import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import * as tg from '../../src/index.js';
import * as nn from '../../src/nn/index.js';
import { assertClose, randd } from '../helpers.js';

const F = nn.functional;

describe('LayerNorm as a custom Function with a hand-derived backward', () => {
  it('passes gradcheck in float64 (input, weight and bias)', () => {
    const x = randd([3, 2, 4], 1);
    const w = randd([2, 4], 2);
    const b = randd([2, 4], 3);
    tg.gradcheck((xx, ww, bb) => nn.layerNormFunction(xx!, [2, 4], ww, bb, 1e-5), [x, w, b]);
    tg.gradcheck((xx) => nn.layerNormFunction(xx!, [4]), [randd([2, 4], 4)]);
  });

  it('matches the autograd composition, forward and every gradient', () => {
    const x1 = randd([4, 5, 6], 5);
    const w1 = randd([6], 6);
    const b1 = randd([6], 7);
    const [x2, w2, b2] = [x1, w1, b1].map((t) => t.detach().clone().requiresGrad_());
    const g = randd([4, 5, 6], 8).detach();
    const y1 = nn.layerNormFunction(x1, [6], w1, b1);
    const y2 = F.layerNorm(x2!, [6], w2, b2);
    assertClose(y1, y2, { atol: 1e-12 });
    y1.backward(g);
    y2.backward(g);
    for (const [a, b] of [[x1, x2], [w1, w2], [b1, b2]] as const) assertClose(a.grad!, b!.grad!, { atol: 1e-12 });
  });

  it('skips gradients no input needs and saves only x̂, 1/σ and the weight', () => {
    const x = randd([3, 4], 9).detach();
    const w = randd([4], 10);
    const b = tg.zeros([4], { dtype: 'float64' }); // does not require grad
    const y = nn.layerNormFunction(x, [4], w, b);
    assert.equal(y.gradFn!.name, 'LayerNormFunction');
    let calls = 0;
    const orig = nn.LayerNormFunction.backward;
    nn.LayerNormFunction.backward = function (ctx, g) {
      calls++;
      assert.deepEqual(ctx.needsInputGrad, [false, true, false, false, false]);
      assert.equal(ctx.savedTensors.length, 3);
      const grads = orig.call(this, ctx, g);
      assert.equal(grads[0], null, 'no input gradient was asked for');
      assert.equal(grads[2], null, 'no bias gradient was asked for');
      return grads;
    };
    try {
      y.sum().backward();
    } finally {
      nn.LayerNormFunction.backward = orig;
    }
    assert.equal(calls, 1);
    assert.equal(x.grad, null);
    assert.ok(w.grad);
  });

  it('checks shapes with clear errors', () => {
    assert.throws(() => nn.layerNormFunction(tg.zeros([2, 3]), [4]), /LayerNormFunction: input \[2,3\] does not end with the normalized shape \[4\]/);
    assert.throws(() => nn.layerNormFunction(tg.zeros([2, 3]), [3], tg.ones([2])), /LayerNormFunction: weight has shape \[2\], expected the normalized shape \[3\]/);
    assert.throws(() => nn.layerNormFunction(tg.zeros([2, 3], { dtype: 'int32' }), [3]), /must be float32 or float64, got int32/);
  });
});

describe('BatchNorm as a custom Function with a hand-derived backward', () => {
  it('passes gradcheck in float64, training (batch statistics) and eval (running statistics)', () => {
    for (const shape of [[4, 3], [3, 2, 4], [2, 3, 2, 2]]) {
      const C = shape[1]!;
      const x = randd(shape, 11);
      const w = randd([C], 12);
      const b = randd([C], 13);
      tg.gradcheck((xx, ww, bb) => nn.batchNormFunction(xx!, null, null, ww, bb, { training: true }), [x, w, b]);
      const rm = randd([C], 14).detach();
      const rv = randd([C], 15).detach().abs().add(0.5);
      tg.gradcheck((xx, ww, bb) => nn.batchNormFunction(xx!, rm, rv, ww, bb, { training: false }), [x, w, b]);
    }
  });

  it('matches the autograd composition: output, gradients and running statistics', () => {
    for (const training of [true, false]) {
      const x1 = randd([5, 3, 2, 2], 16);
      const w1 = randd([3], 17);
      const b1 = randd([3], 18);
      const [x2, w2, b2] = [x1, w1, b1].map((t) => t.detach().clone().requiresGrad_());
      const rm1 = randd([3], 19).detach();
      const rv1 = randd([3], 20).detach().abs().add(0.5);
      const [rm2, rv2] = [rm1.clone(), rv1.clone()];
      const g = randd([5, 3, 2, 2], 21).detach();
      const y1 = nn.batchNormFunction(x1, rm1, rv1, w1, b1, { training, momentum: 0.2 });
      const y2 = F.batchNormComposed(x2!, rm2, rv2, w2, b2, { training, momentum: 0.2 });
      assertClose(y1, y2, { atol: 1e-12 });
      assertClose(rm1, rm2, { atol: 1e-12 });
      assertClose(rv1, rv2, { atol: 1e-12 });
      y1.backward(g);
      y2.backward(g);
      for (const [a, b] of [[x1, x2], [w1, w2], [b1, b2]] as const) assertClose(a.grad!, b!.grad!, { atol: 1e-11 });
    }
  });

  it('skips the input gradient when only the affine parameters train', () => {
    const x = randd([4, 2], 22).detach();
    const w = randd([2], 23);
    const y = nn.batchNormFunction(x, null, null, w, null, { training: true });
    let sawNull = false;
    const orig = nn.BatchNormFunction.backward;
    nn.BatchNormFunction.backward = function (ctx, g) {
      const grads = orig.call(this, ctx, g);
      sawNull = grads[0] === null && grads[1] !== null;
      return grads;
    };
    try {
      y.square().sum().backward();
    } finally {
      nn.BatchNormFunction.backward = orig;
    }
    assert.ok(sawNull);
  });

  it('checks shapes with clear errors', () => {
    assert.throws(() => nn.batchNormFunction(tg.zeros([4]), null, null), /BatchNormFunction: expected an input of at least 2 dims \[N, C, \.\.\.\], got \[4\]/);
    assert.throws(() => nn.batchNormFunction(tg.zeros([4, 3]), null, null, tg.ones([2]), null, { training: true }),
      /BatchNormFunction: input \[4,3\] has 3 channels but a per-channel tensor has shape \[2\]; expected \[3\]/);
    assert.throws(() => nn.batchNormFunction(tg.zeros([4, 3]), null, null), /running mean and variance are required when not training/);
  });
});

describe('norm implementation names', () => {
  it("'kernels' is BatchNorm's default; the old 'fused' still selects it; the old function names are aliases", () => {
    assert.equal(new nn.BatchNorm2d(3).impl, 'kernels');
    assert.equal(new nn.BatchNorm2d(3, { impl: 'fused' }).impl, 'kernels');
    assert.equal(new nn.LayerNorm(3, { impl: 'fused' }).impl, 'kernels');
    assert.equal(nn.fusedBatchNorm, nn.batchNormFunction);
    assert.equal(nn.fusedLayerNorm, nn.layerNormFunction);
    const x = randd([4, 3, 2, 2], 90).detach();
    const outs = (['kernels', 'fused', 'function', 'autograd'] as const).map((impl) => new nn.BatchNorm2d(3, { impl, dtype: 'float64' }).forward(x));
    for (const y of outs.slice(1)) assertClose(y, outs[0]!, { atol: 1e-12, rtol: 1e-12 });
  });
});
