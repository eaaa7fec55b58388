import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import * as tg from '../../src/index.js';
import * as nn from '../../src/nn/index.js';
import { assertClose, flat } from '../helpers.js';

describe('Embedding', () => {
  it('looks rows up for indices of any shape, and sums the gradient of repeated rows (by hand)', () => {
    const e = new nn.Embedding(3, 2);
    e.loadStateDict({ weight: tg.tensor([[1, 2], [3, 4], [5, 6]]) });
    const idx = tg.tensor([[0, 2], [2, 1]], { dtype: 'int32' });
    const y = e.forward(idx);
    assert.deepEqual(y.shape, [2, 2, 2]);
    assertClose(y, [[[1, 2], [5, 6]], [[5, 6], [3, 4]]]);
    y.mul(tg.tensor([[[1, 10], [100, 1000]], [[2, 20], [3, 30]]])).sum().backward();
    assertClose(e.weight.grad!, [[1, 10], [3, 30], [102, 1020]]);
  });

  it('initialises N(0, 1) from the seeded generator and refuses bad indices', () => {
    const e = new nn.Embedding(200, 50, { generator: new tg.Generator(3) });
    const v = flat(e.weight);
    const m = v.reduce((a, b) => a + b, 0) / v.length;
    const sd = Math.sqrt(v.reduce((a, b) => a + (b - m) ** 2, 0) / v.length);
    assert.ok(Math.abs(m) < 0.03 && Math.abs(sd - 1) < 0.03, `mean ${m}, std ${sd}`);
    assert.throws(() => e.forward(tg.tensor([0.5])), /Embedding: indices must be int32, got float32/);
    assert.throws(() => e.forward(tg.tensor([200], { dtype: 'int32' })), /indexSelect/);
  });
});

describe('summary of a model that takes indices', () => {
  it('runs with an int32 zero input', () => {
    const m = new nn.Sequential(new nn.Embedding(10, 4), new nn.Flatten(), new nn.Linear(12, 2));
    const rows = nn.summaryRows(m, [3], 'int32');
    assert.deepEqual(rows.map((r) => [r.type, r.outputShape, r.params]), [['Embedding', [-1, 3, 4], 40], ['Flatten', [-1, 12], 0], ['Linear', [-1, 2], 26]]);
  });
});
