import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import * as tg from '../../src/index.js';
import { DataLoader } from '../../src/data/dataloader.js';
import { TensorDataset } from '../../src/data/dataset.js';
import { ReLU } from '../../src/nn/layers/activation.js';
import { Sequential } from '../../src/nn/layers/container.js';
import { Dropout } from '../../src/nn/layers/dropout.js';
import { Flatten } from '../../src/nn/layers/flatten.js';
import { Linear } from '../../src/nn/layers/linear.js';
import { CrossEntropyLoss } from '../../src/nn/layers/loss.js';
import { SGD } from '../../src/optim/sgd.js';
import { StepLR } from '../../src/optim/lr-scheduler.js';
import { CheckpointError } from '../../src/train/checkpoint.js';
import { countCorrect, Trainer, TrainingError, type FitResult } from '../../src/train/trainer.js';
import { assertClose, REPO_ROOT } from '../helpers.js';

interface StateJSON {
  [k: string]: { shape: number[]; data: number[] };
}
interface Fixture {
  xTrain: number[];
  yTrain: number[];
  xTest: number[];
  yTest: number[];
  batchSize: number;
  init: StateJSON;
  cases: {
    name: string;
    fit: { epochs?: number; max_steps?: number; eval_freq?: number };
    sgd: { lr: number; momentum?: number };
    history: Pick<FitResult, 'epoch' | 'step' | 'trainLoss' | 'trainAcc' | 'testLoss' | 'testAcc'>;
    numSteps: number;
    final: StateJSON;
  }[];
}

const FIX = JSON.parse(readFileSync(join(REPO_ROOT, 'tests/fixtures/train/trainer.json'), 'utf8')) as Fixture;

function tinyModel(): Sequential {
  return new Sequential(new Flatten(), new Linear(6, 5), new ReLU(), new Linear(5, 3));
}

function loadJsonState(m: Sequential, s: StateJSON): void {
  m.loadStateDict(new Map(Object.entries(s).map(([k, v]) => [k, tg.tensor(v.data, { dtype: 'float32', shape: v.shape })])));
}

function fixtureData(): { train: DataLoader<[tg.Tensor, tg.Tensor]>; test: DataLoader<[tg.Tensor, tg.Tensor]> } {
  const xtr = tg.tensor(FIX.xTrain, { dtype: 'float32', shape: [12, 1, 2, 3] });
  const ytr = tg.tensor(FIX.yTrain, { dtype: 'int32' });
  const xte = tg.tensor(FIX.xTest, { dtype: 'float32', shape: [7, 1, 2, 3] });
  const yte = tg.tensor(FIX.yTest, { dtype: 'int32' });
  return {
    train: new DataLoader(new TensorDataset(xtr, ytr), { batchSize: FIX.batchSize }) as unknown as DataLoader<[tg.Tensor, tg.Tensor]>,
    test: new DataLoader(new TensorDataset(xte, yte), { batchSize: 7 }) as unknown as DataLoader<[tg.Tensor, tg.Tensor]>,
  };
}

for (const c of FIX.cases) {
  test(`fit matches PyTorch's loop: ${c.name} (history and final weights)`, () => {
    const model = tinyModel();
    loadJsonState(model, FIX.init);
    const optimizer = new SGD(model.parameters(), { lr: c.sgd.lr, momentum: c.sgd.momentum ?? 0 });
    const { train, test: testLoader } = fixtureData();
    const trainer = new Trainer({ model, lossFn: new CrossEntropyLoss(), optimizer });
    const r = trainer.fit(train, testLoader, {
      ...(c.fit.epochs !== undefined ? { epochs: c.fit.epochs } : {}),
      ...(c.fit.max_steps !== undefined ? { maxSteps: c.fit.max_steps } : {}),
      ...(c.fit.eval_freq !== undefined ? { evalFreq: c.fit.eval_freq } : {}),
    });
    assert.deepEqual(r.epoch, c.history.epoch);
    assert.deepEqual(r.step, c.history.step);
    assert.equal(r.numSteps, c.numSteps);
    assertClose(r.trainLoss, c.history.trainLoss, { atol: 1e-5, msg: 'trainLoss' });
    assert.deepEqual(r.trainAcc, c.history.trainAcc);
    assertClose(r.testLoss, c.history.testLoss, { atol: 1e-5, msg: 'testLoss' });
    assert.deepEqual(r.testAcc, c.history.testAcc);
    assert.equal(r.stopReason, c.fit.max_steps !== undefined ? 'maxSteps' : 'epochs');
    const best = c.history.testLoss.indexOf(Math.min(...c.history.testLoss));
    assert.equal(r.bestIndex, best);
    assert.equal(r.bestEpoch, c.history.epoch[best]);
    const sd = model.stateDict();
    for (const [k, v] of Object.entries(c.final)) assertClose(sd.get(k)!, v.data, { atol: 1e-5, msg: k });
  });
}

