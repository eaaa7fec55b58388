import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import * as tg from '../../src/index.js';
import * as L from '../../src/layers/index.js';

describe('layers: bad input gets errors naming the layer, shapes and values', () => {
  it('wrong input width, wrong dtype, wrong dOut shape', () => {
    const lin = new L.Linear(784, 100);
    assert.throws(() => lin.forward(tg.zeros([200, 785])), {
      name: 'ShapeError',
      message: /Linear\(784→100\): input \[200,785\] has 785 features in its last dimension, expected 784 \(weight \[100,784\]\)/,
    });
    assert.throws(() => lin.forward(tg.zeros([2, 1, 28, 28])), /Linear\(784→100\): input \[2,1,28,28\] has 28 features.*Flatten/);
    assert.throws(() => lin.forward(tg.zeros([2, 784], { dtype: 'float64' })), { name: 'DTypeError', message: /Linear\(784→100\): input is float64 but the weight is float32/ });
    const mlp = new L.MLP(4, [3], 2);
    assert.throws(() => mlp.forward(tg.zeros([5, 6])), /Linear\(4→3\): input \[5,6\] has 6 features/);
    mlp.forward(tg.zeros([5, 4]));
    assert.throws(() => mlp.backward(tg.zeros([5, 3])), { name: 'ShapeError', message: /MLP\(.*\)\.backward: dOut has shape \[5,3\], expected the shape of the last forward output \[5,2\]/ });
    assert.throws(() => new L.Linear(0, 3), /Linear: inFeatures must be a positive integer, got 0/);
    assert.throws(() => new L.MLP(4, [3, -1], 2), /MLP: hiddenDims\[1\] must be a positive integer, got -1 in \[3,-1\]/);
    assert.throws(() => new L.Dropout(1.5), /Dropout: p must be a probability in \[0, 1\], got 1.5/);
  });

  it('backward before forward', () => {
    assert.throws(() => new L.ReLU().backward(tg.zeros([2])), { name: 'LayerError', message: /ReLU\(\)\.backward: called before forward/ });
    assert.throws(() => new L.Linear(3, 2).backward(tg.zeros([1, 2])), /Linear\(3→2\)\.backward: called before forward/);
    assert.throws(() => new L.CrossEntropyLoss().backward(), /CrossEntropyLoss\.backward: called before forward/);
  });

  it('labels out of range, of the wrong dtype or length', () => {
    const ce = new L.CrossEntropyLoss();
    const z = tg.zeros([3, 10]);
    assert.throws(() => ce.forward(z, tg.tensor([1, 12, 3], { dtype: 'int32' })), {
      name: 'IndexError',
      message: /CrossEntropyLoss: label 12 at index 1 is out of range for 10 classes \(logits \[3,10\]\); expected 0..9/,
    });
    assert.throws(() => ce.forward(z, tg.tensor([1, -1, 3], { dtype: 'int32' })), /label -1 at index 1 is out of range/);
    assert.throws(() => ce.forward(z, tg.tensor([1, 2, 3])), { name: 'DTypeError', message: /labels must be int32 class indices, got float32; for one-hot or soft targets use CategoricalCrossEntropy/ });
    assert.throws(() => ce.forward(z, tg.tensor([1, 2], { dtype: 'int32' })), /labels \[2\] do not match logits \[3,10\]; expected labels \[3\]/);
    assert.throws(() => new L.MSELoss().forward(tg.zeros([3, 1]), tg.zeros([3])), /MSELoss: input \[3,1\] and target \[3\] must have the same shape/);
  });

  it('a NaN or infinite loss', () => {
    const z = tg.tensor([[0, 1], [NaN, 2]]);
    assert.throws(() => new L.CrossEntropyLoss().forward(z, tg.tensor([0, 1], { dtype: 'int32' })), {
      name: 'LayerError',
      message: /CrossEntropyLoss: the loss is NaN for input \[2,2\] and target \[2\]; the input holds 1 NaN and 0 infinite values \(first at flat index 2\)/,
    });
    assert.throws(() => new L.MSELoss().forward(tg.tensor([1, 2]), tg.tensor([Infinity, 0])), /MSELoss: the loss is Infinity.*the target holds 0 NaN and 1 infinite values/);
    assert.throws(() => new L.CategoricalCrossEntropy().forward(tg.tensor([[0, 1]]), tg.tensor([[1, 0]])), /CategoricalCrossEntropy: the loss is Infinity.*a probability was 0 where the target is not/);
  });
});

