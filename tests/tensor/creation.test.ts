// Creation functions: values checked against PyTorch (tests/fixtures/ops/creation.json) or by hand,
// random ones by seeded reproducibility and by their statistics.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import * as tg from '../../src/index.js';
import { assertClose, REPO_ROOT, testBackends, withBackend } from '../helpers.js';

interface Creation {
  arange: { args: number[]; dtype: string; values: number[] }[];
  linspace: { args: [number, number, number]; values: number[] }[];
  eye: { args: number[]; values: number[][] }[];
}
const fixture = JSON.parse(readFileSync(join(REPO_ROOT, 'tests', 'fixtures', 'ops', 'creation.json'), 'utf8')) as Creation;

function moments(t: tg.Tensor): { mean: number; variance: number } {
  const a = Array.from(t.toTypedArray(), Number);
  const mean = a.reduce((s, v) => s + v, 0) / a.length;
  return { mean, variance: a.reduce((s, v) => s + (v - mean) ** 2, 0) / a.length };
}

describe('tensor()', () => {
  it('takes nested arrays, numbers, booleans and typed arrays', () => {
    const a = tg.tensor([[1, 2, 3], [4, 5, 6]]);
    assert.deepEqual(a.shape, [2, 3]);
    assert.deepEqual(a.strides, [3, 1]);
    assert.equal(a.dtype, 'float32');
    assert.deepEqual(a.toArray(), [[1, 2, 3], [4, 5, 6]]);
    const s = tg.tensor(2.5);
    assert.deepEqual(s.shape, []);
    assert.equal(s.item(), 2.5);
    assert.equal(s.toArray(), 2.5);
    const b = tg.tensor([[true], [false]]);
    assert.equal(b.dtype, 'bool');
    assert.deepEqual(b.toArray(), [[true], [false]]);
    assert.equal(tg.tensor(new Float64Array([1, 2])).dtype, 'float64');
    assert.equal(tg.tensor(new Int32Array([1, 2])).dtype, 'int32');
    assert.equal(tg.tensor(new Float32Array([1, 2])).dtype, 'float32');
    const shaped = tg.tensor(new Float64Array([1, 2, 3, 4, 5, 6]), { shape: [3, 2] });
    assert.deepEqual(shaped.toArray(), [[1, 2], [3, 4], [5, 6]]);
    assert.deepEqual(tg.tensor([]).shape, [0]);
    assert.deepEqual(tg.tensor([[], []]).shape, [2, 0]);
  });

  it('copies its input and applies dtype and requiresGrad', () => {
    const src = new Float32Array([1, 2]);
    const t = tg.tensor(src);
    src[0] = 9;
    assert.deepEqual(t.toArray(), [1, 2]);
    const d = tg.tensor([1.7, -2.7], { dtype: 'int32' });
    assert.deepEqual(d.toArray(), [1, -2]);
    const f = tg.tensor(new Int32Array([3]), { dtype: 'float64', requiresGrad: true });
    assert.equal(f.dtype, 'float64');
    assert.equal(f.requiresGrad, true);
    assert.equal(f.isLeaf, true);
    assert.deepEqual(tg.tensor([0, 2, -1], { dtype: 'bool' }).toArray(), [false, true, true]);
    // float32 storage rounds: 0.1 is stored as the nearest float32.
    assert.equal(tg.tensor([0.1]).item(), Math.fround(0.1));
    assert.equal(tg.tensor([0.1], { dtype: 'float64' }).item(), 0.1);
  });
});

describe('filled creation functions', () => {
  it('zeros, ones, full and the *Like variants', () => {
    assert.deepEqual(tg.zeros([2, 2]).toArray(), [[0, 0], [0, 0]]);
    assert.deepEqual(tg.ones(3).toArray(), [1, 1, 1]);
    assert.deepEqual(tg.full([2], 7.5, { dtype: 'float64' }).toArray(), [7.5, 7.5]);
    assert.equal(tg.full([2], 7.5, { dtype: 'float64' }).dtype, 'float64');
    assert.deepEqual(tg.zeros([]).shape, []);
    assert.deepEqual(tg.zeros([0, 3]).shape, [0, 3]);
    const x = tg.tensor(new Int32Array([1, 2, 3]), { shape: [3, 1] });
    const zl = tg.zerosLike(x);
    assert.deepEqual([zl.dtype, zl.shape, zl.toArray()], ['int32', [3, 1], [[0], [0], [0]]]);
    const ol = tg.onesLike(x, { dtype: 'float64' });
    assert.deepEqual([ol.dtype, ol.toArray()], ['float64', [[1], [1], [1]]]);
    const fl = tg.fullLike(x, -4);
    assert.deepEqual([fl.dtype, fl.toArray()], ['int32', [[-4], [-4], [-4]]]);
    assert.equal(tg.ones([2], { requiresGrad: true }).requiresGrad, true);
    assert.deepEqual(tg.full([2], 1, { dtype: 'bool' }).toArray(), [true, true]);
  });

  it('arange matches PyTorch values; integers give int32, fractions float32', () => {
    for (const c of fixture.arange) {
      const [a, b, s] = c.args as [number, number?, number?];
      const t = b === undefined ? tg.arange(a) : tg.arange(a, b, s);
      assert.equal(t.dtype, c.dtype === 'int64' ? 'int32' : 'float32', `arange(${c.args}) dtype`);
      assertClose(t, c.values, { atol: 1e-7, rtol: 1e-7, msg: `arange(${c.args})` });
    }
    assert.equal(tg.arange(4, undefined, 1, { dtype: 'float64' }).dtype, 'float64');
    assert.deepEqual(tg.arange(3, 3).shape, [0]);
    assert.throws(() => tg.arange(0, 1, 0), /arange: step must be non-zero/);
  });

  it('linspace matches PyTorch, both ends included', () => {
    for (const c of fixture.linspace) {
      const t = tg.linspace(...c.args);
      assert.equal(t.dtype, 'float32');
      assertClose(t, c.values, { atol: 1e-7, rtol: 1e-7, msg: `linspace(${c.args})` });
    }
    assert.equal(tg.linspace(0, 1, 11, { dtype: 'float64' }).toArray().toString(), '0,0.1,0.2,0.30000000000000004,0.4,0.5,0.6,0.7,0.8,0.9,1');
    assert.throws(() => tg.linspace(0, 1, -1), /linspace: steps must be a non-negative integer, got -1/);
  });

  it('eye matches PyTorch, square and rectangular', () => {
    for (const c of fixture.eye) {
      const t = c.args.length === 1 ? tg.eye(c.args[0]!) : tg.eye(c.args[0]!, c.args[1]!);
      assert.deepEqual(t.toArray(), c.values, `eye(${c.args})`);
    }
    assert.equal(tg.eye(2, 2, { dtype: 'int32' }).dtype, 'int32');
  });
});

