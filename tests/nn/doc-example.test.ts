import { describe, it, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as tg from '../../src/index.js';
import * as nn from '../../src/nn/index.js';
import * as optim from '../../src/optim/index.js';
import * as io from '../../src/io/index.js';

const dir = mkdtempSync(join(tmpdir(), 'tsgrad-doc-'));
after(() => rmSync(dir, { recursive: true, force: true }));

// The examples of docs/nn.md and docs/optim.md, kept compiling and running.
class Net extends nn.Module {
  features = new nn.Sequential(
    new nn.Conv2d(1, 8, 3, { padding: 1 }), new nn.BatchNorm2d(8), new nn.ReLU(), new nn.MaxPool2d(2),
    new nn.Conv2d(8, 16, 3, { padding: 1 }), new nn.BatchNorm2d(16), new nn.ReLU(), new nn.AdaptiveAvgPool2d(1),
  );
  head = new nn.Linear(16, 10);

  forward(x: tg.Tensor): tg.Tensor {
    return this.head.forward(this.features.forward(x).flatten(1));
  }
}

describe('documentation examples', () => {
  it('docs/nn.md: one training step, summary, save and load', () => {
    tg.manualSeed(0);
    const model = new Net();
    const opt = new optim.Adam(model.parameters(), { lr: 1e-3 });
    const x = tg.randn([4, 1, 12, 12]);
    const y = tg.randint(0, 10, [4]);
    model.train();
    opt.zeroGrad();
    const loss = nn.F.crossEntropy(model.forward(x), y);
    loss.backward();
    opt.step();
    assert.match(model.summary([1, 12, 12]), /^head \(Linear\)\s+\[-1, 10\]\s+170$/m);
    const path = join(dir, 'net.safetensors');
    io.saveStateDict(path, model);
    const copy = new Net();
    copy.loadStateDict(io.loadStateDict(path));
    assert.deepEqual([...copy.stateDict().keys()], [...model.stateDict().keys()]);
  });

  it('docs/optim.md: groups, a scheduler, and resume through JSON', () => {
    const model = new nn.Sequential(new nn.Flatten(), new nn.Linear(16, 8), new nn.ReLU(), new nn.Linear(8, 3));
    const opt = new optim.SGD(model.parameters(), { lr: 0.1, momentum: 0.9, nesterov: true, weightDecay: 5e-4 });
    const sched = new optim.CosineAnnealingLR(opt, { tMax: 20, etaMin: 1e-4 });
    const batches: [tg.Tensor, tg.Tensor][] = [[tg.randn([5, 1, 4, 4]), tg.randint(0, 3, [5])]];
    for (let epoch = 0; epoch < 2; epoch++) {
      for (const [x, y] of batches) {
        opt.zeroGrad();
        nn.F.crossEntropy(model.forward(x), y).backward();
        opt.step();
      }
      sched.step();
    }
    const ckpt = JSON.stringify({ optimizer: io.optimizerStateToJSON(opt.stateDict()), scheduler: sched.stateDict() });
    const saved = JSON.parse(ckpt) as { optimizer: io.OptimizerStateJSON; scheduler: optim.SchedulerStateDict };
    opt.loadStateDict(io.optimizerStateFromJSON(saved.optimizer));
    sched.loadStateDict(saved.scheduler);
    assert.equal(sched.lastEpoch, 2);
    const grouped = new optim.Adam([
      { params: model.at(1).parameters() },
      { params: model.at(3).parameters(), lr: 1e-4 },
    ], { lr: 1e-3 });
    assert.deepEqual(grouped.paramGroups.map((g) => g.lr), [1e-3, 1e-4]);
  });
});
