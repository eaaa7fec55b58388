// The layers' MomentumSGD, RMSProp and Adam (over net.params()/net.grads()) take the same steps as
// tg.optim's SGD/RMSprop/Adam (themselves checked against PyTorch in tests/optim) fed the same gradients.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import * as tg from '../../src/index.js';
import * as L from '../../src/layers/index.js';
import { assertClose } from '../helpers.js';

type Pair = [(net: L.MLP) => L.LayerOptimizer, (ps: tg.Tensor[]) => tg.optim.Optimizer<{ lr: number }>];

/** Trains a float64 MLP 5 steps with the layer optimizer and mirrors every step with tg.optim on copies. */
function mirror(name: string, [makeLayerOpt, makeTorchLike]: Pair): void {
  const net = new L.MLP(4, [5], 3, { dtype: 'float64', activation: 'elu', generator: new tg.Generator(3) });
  const names = [...net.params().keys()];
  const copies = names.map((n) => net.params().get(n)!.clone().detach().requiresGrad_());
  const opt = makeLayerOpt(net);
  const ref = makeTorchLike(copies);
  const ce = new L.CrossEntropyLoss();
  const gen = new tg.Generator(9);
  for (let step = 0; step < 5; step++) {
    const x = tg.randn([6, 4], { dtype: 'float64', generator: gen });
    const y = tg.randint(0, 3, [6], { generator: gen });
    ce.forward(net.forward(x), y);
    net.backward(ce.backward());
    names.forEach((n, i) => (copies[i]!.grad = net.grads().get(n)!.clone()));
    opt.step();
    ref.step();
    names.forEach((n, i) => assertClose(net.params().get(n)!, copies[i]!.detach(), { atol: 1e-12, rtol: 1e-10, msg: `${name} step ${step + 1} ${n}` }));
  }
}

describe('layer optimizers match tg.optim step for step (float64)', () => {
  const cases: [string, Pair][] = [
    ['SGD momentum', [(n) => new L.MomentumSGD(n, { lr: 0.1, momentum: 0.9 }), (p) => new tg.optim.SGD(p, { lr: 0.1, momentum: 0.9 })]],
    ['SGD nesterov + weight decay', [(n) => new L.MomentumSGD(n, { lr: 0.05, momentum: 0.8, nesterov: true, weightDecay: 0.01 }), (p) => new tg.optim.SGD(p, { lr: 0.05, momentum: 0.8, nesterov: true, weightDecay: 0.01 })]],
    ['SGD dampening', [(n) => new L.MomentumSGD(n, { lr: 0.1, momentum: 0.5, dampening: 0.3 }), (p) => new tg.optim.SGD(p, { lr: 0.1, momentum: 0.5, dampening: 0.3 })]],
    ['SGD without momentum', [(n) => new L.MomentumSGD(n, { lr: 0.2 }), (p) => new tg.optim.SGD(p, { lr: 0.2 })]],
    ['RMSProp', [(n) => new L.RMSProp(n, { lr: 0.01 }), (p) => new tg.optim.RMSprop(p, { lr: 0.01 })]],
    ['RMSProp centered + momentum + decay', [(n) => new L.RMSProp(n, { lr: 0.01, centered: true, momentum: 0.9, weightDecay: 0.1, alpha: 0.9 }), (p) => new tg.optim.RMSprop(p, { lr: 0.01, centered: true, momentum: 0.9, weightDecay: 0.1, alpha: 0.9 })]],
    ['Adam', [(n) => new L.Adam(n, { lr: 0.01 }), (p) => new tg.optim.Adam(p, { lr: 0.01 })]],
    ['Adam betas + weight decay', [(n) => new L.Adam(n, { lr: 0.02, betas: [0.8, 0.99], weightDecay: 0.05, eps: 1e-6 }), (p) => new tg.optim.Adam(p, { lr: 0.02, betas: [0.8, 0.99], weightDecay: 0.05, eps: 1e-6 })]],
  ];
  for (const [name, pair] of cases) it(name, () => mirror(name, pair));

  it('state dicts round-trip: a restored optimizer continues the same trajectory', () => {
    const make = () => new L.MLP(3, [4], 2, { dtype: 'float64', generator: new tg.Generator(5) });
    const a = make();
    const b = make();
    const oa = new L.Adam(a, { lr: 0.05 });
    const ob = new L.Adam(b, { lr: 0.05 });
    const ce = new L.CrossEntropyLoss();
    const x = tg.randn([5, 3], { dtype: 'float64', generator: new tg.Generator(1) });
    const y = tg.tensor(Int32Array.from([0, 1, 1, 0, 1]));
    const train = (net: L.MLP, opt: L.LayerOptimizer) => {
      ce.forward(net.forward(x), y);
      net.backward(ce.backward());
      opt.step();
    };
    train(a, oa);
    train(b, ob);
    const saved = oa.stateDict();
    train(a, oa);
    oa.loadStateDict(saved);
    // Put a's weights back to b's (same as a's before the extra step) and continue both.
    for (const [k, p] of a.params()) p.copy_(b.params().get(k)!);
    train(a, oa);
    train(b, ob);
    for (const [k, p] of a.params()) assertClose(p, b.params().get(k)!, { atol: 0, msg: k });
    assert.equal(oa.stateDict().step, 2);
  });

  it('bad hyperparameters are refused with the optimizer and value named', () => {
    const net = new L.MLP(2, [], 2);
    assert.throws(() => new L.MomentumSGD(net, { lr: -1 }), /MomentumSGD: lr must be a non-negative finite number, got -1/);
    assert.throws(() => new L.MomentumSGD(net, { lr: 0.1, nesterov: true }), /Nesterov momentum needs momentum > 0/);
    assert.throws(() => new L.RMSProp(net, { alpha: 1 }), /RMSProp: alpha must be in \[0, 1\), got 1/);
    assert.throws(() => new L.Adam(net, { betas: [0.9, 1.5] }), /Adam: betas\[1\] must be in \[0, 1\), got 1.5/);
  });
});
