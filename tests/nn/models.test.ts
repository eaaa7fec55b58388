import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import * as tg from '../../src/index.js';
import * as nn from '../../src/nn/index.js';
import { assertClose } from '../helpers.js';
import { T, fixture, stateOf, type TJ } from './fixtures.js';

interface ModelCase {
  name: string;
  namedParameters: [string, number[]][];
  stateDictKeys: string[];
  numParameters: number;
  inputShape: number[];
  state?: Record<string, TJ>;
  input?: TJ;
  target?: TJ;
  output?: TJ;
  loss?: number;
  grads?: Record<string, TJ>;
  stateAfter?: Record<string, TJ>;
  evalOutput?: TJ;
}

const cases = new Map(fixture<ModelCase[]>('models.json').map((c) => [c.name, c]));

/** The same CNN as the fixture's nn.Sequential. */
function cnn(): nn.Sequential {
  return new nn.Sequential(
    new nn.Conv2d(1, 8, 3, { padding: 1 }), new nn.BatchNorm2d(8), new nn.ReLU(), new nn.MaxPool2d(2),
    new nn.Conv2d(8, 16, 3, { padding: 1 }), new nn.BatchNorm2d(16), new nn.ReLU(), new nn.MaxPool2d(2),
    new nn.Flatten(), new nn.Dropout(0.25), new nn.Linear(16 * 7 * 7, 64), new nn.ReLU(), new nn.Linear(64, 10),
  );
}

function mlp(): nn.Sequential {
  return new nn.Sequential(new nn.Flatten(), new nn.Linear(784, 128), new nn.ReLU(), new nn.Dropout(0.2), new nn.Linear(128, 10));
}

/** Mirrors the fixture's Net: parameters found by walking the fields in declaration order. */
class Net extends nn.Module {
  features = new nn.Sequential(
    new nn.Conv2d(1, 4, 3, { padding: 1, dtype: 'float64' }), new nn.BatchNorm2d(4, { dtype: 'float64' }), new nn.ReLU(), new nn.MaxPool2d(2),
    new nn.Conv2d(4, 6, 3, { dtype: 'float64' }), new nn.BatchNorm2d(6, { dtype: 'float64' }), new nn.ReLU(), new nn.AdaptiveAvgPool2d(1),
  );
  blocks = new nn.ModuleList([new nn.Linear(6, 6, { dtype: 'float64' }), new nn.Linear(6, 6, { dtype: 'float64' })]);
  norm = new nn.LayerNorm(6, { dtype: 'float64' });
  head = new nn.Linear(6, 3, { dtype: 'float64' });

  forward(x: tg.Tensor): tg.Tensor {
    let h = this.features.forward(x).flatten(1);
    for (const b of this.blocks) h = b.forward(h).tanh();
    return this.head.forward(this.norm.forward(h));
  }
}

describe('composite models: names, shapes and counts match PyTorch', () => {
  for (const [name, make] of [['cnn', cnn], ['mlp', mlp], ['net', () => new Net()]] as const) {
    it(name, () => {
      const c = cases.get(name)!;
      const m = make();
      assert.deepEqual([...m.namedParameters()].map(([n, p]) => [n, [...p.shape]]), c.namedParameters);
      assert.deepEqual([...m.stateDict().keys()], c.stateDictKeys);
      assert.equal(m.numParameters(), c.numParameters);
    });
  }

  it('Net: forward, loss, gradients and running statistics with PyTorch weights; then eval mode', () => {
    const c = cases.get('net')!;
    const m = new Net();
    m.loadStateDict(stateOf(c.state!));
    const x = T(c.input!);
    const y = m.forward(x);
    assertClose(y, T(c.output!), { atol: 1e-10, rtol: 1e-8, msg: 'output' });
    const loss = nn.F.crossEntropy(y, T(c.target!));
    assert.ok(Math.abs(loss.item() - c.loss!) < 1e-10, `loss ${loss.item()} vs ${c.loss}`);
    loss.backward();
    const params = new Map(m.namedParameters());
    for (const [k, g] of Object.entries(c.grads!)) assertClose(params.get(k)!.grad!, T(g), { atol: 1e-10, rtol: 1e-8, msg: `grad ${k}` });
    const sd = m.stateDict();
    for (const [k, v] of Object.entries(c.stateAfter!)) assertClose(sd.get(k)!, T(v), { atol: 1e-10, rtol: 1e-8, msg: k });
    m.eval();
    assertClose(tg.noGrad(() => m.forward(x)), T(c.evalOutput!), { atol: 1e-10, rtol: 1e-8, msg: 'eval output' });
  });

  it('summary lists each leaf layer with its output shape and parameter count (worked out by hand)', () => {
    const m = cnn();
    const s = m.summary([1, 28, 28]);
    const rows = nn.summaryRows(m, [1, 28, 28]);
    assert.deepEqual(rows.map((r) => [r.name, r.type, r.outputShape, r.params]), [
      ['0', 'Conv2d', [-1, 8, 28, 28], 8 * 9 + 8],
      ['1', 'BatchNorm2d', [-1, 8, 28, 28], 16],
      ['2', 'ReLU', [-1, 8, 28, 28], 0],
      ['3', 'MaxPool2d', [-1, 8, 14, 14], 0],
      ['4', 'Conv2d', [-1, 16, 14, 14], 16 * 8 * 9 + 16],
      ['5', 'BatchNorm2d', [-1, 16, 14, 14], 32],
      ['6', 'ReLU', [-1, 16, 14, 14], 0],
      ['7', 'MaxPool2d', [-1, 16, 7, 7], 0],
      ['8', 'Flatten', [-1, 784], 0],
      ['9', 'Dropout', [-1, 784], 0],
      ['10', 'Linear', [-1, 64], 784 * 64 + 64],
      ['11', 'ReLU', [-1, 64], 0],
      ['12', 'Linear', [-1, 10], 650],
    ]);
    assert.match(s, /^10 \(Linear\)\s+\[-1, 64\]\s+50,240$/m);
    assert.match(s, /^Total params: 52,186$/m);
    assert.equal(cases.get('cnn')!.numParameters, 52186);
    assert.match(s, /^Trainable params: 52,186$/m);
    assert.match(s, /^Non-trainable params: 0$/m);
    // The summary runs in eval mode and restores the flags: running statistics are untouched.
    assert.equal(m.training, true);
    assert.equal((m.at(1) as nn.BatchNorm2d).numBatchesTracked, 0);
    m.at(0).requiresGrad_(false);
    assert.match(m.summary([1, 28, 28]), /^Non-trainable params: 80$/m);
  });

  it('summary names the model when the input shape does not fit', () => {
    assert.throws(() => mlp().summary([1, 28, 27]), /summary: running a \[2, 1, 28, 27\] input through Sequential failed: Linear\(784, 128\): expected input \[\.\.\., 784\], got \[2,756\]/);
  });
});
