// console.log / util.inspect show tensors, modules and optimizers the way PyTorch prints them
// (their toString), not their internal fields (_version, _gradFn, the raw typed array).
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { inspect } from 'node:util';
import * as tg from '../../src/index.js';

describe('util.inspect and console.log', () => {
  it('tensors print their PyTorch-style text, alone and inside objects', () => {
    const t = tg.tensor([[1, 2], [3, 4]]).requiresGrad_();
    assert.equal(inspect(t), 'tensor([[1., 2.],\n        [3., 4.]], requiresGrad=true)');
    const y = t.mul(2);
    assert.equal(inspect(y), y.toString());
    assert.match(inspect(y), /gradFn=<mul>\)$/);
    const nested = inspect({ x: tg.tensor([1.5]), list: [tg.tensor([1, 2], { dtype: 'int32' })] });
    assert.match(nested, /x: tensor\(\[1\.5000\]\)/);
    assert.match(nested, /tensor\(\[1, 2\], dtype=int32\)/);
    assert.doesNotMatch(nested, /_version|_gradFn|Float32Array/);
    const p = new tg.nn.Parameter(tg.tensor([0.5]));
    assert.equal(inspect(p), 'Parameter containing:\ntensor([0.5000], requiresGrad=true)');
  });

  it('modules print the nested PyTorch repr', () => {
    const m = new tg.nn.Sequential(new tg.nn.Linear(2, 3), new tg.nn.ReLU(), new tg.nn.Sequential(new tg.nn.Linear(3, 1)));
    const want = 'Sequential(\n  (0): Linear(inFeatures=2, outFeatures=3, bias=true)\n  (1): ReLU()\n  (2): Sequential(\n    (0): Linear(inFeatures=3, outFeatures=1, bias=true)\n  )\n)';
    assert.equal(inspect(m), want);
    assert.equal(inspect(m), m.toString());
  });

  it("optimizers print PyTorch's 'Adam (Parameter Group 0 ...)' block, hyperparameters in name order", () => {
    const a = new tg.nn.Linear(2, 2);
    const b = new tg.nn.Linear(2, 1);
    const opt = new tg.optim.Adam([{ params: a.parameters() }, { params: b.parameters(), lr: 0.1 }], { lr: 0.01 });
    const text = inspect(opt);
    assert.equal(text, opt.toString());
    const lines = text.split('\n');
    assert.equal(lines[0], 'Adam (');
    assert.equal(lines[1], 'Parameter Group 0');
    assert.equal(lines[lines.length - 1], ')');
    assert.ok(lines.includes('    betas: [0.9, 0.999]'), text);
    assert.ok(lines.includes('    lr: 0.01'), text);
    assert.ok(lines.includes('Parameter Group 1'), text);
    assert.ok(lines.includes('    lr: 0.1'), text);
    const keys = lines.slice(2, lines.indexOf('')).map((l) => l.trim().split(':')[0]!);
    assert.deepEqual(keys, [...keys].sort());
    assert.doesNotMatch(text, /params/);
  });
});
