// The live numbers beside the progress bar are both running means over the batches since the last
// evaluation (the loss used to be the last batch's, beside a running-mean accuracy).
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import * as tg from '../../src/index.js';
import { Trainer } from '../../src/train/trainer.js';
import type { ProgressInfo, ProgressReporter } from '../../src/train/progress.js';
import { DataLoader } from '../../src/data/dataloader.js';
import { TensorDataset } from '../../src/data/dataset.js';

describe('progress shows running means', () => {
  it('loss and accuracy ticks are means of the batches so far', () => {
    tg.manualSeed(3);
    const x = tg.randn([40, 3]);
    const y = tg.argmax(x, 1);
    const loader = new DataLoader(new TensorDataset(x, y), { batchSize: 8 }) as unknown as DataLoader<[tg.Tensor, tg.Tensor]>;
    const model = new tg.nn.Linear(3, 3);
    const batchLosses: number[] = [];
    const lossFn = (o: tg.Tensor, t: tg.Tensor): tg.Tensor => {
      const l = tg.nn.functional.crossEntropy(o, t);
      if (tg.isGradEnabled()) batchLosses.push(l.item());
      return l;
    };
    const ticks: ProgressInfo[] = [];
    const progress: ProgressReporter = { start() {}, tick: (_d, info) => void (info && ticks.push(info)), end() {}, log() {} };
    new Trainer({ model, lossFn, optimizer: new tg.optim.SGD(model.parameters(), { lr: 0.5 }) }).fit(loader, null, { epochs: 1, progress });
    assert.equal(ticks.length, 5);
    ticks.forEach((t, i) => {
      const mean = batchLosses.slice(0, i + 1).reduce((a, v) => a + v, 0) / (i + 1);
      assert.ok(Math.abs(t['loss']! - mean) < 1e-6, `tick ${i}: ${t['loss']} vs running mean ${mean} (last batch ${batchLosses[i]})`);
    });
    // The losses differ batch to batch, so a last-batch loss would have failed above.
    assert.notEqual(batchLosses[4], ticks[4]!['loss']);
  });
});
