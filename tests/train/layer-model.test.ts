// Hand-derived layer models in the Trainer: LayerModule routes autograd's backward into the layers'
// own backward, so FitResult, checkpoints, tg.optim and the layers' optimizers all work on them.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as tg from '../../src/index.js';
import * as L from '../../src/layers/index.js';
import * as train from '../../src/train/index.js';
import { DataLoader } from '../../src/data/dataloader.js';
import { TensorDataset } from '../../src/data/dataset.js';
import { assertClose } from '../helpers.js';

const mlp = (seed: number, dtype: 'float32' | 'float64' = 'float64') => new L.MLP(4, [6], 3, { dtype, activation: 'elu', generator: new tg.Generator(seed) });

/** A separable 3-class problem: the class is the largest of the first three features. */
function toyData(n: number, seed: number, dtype: 'float32' | 'float64' = 'float64'): DataLoader<[tg.Tensor, tg.Tensor]> {
  const x = tg.randn([n, 4], { dtype, generator: new tg.Generator(seed) });
  const y = tg.argmax(x.slice(1, 0, 3), 1);
  return new DataLoader(new TensorDataset(x, y), { batchSize: 16 }) as unknown as DataLoader<[tg.Tensor, tg.Tensor]>;
}

describe('LayerModule', () => {
  it("hands autograd the layers' hand-derived gradients (parameters and input), checked by gradcheck", () => {
    const net = mlp(1);
    const m = new train.LayerModule(net);
    assert.deepEqual([...m.stateDict().keys()], [...net.params().keys()]);
    const x = tg.randn([5, 4], { dtype: 'float64', generator: new tg.Generator(2) }).requiresGrad_();
    const y = tg.tensor(Int32Array.from([0, 2, 1, 1, 0]));
    tg.nn.functional.crossEntropy(m.forward(x), y).backward();
    // The same loss through the layers' own loss and backward.
    const ce = new L.CrossEntropyLoss();
    ce.forward(net.forward(x.detach()), y);
    const dx = net.backward(ce.backward());
    for (const [name, p] of m.namedParameters()) assertClose(p.grad!, net.grads().get(name)!, { atol: 1e-12, msg: name });
    assertClose(x.grad!, dx, { atol: 1e-12 });
    assert.ok(tg.gradcheck((xx) => m.forward(xx).square().sum(), [x.detach().requiresGrad_()]));
    // Parameters share storage with the layer model: an update through one is seen by the other.
    tg.noGrad(() => m.getParameter('0.bias').add_(1));
    assertClose(net.params().get('0.bias')!, m.getParameter('0.bias').detach(), { atol: 0 });
  });

  it('refuses what is not a layer model', () => {
    assert.throws(() => new train.LayerModule({} as unknown as train.LayerModel), /LayerModule: expected a layer model/);
    assert.throws(
      () => new train.Trainer({ model: {} as unknown as tg.nn.Module, lossFn: tg.nn.functional.crossEntropy, optimizer: new L.SGD(mlp(1), { lr: 0.1 }) as never }),
      /Trainer: model must be an nn.Module or a layer model/,
    );
  });
});

describe('Trainer on layer models', () => {
  it('fits with the layers\' Adam: FitResult filled, loss falls, accuracy well above chance', () => {
    const net = mlp(3);
    const trainer = new train.Trainer({ model: net, lossFn: tg.nn.functional.crossEntropy, optimizer: new L.Adam(net, { lr: 0.05 }) });
    const r = trainer.fit(toyData(192, 4), toyData(96, 5), { epochs: 4 });
    assert.deepEqual(r.epoch, [1, 2, 3, 4]);
    assert.equal(r.numSteps, 4 * 12);
    assert.ok(r.trainLoss[3]! < r.trainLoss[0]!, `train loss ${r.trainLoss}`);
    assert.ok(r.testAcc[3]! > 0.7, `test accuracy ${r.testAcc}`);
    assert.equal(r.bestIndex >= 0, true);
  });

  it('layer MomentumSGD and tg.optim.SGD on the wrapper take identical steps', () => {
    const a = mlp(6);
    const b = mlp(6);
    const ta = new train.Trainer({ model: a, lossFn: tg.nn.functional.crossEntropy, optimizer: new L.MomentumSGD(a, { lr: 0.1, momentum: 0.9 }) });
    // tg.optim needs the wrapper's Parameters, so wrap b explicitly.
    const mb = new train.LayerModule(b);
    const tb = new train.Trainer({ model: mb, lossFn: tg.nn.functional.crossEntropy, optimizer: new tg.optim.SGD(mb.parameters(), { lr: 0.1, momentum: 0.9 }) });
    const ra = ta.fit(toyData(64, 7), null, { epochs: 2 });
    const rb = tb.fit(toyData(64, 7), null, { epochs: 2 });
    assert.deepEqual(ra.trainLoss.map((v) => v.toFixed(12)), rb.trainLoss.map((v) => v.toFixed(12)));
    for (const [k, p] of a.params()) assertClose(p, b.params().get(k)!, { atol: 1e-12, msg: k });
  });

  it('checkpoints a layer model and its optimizer, and resumes to the same weights', () => {
    const dir = mkdtempSync(join(tmpdir(), 'tsgrad-layer-ckpt-'));
    try {
      const run = (epochs: number, resume: boolean) => {
        const net = mlp(8, 'float32');
        const t = new train.Trainer({ model: net, lossFn: tg.nn.functional.crossEntropy, optimizer: new L.Adam(net, { lr: 0.01 }) });
        const loader = toyData(64, 9, 'float32');
        if (resume) t.loadCheckpoint(dir, 'last', loader);
        t.fit(loader, null, { epochs, checkpointDir: dir });
        return net;
      };
      const straight = mlp(8, 'float32');
      const ts = new train.Trainer({ model: straight, lossFn: tg.nn.functional.crossEntropy, optimizer: new L.Adam(straight, { lr: 0.01 }) });
      ts.fit(toyData(64, 9, 'float32'), null, { epochs: 2 });
      run(1, false);
      assert.ok(existsSync(join(dir, 'last.json')), 'the checkpoint manifest');
      const resumed = run(2, true);
      for (const [k, p] of straight.params()) assertClose(p, resumed.params().get(k)!, { atol: 0, msg: k });
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
