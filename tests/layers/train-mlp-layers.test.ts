import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { readMnist } from '../../src/data/mnist.js';
import { embeddedSubsetDir } from '../../src/data/datasets.js';
import { trainMlpLayers } from '../../src/train/mlp-layers.js';
import { parseTrainMlpLayersArgs, runTrainMlpLayers, trainMlpLayersCommand } from '../../src/cli/commands/train-mlp-layers.js';

// Real data that ships with the package: the embedded Fashion-MNIST subset (2000 train / 1000 test).
const train = readMnist(embeddedSubsetDir(), 'train');
const test = readMnist(embeddedSubsetDir(), 'test');

describe('trainMlpLayers (hand-derived MLP on real Fashion-MNIST images)', () => {
  it('learns: test accuracy well above chance and falling loss, evaluations where the recipe says', () => {
    const res = trainMlpLayers(train, test, { hiddenUnits: [64], learningRate: 0.1, maxSteps: 250, batchSize: 50, evalFreq: 100, seed: 1, numClasses: 10 });
    assert.deepEqual(res.evals.map((e) => e.step), [0, 100, 200, 250]);
    assert.equal(res.trainLoss.length, 250);
    assert.ok(res.evals[0]!.testAccuracy < 0.3, `untrained accuracy ${res.evals[0]!.testAccuracy}`);
    // A linear model alone reaches ~75% on this subset; 10 classes make chance 10%.
    assert.ok(res.final.testAccuracy > 0.7, `final test accuracy ${res.final.testAccuracy}`);
    assert.ok(res.final.testLoss < res.evals[0]!.testLoss - 1, `test loss ${res.evals[0]!.testLoss} → ${res.final.testLoss}`);
    assert.equal(res.model.describe(), 'MLP(Linear(784→64) → ELU(alpha=1) → Linear(64→10))');
  });

  it('trains with the layer optimizers (momentum, RMSProp, Adam), each learning', () => {
    for (const [optimizer, lr] of [['momentum', 0.02], ['rmsprop', 1e-3], ['adam', 2e-3]] as const) {
      const res = trainMlpLayers(train, test, { hiddenUnits: [32], learningRate: lr, maxSteps: 120, batchSize: 50, evalFreq: 120, seed: 1, numClasses: 10, optimizer });
      assert.ok(res.final.testAccuracy > 0.65, `${optimizer}: final test accuracy ${res.final.testAccuracy}`);
    }
    assert.throws(() => trainMlpLayers(train, test, { hiddenUnits: [], learningRate: 0.1, maxSteps: 1, batchSize: 5, evalFreq: 1, seed: 1, optimizer: 'lbfgs' as 'sgd' }), /optimizer must be one of sgd, momentum, rmsprop, adam, got lbfgs/);
  });

  it('is reproducible from the seed', () => {
    const cfg = { hiddenUnits: [8], learningRate: 0.05, maxSteps: 20, batchSize: 20, evalFreq: 20, seed: 7, numClasses: 10 };
    const a = trainMlpLayers(train, test, cfg);
    const b = trainMlpLayers(train, test, cfg);
    assert.deepEqual(a.trainLoss, b.trainLoss);
    const c = trainMlpLayers(train, test, { ...cfg, seed: 8 });
    assert.notDeepEqual(a.trainLoss, c.trainLoss);
  });

  it('stops with a clear error when the loss stops being finite', () => {
    const cfg = { hiddenUnits: [8], learningRate: 1e30, maxSteps: 50, batchSize: 20, evalFreq: 100, seed: 1, numClasses: 10 };
    assert.throws(() => trainMlpLayers(train, test, cfg), {
      name: 'LayerError',
      message: /^trainMlpLayers: step \d+ \(learning rate 1e\+30\): CrossEntropyLoss: the loss is NaN for input \[20,10\] and target \[20\]; the input holds 0 NaN and \d+ infinite values/,
    });
  });
});