describe('layers: behaviour fixed by hand', () => {
  it('Linear init is U(-1/√in, 1/√in) for weight and bias, and seeded', () => {
    const a = new L.Linear(400, 50, { generator: new tg.Generator(3) });
    const b = new L.Linear(400, 50, { generator: new tg.Generator(3) });
    assert.deepEqual(Array.from(a.weight.toTypedArray()), Array.from(b.weight.toTypedArray()));
    const w = Array.from(a.weight.toTypedArray());
    const bound = 1 / 20;
    assert.ok(w.every((v) => Math.abs(v) <= bound));
    // Uniform on [-b, b]: mean 0, variance b²/3 (20000 samples: loose but failing for a wrong bound).
    const mean = w.reduce((s, v) => s + v, 0) / w.length;
    const variance = w.reduce((s, v) => s + v * v, 0) / w.length;
    assert.ok(Math.abs(mean) < 0.002, `mean ${mean}`);
    assert.ok(Math.abs(variance / (bound * bound / 3) - 1) < 0.05, `variance ${variance}`);
    assert.ok(Math.max(...w) > 0.049 && Math.min(...w) < -0.049);
    assert.ok(Array.from(a.bias!.toTypedArray()).every((v) => Math.abs(v) <= bound));
  });

  it('Dropout zeroes about p of the elements, scales survivors by 1/(1-p), and is the identity in eval', () => {
    const d = new L.Dropout(0.25, { generator: new tg.Generator(5) });
    const x = tg.ones([100, 100]);
    const y = Array.from(d.forward(x).toTypedArray());
    const zeros = y.filter((v) => v === 0).length;
    assert.ok(Math.abs(zeros / 10000 - 0.25) < 0.02, `dropped ${zeros}`);
    assert.ok(y.every((v) => v === 0 || Math.abs(v - 4 / 3) < 1e-6));
    const g = Array.from(d.backward(tg.full([100, 100], 3)).toTypedArray());
    g.forEach((v, i) => assert.ok(Math.abs(v - 3 * y[i]!) < 1e-5));
    d.eval();
    assert.equal(d.forward(x), x);
    assert.deepEqual(Array.from(new L.Dropout(1).forward(tg.ones([4])).toTypedArray()), [0, 0, 0, 0]);
  });

  it('sgdStep: p ← p - lr·(g + λ·p), by hand', () => {
    const lin = new L.Linear(2, 1, { dtype: 'float64' });
    lin.weight.copy_(tg.tensor([[1, -2]], { dtype: 'float64' }));
    lin.bias!.copy_(tg.tensor([0.5], { dtype: 'float64' }));
    lin.weightGrad.copy_(tg.tensor([[0.1, 0.3]], { dtype: 'float64' }));
    lin.biasGrad!.copy_(tg.tensor([-1], { dtype: 'float64' }));
    L.sgdStep(lin, { lr: 0.5, weightDecay: 0.1 });
    // 1 - 0.5(0.1 + 0.1) = 0.9; -2 - 0.5(0.3 - 0.2) = -2.05; 0.5 - 0.5(-1 + 0.05) = 0.975
    assert.deepEqual(Array.from(lin.weight.toTypedArray()).map((v) => +v.toFixed(12)), [0.9, -2.05]);
    assert.deepEqual(Array.from(lin.bias!.toTypedArray()).map((v) => +v.toFixed(12)), [0.975]);
    assert.throws(() => L.sgdStep(lin, { lr: -1 }), /SGD: lr must be a non-negative finite number, got -1/);
    const opt = new L.SGD(lin, { lr: 0.1 });
    opt.zeroGrad();
    assert.deepEqual(Array.from(lin.weightGrad.toTypedArray()), [0, 0]);
  });

  it('accuracy counts argmax matches', () => {
    const s = tg.tensor([[0.1, 0.9], [0.8, 0.2], [0.3, 0.7], [0.6, 0.4]]);
    assert.equal(L.accuracy(s, tg.tensor([1, 0, 0, 1], { dtype: 'int32' })), 0.5);
  });
});