describe('random creation functions', () => {
  it('manualSeed makes rand, randn, randint and randperm reproducible', () => {
    const draw = () => [tg.rand([5]), tg.randn([2, 3]), tg.randint(0, 10, [7]), tg.randperm(6)].map((t) => Array.from(t.toTypedArray(), Number));
    tg.manualSeed(123);
    const first = draw();
    tg.manualSeed(123);
    assert.deepEqual(draw(), first);
    tg.manualSeed(124);
    assert.notDeepEqual(draw()[0], first[0]);
    // An explicit generator leaves the default stream alone.
    tg.manualSeed(5);
    const a = tg.rand([3]).toTypedArray();
    tg.manualSeed(5);
    tg.rand([4], { generator: new tg.Generator(99) });
    assert.deepEqual(tg.rand([3]).toTypedArray(), a);
    assert.deepEqual(tg.randn([4], { generator: new tg.Generator(7) }).toArray(), tg.randn([4], { generator: new tg.Generator(7) }).toArray());
  });

  it('gives the same numbers on every backend (the generator lives in TypeScript)', () => {
    const per = testBackends().map((b) => withBackend(b, () => {
      tg.manualSeed(2024);
      return [tg.randn([4], { dtype: 'float64' }).toArray(), tg.randint(-5, 5, [4]).toArray()];
    }));
    for (const p of per) assert.deepEqual(p, per[0]);
  });

  it('generator state round-trips through getState/setState', () => {
    const g = new tg.Generator(3);
    g.normal();
    const state = g.getState();
    const next = [g.normal(), g.random(), g.normal()];
    g.setState(state);
    assert.deepEqual([g.normal(), g.random(), g.normal()], next);
    assert.throws(() => g.setState([1, 2]), /Generator.setState: expected 5 numbers, got 2/);
  });

  it('rand is uniform on [0, 1): mean 1/2, variance 1/12', () => {
    const t = tg.rand([20000], { dtype: 'float64', generator: new tg.Generator(1) });
    const a = t.toTypedArray();
    assert.ok(a.every((v) => v >= 0 && v < 1));
    const { mean, variance } = moments(t);
    // Standard errors: 0.002 for the mean, 0.0005 for the variance; 5 sigma bounds.
    assert.ok(Math.abs(mean - 0.5) < 0.01, `mean ${mean}`);
    assert.ok(Math.abs(variance - 1 / 12) < 0.0025, `variance ${variance}`);
    assert.equal(tg.rand([2, 3]).dtype, 'float32');
  });

  it('randn is standard normal: mean 0, variance 1, 68% within one sigma', () => {
    const t = tg.randn([20000], { dtype: 'float64', generator: new tg.Generator(2) });
    const { mean, variance } = moments(t);
    assert.ok(Math.abs(mean) < 0.035, `mean ${mean}`);
    assert.ok(Math.abs(variance - 1) < 0.05, `variance ${variance}`);
    const within = Array.from(t.toTypedArray()).filter((v) => Math.abs(v) < 1).length / 20000;
    assert.ok(Math.abs(within - 0.6827) < 0.017, `within one sigma: ${within}`);
  });

  it('randint covers [low, high) evenly; randperm is a permutation', () => {
    const t = tg.randint(-2, 3, [5000], { generator: new tg.Generator(4) });
    assert.equal(t.dtype, 'int32');
    const counts = new Map<number, number>();
    for (const v of t.toTypedArray()) counts.set(v, (counts.get(v) ?? 0) + 1);
    assert.deepEqual([...counts.keys()].sort((a, b) => a - b), [-2, -1, 0, 1, 2]);
    for (const c of counts.values()) assert.ok(Math.abs(c - 1000) < 150, `count ${c}`);
    const p = tg.randperm(50, { generator: new tg.Generator(5) });
    assert.equal(p.dtype, 'int32');
    const sorted = Array.from(p.toTypedArray()).sort((a, b) => a - b);
    assert.deepEqual(sorted, Array.from({ length: 50 }, (_, i) => i));
    assert.notDeepEqual(Array.from(p.toTypedArray()), sorted);
    assert.throws(() => tg.randint(3, 3, [2]), /randint: expected low < high, got 3 and 3/);
  });
});