test('countCorrect: argmax of each row against the labels (ties go to the first index)', () => {
  const out = tg.tensor([[0.1, 0.9, 0.0], [2, 1, 0], [0, 0, 0], [1, 3, 3]], { dtype: 'float32' });
  assert.equal(countCorrect(out, tg.tensor([1, 0, 0, 2], { dtype: 'int32' })), 3);
  assert.equal(countCorrect(out, tg.tensor([0, 1, 2, 1], { dtype: 'int32' })), 1);
});

/** A model with dropout, momentum, a shuffling loader and a schedule: every piece of state a resume must restore. */
function resumableSetup(seed: number): { trainer: Trainer; train: DataLoader<[tg.Tensor, tg.Tensor]>; test: DataLoader<[tg.Tensor, tg.Tensor]> } {
  tg.manualSeed(seed);
  const g = new tg.Generator(123);
  const x = tg.randn([40, 1, 2, 3], { generator: g });
  const y = tg.randint(0, 3, [40], { generator: g, dtype: 'int32' });
  const model = new Sequential(new Flatten(), new Linear(6, 16), new ReLU(), new Dropout(0.3), new Linear(16, 3));
  const optimizer = new SGD(model.parameters(), { lr: 0.1, momentum: 0.9 });
  const scheduler = new StepLR(optimizer, { stepSize: 2, gamma: 0.5 });
  const train = new DataLoader(new TensorDataset(x, y), { batchSize: 8, shuffle: true, generator: new tg.Generator(seed + 1) }) as unknown as DataLoader<[tg.Tensor, tg.Tensor]>;
  const test = new DataLoader(new TensorDataset(x.narrow(0, 0, 16), y.narrow(0, 0, 16)), { batchSize: 16 }) as unknown as DataLoader<[tg.Tensor, tg.Tensor]>;
  return { trainer: new Trainer({ model, lossFn: new CrossEntropyLoss(), optimizer, scheduler }), train, test };
}

