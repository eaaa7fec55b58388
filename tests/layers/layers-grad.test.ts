import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import * as tg from '../../src/index.js';
import * as L from '../../src/layers/index.js';
import { assertClose } from '../helpers.js';
import { checkLayer, checkLoss, randn64 } from './gradcheck-helpers.js';

const f64 = { dtype: 'float64' as const };

describe('layers: backward vs autograd and finite differences (float64)', () => {
  it('Linear, with 2-d and 3-d inputs and without bias', () => {
    const lin = new L.Linear(4, 3, { ...f64, generator: new tg.Generator(1) });
    const ref = (x: tg.Tensor, p: Map<string, tg.Tensor>): tg.Tensor => tg.linear(x, p.get('weight')!, p.get('bias')!);
    checkLayer(lin, randn64([5, 4], 2), ref);
    checkLayer(lin, randn64([2, 3, 4], 3), ref);
    const nb = new L.Linear(3, 2, { ...f64, bias: false, generator: new tg.Generator(4) });
    assert.deepEqual([...nb.params().keys()], ['weight']);
    checkLayer(nb, randn64([4, 3], 5), (x, p) => tg.linear(x, p.get('weight')!));
  });

  it('elementwise activations on any shape', () => {
    const x = randn64([2, 3, 4], 7);
    checkLayer(new L.ReLU(), x, (v) => tg.relu(v));
    checkLayer(new L.LeakyReLU(0.2), x, (v) => tg.leakyRelu(v, 0.2));
    checkLayer(new L.ELU(0.7), x, (v) => tg.elu(v, 0.7));
    checkLayer(new L.Sigmoid(), x, (v) => tg.sigmoid(v));
    checkLayer(new L.Tanh(), randn64([6], 8), (v) => tg.tanh(v));
    checkLayer(new L.Flatten(), x, (v) => v.reshape([2, 12]));
  });

  it('Softmax along the last and a middle dim (vector-Jacobian product)', () => {
    const x = randn64([3, 4, 5], 9);
    checkLayer(new L.Softmax(), x, (v) => tg.softmax(v, -1));
    checkLayer(new L.Softmax(1), x, (v) => tg.softmax(v, 1));
  });

  it('Dropout in training mode (fixed mask) and eval mode', () => {
    const g = new tg.Generator(0);
    const d = new L.Dropout(0.4, { generator: g });
    const x = randn64([6, 5], 10);
    checkLayer(d, x, null, { reseed: () => g.manualSeed(11) });
    d.eval();
    checkLayer(d, x, (v) => v);
  });

  it('Sequential and MLP (ELU, dropout off) against a tg-ops composition', () => {
    const mlp = new L.MLP(5, [4, 3], 3, { activation: 'elu', ...f64, generator: new tg.Generator(12) });
    assert.deepEqual([...mlp.params().keys()], ['0.weight', '0.bias', '2.weight', '2.bias', '4.weight', '4.bias']);
    checkLayer(mlp, randn64([6, 5], 13), (x, p) => {
      let h = tg.elu(tg.linear(x, p.get('0.weight')!, p.get('0.bias')!));
      h = tg.elu(tg.linear(h, p.get('2.weight')!, p.get('2.bias')!));
      return tg.linear(h, p.get('4.weight')!, p.get('4.bias')!);
    });
    const g = new tg.Generator(0);
    const withDrop = new L.MLP(4, [6], 2, { activation: 'tanh', dropout: 0.3, ...f64, generator: g });
    assert.equal(withDrop.layers.map((l) => l.describe()).join(' '), 'Linear(4→6) Tanh() Dropout(p=0.3) Linear(6→2)');
    checkLayer(withDrop, randn64([5, 4], 14), null, { reseed: () => g.manualSeed(15) });
  });

  it('losses: cross-entropy from logits, categorical cross-entropy, MSE, summed squared error', () => {
    const logits = randn64([5, 4], 16);
    const labels = tg.tensor([3, 0, 1, 3, 2], { dtype: 'int32' });
    const ceRef = (z: tg.Tensor): tg.Tensor => tg.gather(tg.logSoftmax(z, 1), 1, labels.reshape([5, 1])).mean().neg();
    checkLoss(new L.CrossEntropyLoss(), logits, labels, ceRef);
    checkLoss(new L.CrossEntropyLoss(), logits, labels, ceRef, 2.5);
    checkLoss(new L.CrossEntropyLoss('sum'), logits, labels, (z) => ceRef(z).mul(5));
    const probs = tg.softmax(randn64([5, 4], 17), 1);
    const soft = tg.softmax(randn64([5, 4], 18), 1);
    checkLoss(new L.CategoricalCrossEntropy(), probs, soft, (p, t) => t.mul(p.log()).sum().div(-5));
    const oh = tg.oneHot(labels, 4, 'float64');
    checkLoss(new L.CategoricalCrossEntropy(), probs, oh, (p, t) => t.mul(p.log()).sum().div(-5));
    const a = randn64([3, 2], 19);
    const b = randn64([3, 2], 20);
    checkLoss(new L.MSELoss(), a, b, (p, t) => p.sub(t).square().mean());
    checkLoss(new L.SumSquaredError(), a, b, (p, t) => p.sub(t).square().sum());
  });

  it('Softmax → CategoricalCrossEntropy on one-hot targets gives the cross-entropy-from-logits gradient', () => {
    const z = randn64([4, 3], 21);
    const labels = tg.tensor([2, 0, 1, 1], { dtype: 'int32' });
    const sm = new L.Softmax();
    const cce = new L.CategoricalCrossEntropy();
    const ce = new L.CrossEntropyLoss();
    const l1 = cce.forward(sm.forward(z), tg.oneHot(labels, 3, 'float64')).item();
    const d1 = sm.backward(cce.backward());
    const l2 = ce.forward(z, labels).item();
    const d2 = ce.backward();
    assertClose([l1], [l2], { atol: 1e-12 });
    assertClose(d1, d2, { atol: 1e-12 });
  });

  it('backwardParams fills the same gradients as backward without computing the input gradient', () => {
    const net = new L.Sequential(new L.Flatten(), new L.Linear(6, 4, { ...f64, generator: new tg.Generator(30), perSampleGrads: true }), new L.ELU(), new L.Linear(4, 3, { ...f64, generator: new tg.Generator(31) }));
    const x = randn64([5, 2, 3], 32);
    const r = randn64([5, 3], 33);
    net.forward(x);
    net.backward(r);
    const full = new Map([...net.grads(), ...[...net.gradSamples()].map(([k, v]) => [`sample ${k}`, v] as const)].map(([k, v]) => [k, v.clone()]));
    net.zeroGrad();
    net.forward(x);
    net.backwardParams(r);
    const part = new Map([...net.grads(), ...[...net.gradSamples()].map(([k, v]) => [`sample ${k}`, v] as const)]);
    assert.deepEqual([...part.keys()], [...full.keys()]);
    for (const [k, v] of full) assertClose(part.get(k)!, v, { atol: 1e-14, msg: k });
    assert.throws(() => new L.Linear(2, 2).backwardParams(tg.zeros([1, 2])), /Linear\(2→2\)\.backward: called before forward/);
  });

  it('per-sample gradients of Linear sum to the batch gradient and match outer products', () => {
    const lin = new L.Linear(3, 2, { ...f64, generator: new tg.Generator(22), perSampleGrads: true });
    const x = randn64([4, 3], 23);
    lin.forward(x);
    const g = randn64([4, 2], 24);
    lin.backward(g);
    const s = lin.gradSamples();
    assert.deepEqual(s.get('weight')!.shape, [4, 2, 3]);
    assert.deepEqual(s.get('bias')!.shape, [4, 2]);
    assertClose(s.get('weight')!.sum(0), lin.weightGrad, { atol: 1e-12 });
    assertClose(s.get('bias')!.sum(0), lin.biasGrad!, { atol: 1e-12 });
    // Sample 2, by hand: g[2]ᵀ x[2] (an outer product).
    const gx = g.toArray() as number[][];
    const xx = x.toArray() as number[][];
    const hand = gx[2]!.map((gi) => xx[2]!.map((xj) => gi * xj));
    assertClose(s.get('weight')!.select(0, 2), hand, { atol: 1e-12 });
  });
});