describe('tsgrad train-mlp-layers', () => {
  it('has the flags and defaults of the issue', () => {
    const { cfg, dataset, out, dataDir } = parseTrainMlpLayersArgs([]);
    assert.deepEqual(cfg, { hiddenUnits: [100], learningRate: 2e-3, maxSteps: 1500, batchSize: 200, evalFreq: 100, weightDecay: 0, seed: 42 });
    assert.equal(dataset, 'fashion-mnist');
    assert.equal(dataDir, undefined);
    assert.equal(out, 'runs/train-mlp-layers');
    const p = parseTrainMlpLayersArgs(['--dnn-hidden-units', '300,200', '--learning-rate', '0.01', '--dataset', 'mnist', '--seed', '3', '--data-dir', '/d', '--out', 'o']);
    assert.deepEqual(p.cfg.hiddenUnits, [300, 200]);
    assert.equal(p.cfg.learningRate, 0.01);
    assert.equal(p.dataset, 'mnist');
    assert.equal(p.dataDir, '/d');
    assert.throws(() => parseTrainMlpLayersArgs(['--dnn-hidden-units', '100,x']), /--dnn-hidden-units must be an integer >= 1, got "x"/);
    assert.throws(() => parseTrainMlpLayersArgs(['--dataset', 'imagenet']), /--dataset must be one of fashion-mnist, mnist, cifar10, got "imagenet"/);
    assert.throws(() => parseTrainMlpLayersArgs(['--max-steps', '0']), /--max-steps must be an integer >= 1/);
    assert.throws(() => parseTrainMlpLayersArgs(['--bogus']), { name: 'UsageError' });
    const q = parseTrainMlpLayersArgs(['--optimizer', 'adam', '--limit-train', '500', '--limit-test', '200']);
    assert.equal(q.cfg.optimizer, 'adam');
    assert.equal(q.limitTrain, 500);
    assert.equal(q.limitTest, 200);
    assert.equal(parseTrainMlpLayersArgs([]).limitTrain, undefined);
    assert.throws(() => parseTrainMlpLayersArgs(['--optimizer', 'lbfgs']), /--optimizer must be one of sgd, momentum, rmsprop, adam, got "lbfgs"/);
    assert.throws(() => parseTrainMlpLayersArgs(['--limit-train', '0']), /--limit-train must be an integer >= 1/);
  });

  it('writes results JSON and loss/accuracy curves as PNG and SVG', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'tsgrad-mlp-layers-'));
    const missing = join(dir, 'no-data');
    const lines: string[] = [];
    const outLines: string[] = [];
    const argv = ['--data-dir', missing, '--max-steps', '6', '--eval-freq', '3', '--batch-size', '50', '--learning-rate', '0.1', '--limit-train', '300', '--limit-test', '400', '--out', join(dir, 'run')];
    const code = await runTrainMlpLayers(argv, { err: (l) => lines.push(l), out: (l) => outLines.push(l) });
    assert.equal(code, 0);
    assert.equal(trainMlpLayersCommand.name, 'train-mlp-layers');
    assert.ok(lines.some((l) => /using the embedded subset/.test(l)), lines.join('\n'));
    const res = JSON.parse(readFileSync(join(dir, 'run', 'results.json'), 'utf8')) as { final: { step: number; testAccuracy: number }; evals: { step: number }[]; testImages: number };
    assert.equal(res.final.step, 6);
    assert.deepEqual(res.evals.map((e) => e.step), [0, 3, 6]);
    assert.equal(res.testImages, 400);
    assert.equal((res as unknown as { trainImages: number }).trainImages, 300);
    for (const f of ['loss.svg', 'loss.png', 'accuracy.svg', 'accuracy.png']) assert.ok(existsSync(join(dir, 'run', f)), f);
    assert.ok(readFileSync(join(dir, 'run', 'loss.svg'), 'utf8').includes('<svg'));
    assert.deepEqual([...readFileSync(join(dir, 'run', 'accuracy.png')).subarray(1, 4)], [0x50, 0x4e, 0x47]);
    assert.ok(lines.some((l) => /step 6\/6 .*test acc/.test(l)), lines.join('\n'));
    assert.equal(JSON.parse(outLines[0]!).step, 6);
    rmSync(dir, { recursive: true, force: true });
  });
});