test('resume: a run stopped after 2 epochs and resumed to 5 ends with the same weights and history as an uninterrupted one', () => {
  const dir = mkdtempSync(join(tmpdir(), 'tsgrad-resume-'));
  try {
    const full = resumableSetup(7);
    const a = full.trainer.fit(full.train, full.test, { epochs: 5 });
    const wantWeights = [...full.trainer.model.stateDict()].map(([k, t]) => [k, Array.from(t.toTypedArray() as Float32Array)] as const);

    const first = resumableSetup(7);
    first.trainer.fit(first.train, first.test, { epochs: 2, checkpointDir: dir });
    // Scramble the global generator, as a fresh process would have a different state.
    tg.manualSeed(999);
    const second = resumableSetup(8); // different init and shuffling seed: everything must come from the checkpoint
    second.trainer.loadCheckpoint(dir, 'last', second.train);
    assert.equal(second.trainer.epoch, 2);
    const b = second.trainer.fit(second.train, second.test, { epochs: 5 });

    const { wallTimeS: _wa, ...ra } = a;
    const { wallTimeS: _wb, ...rb } = b;
    assert.deepEqual(rb, ra);
    const gotWeights = [...second.trainer.model.stateDict()].map(([k, t]) => [k, Array.from(t.toTypedArray() as Float32Array)] as const);
    assert.deepEqual(gotWeights, wantWeights);
    assert.equal(second.trainer.optimizer.paramGroups[0]!.lr, 0.1 * 0.5 ** 2, 'StepLR state restored (5 epochs, step 2)');
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('checkpoint: weights that do not fit the model are refused before anything changes; mixed-up files are detected', () => {
  const dir = mkdtempSync(join(tmpdir(), 'tsgrad-ckpt-'));
  try {
    const s = resumableSetup(1);
    s.trainer.fit(s.train, s.test, { epochs: 1, checkpointDir: dir });
    const other = new Trainer({
      model: new Sequential(new Flatten(), new Linear(6, 8), new ReLU(), new Linear(8, 3)),
      lossFn: new CrossEntropyLoss(),
      optimizer: new SGD(tinyModel().parameters(), { lr: 0.1 }),
    });
    const before = Array.from(other.model.stateDict().get('1.weight')!.toTypedArray());
    assert.throws(
      () => other.loadCheckpoint(dir, 'last'),
      (e: Error) => e.name === 'StateDictError' && /Size mismatch for "1\.weight": the checkpoint has shape \[16,6\], the model expects \[8,6\]/.test(e.message) && /Unexpected key\(s\): "4\.weight", "4\.bias"/.test(e.message),
    );
    assert.deepEqual(Array.from(other.model.stateDict().get('1.weight')!.toTypedArray()), before);
    assert.equal(other.epoch, 0);

    // best's weights file replaced by last's: the size/sha256 check against the manifest catches it.
    const man = (n: string): { weights: { file: string } } => JSON.parse(readFileSync(join(dir, `${n}.json`), 'utf8')) as { weights: { file: string } };
    const lastW = readFileSync(join(dir, man('last').weights.file));
    lastW[lastW.length - 1] ^= 1;
    writeFileSync(join(dir, man('best').weights.file), lastW);
    assert.throws(() => s.trainer.loadCheckpoint(dir, 'best'), (e: Error) => e instanceof CheckpointError && /does not match .*best\.json \(sha256 differs\)/.test(e.message));
    assert.throws(() => s.trainer.loadCheckpoint(dir, 'nope'), (e: Error) => e instanceof CheckpointError && /nope\.json does not exist/.test(e.message));
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('NaN loss: a TrainingError names the step, the epoch and the last finite loss, and the bad step is not applied', () => {
  // A linear model, so the NaN reaches the loss (ReLU would be the first place it could vanish).
  const linear = (): Sequential => new Sequential(new Flatten(), new Linear(6, 3, { generator: new tg.Generator(5) }));
  const model = linear();
  const x = tg.tensor(FIX.xTrain, { dtype: 'float32', shape: [12, 1, 2, 3] });
  (x.data as Float32Array)[5 * 6 + 2] = NaN; // first sample of the second batch
  const y = tg.tensor(FIX.yTrain, { dtype: 'int32' });
  const loader = new DataLoader(new TensorDataset(x, y), { batchSize: 5 }) as unknown as DataLoader<[tg.Tensor, tg.Tensor]>;
  const trainer = new Trainer({ model, lossFn: new CrossEntropyLoss(), optimizer: new SGD(model.parameters(), { lr: 0.1, momentum: 0.9 }) });
  // The first batch's loss under the same initial weights, computed outside the Trainer.
  const firstLoss = tg.noGrad(() => new CrossEntropyLoss().forward(linear().forward(x.narrow(0, 0, 5)), y.narrow(0, 0, 5)).item());
  assert.ok(Number.isFinite(firstLoss));
  assert.throws(
    () => trainer.fit(loader, null, { epochs: 2 }),
    (e: Error) => e instanceof TrainingError && e.message.includes('the loss became NaN at step 2 (epoch 1)') && e.message.includes(`the last finite loss was ${firstLoss} at step 1`),
  );
  // The weights are those after step 1, untouched by the NaN batch.
  assert.ok(Array.from(model.stateDict().get('1.weight')!.toTypedArray()).every(Number.isFinite));
  assert.equal(trainer.step, 1);
});

test('early stopping: with nothing to learn (lr 0) it stops after `patience` evaluations without improvement', () => {
  const model = tinyModel();
  loadJsonState(model, FIX.init);
  const { train } = fixtureData();
  const trainer = new Trainer({ model, lossFn: new CrossEntropyLoss(), optimizer: new SGD(model.parameters(), { lr: 0 }) });
  const r = trainer.fit(train, null, { epochs: 10, earlyStopping: { patience: 2 } });
  assert.equal(r.stopReason, 'earlyStopping');
  assert.equal(r.numEpochs, 3);
  assert.deepEqual(r.epoch, [1, 2, 3]);
  assert.equal(r.bestEpoch, 1);
  assert.ok(r.testLoss.every(Number.isNaN), 'no test loader: test columns are NaN');
  // Same weights every epoch: the same train loss three times.
  assert.equal(r.trainLoss[0], r.trainLoss[2]);
});

test('fit: bad options are named', () => {
  const model = tinyModel();
  const { train, test: te } = fixtureData();
  const trainer = new Trainer({ model, lossFn: new CrossEntropyLoss(), optimizer: new SGD(model.parameters(), { lr: 0.1 }) });
  assert.throws(() => trainer.fit(train, te, { epochs: 0 }), /epochs must be a positive integer, got 0/);
  assert.throws(() => trainer.fit(train, te, { maxSteps: 2.5 }), /maxSteps must be a positive integer, got 2.5/);
  assert.throws(() => trainer.fit(train, null, { monitor: 'testAcc' }), /monitor 'testAcc' needs a test loader/);
  assert.throws(() => new Trainer({ model: {} as Sequential, lossFn: new CrossEntropyLoss(), optimizer: new SGD(model.parameters(), { lr: 0.1 }) }), /model must be an nn.Module/);
});
