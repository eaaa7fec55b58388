import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import * as tg from '../../src/index.js';
import { CustomNet, CustomResidualBlock } from '../../src/models/index.js';
import { Linear } from '../../src/nn/layers/linear.js';

// Structure of CustomNet derived by hand from its design (docs/models.md): a pool after every
// stage, a flattened head, no dropout by default. Values against PyTorch: forward-values.test.ts.
describe('CustomNet structure', () => {
  it('flattens K[-1] × (H/2^S) × (W/2^S) features into the head', () => {
    // 28 → 14 → 7 after two stages: 64·7·7 = 3136 inputs to the first FC.
    const m = new CustomNet([1, 28, 28], 10, [32, 64], 2, [100]);
    const first = m.classifier.children().next().value;
    assert.ok(first instanceof Linear);
    assert.equal(first.inFeatures, 3136);
    assert.equal(m.drop.p, 0);
    // Three stages on 28×28: 28 → 14 → 7 → 3, 128·3·3 = 1152.
    const deep = new CustomNet([1, 28, 28], 10, [32, 64, 128], 6, [], { dropout: 0 });
    const only = deep.classifier.children().next().value;
    assert.ok(only instanceof Linear);
    assert.equal(only.inFeatures, 1152);
    assert.equal(only.outFeatures, 10);
  });

  it('has ceil(L/2) residual blocks per stage', () => {
    const count = (L: number): number => {
      const m = new CustomNet([1, 8, 8], 3, [2, 3], L, []);
      let n = 0;
      for (const stage of m.stages.children()) for (const b of stage.children()) if (b instanceof CustomResidualBlock) n++;
      return n;
    };
    assert.equal(count(1), 2);
    assert.equal(count(3), 4);
    assert.equal(count(6), 6);
  });

  it('maps a batch to class scores in train and eval mode', () => {
    const m = new CustomNet([1, 8, 8], 3, [2, 3], 2, [4]);
    assert.deepEqual(m.forward(tg.randn([2, 1, 8, 8])).shape, [2, 3]);
    m.eval();
    assert.deepEqual(m.forward(tg.randn([2, 1, 8, 8])).shape, [2, 3]);
  });
});
