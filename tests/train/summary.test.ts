// Wording of train's closing lines and the best/highest points of results.json.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { plural, pointName, trainSummary } from '../../src/train/summary.js';
import { bestPoints } from '../../src/train/run.js';
import type { FitResult } from '../../src/train/trainer.js';

function fit(epoch: number[], step: number[], testLoss: number[], testAcc: number[], bestIndex: number): FitResult {
  return { numEpochs: epoch.at(-1)!, numSteps: step.at(-1)!, epoch, step, trainLoss: [], trainAcc: [], testLoss, testAcc, bestEpoch: epoch[bestIndex]!, bestIndex, stopReason: 'epochs', wallTimeS: 1 };
}

describe('train summary wording', () => {
  it('plural: 1 epoch, 2 epochs, fractions rounded to two decimals', () => {
    assert.equal(plural(1, 'epoch'), '1 epoch');
    assert.equal(plural(2, 'epoch'), '2 epochs');
    assert.equal(plural(0.680851, 'epoch'), '0.68 epochs');
    assert.equal(plural(0, 'step'), '0 steps');
  });

  it('points inside an epoch are named by step, with the epoch to two decimals', () => {
    const r = fit([0.680851, 1], [32, 47], [0.6, 0.5], [0.7, 0.8], 1);
    assert.equal(pointName(r, 0), 'step 32 (epoch 0.68)');
    assert.equal(pointName(r, 1), 'epoch 1');
    assert.doesNotMatch(trainSummary(fit([0.680851], [32], [0.6], [0.7], 0)), /0\.680851/);
  });

  it('names where the highest accuracy and the lowest loss are, which may differ', () => {
    const r = fit([1, 2, 3], [10, 20, 30], [0.5, 0.4, 0.45], [0.8, 0.79, 0.82], 1);
    assert.equal(trainSummary(r), 'test accuracy 82.00% (highest 82.00% at epoch 3), test loss 0.4500 (lowest 0.4000 at epoch 2)');
  });
});

describe('results.json best and highest points', () => {
  it('bestTestAcc is the accuracy at the best (lowest test loss) point; the highest accuracy is named apart', () => {
    const r = fit([1, 2, 3], [10, 20, 30], [0.5, 0.4, 0.45], [0.8, 0.79, 0.82], 1);
    const b = bestPoints(r);
    assert.equal(b.bestTestAcc, 0.79);
    assert.deepEqual(b.best, { by: 'testLoss', index: 1, epoch: 2, step: 20, testLoss: 0.4, testAcc: 0.79 });
    assert.equal(b.best.epoch, r.bestEpoch);
    assert.deepEqual(b.highestTestAcc, { value: 0.82, epoch: 3, step: 30 });
  });
});
