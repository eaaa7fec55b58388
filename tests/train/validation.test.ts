import assert from 'node:assert/strict';
import { test } from 'node:test';
import * as tg from '../../src/index.js';
import { DataLoader } from '../../src/data/dataloader.js';
import { TensorDataset } from '../../src/data/dataset.js';
import { CrossEntropyLoss } from '../../src/nn/layers/loss.js';
import { SGD } from '../../src/optim/sgd.js';
import { splitValidation } from '../../src/train/prepare.js';
import { bestPoints } from '../../src/train/run.js';
import { trainSummary } from '../../src/train/summary.js';
import { Trainer } from '../../src/train/trainer.js';

const rows = (t: tg.Tensor): number[] => Array.from(t.toTypedArray() as ArrayLike<number>, Number);

test('splitValidation: a seeded, disjoint split that covers every sample, in data order', () => {
  const x = tg.arange(0, 50, 1, { dtype: 'float32' }).reshape([50, 1]);
  const y = tg.arange(0, 50, 1, { dtype: 'int32' });
  const a = splitValidation(x, y, 0.2, 7);
  const b = splitValidation(x, y, 0.2, 7);
  const c = splitValidation(x, y, 0.2, 8);
  assert.ok(a.val);
  const tr = rows(a.train[1]);
  const va = rows(a.val[1]);
  assert.equal(va.length, 10);
  assert.equal(tr.length, 40);
  assert.deepEqual([...tr, ...va].sort((p, q) => p - q), Array.from({ length: 50 }, (_, i) => i));
  assert.deepEqual(rows(a.train[0]), tr, 'images and labels stay paired');
  assert.deepEqual(va, [...va].sort((p, q) => p - q));
  assert.deepEqual(rows(b.val![1]), va, 'same seed, same split');
  assert.notDeepEqual(rows(c.val![1]), va, 'another seed, another split');
  const none = splitValidation(x, y, 0, 7);
  assert.equal(none.val, null);
  assert.equal(none.train[0], x);
  assert.throws(() => splitValidation(x, y, 1, 7), /fraction must be in \[0, 1\), got 1/);
  assert.throws(() => splitValidation(x.narrow(0, 0, 3), y.narrow(0, 0, 3), 0.1, 7), /leaves 0 for validation and 3 for training; both need at least 1/);
});

test('Trainer.fit with a valLoader: validation history, best point and early stopping follow the validation loss', () => {
  tg.manualSeed(3);
  const gen = new tg.Generator(5);
  const x = tg.randn([120, 4], { generator: gen });
  // Labels from a fixed rule, so that training helps on train and validation alike.
  const y = tg.Tensor.fromStorage(Int32Array.from(rows(x.narrow(1, 0, 1).reshape([120])).map((v) => (v > 0 ? 1 : 0))), 'int32', [120]);
  const { train, val } = splitValidation(x, y, 0.25, 1);
  const model = new tg.nn.Sequential(new tg.nn.Linear(4, 8), new tg.nn.ReLU(), new tg.nn.Linear(8, 2));
  const trainer = new Trainer({ model, lossFn: new CrossEntropyLoss(), optimizer: new SGD(model.parameters(), { lr: 0.5 }) });
  const mk = (p: [tg.Tensor, tg.Tensor], shuffle: boolean) => new DataLoader(new TensorDataset(...p), { batchSize: 30, shuffle, generator: new tg.Generator(2) });
  const testLoader = mk([x.narrow(0, 0, 40), y.narrow(0, 0, 40)], false);
  const r = trainer.fit(mk(train, true), testLoader, { epochs: 4, valLoader: mk(val!, false) });
  assert.equal(r.valLoss!.length, 4);
  assert.equal(r.valAcc!.length, 4);
  assert.ok(r.valLoss!.every((v) => Number.isFinite(v) && v > 0));
  assert.equal(r.bestIndex, r.valLoss!.indexOf(Math.min(...r.valLoss!)), 'the best point is the lowest validation loss');
  assert.ok(r.valLoss![3]! < r.valLoss![0]!, `validation loss falls while learning: ${r.valLoss!.join(', ')}`);
  const b = bestPoints(r, 'valLoss');
  assert.equal(b.best.by, 'valLoss');
  assert.equal(b.best.valLoss, r.valLoss![r.bestIndex]);
  assert.equal(b.best.testAcc, r.testAcc[r.bestIndex]);
  assert.match(trainSummary(r), /\nbest by validation loss: epoch \d, validation loss \d\.\d{4} accuracy [\d.]+%, test accuracy there [\d.]+%/);
  assert.throws(() => trainer.fit(mk(train, true), testLoader, { epochs: 5, monitor: 'valAcc' }), /monitor 'valAcc' needs opts.valLoader/);
});

test('early stopping watches the validation loss, not the test loss', () => {
  const x = tg.randn([40, 2], { generator: new tg.Generator(1) });
  const y = tg.zeros([40], { dtype: 'int32' });
  const model = new tg.nn.Linear(2, 2);
  // lr 0: nothing changes, so the validation loss never improves after the first point.
  const trainer = new Trainer({ model, lossFn: new CrossEntropyLoss(), optimizer: new SGD(model.parameters(), { lr: 0 }) });
  const loader = new DataLoader(new TensorDataset(x, y), { batchSize: 20 });
  const r = trainer.fit(loader, loader, { epochs: 10, valLoader: loader, earlyStopping: { patience: 2 } });
  assert.equal(r.stopReason, 'earlyStopping');
  assert.equal(r.numEpochs, 3);
  assert.equal(r.bestIndex, 0);
});
